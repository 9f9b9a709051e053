# Helpers shared by the RBAC rules. What a Role, ClusterRole or binding grants is a
# fact computed in Rust (input.facts.rbac, docs/facts.md): rule entries expanded into
# (group, resource, verb) grants, their wildcards, what they reach, and the role a
# binding refers to. What is left here is how messages name things.
package blastwall.lib.rbac

obj := input.review.object

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# The RBAC fact of the reviewed object; absent for anything else and on DELETE.
fact := input.facts.rbac

# "ClusterRole admin" or "Role kube-system/deployer", for messages.
object_label := fact.label

# The namespace of a Role or RoleBinding: its own, else the one the request targets.
namespace := fact.namespace

namespace_or_unknown := namespace

namespace_or_unknown := "?" if not namespace

# The rule entries of a role that no wildcard widens: the entries with a wildcard
# are reported once, whole, by rbac-wildcard, whose message names what they reach.
plain_rules contains entry if {
	some entry in fact.rules
	count(entry.wildcards) == 0
}

# `value` if it is an array, else []: regorus stops the whole evaluation with an
# error on `some x in y` when y is not a collection.
items(value) := value if {
	is_array(value)
} else := []

# Every subject of a binding: {"subject": s, "index": i}; its path is ["subjects", i].
subjects contains {"subject": s, "index": i} if {
	fact.roleRef
	some i, s in items(obj.subjects)
	is_object(s)
}

# "group ops", "ServiceAccount ci/deployer", "user jane", for messages.
subject_label(s) := sprintf("ServiceAccount %s/%s", [object.get(s, "namespace", namespace_or_unknown), s.name]) if {
	s.kind == "ServiceAccount"
} else := sprintf("%s %s", [lower(object.get(s, "kind", "subject")), object.get(s, "name", "")])

# "a", "a and b", "a, b and c".
and_list(xs) := xs[0] if {
	count(xs) == 1
} else := sprintf("%s and %s", [concat(", ", array.slice(xs, 0, count(xs) - 1)), xs[count(xs) - 1]]) if {
	count(xs) > 1
}

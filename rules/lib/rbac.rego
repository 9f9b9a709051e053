# Helpers shared by the RBAC rules: the rules of a Role or ClusterRole, and what a
# binding binds, with their paths into input.review.object.
package blastwall.lib.rbac

obj := input.review.object

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

is_role if obj.kind in role_kinds

is_binding if obj.kind in binding_kinds

cluster_scoped := {"ClusterRole", "ClusterRoleBinding"}

# "ClusterRole admin" or "Role kube-system/deployer", for messages.
object_label := sprintf("%s %s/%s", [obj.kind, namespace, obj.metadata.name]) if {
	not obj.kind in cluster_scoped
	namespace
} else := sprintf("%s %s", [obj.kind, object.get(obj, ["metadata", "name"], "")])

# The namespace of a Role or RoleBinding: its own, else the one the request targets.
namespace := obj.metadata.namespace

namespace := input.review.namespace if {
	not obj.metadata.namespace
	input.review.namespace != ""
}

# Every policy rule of a Role or ClusterRole: {"rule": r, "index": i}; its path is
# ["rules", i]. A field the rule does not set reads as [].
role_rules contains {"rule": r, "index": i} if {
	is_role
	some i, r in items(obj.rules)
	is_object(r)
}

# `value` if it is an array, else []: regorus stops the whole evaluation with an
# error on `some x in y` when y is not a collection.
items(value) := value if {
	is_array(value)
} else := []

# A rule's list field (verbs, resources, apiGroups, resourceNames), [] when absent
# or not a list.
field(r, name) := items(object.get(r, name, []))

# True when the list field `name` of `r` contains `value` or "*".
matches(r, name, value) if value in field(r, name)

matches(r, name, _) if "*" in field(r, name)

# Every subject of a binding: {"subject": s, "index": i}; its path is ["subjects", i].
subjects contains {"subject": s, "index": i} if {
	is_binding
	some i, s in items(obj.subjects)
	is_object(s)
}

# "group ops", "ServiceAccount ci/deployer", "user jane", for messages.
subject_label(s) := sprintf("ServiceAccount %s/%s", [object.get(s, "namespace", namespace_or_unknown), s.name]) if {
	s.kind == "ServiceAccount"
} else := sprintf("%s %s", [lower(object.get(s, "kind", "subject")), object.get(s, "name", "")])

namespace_or_unknown := namespace

namespace_or_unknown := "?" if not namespace

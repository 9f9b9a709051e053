package blastwall.rules.rbac_secrets_read_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.rbac_secrets_read as rule

secrets_entry(index, verbs, names) := k.entry(index, {
	"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": verbs, "verbsApplied": verbs,
	"resourceNames": names,
	"grants": [k.grant("", "secrets", v) | some v in verbs], "secretVerbs": verbs,
	"reachesSecrets": true,
})

test_secrets_read_points_at_the_secrets_entry if {
	doc := k.role("ClusterRole", "", "reader", [k.entry(0, {}), secrets_entry(1, ["get", "list", "watch"], [])], {})
	rule.deny == {{
		"msg": "ClusterRole reader rule 1 grants get, list, watch on secrets: whoever it is bound to reads the values of every Secret in the namespaces it is bound in, or in every namespace through a ClusterRoleBinding",
		"path": ["rules", 1, "resources", 1],
	}} with input as doc
}

test_named_secrets_are_named if {
	doc := k.role("ClusterRole", "", "reader", [secrets_entry(0, ["get"], ["tls", "db"])], {})
	some f in rule.deny with input as doc
	startswith(f.msg, "ClusterRole reader rule 0 grants get on secrets named tls, db: whoever it is bound to reads the values of those Secrets in")
}

test_wildcard_entries_are_left_to_rbac_wildcard if {
	e := object.union(secrets_entry(0, ["get"], []), {"wildcards": [k.wildcard(0, "apiGroups", 0)]})
	doc := k.role("ClusterRole", "", "reader", [e], {})
	count(rule.deny) == 0 with input as doc
}

test_writes_namespaced_roles_and_other_groups_are_fine if {
	write := k.role("ClusterRole", "", "w", [secrets_entry(0, ["create", "delete"], [])], {})
	count(rule.deny) == 0 with input as write
	namespaced := k.role("Role", "shop", "r", [secrets_entry(0, ["get"], [])], {})
	count(rule.deny) == 0 with input as namespaced
	other := k.role("ClusterRole", "", "o", [k.entry(0, {"resources": ["secrets"], "verbsApplied": ["get"], "secretVerbs": [], "grants": [k.grant("example.com", "secrets", "get")]})], {})
	count(rule.deny) == 0 with input as other
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

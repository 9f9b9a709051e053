package blastwall.rules.rbac_secrets_read_test

import data.blastwall.rules.rbac_secrets_read as rule

role(kind, rules) := {"review": {"operation": "CREATE", "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "reader"},
	"rules": rules,
}}}

test_secrets_read_points_at_the_secrets_entry if {
	doc := role("ClusterRole", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list", "watch"]},
	])
	rule.deny == {{
		"msg": "ClusterRole reader rule 1 grants get, list, watch on secrets: anyone bound to it can read the Secrets (tokens, keys, passwords) of every namespace it applies to",
		"path": ["rules", 1, "resources", 1],
	}} with input as doc
}

test_star_verbs_resources_and_groups_count if {
	doc := role("ClusterRole", [
		{"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["*"]},
		{"apiGroups": [""], "resources": ["*"], "verbs": ["list"]},
	])
	{f.path | some f in rule.deny} == {["rules", 0, "resources", 0], ["rules", 1, "resources", 0]} with input as doc
	some f in rule.deny with input as doc
	f.path == ["rules", 1, "resources", 0]
	contains(f.msg, "grants list on every resource, secrets included")
}

test_writes_roles_and_other_groups_are_fine if {
	write_only := role("ClusterRole", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "delete"]}])
	count(rule.deny) == 0 with input as write_only
	namespaced := role("Role", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
	count(rule.deny) == 0 with input as namespaced
	other_group := role("ClusterRole", [{"apiGroups": ["example.com"], "resources": ["secrets"], "verbs": ["get"]}])
	count(rule.deny) == 0 with input as other_group
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

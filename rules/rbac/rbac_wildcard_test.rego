package blastwall.rules.rbac_wildcard_test

import data.blastwall.rules.rbac_wildcard as rule

role(kind, rules) := {"review": {"operation": "CREATE", "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ops", "namespace": "shop"},
	"rules": rules,
}}}

test_each_star_points_at_its_entry if {
	doc := role("Role", [
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "*"]},
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["list"]},
	])
	{f.path | some f in rule.deny} == {
		["rules", 0, "verbs", 1],
		["rules", 1, "apiGroups", 0],
		["rules", 1, "resources", 0],
	} with input as doc
}

test_message_names_the_role_and_what_the_star_grants if {
	doc := role("Role", [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}])
	rule.deny == {{
		"msg": "Role shop/ops rule 0 has '*' in verbs: it grants every verb, including delete, escalate, bind and impersonate and any verb added later",
		"path": ["rules", 0, "verbs", 0],
	}} with input as doc
}

test_cluster_roles_are_checked if {
	doc := {"review": {"object": {"kind": "ClusterRole", "metadata": {"name": "god"}, "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]}}}
	some f in rule.deny with input as doc
	f.path == ["rules", 0, "resources", 0]
	startswith(f.msg, "ClusterRole god rule 0 has '*' in resources: it grants every resource, including secrets")
}

test_explicit_lists_and_other_kinds_are_fine if {
	narrow := role("Role", [{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "list", "watch", "patch"]}])
	count(rule.deny) == 0 with input as narrow
	config := {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "x"}, "rules": [{"verbs": ["*"]}]}}}
	count(rule.deny) == 0 with input as config
}

test_non_resource_urls_and_malformed_rules_are_ignored if {
	doc := role("ClusterRole", [{"nonResourceURLs": ["*"], "verbs": ["get"]}, {"verbs": "*"}, "x"])
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

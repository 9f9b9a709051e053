package blastwall.rules.rbac_escalation_verbs_test

import data.blastwall.rules.rbac_escalation_verbs as rule

role(kind, rules) := {"review": {"operation": "CREATE", "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "lead", "namespace": "shop"},
	"rules": rules,
}}}

rbac_group := ["rbac.authorization.k8s.io"]

test_bind_points_at_the_verb if {
	doc := role("ClusterRole", [
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
		{"apiGroups": rbac_group, "resources": ["rolebindings", "clusterroles", "roles"], "verbs": ["create", "bind"]},
	])
	rule.deny == {{
		"msg": "ClusterRole lead rule 1 grants 'bind' on clusterroles, roles: the holder can bind any role, cluster-admin included, to itself or anyone without holding its permissions",
		"path": ["rules", 1, "verbs", 1],
	}} with input as doc
}

test_escalate_in_a_role if {
	doc := role("Role", [{"apiGroups": rbac_group, "resources": ["roles"], "verbs": ["escalate", "update"]}])
	some f in rule.deny with input as doc
	f.path == ["rules", 0, "verbs", 0]
	f.msg == "Role shop/lead rule 0 grants 'escalate' on roles: the holder can write roles with permissions it does not hold itself, bypassing RBAC's escalation check"
}

test_impersonate_users_groups_and_userextras if {
	doc := role("ClusterRole", [
		{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"], "verbs": ["impersonate"]},
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["impersonate"]},
	])
	{f.path | some f in rule.deny} == {["rules", 0, "verbs", 0], ["rules", 1, "verbs", 0], ["rules", 2, "verbs", 0]} with input as doc
}

test_verbs_where_they_mean_nothing_are_fine if {
	# bind on pods, impersonate on secrets, escalate in the wrong group: no effect.
	doc := role("ClusterRole", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["bind", "escalate"]},
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["impersonate"]},
		{"apiGroups": ["apps"], "resources": ["roles"], "verbs": ["escalate"]},
	])
	count(rule.deny) == 0 with input as doc
}

test_star_verbs_are_left_to_rbac_wildcard if {
	doc := role("ClusterRole", [{"apiGroups": rbac_group, "resources": ["clusterroles"], "verbs": ["*"]}])
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

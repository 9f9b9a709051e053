package blastwall.rules.rbac_escalation_verbs_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.rbac_escalation_verbs as rule

rbac_group := ["rbac.authorization.k8s.io"]

bind_entry(index, resources, names) := k.entry(index, {
	"apiGroups": rbac_group, "resources": resources, "verbs": ["create", "bind"], "resourceNames": names,
	"bind": true, "reachesRbac": true,
})

test_bind_with_create_on_bindings_points_at_the_verb if {
	doc := k.role("ClusterRole", "", "lead", [k.entry(0, {}), bind_entry(1, ["rolebindings", "clusterroles"], [])], {"createsBindings": true})
	rule.deny == {{
		"msg": "ClusterRole lead rule 1 grants 'bind' on clusterroles: with the create on bindings this role also grants, the holder can bind any ClusterRole (cluster-admin included) to anyone, itself included, without holding its permissions",
		"path": ["rules", 1, "verbs", 1],
	}} with input as doc
}

test_bind_without_create_and_with_names_says_so if {
	doc := k.role("Role", "shop", "lead", [bind_entry(0, ["roles"], ["viewer"])], {})
	rule.deny == {{
		"msg": "Role shop/lead rule 0 grants 'bind' on roles named viewer: whoever may also create RoleBindings or ClusterRoleBindings can bind the roles named viewer without holding its permissions",
		"path": ["rules", 0, "verbs", 1],
	}} with input as doc
}

test_bind_on_roles_only_does_not_claim_cluster_admin if {
	doc := k.role("Role", "shop", "lead", [bind_entry(0, ["roles"], [])], {"createsBindings": true})
	some f in rule.deny with input as doc
	contains(f.msg, "can bind any Role to anyone")
	not contains(f.msg, "cluster-admin")
}

test_escalate_in_a_role if {
	e := k.entry(0, {"apiGroups": rbac_group, "resources": ["roles"], "verbs": ["escalate", "update"], "escalate": true})
	doc := k.role("Role", "shop", "lead", [e], {"writesRoles": true})
	rule.deny == {{
		"msg": "Role shop/lead rule 0 grants 'escalate' on roles: with the create, update or patch on them this role also grants, the holder can write Roles with permissions it does not hold, bypassing RBAC's escalation check",
		"path": ["rules", 0, "verbs", 0],
	}} with input as doc
}

test_impersonate_names_who if {
	users := k.entry(0, {"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"], "impersonate": true})
	extras := k.entry(1, {"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"], "verbs": ["impersonate"], "impersonate": true})
	sa := k.entry(2, {"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": ["deployer"], "verbs": ["impersonate"], "impersonate": true})
	doc := k.role("ClusterRole", "", "lead", [users, extras, sa], {})
	{f.path: f.msg | some f in rule.deny} == {
		["rules", 0, "verbs", 0]: "ClusterRole lead rule 0 grants 'impersonate' on users, groups: the holder can send requests as any user and as any group, system:masters included",
		["rules", 1, "verbs", 0]: "ClusterRole lead rule 1 grants 'impersonate' on userextras/scopes: the holder can send requests with any user extra",
		["rules", 2, "verbs", 0]: "ClusterRole lead rule 2 grants 'impersonate' on serviceaccounts named deployer: the holder can send requests as the serviceaccounts named deployer",
	} with input as doc
}

test_verbs_where_they_mean_nothing_are_fine if {
	# The fact says whether a verb applies: bind on pods grants nothing.
	e := k.entry(0, {"apiGroups": [""], "resources": ["pods"], "verbs": ["bind", "escalate"]})
	doc := k.role("ClusterRole", "", "x", [e], {})
	count(rule.deny) == 0 with input as doc
}

test_wildcard_entries_are_left_to_rbac_wildcard if {
	e := object.union(bind_entry(0, ["clusterroles"], []), {"wildcards": [k.wildcard(0, "apiGroups", 0)]})
	doc := k.role("ClusterRole", "", "x", [e], {})
	count(rule.deny) == 0 with input as doc
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

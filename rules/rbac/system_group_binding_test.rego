package blastwall.rules.system_group_binding_test

import data.blastwall.rules.system_group_binding as rule

binding(kind, role_name, subjects) := {"review": {"operation": "CREATE", "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "viewers", "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
	"subjects": subjects,
}}}

test_each_system_subject_points_at_its_name if {
	doc := binding("RoleBinding", "view", [
		{"kind": "Group", "name": "shop:devs"},
		{"kind": "Group", "name": "system:authenticated"},
		{"kind": "User", "name": "system:anonymous"},
		{"kind": "Group", "name": "system:unauthenticated"},
		{"kind": "Group", "name": "system:masters"},
	])
	{f.path | some f in rule.deny} == {["subjects", 1, "name"], ["subjects", 2, "name"], ["subjects", 3, "name"], ["subjects", 4, "name"]} with input as doc
}

test_message_says_who_that_is if {
	doc := binding("ClusterRoleBinding", "view", [{"kind": "Group", "name": "system:authenticated"}])
	rule.deny == {{
		"msg": "ClusterRoleBinding viewers grants ClusterRole view to system:authenticated: that is every identity that authenticates, including every ServiceAccount in every namespace",
		"path": ["subjects", 0, "name"],
	}} with input as doc
}

test_kubernetes_own_discovery_bindings_are_fine if {
	doc := binding("ClusterRoleBinding", "system:public-info-viewer", [{"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:unauthenticated"}])
	count(rule.deny) == 0 with input as doc
}

test_other_groups_are_fine if {
	doc := binding("RoleBinding", "view", [{"kind": "Group", "name": "system:serviceaccounts:shop"}, {"kind": "Group", "name": "shop:devs"}])
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

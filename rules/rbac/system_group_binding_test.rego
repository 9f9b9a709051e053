package blastwall.rules.system_group_binding_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.system_group_binding as rule

view := {"kind": "ClusterRole", "name": "view"}

test_each_system_subject_points_at_its_name if {
	doc := k.binding("RoleBinding", "viewers", view, [
		{"kind": "Group", "name": "shop:devs"},
		{"kind": "Group", "name": "system:authenticated"},
		{"kind": "User", "name": "system:anonymous"},
		{"kind": "Group", "name": "system:unauthenticated"},
		{"kind": "Group", "name": "system:masters"},
	], {})
	{f.path | some f in rule.deny} == {["subjects", 1, "name"], ["subjects", 2, "name"], ["subjects", 3, "name"], ["subjects", 4, "name"]} with input as doc
}

test_message_says_who_that_is if {
	doc := k.binding("ClusterRoleBinding", "viewers", view, [{"kind": "Group", "name": "system:authenticated"}], {})
	rule.deny == {{
		"msg": "ClusterRoleBinding viewers grants ClusterRole view to system:authenticated: that is every identity that authenticates, including every ServiceAccount in every namespace",
		"path": ["subjects", 0, "name"],
	}} with input as doc
}

test_a_role_binding_grants_in_its_namespace_only if {
	doc := k.binding("RoleBinding", "viewers", view, [{"kind": "Group", "name": "system:unauthenticated"}], {})
	rule.deny == {{
		"msg": "RoleBinding shop/viewers grants ClusterRole view in namespace shop to system:unauthenticated: that is every request without credentials",
		"path": ["subjects", 0, "name"],
	}} with input as doc
}

test_a_subject_of_the_wrong_kind_is_nobody_in_particular if {
	doc := k.binding("RoleBinding", "viewers", view, [{"kind": "Group", "name": "system:anonymous"}, {"kind": "User", "name": "system:masters"}], {})
	count(rule.deny) == 0 with input as doc
}

test_kubernetes_own_discovery_bindings_are_fine if {
	doc := k.binding("ClusterRoleBinding", "b", {"kind": "ClusterRole", "name": "system:public-info-viewer"}, [{"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "system:unauthenticated"}], {})
	count(rule.deny) == 0 with input as doc
}

test_other_groups_are_fine if {
	doc := k.binding("RoleBinding", "b", view, [{"kind": "Group", "name": "system:serviceaccounts:shop"}, {"kind": "Group", "name": "shop:devs"}], {})
	count(rule.deny) == 0 with input as doc
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

package blastwall.rules.cluster_admin_binding_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.cluster_admin_binding as rule

cluster_admin := {"kind": "ClusterRole", "name": "cluster-admin"}

test_cluster_role_binding_points_at_the_role_name if {
	doc := k.binding("ClusterRoleBinding", "ci", cluster_admin, [
		{"kind": "Group", "name": "ops"},
		{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"},
	], {})
	rule.deny == {{
		"msg": "ClusterRoleBinding ci grants cluster-admin to group ops, ServiceAccount ci/deployer: they can do anything to every object in the cluster, including Secrets, RBAC and aws-auth",
		"path": ["roleRef", "name"],
	}} with input as doc
}

test_role_binding_names_the_namespace if {
	doc := k.binding("RoleBinding", "ci", cluster_admin, [{"kind": "User", "name": "jane"}], {})
	rule.deny == {{
		"msg": "RoleBinding shop/ci grants cluster-admin to user jane: they can do anything in namespace shop, including reading its Secrets and changing its RoleBindings",
		"path": ["roleRef", "name"],
	}} with input as doc
}

admin_role(role, defined_at) := {"role": {"definedAt": "roles.yaml:4", "clusterAdmin": true, "clusterAdminRule": {
	"role": role, "own": defined_at == "roles.yaml:4", "rule": 0, "definedAt": defined_at,
	"grant": "every verb (escalate, bind and impersonate included) on every resource of every API group",
}}, "clusterAdmin": true}

test_a_role_of_the_input_that_amounts_to_cluster_admin_is_reported if {
	doc := k.binding("ClusterRoleBinding", "argocd-application-controller", {"kind": "ClusterRole", "name": "argocd-application-controller"}, [{"kind": "ServiceAccount", "name": "argocd-application-controller", "namespace": "argocd"}], admin_role("ClusterRole argocd-application-controller", "roles.yaml:4"))
	rule.deny == {{
		"msg": "ClusterRoleBinding argocd-application-controller grants ClusterRole argocd-application-controller (defined at roles.yaml:4) to ServiceAccount argocd/argocd-application-controller, and that role amounts to cluster-admin: its rule 0 grants every verb (escalate, bind and impersonate included) on every resource of every API group; they can create, change and delete every object in the cluster, Secrets, RBAC and aws-auth included",
		"path": ["roleRef", "name"],
	}} with input as doc
}

test_an_aggregated_role_names_where_its_cluster_admin_comes_from if {
	doc := k.binding("RoleBinding", "b", {"kind": "ClusterRole", "name": "agg"}, [], admin_role("ClusterRole part", "roles.yaml:20"))
	some f in rule.deny with input as doc
	contains(f.msg, "amounts to cluster-admin: it aggregates ClusterRole part (defined at roles.yaml:20), whose rule 0 grants every verb")
	contains(f.msg, "to no subjects yet")
	endswith(f.msg, "every object in namespace shop, its Secrets and RoleBindings included")
}

test_other_roles_are_fine if {
	edit := k.binding("ClusterRoleBinding", "b", {"kind": "ClusterRole", "name": "edit"}, [{"kind": "Group", "name": "ops"}], {})
	count(rule.deny) == 0 with input as edit
	# A namespaced Role that happens to be called cluster-admin is not the ClusterRole.
	own := k.binding("RoleBinding", "b", {"kind": "Role", "name": "cluster-admin"}, [{"kind": "Group", "name": "ops"}], {})
	count(rule.deny) == 0 with input as own
	narrow := k.binding("RoleBinding", "b", {"kind": "Role", "name": "r"}, [], {"role": {"definedAt": "x:1", "clusterAdmin": false}})
	count(rule.deny) == 0 with input as narrow
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

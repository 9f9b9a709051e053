package blastwall.rules.cluster_admin_binding_test

import data.blastwall.rules.cluster_admin_binding as rule

binding(kind, role_kind, role_name, subjects) := {"review": {"operation": "CREATE", "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "ci"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
	"subjects": subjects,
}}}

test_cluster_role_binding_points_at_the_role_name if {
	doc := binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", [
		{"kind": "Group", "name": "ops"},
		{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"},
	])
	rule.deny == {{
		"msg": "ClusterRoleBinding ci grants cluster-admin to group ops, ServiceAccount ci/deployer: they can do anything to every object in the cluster, including Secrets, RBAC and aws-auth",
		"path": ["roleRef", "name"],
	}} with input as doc
}

test_role_binding_names_the_namespace if {
	doc := object.union(binding("RoleBinding", "ClusterRole", "cluster-admin", [{"kind": "User", "name": "jane"}]), {"review": {"object": {"metadata": {"namespace": "shop"}}}})
	rule.deny == {{
		"msg": "RoleBinding shop/ci grants cluster-admin to user jane: they can do anything in namespace shop, including reading its Secrets and changing its RoleBindings",
		"path": ["roleRef", "name"],
	}} with input as doc
}

test_other_roles_are_fine if {
	edit := binding("ClusterRoleBinding", "ClusterRole", "edit", [{"kind": "Group", "name": "ops"}])
	count(rule.deny) == 0 with input as edit
	# A namespaced Role that happens to be called cluster-admin is not the ClusterRole.
	own := binding("RoleBinding", "Role", "cluster-admin", [{"kind": "Group", "name": "ops"}])
	count(rule.deny) == 0 with input as own
	role := {"review": {"object": {"kind": "ClusterRole", "metadata": {"name": "cluster-admin"}, "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}}}}
	count(rule.deny) == 0 with input as role
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

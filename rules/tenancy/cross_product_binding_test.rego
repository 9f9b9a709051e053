package blastwall.rules.cross_product_binding

payroll_facts := {"tenancy": {
	"namespace": "payroll-api",
	"product": {"product": "payroll", "via": "namespaces: payroll-*"},
	"owners": {
		"groups": {
			"billing:ops": {"product": "billing", "via": "groups: billing:*"},
			"payroll:devs": {"product": "payroll", "via": "groups: payroll:*"},
		},
		"users": {},
		"namespaces": {
			"billing": {"product": "billing", "via": "namespaces: billing"},
			"payroll-api": {"product": "payroll", "via": "namespaces: payroll-*"},
		},
	},
}}

binding(kind, subjects) := {
	"review": {"object": {
		"kind": kind,
		"metadata": {"name": "b", "namespace": "payroll-api"},
		"roleRef": {"kind": "ClusterRole", "name": "edit"},
		"subjects": subjects,
	}},
	"facts": payroll_facts,
}

test_group_of_another_product_is_denied if {
	findings := deny with input as binding("RoleBinding", [{"kind": "Group", "name": "payroll:devs"}, {"kind": "Group", "name": "billing:ops"}])
	findings == {{
		"msg": "binding lets another product in: namespace payroll-api belongs to product payroll (namespaces: payroll-*); group billing:ops belongs to product billing (groups: billing:*)",
		"path": ["subjects", 1, "name"],
	}}
}

test_service_account_of_another_product_is_denied if {
	some f in deny with input as binding("RoleBinding", [{"kind": "ServiceAccount", "name": "worker", "namespace": "billing"}])
	f.path == ["subjects", 0, "name"]
	contains(f.msg, "ServiceAccount billing/worker belongs to product billing (namespaces: billing)")
}

test_own_subjects_are_allowed if {
	count(deny) == 0 with input as binding("RoleBinding", [{"kind": "Group", "name": "payroll:devs"}, {"kind": "ServiceAccount", "name": "api"}])
}

test_unknown_subjects_are_left_alone if {
	count(deny) == 0 with input as binding("RoleBinding", [{"kind": "Group", "name": "system:authenticated"}])
}

test_cluster_binding_of_a_product_group_is_denied if {
	some f in deny with input as binding("ClusterRoleBinding", [{"kind": "Group", "name": "payroll:devs"}])
	f.path == ["subjects", 0, "name"]
	startswith(f.msg, "ClusterRoleBinding grants ClusterRole edit cluster-wide to a product: group payroll:devs belongs to product payroll")
}

test_allowed_cluster_roles_are_respected if {
	count(deny) == 0 with input as binding("ClusterRoleBinding", [{"kind": "Group", "name": "payroll:devs"}])
		with data.blastwall.config as {"rules": {"cross-product-binding": {"params": {"allowedClusterRoles": ["edit"]}}}}
}

test_silent_on_delete if {
	count(deny) == 0 with input as {"review": {"object": null}, "facts": payroll_facts}
}

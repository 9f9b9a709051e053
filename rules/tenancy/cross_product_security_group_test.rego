package blastwall.rules.cross_product_security_group

sgp(ids) := {
	"review": {"object": {
		"apiVersion": "vpcresources.k8s.aws/v1beta1",
		"kind": "SecurityGroupPolicy",
		"metadata": {"name": "api", "namespace": "payroll-api"},
		"spec": {"securityGroups": {"groupIds": ids}},
	}},
	"facts": {"tenancy": {
		"namespace": "payroll-api",
		"product": {"product": "payroll", "via": "namespaces: payroll-*"},
		"owners": {"securityGroups": {
			"sg-0f1e2d3c4b5a69788": {"product": "billing", "via": "securityGroups: sg-0f1e2d3c4b5a69788"},
			"sg-0a1b2c3d4e5f60718": {"product": "payroll", "via": "securityGroups: sg-0a1b2c3d4e5f60718"},
		}},
	}},
}

test_security_group_of_another_product_is_denied if {
	deny == {{
		"msg": "pods join another product's security group: namespace payroll-api belongs to product payroll (namespaces: payroll-*); security group sg-0f1e2d3c4b5a69788 belongs to product billing (securityGroups: sg-0f1e2d3c4b5a69788)",
		"path": ["spec", "securityGroups", "groupIds", 1],
	}} with input as sgp(["sg-0a1b2c3d4e5f60718", "sg-0f1e2d3c4b5a69788"])
}

test_own_and_unowned_groups_are_allowed if {
	count(deny) == 0 with input as sgp(["sg-0a1b2c3d4e5f60718", "sg-12345678"])
}

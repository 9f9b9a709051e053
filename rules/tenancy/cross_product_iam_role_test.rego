package blastwall.rules.cross_product_iam_role

sa(arn) := {
	"review": {"object": {
		"kind": "ServiceAccount",
		"metadata": {"name": "api", "namespace": "payroll-api", "annotations": {"eks.amazonaws.com/role-arn": arn}},
	}},
	"facts": {"tenancy": {
		"namespace": "payroll-api",
		"product": {"product": "payroll", "via": "namespaces: payroll-*"},
		"owners": {"iamRoles": {
			"arn:aws:iam::111122223333:role/billing-s3": {"product": "billing", "via": "iamRoles: arn:aws:iam::111122223333:role/billing-*"},
			"arn:aws:iam::111122223333:role/payroll-api": {"product": "payroll", "via": "iamRoles: arn:aws:iam::111122223333:role/payroll-*"},
		}},
	}},
}

test_role_of_another_product_is_denied if {
	deny == {{
		"msg": "ServiceAccount assumes another product's IAM role: namespace payroll-api belongs to product payroll (namespaces: payroll-*); role arn:aws:iam::111122223333:role/billing-s3 belongs to product billing (iamRoles: arn:aws:iam::111122223333:role/billing-*)",
		"path": ["metadata", "annotations", "eks.amazonaws.com/role-arn"],
	}} with input as sa("arn:aws:iam::111122223333:role/billing-s3")
}

test_role_of_no_product_is_denied if {
	some f in deny with input as sa("arn:aws:iam::111122223333:role/legacy")
	contains(f.msg, "which no product owns")
}

test_own_role_is_allowed if {
	count(deny) == 0 with input as sa("arn:aws:iam::111122223333:role/payroll-api")
}

test_silent_without_tenancy_facts if {
	count(deny) == 0 with input as {"review": sa("x").review, "facts": {}}
}

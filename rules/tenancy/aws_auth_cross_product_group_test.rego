package blastwall.rules.aws_auth_cross_product_group

payroll_role := "arn:aws:iam::111122223333:role/payroll-developer"

entry(groups, username) := {
	"section": "mapRoles", "index": 0, "isMap": true, "arn": payroll_role,
	"path": ["data", "mapRoles", 0],
	"username": username, "usernamePath": ["data", "mapRoles", 0, "username"],
	"groupItems": [{"value": g, "type": "string", "path": ["data", "mapRoles", 0, "groups", i]} | some i, g in groups],
}

known := {
	"iamRoles": {payroll_role: {"product": "payroll", "via": "iamRoles: arn:aws:iam::111122223333:role/payroll-*"}},
	"groups": {
		"payroll:developers": {"product": "payroll", "via": "groups: payroll:*"},
		"billing:operators": {"product": "billing", "via": "groups: billing:*"},
	},
	"users": {"billing-ci": {"product": "billing", "via": "users: billing-ci"}},
}

input_for(e, requester) := {
	"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}}},
	"facts": {
		"awsAuth": {"entries": [e], "sections": {}},
		"tenancy": {"owners": known, "requester": requester, "awsAuth": {"readable": true}},
	},
}

person := {"identity": "user", "system": false, "products": [], "admin": false}

test_another_products_group_is_reported_at_the_group if {
	inp := input_for(entry(["payroll:developers", "billing:operators"], "payroll-developer:{{SessionName}}"), person)
	deny == {{
		"msg": "aws-auth lets another product in: role arn:aws:iam::111122223333:role/payroll-developer belongs to product payroll (iamRoles: arn:aws:iam::111122223333:role/payroll-*); group billing:operators belongs to product billing (groups: billing:*)",
		"path": ["data", "mapRoles", 0, "groups", 1],
	}} with input as inp
}

test_another_products_username_is_reported_at_the_username if {
	inp := input_for(entry(["payroll:developers"], "billing-ci"), person)
	deny == {{
		"msg": "aws-auth lets another product in: role arn:aws:iam::111122223333:role/payroll-developer belongs to product payroll (iamRoles: arn:aws:iam::111122223333:role/payroll-*); username billing-ci belongs to product billing (users: billing-ci)",
		"path": ["data", "mapRoles", 0, "username"],
	}} with input as inp
}

test_own_and_unowned_groups_are_fine if {
	inp := input_for(entry(["payroll:developers", "viewers", "system:masters"], "payroll-developer:{{SessionName}}"), person)
	count(deny) == 0 with input as inp
}

test_roles_no_product_owns_are_left_to_unknown_principal if {
	e := object.union(entry(["billing:operators"], "x"), {"arn": "arn:aws:iam::111122223333:role/sre-admin"})
	inp := input_for(e, person)
	count(deny) == 0 with input as inp
}

test_eks_system_identities_are_let_through if {
	inp := input_for(entry(["billing:operators"], "x"), {"identity": "eks", "system": true, "products": [], "admin": false})
	count(deny) == 0 with input as inp
}

test_silent_without_config if {
	inp := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"entries": [entry(["billing:operators"], "x")]}}}
	count(deny) == 0 with input as inp
}

test_malformed_entries_are_skipped if {
	inp := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {
		"awsAuth": {"entries": [5, {"section": "mapRoles", "isMap": true, "arn": 7}, {"section": "mapRoles", "isMap": false, "arn": payroll_role}]},
		"tenancy": {"owners": known, "requester": person},
	}}
	count(deny) == 0 with input as inp
}

package blastwall.rules.aws_auth_admin_grant

payroll_role := "arn:aws:iam::111122223333:role/payroll-developer"

entry(groups, username) := {
	"section": "mapRoles", "index": 1, "isMap": true, "arn": payroll_role,
	"username": username, "usernamePath": ["data", "mapRoles", 1, "username"],
	"groupItems": [{"value": g, "type": "string", "path": ["data", "mapRoles", 1, "groups", i]} | some i, g in groups],
}

known := {
	"iamRoles": {payroll_role: {"product": "payroll", "via": "iamRoles: arn:aws:iam::111122223333:role/payroll-*"}},
	"groups": {},
	"admins": {"groups": {"sre:admins": "admins.groups: sre:*"}, "users": {"break-glass": "admins.users: break-glass"}, "iamRoles": {}},
}

input_for(e, o, requester) := {
	"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}}},
	"facts": {
		"awsAuth": {"entries": [e], "sections": {}},
		"tenancy": {"owners": o, "requester": requester},
	},
}

person := {"identity": "user", "system": false}

role_says := "role arn:aws:iam::111122223333:role/payroll-developer belongs to product payroll (iamRoles: arn:aws:iam::111122223333:role/payroll-*)"

test_system_masters_and_admin_groups_are_reported_at_the_group if {
	inp := input_for(entry(["system:masters", "payroll:developers", "sre:admins"], "payroll:{{SessionName}}"), known, person)
	deny == {
		{
			"msg": sprintf("aws-auth gives a product's role admin rights: %s; group system:masters bypasses RBAC with every permission, over every product", [role_says]),
			"path": ["data", "mapRoles", 1, "groups", 0],
		},
		{
			"msg": sprintf("aws-auth gives a product's role admin rights: %s; group sre:admins is an admin group (admins.groups: sre:*)", [role_says]),
			"path": ["data", "mapRoles", 1, "groups", 2],
		},
	} with input as inp
}

test_an_admin_username_is_reported_at_the_username if {
	inp := input_for(entry(["payroll:developers"], "break-glass"), known, person)
	deny == {{
		"msg": sprintf("aws-auth gives a product's role admin rights: %s; username break-glass is an admin user (admins.users: break-glass)", [role_says]),
		"path": ["data", "mapRoles", 1, "username"],
	}} with input as inp
}

test_product_groups_are_fine if {
	inp := input_for(entry(["payroll:developers"], "payroll:{{SessionName}}"), known, person)
	count(deny) == 0 with input as inp
}

test_a_role_that_is_also_an_admin_role_is_fine if {
	o := object.union(known, {"admins": {"iamRoles": {payroll_role: "admins.iamRoles: x"}}})
	inp := input_for(entry(["system:masters"], "x"), o, person)
	count(deny) == 0 with input as inp
}

test_roles_of_no_product_are_not_judged_here if {
	o := object.remove(known, ["iamRoles"])
	inp := input_for(entry(["system:masters"], "x"), o, person)
	count(deny) == 0 with input as inp
}

test_eks_system_identities_are_let_through if {
	inp := input_for(entry(["system:masters"], "x"), known, {"identity": "node", "system": true})
	count(deny) == 0 with input as inp
}

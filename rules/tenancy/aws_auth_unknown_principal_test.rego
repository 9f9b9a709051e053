package blastwall.rules.aws_auth_unknown_principal

arn := "arn:aws:iam::111122223333:role/contractor-debug"

entry(a) := {
	"section": "mapRoles", "index": 2, "isMap": true, "arn": a,
	"arnPath": ["data", "mapRoles", 2, "rolearn"],
	"arnParts": {"service": split(a, ":")[2], "resourceType": split(split(a, ":")[5], "/")[0]},
	"groupItems": [],
}

input_for(e, o, requester) := {
	"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}}},
	"facts": {
		"awsAuth": {"entries": [e], "sections": {}},
		"tenancy": {"owners": object.union({"iamRoles": {}, "admins": {"iamRoles": {}}, "nodeRoles": {}}, o), "requester": requester},
	},
}

person := {"identity": "user", "system": false}

test_an_undeclared_role_is_reported_at_its_arn if {
	inp := input_for(entry(arn), {}, person)
	deny == {{
		"msg": "role arn:aws:iam::111122223333:role/contractor-debug is not declared in the config: it is no product's role (products.<name>.iamRoles), no admin role (admins.iamRoles) and no node role (nodeRoles), yet whoever assumes it gets the groups mapped here",
		"path": ["data", "mapRoles", 2, "rolearn"],
	}} with input as inp
}

test_product_roles_are_declared if {
	inp := input_for(entry(arn), {"iamRoles": {arn: {"product": "payroll", "via": "iamRoles: x"}}}, person)
	count(deny) == 0 with input as inp
}

test_admin_roles_are_declared if {
	inp := input_for(entry(arn), {"admins": {"iamRoles": {arn: "admins.iamRoles: x"}}}, person)
	count(deny) == 0 with input as inp
}

test_node_roles_are_declared if {
	inp := input_for(entry(arn), {"nodeRoles": {arn: "nodeRoles: x"}}, person)
	count(deny) == 0 with input as inp
}

test_placeholders_are_left_to_aws_auth_placeholder if {
	inp := input_for(entry("arn:aws:iam::<ACCOUNT_ID>:role/x"), {}, person)
	count(deny) == 0 with input as inp
}

test_session_arns_are_left_to_aws_auth_invalid_arn if {
	inp := input_for(entry("arn:aws:sts::111122223333:assumed-role/x/y"), {}, person)
	count(deny) == 0 with input as inp
}

test_eks_system_identities_are_let_through if {
	inp := input_for(entry(arn), {}, {"identity": "eks", "system": true})
	count(deny) == 0 with input as inp
}

test_silent_without_config if {
	inp := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"entries": [entry(arn)]}}}
	count(deny) == 0 with input as inp
}

package blastwall.rules.aws_auth_system_masters

arn := "arn:aws:iam::210987654321:role/sre-admin"

input_for(facts) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": object.union({"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "arn": arn,
	"groupItems": [{"value": "system:masters", "type": "string", "path": ["data", "mapRoles", 0, "groups", 0]}],
}]}}, facts)}

test_system_masters_is_reported if {
	deny == {{
		"msg": "role arn:aws:iam::210987654321:role/sre-admin is mapped to system:masters: Kubernetes grants that group every permission, bypassing RBAC, and no binding can take it away; bind a group of your own to cluster-admin instead, or declare the role under admins.iamRoles",
		"path": ["data", "mapRoles", 0, "groups", 0],
	}} with input as input_for({})
}

test_declared_admin_role_is_allowed if {
	count(deny) == 0 with input as input_for({}) with data.blastwall.config as {"admins": {"iamRoles": [arn]}}
}

test_admin_glob_is_allowed if {
	count(deny) == 0 with input as input_for({}) with data.blastwall.config as {"admins": {"iamRoles": ["arn:aws:iam::210987654321:role/sre-*"]}}
}

test_admin_from_tenancy_facts_is_allowed if {
	count(deny) == 0 with input as input_for({"tenancy": {"owners": {"admins": {"iamRoles": {arn: {"via": "admins.iamRoles"}}}}}})
}

test_other_glob_is_not_allowed if {
	count(deny) == 1 with input as input_for({}) with data.blastwall.config as {"admins": {"iamRoles": ["arn:aws:iam::210987654321:role/ops-*"]}}
}

package blastwall.rules.aws_auth_no_groups

input_for(items, fields) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "path": ["data", "mapRoles", 0],
	"arn": "arn:aws:iam::210987654321:role/x", "username": "x",
	"groupItems": items, "fields": fields,
}]}}}

test_missing_groups_are_reported if {
	some f in deny with input as input_for([], [])
	f.path == ["data", "mapRoles", 0]
}

test_scalar_groups_are_left_to_wrong_type if {
	count(deny) == 0 with input as input_for([], [{"key": "groups", "canonical": "groups", "type": "string"}])
}

test_groups_pass if {
	count(deny) == 0 with input as input_for([{"value": "g", "type": "string"}], [])
}

package blastwall.rules.aws_auth_unknown_field

input_for(fields) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "path": ["data", "mapRoles", 0],
	"fields": fields,
}]}}}

test_misspelt_field_is_reported_with_suggestion if {
	some f in deny with input as input_for([{"key": "role_arn", "suggestion": "rolearn", "path": ["data", "mapRoles", 0, "role_arn"]}])
	f.path == ["data", "mapRoles", 0, "role_arn"]
	contains(f.msg, "did you mean `rolearn`?")
}

test_unrelated_field_is_reported if {
	some f in deny with input as input_for([{"key": "team", "path": ["data", "mapRoles", 0, "team"]}])
	contains(f.msg, "`team` is not a field of a mapRoles entry")
}

test_known_fields_pass if {
	count(deny) == 0 with input as input_for([{"key": "groups", "canonical": "groups", "path": ["data", "mapRoles", 0, "groups"]}])
}

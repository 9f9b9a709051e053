package blastwall.rules.aws_auth_unknown_key

input_for(keys) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [], "unknownKeys": keys}}}

test_case_variant_is_reported_with_suggestion if {
	some f in deny with input as input_for([{"key": "maproles", "in": "data", "path": ["data", "maproles"], "suggestion": "mapRoles"}])
	f.path == ["data", "maproles"]
	contains(f.msg, "did you mean `mapRoles`")
}

test_binary_data_is_reported if {
	some f in deny with input as input_for([{"key": "mapRoles", "in": "binaryData", "path": ["binaryData", "mapRoles"], "suggestion": "mapRoles"}])
	contains(f.msg, "binaryData key `mapRoles` is never read")
}

test_other_key_is_reported if {
	some f in deny with input as input_for([{"key": "notes", "in": "data", "path": ["data", "notes"]}])
	contains(f.msg, "data key `notes` is never read")
}

test_no_unknown_keys_passes if {
	count(deny) == 0 with input as input_for([])
}

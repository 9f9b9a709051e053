package blastwall.rules.aws_auth_key_case

input_for(fields) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "path": ["data", "mapRoles", 0],
	"fields": fields,
}]}}}

test_camel_case_arn_is_reported if {
	deny == {{
		"msg": "key `roleARN` is not exact lowercase: the strict authenticator parser reads it as `rolearn`, but the lenient parser ignores it and the entry has no role ARN and is dropped; write `rolearn`",
		"path": ["data", "mapRoles", 0, "roleARN"],
		"at": "key",
	}} with input as input_for([{"key": "roleARN", "canonical": "rolearn", "path": ["data", "mapRoles", 0, "roleARN"], "type": "string"}])
}

test_exact_keys_pass if {
	count(deny) == 0 with input as input_for([{"key": "rolearn", "canonical": "rolearn", "path": ["data", "mapRoles", 0, "rolearn"], "type": "string"}])
}

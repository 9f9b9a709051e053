package blastwall.rules.aws_auth_missing_arn

input_for(e) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [object.union(
	{"section": "mapRoles", "index": 0, "isMap": true, "path": ["data", "mapRoles", 0], "arnKey": "rolearn", "keys": {}},
	e,
)]}}}

test_entry_without_arn_is_reported if {
	deny == {{
		"msg": "this mapRoles entry has no `rolearn`: the authenticator drops it, so its username and groups are granted to no one",
		"path": ["data", "mapRoles", 0],
	}} with input as input_for({})
}

test_empty_arn_is_reported if {
	some f in deny with input as input_for({"arn": "", "arnPath": ["data", "mapRoles", 0, "rolearn"], "keys": {"rolearn": "rolearn"}})
	f.path == ["data", "mapRoles", 0, "rolearn"]
}

test_entry_with_arn_passes if {
	count(deny) == 0 with input as input_for({"arn": "arn:aws:iam::210987654321:role/x", "arnPath": ["data", "mapRoles", 0, "rolearn"], "keys": {"rolearn": "rolearn"}})
}

test_misspelt_arn_key_is_left_to_unknown_field if {
	count(deny) == 0 with input as input_for({"fields": [{"key": "role_arn", "suggestion": "rolearn", "path": ["data", "mapRoles", 0, "role_arn"]}]})
}

test_null_arn_is_reported if {
	e := {"arnPath": ["data", "mapRoles", 0, "rolearn"], "keys": {"rolearn": "rolearn"}, "fields": [{"key": "rolearn", "canonical": "rolearn", "type": "null"}]}
	some f in deny with input as input_for(e)
	contains(f.msg, "`rolearn` is empty")
}

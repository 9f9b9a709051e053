package blastwall.rules.aws_auth_duplicate_key

input_for(dups) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {"mapRoles": {"name": "mapRoles", "present": true, "duplicateKeys": dups}}, "entries": []}}}

test_duplicate_key_is_reported if {
	deny == {{
		"msg": "key `groups` appears twice in this entry (first at line 3 of mapRoles): the authenticator keeps only this last value and ignores the first",
		"path": ["data", "mapRoles", 0, "groups"],
		"at": "key",
	}} with input as input_for([{"key": "groups", "path": ["data", "mapRoles", 0, "groups"], "firstLine": 3, "line": 4}])
}

test_no_duplicates_pass if {
	count(deny) == 0 with input as input_for([])
}

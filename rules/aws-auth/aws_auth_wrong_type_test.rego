package blastwall.rules.aws_auth_wrong_type

input_for(sections, entries) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": sections, "entries": entries}}}

entry(extra) := object.union({"section": "mapRoles", "index": 0, "isMap": true, "type": "mapping", "path": ["data", "mapRoles", 0], "fields": [], "groupItems": []}, extra)

test_section_not_a_string_is_reported if {
	some f in deny with input as input_for({"mapRoles": {"name": "mapRoles", "present": true, "type": "list", "path": ["data", "mapRoles"]}}, [])
	contains(f.msg, "API server rejects the ConfigMap")
}

test_scalar_groups_are_reported if {
	e := entry({"fields": [{"key": "groups", "canonical": "groups", "type": "string", "path": ["data", "mapRoles", 0, "groups"]}]})
	some f in deny with input as input_for({}, [e])
	f.path == ["data", "mapRoles", 0, "groups"]
	contains(f.msg, "no groups at all")
}

test_number_username_and_boolean_group_are_reported if {
	e := entry({
		"fields": [{"key": "username", "canonical": "username", "type": "number", "path": ["data", "mapRoles", 0, "username"]}],
		"groupItems": [{"type": "boolean", "path": ["data", "mapRoles", 0, "groups", 0]}],
	})
	fs := deny with input as input_for({}, [e])
	count(fs) == 2
}

test_entry_not_a_mapping_is_reported if {
	some f in deny with input as input_for({}, [entry({"isMap": false, "type": "string"})])
	contains(f.msg, "is a string, not a mapping")
}

test_strings_pass if {
	e := entry({
		"fields": [{"key": "username", "canonical": "username", "type": "string", "path": []}, {"key": "groups", "canonical": "groups", "type": "list", "path": []}],
		"groupItems": [{"type": "string", "path": []}],
	})
	count(deny) == 0 with input as input_for({"mapRoles": {"name": "mapRoles", "present": true, "type": "string"}}, [e])
}

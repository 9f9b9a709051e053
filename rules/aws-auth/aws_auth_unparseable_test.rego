package blastwall.rules.aws_auth_unparseable

section(extra) := object.union({"name": "mapRoles", "present": true, "path": ["data", "mapRoles"]}, extra)

input_for(s) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {"mapRoles": s}, "entries": []}}}

test_parse_error_is_reported_at_its_path if {
	err := {"message": "invalid YAML: mapping values are not allowed", "line": 3, "path": ["data", "mapRoles", "@error"]}
	some f in deny with input as input_for(section({"parseError": err}))
	f.path == ["data", "mapRoles", "@error"]
	contains(f.msg, "line 3 of the block")
	contains(f.msg, "node roles included")
}

test_not_a_list_is_reported if {
	some f in deny with input as input_for(section({"notList": "mapping"}))
	contains(f.msg, "holds a mapping, not a list")
}

test_clean_section_passes if {
	count(deny) == 0 with input as input_for(section({}))
}

test_silent_without_facts if {
	count(deny) == 0 with input as {"review": {"object": null}, "facts": {}}
}

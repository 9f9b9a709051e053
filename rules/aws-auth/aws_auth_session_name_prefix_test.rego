package blastwall.rules.aws_auth_session_name_prefix

input_for(username, prefix) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "username": username,
	"templates": [{"text": "{{SessionName}}", "name": "SessionName", "field": "username", "prefix": prefix, "path": ["data", "mapRoles", 0, "username"]}],
}]}}}

test_bare_session_name_is_reported if {
	some f in deny with input as input_for("{{SessionName}}", "")
	f.path == ["data", "mapRoles", 0, "username"]
}

test_prefix_without_colon_is_reported if {
	count(deny) == 1 with input as input_for("admin-{{SessionName}}", "admin-")
}

test_prefix_with_colon_passes if {
	count(deny) == 0 with input as input_for("team-a:{{SessionName}}", "team-a:")
}

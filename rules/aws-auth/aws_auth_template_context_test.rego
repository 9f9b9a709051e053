package blastwall.rules.aws_auth_template_context

input_for(section, node) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": section, "index": 0, "isMap": true, "node": node, "arn": "arn:aws:iam::210987654321:role/x",
	"templates": [{"text": "{{EC2PrivateDNSName}}", "name": "EC2PrivateDNSName", "field": "username", "prefix": "x:", "path": ["data", section, 0, "username"]}],
}]}}}

test_in_map_users_is_reported if {
	some f in deny with input as input_for("mapUsers", false)
	contains(f.msg, "in mapUsers")
}

test_on_a_person_is_reported if {
	count(deny) == 1 with input as input_for("mapRoles", false)
}

test_on_a_node_passes if {
	count(deny) == 0 with input as input_for("mapRoles", true)
}

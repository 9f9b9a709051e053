package blastwall.rules.aws_auth_reserved_username

input_for(node, username) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "node": node,
	"username": username, "usernamePath": ["data", "mapRoles", 0, "username"],
}]}}}

test_reserved_username_is_reported if {
	some f in deny with input as input_for(false, "eks:support")
	f.path == ["data", "mapRoles", 0, "username"]
	contains(f.msg, "reserved prefix `eks:`")
}

test_node_username_passes if {
	count(deny) == 0 with input as input_for(true, "system:node:{{EC2PrivateDNSName}}")
}

test_own_username_passes if {
	count(deny) == 0 with input as input_for(false, "team-a:{{SessionName}}")
}

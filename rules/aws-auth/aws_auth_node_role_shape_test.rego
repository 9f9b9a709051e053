package blastwall.rules.aws_auth_node_role_shape

input_for(username, groups) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "node": true, "arn": "arn:aws:iam::210987654321:role/node",
	"path": ["data", "mapRoles", 0],
	"username": username, "usernamePath": ["data", "mapRoles", 0, "username"],
	"groups": groups, "groupsPath": ["data", "mapRoles", 0, "groups"],
}]}}}

test_nodes_group_with_wrong_username_is_reported if {
	some f in deny with input as input_for("eks-node", ["system:bootstrappers", "system:nodes"])
	f.path == ["data", "mapRoles", 0, "username"]
	contains(f.msg, "Node authorizer")
}

test_node_username_without_nodes_group_is_reported if {
	some f in deny with input as input_for("system:node:{{EC2PrivateDNSName}}", ["system:bootstrappers"])
	f.path == ["data", "mapRoles", 0, "groups"]
	contains(f.msg, "without the group system:nodes")
}

test_ec2_and_fargate_shapes_pass if {
	count(deny) == 0 with input as input_for("system:node:{{EC2PrivateDNSName}}", ["system:bootstrappers", "system:nodes"])
	count(deny) == 0 with input as input_for("system:node:{{SessionName}}", ["system:bootstrappers", "system:nodes", "system:node-proxier"])
}

package blastwall.rules.aws_auth_reserved_group

input_for(node, group) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "node": node, "arn": "arn:aws:iam::210987654321:role/x",
	"groupItems": [{"value": group, "type": "string", "path": ["data", "mapRoles", 0, "groups", 0]}],
}]}}}

test_system_group_on_a_person_is_reported if {
	some f in deny with input as input_for(false, "system:serviceaccounts")
	contains(f.msg, "reserved group system:serviceaccounts")
}

test_node_groups_on_a_node_pass if {
	count(deny) == 0 with input as input_for(true, "system:nodes")
	count(deny) == 0 with input as input_for(true, "eks:kube-proxy-windows")
}

test_extra_system_group_on_a_node_is_reported if {
	some f in deny with input as input_for(true, "system:authenticated")
	contains(f.msg, "node mapping")
}

test_masters_is_left_to_its_own_rule if {
	count(deny) == 0 with input as input_for(false, "system:masters")
}

test_merged_list_is_left_to_merged_groups if {
	count(deny) == 0 with input as input_for(true, "system:bootstrappers - system:nodes")
}

package blastwall.rules.aws_auth_merged_groups

input_for(value) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true,
	"groupItems": [{"value": value, "type": "string", "path": ["data", "mapRoles", 0, "groups", 0]}],
}]}}}

test_merged_groups_are_reported if {
	some f in deny with input as input_for("system:bootstrappers - system:nodes")
	f.path == ["data", "mapRoles", 0, "groups", 0]
	contains(f.msg, "`system:bootstrappers - system:nodes` contains white space")
}

test_plain_group_passes if {
	count(deny) == 0 with input as input_for("system:nodes")
}

test_template_placeholder_is_left_to_its_own_rule if {
	count(deny) == 0 with input as input_for("{{ .Values.group }}")
}

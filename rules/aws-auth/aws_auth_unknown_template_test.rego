package blastwall.rules.aws_auth_unknown_template

input_for(name) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true,
	"templates": [{"text": sprintf("{{%s}}", [name]), "name": name, "field": "username", "prefix": "x:", "path": ["data", "mapRoles", 0, "username"]}],
}]}}}

test_unknown_template_is_reported if {
	some f in deny with input as input_for("EC2InstanceID")
	contains(f.msg, "`{{EC2InstanceID}}` is not a template")
}

test_wrong_case_is_reported if {
	count(deny) == 1 with input as input_for("sessionName")
}

test_known_template_passes if {
	count(deny) == 0 with input as input_for("SessionName")
}

package blastwall.rules.aws_auth_unquoted_template

input_for(templates) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {"mapRoles": {
	"name": "mapRoles", "present": true,
	"unquotedTemplates": templates,
}}, "entries": []}}}

test_unquoted_template_is_reported if {
	t := {"text": "{{SessionName}}", "path": ["data", "mapRoles", 0, "username"], "line": 2}
	deny == {{
		"msg": "`{{SessionName}}` is not quoted, so YAML reads it as a flow mapping: the strict authenticator parser rejects the whole mapRoles section (every mapping in it, node roles included, is dropped) and the lenient parser reads an empty string here; write \"{{SessionName}}\"",
		"path": ["data", "mapRoles", 0, "username"],
	}} with input as input_for([t])
}

test_no_templates_passes if {
	count(deny) == 0 with input as input_for([])
}

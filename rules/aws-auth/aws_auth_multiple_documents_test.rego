package blastwall.rules.aws_auth_multiple_documents

input_for(docs) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {"mapRoles": {"name": "mapRoles", "present": true, "path": ["data", "mapRoles"], "extraDocuments": docs}}, "entries": []}}}

test_second_document_is_reported if {
	deny == {{
		"msg": "mapRoles holds a second YAML document (from line 6 of the block): the authenticator reads only the first, so every mapping after the `---` is ignored",
		"path": ["data", "mapRoles"],
	}} with input as input_for([{"line": 6}])
}

test_one_document_passes if {
	count(deny) == 0 with input as input_for([])
}

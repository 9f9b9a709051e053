package blastwall.rules.aws_auth_arn_path

input_for(path) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true, "path": ["data", "mapRoles", 0],
	"arnPath": ["data", "mapRoles", 0, "rolearn"],
	"arnParts": {"partition": "aws", "service": "iam", "region": "", "account": "210987654321", "resourceType": "role", "path": path, "name": "team-a"},
}]}}}

test_path_is_reported_with_the_stripped_arn if {
	deny == {{
		"msg": "role ARN has the path `/teams/dev/`: callers' ARNs never carry a path, so this mapping never matches; write arn:aws:iam::210987654321:role/team-a",
		"path": ["data", "mapRoles", 0, "rolearn"],
	}} with input as input_for("/teams/dev/")
}

test_no_path_passes if {
	count(deny) == 0 with input as input_for("/")
}

package blastwall.rules.aws_auth_shared_username

entry(section, i, arn, username) := {"section": section, "index": i, "isMap": true, "arn": arn, "username": username, "usernamePath": ["data", section, i, "username"]}

input_for(entries) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": entries}}}

test_shared_username_is_reported_once if {
	shared := {"sharedUsername": {"arn": "arn:aws:iam::210987654321:role/a", "usernamePath": ["data", "mapRoles", 0, "username"]}}
	fs := deny with input as input_for([
		entry("mapRoles", 0, "arn:aws:iam::210987654321:role/a", "deployer"),
		object.union(entry("mapUsers", 0, "arn:aws:iam::210987654321:user/b", "deployer"), shared),
	])
	count(fs) == 1
	some f in fs
	f.path == ["data", "mapUsers", 0, "username"]
	f.related[0].path == ["data", "mapRoles", 0, "username"]
}

test_templated_usernames_pass if {
	count(deny) == 0 with input as input_for([
		entry("mapRoles", 0, "arn:aws:iam::210987654321:role/a", "system:node:{{EC2PrivateDNSName}}"),
		entry("mapRoles", 1, "arn:aws:iam::210987654321:role/b", "system:node:{{EC2PrivateDNSName}}"),
	])
}

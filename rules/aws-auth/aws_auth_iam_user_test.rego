package blastwall.rules.aws_auth_iam_user

input_for(section, rtype) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": section, "index": 0, "isMap": true, "arn": "arn:aws:iam::210987654321:user/alice",
	"arnPath": ["data", section, 0, "userarn"], "arnParts": {"resourceType": rtype},
}]}}}

test_iam_user_is_reported if {
	some f in deny with input as input_for("mapUsers", "user")
	contains(f.msg, "long-lived access keys")
}

test_role_passes if {
	count(deny) == 0 with input as input_for("mapRoles", "role")
}

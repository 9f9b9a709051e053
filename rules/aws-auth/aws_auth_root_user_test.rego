package blastwall.rules.aws_auth_root_user

input_for(resource) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapUsers", "index": 0, "isMap": true, "arn": sprintf("arn:aws:iam::210987654321:%s", [resource]),
	"arnPath": ["data", "mapUsers", 0, "userarn"],
	"arnParts": {"service": "iam", "account": "210987654321", "resource": resource},
}]}}}

test_root_is_reported if {
	some f in deny with input as input_for("root")
	f.path == ["data", "mapUsers", 0, "userarn"]
}

test_user_passes if {
	count(deny) == 0 with input as input_for("user/alice")
}

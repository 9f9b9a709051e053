package blastwall.rules.aws_auth_invalid_arn

parts(p) := object.union({"partition": "aws", "service": "iam", "region": "", "account": "210987654321", "resourceType": "role", "path": "/", "name": "x"}, p)

base(section, arn) := {
	"section": section, "index": 0, "isMap": true, "path": ["data", section, 0],
	"arn": arn, "arnPath": ["data", section, 0, "rolearn"],
}

# The facts leave arnParts out when the text is not an ARN.
entry(section, arn, p) := base(section, arn) if p == null

else := object.union(base(section, arn), {"arnParts": p})

input_for(section, arn, p) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [entry(section, arn, p)]}}}

msgs(section, arn, p) := ms if {
	fs := deny with input as input_for(section, arn, p)
	ms := {f.msg | some f in fs}
}

test_valid_role_passes if {
	count(msgs("mapRoles", "arn:aws:iam::210987654321:role/x", parts({}))) == 0
}

test_instance_profile_is_reported if {
	some m in msgs("mapRoles", "arn:aws:iam::210987654321:instance-profile/x", parts({"resourceType": "instance-profile"}))
	contains(m, "is an IAM instance-profile, not a principal")
}

test_assumed_role_is_reported if {
	some m in msgs("mapRoles", "arn:aws:sts::210987654321:assumed-role/x/s", parts({"service": "sts", "resourceType": "assumed-role"}))
	contains(m, "STS session ARN")
}

test_bad_partition_and_account_are_reported if {
	ms := msgs("mapRoles", "arn:aws-us-govt:iam::2109:role/x", parts({"partition": "aws-us-govt", "account": "2109"}))
	some m1 in ms
	contains(m1, "`aws-us-govt` is not an AWS partition")
	some m2 in ms
	contains(m2, "account `2109` is not 12 digits")
}

test_not_an_arn_is_reported if {
	some m in msgs("mapRoles", "team-a", null)
	contains(m, "`team-a` is not an ARN")
}

test_role_in_map_users_is_reported if {
	some m in msgs("mapUsers", "arn:aws:iam::210987654321:role/x", parts({}))
	contains(m, "IAM role in mapUsers")
}

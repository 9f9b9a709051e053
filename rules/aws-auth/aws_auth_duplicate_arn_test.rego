package blastwall.rules.aws_auth_duplicate_arn

entry(i, arn) := {"section": "mapRoles", "index": i, "isMap": true, "arn": arn, "arnPath": ["data", "mapRoles", i, "rolearn"]}

input_for(entries) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": entries}}}

test_duplicate_is_reported_at_the_later_entry if {
	later := object.union(entry(2, "arn:aws:iam::210987654321:role/a"), {"duplicateOf": {"index": 0, "arnPath": ["data", "mapRoles", 0, "rolearn"]}})
	fs := deny with input as input_for([entry(0, "arn:aws:iam::210987654321:role/A"), later])
	count(fs) == 1
	some f in fs
	f.path == ["data", "mapRoles", 2, "rolearn"]
	f.related[0].path == ["data", "mapRoles", 0, "rolearn"]
	contains(f.msg, "entries 0 and 2")
}

test_distinct_arns_pass if {
	count(deny) == 0 with input as input_for([entry(0, "arn:aws:iam::210987654321:role/a"), entry(1, "arn:aws:iam::210987654321:role/b")])
}

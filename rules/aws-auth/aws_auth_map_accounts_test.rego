package blastwall.rules.aws_auth_map_accounts

input_for(value) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"entries": [], "sections": {"mapAccounts": {
	"name": "mapAccounts", "present": true,
	"accounts": [{"value": value, "type": "string", "path": ["data", "mapAccounts", 0]}],
}}}}}

test_account_is_reported if {
	deny == {{
		"msg": "mapAccounts admits account 210987654321: every IAM user and role in it authenticates (as its ARN, with no groups) and gets everything bound to system:authenticated; map the roles you mean in mapRoles instead",
		"path": ["data", "mapAccounts", 0],
	}} with input as input_for("210987654321")
}

test_merged_accounts_are_reported if {
	some f in deny with input as input_for("210987654321 - 123456789013")
	contains(f.msg, "not a 12-digit account id")
}

test_no_accounts_pass if {
	count(deny) == 0 with input as {"review": {}, "facts": {"awsAuth": {"entries": [], "sections": {"mapAccounts": {"name": "mapAccounts", "present": true, "accounts": []}}}}}
}

package blastwall.rules.access_entry_invalid_principal

import data.blastwall.lib.access_entries as ae

test_session_and_sso_without_path_are_reported if {
	some f in deny with input as ae.input_with([ae.entry({"principal": {"kind": "assumed-role"}, "principalArnPath": ["p"]})], [], [])
	contains(f.msg, "STS session")
	some g in deny with input as ae.input_with([ae.entry({"principal": {"kind": "role", "ssoWithoutPath": true, "account": "1", "name": "AWSReservedSSO_X"}, "principalArnPath": ["p"]})], [], [])
	contains(g.msg, "aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_X")
}

test_role_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"principal": {"kind": "role", "ssoWithoutPath": false}, "principalArnPath": ["p"]})], [], [])
}

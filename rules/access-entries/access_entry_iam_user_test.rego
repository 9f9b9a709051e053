package blastwall.rules.access_entry_iam_user

import data.blastwall.lib.access_entries as ae

test_user_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"principal": {"kind": "user"}, "principalArnPath": ["p"]})], [], [])
	contains(f.msg, "long-lived access keys")
}

test_role_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"principal": {"kind": "role"}, "principalArnPath": ["p"]})], [], [])
}

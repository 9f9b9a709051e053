package blastwall.rules.access_entry_reserved_username

import data.blastwall.lib.access_entries as ae

test_reserved_prefix_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"username": "eks:x", "usernamePath": ["u"], "usernameReservedPrefix": "eks:"})], [], [])
	contains(f.msg, "EKS rejects usernames starting with eks:")
}

test_own_prefix_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"username": "team:{{SessionName}}", "usernamePath": ["u"]})], [], [])
}

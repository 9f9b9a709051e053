package blastwall.rules.access_entry_static_username

import data.blastwall.lib.access_entries as ae

test_static_username_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"username": "deployer", "usernamePath": ["u"], "staticUsername": true})], [], [])
	contains(f.msg, "fixed username deployer")
}

test_session_username_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"username": "d:{{SessionName}}", "usernamePath": ["u"]})], [], [])
}

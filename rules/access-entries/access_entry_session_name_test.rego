package blastwall.rules.access_entry_session_name

import data.blastwall.lib.access_entries as ae

test_missing_colon_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"username": "x{{SessionName}}", "usernamePath": ["u"], "sessionNameWithoutColon": true})], [], [])
	contains(f.msg, "without a ':'")
}

test_colon_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"username": "x:{{SessionName}}", "usernamePath": ["u"]})], [], [])
}

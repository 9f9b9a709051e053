package blastwall.rules.access_entry_unknown_field

import data.blastwall.lib.access_entries as ae

test_unknown_key_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"unknownKeys": [{"key": "username", "path": ["k"]}]})], [], [])
	contains(f.msg, "key `username`")
}

test_known_keys_pass if {
	count(deny) == 0 with input as ae.input_with([ae.entry({})], [], [])
}

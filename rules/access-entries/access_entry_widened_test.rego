package blastwall.rules.access_entry_widened

import data.blastwall.lib.access_entries as ae

test_added_group_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"widened": [{"what": "group x is added", "path": ["g"]}]})], [], [])
	contains(f.msg, "group x is added")
}

test_unchanged_entry_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({})], [], [])
}

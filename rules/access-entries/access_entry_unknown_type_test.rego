package blastwall.rules.access_entry_unknown_type

import data.blastwall.lib.access_entries as ae

test_wrong_case_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"type": "Standard", "typeProblem": "case"})], [], [])
	contains(f.msg, "write STANDARD")
}

test_known_type_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"type": "EC2_LINUX"})], [], [])
}

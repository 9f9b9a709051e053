package blastwall.rules.access_entry_duplicate_principal

import data.blastwall.lib.access_entries as ae

test_duplicate_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"principalArnPath": ["p"], "duplicateOf": {"path": ["e", 0], "who": "x"}})], [], [])
	f.related[0].path == ["e", 0]
}

test_single_entry_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({})], [], [])
}

test_duplicate_in_another_document_is_reported_with_its_place if {
	some f in deny with input as ae.input_with([ae.entry({"principalArnPath": ["p"], "duplicateElsewhere": {"at": "ack.yaml:9:20", "who": "role y"}})], [], [])
	contains(f.msg, "ack.yaml:9:20")
	f.path == ["p"]
}

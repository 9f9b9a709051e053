package blastwall.rules.access_entry_reserved_group

import data.blastwall.lib.access_entries as ae

test_system_group_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"groups": [{"value": "system:masters", "path": ["g"], "reserved": true}]})], [], [])
	contains(f.msg, "EKS rejects groups starting with system:")
}

test_own_group_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"groups": [{"value": "team:dev", "path": ["g"], "reserved": false}]})], [], [])
}

package blastwall.rules.access_entry_undeclared_group

import data.blastwall.lib.access_entries as ae

test_undeclared_group_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"tenancy": {"declared": true}, "groups": [{"value": "x", "path": ["g"], "reserved": false}]})], [], [])
	contains(f.msg, "group x")
}

test_product_group_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"tenancy": {"declared": true}, "groups": [{"value": "x", "path": ["g"], "reserved": false, "owner": {"product": "p", "via": "v"}}]})], [], [])
}

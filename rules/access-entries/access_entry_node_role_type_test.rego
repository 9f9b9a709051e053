package blastwall.rules.access_entry_node_role_type

import data.blastwall.lib.access_entries as ae

test_standard_node_role_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"typePath": ["t"], "tenancy": {"nodeRole": "nodeRoles: x"}})], [], [])
	contains(f.msg, "cannot join")
}

test_node_type_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"type": "EC2_LINUX", "nodeType": true, "tenancy": {"nodeRole": "nodeRoles: x"}})], [], [])
}

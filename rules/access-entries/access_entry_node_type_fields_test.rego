package blastwall.rules.access_entry_node_type_fields

import data.blastwall.lib.access_entries as ae

test_groups_and_policies_on_nodes_are_reported if {
	fs := deny with input as ae.input_with([ae.entry({"type": "EC2_LINUX", "nodeType": true, "policiesAllowed": false, "groups": [{"value": "system:nodes", "path": ["g", 0]}], "groupsPath": ["g"], "policies": [ae.policy({"arnPath": ["a"]})]})], [], [])
	count(fs) == 2
}

test_standard_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"groups": [{"value": "x", "path": ["g", 0]}], "groupsPath": ["g"], "policies": [ae.policy({"arnPath": ["a"]})]})], [], [])
}

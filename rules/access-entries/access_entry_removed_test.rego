package blastwall.rules.access_entry_removed

import data.blastwall.lib.access_entries as ae

with_change(change) := object.union(ae.input_with([], [], []), {"facts": {"accessConfigChange": change}})

test_removed_node_role_is_reported if {
	some f in deny with input as with_change({"modes": [], "removed": [{"who": "role x", "path": ["e"], "nodeRole": "nodeRoles: x"}], "adminsBefore": 0, "adminsAfter": 0})
	contains(f.msg, "can no longer join")
}

test_last_admin_is_reported_but_not_one_of_two if {
	some f in deny with input as with_change({"modes": [], "removed": [{"who": "role a", "path": ["e"], "admin": "admins.iamRoles: a"}], "adminsBefore": 1, "adminsAfter": 0})
	contains(f.msg, "locked out")
	count(deny) == 0 with input as with_change({"modes": [], "removed": [{"who": "role a", "path": ["e"], "admin": "admins.iamRoles: a"}], "adminsBefore": 2, "adminsAfter": 1})
}

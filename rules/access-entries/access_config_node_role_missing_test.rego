package blastwall.rules.access_config_node_role_missing

import data.blastwall.lib.access_entries as ae

test_missing_node_role_is_reported if {
	some f in deny with input as ae.input_with([], [ae.cluster({"nodeRolesMissing": [{"role": "arn:aws:iam::1:role/node-*", "via": "nodeRoles: arn:aws:iam::1:role/node-*"}]})], [])
	contains(f.msg, "node role arn:aws:iam::1:role/node-*")
}

test_mapped_node_roles_pass if {
	count(deny) == 0 with input as ae.input_with([], [ae.cluster({"nodeRolesMissing": []})], [])
}

package blastwall.rules.access_entry_undeclared_principal

import data.blastwall.lib.access_entries as ae

test_undeclared_role_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"principal": {"kind": "role"}, "principalArnPath": ["p"], "tenancy": {"declared": false}})], [], [])
	contains(f.msg, "declared by no product")
}

test_declared_role_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"principal": {"kind": "role"}, "principalArnPath": ["p"], "tenancy": {"declared": true}})], [], [])
}

package blastwall.rules.access_entry_cross_product_group

import data.blastwall.lib.access_entries as ae

test_other_products_group_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"tenancy": {"product": {"product": "payments", "via": "v"}}, "groups": [{"value": "checkout-dev", "path": ["g"], "owner": {"product": "checkout", "via": "w"}}]})], [], [])
	contains(f.msg, "of product checkout")
}

test_own_group_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"tenancy": {"product": {"product": "payments", "via": "v"}}, "groups": [{"value": "payments-dev", "path": ["g"], "owner": {"product": "payments", "via": "w"}}]})], [], [])
}

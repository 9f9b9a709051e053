package blastwall.rules.access_entry_cross_product_principal

import data.blastwall.lib.access_entries as ae

test_other_products_principal_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"cluster": "payments-prod", "principalArnPath": ["p"], "tenancy": {"product": {"product": "checkout", "via": "v"}, "clusterProduct": {"product": "payments", "via": "w"}}})], [], [])
	contains(f.msg, "of product payments")
}

test_own_cluster_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"cluster": "payments-prod", "principalArnPath": ["p"], "tenancy": {"product": {"product": "payments", "via": "v"}, "clusterProduct": {"product": "payments", "via": "w"}}})], [], [])
}

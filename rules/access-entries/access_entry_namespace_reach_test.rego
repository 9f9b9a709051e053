package blastwall.rules.access_entry_namespace_reach

import data.blastwall.lib.access_entries as ae

test_system_and_cross_product_reach_are_reported if {
	fs := deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"name": "AmazonEKSAdminPolicy", "scope": {"path": ["s"], "type": "namespace", "namespaces": [{"value": "*", "path": ["n"], "reaches": [{"shared": true, "via": "sharedNamespaces: kube-system"}, {"shared": false, "product": "billing", "via": "namespaces: billing-*"}]}]}})]})], [], [])
	count(fs) == 2
}

test_own_namespaces_pass if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"policies": [ae.policy({"scope": {"path": ["s"], "type": "namespace", "namespaces": [{"value": "payments-api", "path": ["n"], "reaches": []}]}})]})], [], [])
}

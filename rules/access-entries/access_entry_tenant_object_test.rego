package blastwall.rules.access_entry_tenant_object

import data.blastwall.lib.access_entries as ae

test_object_in_a_product_namespace_is_reported if {
	fs := deny with input as object.union(ae.input_with([ae.entry({"cluster": "payments-prod", "clusterPath": ["c"], "tenancy": {"clusterProduct": {"product": "payments", "via": "v"}}})], [], []), {"review": {"kind": {"kind": "AccessEntry"}}, "facts": {"tenancy": {"namespace": "team-x", "product": {"product": "checkout", "via": "w"}}}})
	count(fs) == 2
}

test_platform_namespace_passes if {
	count(deny) == 0 with input as object.union(ae.input_with([ae.entry({})], [], []), {"review": {"kind": {"kind": "AccessEntry"}}, "facts": {"tenancy": {"namespace": "platform-eks"}}})
}

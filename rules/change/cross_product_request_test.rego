package blastwall.rules.cross_product_request_test

import data.blastwall.rules.cross_product_request as rule

requester(products, admin) := {"username": "alice", "products": products, "admin": admin, "system": false}

cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "billing"}}

inp(op, object, old, products, admin, tenancy, change) := {
	"review": {"operation": op, "object": object, "oldObject": old},
	"facts": {"change": object.union({"requester": requester(products, admin)}, change), "tenancy": tenancy},
}

billing := {"namespace": "billing", "product": {"product": "billing", "via": "namespaces: billing"}}

test_create_in_another_products_namespace_is_denied if {
	expected := {{"msg": "alice (products: payroll) creates ConfigMap billing/settings in namespace billing, which belongs to product billing (namespaces: billing)", "path": []}}
	rule.deny == expected with input as inp("CREATE", cm, null, ["payroll"], false, billing, {})
}

test_delete_in_another_products_namespace_is_denied if {
	some f in rule.deny with input as inp("DELETE", null, cm, ["payroll"], false, billing, {})
	startswith(f.msg, "alice (products: payroll) deletes ConfigMap billing/settings")
}

test_own_namespace_admins_and_productless_requesters_are_fine if {
	count(rule.deny) == 0 with input as inp("CREATE", cm, null, ["billing"], false, billing, {})
	count(rule.deny) == 0 with input as inp("CREATE", cm, null, ["payroll"], true, billing, {})
	count(rule.deny) == 0 with input as inp("CREATE", cm, null, [], false, billing, {})
	count(rule.deny) == 0 with input as inp("CREATE", cm, null, ["payroll"], false, {"namespace": "kube-system", "shared": true}, {})
}

test_taking_a_namespace_from_another_product_is_denied if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "jobs"}}
	tenancy := {"namespace": "jobs", "product": {"product": "payroll", "via": "label"}}
	facts := {"namespace": {"name": "jobs", "oldOwner": {"product": "billing", "via": "label blastwall.dev/product on Namespace jobs"}}}
	expected := {{"msg": "alice (products: payroll) changes Namespace jobs, which belonged to product billing (label blastwall.dev/product on Namespace jobs) before this change", "path": []}}
	rule.deny == expected with input as inp("UPDATE", ns, ns, ["payroll"], false, tenancy, facts)
}

role(labels) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader", "labels": labels}}

test_cluster_scoped_objects_need_the_requesters_label if {
	expected := {{"msg": "alice (products: payroll) creates ClusterRole reader, a cluster-scoped object that no blastwall.dev/product label gives to one of the requester's products", "path": []}}
	rule.deny == expected with input as inp("CREATE", role({}), null, ["payroll"], false, {}, {})
	count(rule.deny) == 0 with input as inp("CREATE", role({"blastwall.dev/product": "payroll"}), null, ["payroll"], false, {}, {})
	some f in rule.deny with input as inp("UPDATE", role({"blastwall.dev/product": "payroll"}), role({"blastwall.dev/product": "billing"}), ["payroll"], false, {}, {})
	f.msg == "alice (products: payroll) changes ClusterRole reader, a cluster-scoped object of product billing (label blastwall.dev/product)"
}

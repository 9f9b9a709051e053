package blastwall.rules.cross_product_service_reference

facts := {"tenancy": {
	"namespace": "payroll-api",
	"product": {"product": "payroll", "via": "namespaces: payroll-*"},
	"owners": {"namespaces": {
		"billing": {"product": "billing", "via": "namespaces: billing"},
		"payroll-batch": {"product": "payroll", "via": "namespaces: payroll-*"},
	}},
}}

review(obj) := {"review": {"object": obj}, "facts": facts}

external(name) := review({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "payroll-api"}, "spec": {"type": "ExternalName", "externalName": name}})

netpol(from) := review({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "x", "namespace": "payroll-api"}, "spec": {"ingress": [{"from": from}]}})

test_external_name_into_another_product_is_denied if {
	deny == {{
		"msg": "Service resolves into another product's namespace: namespace payroll-api belongs to product payroll (namespaces: payroll-*); namespace billing belongs to product billing (namespaces: billing)",
		"path": ["spec", "externalName"],
	}} with input as external("ledger.billing.svc.cluster.local")
}

test_external_names_outside_the_cluster_are_allowed if {
	count(deny) == 0 with input as external("api.billing.example.com")
	count(deny) == 0 with input as external("ledger.payroll-batch.svc")
}

test_route_backend_in_another_product_is_denied if {
	route := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "payroll-api"}, "spec": {"rules": [{"backendRefs": [{"name": "ledger", "namespace": "billing", "port": 80}]}]}}
	some f in deny with input as review(route)
	f.path == ["spec", "rules", 0, "backendRefs", 0, "namespace"]
}

test_network_policy_from_all_namespaces_is_denied if {
	some f in deny with input as netpol([{"namespaceSelector": {}}])
	f.path == ["spec", "ingress", 0, "from", 0, "namespaceSelector"]
}

test_network_policy_from_another_product_is_denied if {
	some f in deny with input as netpol([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "billing"}}}])
	f.path == ["spec", "ingress", 0, "from", 0, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"]
	some g in deny with input as netpol([{"namespaceSelector": {"matchLabels": {"blastwall.dev/product": "billing"}}}])
	g.path == ["spec", "ingress", 0, "from", 0, "namespaceSelector", "matchLabels", "blastwall.dev/product"]
}

test_network_policy_within_the_product_is_allowed if {
	count(deny) == 0 with input as netpol([{"namespaceSelector": {"matchLabels": {"blastwall.dev/product": "payroll"}}}, {"podSelector": {}}])
}

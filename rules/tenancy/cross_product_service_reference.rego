package blastwall.rules.cross_product_service_reference

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-service-reference",
	"title": "Traffic routed to or admitted from another product",
	"severity": "error",
	"category": "tenancy",
	"kinds": {"Service", "NetworkPolicy"} | route_kinds,
	"description": "Flags an ExternalName Service that resolves to a Service in another product's namespace, a Gateway API route (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute) whose backendRefs point into another product's namespace, and a NetworkPolicy that admits traffic from another product's namespaces or from all namespaces. Ingress backends always live in the Ingress's own namespace, so an Ingress crosses products only through such an ExternalName Service. Each of these opens a path between blast radii that nobody reviewed as such.",
	"remediation": "Talk to another product through an interface it publishes (its own ingress or API), and admit traffic only from the product's own namespaces or from shared ones (sharedNamespaces in the config).",
	"example": {
		"bad": "apiVersion: v1\nkind: Service\nmetadata:\n  name: ledger\n  namespace: payroll-api\nspec:\n  type: ExternalName\n  externalName: ledger.billing.svc.cluster.local\n",
		"good": "apiVersion: v1\nkind: Service\nmetadata:\n  name: ledger\n  namespace: payroll-api\nspec:\n  type: ExternalName\n  externalName: ledger.payroll-batch.svc.cluster.local\n",
	},
}

# Each body first checks the kind it judges, on the object itself: a review of
# another kind (a ClusterIP Service) costs a comparison per body and no call. Only
# the namespaces' owners are read (input.facts.tenancy.owners.namespaces), so only
# they are computed.

crosses(ns) := owner if {
	owner := input.facts.tenancy.owners.namespaces[ns]
	owner.product != t.target.product
}

says_ns(ns, owner) := t.belongs(sprintf("namespace %s", [ns]), owner)

deny contains {"msg": msg, "path": ["spec", "externalName"]} if {
	input.review.object.kind == "Service"
	input.review.object.spec.type == "ExternalName"
	parts := split(input.review.object.spec.externalName, ".")
	in_cluster(parts)
	owner := crosses(parts[1])
	msg := sprintf("Service resolves into another product's namespace: %s; %s", [t.target_says, says_ns(parts[1], owner)])
}

# `svc.ns` or `svc.ns.svc[.cluster.local]`: a Service of this cluster.
in_cluster(parts) if count(parts) == 2

in_cluster(parts) if parts[2] == "svc"

route_kinds := {"HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"}

deny contains {"msg": msg, "path": ["spec", "rules", i, "backendRefs", j, "namespace"]} if {
	input.review.object.kind != "Service"
	input.review.object.kind in route_kinds
	startswith(input.review.object.apiVersion, "gateway.networking.k8s.io/")
	some i, rule in t.array_at(t.obj.spec.rules)
	is_object(rule)
	some j, ref in t.array_at(rule.backendRefs)
	is_object(ref)
	owner := crosses(ref.namespace)
	msg := sprintf("route sends traffic into another product's namespace: %s; %s", [t.target_says, says_ns(ref.namespace, owner)])
}

# [path, namespaceSelector] of each ingress peer.
selectors contains [["spec", "ingress", i, "from", j, "namespaceSelector"], peer.namespaceSelector] if {
	t.obj.kind == "NetworkPolicy"
	some i, rule in t.array_at(t.obj.spec.ingress)
	is_object(rule)
	some j, peer in t.array_at(rule.from)
	is_object(peer)
	is_object(peer.namespaceSelector)
}

deny contains {"msg": msg, "path": sel[0]} if {
	input.review.object.kind == "NetworkPolicy"
	t.target
	some sel in selectors
	count(object.get(sel[1], "matchLabels", {})) == 0
	count(object.get(sel[1], "matchExpressions", [])) == 0
	msg := sprintf("NetworkPolicy admits traffic from all namespaces, other products' included: %s; select the namespaces of product %s or shared ones", [t.target_says, t.target.product])
}

name_label := "kubernetes.io/metadata.name"

deny contains {"msg": msg, "path": array.concat(sel[0], ["matchLabels", name_label])} if {
	input.review.object.kind == "NetworkPolicy"
	some sel in selectors
	ns := sel[1].matchLabels[name_label]
	owner := crosses(ns)
	msg := sprintf("NetworkPolicy admits traffic from another product: %s; %s", [t.target_says, says_ns(ns, owner)])
}

deny contains {"msg": msg, "path": array.concat(sel[0], ["matchExpressions", k, "values", m])} if {
	input.review.object.kind == "NetworkPolicy"
	some sel in selectors
	some k, expr in t.array_at(sel[1].matchExpressions)
	is_object(expr)
	expr.key == name_label
	expr.operator == "In"
	some m, ns in t.array_at(expr.values)
	owner := crosses(ns)
	msg := sprintf("NetworkPolicy admits traffic from another product: %s; %s", [t.target_says, says_ns(ns, owner)])
}

deny contains {"msg": msg, "path": array.concat(sel[0], ["matchLabels", "blastwall.dev/product"])} if {
	input.review.object.kind == "NetworkPolicy"
	t.target
	some sel in selectors
	product := sel[1].matchLabels["blastwall.dev/product"]
	product != t.target.product
	msg := sprintf("NetworkPolicy admits traffic from another product: %s; the selector picks namespaces labelled blastwall.dev/product=%s", [t.target_says, product])
}

package blastwall.rules.cross_product_request

import data.blastwall.lib.change

metadata := {
	"id": "cross-product-request",
	"title": "Request into another product's namespace or objects",
	"severity": "error",
	"category": "change",
	"match": {"operations": ["CREATE", "UPDATE", "DELETE"], "facts": ["change.requester.products"]},
	"description": "Fires when a requester who acts for one or more products (its groups, user name, IAM role or ServiceAccount namespace; see the config) creates, changes or deletes an object in a namespace that belongs to another product, changes a Namespace that belonged to another product, or touches a cluster-scoped object (ClusterRole, StorageClass, CRD, …) that is not labelled `blastwall.dev/product` with one of its own products. RBAC mistakes happen; this is the second wall that keeps one team's credentials from reaching another team's objects. Admins and EKS system identities are let through; requesters of no product, shared namespaces and unowned namespaces are left to RBAC and unowned-namespace. Needs a config.",
	"remediation": "Make changes to another product's objects through that product's own pipeline or people, or through an admin. Label the cluster-scoped objects a product manages with `blastwall.dev/product: <product>`.",
	"example": {
		"bad": "# kubectl apply by a payroll developer (groups [payroll:devs]):\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: billing}\ndata: {mode: fast}\n",
		"good": "# the same developer, in a payroll namespace:\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: payroll-api}\ndata: {mode: fast}\n",
	},
}

verbs := {"CREATE": "creates", "UPDATE": "changes", "DELETE": "deletes"}

# The requester's products are read from the facts directly, and first: a review by
# a requester of no product (system identities, which create most Pods) then never
# evaluates the `change` library, which through the import would be evaluated whole.
acting contains verb if {
	count(input.facts.change.requester.products) > 0
	verb := verbs[change.op]
	not change.privileged
}

# The target namespace's owner is not one of the requester's products.
deny contains {"msg": msg, "path": []} if {
	some verb in acting
	owner := input.facts.tenancy.product
	is_string(owner.product)
	not owner.product in change.requester.products
	msg := sprintf("%s %s %s in namespace %s, which belongs to product %s (%s)", [change.who, verb, change.describe(change.subject), input.facts.tenancy.namespace, owner.product, owner.via])
}

# A Namespace that belonged to another product before the change.
deny contains {"msg": msg, "path": []} if {
	some verb in acting
	owner := change.facts.namespace.oldOwner
	not owner.product in change.requester.products
	owner.product != input.facts.tenancy.product.product
	msg := sprintf("%s %s Namespace %s, which belonged to product %s (%s) before this change", [change.who, verb, change.facts.namespace.name, owner.product, owner.via])
}

product_label := "blastwall.dev/product"

# Cluster-scoped objects other than Namespaces: owned through their own label.
deny contains {"msg": msg, "path": []} if {
	some verb in acting
	kind := change.kind(change.subject)
	kind != "Namespace"
	kind in change.cluster_scoped_kinds
	some o in [change.new, change.old]
	is_object(o)
	not change.label(o, product_label) in change.requester.products
	msg := sprintf("%s %s %s, a cluster-scoped object %s", [change.who, verb, change.describe(o), labelled(o)])
}

labelled(o) := sprintf("of product %s (label %s)", [p, product_label]) if {
	p := change.label(o, product_label)
	p != ""
} else := sprintf("that no %s label gives to one of the requester's products", [product_label])

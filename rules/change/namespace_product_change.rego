package blastwall.rules.namespace_product_change

import data.blastwall.lib.change

metadata := {
	"id": "namespace-product-change",
	"title": "Namespace moved to another product by a non-admin",
	"severity": "error",
	"category": "change",
	"kinds": ["Namespace"],
	"match": {"operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of a Namespace that changes or removes its `blastwall.dev/product` label, made by a requester who is neither a configured admin nor an EKS system identity. The label decides which product owns the namespace and everything in it: a team that relabels a namespace hands itself (or takes away from another team) every workload, secret and binding inside, and every tenancy rule then judges them by the new owner.",
	"remediation": "Ask an admin to move a namespace between products; a product team may add the label to a namespace that has none.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: billing-jobs\n  labels: {blastwall.dev/product: billing}\n---\n# after, by a payroll developer\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: billing-jobs\n  labels: {blastwall.dev/product: payroll}\n",
		"good": "# after: other labels change, the product stays\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: billing-jobs\n  labels: {blastwall.dev/product: billing, team: close}\n",
	},
}

product_label := "blastwall.dev/product"

# ", which gives it to product payroll (namespaces: payroll-*)" when the config knows.
new_owner_says := sprintf(", which gives it to product %s (%s)", [o.product, o.via]) if {
	o := change.facts.namespace.newOwner
} else := ", which leaves it to no product"

deny contains {"msg": msg, "path": ["metadata", "labels", product_label]} if {
	change.op == "UPDATE"
	change.has_old
	change.new.kind == "Namespace"
	not change.privileged
	before := change.label(change.old, product_label)
	after := change.label(change.new, product_label)
	before != ""
	after != ""
	before != after
	msg := sprintf("label %s of Namespace %s changed from %s to %s by %s, who is not an admin: every object in the namespace moves from product %s to product %s", [product_label, change.name(change.new), before, after, change.who, before, after])
}

deny contains {"msg": msg, "path": ["metadata"]} if {
	change.op == "UPDATE"
	change.has_old
	change.new.kind == "Namespace"
	not change.privileged
	before := change.label(change.old, product_label)
	before != ""
	change.label(change.new, product_label) == ""
	msg := sprintf("label %s of Namespace %s removed by %s, who is not an admin (it was %s)%s", [product_label, change.name(change.new), change.who, before, new_owner_says])
}

package blastwall.rules.namespace_delete

import data.blastwall.lib.change

metadata := {
	"id": "namespace-delete",
	"title": "Deleting a product's Namespace without prior approval",
	"severity": "error",
	"category": "change",
	"kinds": ["Namespace"],
	"match": {"operations": ["DELETE"]},
	"description": "Fires on DELETE of a Namespace that belongs to a product (its `blastwall.dev/product` label, or the config's namespace globs) unless the live Namespace already carries the annotation `blastwall.dev/allow-delete: \"true\"`. Deleting a namespace deletes every object in it — workloads, Secrets, PersistentVolumeClaims and with them, depending on the reclaim policy, the data — and cannot be undone. Requiring the annotation first makes the delete a two-step, deliberate act.",
	"remediation": "Annotate the Namespace first (`kubectl annotate namespace <name> blastwall.dev/allow-delete=true`), check what it holds, then delete it.",
	"example": {
		"bad": "# kubectl delete namespace payroll-api, with the live object:\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: payroll-api\n  labels: {blastwall.dev/product: payroll}\n",
		"good": "# the live object was annotated first:\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: payroll-api\n  labels: {blastwall.dev/product: payroll}\n  annotations: {blastwall.dev/allow-delete: \"true\"}\n",
	},
}

# The owner and why: the label on the live object, else the tenancy facts.
owner := sprintf("product %s (label blastwall.dev/product)", [p]) if {
	p := change.label(change.old, "blastwall.dev/product")
	p != ""
} else := sprintf("product %s (%s)", [o.product, o.via]) if {
	o := input.facts.tenancy.product
	is_string(o.product)
}

deny contains {"msg": msg, "path": []} if {
	change.op == "DELETE"
	change.has_old
	change.old.kind == "Namespace"
	not change.delete_allowed(change.old)
	msg := sprintf("deleting Namespace %s (requested by %s) deletes every object in it, and it belongs to %s; annotate the live Namespace with blastwall.dev/allow-delete: \"true\" first", [change.name(change.old), change.who, owner])
}

package blastwall.rules.unowned_namespace

metadata := {
	"id": "unowned-namespace",
	"title": "Object in a namespace no product owns",
	"severity": "warning",
	"category": "tenancy",
	"match": {"operations": ["CREATE", "UPDATE", "DELETE"], "facts": ["tenancy.unowned"]},
	"description": "Flags an object whose namespace belongs to no product: its Namespace carries no blastwall.dev/product label (in the linted files, or in the cluster for the webhook), no product's namespaces glob matches it, and it is not one of sharedNamespaces. Cross-product rules cannot protect what no product owns.",
	"remediation": "Label the Namespace with blastwall.dev/product: <product>, add the namespace to a product's namespaces in the config, or list it under sharedNamespaces if the platform owns it.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: scratch\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: payroll-api\n",
	},
}

path := ["metadata", "name"] if input.review.object.kind == "Namespace"

else := ["metadata", "namespace"]

deny contains {"msg": msg, "path": path} if {
	input.review.object.kind
	# CONNECT (exec, attach, port-forward) carries options, not an object in the namespace.
	not input.review.operation == "CONNECT"
	ns := input.facts.tenancy.namespace
	not input.facts.tenancy.product
	not input.facts.tenancy.shared
	msg := sprintf("namespace %s belongs to no product: no Namespace labels it blastwall.dev/product, no product's namespaces glob matches it, and sharedNamespaces does not list it", [ns])
}

package blastwall.rules.cross_product_exec

import data.blastwall.lib.change

metadata := {
	"id": "cross-product-exec",
	"title": "exec, attach or port-forward into another product's pod",
	"severity": "error",
	"category": "change",
	"match": {"operations": ["CONNECT"], "facts": ["change.requester.products", "tenancy.product"]},
	"description": "Fires on CONNECT to pods/exec, pods/attach or pods/portforward by a requester who acts for one or more products (its groups, user name, IAM role or ServiceAccount namespace; see the config) into a pod whose namespace belongs to a product it does not act for. A shell in another product's pod reads its Secrets, tokens and data and acts with its identity, whatever RBAC was meant to allow. Admins and EKS system identities are let through; requesters of no product are left to RBAC. Needs a config.",
	"remediation": "Let each product's people exec only into their own namespaces; for support across products, have an admin do it or grant it through a break-glass role listed under admins.",
	"example": {
		"bad": "# kubectl exec -n billing close-books-0 -- sh, by a payroll developer:\napiVersion: v1\nkind: PodExecOptions\ncommand: [sh]\nstdin: true\ntty: true\n",
		"good": "# kubectl exec -n payroll-api api-0 -- sh, by the same developer:\napiVersion: v1\nkind: PodExecOptions\ncommand: [sh]\nstdin: true\ntty: true\n",
	},
}

subresources := {"exec": "exec", "attach": "attach", "portforward": "port-forward"}

deny contains {"msg": msg, "path": []} if {
	# Read directly (it is change.op): other operations never evaluate the library.
	input.review.operation == "CONNECT"
	change.review.resource.resource == "pods"
	action := subresources[change.review.subResource]
	not change.privileged
	count(change.requester.products) > 0
	owner := input.facts.tenancy.product
	not owner.product in change.requester.products
	msg := sprintf("%s by %s into pod %s/%s, in namespace %s, which belongs to product %s (%s)", [action, change.who, change.text(change.review.namespace), change.text(change.review.name), input.facts.tenancy.namespace, owner.product, owner.via])
}

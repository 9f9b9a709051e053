package blastwall.rules.cross_product_image

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-image",
	"title": "Image from another product's registry",
	"severity": "error",
	"category": "tenancy",
	"match": {"facts": ["workload"]},
	"description": "Flags a container image pulled from a registry path another product owns (error), and, as a warning, an image from a registry that neither a product nor sharedRegistries in the config allows. Running another product's images couples release trains and may hand its build secrets to the wrong product; an unknown registry is an unreviewed supply chain.",
	"remediation": "Pull from the product's own registry path (products.<name>.registries) or from a shared one (sharedRegistries).",
	"example": {
		"bad": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  containers:\n  - name: api\n    image: 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/ledger:1.4.0\n",
		"good": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  containers:\n  - name: api\n    image: 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:2.1.0\n",
	},
}

deny contains {"msg": msg, "path": array.concat(c.path, ["image"])} if {
	some c in input.facts.workload.containers
	info := input.facts.tenancy.owners.images[c.container.image]
	info.product != t.target.product
	msg := sprintf("image of another product: %s; %s", [t.target_says, t.belongs(sprintf("image %s", [c.container.image]), info)])
}

deny contains {"msg": msg, "path": array.concat(c.path, ["image"]), "severity": "warning"} if {
	some c in input.facts.workload.containers
	info := input.facts.tenancy.owners.images[c.container.image]
	not info.product
	not info.shared
	msg := sprintf("image %s comes from a registry that no product owns and sharedRegistries does not list", [c.container.image])
}

package blastwall.rules.access_entry_cross_product_group

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-cross-product-group",
	"title": "Access entry maps a product's principal into another product's or an admin group",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a Kubernetes group of an access entry whose principal belongs to a product (products.<name>.iamRoles) when the group belongs to another product (products.<other>.groups) or is an admin group (admins.groups) and the principal is not an admin. The product's people or pipelines then get whatever RBAC grants the other product's or the platform's group.",
	"remediation": "Map the principal to its own product's groups; give administrators' roles their own entries.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [checkout-developers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	some [e, g] in ae.groups
	mine := e.tenancy.product
	g.owner.product != mine.product
	msg := sprintf("%s belongs to product %s (%s) but is mapped to group %s of product %s (%s)", [e.who, mine.product, mine.via, g.value, g.owner.product, g.owner.via])
}

deny contains {"msg": msg, "path": g.path} if {
	some [e, g] in ae.groups
	mine := e.tenancy.product
	not e.tenancy.admin
	via := g.admin
	msg := sprintf("%s belongs to product %s (%s) but is mapped to the admin group %s (%s)", [e.who, mine.product, mine.via, g.value, via])
}

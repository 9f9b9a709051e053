package blastwall.rules.access_entry_cross_product_principal

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-cross-product-principal",
	"title": "Access entry lets another product's principal into a product's cluster",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry or association on a cluster that belongs to a product (products.<name>.clusters, or cluster.name with cluster.product) for a principal of another product (products.<other>.iamRoles, which may name a whole account: `arn:aws:iam::444455556666:role/*`). Whatever it is granted there, another team's role reaches into this product's cluster.",
	"remediation": "Grant the other product's access on its own cluster, or move the workload and its people to a shared cluster with namespace-scoped access.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::444455556666:role/checkout-team\n      kubernetesGroups: [payments-viewers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-viewers]\n",
	},
}

deny contains {"msg": msg, "path": e.principalArnPath} if {
	some e in ae.entries
	mine := e.tenancy.product
	theirs := e.tenancy.clusterProduct
	mine.product != theirs.product
	msg := sprintf("%s belongs to product %s (%s) but gets access to cluster %s of product %s (%s)", [e.who, mine.product, mine.via, e.cluster, theirs.product, theirs.via])
}

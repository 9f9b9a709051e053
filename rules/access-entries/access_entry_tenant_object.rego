package blastwall.rules.access_entry_tenant_object

import data.blastwall.lib.access_entries as ae
import data.blastwall.lib.tenancy as t

metadata := {
	"id": "access-entry-tenant-object",
	"title": "EKS access object created in a product's namespace",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["AccessEntry", "AccessPolicyAssociation"],
	"description": "Flags an ACK or Crossplane (namespaced) AccessEntry or AccessPolicyAssociation created in a namespace that belongs to a product, and more so one that targets a cluster of another product. Whoever may create these objects in that namespace can grant access to any cluster the controller's credentials reach, cluster-admin included; the EKS API has no admission hook of its own, so this check is where it can be stopped.",
	"remediation": "Keep EKS access objects in a platform namespace (sharedNamespaces) that only the platform team can write, and review them there.",
	"example": {
		"bad": "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: checkout-ci\n  namespace: team-checkout\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::444455556666:role/checkout-ci\n",
		"good": "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: payments-dev\n  namespace: platform-eks\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::111122223333:role/payments-dev\n",
	},
}

deny contains {"msg": msg, "path": ["metadata", "namespace"]} if {
	some e in ae.entries
	owner := t.target
	msg := sprintf("%s is created in namespace %s of product %s (%s): whoever may create it there can grant access to any cluster the controller reaches", [input.review.kind.kind, input.facts.tenancy.namespace, owner.product, owner.via])
	e.path
}

deny contains {"msg": msg, "path": e.clusterPath} if {
	some e in ae.entries
	owner := t.target
	theirs := e.tenancy.clusterProduct
	theirs.product != owner.product
	msg := sprintf("%s in namespace %s of product %s grants access to cluster %s of product %s (%s)", [input.review.kind.kind, input.facts.tenancy.namespace, owner.product, e.cluster, theirs.product, theirs.via])
}

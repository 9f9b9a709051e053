package blastwall.rules.access_entry_namespace_reach

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-namespace-reach",
	"title": "Access scope reaches another product's or a system namespace",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a namespace in an access policy's namespace scope that can match (wildcards included, decided by glob intersection) a namespace of another product, a shared namespace (sharedNamespaces) or, without a config, kube-system, kube-public or kube-node-lease: `pay*` reaches `payroll`, `kube-*` and `*` reach kube-system. EKS does not document its wildcard grammar and matches namespaces created later too. With a config it also flags (as a warning) a namespace that is none of the principal's product's namespaces: EKS does not check names, so a typo waits for whoever creates that namespace.",
	"remediation": "List the product's own namespaces, or a glob inside them (`payments-*`); never `*` or `kube-*` for a product's principal.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy\n          accessScope:\n            type: namespace\n            namespaces: [\"kube-*\"]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy\n          accessScope:\n            type: namespace\n            namespaces: [\"payments-*\"]\n",
	},
}

deny contains {"msg": msg, "path": n.path} if {
	some [e, p, n] in ae.namespaces
	some r in n.reaches
	r.shared
	msg := sprintf("%s: namespace %s in the scope of %s reaches a shared or system namespace (%s)", [e.who, n.value, ae.policy_name(p), r.via])
}

deny contains {"msg": msg, "path": n.path} if {
	some [e, p, n] in ae.namespaces
	some r in n.reaches
	not r.shared
	msg := sprintf("%s: namespace %s in the scope of %s reaches namespaces of product %s (%s), and %s is not an admin", [e.who, n.value, ae.policy_name(p), r.product, r.via, ae.product_of(e)])
}

deny contains {"msg": msg, "path": n.path, "severity": "warning"} if {
	some [e, p, n] in ae.namespaces
	own := n.outsideProduct
	msg := sprintf("%s: namespace %s in the scope of %s is none of product %s's namespaces; EKS does not check names, so the grant waits for whoever creates it (a typo?)", [e.who, n.value, ae.policy_name(p), own])
}

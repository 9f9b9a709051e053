package blastwall.rules.access_entry_scope

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-scope",
	"title": "Access policy scope EKS rejects",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access policy association whose `accessScope` EKS rejects: `cluster` scope with namespaces, `namespace` scope without any, a scope type other than `cluster` or `namespace` (lower case), or no scope at all. The Terraform provider and cfn-lint check none of this beyond the type's spelling.",
	"remediation": "Use `type: cluster` with no namespaces, or `type: namespace` with the namespaces listed.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\n          accessScope:\n            type: namespace\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\n          accessScope:\n            type: namespace\n            namespaces: [payments-api]\n",
	},
}

why := {
	"cluster-with-namespaces": "a cluster scope takes no namespaces",
	"namespace-without-namespaces": "a namespace scope needs at least one namespace",
	"unknown-type": "the scope type must be cluster or namespace (lower case)",
	"missing": "every association needs an accessScope",
}

deny contains {"msg": msg, "path": path} if {
	some [e, p] in ae.policies
	reason := why[p.scope.problem]
	path := p.scope.problemPath
	msg := sprintf("%s: EKS rejects this access scope: %s", [e.who, reason])
}

package blastwall.rules.access_entry_unknown_policy

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-unknown-policy",
	"title": "Access policy name not in blastwall's list",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a policy ARN that is not `arn:<partition>:eks::aws:cluster-access-policy/<Name>` or whose name is not among the access policies known to blastwall (a dated list, in src/access_entries/policies.rs; AWS adds policies over time, so a new one is a warning, not an error). A misspelled or IAM policy ARN fails at apply; a new one should be reviewed for what it grants.",
	"remediation": "Check the name against `aws eks list-access-policies`.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditorPolicy\n          accessScope:\n            type: namespace\n            namespaces: [payments-api]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\n          accessScope:\n            type: namespace\n            namespaces: [payments-api]\n",
	},
}

deny contains {"msg": msg, "path": p.arnPath} if {
	some [e, p] in ae.policies
	not p.known
	p.name
	msg := sprintf("%s: access policy %s is not among those blastwall knows (as of %s); check it exists and what it grants", [e.who, p.name, ae.policies_as_of])
}

deny contains {"msg": msg, "path": p.arnPath} if {
	some [e, p] in ae.policies
	not p.name
	p.arn
	msg := sprintf("%s: %s is not an EKS access policy ARN (arn:aws:eks::aws:cluster-access-policy/<Name>)", [e.who, p.arn])
}

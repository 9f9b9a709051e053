package blastwall.rules.access_entry_unknown_field

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-unknown-field",
	"title": "Access entry field the format does not know",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration"],
	"description": "Flags a key of an access entry that the format does not define, such as `kubernetes_username` or `access_policy_associations` in the terraform-aws-modules/eks `access_entries` input, or `username` in an eksctl entry (which is `kubernetesUsername`). Terraform object types and eksctl drop such keys silently: the setting is never applied.",
	"remediation": "Use the format's field name: eksctl `kubernetesUsername`, `kubernetesGroups`, `accessPolicies`; the Terraform module `user_name`, `kubernetes_groups`, `policy_associations`.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      username: \"payments-oncall:{{SessionName}}\"\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      kubernetesUsername: \"payments-oncall:{{SessionName}}\"\n",
	},
}

deny contains {"msg": msg, "path": k.path} if {
	some e in ae.entries
	some k in e.unknownKeys
	msg := sprintf("%s: key `%s` is not a field of an access entry here; it is dropped without an error and nothing it says is applied", [e.who, k.key])
}

package blastwall.rules.access_entry_iam_user

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-iam-user",
	"title": "Access entry for an IAM user",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry whose principal is an IAM user. IAM users authenticate with long-lived access keys that leak and are rarely rotated; a role is assumed for a short session and can be scoped and audited per session.",
	"remediation": "Grant access to an IAM role (or an IAM Identity Center permission set) that the people or the pipeline assume.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:user/jenkins\n      kubernetesUsername: \"jenkins:{{SessionName}}\"\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      kubernetesUsername: \"payments-ci:{{SessionName}}\"\n",
	},
}

deny contains {"msg": msg, "path": e.principalArnPath} if {
	some e in ae.entries
	e.principal.kind == "user"
	msg := sprintf("%s is an IAM user: it signs in with the user's own credentials, usually long-lived access keys, not short role sessions; grant access to a role instead", [e.who])
}

package blastwall.rules.access_entry_reserved_username

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-reserved-username",
	"title": "Access entry username starts with a reserved prefix",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry username that starts with `system:`, `eks:`, `aws:`, `amazon:` or `iam:`. EKS rejects it, so the apply fails. (EKS itself reports `system:node:\u2026` usernames on node-type entries it manages; those are not written in IaC.)",
	"remediation": "Leave the username out (EKS then uses the principal's session ARN, which is what AWS recommends), or use a prefix of your own with the session name: `payments-oncall:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      kubernetesUsername: \"eks:payments-oncall\"\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-oncall\n      kubernetesUsername: \"payments-oncall:{{SessionName}}\"\n",
	},
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	some e in ae.entries
	prefix := e.usernameReservedPrefix
	msg := sprintf("%s gets the username %s: EKS rejects usernames starting with %s (reserved: system:, eks:, aws:, amazon:, iam:)", [e.who, e.username, prefix])
}

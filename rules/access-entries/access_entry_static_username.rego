package blastwall.rules.access_entry_static_username

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-static-username",
	"title": "Role's access entry has a fixed username without {{SessionName}}",
	"severity": "info",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a username without `{{SessionName}}` on the access entry of an IAM role. Every session of the role, whoever assumed it, then appears under the same Kubernetes username in audit logs.",
	"remediation": "Leave the username out (EKS uses the assumed-role session ARN) or add the session name: `deployer:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      kubernetesUsername: deployer\n      kubernetesGroups: [payments-deployers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      kubernetesUsername: \"deployer:{{SessionName}}\"\n      kubernetesGroups: [payments-deployers]\n",
	},
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	some e in ae.entries
	e.staticUsername
	msg := sprintf("%s gets the fixed username %s: every session of the role gets the same Kubernetes username, so bindings and the audit log's username cannot tell them apart (only the session name in the user's extra fields can); add {{SessionName}}", [e.who, e.username])
}

package blastwall.rules.access_entry_session_name

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-session-name",
	"title": "Access entry username has {{SessionName}} without a ':' before it",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry username that contains `{{SessionName}}` with no `:` anywhere before it (`jenkins{{SessionName}}`). EKS rejects such usernames, so the apply fails: a colon must separate a fixed prefix from the session name, so that one session cannot impersonate a user name of another.",
	"remediation": "Put a colon before the session name: `jenkins:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      kubernetesUsername: \"payments-ci{{SessionName}}\"\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      kubernetesUsername: \"payments-ci:{{SessionName}}\"\n",
	},
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	some e in ae.entries
	e.sessionNameWithoutColon
	msg := sprintf("%s gets the username %s: EKS rejects {{SessionName}} without a ':' somewhere before it", [e.who, e.username])
}

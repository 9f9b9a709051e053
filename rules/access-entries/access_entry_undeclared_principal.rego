package blastwall.rules.access_entry_undeclared_principal

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-undeclared-principal",
	"title": "Access entry for a principal the config does not declare",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "With a tenancy config, flags an access entry whose principal is none of the config's IAM roles (products.<name>.iamRoles, admins.iamRoles, nodeRoles): nobody has said which product it belongs to, so no other rule can tell whether its access is right. Third-party and vendor roles, and entries left behind for deleted roles, show up here.",
	"remediation": "Declare the role under its product's iamRoles (or admins.iamRoles, nodeRoles), or remove the entry.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::999988887777:role/vendor-support\n      kubernetesGroups: [payments-viewers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-viewers]\n",
	},
}

deny contains {"msg": msg, "path": e.principalArnPath} if {
	some e in ae.entries
	e.tenancy.declared == false
	e.principal.kind in {"role", "user"}
	msg := sprintf("%s is declared by no product, admins.iamRoles or nodeRoles of the config", [e.who])
}

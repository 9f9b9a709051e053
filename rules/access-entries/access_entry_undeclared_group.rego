package blastwall.rules.access_entry_undeclared_group

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-undeclared-group",
	"title": "Access entry group the config does not declare",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "With a tenancy config, flags a Kubernetes group of an access entry that belongs to no product (products.<name>.groups) and is no admin group. EKS does not check that any RoleBinding uses the group: a misspelled group grants nothing, and a group named like `cluster-admins` may be bound to more than its name says.",
	"remediation": "Use a group the config declares for the principal's product, or declare it.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [support-readonly]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-readonly]\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	some [e, g] in ae.groups
	e.tenancy
	not g.owner
	not g.admin
	not g.reserved
	msg := sprintf("%s is mapped to group %s, which no product's groups or admins.groups declare; EKS does not check what RBAC binds it to", [e.who, g.value])
}

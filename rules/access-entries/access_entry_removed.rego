package blastwall.rules.access_entry_removed

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-removed",
	"title": "Change removes a node role's or the last admin's access entry",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration"],
	"description": "Flags a change (an UPDATE or DELETE at admission, or `lint --base`) that removes the access entry of a node role (nodeRoles of the config): nodes with that role can no longer join, and running ones are cut off; or the last entry that gives a declared admin (admins.iamRoles) admin rights, which locks the administrators out.",
	"remediation": "Keep node roles' entries while any node group uses the role; add the new administrators' entries before removing the old ones.",
	"example": {
		"bad": "# deleted: the entry of the Karpenter node role (nodeRoles)\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: karpenter-nodes\n  namespace: platform-eks\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n  type: EC2_LINUX\n",
		"good": "# deleted: the entry of a team role\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: payments-dev\n  namespace: platform-eks\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::111122223333:role/payments-dev\n  type: STANDARD\n",
	},
}

deny contains {"msg": msg, "path": r.path} if {
	some r in input.facts.accessConfigChange.removed
	via := r.nodeRole
	msg := sprintf("the access entry of %s is removed, and it is a node role (%s): unless aws-auth maps the role (authentication mode API_AND_CONFIG_MAP), nodes with this role can no longer join the cluster", [r.who, via])
}

deny contains {"msg": msg, "path": r.path} if {
	change := input.facts.accessConfigChange
	change.adminsBefore > 0
	change.adminsAfter == 0
	some r in change.removed
	via := r.admin
	msg := sprintf("the access entry of %s (%s) is removed and no declared admin keeps admin rights here: unless aws-auth still maps one (API_AND_CONFIG_MAP), the administrators are locked out", [r.who, via])
}

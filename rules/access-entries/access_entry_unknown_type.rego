package blastwall.rules.access_entry_unknown_type

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-unknown-type",
	"title": "Access entry type EKS does not know",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry `type` that is not one of STANDARD, EC2, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, HYPERPOD_LINUX, written exactly so. CloudFormation rejects `Standard` (`AccessEntry type must be one of [...]`) and the Terraform provider validates the case too; cfn-lint does not catch it.",
	"remediation": "Write the type in upper case, e.g. `STANDARD`, or leave it out for STANDARD.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      type: Standard\n      kubernetesGroups: [payments-deployers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-ci\n      type: STANDARD\n      kubernetesGroups: [payments-deployers]\n",
	},
}

deny contains {"msg": msg, "path": e.typePath} if {
	some e in ae.entries
	e.typeProblem == "case"
	msg := sprintf("%s has type %s: EKS types are case-sensitive; write %s", [e.who, e.type, upper(e.type)])
}

deny contains {"msg": msg, "path": e.typePath} if {
	some e in ae.entries
	e.typeProblem == "unknown"
	msg := sprintf("%s has type %s, which EKS does not know (STANDARD, EC2, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, HYPERPOD_LINUX)", [e.who, e.type])
}

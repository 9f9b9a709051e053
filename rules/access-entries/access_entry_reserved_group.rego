package blastwall.rules.access_entry_reserved_group

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-reserved-group",
	"title": "Access entry maps a principal to a system: group",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a Kubernetes group starting with `system:` in an access entry. EKS rejects the entry (`InvalidParameterException: The kubernetes group name system:masters is invalid, it cannot start with system:`), so the apply fails; it is the usual mistake when aws-auth mappings (system:masters, system:nodes, system:bootstrappers) are copied into access entries.",
	"remediation": "Grant administrators an access policy (AmazonEKSClusterAdminPolicy) or a group of your own bound with RBAC. Node roles need no groups: give them a node type (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX) and EKS adds system:nodes itself.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/platform-admin\n      kubernetesGroups: [system:masters]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/platform-admin\n      kubernetesGroups: [platform-admins]\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	some [e, g] in ae.groups
	g.reserved
	msg := sprintf("%s is mapped to the group %s: EKS rejects groups starting with system: in access entries, so the apply fails", [e.who, g.value])
}

package blastwall.rules.access_entry_node_role_type

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-node-role-type",
	"title": "Node role in an access entry that is not of a node type",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags an access entry for a node role (nodeRoles of the config) whose type is not a node type (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2 for Auto Mode), including the default STANDARD, and a node role given groups. Nodes of a STANDARD entry cannot join the cluster, and the type cannot be changed: the entry must be recreated. A node role with human groups hands those rights to every node.",
	"remediation": "Give node roles `type: EC2_LINUX` (Windows: EC2_WINDOWS, Fargate: FARGATE_LINUX, hybrid: HYBRID_LINUX, Auto Mode: EC2) and no groups.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: STANDARD\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n",
	},
}

deny contains {"msg": msg, "path": e.typePath} if {
	some e in ae.entries
	via := e.tenancy.nodeRole
	not e.nodeType
	e.type
	msg := sprintf("%s is a node role (%s) but its entry has type %s: nodes with this role cannot join the cluster; use EC2_LINUX (or EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2)", [e.who, via, e.type])
}

deny contains {"msg": msg, "path": e.groupsPath} if {
	some e in ae.entries
	via := e.tenancy.nodeRole
	not e.nodeType
	count(e.groups) > 0
	msg := sprintf("%s is a node role (%s) but is mapped to groups: every node gets their rights", [e.who, via])
}

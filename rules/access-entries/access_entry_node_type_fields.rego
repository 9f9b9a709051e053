package blastwall.rules.access_entry_node_type_fields

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-node-type-fields",
	"title": "Node-type access entry has groups, a username or policies",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags groups, a username or access policies on an access entry of a node type (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, HYPERPOD_LINUX; EC2, for EKS Auto Mode nodes, takes policies but no groups or username). EKS gives nodes their identity itself (`system:node:\u2026`, group system:nodes) and rejects these fields (`This operation can only be performed on Access Entries with a type of \"STANDARD\"`); ACK keeps retrying such an entry.",
	"remediation": "Leave `type` and the principal, and remove the groups, username and policies.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n      kubernetesGroups: [system:nodes]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n",
	},
}

deny contains {"msg": msg, "path": e.groupsPath} if {
	some e in ae.entries
	e.nodeType
	count(e.groups) > 0
	msg := sprintf("%s has type %s and groups: EKS rejects groups on node types (it puts nodes in system:nodes itself)", [e.who, e.type])
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	some e in ae.entries
	e.nodeType
	e.username
	msg := sprintf("%s has type %s and a username: EKS rejects usernames on node types (nodes get system:node:… from EKS)", [e.who, e.type])
}

deny contains {"msg": msg, "path": p.arnPath} if {
	some [e, p] in ae.policies
	not e.policiesAllowed
	msg := sprintf("%s has type %s and an access policy: EKS associates policies only with STANDARD entries (and EC2 for Auto Mode)", [e.who, e.type])
}

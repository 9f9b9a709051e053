package blastwall.rules.access_config_node_role_missing

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-node-role-missing",
	"title": "Node role without an access entry on an API-mode cluster",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig"],
	"description": "With a tenancy config, flags a configured node role (nodeRoles) that no access entry of the config's own cluster (cluster.name) names, when the cluster's authentication mode is API and an eksctl ClusterConfig declares its whole access. In API mode the aws-auth ConfigMap is ignored, so nodes of a self-managed node group or of Karpenter with that role cannot join. EKS creates the entries of managed node groups and Fargate profiles itself, hence a warning.",
	"remediation": "Add an entry of the node type for the role (`type: EC2_LINUX`, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, or EC2 for Auto Mode), or remove the role from nodeRoles if no node uses it any more.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n",
	},
}

deny contains {"msg": msg, "path": c.authenticationModePath} if {
	some c in ae.clusters
	some missing in c.nodeRolesMissing
	msg := sprintf("%s is in API mode, where aws-auth is ignored, and no access entry names the node role %s (%s): its nodes cannot join unless EKS creates the entry (managed node groups, Fargate)", [ae.cluster_name(c), missing.role, missing.via])
}

package blastwall.rules.access_config_bootstrap_admin

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-bootstrap-admin",
	"title": "Cluster creator keeps cluster-admin",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "Cluster", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a cluster whose creator gets cluster-admin: `bootstrapClusterCreatorAdminPermissions` true or left out (it defaults to true; with the Terraform provider only when the whole access_config block is left out). In CONFIG_MAP mode the creator is an invisible `system:masters` nobody can remove; in the API modes an admin entry for whatever identity ran the create (often a CI role, or whoever last ran `terraform apply` with the EKS module's `enable_cluster_creator_admin_permissions`).",
	"remediation": "Set bootstrapClusterCreatorAdminPermissions to false (a create-time setting) and declare the administrators as access entries with AmazonEKSClusterAdminPolicy.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n",
	},
}

deny contains {"msg": msg, "path": c.bootstrapPath} if {
	some c in ae.clusters
	c.bootstrapClusterCreatorAdminPermissions == true
	msg := sprintf("%s: whoever creates the cluster keeps cluster-admin (bootstrapClusterCreatorAdminPermissions is %s)", [ae.cluster_name(c), ae.written(c.bootstrapWritten, "true")])
}

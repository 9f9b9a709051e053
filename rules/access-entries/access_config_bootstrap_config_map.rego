package blastwall.rules.access_config_bootstrap_config_map

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-bootstrap-config-map",
	"title": "Cluster creator admin turned off in CONFIG_MAP mode",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "Cluster", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags `bootstrapClusterCreatorAdminPermissions: false` on a cluster whose authentication mode is CONFIG_MAP (written, or the default of CloudFormation, ACK, Crossplane and the Terraform provider). EKS rejects it (`bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP`): with aws-auth as the only source, nobody could get in.",
	"remediation": "Use authenticationMode API (or API_AND_CONFIG_MAP) with access entries for the administrators, or leave the creator admin on in CONFIG_MAP mode.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n",
	},
}

deny contains {"msg": msg, "path": c.bootstrapPath} if {
	some c in ae.clusters
	c.authenticationMode == "CONFIG_MAP"
	c.bootstrapClusterCreatorAdminPermissions == false
	msg := sprintf("%s: EKS rejects bootstrapClusterCreatorAdminPermissions false when the authentication mode is CONFIG_MAP", [ae.cluster_name(c)])
}

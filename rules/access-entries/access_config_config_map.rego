package blastwall.rules.access_config_config_map

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-config-map",
	"title": "Cluster keeps the aws-auth ConfigMap as a source of access",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "Cluster", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a cluster whose authentication mode is CONFIG_MAP or API_AND_CONFIG_MAP, written or by default (CONFIG_MAP for CloudFormation, ACK, Crossplane and the Terraform provider; API_AND_CONFIG_MAP for eksctl and the Terraform EKS module). The aws-auth ConfigMap, which anyone who can edit it in kube-system uses to grant themselves access, stays a second source of truth; in CONFIG_MAP mode access entries cannot be used at all.",
	"remediation": "Migrate the aws-auth mappings to access entries and set authenticationMode to API (it cannot be turned back).",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n",
	},
}

deny contains {"msg": msg, "path": c.authenticationModePath} if {
	some c in ae.clusters
	c.authenticationMode in {"CONFIG_MAP", "API_AND_CONFIG_MAP"}
	msg := sprintf("%s: authentication mode %s keeps the aws-auth ConfigMap as a source of access beside access entries; prefer API", [ae.cluster_name(c), ae.written(c.authenticationModeWritten, c.authenticationMode)])
}

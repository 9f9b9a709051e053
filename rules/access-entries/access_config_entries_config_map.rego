package blastwall.rules.access_config_entries_config_map

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-entries-config-map",
	"title": "Access entries for a cluster in CONFIG_MAP mode",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags access entries declared for a cluster whose authentication mode is CONFIG_MAP: declared in the same file, or (in `blastwall lint`) in another document of the run that names the same cluster. EKS refuses every access-entry call on such a cluster (`The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP]`); eksctl rejects the config.",
	"remediation": "Set the cluster's authenticationMode to API_AND_CONFIG_MAP (to keep aws-auth while migrating) or API.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: CONFIG_MAP\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n",
	},
}

deny contains {"msg": msg, "path": e.path, "related": [{"path": e.clusterModePath, "msg": "authentication mode CONFIG_MAP"}]} if {
	some e in ae.entries
	e.clusterMode == "CONFIG_MAP"
	msg := sprintf("%s: the cluster's authentication mode is CONFIG_MAP, where EKS rejects every access entry", [e.who])
}

# The cluster is declared in another document of the lint run: the finding points at
# the entry's cluster name, which links it to that cluster.
deny contains {"msg": msg, "path": object.get(e, "clusterPath", e.path)} if {
	some e in ae.entries
	e.clusterMode == "CONFIG_MAP"
	at := e.clusterModeAt
	msg := sprintf("%s: the cluster's authentication mode is CONFIG_MAP (%s), where EKS rejects every access entry", [e.who, at])
}

package blastwall.rules.access_config_mode_change

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-mode-change",
	"title": "Cluster authentication mode changes",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "Cluster", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration"],
	"description": "Flags a change of a cluster's authentication mode (an UPDATE at admission of an ACK or Crossplane Cluster, or `lint --base`). EKS only moves forward, CONFIG_MAP → API_AND_CONFIG_MAP → API, and never back: a change back fails at apply (error). A change forward is a warning that says what stops working: access entries override aws-auth for the same principals from API_AND_CONFIG_MAP on, and in API mode the aws-auth ConfigMap is ignored, so every principal mapped only there loses access.",
	"remediation": "Never move the mode back. Before moving to API, give every principal of the aws-auth ConfigMap (node roles included) an access entry (`eksctl utils migrate-to-access-entry` helps).",
	"example": {
		"bad": "# before\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: payments-prod\n  namespace: platform-eks\nspec:\n  name: payments-prod\n  accessConfig:\n    authenticationMode: API\n    bootstrapClusterCreatorAdminPermissions: false\n---\n# after: back to API_AND_CONFIG_MAP\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: payments-prod\n  namespace: platform-eks\nspec:\n  name: payments-prod\n  accessConfig:\n    authenticationMode: API_AND_CONFIG_MAP\n    bootstrapClusterCreatorAdminPermissions: false\n",
		"good": "# before\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: payments-prod\n  namespace: platform-eks\nspec:\n  name: payments-prod\n  accessConfig:\n    authenticationMode: API\n    bootstrapClusterCreatorAdminPermissions: false\n---\n# after: the mode stays\napiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: payments-prod\n  namespace: platform-eks\nspec:\n  name: payments-prod\n  accessConfig:\n    authenticationMode: API\n    bootstrapClusterCreatorAdminPermissions: false\n",
	},
}

consequence := {
	"API_AND_CONFIG_MAP": "access entries now override the aws-auth mappings of the same principals",
	"API": "the aws-auth ConfigMap is ignored from then on: every principal mapped only there (node roles included) loses access",
}

deny contains {"msg": msg, "path": m.path} if {
	some m in input.facts.accessConfigChange.modes
	m.direction == "back"
	msg := sprintf("%s: the authentication mode goes back from %s to %s, which EKS refuses: the mode only moves forward (CONFIG_MAP → API_AND_CONFIG_MAP → API)", [ae.cluster_name(m), m.from, m.to])
}

deny contains {"msg": msg, "path": m.path, "severity": "warning"} if {
	some m in input.facts.accessConfigChange.modes
	m.direction == "forward"
	msg := sprintf("%s: the authentication mode moves from %s to %s, for good: %s", [ae.cluster_name(m), m.from, m.to, consequence[m.to]])
}

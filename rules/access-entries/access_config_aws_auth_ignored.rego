package blastwall.rules.access_config_aws_auth_ignored

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-config-aws-auth-ignored",
	"title": "aws-auth mappings on a cluster in API mode",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig"],
	"description": "Flags eksctl `iamIdentityMappings` (aws-auth mappings) on a cluster whose authentication mode is API: EKS ignores the aws-auth ConfigMap entirely, so nobody gets the access these mappings describe.",
	"remediation": "Turn the mappings into access entries, or remove them.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\niamIdentityMappings:\n  - arn: arn:aws:iam::111122223333:role/payments-dev\n    username: payments-dev\n    groups: [payments-developers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\n",
	},
}

deny contains {"msg": msg, "path": m.path} if {
	some m in ae.mappings
	m.ignored
	msg := sprintf("aws-auth mapping of %s: the cluster's authentication mode is API, which ignores aws-auth; this mapping grants nothing", [object.get(m, "arn", "an entry")])
}

package blastwall.rules.access_config_aws_auth_api_mode

metadata := {
	"id": "access-config-aws-auth-api-mode",
	"title": "aws-auth mappings of a cluster whose API mode ignores them",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags each aws-auth mapping when another file of the lint run declares its cluster with authentication mode API (eksctl, ACK, Crossplane, CloudFormation, Terraform). In API mode EKS does not read aws-auth: nobody gets the access these mappings describe, while reviewers still read them. The ConfigMap names no cluster: it is the config's `cluster.name`, else the one cluster the run declares (with several, nothing is said). The webhook sees one object and does not know the cluster's mode: there this rule says nothing.",
	"remediation": "Turn the mappings into access entries, then delete the ConfigMap (eksctl's `utils migrate-to-access-entry` does both).",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payments-dev\n      username: payments-dev:{{SessionName}}\n      groups: [payments-developers]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payments-dev\n      username: payments-dev:{{SessionName}}\n      groups: [payments-developers]\n",
	},
}

# facts: awsAuthAccess.mode is the mode of the ConfigMap's cluster as another
# document of the run declares it (src/access_entries/run.rs).
deny contains {"msg": msg, "path": m.path} if {
	f := input.facts.awsAuthAccess
	f.mode == "API"
	some m in f.mappings
	msg := sprintf("aws-auth mapping of %s: cluster %s has authentication mode API (%s), where EKS does not read aws-auth; this mapping grants nothing", [m.arn, f.cluster, f.modeAt])
}

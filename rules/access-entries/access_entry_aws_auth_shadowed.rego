package blastwall.rules.access_entry_aws_auth_shadowed

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-aws-auth-shadowed",
	"title": "aws-auth mapping differs from the access entry of the same principal",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig"],
	"description": "Flags an eksctl `iamIdentityMappings` item (an aws-auth mapping) for a principal that also has an access entry with other groups, in the same file or (in `blastwall lint`) in another document of the run for the same cluster. In API_AND_CONFIG_MAP mode the access entry wins and the aws-auth groups are dead, yet reviewers read the ConfigMap and believe them (a `system:masters` there looks like cluster-admin).",
	"remediation": "Remove the mapping once the access entry is in place, or give both the same groups while migrating.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\niamIdentityMappings:\n  - arn: arn:aws:iam::111122223333:role/payments-dev\n    username: payments-dev\n    groups: [system:masters]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/payments-dev\n      kubernetesGroups: [payments-developers]\niamIdentityMappings:\n  - arn: arn:aws:iam::111122223333:role/payments-dev\n    username: payments-dev\n    groups: [payments-developers]\n",
	},
}

deny contains {"msg": msg, "path": object.get(m, "groupsPath", m.path), "related": [{"path": m.shadowedBy.path, "msg": "the access entry that wins"}]} if {
	some m in ae.mappings
	m.shadowedBy
	msg := sprintf("aws-auth mapping of %s gives groups %v, but its access entry (which wins) gives %v: the mapping's groups are never granted", [m.arn, m.groups, m.shadowedBy.groups])
}

# The access entry is in another document of the lint run.
deny contains {"msg": msg, "path": object.get(m, "groupsPath", m.path)} if {
	some m in ae.mappings
	e := m.shadowedElsewhere
	msg := sprintf("aws-auth mapping of %s gives groups %v, but its access entry %s (%s), which wins, gives %v: the mapping's groups are never granted", [m.arn, m.groups, e.who, e.at, e.groups])
}

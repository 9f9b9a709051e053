package blastwall.rules.access_entry_aws_auth_overridden

metadata := {
	"id": "access-entry-aws-auth-overridden",
	"title": "aws-auth mapping overridden by an access entry in another file",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags an aws-auth mapping for a principal that an access entry of the same cluster, in another file of the lint run (any format), maps with other groups or another username. In API_AND_CONFIG_MAP mode the entry wins: the aws-auth groups and username are never granted, yet reviewers read the ConfigMap and believe it. An entry that writes no groups or username is compared as EKS fills it in (no groups; `arn:aws:sts::<account>:assumed-role/<name>/{{SessionName}}` for a role). API and CONFIG_MAP modes are left to `access-config-aws-auth-api-mode` and `access-config-entries-config-map`. The ConfigMap names no cluster: it is the config's `cluster.name`, else the one cluster the run declares (with several, nothing is compared). The webhook sees one object and no access entries: there this rule says nothing.",
	"remediation": "Remove the mapping once the access entry is in place, or give both the same groups and username while migrating.",
	"example": {
		"bad": "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: payments-dev\n  namespace: platform-eks\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::210987654321:role/payments-dev\n  kubernetesGroups: [payments-developers]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payments-dev\n      username: payments-dev:{{SessionName}}\n      groups: [system:masters]\n",
		"good": "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: AccessEntry\nmetadata:\n  name: payments-dev\n  namespace: platform-eks\nspec:\n  clusterName: payments-prod\n  principalARN: arn:aws:iam::210987654321:role/payments-dev\n  kubernetesGroups: [payments-developers]\n  username: payments-dev:{{SessionName}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payments-dev\n      username: payments-dev:{{SessionName}}\n      groups: [payments-developers]\n",
	},
}

# facts: awsAuthAccess (src/access_entries/run.rs) joins each mapping with the access
# entry of the same principal and cluster elsewhere in the run; `differs` says what
# the mapping grants that the entry does not.
deny contains {"msg": msg, "path": e.path} if {
	f := input.facts.awsAuthAccess
	entries_win(f)
	some m in f.mappings
	e := m.entry
	count(e.differs) > 0
	msg := sprintf("aws-auth maps %s with %s, but %s (%s) maps it with %s: EKS uses the access entry (in API_AND_CONFIG_MAP the access entry wins over aws-auth), so this mapping's %s are never granted", [m.arn, mapping(m), e.who, e.at, entry(e), concat(" and ", e.differs)])
}

# The cluster's mode is API_AND_CONFIG_MAP, or not declared in the run (an access
# entry exists, so it is not CONFIG_MAP). API mode ignores aws-auth altogether: the
# API-mode rule reports that; in CONFIG_MAP mode EKS rejects the entry instead.
entries_win(f) if not f.mode

entries_win(f) if f.mode == "API_AND_CONFIG_MAP"

mapping(m) := sprintf("groups %v and username %s", [m.groups, m.username]) if m.username

else := sprintf("groups %v", [m.groups])

entry(e) := sprintf("groups %v%s and username %s%s", [e.groups, generated(e.groupsWritten), e.username, generated(e.usernameWritten)]) if e.username

else := sprintf("groups %v%s", [e.groups, generated(e.groupsWritten)])

generated(true) := ""

generated(false) := " (not written: what EKS gives)"

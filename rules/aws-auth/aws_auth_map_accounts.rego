package blastwall.rules.aws_auth_map_accounts

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-map-accounts",
	"title": "aws-auth mapAccounts admits a whole AWS account",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Each account in mapAccounts lets every IAM user and role of that account authenticate, as its own ARN and with no groups. They all gain what is bound to system:authenticated and to User subjects named by ARN, with no per-principal control, and nothing in aws-auth shows who they are.",
	"remediation": "Remove mapAccounts and map the roles that need access one by one in mapRoles.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapAccounts: |\n    - \"210987654321\"\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": acct.path} if {
	some s in a.sections
	s.name == "mapAccounts"
	some acct in s.accounts
	a.account_id(acct.value)
	msg := sprintf("mapAccounts admits account %s: every IAM user and role in it authenticates (as its ARN, with no groups) and gets everything bound to system:authenticated; map the roles you mean in mapRoles instead", [acct.value])
}

deny contains {"msg": msg, "path": acct.path} if {
	some s in a.sections
	s.name == "mapAccounts"
	some acct in s.accounts
	not a.account_id(acct.value)
	msg := sprintf("mapAccounts entry `%s` is not a 12-digit account id (a mis-indented list merges items into one string): no caller's account matches it; remove mapAccounts and map roles in mapRoles", [acct.value])
}

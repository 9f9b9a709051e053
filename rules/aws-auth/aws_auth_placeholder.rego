package blastwall.rules.aws_auth_placeholder

import data.blastwall.lib.aws_auth as a
import data.blastwall.lib.params

metadata := {
	"id": "aws-auth-placeholder",
	"title": "Placeholder left in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"params": {"accounts": ["111122223333", "123456789012"]},
	"description": "Flags values copied from documentation or templates and never filled in: the documentation accounts 111122223333 and 123456789012, `<ARN of instance role>`, `${var}`, `%{...}` and Helm's `{{ .Values... }}`. Such a mapping never matches the intended principal. Accounts that the blastwall config names in an IAM role are real and not flagged. Parameter `accounts` (default `[111122223333, 123456789012]`) replaces the list of documentation accounts.",
	"remediation": "Fill in the real ARN, username or group, or render the template before linting.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: <ARN of instance role (not instance profile)>\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

# The documentation accounts, unless the config lists others.
accounts := params.of(metadata.id, metadata.params).accounts

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	account := e.arnParts.account
	account in accounts
	not account in a.declared_accounts
	msg := sprintf("%s uses the documentation account %s: it is a placeholder that no real caller matches; fill in your account id", [e.arn, account])
}

deny contains {"msg": unfilled(e.arn), "path": e.arnPath} if {
	some e in a.mappings
	a.placeholder_text(e.arn)
}

deny contains {"msg": unfilled(e.username), "path": e.usernamePath} if {
	some e in a.mappings
	a.placeholder_text(e.username)
}

deny contains {"msg": unfilled(g.value), "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	a.placeholder_text(g.value)
}

deny contains {"msg": unfilled(acct.value), "path": acct.path} if {
	some s in a.sections
	s.name == "mapAccounts"
	some acct in s.accounts
	a.placeholder_text(acct.value)
}

unfilled(text) := sprintf("`%s` is a template placeholder that was never filled in: the authenticator takes it literally, so this mapping does not do what was meant", [text])

package blastwall.rules.aws_auth_placeholder

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-placeholder",
	"title": "Placeholder left in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"description": "Flags values copied from documentation or templates and never filled in: the documentation accounts 111122223333 and 123456789012, `<ARN of instance role>`, `${var}`, `%{...}` and Helm's `{{ .Values... }}`. Such a mapping never matches the intended principal. Accounts that the blastwall config names in an IAM role are real and not flagged; rules.aws-auth-placeholder.parameters.accounts replaces the list of documentation accounts.",
	"remediation": "Fill in the real ARN, username or group, or render the template before linting.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: <ARN of instance role (not instance profile)>\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

default_accounts := ["111122223333", "123456789012"]

accounts := object.get(data, ["blastwall", "config", "rules", "aws-auth-placeholder", "parameters", "accounts"], default_accounts)

placeholder_account(arn) := account if {
	parts := split(arn, ":")
	account := parts[4]
	account in accounts
	not account in a.declared_accounts
}

# [path, value] of every string an entry holds.
values(e) := array.concat(
	[[e.arnPath, e.arn] | e.arn],
	array.concat(
		[[e.usernamePath, e.username] | e.username],
		[[g.path, g.value] | some g in e.groupItems; g.type == "string"],
	),
)

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	account := placeholder_account(e.arn)
	msg := sprintf("%s uses the documentation account %s: it is a placeholder that no real caller matches; fill in your account id", [e.arn, account])
}

deny contains {"msg": msg, "path": v[0]} if {
	some e in a.mappings
	some v in values(e)
	a.placeholder_text(v[1])
	msg := sprintf("`%s` is a template placeholder that was never filled in: the authenticator takes it literally, so this mapping does not do what was meant", [v[1]])
}

deny contains {"msg": msg, "path": acct.path} if {
	some s in a.sections
	s.name == "mapAccounts"
	some acct in s.accounts
	a.placeholder_text(acct.value)
	msg := sprintf("`%s` is a template placeholder that was never filled in", [acct.value])
}

package blastwall.rules.aws_auth_root_user

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-root-user",
	"title": "aws-auth maps an AWS account root user",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags an ARN of the form `arn:aws:iam::<account>:root`. The authenticator accepts the root user as a principal, so whoever holds the account's root credentials gets this mapping; root credentials are meant for a few account tasks, not day-to-day cluster access.",
	"remediation": "Map an IAM role that administrators assume instead.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n    - userarn: arn:aws:iam::210987654321:root\n      username: root\n      groups: [platform:admins]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/platform-admin\n      username: platform-admin:{{SessionName}}\n      groups: [platform:admins]\n",
	},
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts.service == "iam"
	e.arnParts.resource == "root"
	msg := sprintf("%s is the root user of account %s: the authenticator accepts it, so anyone with the account's root credentials gets this mapping; map a role that administrators assume instead", [e.arn, e.arnParts.account])
}

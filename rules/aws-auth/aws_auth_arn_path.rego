package blastwall.rules.aws_auth_arn_path

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-arn-path",
	"title": "Role ARN with a path in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a rolearn with an IAM path, such as `role/teams/dev/team-a` or an IAM Identity Center role's `role/aws-reserved/sso.amazonaws.com/...`. The caller's ARN comes from an STS session, which carries no path, and the aws-auth ConfigMap backend does not strip paths, so the entry never matches.",
	"remediation": "Remove the path: write `arn:aws:iam::<account>:role/<name>`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef\n      username: sso-admin:{{SessionName}}\n      groups: [platform:admins]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/AWSReservedSSO_Admin_0123456789abcdef\n      username: sso-admin:{{SessionName}}\n      groups: [platform:admins]\n",
	},
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	p := e.arnParts
	p.service == "iam"
	p.resourceType == "role"
	p.path != "/"
	stripped := sprintf("arn:%s:iam::%s:role/%s", [p.partition, p.account, p.name])
	msg := sprintf("role ARN has the path `%s`: callers' ARNs never carry a path, so this mapping never matches; write %s", [p.path, stripped])
}

package blastwall.rules.aws_auth_iam_user

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-iam-user",
	"title": "aws-auth maps a long-lived IAM user",
	"severity": "warning",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags IAM users in mapUsers. An IAM user signs in with long-lived access keys, which leak and are rarely rotated; AWS recommends mapping roles that people and CI assume with short-lived credentials.",
	"remediation": "Map an IAM role in mapRoles and let the user assume it.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n    - userarn: arn:aws:iam::210987654321:user/alice\n      username: alice\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.section == "mapUsers"
	e.arnParts.resourceType == "user"
	msg := sprintf("IAM user %s authenticates with the user's own credentials, usually long-lived access keys, not short role sessions; map a role that the user assumes instead", [e.arn])
}

package blastwall.rules.aws_auth_duplicate_key

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-duplicate-key",
	"title": "Key repeated in an aws-auth entry",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a key that appears twice in one entry of mapRoles or mapUsers, often `groups` written twice. The authenticator keeps only the last value, so the first is silently lost.",
	"remediation": "Write each key once and merge the values.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n      groups: [team-a:deployers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers, team-a:deployers]\n",
	},
}

deny contains {"msg": msg, "path": d.path, "at": "key"} if {
	some s in a.sections
	some d in s.duplicateKeys
	msg := sprintf("key `%s` appears twice in this entry (first at line %d of %s): the authenticator keeps only this last value and ignores the first", [d.key, d.firstLine, s.name])
}

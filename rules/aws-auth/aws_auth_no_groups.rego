package blastwall.rules.aws_auth_no_groups

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-no-groups",
	"title": "aws-auth mapping without groups",
	"severity": "warning",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a mapping with no groups. The principal still authenticates, as its username, but gets only what is bound to system:authenticated or to that username; usually the groups were forgotten or misspelt.",
	"remediation": "List the groups the principal needs under `groups`, or remove the mapping.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": path} if {
	some e in a.mappings
	e.arn
	count(e.groupItems) == 0
	not scalar_groups(e)
	path := object.get(e, "groupsPath", e.path)
	msg := sprintf("%s has no groups: it authenticates as `%s` but gets only what is bound to system:authenticated or to that username", [a.who(e), object.get(e, "username", "")])
}

# A scalar `groups` is reported by aws-auth-wrong-type.
scalar_groups(e) if {
	some f in e.fields
	f.canonical == "groups"
	not f.type in {"list", "null"}
}

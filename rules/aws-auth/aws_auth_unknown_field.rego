package blastwall.rules.aws_auth_unknown_field

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-unknown-field",
	"title": "Unknown field in an aws-auth entry",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags entry keys the authenticator does not know, such as `role_arn`, `group`, `user_name` or `arn`. Both parsers ignore them without an error, so the value written there has no effect: a misspelt `groups` grants nothing, a misspelt `rolearn` leaves an entry that is dropped.",
	"remediation": "mapRoles entries take `rolearn`, `username` and `groups`; mapUsers entries take `userarn`, `username` and `groups`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - role_arn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      group: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": f.path, "at": "key"} if {
	some e in a.mappings
	some f in e.fields
	not f.canonical
	f.suggestion
	msg := sprintf("`%s` is not a field of a %s entry: the authenticator ignores it, so its value has no effect; did you mean `%s`?", [f.key, e.section, f.suggestion])
}

deny contains {"msg": msg, "path": f.path, "at": "key"} if {
	some e in a.mappings
	some f in e.fields
	not f.canonical
	not f.suggestion
	msg := sprintf("`%s` is not a field of a %s entry: the authenticator ignores it, so its value has no effect", [f.key, e.section])
}

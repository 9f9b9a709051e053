package blastwall.rules.aws_auth_missing_arn

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-missing-arn",
	"title": "aws-auth entry without a principal ARN",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a mapRoles entry without `rolearn` or a mapUsers entry without `userarn` (missing or empty). The authenticator drops such an entry when it validates the section, so its username and groups are granted to no one; usually the ARN key is misspelt or mis-indented.",
	"remediation": "Give every mapRoles entry a `rolearn` and every mapUsers entry a `userarn`, at the same indentation as `username` and `groups`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": e.path} if {
	some e in a.mappings
	not e.arnPath
	not e.keys.sso
	not misspelt_arn(e)
	msg := sprintf("this %s entry has no `%s`: the authenticator drops it, so its username and groups are granted to no one", [e.section, e.arnKey])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	empty_arn(e)
	msg := sprintf("`%s` is empty: the authenticator drops this %s entry, so its username and groups are granted to no one", [e.arnKey, e.section])
}

# A misspelt ARN key (`role_arn`) is reported by aws-auth-unknown-field.
misspelt_arn(e) if {
	some f in e.fields
	f.suggestion == e.arnKey
}

empty_arn(e) if e.arn == ""

# `rolearn:` with nothing after it is null, which both parsers read as "".
empty_arn(e) if {
	some f in e.fields
	f.canonical == e.arnKey
	f.type == "null"
}

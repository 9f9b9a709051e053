package blastwall.rules.aws_auth_unknown_key

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-unknown-key",
	"title": "aws-auth key the authenticator never reads",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "aws-iam-authenticator reads exactly three keys of the aws-auth ConfigMap's data: mapRoles, mapUsers and mapAccounts, case-sensitively. `maproles`, `mapRole`, any other data key, and everything under binaryData are ignored without an error, so the mappings written there do not exist.",
	"remediation": "Spell the key exactly `mapRoles`, `mapUsers` or `mapAccounts`, under `data`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  maproles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": k.path, "at": "key"} if {
	some k in a.facts.unknownKeys
	k.in == "data"
	k.suggestion
	msg := sprintf("data key `%s` is never read: the authenticator reads only `mapRoles`, `mapUsers` and `mapAccounts`, case-sensitively, so the mappings in it do not exist; did you mean `%s`?", [k.key, k.suggestion])
}

deny contains {"msg": msg, "path": k.path, "at": "key"} if {
	some k in a.facts.unknownKeys
	k.in == "data"
	not k.suggestion
	msg := sprintf("data key `%s` is never read: the authenticator reads only `mapRoles`, `mapUsers` and `mapAccounts`", [k.key])
}

deny contains {"msg": msg, "path": k.path, "at": "key"} if {
	some k in a.facts.unknownKeys
	k.in == "binaryData"
	msg := sprintf("binaryData key `%s` is never read: the authenticator reads only `data`, so nothing here is mapped; move it under `data` as a string", [k.key])
}

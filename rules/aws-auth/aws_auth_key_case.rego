package blastwall.rules.aws_auth_key_case

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-key-case",
	"title": "aws-auth entry key not in exact lowercase",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags entry keys such as `roleARN`, `userARN`, `Username` or `Groups`. The strict (JSON) authenticator parser matches keys case-insensitively and reads them; the lenient parser (release-0.5) matches exact lowercase only and ignores them. EKS has behaved like each: `roleARN` stopped working for users without any change on their side.",
	"remediation": "Write the keys exactly `rolearn`, `userarn`, `username` and `groups`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - roleARN: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

# What an entry loses when the lenient parser ignores the key.
loses := {
	"rolearn": "has no role ARN and is dropped",
	"userarn": "has no user ARN and is dropped",
	"username": "gets an empty username",
	"groups": "gets no groups",
	"userid": "has no user id",
	"sso": "has no SSO matcher",
}

deny contains {"msg": msg, "path": f.path, "at": "key"} if {
	some e in a.mappings
	some f in e.fields
	f.canonical
	f.key != f.canonical
	msg := sprintf("key `%s` is not exact lowercase: the strict authenticator parser reads it as `%s`, but the lenient parser ignores it and the entry %s; write `%s`", [f.key, f.canonical, loses[f.canonical], f.canonical])
}

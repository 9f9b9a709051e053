package blastwall.rules.aws_auth_unquoted_template

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-unquoted-template",
	"title": "Unquoted {{...}} template in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a value such as `username: {{SessionName}}` written without quotes. YAML reads an unquoted `{` as the start of a flow mapping, and the two parsers aws-iam-authenticator has shipped disagree: the strict (JSON) parser rejects the whole section, dropping every mapping in it, node roles included; the lenient parser keeps the entry with an empty value. EKS has behaved like each.",
	"remediation": "Quote every value that starts with `{{`: `username: \"{{SessionName}}\"`, or better, give it a fixed prefix: `username: team-a:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: {{SessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: \"team-a:{{SessionName}}\"\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": t.path} if {
	some s in a.sections
	some t in s.unquotedTemplates
	msg := sprintf("`%s` is not quoted, so YAML reads it as a flow mapping: the strict authenticator parser rejects the whole %s section (every mapping in it, node roles included, is dropped) and the lenient parser reads an empty string here; write \"%s\"", [t.text, s.name, t.text])
}

package blastwall.rules.aws_auth_unknown_template

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-unknown-template",
	"title": "Unknown {{...}} template in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "The authenticator replaces exactly five templates in usernames and groups, by exact, case-sensitive text: {{AccountID}}, {{SessionName}}, {{SessionNameRaw}}, {{AccessKeyID}} and {{EC2PrivateDNSName}}. Anything else, such as {{EC2InstanceID}}, {{sessionname}} or {{ SessionName }}, stays in the name as literal text without an error.",
	"remediation": "Use one of the five templates, spelt exactly.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{sessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

known := {"AccountID", "SessionName", "SessionNameRaw", "AccessKeyID", "EC2PrivateDNSName"}

deny contains {"msg": msg, "path": t.path} if {
	some e in a.mappings
	some t in e.templates
	not t.name in known
	not a.placeholder_text(t.text)
	msg := sprintf("`%s` is not a template the authenticator knows (AccountID, SessionName, SessionNameRaw, AccessKeyID, EC2PrivateDNSName, exact case): it stays in the %s as literal text", [t.text, t.field])
}

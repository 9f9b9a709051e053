package blastwall.rules.aws_auth_template_context

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-template-context",
	"title": "{{EC2PrivateDNSName}} outside a node role mapping",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "{{EC2PrivateDNSName}} is resolved only when the caller's session name is an EC2 instance id, which is true for nodes and nothing else; otherwise the authenticator fails the whole authentication. In mapUsers (no session) or on a mapping that is not a node mapping, every login with it fails.",
	"remediation": "Use {{EC2PrivateDNSName}} only in the username `system:node:{{EC2PrivateDNSName}}` of a node role mapping; use {{SessionName}} for people and CI.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{EC2PrivateDNSName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": t.path} if {
	some e in a.mappings
	some t in e.templates
	t.name == "EC2PrivateDNSName"
	e.section == "mapUsers"
	msg := "{{EC2PrivateDNSName}} in mapUsers: an IAM user has no EC2 instance session, so the authenticator fails every authentication for this user"
}

deny contains {"msg": msg, "path": t.path} if {
	some e in a.mappings
	some t in e.templates
	t.name == "EC2PrivateDNSName"
	e.section == "mapRoles"
	not e.node
	msg := sprintf("{{EC2PrivateDNSName}} on %s, which is not a node mapping: unless the session name is an EC2 instance id the authenticator fails the whole authentication", [a.who(e)])
}

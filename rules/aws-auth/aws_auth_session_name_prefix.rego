package blastwall.rules.aws_auth_session_name_prefix

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-session-name-prefix",
	"title": "aws-auth username starts with the caller-chosen session name",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a username that contains {{SessionName}} or {{SessionNameRaw}} without a fixed prefix ending in `:` before it. Whoever assumes the role chooses the session name, so they can become any username that fits, such as another person's, and inherit that user's RBAC bindings. EKS access entries require a `:` before {{SessionName}} for this reason.",
	"remediation": "Put a fixed prefix ending in `:` first: `team-a:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: \"{{SessionName}}\"\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": t.path} if {
	some e in a.mappings
	some t in e.templates
	t.field == "username"
	t.name in {"SessionName", "SessionNameRaw"}
	not endswith(t.prefix, ":")
	msg := sprintf("username `%s` lets the caller choose it: %s comes from the session name the caller picks, with no fixed prefix ending in `:` before it, so anyone who can assume this role can take another user's name and RBAC bindings; write e.g. `team-a:%s`", [e.username, t.text, t.text])
}

package blastwall.rules.aws_auth_reserved_username

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-reserved-username",
	"title": "aws-auth maps a principal to a reserved username",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags usernames starting with `system:`, `eks:`, `aws:`, `amazon:` or `iam:` outside node mappings. Kubernetes and EKS bind RBAC to built-in users with those prefixes (`system:kube-controller-manager`, `eks:k8s-metrics`), so the principal inherits their permissions; EKS access entries reject such usernames.",
	"remediation": "Give the mapping a username of your own, such as `team-a:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: system:admin\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

prefixes := ["system:", "eks:", "aws:", "amazon:", "iam:"]

deny contains {"msg": msg, "path": e.usernamePath} if {
	some e in a.mappings
	not e.node
	some p in prefixes
	startswith(e.username, p)
	msg := sprintf("username `%s` has the reserved prefix `%s`: the caller inherits whatever Kubernetes and EKS bind to built-in users with that name, and EKS access entries reject it; use a username of your own", [e.username, p])
}

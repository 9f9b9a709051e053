package blastwall.rules.aws_auth_system_masters

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-system-masters",
	"title": "aws-auth maps a principal to system:masters",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags any mapping to the `system:masters` group. Kubernetes hard-codes that group to unrestricted access: it bypasses RBAC and webhook authorization, and no binding can take it away. Roles declared as administrators in the blastwall config (admins.iamRoles) are allowed.",
	"remediation": "Map the principal to a group of your own and bind that group to the `cluster-admin` ClusterRole, which can be revoked; or declare the role under admins.iamRoles in the blastwall config.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [system:masters]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:admins]\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	g.value == "system:masters"
	not allowed(e)
	msg := sprintf("%s is mapped to system:masters: Kubernetes grants that group every permission, bypassing RBAC, and no binding can take it away; bind a group of your own to cluster-admin instead, or declare the role under admins.iamRoles", [a.who(e)])
}

allowed(e) if {
	e.section == "mapRoles"
	a.is_admin_role(e.arn)
}

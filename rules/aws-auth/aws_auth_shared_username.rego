package blastwall.rules.aws_auth_shared_username

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-shared-username",
	"title": "One username for several aws-auth principals",
	"severity": "warning",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags two different ARNs mapped to the same fixed username (names with a template are per session and excluded). Kubernetes then sees one user: audit logs cannot tell the principals apart, and any RBAC binding to that user applies to both.",
	"remediation": "Give each principal its own username, for example `<team>:{{SessionName}}`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: deployer\n      groups: [team-a:deployers]\n    - rolearn: arn:aws:iam::210987654321:role/team-b\n      username: deployer\n      groups: [team-b:deployers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:deployers]\n    - rolearn: arn:aws:iam::210987654321:role/team-b\n      username: team-b:{{SessionName}}\n      groups: [team-b:deployers]\n",
	},
}

# facts: sharedUsername is the first principal (mapRoles, then mapUsers) with the
# same fixed username and another ARN.
deny contains {"msg": msg, "path": e.usernamePath, "related": [{"path": first.usernamePath, "msg": sprintf("also used by %s", [first.arn])}]} if {
	some e in a.mappings
	first := e.sharedUsername
	msg := sprintf("username `%s` is also used by %s: Kubernetes sees one username: RBAC bindings to it apply to both, and the audit log tells %s from it only by the caller's ARN in the user's extra fields", [e.username, first.arn, e.arn])
}

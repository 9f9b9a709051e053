package blastwall.rules.aws_auth_node_role_shape

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-node-role-shape",
	"title": "aws-auth node mapping with the wrong shape",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "The Kubernetes Node authorizer needs both the username `system:node:<node name>` and the group `system:nodes`. A mapping that grants system:nodes must therefore have the username `system:node:{{EC2PrivateDNSName}}` (EC2 nodes) or `system:node:{{SessionName}}` (Fargate, hybrid nodes), and a `system:node:` username needs both system:bootstrappers and system:nodes. Otherwise kubelets using the role are denied and nodes never become Ready.",
	"remediation": "Write node mappings exactly as EKS does: `username: system:node:{{EC2PrivateDNSName}}` with groups `system:bootstrappers` and `system:nodes`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: eks-node\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

deny contains {"msg": msg, "path": path} if {
	some e in a.mappings
	"system:nodes" in e.groups
	not e.username in a.node_usernames
	path := object.get(e, "usernamePath", e.path)
	msg := sprintf("%s grants system:nodes, but its username is `%s`, not system:node:{{EC2PrivateDNSName}} (EC2) or system:node:{{SessionName}} (Fargate): the Node authorizer denies kubelets whose username is not system:node:<name>, so nodes using this role cannot work", [a.who(e), object.get(e, "username", "")])
}

deny contains {"msg": msg, "path": path} if {
	some e in a.mappings
	startswith(e.username, "system:node:")
	missing := [g | some g in ["system:bootstrappers", "system:nodes"]; not g in e.groups]
	count(missing) > 0
	path := object.get(e, "groupsPath", e.path)
	msg := sprintf("node username `%s` without the group %s: kubelets using this role authenticate but cannot bootstrap or are denied by the Node authorizer; node mappings need system:bootstrappers and system:nodes", [e.username, concat(" and ", missing)])
}

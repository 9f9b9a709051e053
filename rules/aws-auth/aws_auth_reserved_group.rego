package blastwall.rules.aws_auth_reserved_group

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-reserved-group",
	"title": "aws-auth maps a principal to a reserved system group",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags groups starting with `system:` or `eks:` (other than system:masters, which has its own rule) outside the node groups of a node mapping. The principal inherits everything Kubernetes and EKS bind to those built-in groups (service accounts, nodes, controllers), and EKS access entries reject such groups, so the mapping cannot be migrated.",
	"remediation": "Map people and CI to groups of your own (`team-a:developers`) bound with RBAC. Node roles carry only system:bootstrappers, system:nodes, and for Fargate system:node-proxier (Windows: eks:kube-proxy-windows).",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [system:serviceaccounts]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

# A name with white space is a merged list (aws-auth-merged-groups), not a group.
reserved(g) if {
	startswith(g, "system:")
	not a.has_space(g)
}

reserved(g) if {
	startswith(g, "eks:")
	not a.has_space(g)
}

deny contains {"msg": msg, "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	reserved(g.value)
	g.value != "system:masters"
	not e.node
	msg := sprintf("%s is mapped to the reserved group %s: it inherits everything Kubernetes and EKS bind to that built-in group, and EKS access entries reject it; use a group of your own", [a.who(e), g.value])
}

deny contains {"msg": msg, "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	reserved(g.value)
	g.value != "system:masters"
	e.node
	not g.value in a.node_groups
	msg := sprintf("node mapping %s also gets the reserved group %s: every node (and anyone who can assume the node role) inherits what is bound to it; nodes need only system:bootstrappers and system:nodes", [e.arn, g.value])
}

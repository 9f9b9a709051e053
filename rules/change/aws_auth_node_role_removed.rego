package blastwall.rules.aws_auth_node_role_removed

import data.blastwall.lib.change

metadata := {
	"id": "aws-auth-node-role-removed",
	"title": "aws-auth node mapping removed or altered",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of aws-auth that removes a node or Fargate mapping (an entry whose username is system:node:… or whose groups include system:nodes), or changes its username or groups. Kubelets authenticate with these mappings: without them, or with a wrong username or group, nodes can no longer register or renew their leases, go NotReady, and their pods are evicted. EKS system identities (the control plane removing the mapping of a managed node group it deletes) are let through. A section that stops parsing is reported by aws-auth-section-broken instead.",
	"remediation": "Keep node mappings exactly as EKS writes them (`username: system:node:{{EC2PrivateDNSName}}`, groups system:bootstrappers and system:nodes). Remove a node role only after its node group is gone, or after an EKS access entry of type EC2_LINUX / FARGATE_LINUX replaces it.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n---\n# after: the node role is gone\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: \"\"\n",
		"good": "# after: the node role is kept, a team role is added\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n    - rolearn: arn:aws:iam::210987654321:role/payroll-dev\n      username: payroll-dev:{{SessionName}}\n      groups: [payroll:devs]\n",
	},
}

deny contains {"msg": msg, "path": s.path} if {
	change.op == "UPDATE"
	not change.requester.system == true
	some [name, s] in change.sections
	some p in s.removed
	p.node == true
	msg := sprintf("node mapping of %s removed from %s by %s (it had %s): unless an EKS access entry admits the role, nodes using it can no longer authenticate, so they go NotReady and new ones cannot join", [change.principal(name, p.arn), name, change.who, change.mapping(p)])
}

deny contains {"msg": msg, "path": c.new.path} if {
	change.op == "UPDATE"
	not change.requester.system == true
	some [name, s] in change.sections
	some c in s.changed
	c.old.node == true
	msg := sprintf("node mapping of %s in %s changed by %s: %s → %s; kubelets need username system:node:… and the groups system:bootstrappers and system:nodes", [change.principal(name, c.arn), name, change.who, change.mapping(c.old), change.mapping(c.new)])
}

package blastwall.rules.aws_auth_merged_groups

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-merged-groups",
	"title": "aws-auth group name with white space",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a group containing white space, typically `system:bootstrappers - system:nodes`: a list item indented deeper than the one before it is folded into that item's text by YAML. The authenticator grants one group with that odd name, and none of the groups that were meant.",
	"remediation": "Indent every item of the groups list the same way, one group per item.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n          - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	a.has_space(g.value)
	not a.placeholder_text(g.value)
	msg := sprintf("group `%s` contains white space: YAML folded a mis-indented list item into it, so the authenticator grants this one odd group name and none of the groups meant; put each group on its own `- ` line at the same indentation", [g.value])
}

package blastwall.rules.aws_auth_multiple_documents

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-multiple-documents",
	"title": "Several YAML documents in one aws-auth section",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a `---` document separator inside mapRoles, mapUsers or mapAccounts, usually from concatenating two generated snippets. The authenticator reads only the first document, so every mapping after the separator is ignored.",
	"remediation": "Remove the `---` line and keep all entries in one list.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n    ---\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": s.path} if {
	some s in a.sections
	some d in s.extraDocuments
	msg := sprintf("%s holds a second YAML document (from line %d of the block): the authenticator reads only the first, so every mapping after the `---` is ignored", [s.name, d.line])
}

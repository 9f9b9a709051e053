package blastwall.rules.aws_auth_unparseable

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-unparseable",
	"title": "aws-auth section the authenticator cannot parse",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Parses data.mapRoles, data.mapUsers and data.mapAccounts of the aws-auth ConfigMap as aws-iam-authenticator does (go-yaml v2) and reports a YAML error at its position in the file, or a section that is not a list. The API server does not look inside these strings, so a typo is accepted; the authenticator then drops the whole section, node roles included, and every principal in it is denied (nodes go NotReady).",
	"remediation": "Fix the YAML at the reported position. Each section is a YAML list written as a literal block (`mapRoles: |`) whose items are indented consistently.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n     groups:\n        - system:bootstrappers\n        - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

deny contains {"msg": msg, "path": s.parseError.path} if {
	some s in a.sections
	s.parseError
	msg := sprintf("%s is not valid YAML (line %d of the block: %s); the authenticator rejects the whole %s section, so every mapping in it, node roles included, is dropped and those principals lose the access it gave them", [s.name, s.parseError.line, s.parseError.message, s.name])
}

deny contains {"msg": msg, "path": s.path} if {
	some s in a.sections
	s.notList
	msg := sprintf("%s holds a %s, not a list; the authenticator cannot decode it and drops the whole %s section, node roles included", [s.name, s.notList, s.name])
}

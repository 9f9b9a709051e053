package blastwall.rules.aws_auth_delete

import data.blastwall.lib.change

metadata := {
	"id": "aws-auth-delete",
	"title": "Deleting the aws-auth ConfigMap",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["DELETE"]},
	"description": "Fires on DELETE of kube-system/aws-auth. aws-iam-authenticator resets its mappings to empty when the ConfigMap is deleted: every IAM role and user it mapped loses access at once, the worker nodes' roles included, so nodes go NotReady and only principals with access entries (or the cluster creator) can still reach the API server to repair it. The delete is allowed only when the live object already carries the annotation `blastwall.dev/allow-delete: \"true\"` (for example after migrating every mapping to EKS access entries).",
	"remediation": "Edit the mappings instead of deleting the ConfigMap. To retire aws-auth after moving to access entries, first annotate the live ConfigMap with `blastwall.dev/allow-delete: \"true\"`, then delete it.",
	"example": {
		"bad": "# kubectl delete configmap aws-auth -n kube-system, with the live object:\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n",
		"good": "# the live object is annotated before the delete:\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n  annotations:\n    blastwall.dev/allow-delete: \"true\"\ndata:\n  mapRoles: \"\"\n",
	},
}

deny contains {"msg": msg, "path": []} if {
	change.op == "DELETE"
	input.facts.awsAuthOld.isAwsAuth == true
	not change.delete_allowed(change.old)
	entries := [e | some e in input.facts.awsAuthOld.entries; is_string(e.arn)]
	nodes := [e | some e in entries; e.node == true]
	accounts := [a | some a in input.facts.awsAuthOld.sections.mapAccounts.accounts]
	msg := sprintf("deleting ConfigMap kube-system/aws-auth by %s removes all %d IAM mappings it holds (%d of them node roles) and %d mapped accounts: every principal it mapped, nodes included, loses that access (only those an EKS access entry admits get in); annotate the live object with blastwall.dev/allow-delete: \"true\" first if this is intended", [change.who, count(entries), count(nodes), count(accounts)])
}

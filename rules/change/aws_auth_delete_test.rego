package blastwall.rules.aws_auth_delete_test

import data.blastwall.rules.aws_auth_delete

aws_auth(annotations) := {
	"apiVersion": "v1", "kind": "ConfigMap",
	"metadata": {"name": "aws-auth", "namespace": "kube-system", "annotations": annotations},
}

old_facts := {
	"isAwsAuth": true,
	"entries": [
		{"arn": "arn:aws:iam::111122223333:role/eks-node", "node": true},
		{"arn": "arn:aws:iam::111122223333:role/sre-admin", "node": false},
	],
	"sections": {"mapAccounts": {"accounts": []}},
}

review(op, annotations) := {
	"review": {"operation": op, "object": null, "oldObject": aws_auth(annotations)},
	"facts": {"awsAuthOld": old_facts, "change": {"requester": {"username": "alice", "products": [], "admin": false, "system": false}}},
}

test_delete_is_denied if {
	aws_auth_delete.deny == {{
		"msg": "deleting ConfigMap kube-system/aws-auth by alice removes all 2 IAM mappings it holds (1 of them node roles) and 0 mapped accounts: every principal it mapped, nodes included, loses that access (only those an EKS access entry admits get in); annotate the live object with blastwall.dev/allow-delete: \"true\" first if this is intended",
		"path": [],
	}} with input as review("DELETE", {})
}

test_annotated_delete_is_allowed if {
	count(aws_auth_delete.deny) == 0 with input as review("DELETE", {"blastwall.dev/allow-delete": "true"})
}

test_update_is_not_a_delete if {
	count(aws_auth_delete.deny) == 0 with input as review("UPDATE", {})
}

test_other_configmaps_are_ignored if {
	inp := {
		"review": {"operation": "DELETE", "object": null, "oldObject": {"kind": "ConfigMap", "metadata": {"name": "x"}}},
		"facts": {"change": {"requester": {"username": "alice", "products": [], "admin": false, "system": false}}},
	}
	count(aws_auth_delete.deny) == 0 with input as inp
}

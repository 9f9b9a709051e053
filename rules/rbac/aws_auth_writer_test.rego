package blastwall.rules.aws_auth_writer_test

import data.blastwall.rules.aws_auth_writer as rule

role(kind, namespace, rules) := {"review": {"operation": "CREATE", "namespace": namespace, "object": {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "editor", "namespace": namespace},
	"rules": rules,
}}}

test_kube_system_role_writing_configmaps_points_at_the_resource if {
	doc := role("Role", "kube-system", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["services", "configmaps"], "verbs": ["get", "patch", "update"]},
	])
	rule.deny == {{
		"msg": "Role kube-system/editor rule 1 can patch, update every ConfigMap in kube-system, aws-auth included: whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out",
		"path": ["rules", 1, "resources", 1],
	}} with input as doc
}

test_resource_name_aws_auth_points_at_the_name if {
	doc := role("Role", "kube-system", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["coredns", "aws-auth"], "verbs": ["update"]}])
	rule.deny == {{
		"msg": "Role kube-system/editor rule 0 can update the aws-auth ConfigMap: whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out",
		"path": ["rules", 0, "resourceNames", 1],
	}} with input as doc
}

test_cluster_roles_and_wildcards_count if {
	doc := {"review": {"object": {"kind": "ClusterRole", "metadata": {"name": "ops"}, "rules": [
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
		{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["delete"]},
	]}}}
	{f.path | some f in rule.deny} == {["rules", 0, "resources", 0], ["rules", 1, "resources", 0]} with input as doc
	some f in rule.deny with input as doc
	f.path == ["rules", 1, "resources", 0]
	startswith(f.msg, "ClusterRole ops rule 1 can delete every ConfigMap in every namespace, kube-system/aws-auth included: ")
}

test_namespace_of_the_request_counts_when_the_role_has_none if {
	doc := {"review": {"namespace": "kube-system", "object": {"kind": "Role", "metadata": {"name": "x"}, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}]}}}
	count(rule.deny) == 1 with input as doc
}

test_safe_roles_are_fine if {
	other_ns := role("Role", "shop", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["update", "patch", "delete"]}])
	count(rule.deny) == 0 with input as other_ns
	read_only := role("Role", "kube-system", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}])
	count(rule.deny) == 0 with input as read_only
	named := role("Role", "kube-system", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["coredns"], "verbs": ["update"]}])
	count(rule.deny) == 0 with input as named
	other_group := role("Role", "kube-system", [{"apiGroups": ["example.com"], "resources": ["configmaps"], "verbs": ["update"]}])
	count(rule.deny) == 0 with input as other_group
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

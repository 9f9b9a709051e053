package blastwall.rules.aws_auth_writer_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.aws_auth_writer as rule

configmaps(index, verbs, names) := k.entry(index, {
	"apiGroups": [""], "resources": ["services", "configmaps"], "verbs": verbs, "verbsApplied": verbs,
	"resourceNames": names, "writesAwsAuth": true,
})

test_kube_system_role_writing_configmaps_points_at_the_resource if {
	doc := k.role("Role", "kube-system", "editor", [k.entry(0, {}), configmaps(1, ["get", "patch", "update"], [])], {"reachesKubeSystem": true})
	rule.deny == {{
		"msg": "Role kube-system/editor rule 1 can patch, update every ConfigMap in kube-system, aws-auth included: whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out",
		"path": ["rules", 1, "resources", 1],
	}} with input as doc
}

test_resource_name_aws_auth_points_at_the_name if {
	doc := k.role("Role", "kube-system", "editor", [configmaps(0, ["update"], ["coredns", "aws-auth"])], {"reachesKubeSystem": true})
	rule.deny == {{
		"msg": "Role kube-system/editor rule 0 can update the aws-auth ConfigMap: whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out",
		"path": ["rules", 0, "resourceNames", 1],
	}} with input as doc
}

test_delete_only_does_not_claim_remapping if {
	doc := k.role("ClusterRole", "", "cleaner", [configmaps(0, ["delete"], [])], {})
	rule.deny == {{
		"msg": "ClusterRole cleaner rule 0 can delete every ConfigMap in every namespace, kube-system/aws-auth included: whoever holds it can delete it and lock every node and user out of the cluster",
		"path": ["rules", 0, "resources", 1],
	}} with input as doc
}

test_wildcard_entries_are_left_to_rbac_wildcard if {
	e := object.union(configmaps(0, ["*"], []), {"wildcards": [k.wildcard(0, "verbs", 0)]})
	doc := k.role("ClusterRole", "", "ops", [e], {})
	count(rule.deny) == 0 with input as doc
}

test_entries_that_do_not_write_aws_auth_are_fine if {
	doc := k.role("Role", "shop", "editor", [k.entry(0, {"resources": ["configmaps"], "verbsApplied": ["update"]})], {})
	count(rule.deny) == 0 with input as doc
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

package blastwall.rules.missing_resource_limits_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.missing_resource_limits as rule

with_resources(name, resources) := object.union(object.remove(k.hardened(name), ["resources"]), {"resources": resources})

test_no_resources_points_at_the_container if {
	doc := k.review("Deployment", {"containers": [object.remove(k.hardened("app"), ["resources"])]})
	rule.deny == {{
		"msg": "container 'app' has no CPU or memory limit (unless a LimitRange of its namespace sets a default): it can use all of the node's free memory and spare CPU, and the kernel's OOM killer and the kubelet's evictions may then hit other pods",
		"path": ["spec", "template", "spec", "containers", 0],
	}} with input as doc
}

test_requests_only_points_at_resources if {
	doc := k.review("Pod", {"containers": [with_resources("app", {"requests": {"cpu": "100m", "memory": "64Mi"}})]})
	{f.path | some f in rule.deny} == {["spec", "containers", 0, "resources"]} with input as doc
}

test_one_missing_limit_points_at_limits if {
	doc := k.review("CronJob", {
		"initContainers": [with_resources("setup", {"limits": {"cpu": "1"}})],
		"containers": [with_resources("app", {"limits": {"memory": "1Gi"}})],
	})
	rule.deny == {
		{
			"msg": "init container 'setup' has no memory limit (unless a LimitRange of its namespace sets a default): it can use all of the node's free memory, and the kernel's OOM killer and the kubelet's evictions may then hit other pods",
			"path": ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "resources", "limits"],
		},
		{
			"msg": "container 'app' has no CPU limit (unless a LimitRange of its namespace sets a default): it can use every spare core of the node, beyond what it was scheduled for",
			"path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "resources", "limits"],
		},
	} with input as doc
}

test_ephemeral_containers_cannot_have_limits_and_are_skipped if {
	doc := k.review("Pod", {"containers": [k.hardened("app")], "ephemeralContainers": [{"name": "dbg", "image": "x:1"}]})
	count(rule.deny) == 0 with input as doc
}

test_both_limits_everywhere_is_fine if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {"initContainers": [k.hardened("setup")], "containers": [k.hardened("app"), k.hardened("sidecar")]})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

limited(config, resources) := {f.msg |
	doc := k.review("Pod", {"containers": [with_resources("app", {"limits": resources})]})
	some f in rule.deny with input as doc with data.blastwall.config as config
}

memory_only := {"rules": {"missing-resource-limits": {"params": {"resources": ["memory"]}}}}

test_the_resources_parameter_chooses_the_limits_required if {
	limited(memory_only, {"memory": "1Gi"}) == set()
	limited(memory_only, {"cpu": "1"}) == {"container 'app' has no memory limit (unless a LimitRange of its namespace sets a default): it can use all of the node's free memory, and the kernel's OOM killer and the kubelet's evictions may then hit other pods"}
	limited({}, {"memory": "1Gi"}) == {"container 'app' has no CPU limit (unless a LimitRange of its namespace sets a default): it can use every spare core of the node, beyond what it was scheduled for"}
}

test_ephemeral_storage_can_be_required if {
	config := {"rules": {"missing-resource-limits": {"params": {"resources": ["cpu", "memory", "ephemeral-storage"]}}}}
	limited(config, {"cpu": "1", "memory": "1Gi"}) == {"container 'app' has no ephemeral-storage limit (unless a LimitRange of its namespace sets a default): it can fill the node's disk, and the kubelet's evictions may then hit other pods"}
	limited(config, {"cpu": "1"}) == {"container 'app' has no ephemeral-storage or memory limit (unless a LimitRange of its namespace sets a default): it can use more of the node than it was scheduled for, and its neighbours may pay for it"}
	limited(config, {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "2Gi"}) == set()
}

test_no_required_resources_flags_nothing if {
	limited({"rules": {"missing-resource-limits": {"params": {"resources": []}}}}, {}) == set()
}

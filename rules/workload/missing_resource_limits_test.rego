package blastwall.rules.missing_resource_limits_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.missing_resource_limits as rule

with_resources(name, resources) := object.union(object.remove(k.hardened(name), ["resources"]), {"resources": resources})

test_no_resources_points_at_the_container if {
	doc := k.review("Deployment", {"containers": [object.remove(k.hardened("app"), ["resources"])]})
	rule.deny == {{
		"msg": "container 'app' has no CPU or memory limit: it can take all of the node's memory and spare CPU, and the OOM killer and evictions then hit other pods",
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
			"msg": "init container 'setup' has no memory limit: it can take all of the node's memory, and the OOM killer and evictions then hit other pods",
			"path": ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "resources", "limits"],
		},
		{
			"msg": "container 'app' has no CPU limit: it can take every spare core of the node and slow down other pods",
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

package blastwall.rules.run_as_root_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.run_as_root as rule

# A container with the given securityContext and nothing else that matters here.
with_sc(name, sc) := {"name": name, "image": "x:1", "securityContext": sc}

test_run_as_user_zero_on_the_pod_points_at_it if {
	doc := k.review("Deployment", {"securityContext": {"runAsUser": 0}, "containers": [with_sc("app", {})]})
	rule.deny == {{
		"msg": "container 'app' runs as root (runAsUser: 0): a container escape or a runtime bug gives root on the node",
		"path": ["spec", "template", "spec", "securityContext", "runAsUser"],
		"severity": "warning",
	}} with input as doc
}

# In a user namespace the container's root is not the node's.
test_with_host_users_false_root_is_not_the_node_s_root if {
	doc := k.review("Pod", {"hostUsers": false, "containers": [with_sc("app", {"runAsUser": 0}), with_sc("side", {})]})
	{[f.msg, f.severity] | some f in rule.deny} == {
		["container 'app' runs as root (runAsUser: 0): root in the container is an unprivileged user of the node (hostUsers: false), so an escape gives that user, not root", "info"],
		["container 'side' may run as root: runAsNonRoot is not true and no runAsUser is set, so the image's user applies: root in the container is an unprivileged user of the node (hostUsers: false), so an escape gives that user, not root", "info"],
	} with input as doc
}

test_run_as_user_zero_on_the_container_points_at_it if {
	doc := k.review("Pod", {"securityContext": {"runAsNonRoot": true, "runAsUser": 1000}, "containers": [with_sc("app", {"runAsUser": 0})]})
	{f.path | some f in rule.deny} == {["spec", "containers", 0, "securityContext", "runAsUser"]} with input as doc
}

test_container_overrides_the_pod if {
	# The pod says root, the container says otherwise: the container wins.
	doc := k.review("Pod", {"securityContext": {"runAsUser": 0}, "containers": [with_sc("app", {"runAsUser": 1000})]})
	count(rule.deny) == 0 with input as doc
}

test_container_run_as_non_root_false_overrides_the_pod if {
	doc := k.review("CronJob", {"securityContext": {"runAsNonRoot": true}, "containers": [with_sc("job", {"runAsNonRoot": false})]})
	rule.deny == {{
		"msg": "container 'job' may run as root: runAsNonRoot is not true and no runAsUser is set, so the image's user applies: if that is root, a container escape or a runtime bug gives root on the node",
		"path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"],
		"severity": "warning",
	}} with input as doc
}

test_nothing_set_points_at_the_security_context_or_the_container if {
	doc := k.review("Pod", {
		"initContainers": [{"name": "setup", "image": "x:1"}],
		"containers": [with_sc("app", {"readOnlyRootFilesystem": true})],
	})
	{f.path | some f in rule.deny} == {
		["spec", "initContainers", 0],
		["spec", "containers", 0, "securityContext"],
	} with input as doc
}

test_pod_level_run_as_non_root_covers_every_container if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {
			"securityContext": {"runAsNonRoot": true},
			"initContainers": [with_sc("setup", {})],
			"containers": [{"name": "app", "image": "x:1"}],
			"ephemeralContainers": [{"name": "dbg", "image": "x:1"}],
		})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_a_non_zero_user_is_not_root if {
	doc := k.review("Pod", {"securityContext": {"runAsUser": 65534}, "containers": [with_sc("app", {})]})
	count(rule.deny) == 0 with input as doc
}

test_ephemeral_containers_are_checked if {
	doc := k.review("Pod", {"containers": [k.hardened("app")], "ephemeralContainers": [with_sc("dbg", {"runAsUser": 0})]})
	{f.path | some f in rule.deny} == {["spec", "ephemeralContainers", 0, "securityContext", "runAsUser"]} with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

test_windows_pods_have_no_root_to_default_to if {
	doc := k.review("Pod", {"os": {"name": "windows"}, "containers": [with_sc("app", {})]})
	count(rule.deny) == 0 with input as doc
}

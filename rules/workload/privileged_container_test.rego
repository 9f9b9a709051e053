package blastwall.rules.privileged_container_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.privileged_container as rule

privileged(name) := k.container(name, {"securityContext": {"privileged": true}})

test_privileged_container_is_reported_in_every_kind if {
	reported := {kind |
		some kind in k.kinds
		doc := k.review(kind, {"containers": [k.hardened("web"), privileged("app")]})
		rule.deny == {{
			"msg": "container 'app' runs privileged: it gets every capability and every host device, without seccomp or AppArmor confinement, so root in it can take over the node",
			"path": array.concat(k.spec_path(kind), ["containers", 1, "securityContext", "privileged"]),
		}} with input as doc
	}
	reported == k.kind_set
}

test_init_and_ephemeral_containers_are_reported if {
	doc := k.review("Deployment", {
		"initContainers": [privileged("setup")],
		"containers": [k.hardened("app")],
		"ephemeralContainers": [privileged("debugger")],
	})
	paths := {f.path | some f in rule.deny} with input as doc
	paths == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "privileged"],
	}
	some f in rule.deny with input as doc
	startswith(f.msg, "init container 'setup' runs privileged")
}

test_privileged_false_or_absent_is_fine if {
	doc := k.review("Pod", {"containers": [
		k.container("a", {"securityContext": {"privileged": false}}),
		{"name": "b", "image": "x:1"},
	]})
	count(rule.deny) == 0 with input as doc
}

test_a_string_is_not_privileged if {
	# A quoted "true" is rejected by the API server; only the boolean counts.
	doc := k.review("Pod", {"containers": [k.container("a", {"securityContext": {"privileged": "true"}})]})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

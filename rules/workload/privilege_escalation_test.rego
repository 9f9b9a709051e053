package blastwall.rules.privilege_escalation_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.privilege_escalation as rule

test_explicit_true_points_at_the_value if {
	doc := k.review("Pod", {"containers": [k.container("app", {"securityContext": {"allowPrivilegeEscalation": true}})]})
	rule.deny == {{
		"msg": "container 'app' sets allowPrivilegeEscalation: true: no_new_privs is not set, so a setuid or file-capability binary in the image can give a compromised process more privileges than it started with",
		"path": ["spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"],
	}} with input as doc
}

test_absent_counts_and_points_at_the_security_context if {
	doc := k.review("CronJob", {"containers": [{"name": "job", "image": "x:1", "securityContext": {"runAsNonRoot": true}}]})
	rule.deny == {{
		"msg": "container 'job' does not set allowPrivilegeEscalation: false, and it defaults to true: no_new_privs is not set, so a setuid or file-capability binary in the image can give a compromised process more privileges than it started with",
		"path": ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext"],
	}} with input as doc
}

test_without_security_context_points_at_the_container if {
	doc := k.review("Deployment", {"initContainers": [{"name": "setup", "image": "x:1"}], "containers": [k.hardened("app")]})
	some f in rule.deny with input as doc
	f.path == ["spec", "template", "spec", "initContainers", 0]
	startswith(f.msg, "init container 'setup' does not set allowPrivilegeEscalation: false")
	count(rule.deny) == 1 with input as doc
}

test_ephemeral_containers_are_checked if {
	doc := k.review("Pod", {"containers": [k.hardened("app")], "ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}]})
	{f.path | some f in rule.deny} == {["spec", "ephemeralContainers", 0]} with input as doc
}

test_false_everywhere_is_fine if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {"initContainers": [k.hardened("setup")], "containers": [k.hardened("app")]})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_privileged_containers_are_left_to_privileged_container if {
	doc := k.review("Pod", {"containers": [{"name": "app", "image": "x:1", "securityContext": {"privileged": true}}]})
	count(rule.deny) == 0 with input as doc
}

test_windows_pods_are_skipped if {
	doc := k.review("Pod", {"os": {"name": "windows"}, "containers": [{"name": "app", "image": "x:1"}]})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

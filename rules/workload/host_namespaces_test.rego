package blastwall.rules.host_namespaces_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.host_namespaces as rule

test_each_shared_namespace_is_one_finding if {
	doc := k.review("DaemonSet", {"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [k.hardened("agent")]})
	{f.path | some f in rule.deny} == {
		["spec", "template", "spec", "hostNetwork"],
		["spec", "template", "spec", "hostPID"],
		["spec", "template", "spec", "hostIPC"],
	} with input as doc
}

test_host_pid_message_says_what_the_pod_can_do if {
	doc := k.review("Pod", {"hostPID": true, "containers": [k.hardened("app")]})
	rule.deny == {{
		"msg": "pod sets hostPID: true: it sees every process on the node with its command line, and can signal or inspect those its user and capabilities allow, such as reading the environment of other pods' processes that run as the same user",
		"path": ["spec", "hostPID"],
	}} with input as doc
}

test_host_network_in_a_cronjob if {
	doc := k.review("CronJob", {"hostNetwork": true, "containers": [k.hardened("app")]})
	{f.path | some f in rule.deny} == {["spec", "jobTemplate", "spec", "template", "spec", "hostNetwork"]} with input as doc
}

test_false_or_absent_is_fine if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {"hostNetwork": false, "hostIPC": false, "containers": [k.hardened("app")]})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

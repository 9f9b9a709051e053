package blastwall.rules.host_port_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.host_port as rule

test_host_port_points_at_the_port if {
	doc := k.review("Deployment", {"containers": [k.container("api", {"ports": [{"containerPort": 9090}, {"containerPort": 8080, "hostPort": 80}]})]})
	rule.deny == {{
		"msg": "container 'api' opens port 80 on the node's IP and forwards it to the pod (hostPort): anything that can reach the node on that port reaches the pod, beside any Service",
		"path": ["spec", "template", "spec", "containers", 0, "ports", 1, "hostPort"],
	}} with input as doc
}

test_with_host_network_the_port_is_the_node_s_own if {
	doc := k.review("DaemonSet", {"hostNetwork": true, "containers": [k.container("proxy", {"ports": [{"containerPort": 9100, "hostPort": 9100}]})]})
	rule.deny == {{
		"msg": "container 'proxy' declares hostPort 9100 and runs in the node's network (hostNetwork): what it listens on there is open on the node's addresses to anything that can reach the node",
		"path": ["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"],
	}} with input as doc
}

test_init_containers_in_a_cronjob if {
	doc := k.review("CronJob", {"initContainers": [k.container("setup", {"ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP"}]})], "containers": [k.hardened("app")]})
	{f.path | some f in rule.deny} == {["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "ports", 0, "hostPort"]} with input as doc
}

test_container_ports_and_zero_are_fine if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {"containers": [k.container("api", {"ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0}]})]})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_malformed_ports_do_not_break_evaluation if {
	doc := k.review("Pod", {"containers": [k.container("api", {"ports": "8080"})]})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

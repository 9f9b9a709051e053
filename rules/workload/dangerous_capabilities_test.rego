package blastwall.rules.dangerous_capabilities_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.dangerous_capabilities as rule

adding(name, caps) := k.container(name, {"securityContext": {"capabilities": {"add": caps}}})

test_each_dangerous_capability_points_at_its_entry if {
	doc := k.review("Deployment", {"containers": [adding("vpn", ["NET_BIND_SERVICE", "NET_ADMIN", "CHOWN", "SYS_PTRACE"])]})
	rule.deny == {
		{
			"msg": "container 'vpn' adds capability NET_ADMIN: it can reconfigure interfaces, routes and iptables to intercept or redirect traffic",
			"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1],
		},
		{
			"msg": "container 'vpn' adds capability SYS_PTRACE: it can trace and inject code into other processes it can see",
			"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 3],
		},
	} with input as doc
}

test_names_are_read_as_the_runtime_reads_them if {
	doc := k.review("Pod", {"containers": [adding("app", ["cap_sys_admin", "CAP_BPF", "sys_module", " all "])]})
	{f.path[6] | some f in rule.deny} == {0, 1, 2, 3} with input as doc
	some f in rule.deny with input as doc
	f.msg == "container 'app' adds capability cap_sys_admin: it can mount filesystems, use namespaces and cgroup tricks that are known container escapes"
}

test_all_is_as_good_as_privileged if {
	doc := k.review("CronJob", {"initContainers": [adding("setup", ["ALL"])], "containers": [k.hardened("app")]})
	rule.deny == {{
		"msg": "init container 'setup' adds capability ALL: it can use every capability, like a privileged container, and take over the node",
		"path": ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "securityContext", "capabilities", "add", 0],
	}} with input as doc
}

test_ephemeral_containers_are_checked if {
	doc := k.review("Pod", {"containers": [k.hardened("app")], "ephemeralContainers": [adding("dbg", ["NET_RAW"])]})
	{f.path | some f in rule.deny} == {["spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 0]} with input as doc
}

test_harmless_capabilities_and_drops_are_fine if {
	doc := k.review("Pod", {"containers": [k.container("web", {"securityContext": {"capabilities": {"drop": ["ALL", "SYS_ADMIN"], "add": ["NET_BIND_SERVICE", "CHOWN"]}}})]})
	count(rule.deny) == 0 with input as doc
}

test_similar_names_are_not_confused if {
	doc := k.review("Pod", {"containers": [adding("app", ["SYS_ADMINISTRATOR", "NET_ADMIN_X", "XALL"])]})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

test_the_capabilities_parameter_replaces_the_list if {
	doc := k.review("Pod", {"containers": [adding("app", ["NET_RAW", "CHOWN", "SYS_ADMIN"])]})
	config := {"rules": {"dangerous-capabilities": {"params": {"capabilities": ["cap_chown", "SYS_ADMIN"]}}}}
	found := rule.deny with input as doc with data.blastwall.config as config
	{f.path[6] | some f in found} == {1, 2}
	some f in found
	f.msg == "container 'app' adds capability CHOWN: it can use a capability the blastwall config lists as dangerous"
}

test_an_empty_capabilities_parameter_flags_nothing if {
	doc := k.review("Pod", {"containers": [adding("app", ["ALL", "SYS_ADMIN"])]})
	count(rule.deny) == 0 with input as doc with data.blastwall.config as {"rules": {"dangerous-capabilities": {"params": {"capabilities": []}}}}
}

package blastwall.rules.dangerous_capabilities_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.dangerous_capabilities as rule

# A container running as root (runAsUser: 0) that adds `caps`.
adding(name, caps) := k.container(name, {"securityContext": {"runAsUser": 0, "capabilities": {"add": caps}}})

# The same, as a non-root user: the hardened container (runAsNonRoot, no privilege
# escalation) with `caps` added.
adding_non_root(name, caps) := k.container(name, {"securityContext": {"capabilities": {"add": caps}}})

test_each_dangerous_capability_points_at_its_entry if {
	doc := k.review("Deployment", {"containers": [adding("vpn", ["NET_BIND_SERVICE", "NET_ADMIN", "CHOWN", "SYS_PTRACE"])]})
	rule.deny == {
		{
			"msg": "container 'vpn' adds capability NET_ADMIN: it can reconfigure its own pod's interfaces, routes and iptables (not other pods' or the node's), and reach the kernel's netfilter code behind known container escapes",
			"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1],
			"severity": "error",
		},
		{
			"msg": "container 'vpn' adds capability SYS_PTRACE: it can trace and inject code into other processes it can see",
			"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 3],
			"severity": "error",
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
		"severity": "error",
	}} with input as doc
}

test_network_capabilities_reach_the_node_with_host_network if {
	doc := k.review("DaemonSet", {"hostNetwork": true, "containers": [adding("cni", ["NET_ADMIN", "NET_RAW"])]})
	{[f.msg, f.severity] | some f in rule.deny} == {
		["container 'cni' adds capability NET_ADMIN: it can reconfigure the node's interfaces, routes and iptables (the pod uses hostNetwork) to intercept or redirect every pod's traffic on the node", "error"],
		["container 'cni' adds capability NET_RAW: it can open raw sockets on the node's network (the pod uses hostNetwork) to capture and forge the traffic of every pod on the node", "error"],
	} with input as doc
}

test_net_raw_on_the_pod_network_is_a_warning if {
	doc := k.review("Pod", {"containers": [adding("ping", ["NET_RAW"])]})
	{[f.msg, f.severity] | some f in rule.deny} == {[
		"container 'ping' adds capability NET_RAW: it can open raw sockets on its pod's network to forge packets (ARP and DNS spoofing where the network plugin lets them through)",
		"warning",
	]} with input as doc
}

# Kubernetes sets no ambient capabilities: a non-root process loses added ones at
# exec, and no_new_privs also blocks file capabilities.
test_a_non_root_container_without_escalation_cannot_use_it if {
	doc := k.review("DaemonSet", {"securityContext": {"runAsUser": 65534}, "containers": [adding_non_root("exporter", ["SYS_TIME"])]})
	rule.deny == {{
		"msg": "container 'exporter' adds capability SYS_TIME, but runs as user 65534 with allowPrivilegeEscalation: false: no process in it can use it (no ambient capabilities, and no_new_privs blocks file capabilities); run as root, it could change the node's clock, breaking certificates, tokens and logs for every pod",
		"path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 0],
		"severity": "info",
	}} with input as doc
}

test_a_non_root_container_with_escalation_needs_a_file_capability if {
	c := k.container("app", {"securityContext": {"allowPrivilegeEscalation": true, "capabilities": {"add": ["SYS_ADMIN"]}}})
	doc := k.review("Pod", {"containers": [c]})
	{[f.msg, f.severity] | some f in rule.deny} == {[
		"container 'app' adds capability SYS_ADMIN, but runs as a non-root user (runAsNonRoot): only a binary with that file capability, or setuid root, can use it, to mount filesystems, use namespaces and cgroup tricks that are known container escapes",
		"warning",
	]} with input as doc
}

test_without_a_user_the_image_decides if {
	c := {"name": "cni", "image": "cni:1", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}
	doc := k.review("DaemonSet", {"hostNetwork": true, "containers": [c]})
	{[f.msg, f.severity] | some f in rule.deny} == {[
		"container 'cni' adds capability NET_ADMIN: unless its image runs as a non-root user, it can reconfigure the node's interfaces, routes and iptables (the pod uses hostNetwork) to intercept or redirect every pod's traffic on the node",
		"error",
	]} with input as doc
}

test_run_as_user_zero_outweighs_run_as_non_root if {
	c := k.container("app", {"securityContext": {"runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"]}}})
	doc := k.review("Pod", {"containers": [c]})
	{f.severity | some f in rule.deny} == {"error"} with input as doc
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

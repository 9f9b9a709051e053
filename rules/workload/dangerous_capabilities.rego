package blastwall.rules.dangerous_capabilities

import data.blastwall.lib.params

metadata := {
	"id": "dangerous-capabilities",
	"title": "Container adds a dangerous Linux capability",
	"severity": "error",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"params": {"capabilities": [
		"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "SYS_BOOT", "SYS_TIME", "DAC_READ_SEARCH",
		"BPF", "PERFMON", "NET_ADMIN", "NET_RAW", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG",
	]},
	"description": "Flags securityContext.capabilities.add entries that give a container power over the node or its neighbours: ALL, SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE, SYS_BOOT, SYS_TIME, DAC_READ_SEARCH, BPF, PERFMON, NET_ADMIN, NET_RAW, MAC_ADMIN, MAC_OVERRIDE and SYSLOG, compared case-insensitively and with or without CAP_. They are behind known container escapes, traffic interception and switching off AppArmor or SELinux; none is in the Pod Security Standards baseline set. NET_ADMIN and NET_RAW reach the node's network only with hostNetwork; on the pod's own network NET_RAW is a warning. A container whose user is not root (a non-zero runAsUser, or runAsNonRoot) does not hold added capabilities, as Kubernetes sets no ambient ones: a warning (a binary with that file capability, or setuid root, can still use it) or, with allowPrivilegeEscalation: false, info. Parameter `capabilities` (default: the fifteen above) replaces the list.",
	"remediation": "Remove the capability and drop ALL; add back only narrow capabilities the process needs, such as NET_BIND_SERVICE to listen on a port below 1024. Workloads that need node-level powers (CNI plugins, eBPF agents) belong in a reviewed namespace with an exemption for this rule.",
	"example": {
		"bad": `apiVersion: v1
kind: Pod
metadata:
  name: vpn
spec:
  containers:
  - name: vpn
    image: example.com/vpn:2.4
    securityContext:
      capabilities:
        add: ["NET_ADMIN"]
`,
		"good": `apiVersion: v1
kind: Pod
metadata:
  name: vpn
spec:
  containers:
  - name: vpn
    image: example.com/vpn:2.4
    securityContext:
      capabilities:
        drop: ["ALL"]
        add: ["NET_BIND_SERVICE"]
`,
	},
}

# What each capability the rule flags by default (as the runtime names it, without
# CAP_) lets the container do.
dangerous := {
	"ALL": "use every capability, like a privileged container, and take over the node",
	"SYS_ADMIN": "mount filesystems, use namespaces and cgroup tricks that are known container escapes",
	"SYS_MODULE": "load kernel modules, which is code execution in the node's kernel",
	"SYS_RAWIO": "raw access to devices and I/O ports, including the node's memory and disks",
	"SYS_PTRACE": "trace and inject code into other processes it can see",
	"SYS_BOOT": "reboot the node or load a new kernel",
	"SYS_TIME": "change the node's clock, breaking certificates, tokens and logs for every pod",
	"DAC_READ_SEARCH": "bypass file read permission checks and open files by handle, a known escape to the node's filesystem",
	"BPF": "load eBPF programs, which can read kernel memory and other pods' traffic",
	"PERFMON": "use perf and eBPF tracing to read kernel memory and other processes' data",
	"NET_ADMIN": "reconfigure interfaces, routes and iptables to intercept or redirect traffic",
	"NET_RAW": "open raw sockets to spoof ARP and DNS and intercept other pods' traffic",
	"MAC_ADMIN": "change AppArmor or SELinux policy",
	"MAC_OVERRIDE": "bypass AppArmor or SELinux policy",
	"SYSLOG": "read the kernel log, including kernel addresses that help exploits",
}

# "cap_sys_admin", "CAP_SYS_ADMIN" and "sys_admin" all mean SYS_ADMIN.
canonical(name) := trim_prefix(upper(trim_space(name)), "CAP_")

# The capabilities flagged: the `capabilities` parameter, canonical.
flagged := {canonical(c) |
	some c in params.of(metadata.id, metadata.params).capabilities
	is_string(c)
}

# Capabilities whose reach is the network namespace: the pod's own, unless it uses
# the node's (hostNetwork).
network_scoped := {
	"NET_ADMIN": "reconfigure its own pod's interfaces, routes and iptables (not other pods' or the node's), and reach the kernel's netfilter code behind known container escapes",
	"NET_RAW": "open raw sockets on its pod's network to forge packets (ARP and DNS spoofing where the network plugin lets them through)",
}

severity_on_pod_network := {"NET_ADMIN": "error", "NET_RAW": "warning"}

on_node_network := {
	"NET_ADMIN": "reconfigure the node's interfaces, routes and iptables (the pod uses hostNetwork) to intercept or redirect every pod's traffic on the node",
	"NET_RAW": "open raw sockets on the node's network (the pod uses hostNetwork) to capture and forge the traffic of every pod on the node",
}

host_network if input.facts.workload.podSpec.hostNetwork == true

# What the capability lets the container do, and how much that weighs, for a
# process that holds it.
power(cap) := {"says": on_node_network[cap], "severity": "error"} if {
	host_network
	on_node_network[cap]
} else := {"says": network_scoped[cap], "severity": severity_on_pod_network[cap]} if {
	network_scoped[cap]
} else := {"says": dangerous[cap], "severity": "error"} if {
	dangerous[cap]
} else := {"says": "use a capability the blastwall config lists as dangerous", "severity": "error"}

# The container's user is not root: a non-zero runAsUser, or runAsNonRoot with
# none (the kubelet then refuses a root image user).
non_root(c) := sprintf("user %v", [c.securityContext.runAsUser]) if {
	is_number(c.securityContext.runAsUser)
	c.securityContext.runAsUser != 0
} else := "a non-root user (runAsNonRoot)" if {
	object.get(c.securityContext, "runAsUser", null) == null
	c.securityContext.runAsNonRoot == true
}

deny contains {"msg": msg, "path": path, "severity": severity} if {
	not input.facts.workload.windows
	some c in input.facts.workload.containers
	added := c.securityContext.capabilities.add
	is_array(added)
	some j, name in added
	is_string(name)
	cap := canonical(name)
	cap in flagged
	p := power(cap)
	path := array.concat(c.securityContextPaths.capabilities, ["add", j])
	held := holds(c, name, p)
	msg := held.msg
	severity := held.severity
}

# Root holds every capability added (unless privileged, which privileged-container
# reports). A non-root process holds none of them: Kubernetes sets no ambient
# capabilities, so they are dropped at exec, except through a binary with that file
# capability (or setuid root), which no_new_privs (allowPrivilegeEscalation: false)
# also blocks.
holds(c, name, p) := {
	"msg": sprintf("%s adds capability %s: it can %s", [c.label, name, p.says]),
	"severity": p.severity,
} if c.securityContext.runAsUser == 0

# Neither root nor non-root is set: the image's user decides.
holds(c, name, p) := {
	"msg": sprintf("%s adds capability %s: unless its image runs as a non-root user, it can %s", [c.label, name, p.says]),
	"severity": p.severity,
} if {
	not non_root(c)
	not c.securityContext.runAsUser == 0
}

holds(c, name, p) := {
	"msg": sprintf("%s adds capability %s, but runs as %s: only a binary with that file capability, or setuid root, can use it, to %s", [c.label, name, user, p.says]),
	"severity": "warning",
} if {
	user := non_root(c)
	not c.securityContext.allowPrivilegeEscalation == false
}

holds(c, name, p) := {
	"msg": sprintf("%s adds capability %s, but runs as %s with allowPrivilegeEscalation: false: no process in it can use it (no ambient capabilities, and no_new_privs blocks file capabilities); run as root, it could %s", [c.label, name, user, p.says]),
	"severity": "info",
} if {
	user := non_root(c)
	c.securityContext.allowPrivilegeEscalation == false
}

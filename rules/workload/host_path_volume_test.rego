package blastwall.rules.host_path_volume_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.host_path_volume as rule

test_host_path_points_at_the_volume_and_its_mounts if {
	spec := {
		"initContainers": [k.container("setup", {"volumeMounts": [{"name": "sock", "mountPath": "/run/containerd.sock"}]})],
		"containers": [k.container("app", {"volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "sock", "mountPath": "/sock"}]})],
		"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock", "type": "Socket"}}],
	}
	doc := k.review("Deployment", spec)
	rule.deny == {{
		"msg": "volume 'sock' mounts host path '/run/containerd/containerd.sock' from the node: init container 'setup', container 'app' can read and change the node's files there",
		"path": ["spec", "template", "spec", "volumes", 1, "hostPath"],
		"severity": "error",
		"related": [
			{"path": ["spec", "template", "spec", "initContainers", 0, "volumeMounts", 0], "msg": "mounted by init container 'setup' at /run/containerd.sock"},
			{"path": ["spec", "template", "spec", "containers", 0, "volumeMounts", 1], "msg": "mounted by container 'app' at /sock"},
		],
	}} with input as doc
}

test_unmounted_host_path_is_still_reported if {
	doc := k.review("CronJob", {"containers": [k.hardened("app")], "volumes": [{"name": "root", "hostPath": {"path": "/"}}]})
	some f in rule.deny with input as doc
	f.path == ["spec", "jobTemplate", "spec", "template", "spec", "volumes", 0, "hostPath"]
	f.related == []
	f.msg == "volume 'root' mounts host path '/' from the node: no container mounts it now, but an ephemeral container (kubectl debug) can mount it and read and change the node's files there"
	f.severity == "warning"
}

# A log shipper: it reads, and the path holds no credentials.
test_read_only_mounts_of_an_ordinary_path_are_a_warning if {
	mount := {"name": "varlog", "mountPath": "/var/log", "readOnly": true}
	doc := k.review("DaemonSet", {
		"containers": [k.container("shipper", {"volumeMounts": [mount]}), k.container("side", {"volumeMounts": [object.union(mount, {"recursiveReadOnly": "Enabled"})]})],
		"volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}],
	})
	rule.deny == {{
		"msg": "volume 'varlog' mounts host path '/var/log' from the node: every mount of it is read-only, but not recursively: the pod can read the node's files there, and any mount below it on the node stays writable",
		"path": ["spec", "template", "spec", "volumes", 0, "hostPath"],
		"severity": "warning",
		"related": [
			{"path": ["spec", "template", "spec", "containers", 0, "volumeMounts", 0], "msg": "mounted by container 'shipper' at /var/log (read-only, mounts below it writable)"},
			{"path": ["spec", "template", "spec", "containers", 1, "volumeMounts", 0], "msg": "mounted by container 'side' at /var/log (read-only)"},
		],
	}} with input as doc
}

test_recursively_read_only_mounts_say_so if {
	doc := k.review("Pod", {
		"containers": [k.container("app", {"volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true, "recursiveReadOnly": "Enabled"}]})],
		"volumes": [{"name": "v", "hostPath": {"path": "/opt/data/"}}],
	})
	{[f.msg, f.severity] | some f in rule.deny} == {[
		"volume 'v' mounts host path '/opt/data/' from the node: every mount of it is read-only, recursively: the pod can read the node's files there, not change them",
		"warning",
	]} with input as doc
}

# Reading is enough where the node keeps credentials, and a socket connects
# through a read-only mount.
test_read_only_mounts_of_credentials_and_sockets_stay_errors if {
	found := {[path, f.severity, f.msg] |
		some path in ["/", "/var/lib/kubelet/pods", "/etc", "/var/run/docker.sock", "/root/.ssh", "/var/lib/containerd"]
		doc := k.review("Pod", {
			"containers": [k.container("app", {"volumeMounts": [{"name": "v", "mountPath": "/host", "readOnly": true}]})],
			"volumes": [{"name": "v", "hostPath": {"path": path}}],
		})
		some f in rule.deny with input as doc
	}
	{[p, s] | some [p, s, _] in found} == {[p, "error"] | some p in ["/", "/var/lib/kubelet/pods", "/etc", "/var/run/docker.sock", "/root/.ssh", "/var/lib/containerd"]}
	some [p, _, msg] in found
	p == "/var/run/docker.sock"
	msg == "volume 'v' mounts host path '/var/run/docker.sock' from the node: every mount of it is read-only (not recursively), but reading is enough: it exposes the container runtime's socket, and connecting to a socket needs no write access: whoever talks to the runtime starts privileged containers"
}

# One writer is enough; a privileged container can remount a read-only mount.
test_a_writable_or_privileged_mount_makes_it_an_error if {
	doc := k.review("DaemonSet", {
		"containers": [
			k.container("reader", {"volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true}]}),
			k.container("agent", {"securityContext": {"privileged": true}, "volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true}]}),
		],
		"volumes": [{"name": "v", "hostPath": {"path": "/lib/modules"}}],
	})
	some f in rule.deny with input as doc
	f.msg == "volume 'v' mounts host path '/lib/modules' from the node: container 'agent' can read and change the node's files there"
	f.severity == "error"
	f.related[1].msg == "mounted by container 'agent' at /v (privileged, so it can remount it read-write)"
}

test_other_volumes_are_fine if {
	clean := {kind |
		some kind in k.kinds
		doc := k.review(kind, {
			"containers": [k.hardened("app")],
			"volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "configMap": {"name": "cfg"}}, {"name": "c", "persistentVolumeClaim": {"claimName": "data"}}],
		})
		count(rule.deny) == 0 with input as doc
	}
	clean == k.kind_set
}

test_malformed_volumes_do_not_break_evaluation if {
	doc := k.review("Pod", {"containers": [k.hardened("app")], "volumes": "hostPath"})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

test_a_path_that_is_not_a_string_does_not_break_evaluation if {
	doc := k.review("Pod", {
		"containers": [k.container("app", {"volumeMounts": [{"name": "v", "mountPath": "/v", "readOnly": true}]})],
		"volumes": [{"name": "v", "hostPath": {"path": 5}}],
	})
	{[f.msg, f.severity] | some f in rule.deny} == {[
		"volume 'v' mounts a host path from the node: every mount of it is read-only, but not recursively: the pod can read the node's files there, and any mount below it on the node stays writable",
		"warning",
	]} with input as doc
}

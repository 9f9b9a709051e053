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
		"msg": "volume 'sock' mounts host path '/run/containerd/containerd.sock' from the node: the pod can read and change the node's files outside its container",
		"path": ["spec", "template", "spec", "volumes", 1, "hostPath"],
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
	contains(f.msg, "host path '/'")
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

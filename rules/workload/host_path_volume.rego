package blastwall.rules.host_path_volume

import data.blastwall.lib.workload

metadata := {
	"id": "host-path-volume",
	"title": "Pod mounts a path of the node",
	"severity": "error",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags every hostPath volume of a pod spec, and points at the containers that mount it. A hostPath volume exposes the node's filesystem to the pod: with `/`, `/etc`, `/var/lib/kubelet` or the container runtime's socket the pod can read other pods' secrets, plant files the node executes, or start privileged containers outside Kubernetes. Even a read-only mount leaks credentials and, through symlinks, more than the path suggests.",
	"remediation": "Use an emptyDir, a ConfigMap or Secret volume, or a PersistentVolumeClaim. Node agents that really need host files belong in a reviewed namespace with an exemption for this rule.",
	"example": {
		"bad": `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-shipper
spec:
  selector: {matchLabels: {app: log-shipper}}
  template:
    metadata: {labels: {app: log-shipper}}
    spec:
      containers:
      - name: shipper
        image: fluent/fluent-bit:3.1
        volumeMounts:
        - {name: varlog, mountPath: /var/log}
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
`,
		"good": `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-shipper
spec:
  selector: {matchLabels: {app: log-shipper}}
  template:
    metadata: {labels: {app: log-shipper}}
    spec:
      containers:
      - name: shipper
        image: fluent/fluent-bit:3.1
        volumeMounts:
        - {name: buffer, mountPath: /buffer}
      volumes:
      - name: buffer
        emptyDir: {}
`,
	},
}

deny contains {"msg": msg, "path": path, "related": related} if {
	some pod in input.facts.workload.pods
	some i, volume in workload.items(pod.spec.volumes)
	is_object(volume)
	host_path := volume.hostPath
	path := array.concat(pod.path, ["volumes", i, "hostPath"])
	name := object.get(volume, "name", sprintf("volumes[%d]", [i]))
	msg := sprintf("volume '%s' mounts %s from the node: the pod can read and change the node's files outside its container", [name, node_path(host_path)])
	# In the pod spec's order: init containers, containers, ephemeral containers.
	related := [r |
		some c in input.facts.workload.containers
		some j, mount in workload.items(c.container.volumeMounts)
		mount.name == name
		r := {
			"path": array.concat(c.path, ["volumeMounts", j]),
			"msg": sprintf("mounted by %s at %s", [c.label, object.get(mount, "mountPath", "?")]),
		}
	]
}

node_path(host_path) := sprintf("host path '%s'", [host_path.path]) if {
	is_string(host_path.path)
} else := "a host path"

package blastwall.rules.host_path_volume

metadata := {
	"id": "host-path-volume",
	"title": "Pod mounts a path of the node",
	"severity": "error",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags every hostPath volume of a pod spec, and points at the containers that mount it. A hostPath volume exposes the node's filesystem to the pod: with `/`, `/etc`, `/var/lib/kubelet` or the container runtime's socket the pod can read other pods' secrets, plant files the node executes, or start privileged containers outside Kubernetes. The severity follows what the mounts allow: an error where a container can write (a mount without readOnly: true, or a privileged container, which can remount it), and where a read-only mount still exposes credentials or a socket (`/`, `/var`, `/var/lib`, the kubelet's and the runtimes' state, `/etc`, `/root`, `/home`, the runtimes' sockets and `/run`); a warning where every mount is read-only and the path holds none of those, and where no container mounts the volume (an ephemeral container can). A read-only mount is recursive only with recursiveReadOnly: Enabled; the message says when mounts of the node below the path stay writable.",
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

deny contains {"msg": msg, "path": path, "related": related, "severity": severity} if {
	some pod in input.facts.workload.pods
	volumes := pod.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	host_path := volume.hostPath
	is_object(volume)
	path := array.concat(pod.path, ["volumes", i, "hostPath"])
	name := object.get(volume, "name", sprintf("volumes[%d]", [i]))
	# Every mount of the volume, in the pod spec's order: init containers, containers,
	# ephemeral containers.
	mounts := [m |
		some c in input.facts.workload.containers
		listed := c.container.volumeMounts
		is_array(listed)
		some j, mount in listed
		mount.name == name
		m := {"container": c, "mount": mount, "index": j}
	]
	access := access_of(mounts, host_path)
	msg := sprintf("volume '%s' mounts %s from the node: %s", [name, node_path(host_path), access.says])
	severity := access.severity
	related := [r |
		some m in mounts
		r := {
			"path": array.concat(m.container.path, ["volumeMounts", m.index]),
			"msg": sprintf("mounted by %s at %s%s", [m.container.label, object.get(m.mount, "mountPath", "?"), mount_note(m)]),
		}
	]
}

node_path(host_path) := sprintf("host path '%s'", [host_path.path]) if {
	is_string(host_path.path)
} else := "a host path"

# A mount is read-only when it says readOnly: true and its container is not
# privileged (a privileged container can remount it read-write).
read_only(m) if {
	m.mount.readOnly == true
	not m.container.securityContext.privileged == true
}

# Read-only down to the mounts below it (Kubernetes 1.30+): without it, a mount of
# the node's below the path (a pod's Secret volume under /var/lib/kubelet, say)
# stays writable.
recursive(m) if m.mount.recursiveReadOnly == "Enabled"

mount_note(m) := " (read-only)" if {
	read_only(m)
	recursive(m)
} else := " (read-only, mounts below it writable)" if {
	read_only(m)
} else := " (privileged, so it can remount it read-write)" if {
	m.mount.readOnly == true
} else := ""

# The path without a trailing `/` (undefined unless it is a string).
clean(p) := trim_suffix(p, "/") if {
	is_string(p)
	p != "/"
} else := p if is_string(p)

# `p` is `prefix` or below it.
under(p, prefix) if p == prefix

under(p, prefix) if startswith(p, concat("", [prefix, "/"]))

# What a read-only mount of the path still gives the pod that weighs as much as
# write access: credentials, or a socket (connecting to one needs no write access to
# the mount). Undefined for other paths.
exposes(host_path) := "the container runtime's socket, and connecting to a socket needs no write access: whoever talks to the runtime starts privileged containers" if {
	runtime_socket(host_path)
} else := "every pod's Secret and token volumes under /var/lib/kubelet, as far as file permissions let its user read them" if {
	p := clean(host_path.path)
	some prefix in ["/", "/var", "/var/lib"]
	p == prefix
} else := "every pod's Secret and token volumes under /var/lib/kubelet, as far as file permissions let its user read them" if {
	under(clean(host_path.path), "/var/lib/kubelet")
} else := "every container's filesystem and the runtime's state, as far as file permissions let its user read them" if {
	p := clean(host_path.path)
	some prefix in ["/var/lib/containerd", "/var/lib/docker", "/var/lib/containers"]
	under(p, prefix)
} else := "the node's configuration with its secrets (SSH host keys, password hashes), as far as file permissions let its user read them" if {
	under(clean(host_path.path), "/etc")
} else := "the home directories and keys of the node's users, as far as file permissions let its user read them" if {
	p := clean(host_path.path)
	some prefix in ["/root", "/home"]
	under(p, prefix)
}

runtime_socket(host_path) if host_path.type == "Socket"

runtime_socket(host_path) if endswith(clean(host_path.path), ".sock")

# Directories that hold the runtimes' sockets.
runtime_socket(host_path) if {
	p := clean(host_path.path)
	some prefix in ["/run", "/var/run"]
	p == prefix
}

runtime_socket(host_path) if {
	p := clean(host_path.path)
	some prefix in ["/run/containerd", "/var/run/containerd", "/run/docker", "/var/run/docker", "/run/crio", "/var/run/crio"]
	under(p, prefix)
}

# What the pod can do with the node's files, and how much that weighs.
access_of(mounts, _) := {
	"says": "no container mounts it now, but an ephemeral container (kubectl debug) can mount it and read and change the node's files there",
	"severity": "warning",
} if count(mounts) == 0

access_of(mounts, host_path) := {
	"says": sprintf("%s can read and change the node's files there", [writers(mounts)]),
	"severity": "error",
} if {
	some m in mounts
	not read_only(m)
}

access_of(mounts, host_path) := {
	"says": sprintf("every mount of it is read-only%s, but reading is enough: it exposes %s", [recursively(mounts), what]),
	"severity": "error",
} if {
	count(mounts) > 0
	every m in mounts {
		read_only(m)
	}
	what := exposes(host_path)
}

access_of(mounts, host_path) := {
	"says": read_only_says(mounts),
	"severity": "warning",
} if {
	count(mounts) > 0
	every m in mounts {
		read_only(m)
	}
	not exposes(host_path)
}

# The containers that can write, named.
writers(mounts) := concat(", ", [label |
	some m in mounts
	not read_only(m)
	label := m.container.label
])

recursively(mounts) := "" if {
	every m in mounts {
		recursive(m)
	}
} else := " (not recursively)"

read_only_says(mounts) := "every mount of it is read-only, recursively: the pod can read the node's files there, not change them" if {
	every m in mounts {
		recursive(m)
	}
} else := "every mount of it is read-only, but not recursively: the pod can read the node's files there, and any mount below it on the node stays writable"

package blastwall.rules.missing_resource_limits

import data.blastwall.lib.workload

metadata := {
	"id": "missing-resource-limits",
	"title": "Container has no CPU or memory limit",
	"severity": "warning",
	"category": "workload",
	"description": "Flags containers and init containers without resources.limits.cpu or resources.limits.memory (ephemeral containers cannot have resources and are skipped). Without a memory limit one leaking or attacked container can use all of a node's memory until the kernel's OOM killer and the kubelet's evictions hit its neighbours; without a CPU limit it can take every spare core. On a shared node that turns one product's incident into everyone's, and unbounded pods cannot be packed or autoscaled predictably.",
	"remediation": "Set `resources.limits.memory` (usually equal to the memory request) and `resources.limits.cpu` on every container and init container. A LimitRange in the namespace can supply defaults, but then say so in the manifest.",
	"example": {
		"bad": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - name: redis
        image: redis:7.4
        resources:
          requests: {cpu: 100m, memory: 256Mi}
`,
		"good": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - name: redis
        image: redis:7.4
        resources:
          requests: {cpu: 100m, memory: 256Mi}
          limits: {cpu: 500m, memory: 256Mi}
`,
	},
}

limited_fields := {"containers", "initContainers"}

# What each missing limit lets the container do.
consequence := {
	"CPU or memory": "it can take all of the node's memory and spare CPU, and the OOM killer and evictions then hit other pods",
	"memory": "it can take all of the node's memory, and the OOM killer and evictions then hit other pods",
	"CPU": "it can take every spare core of the node and slow down other pods",
}

limits(c) := l if {
	l := c.resources.limits
	is_object(l)
} else := {}

missing(c) := "CPU or memory" if {
	not limits(c).cpu
	not limits(c).memory
} else := "memory" if {
	not limits(c).memory
} else := "CPU" if {
	not limits(c).cpu
}

deny contains {"msg": msg, "path": path} if {
	some entry in workload.containers
	entry.field in limited_fields
	what := missing(entry.container)
	path := deepest(entry)
	msg := sprintf("%s has no %s limit: %s", [entry.label, what, consequence[what]])
}

# The deepest of resources.limits, resources and the container that exists.
deepest(entry) := array.concat(entry.path, ["resources", "limits"]) if {
	is_object(entry.container.resources.limits)
} else := array.concat(entry.path, ["resources"]) if {
	is_object(entry.container.resources)
} else := entry.path

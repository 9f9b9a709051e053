package blastwall.rules.missing_resource_limits

import data.blastwall.lib.params

metadata := {
	"id": "missing-resource-limits",
	"title": "Container has no CPU or memory limit",
	"severity": "warning",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"params": {"resources": ["cpu", "memory"]},
	"description": "Flags containers and init containers without resources.limits.cpu or resources.limits.memory (ephemeral containers cannot have resources and are skipped). Without a memory limit one leaking or attacked container can use all of a node's memory until the kernel's OOM killer and the kubelet's evictions hit its neighbours; without a CPU limit it can take every spare core. On a shared node that turns one product's incident into everyone's, and unbounded pods cannot be packed or autoscaled predictably. Parameter `resources` (default `[cpu, memory]`) lists the limits every container must set; clusters that avoid CPU throttling use `[memory]`, and `ephemeral-storage` may be added.",
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

# How messages name each resource.
resource_label := {"cpu": "CPU", "memory": "memory", "ephemeral-storage": "ephemeral-storage"}

# The limits every container must set (the `resources` parameter), each with how
# messages name it.
labels := {r: object.get(resource_label, r, r) | some r in params.of(metadata.id, metadata.params).resources}

# What each missing limit lets the container do.
consequence := {
	"CPU or memory": "it can use all of the node's free memory and spare CPU, and the kernel's OOM killer and the kubelet's evictions may then hit other pods",
	"memory": "it can use all of the node's free memory, and the kernel's OOM killer and the kubelet's evictions may then hit other pods",
	"CPU": "it can use every spare core of the node, beyond what it was scheduled for",
	"ephemeral-storage": "it can fill the node's disk, and the kubelet's evictions may then hit other pods",
}

# The container's limits (input.facts.workload: resources.limits, {} when it is not
# an object), and where to point when one is missing: resources.limits, else
# resources, else the container.
deny contains {"msg": msg, "path": c.limitsPath} if {
	some c in input.facts.workload.containers
	c.field != "ephemeralContainers"
	# The required resources the container sets no limit for, as messages name
	# them: "CPU or memory", "memory", ...
	unset := [label | some r, label in labels; not c.limits[r]]
	unset != []
	what := concat(" or ", sort(unset))
	msg := sprintf("%s has no %s limit (unless a LimitRange of its namespace sets a default): %s", [c.label, what, object.get(consequence, what, "it can use more of the node than it was scheduled for, and its neighbours may pay for it")])
}

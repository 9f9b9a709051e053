# A normalized view of the pod spec inside any workload, so that each workload rule
# is written once. Every path is an array of keys and indexes into
# input.review.object. Everything here is undefined (and every rule silent) when
# there is no object, as on DELETE.
#
# The functions here import nothing: in regorus 0.14.1, once a module has read one of
# this package's rules through an import alias, a function of this package that
# reads a third package through its own import alias evaluates to undefined.
package blastwall.lib.workload

obj := input.review.object

# Kinds whose pod template sits at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

# Every kind with a pod spec: what workload rules declare as their `kinds`.
pod_kinds := {"Pod", "CronJob", "PodTemplate"} | template_kinds

# Where the pod spec of the reviewed object lives.
pod_spec_path := ["spec"] if obj.kind == "Pod"

pod_spec_path := ["spec", "template", "spec"] if obj.kind in template_kinds

pod_spec_path := ["spec", "jobTemplate", "spec", "template", "spec"] if obj.kind == "CronJob"

pod_spec_path := ["template", "spec"] if obj.kind == "PodTemplate"

pod_spec := spec if {
	spec := object.get(obj, pod_spec_path, null)
	is_object(spec)
}

# The pod-level securityContext, {} when absent.
pod_security_context := sc if {
	sc := pod_spec.securityContext
	is_object(sc)
} else := {}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# `value` if it is an array, else []. regorus stops the whole evaluation with an
# error on `some x in y` when y is not a collection, so every list that comes from
# the reviewed object is iterated through this.
items(value) := value if {
	is_array(value)
} else := []

# How messages call a container of each list.
container_noun := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# Every container of the pod spec:
#   container: the container object
#   path:      its path, e.g. ["spec", "template", "spec", "initContainers", 0]
#   field:     "containers", "initContainers" or "ephemeralContainers"
#   label:     "init container 'setup'", for messages
containers contains {"container": c, "path": path, "field": field, "label": label} if {
	some field in container_fields
	some i, c in items(pod_spec[field])
	is_object(c)
	path := array.concat(pod_spec_path, [field, i])
	label := sprintf("%s '%s'", [container_noun[field], object.get(c, "name", sprintf("%s[%d]", [field, i]))])
}

# The container's securityContext, {} when absent.
security_context(c) := sc if {
	sc := c.securityContext
	is_object(sc)
} else := {}

# The path of a container's securityContext if it has one, else of the container:
# where to point when a setting inside it is missing.
security_context_or_container(entry) := array.concat(entry.path, ["securityContext"]) if {
	is_object(entry.container.securityContext)
} else := entry.path

# Windows pods: Linux-only settings (allowPrivilegeEscalation, capabilities) do not apply.
windows if pod_spec.os.name == "windows"

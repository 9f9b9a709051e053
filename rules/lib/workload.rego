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

# The Kubernetes kinds with a pod spec. Rules do not list kinds: they match
# `facts: ["workload"]`, which Rust computes for every kind with pods (see
# src/facts/workload.rs: Argo, OpenShift, OpenKruise, KEDA and Knative kinds, kinds
# the config declares, and kinds found by their shape). This Rego definition
# covers the Kubernetes kinds, for rule unit tests.
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

# input.facts.workload, as blastwall computes it in Rust before rules run (see
# docs/facts.md): the same definition in Rego, so that rule unit tests can build
# their inputs (lib/workload_test.rego) and tests/suite/facts.rs can check that the
# two agree on every fixture. Rules read input.facts.workload, not this.
fact := {
	"podSpec": pod_spec,
	"podSpecPath": pod_spec_path,
	"podSecurityContextPath": array.concat(pod_spec_path, ["securityContext"]),
	"windows": is_windows,
	"containers": [container_fact(field, i, c) |
		some field in container_fields
		some i, c in items(pod_spec[field])
		is_object(c)
	],
	"pods": [{"spec": pod_spec, "path": pod_spec_path}],
	"foundBy": "kind",
}

is_windows := true if windows

else := false

# Settings a container leaves out that its pod's securityContext supplies.
inherited := {"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "appArmorProfile", "windowsOptions"}

container_fact(field, i, c) := object.union(
	{
		"container": c,
		"path": path,
		"field": field,
		"index": i,
		"label": sprintf("%s '%s'", [container_noun[field], container_name(field, i, c)]),
		"securityContext": object.union(inherited_settings(own), own),
		"securityContextPaths": object.union(
			{k: array.concat(pod_spec_path, ["securityContext", k]) | some k, _ in inherited_settings(own)},
			{k: array.concat(path, ["securityContext", k]) | some k, _ in own},
		),
		"securityContextPath": security_context_or_container({"container": c, "path": path}),
		"limits": resources_entry(c, "limits"),
		"requests": resources_entry(c, "requests"),
		"limitsPath": limits_path(c, path),
	},
	image_fact(c),
) if {
	path := array.concat(pod_spec_path, [field, i])
	own := own_settings(c)
}

# The container's resources.limits or resources.requests, {} unless it is an object.
resources_entry(c, name) := entry if {
	entry := c.resources[name]
	is_object(entry)
} else := {}

# Where to point when a limit is missing: resources.limits, else resources, else
# the container.
limits_path(c, path) := array.concat(path, ["resources", "limits"]) if {
	is_object(c.resources.limits)
} else := array.concat(path, ["resources"]) if {
	is_object(c.resources)
} else := path

container_name(_, _, c) := c.name if is_string(c.name)

container_name(field, i, c) := sprintf("%s[%d]", [field, i]) if not "name" in object.keys(c)

container_name(_, _, c) := json.marshal(c.name) if {
	"name" in object.keys(c)
	not is_string(c.name)
}

# The container's own settings, without those it sets to null (Kubernetes takes
# null for left out).
own_settings(c) := {k: v |
	some k, v in security_context(c)
	v != null
}

# The pod's settings for what the container leaves out.
inherited_settings(own) := {k: v |
	some k in inherited
	not k in object.keys(own)
	v := pod_security_context[k]
	v != null
}

image_fact(c) := {"image": image_parts(c.image)} if {
	is_string(c.image)
	c.image != ""
} else := {}

image_parts(image) := object.union(
	{"reference": image, "registry": registry, "repository": repository, "tag": tag},
	digest_part(image),
) if {
	name := image_name(image)
	[registry, rest] := split_registry(name)
	[repository, tag] := split_tag(rest)
}

image_name(image) := substring(image, 0, indexof(image, "@")) if contains(image, "@")

image_name(image) := image if not contains(image, "@")

digest_part(image) := {"digest": substring(image, indexof(image, "@") + 1, -1)} if contains(image, "@")

digest_part(image) := {} if not contains(image, "@")

registry_host(first) if contains(first, ".")

registry_host(first) if contains(first, ":")

registry_host(first) if first == "localhost"

split_registry(name) := [first, substring(name, count(first) + 1, -1)] if {
	contains(name, "/")
	first := split(name, "/")[0]
	registry_host(first)
} else := ["", name]

# [repository, tag]: the tag is after the last ':' of the last component.
split_tag(rest) := [substring(rest, 0, (count(rest) - count(tag)) - 1), tag] if {
	parts := split(rest, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	pieces := split(last, ":")
	tag := pieces[count(pieces) - 1]
} else := [rest, ""]

# Tests of the workload library, and the builders the workload rule tests share:
# `review(kind, pod_spec)` wraps a pod spec in an object of `kind` as the API server
# would send it, and `spec_path(kind)` is where that pod spec lives.
#
# regorus 0.14.1 evaluates `with input as f(x)` to undefined: bind the document to a
# variable first (`doc := f(x)`, then `with input as doc`). The builders use no
# imports: see the note in workload.rego.
package blastwall.lib.workload_test

import data.blastwall.lib.workload

# Every kind that carries a pod spec.
kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate"]

kind_set := {kind | some kind in kinds}

# Kept apart from workload.template_kinds so that the tests check the library.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

spec_path("Pod") := ["spec"]

spec_path(kind) := ["spec", "template", "spec"] if kind in template_kinds

spec_path("CronJob") := ["spec", "jobTemplate", "spec", "template", "spec"]

spec_path("PodTemplate") := ["template", "spec"]

object_of(kind, spec) := {"apiVersion": "v1", "kind": kind, "metadata": {"name": "app", "namespace": "shop"}, "spec": spec} if kind == "Pod"

object_of(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "app", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if kind in template_kinds

object_of(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "app", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

object_of(kind, spec) := {"apiVersion": "v1", "kind": kind, "metadata": {"name": "app", "namespace": "shop"}, "template": {"spec": spec}} if kind == "PodTemplate"

# With input.facts.workload as blastwall computes it (its Rego definition,
# data.blastwall.lib.workload.fact, read by its full name: see the note above).
review(kind, spec) := doc if {
	base := {"review": {"operation": "CREATE", "object": object_of(kind, spec)}, "facts": {}}
	fact := data.blastwall.lib.workload.fact with input as base
	doc := {"review": base.review, "facts": {"workload": fact}}
} else := {"review": {"operation": "CREATE", "object": object_of(kind, spec)}, "facts": {}}

# A container that no workload rule objects to.
hardened(name) := {
	"name": name,
	"image": "registry.example.com/shop/app:1.4.2",
	"securityContext": {
		"allowPrivilegeEscalation": false,
		"runAsNonRoot": true,
		"capabilities": {"drop": ["ALL"]},
	},
	"resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
}

# `hardened(name)` with `changes` merged in (deeply).
container(name, changes) := object.union(hardened(name), changes)

test_pod_spec_is_found_for_every_kind if {
	found := {kind |
		some kind in kinds
		doc := review(kind, {"containers": []})
		workload.pod_spec_path == spec_path(kind) with input as doc
		workload.pod_spec == {"containers": []} with input as doc
	}
	found == kind_set
}

test_containers_of_all_three_lists_with_paths_and_labels if {
	spec := {
		"initContainers": [hardened("setup")],
		"containers": [hardened("app"), hardened("sidecar")],
		"ephemeralContainers": [hardened("debugger")],
	}
	doc := review("CronJob", spec)
	found := {[e.path, e.field, e.label] | some e in workload.containers} with input as doc
	base := spec_path("CronJob")
	found == {
		[array.concat(base, ["initContainers", 0]), "initContainers", "init container 'setup'"],
		[array.concat(base, ["containers", 0]), "containers", "container 'app'"],
		[array.concat(base, ["containers", 1]), "containers", "container 'sidecar'"],
		[array.concat(base, ["ephemeralContainers", 0]), "ephemeralContainers", "ephemeral container 'debugger'"],
	}
}

test_unnamed_container_is_labelled_by_position if {
	doc := review("Pod", {"containers": [{"image": "x:1"}]})
	some e in workload.containers with input as doc
	e.label == "container 'containers[0]'"
}

test_other_kinds_have_no_pod_spec if {
	not workload.pod_spec with input as {"review": {"object": {"kind": "ConfigMap", "data": {"spec": "x"}}}}
	count(workload.containers) == 0 with input as {"review": {"object": {"kind": "Service", "spec": {"containers": [{}]}}}}
}

test_silent_without_an_object if {
	count(workload.containers) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
	count(workload.containers) == 0 with input as {"review": {"operation": "DELETE"}}
}

test_malformed_specs_are_ignored if {
	doc := review("Pod", {"containers": "app"})
	count(workload.containers) == 0 with input as doc
	count(workload.containers) == 0 with input as {"review": {"object": {"kind": "Deployment", "spec": {"template": "x"}}}}
}

test_security_context_or_container_points_at_what_exists if {
	workload.security_context_or_container({"container": {"securityContext": {}}, "path": ["spec", "containers", 0]}) == ["spec", "containers", 0, "securityContext"]
	workload.security_context_or_container({"container": {"name": "a"}, "path": ["spec", "containers", 0]}) == ["spec", "containers", 0]
}

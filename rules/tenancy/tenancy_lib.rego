# Helpers shared by the tenancy rules: where pod specs and containers live, and how
# ownership reads in messages. Ownership itself is resolved in Rust
# (input.facts.tenancy); see src/facts/tenancy.rs.
package blastwall.lib.tenancy

facts := input.facts.tenancy

obj := input.review.object

# The owner of the reviewed object's namespace: {"product", "via"}.
target := facts.product

# "namespace payroll-api belongs to product payroll (namespaces: payroll-*)"
target_says := sprintf("namespace %s belongs to product %s (%s)", [facts.namespace, target.product, target.via])

# "<what> belongs to product <p> (<via>)"
belongs(what, owner) := sprintf("%s belongs to product %s (%s)", [what, owner.product, owner.via])

# The configured products other than the target's.
other_products contains name if {
	some name, _ in data.blastwall.config.products
	name != target.product
}

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# [path, spec] of every pod spec in the object.
pod_specs contains [["spec"], obj.spec] if obj.kind == "Pod"

pod_specs contains [["spec", "template", "spec"], obj.spec.template.spec] if obj.kind in workload_kinds

pod_specs contains [["spec", "jobTemplate", "spec", "template", "spec"], obj.spec.jobTemplate.spec.template.spec] if {
	obj.kind == "CronJob"
}

pod_specs contains [["template", "spec"], obj.template.spec] if obj.kind == "PodTemplate"

# [path, container] of every container, init container and ephemeral container.
containers contains [path, c] if {
	some ps in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some i, c in ps[1][field]
	path := array.concat(ps[0], [field, i])
}

# Helpers shared by the tenancy rules: how ownership reads in messages (pod specs
# and containers are input.facts.workload). Ownership itself is resolved in Rust
# (input.facts.tenancy); see src/facts/tenancy.rs.
package blastwall.lib.tenancy

# Fields of input.facts.tenancy are read by name (input.facts.tenancy.product), not
# through a variable holding the whole fact: a review then computes only the parts
# of it that the rules it reaches read (docs/facts.md), not the owners of every
# string of the object for a rule that reads none of them.

obj := input.review.object

# The owner of the reviewed object's namespace: {"product", "via"}.
target := input.facts.tenancy.product

# "namespace payroll-api belongs to product payroll (namespaces: payroll-*)"
target_says := sprintf("namespace %s belongs to product %s (%s)", [input.facts.tenancy.namespace, target.product, target.via])

# "<what> belongs to product <p> (<via>)"
belongs(what, owner) := sprintf("%s belongs to product %s (%s)", [what, owner.product, owner.via])

# The configured products other than the target's.
other_products contains name if {
	some name, _ in data.blastwall.config.products
	name != target.product
}

# regorus stops the whole evaluation (every rule) on `some … in x` when x is not a
# collection, and on object.get of a non-object: everything taken from the object is
# type-checked (is_array / is_object) before it is iterated or read with object.get.

# The array at x, or an empty one when x is anything else.
array_at(x) := x if is_array(x)

array_at(x) := [] if not is_array(x)

# The object at x, or an empty one when x is anything else.
object_at(x) := x if is_object(x)

object_at(x) := {} if not is_object(x)

# Whether the requester is an EKS or Kubernetes system identity (nodes, the control
# plane, kube-system service accounts, EKS's eks:* users; see requester in
# src/facts/tenancy.rs). Rules that judge who makes a change let these through, so
# the cluster keeps running.
system_requester if input.facts.tenancy.requester.system == true

# aws-auth (input.facts.awsAuth): the mapRoles entries that are mappings with an ARN,
# when a config is loaded (facts.tenancy exists).
aws_auth_roles contains e if {
	is_object(input.facts.tenancy.requester)
	entries := input.facts.awsAuth.entries
	is_array(entries)
	some e in entries
	is_object(e)
	e.section == "mapRoles"
	e.isMap == true
	is_string(e.arn)
}

# Where a finding about the aws-auth ConfigMap as a whole goes: its mapRoles, else its
# data, else its name.
aws_auth_at := ["data", "mapRoles"] if {
	input.facts.awsAuth.sections.mapRoles.present
} else := ["data"] if {
	is_object(obj.data)
} else := ["metadata", "name"]

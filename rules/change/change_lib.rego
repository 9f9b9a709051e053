# Helpers shared by the change rules: rules that judge a transition (operation,
# oldObject -> object, userInfo) rather than an object. What is awkward in Rego is
# computed in Rust (input.facts.change, input.facts.awsAuthOld; see
# src/facts/change.rs). Every rule here is silent when a side it needs is missing.
package blastwall.lib.change

review := input.review

op := review.operation

facts := input.facts.change

requester := facts.requester

# The object after the change, and before it (null when absent).
new := review.object

old := review.oldObject

has_new if is_object(review.object)

has_old if is_object(review.oldObject)

# An admin (config admins) or an EKS/Kubernetes system identity: rules that judge
# who makes a change let these through.
privileged if requester.admin == true

privileged if requester.system == true

# "alice (products: payroll)", "alice", or "an unnamed requester".
who := sprintf("%s (products: %s)", [requester.username, concat(", ", requester.products)]) if {
	requester.username != ""
	count(requester.products) > 0
} else := requester.username if {
	requester.username != ""
} else := "an unnamed requester"

# The label or annotation `key` of an object, or "" when it has none (type-checked:
# rules must never stop the evaluation on a malformed object).
label(o, key) := v if {
	is_object(o.metadata.labels)
	v := o.metadata.labels[key]
	is_string(v)
} else := ""

annotation(o, key) := v if {
	is_object(o.metadata.annotations)
	v := o.metadata.annotations[key]
	is_string(v)
} else := ""

text(x) := x if is_string(x)

text(x) := "" if not is_string(x)

# Name, namespace and kind of an object, "" when absent or not strings.
name(o) := n if {
	n := o.metadata.name
	is_string(n)
} else := ""

namespace(o) := n if {
	n := o.metadata.namespace
	is_string(n)
} else := ""

kind(o) := k if {
	k := o.kind
	is_string(k)
} else := ""

# "Namespace payroll-api", "Deployment payroll/api".
describe(o) := sprintf("%s %s/%s", [kind(o), namespace(o), name(o)]) if {
	namespace(o) != ""
} else := sprintf("%s %s", [kind(o), name(o)])

# The annotation that allows deleting a guarded object, set on the live object first.
allow_delete_annotation := "blastwall.dev/allow-delete"

delete_allowed(o) if annotation(o, allow_delete_annotation) == "true"

# "[a, b]" for messages.
list(xs) := sprintf("[%s]", [concat(", ", xs)])

# aws-auth: the section diffs of an UPDATE (see src/facts/change.rs).
aws_auth := facts.awsAuth

sections contains [section, s] if {
	some section, s in facts.awsAuth.sections
}

# "role arn:…" for mapRoles, "user arn:…" for mapUsers, "account …" for mapAccounts.
principal(section, arn) := sprintf("role %s", [arn]) if section == "mapRoles"

principal(section, arn) := sprintf("user %s", [arn]) if section == "mapUsers"

principal(section, arn) := sprintf("account %s", [arn]) if section == "mapAccounts"

# "username system:node:{{EC2PrivateDNSName}}, groups [system:bootstrappers, system:nodes]"
mapping(p) := sprintf("username %s, groups %s", [object.get(p, "username", "(none)"), list(p.groups)])

# The object a review is about: the new one, or the old one on DELETE.
subject := review.object if {
	has_new
} else := review.oldObject if {
	has_old
}

# Kinds that have no namespace. A review built from a file cannot tell scope by
# the request, so the kind decides.
cluster_scoped_kinds := {
	"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
	"CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass",
	"RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "APIService",
	"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
	"ClusterIssuer", "ENIConfig", "NodePool", "EC2NodeClass",
}

package blastwall.rules.cross_product_binding

import data.blastwall.lib.params
import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-binding",
	"title": "RBAC binding lets another product in",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["RoleBinding", "ClusterRoleBinding"],
	"params": {"allowedClusterRoles": []},
	"description": "Flags a RoleBinding in one product's namespace whose subject (a group, user or ServiceAccount) belongs to another product, and a ClusterRoleBinding that grants a product's subject cluster-wide rights. Ownership comes from the tenancy config and the blastwall.dev/product label of Namespaces. A binding like this lets one product's people or pods act inside another product's blast radius. Parameter `allowedClusterRoles` (default `[]`) lists ClusterRoles that ClusterRoleBindings may grant to a product's subjects.",
	"remediation": "Bind only subjects of the namespace's own product; grant products rights with RoleBindings in their own namespaces. ClusterRoles that are safe cluster-wide can be listed in rules.cross-product-binding.params.allowedClusterRoles.",
	"example": {
		"bad": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: billing-debug\n  namespace: payroll-api\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects:\n- kind: Group\n  name: billing:ops\n",
		"good": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: payroll-devs\n  namespace: payroll-api\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects:\n- kind: Group\n  name: payroll:devs\n",
	},
}

# input.facts.tenancy's fields are read by name: only these parts are computed.
default cluster_product := ""

cluster_product := input.facts.tenancy.clusterProduct

# [owner, description] of a binding subject; `ns` is the binding's namespace.
subject_owner(s, _) := [input.facts.tenancy.owners.groups[s.name], sprintf("group %s", [s.name])] if s.kind == "Group"

subject_owner(s, _) := [input.facts.tenancy.owners.users[s.name], sprintf("user %s", [s.name])] if s.kind == "User"

subject_owner(s, ns) := [input.facts.tenancy.owners.namespaces[sa_ns], sprintf("ServiceAccount %s/%s", [sa_ns, s.name])] if {
	s.kind == "ServiceAccount"
	sa_ns := object.get(s, "namespace", ns)
}

deny contains {"msg": msg, "path": ["subjects", i, "name"]} if {
	t.obj.kind == "RoleBinding"
	some i, s in t.array_at(t.obj.subjects)
	is_object(s)
	[owner, what] := subject_owner(s, input.facts.tenancy.namespace)
	owner.product != t.target.product
	msg := sprintf("binding lets another product in: %s; %s", [t.target_says, t.belongs(what, owner)])
}

allowed_cluster_roles := params.of(metadata.id, metadata.params).allowedClusterRoles

deny contains {"msg": msg, "path": ["subjects", i, "name"]} if {
	t.obj.kind == "ClusterRoleBinding"
	not t.obj.roleRef.name in allowed_cluster_roles
	some i, s in t.array_at(t.obj.subjects)
	is_object(s)
	[owner, what] := subject_owner(s, "")
	owner.product != cluster_product
	msg := sprintf("ClusterRoleBinding grants ClusterRole %s cluster-wide to a product: %s; bind it with RoleBindings in the product's namespaces instead", [t.obj.roleRef.name, t.belongs(what, owner)])
}

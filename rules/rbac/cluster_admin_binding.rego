package blastwall.rules.cluster_admin_binding

import data.blastwall.lib.rbac

metadata := {
	"id": "cluster-admin-binding",
	"title": "Binding grants cluster-admin",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.binding_kinds,
	"match": {"facts": ["rbac.clusterAdmin"]},
	"description": "Flags RoleBindings and ClusterRoleBindings whose roleRef is the ClusterRole cluster-admin, or a Role or ClusterRole defined in the same input that amounts to cluster-admin: a rule entry with `*` in apiGroups and resources and `*` or every write verb (create, update, patch, delete) in verbs, for every name, in the role or in a ClusterRole it aggregates. The message names that role and where it is defined. Through a ClusterRoleBinding its subjects can do anything to every object in the cluster: read every Secret, run code in every pod, change RBAC, admission webhooks and aws-auth. Through a RoleBinding they get the same inside the namespace, including its Secrets and RoleBindings. One leaked credential of any subject is then a cluster (or namespace) takeover.",
	"remediation": "Bind a narrower role: the built-in `admin`, `edit` or `view` ClusterRoles through RoleBindings in the namespaces concerned, or a purpose-built Role. Keep break-glass cluster-admin access outside day-to-day RBAC (for example an EKS access entry used only in an emergency).",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: ci
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-deployer
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: ci
`,
	},
}

role_ref := rbac.fact.roleRef

deny contains {"msg": msg, "path": ["roleRef", "name"]} if {
	rbac.fact.builtinClusterAdmin
	msg := sprintf("%s grants cluster-admin to %s: %s", [rbac.object_label, who, scope[rbac.fact.kind]])
}

# A role of the same input that amounts to cluster-admin.
deny contains {"msg": msg, "path": ["roleRef", "name"]} if {
	not rbac.fact.builtinClusterAdmin
	rbac.fact.role.clusterAdmin
	source := rbac.fact.role.clusterAdminRule
	msg := sprintf("%s grants %s %s (defined at %s) to %s, and that role amounts to cluster-admin: %s; %s", [rbac.object_label, role_ref.kind, role_ref.name, rbac.fact.role.definedAt, who, because(source), writes[rbac.fact.kind]])
}

# Where the role's cluster-admin comes from: its own rule entry, or one of a
# ClusterRole it aggregates.
because(source) := sprintf("its rule %d grants %s", [source.rule, source.grant]) if {
	source.own
} else := sprintf("it aggregates %s (defined at %s), whose rule %d grants %s", [source.role, source.definedAt, source.rule, source.grant])

who := concat(", ", labels) if {
	labels := [rbac.subject_label(e.subject) | some e in rbac.subjects]
	count(labels) > 0
} else := "no subjects yet"

scope := {
	"ClusterRoleBinding": "they can do anything to every object in the cluster, including Secrets, RBAC and aws-auth",
	"RoleBinding": sprintf("they can do anything in namespace %s, including reading its Secrets and changing its RoleBindings", [rbac.namespace_or_unknown]),
}

# What a role with every write verb on everything lets them do.
writes := {
	"ClusterRoleBinding": "they can create, change and delete every object in the cluster, Secrets, RBAC and aws-auth included",
	"RoleBinding": sprintf("they can create, change and delete every object in namespace %s, its Secrets and RoleBindings included", [rbac.namespace_or_unknown]),
}

package blastwall.rules.cluster_admin_binding

import data.blastwall.lib.rbac

metadata := {
	"id": "cluster-admin-binding",
	"title": "Binding grants cluster-admin",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.binding_kinds,
	"description": "Flags RoleBindings and ClusterRoleBindings whose roleRef is the ClusterRole cluster-admin. Through a ClusterRoleBinding its subjects can do anything to every object in the cluster: read every Secret, run code in every pod, change RBAC, admission webhooks and aws-auth. Through a RoleBinding they get the same inside the namespace, including its Secrets and RoleBindings. One leaked credential of any subject is then a cluster (or namespace) takeover.",
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

obj := input.review.object

deny contains {"msg": msg, "path": ["roleRef", "name"]} if {
	rbac.is_binding
	obj.roleRef.kind == "ClusterRole"
	obj.roleRef.name == "cluster-admin"
	msg := sprintf("%s grants cluster-admin to %s: %s", [rbac.object_label, who, scope[obj.kind]])
}

who := concat(", ", labels) if {
	labels := [rbac.subject_label(e.subject) | some e in rbac.subjects]
	count(labels) > 0
} else := "no subjects yet"

scope := {
	"ClusterRoleBinding": "they can do anything to every object in the cluster, including Secrets, RBAC and aws-auth",
	"RoleBinding": sprintf("they can do anything in namespace %s, including reading its Secrets and changing its RoleBindings", [rbac.namespace_or_unknown]),
}

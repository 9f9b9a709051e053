package blastwall.rules.system_group_binding

import data.blastwall.lib.rbac

metadata := {
	"id": "system-group-binding",
	"title": "Binding grants a role to a built-in system group",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.binding_kinds,
	"description": "Flags RoleBinding and ClusterRoleBinding subjects named system:anonymous, system:unauthenticated, system:authenticated or system:masters. The first two are anyone who reaches the API server without credentials; system:authenticated is every identity that authenticates, including every ServiceAccount in every namespace and, on EKS, every mapped IAM role of every product; system:masters already bypasses RBAC, so a binding to it is never needed and usually means admin rights are being managed in the wrong place. The bindings Kubernetes itself creates for these groups (system:discovery, system:basic-user, system:public-info-viewer) are left alone.",
	"remediation": "Bind the role to the specific group, user or ServiceAccount that needs it. Grant admin rights through an admin group mapped in aws-auth or an EKS access entry, not through system:masters bindings.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: dashboards-viewer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:authenticated
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: dashboards-viewer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: observability:viewers
`,
	},
}

# Who each name stands for.
system_subjects := {
	"system:anonymous": "every request without credentials",
	"system:unauthenticated": "every request without credentials",
	"system:authenticated": "every identity that authenticates, including every ServiceAccount in every namespace",
	"system:masters": "a group that already bypasses RBAC; a binding to it is never needed and hides where admin rights come from",
}

# Roles Kubernetes binds to these groups itself; they only reveal public information.
bootstrap_roles := {"system:discovery", "system:basic-user", "system:public-info-viewer"}

deny contains {"msg": msg, "path": ["subjects", entry.index, "name"]} if {
	rbac.is_binding
	not input.review.object.roleRef.name in bootstrap_roles
	some entry in rbac.subjects
	who := system_subjects[entry.subject.name]
	role_ref := object.get(input.review.object, "roleRef", {})
	role := sprintf("%v %v", [object.get(role_ref, "kind", "role"), object.get(role_ref, "name", "?")])
	msg := sprintf("%s grants %s to %s: that is %s", [rbac.object_label, role, entry.subject.name, who])
}

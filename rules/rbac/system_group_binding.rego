package blastwall.rules.system_group_binding

import data.blastwall.lib.rbac

metadata := {
	"id": "system-group-binding",
	"title": "Binding grants a role to a built-in system group",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.binding_kinds,
	"match": {"facts": ["rbac.roleRef"]},
	"description": "Flags RoleBinding and ClusterRoleBinding subjects that are the User system:anonymous or the Group system:unauthenticated, system:authenticated or system:masters. The first two are anyone who reaches the API server without credentials; system:authenticated is every identity that authenticates, including every ServiceAccount in every namespace and, on EKS, every mapped IAM role of every product; system:masters already bypasses RBAC, so a binding to it is never needed and usually means admin rights are being managed in the wrong place. The bindings Kubernetes itself creates for these groups (system:discovery, system:basic-user, system:public-info-viewer) are left alone.",
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

# Who each subject stands for, by kind and name: the anonymous user is a User, the
# others are groups (a Group named system:anonymous, or a User named
# system:masters, is nobody in particular and is left alone).
system_subjects := {
	"User": {"system:anonymous": "every request without credentials"},
	"Group": {
		"system:unauthenticated": "every request without credentials",
		"system:authenticated": "every identity that authenticates, including every ServiceAccount in every namespace",
		"system:masters": "a group that already bypasses RBAC: the binding gives its members nothing they lack, and suggests admin rights are managed in the wrong place",
	},
}

# Roles Kubernetes binds to these groups itself; they only reveal public information.
bootstrap_roles := {"system:discovery", "system:basic-user", "system:public-info-viewer"}

deny contains {"msg": msg, "path": ["subjects", entry.index, "name"]} if {
	role_ref := rbac.fact.roleRef
	not role_ref.name in bootstrap_roles
	some entry in rbac.subjects
	who := system_subjects[entry.subject.kind][entry.subject.name]
	msg := sprintf("%s grants %s %s%s to %s: that is %s", [rbac.object_label, kind_or(role_ref.kind), name_or(role_ref.name), within, entry.subject.name, who])
}

kind_or(k) := k if k != ""

kind_or("") := "role"

name_or(n) := n if n != ""

name_or("") := "?"

# A RoleBinding grants the role in its namespace only.
within := sprintf(" in namespace %s", [rbac.namespace_or_unknown]) if {
	rbac.fact.kind == "RoleBinding"
} else := ""

package blastwall.rules.rbac_wildcard

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-wildcard",
	"title": "RBAC rule uses a wildcard",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"description": "Flags every `*` in the verbs, resources or apiGroups of a Role or ClusterRole rule, one finding per `*`. A wildcard grants more than anyone reviewed: every verb includes escalate, bind, impersonate and delete; every resource includes Secrets, RoleBindings and pods/exec; every API group includes rbac.authorization.k8s.io and the groups of CRDs installed later. Whoever holds such a role can usually grant themselves the rest of the cluster.",
	"remediation": "List the verbs, resources and API groups the subject needs, e.g. `verbs: [get, list, watch]`, `resources: [deployments]`, `apiGroups: [apps]`. Use the built-in `view`, `edit` or `admin` ClusterRoles where they fit.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["*"]
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
`,
	},
}

# What a `*` in each field grants.
grants := {
	"verbs": "every verb, including delete, escalate, bind and impersonate and any verb added later",
	"resources": "every resource, including secrets, rolebindings and pods/exec, and those of CRDs installed later",
	"apiGroups": "every API group, including rbac.authorization.k8s.io and the groups of CRDs installed later",
}

deny contains {"msg": msg, "path": ["rules", entry.index, field, j]} if {
	some entry in rbac.role_rules
	some field, grant in grants
	some j, value in rbac.field(entry.rule, field)
	value == "*"
	msg := sprintf("%s rule %d has '*' in %s: it grants %s", [rbac.object_label, entry.index, field, grant])
}

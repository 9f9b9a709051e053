package blastwall.rules.rbac_secrets_read

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-secrets-read",
	"title": "ClusterRole can read Secrets",
	"severity": "warning",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"description": "Flags ClusterRole rules that grant get, list or watch (or `*`) on secrets (or `*` resources) in the core API group (\"\" or `*`). Bound with a ClusterRoleBinding the role reads every Secret in every namespace; even through a RoleBinding it reads all of that namespace's Secrets. Secrets hold ServiceAccount tokens, TLS keys, registry and database credentials, so reading them is usually enough to act as any workload whose Secret it can read. list and watch return the values too, not just names.",
	"remediation": "Grant Secret access with a Role in the namespace that needs it, limited by resourceNames to the Secrets the workload uses; mount Secrets into pods instead of reading them through the API; or keep credentials in an external secret store.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: config-reader
rules:
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list", "watch"]
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: config-reader
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
`,
	},
}

read_verbs := {"get", "list", "watch", "*"}

deny contains {"msg": msg, "path": ["rules", entry.index, "resources", j]} if {
	input.review.object.kind == "ClusterRole"
	some entry in rbac.role_rules
	rbac.matches(entry.rule, "apiGroups", "")
	verbs := [v | some v in rbac.field(entry.rule, "verbs"); v in read_verbs]
	count(verbs) > 0
	some j, resource in rbac.field(entry.rule, "resources")
	resource in {"secrets", "*"}
	msg := sprintf("%s rule %d grants %s on %s: anyone bound to it can read the Secrets (tokens, keys, passwords) of every namespace it applies to", [rbac.object_label, entry.index, concat(", ", verbs), what(resource)])
}

what("secrets") := "secrets"

what("*") := "every resource, secrets included"

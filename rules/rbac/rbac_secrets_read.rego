package blastwall.rules.rbac_secrets_read

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-secrets-read",
	"title": "ClusterRole can read Secrets",
	"severity": "warning",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"match": {"facts": ["rbac.reachesSecrets"]},
	"description": "Flags ClusterRole rule entries that name secrets in the core API group with get, list or watch. (An entry that reaches Secrets through a wildcard is reported by rbac-wildcard, whose message names them.) Bound with a ClusterRoleBinding the role reads every Secret in every namespace; even through a RoleBinding it reads all of that namespace's Secrets. Secrets hold ServiceAccount tokens, TLS keys, registry and database credentials, so reading them is usually enough to act as any workload whose Secret it can read. list and watch return the values too, not just names.",
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

read_verbs := {"get", "list", "watch"}

deny contains {"msg": msg, "path": ["rules", entry.index, "resources", j]} if {
	rbac.fact.kind == "ClusterRole"
	some entry in rbac.plain_rules
	verbs := [v | some v in entry.secretVerbs; v in read_verbs]
	count(verbs) > 0
	some j, resource in entry.resources
	resource == "secrets"
	msg := sprintf("%s rule %d grants %s on secrets%s: whoever it is bound to reads the values of %s in the namespaces it is bound in, or in every namespace through a ClusterRoleBinding", [rbac.object_label, entry.index, concat(", ", verbs), named(entry), which(entry)])
}

named(entry) := sprintf(" named %s", [concat(", ", entry.resourceNames)]) if {
	count(entry.resourceNames) > 0
} else := ""

which(entry) := "those Secrets" if {
	count(entry.resourceNames) > 0
} else := "every Secret"

package blastwall.rules.rbac_wildcard

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-wildcard",
	"title": "RBAC rule uses a wildcard",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"match": {"facts": ["rbac.wildcard"]},
	"description": "Flags each Role or ClusterRole rule entry with `*` in apiGroups, resources or verbs (or a `*/subresource`) once, at its most significant wildcard (apiGroups, then resources, then verbs), the others as related locations. The message names what the entry grants: every API group, or every resource of the groups named, with the verbs that apply there (escalate and bind only on roles, impersonate only on users, groups and ServiceAccounts). Error when the entry is equivalent to cluster-admin, spans every API group, or reaches Secrets, RBAC writes, pods/exec, attach or portforward, serviceaccounts/token, nodes/proxy, escalate, bind, impersonate, aws-auth, or writes to admission webhooks or policies of every name (which can turn admission control off); warning when it writes other resources (a custom group's, say); info when read-only. Entries of nonResourceURLs only grant no API resource and are left alone; the escalation, Secret and aws-auth rules leave wildcard entries to this rule.",
	"remediation": "List the verbs, resources and API groups the subject needs, e.g. `verbs: [get, list, watch]`, `resources: [deployments]`, `apiGroups: [apps]`. Use the built-in `view`, `edit` or `admin` ClusterRoles where they fit. A controller that reads every resource of its own custom group is fine: accept the info finding with an exemption.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["*"]
  verbs: ["get", "list"]
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "list"]
`,
	},
}

deny contains finding if {
	some entry in rbac.fact.rules
	count(entry.wildcards) > 0
	finding := {
		"msg": sprintf("%s rule %d grants %s%s", [rbac.object_label, entry.index, entry.grant, consequence(entry)]),
		"path": entry.wildcards[0].path,
		"severity": severity(entry),
		"related": [{"path": w.path, "msg": sprintf("also '%s' in %s", [w.value, w.field])} |
			some i, w in entry.wildcards
			i > 0
		],
	}
}

consequence(entry) := sprintf(": equivalent to cluster-admin%s", [within]) if {
	entry.clusterAdmin
	within := scope
} else := sprintf(", which includes %s", [rbac.and_list(entry.sensitive)]) if {
	count(entry.sensitive) > 0
} else := ": every API group includes the groups of CRDs and API services installed later" if {
	entry.everyGroup
} else := " (read-only)" if {
	entry.readOnly
} else := ""

scope := sprintf(" within namespace %s", [rbac.namespace_or_unknown]) if {
	rbac.fact.kind == "Role"
} else := ""

severity(entry) := "error" if {
	entry.clusterAdmin
} else := "error" if {
	count(entry.sensitive) > 0
} else := "error" if {
	entry.everyGroup
} else := "info" if {
	entry.readOnly
} else := "warning"

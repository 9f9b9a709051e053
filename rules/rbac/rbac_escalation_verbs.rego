package blastwall.rules.rbac_escalation_verbs

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-escalation-verbs",
	"title": "RBAC rule grants escalate, bind or impersonate",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"description": "Flags the verbs escalate and bind on roles or clusterroles (API group rbac.authorization.k8s.io), and impersonate on users, groups, serviceaccounts, uids or userextras, in a Role or ClusterRole. These verbs switch off RBAC's own protection against privilege escalation: escalate lets the holder write roles with permissions it does not have, bind lets it bind any role to anyone, and impersonate lets it send requests as any user or group, including system:masters. A `*` verb is reported by rbac-wildcard.",
	"remediation": "Remove the verb. Let a controller or the platform team's pipeline create RoleBindings to a fixed list of roles; if a tool must bind roles, grant `bind` with resourceNames that list exactly those roles.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: team-lead
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings", "clusterroles"]
  verbs: ["create", "bind"]
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: team-lead
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["create"]
`,
	},
}

rbac_group := {"rbac.authorization.k8s.io"}

role_resources := {"roles", "clusterroles"}

# Where each verb means something, and what it lets the holder do.
escalation := {
	"escalate": {
		"groups": rbac_group,
		"resources": role_resources,
		"does": "write roles with permissions it does not hold itself, bypassing RBAC's escalation check",
	},
	"bind": {
		"groups": rbac_group,
		"resources": role_resources,
		"does": "bind any role, cluster-admin included, to itself or anyone without holding its permissions",
	},
	"impersonate": {
		"groups": {"", "authentication.k8s.io"},
		"resources": {"users", "groups", "serviceaccounts", "uids", "userextras"},
		"does": "send requests as any user, group or ServiceAccount, including system:masters",
	},
}

deny contains {"msg": msg, "path": ["rules", entry.index, "verbs", j]} if {
	some entry in rbac.role_rules
	some j, verb in rbac.field(entry.rule, "verbs")
	spec := escalation[verb]
	some group in rbac.field(entry.rule, "apiGroups")
	applies(group, spec.groups)
	resources := [r |
		some r in rbac.field(entry.rule, "resources")
		is_string(r)
		applies(split(r, "/")[0], spec.resources)
	]
	count(resources) > 0
	msg := sprintf("%s rule %d grants '%s' on %s: the holder can %s", [rbac.object_label, entry.index, verb, concat(", ", resources), spec.does])
}

applies(value, _) if value == "*"

applies(value, wanted) if value in wanted

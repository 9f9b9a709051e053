package blastwall.rules.rbac_escalation_verbs

import data.blastwall.lib.rbac

metadata := {
	"id": "rbac-escalation-verbs",
	"title": "RBAC rule grants escalate, bind or impersonate",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"match": {"facts": ["rbac.escalationVerbs"]},
	"description": "Flags the verbs escalate and bind on roles or clusterroles (API group rbac.authorization.k8s.io), and impersonate on users, groups, serviceaccounts, uids or userextras, in a Role or ClusterRole. These verbs switch off RBAC's own protection against privilege escalation: escalate lets the holder write roles with permissions it does not have, bind lets it bind any role to anyone, and impersonate lets it send requests as any user or group, including system:masters. Messages say what the holder can do with what this role grants: bind needs create on bindings and escalate needs create, update or patch on roles too, and resourceNames limit both. An entry with a wildcard (a `*` verb, say) is reported by rbac-wildcard, whose message names these verbs.",
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

# The resources of the entry each verb applies to.
targets("escalate", entry) := [r | some r in entry.resources; r in {"roles", "clusterroles"}]

targets("bind", entry) := [r | some r in entry.resources; r in {"roles", "clusterroles"}]

targets("impersonate", entry) := [r |
	some r in entry.resources
	split(r, "/")[0] in {"users", "groups", "serviceaccounts", "uids", "userextras"}
]

deny contains {"msg": msg, "path": ["rules", entry.index, "verbs", j]} if {
	some entry in rbac.plain_rules
	some j, verb in entry.verbs
	verb in {"escalate", "bind", "impersonate"}
	entry[verb] == true
	on := targets(verb, entry)
	msg := sprintf("%s rule %d grants '%s' on %s%s: %s", [rbac.object_label, entry.index, verb, concat(", ", on), named(entry), does(verb, entry, on)])
}

named(entry) := sprintf(" named %s", [concat(", ", entry.resourceNames)]) if {
	count(entry.resourceNames) > 0
} else := ""

# The roles a verb reaches, for messages.
roles(entry, _) := sprintf("the roles named %s", [concat(", ", entry.resourceNames)]) if {
	count(entry.resourceNames) > 0
} else := "any ClusterRole (cluster-admin included)" if {
	on := targets("bind", entry)
	"clusterroles" in on
	not "roles" in on
} else := "any Role or ClusterRole (cluster-admin included)" if {
	"clusterroles" in targets("bind", entry)
} else := "any Role"

kinds_written(entry) := "ClusterRoles" if {
	on := targets("escalate", entry)
	"clusterroles" in on
	not "roles" in on
} else := "Roles and ClusterRoles" if {
	"clusterroles" in targets("escalate", entry)
} else := "Roles"

does("escalate", entry, _) := sprintf("with the create, update or patch on them this role also grants, the holder can write %s with permissions it does not hold, bypassing RBAC's escalation check", [kinds_written(entry)]) if {
	rbac.fact.writesRoles
} else := sprintf("whoever may also create, update or patch %s can write them with permissions it does not hold, bypassing RBAC's escalation check", [kinds_written(entry)])

does("bind", entry, _) := sprintf("with the create on bindings this role also grants, the holder can bind %s to anyone, itself included, without holding its permissions", [roles(entry, "bind")]) if {
	rbac.fact.createsBindings
} else := sprintf("whoever may also create RoleBindings or ClusterRoleBindings can bind %s without holding its permissions", [roles(entry, "bind")])

does("impersonate", entry, on) := sprintf("the holder can send requests %s", [rbac.and_list(whom)]) if {
	whom := [w | some r in on; w := impersonated(r, entry)]
}

impersonated(r, entry) := sprintf("%s the %s named %s", [preposition(r), split(r, "/")[0], concat(", ", entry.resourceNames)]) if {
	count(entry.resourceNames) > 0
} else := "as any group, system:masters included" if {
	r == "groups"
} else := sprintf("%s any %s", [preposition(r), noun[split(r, "/")[0]]])

# A request is made as a user, group, ServiceAccount or UID, and with extras.
preposition(r) := "with" if {
	split(r, "/")[0] == "userextras"
} else := "as"

noun := {
	"users": "user",
	"serviceaccounts": "ServiceAccount",
	"uids": "UID",
	"userextras": "user extra",
	"groups": "group",
}

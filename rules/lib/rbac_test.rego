# Builders the RBAC rule tests share: input.facts.rbac as blastwall computes it
# (src/facts/rbac.rs), written out with only what a test needs; every other field
# has its "reaches nothing" value. The suites (rules/rbac/rbac.cases.yaml) run the
# rules on the facts Rust computes.
#
# regorus 0.14.1 evaluates `with input as f(x)` to undefined: bind the document to a
# variable first (`doc := f(x)`, then `with input as doc`).
package blastwall.lib.rbac_test

entry(index, fields) := object.union(
	{
		"index": index, "path": ["rules", index],
		"apiGroups": [], "resources": [], "verbs": [], "resourceNames": [], "nonResourceURLs": [],
		"wildcards": [], "groups": [], "grants": [], "grantsComplete": true, "grant": "", "verbsApplied": [],
		"secretVerbs": [], "sensitive": [],
		"reachesSecrets": false, "reachesRbac": false, "reachesPodExec": false,
		"reachesServiceAccountToken": false, "reachesNodesProxy": false,
		"escalate": false, "bind": false, "impersonate": false, "writesAwsAuth": false, "writesAdmission": false,
		"readOnly": false, "customGroupsOnly": false, "everyGroup": false, "clusterAdmin": false,
	},
	fields,
)

# A wildcard of entry `index`: `value` at position `j` of `field`.
wildcard(index, field, j) := {"field": field, "index": j, "value": "*", "path": ["rules", index, field, j]}

# A grant triple.
grant(group, resource, verb) := {"group": group, "resource": resource, "verb": verb}

label(kind, namespace, name) := sprintf("%s %s/%s", [kind, namespace, name]) if {
	kind in {"Role", "RoleBinding"}
} else := sprintf("%s %s", [kind, name])

# A Role (in `namespace`) or ClusterRole named `name` with rule entries `entries`
# (and role-level facts `extra`), as a CREATE review with its facts.
role(kind, namespace, name, entries, extra) := {
	"review": {"operation": "CREATE", "namespace": namespace, "object": {
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
		"metadata": {"name": name, "namespace": namespace}, "rules": [],
	}},
	"facts": {"rbac": object.union(
		{
			"kind": kind, "name": name, "label": label(kind, namespace, name), "namespace": namespace,
			"reachesKubeSystem": kind == "ClusterRole", "rules": entries,
			"wildcard": any_entry(entries, "wildcard"), "reachesSecrets": any_entry(entries, "reachesSecrets"),
			"escalationVerbs": any_entry(entries, "escalationVerbs"), "writesAwsAuth": any_entry(entries, "writesAwsAuth"),
			"createsBindings": false, "writesRoles": false, "clusterAdmin": any_entry(entries, "clusterAdmin"),
		},
		extra,
	)},
}

# The role-level flags: some entry has it.
any_entry(entries, "wildcard") := count([e | some e in entries; count(e.wildcards) > 0]) > 0

any_entry(entries, "escalationVerbs") := count([e | some e in entries; some v in ["escalate", "bind", "impersonate"]; e[v]]) > 0

any_entry(entries, flag) := count([e | some e in entries; e[flag]]) > 0 if {
	flag in {"reachesSecrets", "writesAwsAuth", "clusterAdmin"}
}

# A binding of `kind` named `name` (a RoleBinding in namespace shop) to the role
# `role_ref` with `subjects`, and binding facts `extra`.
binding(kind, name, role_ref, subjects, extra) := {
	"review": {"operation": "CREATE", "object": {
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
		"metadata": object.union({"name": name}, ns_of(kind)),
		"roleRef": object.union({"apiGroup": "rbac.authorization.k8s.io"}, role_ref),
		"subjects": subjects,
	}},
	"facts": {"rbac": object.union(
		object.union(
			{
				"kind": kind, "name": name, "label": label(kind, "shop", name), "roleRef": role_ref,
				"builtinClusterAdmin": role_ref == {"kind": "ClusterRole", "name": "cluster-admin"},
				"clusterAdmin": role_ref == {"kind": "ClusterRole", "name": "cluster-admin"},
			},
			ns_of(kind),
		),
		extra,
	)},
}

ns_of("RoleBinding") := {"namespace": "shop"}

ns_of(kind) := {} if kind != "RoleBinding"

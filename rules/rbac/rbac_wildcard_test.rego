package blastwall.rules.rbac_wildcard_test

import data.blastwall.lib.rbac_test as k
import data.blastwall.rules.rbac_wildcard as rule

# calico-kube-controllers: apiGroups [crd.projectcalico.org], resources ["*"], get/list/watch.
calico := k.entry(0, {
	"apiGroups": ["crd.projectcalico.org"], "resources": ["*"], "verbs": ["get", "list", "watch"],
	"wildcards": [k.wildcard(0, "resources", 0)],
	"grant": "get, list, watch on every resource of crd.projectcalico.org",
	"readOnly": true, "customGroupsOnly": true,
})

test_a_read_only_custom_group_wildcard_is_info_and_names_the_group if {
	doc := k.role("ClusterRole", "", "calico-kube-controllers", [calico], {})
	rule.deny == {{
		"msg": "ClusterRole calico-kube-controllers rule 0 grants get, list, watch on every resource of crd.projectcalico.org (read-only)",
		"path": ["rules", 0, "resources", 0],
		"severity": "info",
		"related": [],
	}} with input as doc
}

test_a_custom_group_wildcard_that_writes_is_a_warning if {
	e := k.entry(2, {
		"wildcards": [k.wildcard(2, "resources", 0)],
		"grant": "get, list, watch, create, update, patch, delete on every resource of projectcalico.org",
		"customGroupsOnly": true,
	})
	doc := k.role("ClusterRole", "", "calico-kube-controllers", [e], {})
	rule.deny == {{
		"msg": "ClusterRole calico-kube-controllers rule 2 grants get, list, watch, create, update, patch, delete on every resource of projectcalico.org",
		"path": ["rules", 2, "resources", 0],
		"severity": "warning",
		"related": [],
	}} with input as doc
}

test_cluster_admin_is_one_finding_at_the_group_with_the_rest_related if {
	e := k.entry(0, {
		"wildcards": [k.wildcard(0, "apiGroups", 0), k.wildcard(0, "resources", 0), k.wildcard(0, "verbs", 0)],
		"grant": "every verb (escalate, bind and impersonate included) on every resource of every API group",
		"clusterAdmin": true, "everyGroup": true, "sensitive": ["Secrets"],
	})
	doc := k.role("ClusterRole", "", "argocd-application-controller", [e], {})
	rule.deny == {{
		"msg": "ClusterRole argocd-application-controller rule 0 grants every verb (escalate, bind and impersonate included) on every resource of every API group: equivalent to cluster-admin",
		"path": ["rules", 0, "apiGroups", 0],
		"severity": "error",
		"related": [
			{"path": ["rules", 0, "resources", 0], "msg": "also '*' in resources"},
			{"path": ["rules", 0, "verbs", 0], "msg": "also '*' in verbs"},
		],
	}} with input as doc
}

test_a_role_is_cluster_admin_within_its_namespace if {
	e := k.entry(1, {"wildcards": [k.wildcard(1, "apiGroups", 0)], "grant": "g", "clusterAdmin": true})
	doc := k.role("Role", "shop", "ops", [e], {})
	some f in rule.deny with input as doc
	f.msg == "Role shop/ops rule 1 grants g: equivalent to cluster-admin within namespace shop"
}

test_reaching_secrets_or_exec_is_an_error_naming_them if {
	e := k.entry(0, {
		"wildcards": [k.wildcard(0, "resources", 0)],
		"grant": "get on every resource of the core group",
		"readOnly": true, "reachesSecrets": true,
		"sensitive": ["Secrets", "pods/exec", "pods/attach", "pods/portforward", "nodes/proxy"],
	})
	doc := k.role("Role", "shop", "reader", [e], {})
	some f in rule.deny with input as doc
	f.msg == "Role shop/reader rule 0 grants get on every resource of the core group, which includes Secrets, pods/exec, pods/attach, pods/portforward and nodes/proxy"
	f.severity == "error"
}

test_writing_admission_webhooks_is_an_error if {
	e := k.entry(0, {
		"wildcards": [k.wildcard(0, "resources", 0)],
		"grant": "get, update, patch on every resource of admissionregistration.k8s.io",
		"writesAdmission": true,
		"sensitive": ["writes to admission webhook configurations", "writes to admission policies"],
	})
	doc := k.role("ClusterRole", "", "webhook-manager", [e], {})
	rule.deny == {{
		"msg": "ClusterRole webhook-manager rule 0 grants get, update, patch on every resource of admissionregistration.k8s.io, which includes writes to admission webhook configurations and writes to admission policies",
		"path": ["rules", 0, "resources", 0],
		"severity": "error",
		"related": [],
	}} with input as doc
}

test_every_group_is_an_error if {
	e := k.entry(1, {"wildcards": [k.wildcard(1, "apiGroups", 0)], "grant": "get, update on ingresses of every API group", "everyGroup": true})
	doc := k.role("Role", "shop", "deployer", [e], {})
	rule.deny == {{
		"msg": "Role shop/deployer rule 1 grants get, update on ingresses of every API group: every API group includes the groups of CRDs and API services installed later",
		"path": ["rules", 1, "apiGroups", 0],
		"severity": "error",
		"related": [],
	}} with input as doc
}

test_entries_without_wildcards_are_fine if {
	doc := k.role("Role", "shop", "deployer", [k.entry(0, {"grant": "get on deployments of apps"})], {})
	count(rule.deny) == 0 with input as doc
}

test_silent_without_the_fact if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}, "facts": {}}
}

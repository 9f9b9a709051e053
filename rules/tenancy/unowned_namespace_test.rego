package blastwall.rules.unowned_namespace

cm(tenancy) := {"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "scratch"}}}, "facts": {"tenancy": tenancy}}

test_object_in_an_unowned_namespace_is_warned if {
	deny == {{
		"msg": "namespace scratch belongs to no product: no Namespace labels it blastwall.dev/product, no product's namespaces glob matches it, and sharedNamespaces does not list it",
		"path": ["metadata", "namespace"],
	}} with input as cm({"namespace": "scratch", "shared": false, "owners": {}})
}

test_owned_and_shared_namespaces_are_fine if {
	count(deny) == 0 with input as cm({"namespace": "scratch", "shared": false, "product": {"product": "payroll", "via": "cluster.product"}})
	count(deny) == 0 with input as cm({"namespace": "kube-system", "shared": true})
}

test_an_unowned_namespace_object_is_warned_at_its_name if {
	some f in deny with input as {"review": {"object": {"kind": "Namespace", "metadata": {"name": "scratch"}}}, "facts": {"tenancy": {"namespace": "scratch", "shared": false}}}
	f.path == ["metadata", "name"]
}

test_silent_without_config if {
	count(deny) == 0 with input as {"review": {"object": {"kind": "ConfigMap", "metadata": {"namespace": "scratch"}}}, "facts": {}}
}

test_silent_on_connect if {
	inp := {
		"review": {"operation": "CONNECT", "namespace": "scratch", "object": {"kind": "PodExecOptions", "command": ["sh"]}},
		"facts": {"tenancy": {"namespace": "scratch", "shared": false}},
	}
	count(deny) == 0 with input as inp
}

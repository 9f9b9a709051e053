package blastwall.rules.access_entry_scope

import data.blastwall.lib.access_entries as ae

test_namespace_scope_without_namespaces_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"scope": {"path": ["s"], "type": "namespace", "typePath": ["s", "t"], "problem": "namespace-without-namespaces", "problemPath": ["s", "t"], "namespaces": []}})]})], [], [])
	f.path == ["s", "t"]
}

test_cluster_scope_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"policies": [ae.policy({})]})], [], [])
}

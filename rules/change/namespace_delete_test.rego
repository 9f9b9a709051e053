package blastwall.rules.namespace_delete_test

import data.blastwall.rules.namespace_delete as rule

ns(labels, annotations) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payroll-api", "labels": labels, "annotations": annotations}}

requester := {"username": "alice", "products": [], "admin": true, "system": false}

inp(o, tenancy) := {
	"review": {"operation": "DELETE", "object": null, "oldObject": o},
	"facts": {"change": {"requester": requester}, "tenancy": tenancy},
}

test_deleting_a_labelled_namespace_is_denied if {
	expected := {{
		"msg": "deleting Namespace payroll-api (requested by alice) deletes every object in it, and it belongs to product payroll (label blastwall.dev/product); annotate the live Namespace with blastwall.dev/allow-delete: \"true\" first",
		"path": [],
	}}
	rule.deny == expected with input as inp(ns({"blastwall.dev/product": "payroll"}, {}), {})
}

test_ownership_from_the_config_counts_too if {
	some f in rule.deny with input as inp(ns({}, {}), {"product": {"product": "payroll", "via": "namespaces: payroll-*"}})
	contains(f.msg, "belongs to product payroll (namespaces: payroll-*)")
}

test_annotated_namespace_may_go if {
	count(rule.deny) == 0 with input as inp(ns({"blastwall.dev/product": "payroll"}, {"blastwall.dev/allow-delete": "true"}), {})
}

test_unowned_namespace_may_go if {
	count(rule.deny) == 0 with input as inp(ns({}, {}), {})
}

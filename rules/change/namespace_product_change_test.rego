package blastwall.rules.namespace_product_change_test

import data.blastwall.rules.namespace_product_change as rule

ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "billing-jobs", "labels": labels}}

inp(before, after, admin, extra) := {
	"review": {"operation": "UPDATE", "oldObject": ns(before), "object": ns(after)},
	"facts": {"change": object.union({"requester": {"username": "alice", "products": ["payroll"], "admin": admin, "system": false}}, extra)},
}

test_relabel_by_a_non_admin_is_denied if {
	expected := {{
		"msg": "label blastwall.dev/product of Namespace billing-jobs changed from billing to payroll by alice (products: payroll), who is not an admin: every object in the namespace moves from product billing to product payroll",
		"path": ["metadata", "labels", "blastwall.dev/product"],
	}}
	rule.deny == expected with input as inp({"blastwall.dev/product": "billing"}, {"blastwall.dev/product": "payroll"}, false, {})
}

test_removal_says_where_ownership_falls if {
	extra := {"namespace": {"newOwner": {"product": "billing", "via": "namespaces: billing-*"}}}
	some f in rule.deny with input as inp({"blastwall.dev/product": "billing"}, {}, false, extra)
	f.msg == "label blastwall.dev/product of Namespace billing-jobs removed by alice (products: payroll), who is not an admin (it was billing), which gives it to product billing (namespaces: billing-*)"
}

test_admins_may_relabel if {
	count(rule.deny) == 0 with input as inp({"blastwall.dev/product": "billing"}, {"blastwall.dev/product": "payroll"}, true, {})
}

test_other_label_changes_and_first_labels_are_fine if {
	count(rule.deny) == 0 with input as inp({"blastwall.dev/product": "billing"}, {"blastwall.dev/product": "billing", "team": "x"}, false, {})
	count(rule.deny) == 0 with input as inp({}, {"blastwall.dev/product": "payroll"}, false, {})
}

test_silent_without_old_object if {
	inp2 := {"review": {"operation": "UPDATE", "oldObject": null, "object": ns({"blastwall.dev/product": "x"})}, "facts": {"change": {"requester": {"username": "a", "products": [], "admin": false, "system": false}}}}
	count(rule.deny) == 0 with input as inp2
}

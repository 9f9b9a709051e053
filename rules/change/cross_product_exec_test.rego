package blastwall.rules.cross_product_exec_test

import data.blastwall.rules.cross_product_exec as rule

inp(sub, products, admin, owner) := {
	"review": {
		"operation": "CONNECT", "namespace": "billing", "name": "close-books-0", "subResource": sub,
		"resource": {"group": "", "version": "v1", "resource": "pods"},
		"object": {"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]},
	},
	"facts": {
		"change": {"requester": {"username": "alice", "products": products, "admin": admin, "system": false}},
		"tenancy": {"namespace": "billing", "product": {"product": owner, "via": "namespaces: billing"}},
	},
}

test_exec_into_another_product_is_denied if {
	expected := {{"msg": "exec by alice (products: payroll) into pod billing/close-books-0, in namespace billing, which belongs to product billing (namespaces: billing)", "path": []}}
	rule.deny == expected with input as inp("exec", ["payroll"], false, "billing")
}

test_port_forward_is_named if {
	some f in rule.deny with input as inp("portforward", ["payroll"], false, "billing")
	startswith(f.msg, "port-forward by alice")
}

test_own_product_admins_and_productless_requesters_are_fine if {
	count(rule.deny) == 0 with input as inp("exec", ["billing"], false, "billing")
	count(rule.deny) == 0 with input as inp("exec", ["payroll"], true, "billing")
	count(rule.deny) == 0 with input as inp("exec", [], false, "billing")
}

test_other_subresources_are_not_exec if {
	count(rule.deny) == 0 with input as inp("log", ["payroll"], false, "billing")
}

package blastwall.rules.crd_delete_test

import data.blastwall.rules.crd_delete as rule

crd(annotations) := {
	"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
	"metadata": {"name": "certificates.cert-manager.io", "annotations": annotations},
	"spec": {"group": "cert-manager.io", "names": {"kind": "Certificate"}},
}

inp(op, o) := {
	"review": {"operation": op, "object": null, "oldObject": o},
	"facts": {"change": {"requester": {"username": "helm", "products": [], "admin": false, "system": false}}},
}

test_crd_delete_is_denied if {
	expected := {{
		"msg": "deleting CustomResourceDefinition certificates.cert-manager.io (requested by helm) deletes every Certificate (cert-manager.io) in the cluster; annotate the live object with blastwall.dev/allow-delete: \"true\" first",
		"path": [],
	}}
	rule.deny == expected with input as inp("DELETE", crd({}))
}

test_annotated_crd_may_go if {
	count(rule.deny) == 0 with input as inp("DELETE", crd({"blastwall.dev/allow-delete": "true"}))
}

test_malformed_crd_still_reports if {
	some f in rule.deny with input as inp("DELETE", {"kind": "CustomResourceDefinition", "metadata": {"name": "x"}, "spec": "nonsense"})
	startswith(f.msg, "deleting CustomResourceDefinition x")
}

test_other_deletes_and_updates_are_fine if {
	count(rule.deny) == 0 with input as inp("DELETE", {"kind": "ConfigMap", "metadata": {"name": "x"}})
	count(rule.deny) == 0 with input as inp("UPDATE", crd({}))
}

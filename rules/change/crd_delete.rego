package blastwall.rules.crd_delete

import data.blastwall.lib.change

metadata := {
	"id": "crd-delete",
	"title": "Deleting a CustomResourceDefinition",
	"severity": "error",
	"category": "change",
	"kinds": ["CustomResourceDefinition"],
	"match": {"operations": ["DELETE"]},
	"description": "Fires on DELETE of a CustomResourceDefinition unless the live object already carries the annotation `blastwall.dev/allow-delete: \"true\"`. Deleting a CRD deletes every custom resource of its kind in every namespace — every Certificate, every SecurityGroupPolicy, every Argo Application — and the controllers that relied on them act on their absence. A Helm uninstall or a pruning GitOps sync does this silently.",
	"remediation": "Keep CRDs out of what Helm or GitOps prunes (`helm.sh/resource-policy: keep`, Argo CD `Prune=false`). To retire a CRD, annotate it with `blastwall.dev/allow-delete: \"true\"` after checking no resources of its kind are left, then delete it.",
	"example": {
		"bad": "# kubectl delete crd certificates.cert-manager.io, with the live object:\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: certificates.cert-manager.io}\nspec:\n  group: cert-manager.io\n  names: {kind: Certificate, plural: certificates}\n  scope: Namespaced\n",
		"good": "# the live object was annotated first:\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: certificates.cert-manager.io\n  annotations: {blastwall.dev/allow-delete: \"true\"}\nspec:\n  group: cert-manager.io\n  names: {kind: Certificate, plural: certificates}\n  scope: Namespaced\n",
	},
}

# "Certificate (cert-manager.io)", or "resource of its kind" for a malformed CRD.
what := sprintf("%s (%s)", [k, g]) if {
	k := change.old.spec.names.kind
	g := change.old.spec.group
	is_string(k)
	is_string(g)
} else := "resource of its kind"

deny contains {"msg": msg, "path": []} if {
	change.op == "DELETE"
	change.has_old
	change.old.kind == "CustomResourceDefinition"
	not change.delete_allowed(change.old)
	msg := sprintf("deleting CustomResourceDefinition %s (requested by %s) deletes every %s in the cluster; annotate the live object with blastwall.dev/allow-delete: \"true\" first", [change.name(change.old), change.who, what])
}

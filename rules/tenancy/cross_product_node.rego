package blastwall.rules.cross_product_node

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-node",
	"title": "Pods target another product's dedicated nodes",
	"severity": "error",
	"category": "tenancy",
	"match": {"facts": ["workload"]},
	"description": "Flags a pod spec whose nodeSelector, node affinity (required or preferred `In` terms) or tolerations target the node groups another product has to itself (products.<name>.nodeLabels and nodeTaints in the config). A pod on another product's nodes shares its kernel, its node IAM role and its noisy neighbours.",
	"remediation": "Select the product's own node labels and tolerate only its own taints; a toleration with `operator: Exists` must name a key no other product taints with.",
	"example": {
		"bad": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  template:\n    spec:\n      nodeSelector:\n        blastwall.dev/node-pool: billing\n      containers:\n      - name: api\n        image: app:1\n",
		"good": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  template:\n    spec:\n      nodeSelector:\n        blastwall.dev/node-pool: payroll\n      containers:\n      - name: api\n        image: app:1\n",
	},
}

products := object.get(data.blastwall.config, "products", {})

# Lists and maps read from the object are type-checked (is_array, is_object) before
# they are iterated, as t.array_at and t.object_at do, without a function call each.
# Pod specs are read from input.facts.workload.pods where each body needs them
# (a pod spec, and each template of an Argo workflow; each an object), without a
# set of them first. A field read from what is not an object is undefined: a
# toleration with a value or an operator is an object, and object.get is safe on it.

# The other product that dedicates nodes labelled k=v.
label_owner(k, v) := p if {
	some p, spec in products
	p != t.target.product
	spec.nodeLabels[k] == v
}

taint_owner(k, v) := p if {
	some p, spec in products
	p != t.target.product
	spec.nodeTaints[k] == v
}

says_label(k, v, p) := sprintf("node label %s=%s belongs to product %s (nodeLabels: %s: %s)", [k, v, p, k, v])

deny contains {"msg": msg, "path": array.concat(pod.path, ["nodeSelector", k])} if {
	t.target
	some pod in input.facts.workload.pods
	selector := pod.spec.nodeSelector
	is_object(selector)
	some k, v in selector
	p := label_owner(k, v)
	msg := sprintf("pods select another product's nodes: %s; %s", [t.target_says, says_label(k, v, p)])
}

# [j, m, key, value, product] of each `In` value of a node selector term's
# matchExpressions that another product's nodes are labelled with.
foreign_values(term) := {[j, m, expr.key, v, p] |
	exprs := term.matchExpressions
	is_array(exprs)
	some j, expr in exprs
	is_object(expr)
	expr.operator == "In"
	values := expr.values
	is_array(values)
	some m, v in values
	p := label_owner(expr.key, v)
}

deny contains {"msg": msg, "path": array.concat(pod.path, ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", i, "matchExpressions", j, "values", m])} if {
	t.target
	some pod in input.facts.workload.pods
	required := pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms
	is_array(required)
	some i, term in required
	is_object(term)
	some [j, m, key, v, p] in foreign_values(term)
	msg := sprintf("pods prefer or require another product's nodes: %s; %s", [t.target_says, says_label(key, v, p)])
}

deny contains {"msg": msg, "path": array.concat(pod.path, ["affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", i, "preference", "matchExpressions", j, "values", m])} if {
	t.target
	some pod in input.facts.workload.pods
	preferred := pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution
	is_array(preferred)
	some i, pref in preferred
	is_object(pref)
	is_object(pref.preference)
	some [j, m, key, v, p] in foreign_values(pref.preference)
	msg := sprintf("pods prefer or require another product's nodes: %s; %s", [t.target_says, says_label(key, v, p)])
}

deny contains {"msg": msg, "path": array.concat(pod.path, ["tolerations", i, "value"])} if {
	t.target
	some pod in input.facts.workload.pods
	tolerations := pod.spec.tolerations
	is_array(tolerations)
	some i, tol in tolerations
	# Defined only on an object: object.get is safe on it.
	value := tol.value
	object.get(tol, "operator", "Equal") == "Equal"
	p := taint_owner(tol.key, value)
	msg := sprintf("pods tolerate another product's dedicated nodes: %s; node taint %s=%s belongs to product %s (nodeTaints: %s: %s)", [t.target_says, tol.key, tol.value, p, tol.key, tol.value])
}

deny contains {"msg": msg, "path": array.concat(pod.path, ["tolerations", i, "operator"])} if {
	t.target
	some pod in input.facts.workload.pods
	tolerations := pod.spec.tolerations
	is_array(tolerations)
	some i, tol in tolerations
	tol.operator == "Exists"
	key := object.get(tol, "key", "")
	owners := {p |
		some p, spec in products
		p != t.target.product
		taints := spec.nodeTaints
		is_object(taints)
		some tk, _ in taints
		key in {"", tk}
	}
	count(owners) > 0
	what := {true: "every taint", false: sprintf("every %s taint", [key])}[key == ""]
	msg := sprintf("pods tolerate another product's dedicated nodes: %s; this toleration matches %s, including those of product %s (nodeTaints)", [t.target_says, what, concat(", ", sort(owners))])
}

package blastwall.rules.cross_product_node

config := {"products": {
	"payroll": {"nodeLabels": {"blastwall.dev/node-pool": "payroll"}, "nodeTaints": {"dedicated": "payroll"}},
	"billing": {"nodeLabels": {"blastwall.dev/node-pool": "billing"}, "nodeTaints": {"dedicated": "billing"}},
}}

without_workload(pod) := {
	"review": {"object": {
		"kind": "Deployment",
		"metadata": {"name": "api", "namespace": "payroll-api"},
		"spec": {"template": {"spec": object.union({"containers": [{"name": "api", "image": "app:1"}]}, pod)}},
	}},
	"facts": {"tenancy": {"namespace": "payroll-api", "product": {"product": "payroll", "via": "namespaces: payroll-*"}, "owners": {}}},
}

# With input.facts.workload as blastwall computes it (its Rego definition).
deployment(pod) := doc if {
	base := without_workload(pod)
	fact := data.blastwall.lib.workload.fact with input as base
	doc := {"review": base.review, "facts": object.union(base.facts, {"workload": fact})}
}

test_node_selector_of_another_product_is_denied if {
	deny == {{
		"msg": "pods select another product's nodes: namespace payroll-api belongs to product payroll (namespaces: payroll-*); node label blastwall.dev/node-pool=billing belongs to product billing (nodeLabels: blastwall.dev/node-pool: billing)",
		"path": ["spec", "template", "spec", "nodeSelector", "blastwall.dev/node-pool"],
	}} with input as deployment({"nodeSelector": {"blastwall.dev/node-pool": "billing"}})
		with data.blastwall.config as config
}

test_required_affinity_is_denied_at_the_value if {
	pod := {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "blastwall.dev/node-pool", "operator": "In", "values": ["payroll", "billing"]}]}]}}}}
	some f in deny with input as deployment(pod) with data.blastwall.config as config
	f.path == ["spec", "template", "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", 0, "matchExpressions", 0, "values", 1]
}

test_preferred_affinity_is_denied_at_the_value if {
	pod := {"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
		{"weight": 1, "preference": {"matchExpressions": [{"key": "blastwall.dev/node-pool", "operator": "NotIn", "values": ["billing"]}]}},
		{"weight": 2, "preference": {"matchExpressions": [
			{"key": "blastwall.dev/node-pool", "operator": "In", "values": ["payroll"]},
			{"key": "blastwall.dev/node-pool", "operator": "In", "values": ["payroll", "billing"]},
		]}},
	]}}}
	deny == {{
		"msg": "pods prefer or require another product's nodes: namespace payroll-api belongs to product payroll (namespaces: payroll-*); node label blastwall.dev/node-pool=billing belongs to product billing (nodeLabels: blastwall.dev/node-pool: billing)",
		"path": ["spec", "template", "spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 1, "preference", "matchExpressions", 1, "values", 1],
	}} with input as deployment(pod) with data.blastwall.config as config
}

test_required_and_preferred_affinity_are_each_denied if {
	term := {"matchExpressions": [{"key": "blastwall.dev/node-pool", "operator": "In", "values": ["billing"]}]}
	pod := {"affinity": {"nodeAffinity": {
		"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": []}, term]},
		"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": term}],
	}}}
	paths := {f.path | some f in deny} with input as deployment(pod) with data.blastwall.config as config
	paths == {
		["spec", "template", "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", 1, "matchExpressions", 0, "values", 0],
		["spec", "template", "spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0, "preference", "matchExpressions", 0, "values", 0],
	}
}

test_toleration_of_another_products_taint_is_denied if {
	some f in deny with input as deployment({"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "billing", "effect": "NoSchedule"}]})
		with data.blastwall.config as config
	f.path == ["spec", "template", "spec", "tolerations", 0, "value"]
}

test_tolerations_that_are_not_objects_or_not_equal_are_passed_over if {
	tolerations := [
		5, "dedicated", ["dedicated", "billing"], null,
		{"key": "dedicated", "operator": false, "value": "billing"},
		{"key": "dedicated", "operator": null, "value": "billing"},
		{"key": "dedicated", "operator": "Equal"},
		{"key": "dedicated", "value": "billing"},
		{"key": "dedicated", "operator": "Exists", "value": "payroll"},
	]
	paths := {f.path | some f in deny} with input as deployment({"tolerations": tolerations}) with data.blastwall.config as config
	paths == {
		["spec", "template", "spec", "tolerations", 7, "value"],
		["spec", "template", "spec", "tolerations", 8, "operator"],
	}
}

test_blanket_toleration_is_denied if {
	some f in deny with input as deployment({"tolerations": [{"operator": "Exists"}]}) with data.blastwall.config as config
	f.path == ["spec", "template", "spec", "tolerations", 0, "operator"]
	contains(f.msg, "matches every taint, including those of product billing")
}

test_own_nodes_are_allowed if {
	pod := {
		"nodeSelector": {"blastwall.dev/node-pool": "payroll"},
		"tolerations": [{"key": "dedicated", "value": "payroll", "effect": "NoSchedule"}],
	}
	count(deny) == 0 with input as deployment(pod) with data.blastwall.config as config
}

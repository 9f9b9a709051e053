package blastwall.rules.cross_product_image

ecr := "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com"

without_workload(image) := {
	"review": {"object": {"kind": "Pod", "metadata": {"name": "api", "namespace": "payroll-api"}, "spec": {"initContainers": [{"name": "init", "image": sprintf("%s/payroll/init:1", [ecr])}], "containers": [{"name": "api", "image": image}]}}},
	"facts": {"tenancy": {
		"namespace": "payroll-api",
		"product": {"product": "payroll", "via": "namespaces: payroll-*"},
		"owners": {"images": {
			sprintf("%s/billing/ledger:1", [ecr]): {"product": "billing", "via": sprintf("registries: %s/billing/", [ecr]), "shared": false},
			sprintf("%s/payroll/init:1", [ecr]): {"product": "payroll", "via": sprintf("registries: %s/payroll/", [ecr]), "shared": false},
			"public.ecr.aws/eks-distro/kube-proxy:1": {"shared": true},
			"docker.io/random/thing:1": {"shared": false},
		}},
	}},
}

# With input.facts.workload as blastwall computes it (its Rego definition).
pod(image) := doc if {
	base := without_workload(image)
	fact := data.blastwall.lib.workload.fact with input as base
	doc := {"review": base.review, "facts": object.union(base.facts, {"workload": fact})}
}

test_image_of_another_product_is_an_error if {
	findings := deny with input as pod(sprintf("%s/billing/ledger:1", [ecr]))
	findings == {{
		"msg": sprintf("image of another product: namespace payroll-api belongs to product payroll (namespaces: payroll-*); image %s/billing/ledger:1 belongs to product billing (registries: %s/billing/)", [ecr, ecr]),
		"path": ["spec", "containers", 0, "image"],
	}}
}

test_image_from_an_unknown_registry_is_a_warning if {
	deny == {{
		"msg": "image docker.io/random/thing:1 comes from a registry that no product owns and sharedRegistries does not list",
		"path": ["spec", "containers", 0, "image"],
		"severity": "warning",
	}} with input as pod("docker.io/random/thing:1")
}

test_own_and_shared_images_are_allowed if {
	count(deny) == 0 with input as pod("public.ecr.aws/eks-distro/kube-proxy:1")
}

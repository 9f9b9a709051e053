package blastwall.rules.cross_product_security_group

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-security-group",
	"title": "Pods join another product's security group",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["SecurityGroupPolicy"],
	"description": "Flags a SecurityGroupPolicy (vpcresources.k8s.aws, security groups for pods) that attaches a security group owned by another product. The pods then pass every network rule written for that product: its databases and internal endpoints.",
	"remediation": "Attach only the product's own security groups (products.<name>.securityGroups in the config).",
	"example": {
		"bad": "apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  podSelector: {matchLabels: {app: api}}\n  securityGroups:\n    groupIds: [sg-0f1e2d3c4b5a69788]\n",
		"good": "apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata:\n  name: api\n  namespace: payroll-api\nspec:\n  podSelector: {matchLabels: {app: api}}\n  securityGroups:\n    groupIds: [sg-0a1b2c3d4e5f60718]\n",
	},
}

deny contains {"msg": msg, "path": ["spec", "securityGroups", "groupIds", i]} if {
	t.obj.kind == "SecurityGroupPolicy"
	startswith(t.obj.apiVersion, "vpcresources.k8s.aws/")
	some i, id in t.array_at(t.obj.spec.securityGroups.groupIds)
	owner := input.facts.tenancy.owners.securityGroups[id]
	owner.product != t.target.product
	msg := sprintf("pods join another product's security group: %s; %s", [t.target_says, t.belongs(sprintf("security group %s", [id]), owner)])
}

package blastwall.rules.cross_product_iam_role

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "cross-product-iam-role",
	"title": "ServiceAccount assumes another product's IAM role",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ServiceAccount"],
	"description": "Flags a ServiceAccount whose eks.amazonaws.com/role-arn annotation (IRSA) names an IAM role owned by another product, or by no product at all. Pods using the ServiceAccount get that role's AWS permissions: another product's data, queues and keys.",
	"remediation": "Annotate the ServiceAccount with one of its own product's roles, as declared under products.<name>.iamRoles in the config.",
	"example": {
		"bad": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payroll-api\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/billing-s3-reader\n",
		"good": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payroll-api\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::210987654321:role/payroll-api\n",
	},
}

annotation := "eks.amazonaws.com/role-arn"

path := ["metadata", "annotations", annotation]

deny contains {"msg": msg, "path": path} if {
	t.obj.kind == "ServiceAccount"
	arn := t.obj.metadata.annotations[annotation]
	owner := input.facts.tenancy.owners.iamRoles[arn]
	owner.product != t.target.product
	msg := sprintf("ServiceAccount assumes another product's IAM role: %s; %s", [t.target_says, t.belongs(sprintf("role %s", [arn]), owner)])
}

deny contains {"msg": msg, "path": path} if {
	t.obj.kind == "ServiceAccount"
	arn := t.obj.metadata.annotations[annotation]
	t.target
	not input.facts.tenancy.owners.iamRoles[arn]
	msg := sprintf("ServiceAccount assumes IAM role %s, which no product owns; %s: use one of products.%s.iamRoles", [arn, t.target_says, t.target.product])
}

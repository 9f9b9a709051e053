package blastwall.rules.aws_auth_cross_product_group

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "aws-auth-cross-product-group",
	"title": "aws-auth maps a product's role into another product's group",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a mapRoles entry of the aws-auth ConfigMap that maps one product's IAM role (products.<name>.iamRoles) to an RBAC group, or a username, that another product owns (products.<name>.groups / users). Everyone who can assume the role then gets every RoleBinding of the other product: its secrets, its workloads, its data. EKS system identities changing aws-auth are let through.",
	"remediation": "Map each product's role only to groups of the same product, as declared under products.<name>.groups in the config. If two products really share a team, give that team a role of each product.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n        - billing:operators\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n",
	},
}

deny contains {"msg": msg, "path": g.path} if {
	not t.system_requester
	some e in t.aws_auth_roles
	role := input.facts.tenancy.owners.iamRoles[e.arn]
	some g in e.groupItems
	group := input.facts.tenancy.owners.groups[g.value]
	group.product != role.product
	msg := sprintf("aws-auth lets another product in: %s; %s", [t.belongs(sprintf("role %s", [e.arn]), role), t.belongs(sprintf("group %s", [g.value]), group)])
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	not t.system_requester
	some e in t.aws_auth_roles
	role := input.facts.tenancy.owners.iamRoles[e.arn]
	user := input.facts.tenancy.owners.users[e.username]
	user.product != role.product
	msg := sprintf("aws-auth lets another product in: %s; %s", [t.belongs(sprintf("role %s", [e.arn]), role), t.belongs(sprintf("username %s", [e.username]), user)])
}

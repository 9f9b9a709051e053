package blastwall.rules.aws_auth_admin_grant

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "aws-auth-admin-grant",
	"title": "aws-auth gives a product's role admin rights",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a mapRoles entry of the aws-auth ConfigMap that maps a product's IAM role (products.<name>.iamRoles) to system:masters, to an admin group (admins.groups) or to an admin username (admins.users). The product's people and pipelines then administer the whole cluster, every other product included. Roles that are also declared admin roles (admins.iamRoles) are not flagged. EKS system identities changing aws-auth are let through.",
	"remediation": "Map the product's role to the product's own groups (products.<name>.groups) and grant those groups rights with RoleBindings in the product's namespaces. Cluster administration belongs to the roles under admins.iamRoles.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - system:masters\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n",
	},
}

# mapRoles entries of product roles that are not admin roles too.
product_roles contains [e, owner] if {
	some e in t.aws_auth_roles
	owner := input.facts.tenancy.owners.iamRoles[e.arn]
	not input.facts.tenancy.owners.admins.iamRoles[e.arn]
}

deny contains {"msg": msg, "path": g.path} if {
	not t.system_requester
	some [e, owner] in product_roles
	some g in e.groupItems
	g.value == "system:masters"
	msg := sprintf("aws-auth gives a product's role admin rights: %s; group system:masters bypasses RBAC with every permission, over every product", [t.belongs(sprintf("role %s", [e.arn]), owner)])
}

deny contains {"msg": msg, "path": g.path} if {
	not t.system_requester
	some [e, owner] in product_roles
	some g in e.groupItems
	g.value != "system:masters"
	via := input.facts.tenancy.owners.admins.groups[g.value]
	msg := sprintf("aws-auth gives a product's role admin rights: %s; group %s is an admin group (%s)", [t.belongs(sprintf("role %s", [e.arn]), owner), g.value, via])
}

deny contains {"msg": msg, "path": e.usernamePath} if {
	not t.system_requester
	some [e, owner] in product_roles
	via := input.facts.tenancy.owners.admins.users[e.username]
	msg := sprintf("aws-auth gives a product's role admin rights: %s; username %s is an admin user (%s)", [t.belongs(sprintf("role %s", [e.arn]), owner), e.username, via])
}

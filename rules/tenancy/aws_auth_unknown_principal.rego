package blastwall.rules.aws_auth_unknown_principal

import data.blastwall.lib.aws_auth as a
import data.blastwall.lib.tenancy as t

metadata := {
	"id": "aws-auth-unknown-principal",
	"title": "aws-auth maps a role the config does not declare",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a mapRoles entry of the aws-auth ConfigMap whose IAM role the tenancy config does not declare: not a product's role (products.<name>.iamRoles), not an admin role (admins.iamRoles), not a node role (nodeRoles). Nobody has said who may assume such a role or what it is for, and an unknown role appearing in aws-auth is a classic way to keep access to a cluster. Roles are compared as IAM compares them: by account and name, ignoring case and IAM paths. EKS system identities changing aws-auth (for instance when a managed node group is created) are let through.",
	"remediation": "Declare the role in the config under the product that owns it, under admins.iamRoles or under nodeRoles; or remove the entry.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/contractor-debug\n      username: contractor:{{SessionName}}\n      groups:\n        - payroll:developers\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n",
	},
}

declared(arn) if input.facts.tenancy.owners.iamRoles[arn]

declared(arn) if input.facts.tenancy.owners.admins.iamRoles[arn]

declared(arn) if input.facts.tenancy.owners.nodeRoles[arn]

deny contains {"msg": msg, "path": e.arnPath} if {
	not t.system_requester
	some e in t.aws_auth_roles
	e.arnParts.service == "iam"
	e.arnParts.resourceType == "role"
	not a.placeholder_text(e.arn)
	not declared(e.arn)
	msg := sprintf("role %s is not declared in the config: it is no product's role (products.<name>.iamRoles), no admin role (admins.iamRoles) and no node role (nodeRoles), yet whoever assumes it gets the groups mapped here", [e.arn])
}

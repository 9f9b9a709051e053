package blastwall.rules.aws_auth_no_admin

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "aws-auth-no-admin",
	"title": "aws-auth leaves no admin role mapped",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags an aws-auth ConfigMap in which none of the config's admin roles (admins.iamRoles) keeps admin rights: no entry maps one of them to an admin group (admins.groups), to system:masters or to an admin username (admins.users); with neither admin groups nor admin users configured, to any group. Once applied, the platform team can no longer administer the cluster through aws-auth, and repairing aws-auth itself then needs whoever created the cluster. Silent when the config declares no admin roles, and when mapRoles cannot be parsed at all (aws-auth-unparseable reports that). EKS system identities changing aws-auth are let through.",
	"remediation": "Keep a mapRoles entry for at least one role under admins.iamRoles, mapped to an admin group such as the ones under admins.groups.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre-admin:{{SessionName}}\n      groups:\n        - sre:admins\n    - rolearn: arn:aws:iam::210987654321:role/payroll-developer\n      username: payroll-developer:{{SessionName}}\n      groups:\n        - payroll:developers\n",
	},
}

aws_auth := input.facts.tenancy.awsAuth

lost := "no admin role is left with admin rights here, and unless an EKS access entry or the cluster creator's admin access remains, the platform team loses its way into the cluster"

# Admin roles are mapped, but to groups that give no admin rights: report at the first.
deny contains {"msg": msg, "path": path} if {
	not t.system_requester
	aws_auth.readable
	not aws_auth.adminMapped
	count(aws_auth.adminEntries) > 0
	e := aws_auth.adminEntries[0]
	path := object.get(e, "groupsPath", e.path)
	via := input.facts.tenancy.owners.admins.iamRoles[e.arn]
	msg := sprintf("role %s is an admin role (%s) but is mapped to %s, none of them an admin group (admins.groups) or system:masters: %s", [e.arn, via, groups_text(e.groups), lost])
}

deny contains {"msg": msg, "path": t.aws_auth_at} if {
	not t.system_requester
	aws_auth.readable
	not aws_auth.adminMapped
	count(aws_auth.adminRoles) > 0
	count(aws_auth.adminEntries) == 0
	msg := sprintf("no admin role is mapped: mapRoles has none of admins.iamRoles (%s), so %s", [concat(", ", aws_auth.adminRoles), lost])
}

groups_text(groups) := "no group" if count(groups) == 0

groups_text(groups) := sprintf("groups %s", [concat(", ", groups)]) if count(groups) > 0

package blastwall.rules.aws_auth_privilege_increase

import data.blastwall.lib.change

metadata := {
	"id": "aws-auth-privilege-increase",
	"title": "aws-auth change grants more, by a requester who is not an admin",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of aws-auth, made by a requester who is neither a configured admin nor an EKS system identity, that maps a new principal (role, user or account), or gives an existing principal more groups; a mapping to system:masters or to a configured admin group is called out as such. Write access to aws-auth is as good as cluster-admin: whoever can add a mapping can map themselves to system:masters. EKS itself (adding the role of a new managed node group) is let through. In CI, give the pipeline's identity with `lint --base … --as`.",
	"remediation": "Have an admin (admins.groups, admins.users or admins.iamRoles in the config) make or apply changes that add principals or groups to aws-auth, or move the mapping to an EKS access entry managed by the platform team.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-dev\n      username: payroll-dev:{{SessionName}}\n      groups: [payroll:devs]\n---\n# after, by a payroll developer: system:masters added\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-dev\n      username: payroll-dev:{{SessionName}}\n      groups: [payroll:devs, system:masters]\n",
		"good": "# after, by the same developer: a group removed (less access is fine)\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/payroll-dev\n      username: payroll-dev:{{SessionName}}\n      groups: []\n",
	},
}

# Groups that make a principal an admin: system:masters, and the config's admin groups.
admin_group(g) if g == "system:masters"

admin_group(g) if {
	some pattern in data.blastwall.config.admins.groups
	is_string(pattern)
	glob.match(pattern, [], g)
}

# ", including system:masters" when `groups` hold an admin group.
admin_note(groups) := sprintf(", including the admin group %s", [g]) if {
	admins := [x | some x in groups; admin_group(x)]
	count(admins) > 0
	g := concat(", ", admins)
} else := ""

deny contains {"msg": msg, "path": p.path} if {
	change.op == "UPDATE"
	not change.privileged
	some [name, s] in change.sections
	name != "mapAccounts"
	some p in s.added
	msg := sprintf("new principal mapped in %s by %s, who is not an admin: %s with %s%s", [name, change.who, change.principal(name, p.arn), change.mapping(p), admin_note(p.groups)])
}

deny contains {"msg": msg, "path": p.path} if {
	change.op == "UPDATE"
	not change.privileged
	some p in change.aws_auth.sections.mapAccounts.added
	msg := sprintf("new account %s mapped in mapAccounts by %s, who is not an admin: every IAM principal of that account can now authenticate to the cluster", [p.arn, change.who])
}

deny contains {"msg": msg, "path": c.new.path} if {
	change.op == "UPDATE"
	not change.privileged
	some [name, s] in change.sections
	some c in s.changed
	count(c.groupsAdded) > 0
	msg := sprintf("groups of %s in %s widened by %s, who is not an admin: %s → %s (added %s%s)", [change.principal(name, c.arn), name, change.who, change.list(c.old.groups), change.list(c.new.groups), concat(", ", c.groupsAdded), admin_note(c.groupsAdded)])
}

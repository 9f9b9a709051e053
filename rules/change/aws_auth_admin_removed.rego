package blastwall.rules.aws_auth_admin_removed

import data.blastwall.lib.change
import data.blastwall.lib.params

metadata := {
	"id": "aws-auth-admin-removed",
	"title": "aws-auth change leaves no admin, or alters the break-glass entry",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["UPDATE"]},
	"params": {"breakGlass": []},
	"description": "Fires on an UPDATE of aws-auth after which none of the config's admin principals (admins.iamRoles, or entries mapped to admins.groups or as admins.users) is mapped any more although one was before, or that removes or changes a break-glass entry: an ARN listed in this rule's `breakGlass` parameter (`rules: {aws-auth-admin-removed: {params: {breakGlass: [arn:…]}}}`; none by default). Without an admin mapping, nobody can repair aws-auth or anything else through Kubernetes RBAC; the break-glass principal is the way back in when everything else fails, so it must stay exactly as it is. Needs a config with admins.",
	"remediation": "Keep at least one admin principal mapped in every change; to replace an admin role, add the new mapping in one change and remove the old one in the next. Change the break-glass entry only together with the config's breakGlass parameter, after checking the new principal works.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre:{{SessionName}}\n      groups: [sre:admins]\n---\n# after: the only admin is gone\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: \"\"\n",
		"good": "# after: the admin mapping is kept\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre:{{SessionName}}\n      groups: [sre:admins]\n",
	},
}

deny contains {"msg": msg, "path": ["data"]} if {
	change.op == "UPDATE"
	count(change.aws_auth.adminsBefore) > 0
	count(change.aws_auth.adminsAfter) == 0
	msg := sprintf("after this change by %s no configured admin principal is mapped in aws-auth any more (before: %s): unless an EKS access entry or the cluster creator's admin access remains, nobody can repair cluster access", [change.who, concat("; ", change.aws_auth.adminsBefore)])
}

break_glass contains lower(arn) if {
	arns := params.of(metadata.id, metadata.params).breakGlass
	is_array(arns)
	some arn in arns
	is_string(arn)
}

deny contains {"msg": msg, "path": s.path} if {
	change.op == "UPDATE"
	some [name, s] in change.sections
	some p in s.removed
	lower(p.arn) in break_glass
	msg := sprintf("break-glass entry %s removed from %s by %s (it had %s): it is the way back in when every other mapping fails", [change.principal(name, p.arn), name, change.who, change.mapping(p)])
}

deny contains {"msg": msg, "path": c.new.path} if {
	change.op == "UPDATE"
	some [name, s] in change.sections
	some c in s.changed
	lower(c.arn) in break_glass
	msg := sprintf("break-glass entry %s in %s changed by %s: %s → %s; it must stay exactly as it is", [change.principal(name, c.arn), name, change.who, change.mapping(c.old), change.mapping(c.new)])
}

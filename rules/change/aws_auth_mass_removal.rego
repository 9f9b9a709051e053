package blastwall.rules.aws_auth_mass_removal

import data.blastwall.lib.change

metadata := {
	"id": "aws-auth-mass-removal",
	"title": "aws-auth section removed, or most of its mappings at once",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of aws-auth that drops the mapRoles, mapUsers or mapAccounts key altogether, or removes more than half of a section's principals (at least two) in one change. This is the signature of a tool that overwrote aws-auth with its own partial view (Terraform with force, eksctl, a kubectl apply of a stale copy), not of a deliberate edit, and it takes access away from many principals at once. A section that stops parsing is reported by aws-auth-section-broken instead.",
	"remediation": "Apply aws-auth from one source of truth that holds every mapping; remove principals a few at a time, in changes that say which and why.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - {rolearn: arn:aws:iam::210987654321:role/a, username: a, groups: [a]}\n    - {rolearn: arn:aws:iam::210987654321:role/b, username: b, groups: [b]}\n    - {rolearn: arn:aws:iam::210987654321:role/c, username: c, groups: [c]}\n  mapUsers: |\n    - {userarn: arn:aws:iam::210987654321:user/ops, username: ops, groups: [ops]}\n---\n# after: mapUsers gone, two of three roles removed\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - {rolearn: arn:aws:iam::210987654321:role/a, username: a, groups: [a]}\n",
		"good": "# after: one role removed\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - {rolearn: arn:aws:iam::210987654321:role/a, username: a, groups: [a]}\n    - {rolearn: arn:aws:iam::210987654321:role/b, username: b, groups: [b]}\n  mapUsers: |\n    - {userarn: arn:aws:iam::210987654321:user/ops, username: ops, groups: [ops]}\n",
	},
}

deny contains {"msg": msg, "path": ["data"]} if {
	change.op == "UPDATE"
	some [name, s] in change.sections
	s.oldPresent == true
	s.newPresent == false
	msg := sprintf("the %s key was removed from aws-auth by %s: all %d principals it mapped lose the access it gave them", [name, change.who, s.oldCount])
}

deny contains {"msg": msg, "path": s.path} if {
	change.op == "UPDATE"
	some [name, s] in change.sections
	s.newPresent == true
	n := count(s.removed)
	n >= 2
	n * 2 > s.oldCount
	arns := [p.arn | some p in s.removed]
	msg := sprintf("%d of the %d principals of %s removed at once by %s: %s", [n, s.oldCount, name, change.who, concat(", ", arns)])
}

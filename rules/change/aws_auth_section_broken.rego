package blastwall.rules.aws_auth_section_broken

import data.blastwall.lib.change

metadata := {
	"id": "aws-auth-section-broken",
	"title": "aws-auth update breaks a section that parsed",
	"severity": "error",
	"category": "change",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"], "operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of aws-auth after which mapRoles, mapUsers or mapAccounts no longer parses (a YAML error, a value that is not a string, or not a list) although it did before. aws-iam-authenticator drops a section it cannot parse as a whole and keeps no last good copy: every mapping in it, node roles included, stops working the moment the change is saved. The message says what broke and what the section held.",
	"remediation": "Fix the YAML inside the section before applying it (`blastwall lint` shows the error at its line); keep the section a string (`mapRoles: |`) holding a list.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n---\n# after: a tab indents the groups\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: \"- rolearn: arn:aws:iam::210987654321:role/eks-node\\n\\tgroups: [system:nodes]\\n\"\n",
		"good": "# after: still a list of mappings\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n",
	},
}

# Where the new section's error is, when the facts know.
error_path(s) := s.newError.path if is_array(s.newError.path)

error_path(s) := s.path if not is_array(s.newError.path)

# " (line 3)" when the error has a line.
at_line(s) := sprintf(" (line %d)", [s.newError.line]) if is_number(s.newError.line)

at_line(s) := "" if not is_number(s.newError.line)

deny contains {"msg": msg, "path": error_path(s)} if {
	change.op == "UPDATE"
	some [name, s] in change.sections
	s.oldPresent == true
	s.oldBroken == false
	s.newBroken == true
	msg := sprintf("%s parsed before this change by %s and no longer does%s: %s; aws-iam-authenticator drops the whole section, so all %d of its mappings (%d node roles) stop working", [name, change.who, at_line(s), s.newError.message, s.oldCount, s.oldNodes])
}

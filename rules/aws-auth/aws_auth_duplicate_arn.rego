package blastwall.rules.aws_auth_duplicate_arn

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-duplicate-arn",
	"title": "Same ARN mapped twice in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags a rolearn or userarn that appears twice in one section (compared case-insensitively, as the authenticator does). The authenticator keeps only one entry per ARN, the last one, without merging groups: adding a second mapping for a role silently removes the first, which has locked administrators out of clusters.",
	"remediation": "Keep one entry per ARN and list all its groups there.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a-ci\n      groups: [team-a:deployers]\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers, team-a:deployers]\n",
	},
}

# facts: duplicateOf is the previous entry of the section with the same ARN (case-insensitive).
deny contains {"msg": msg, "path": e.arnPath, "related": [{"path": first.arnPath, "msg": "mapped here before; this mapping is ignored"}]} if {
	some e in a.mappings
	first := e.duplicateOf
	msg := sprintf("%s is mapped twice in %s (entries %d and %d): the authenticator keeps only the later mapping, so the username and groups of entry %d are not granted", [e.arn, e.section, first.index, e.index, first.index])
}

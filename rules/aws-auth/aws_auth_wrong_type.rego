package blastwall.rules.aws_auth_wrong_type

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-wrong-type",
	"title": "Wrong value type in aws-auth",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags values the two authenticator parsers read differently or not at all: `groups` written as a single string (both parsers then map the entry with no groups), numbers and YAML 1.1 booleans (`yes`, `on`, `12345`) where strings belong (the strict parser reads them as empty strings, the lenient one as text), entries that are not mappings, and sections written as YAML instead of a string (the API server rejects the ConfigMap).",
	"remediation": "Quote values that YAML would read as numbers or booleans, write `groups` as a list, and write each section as a string: `mapRoles: |`.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: team-a:developers\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/team-a\n      username: team-a:{{SessionName}}\n      groups: [team-a:developers]\n",
	},
}

deny contains {"msg": msg, "path": s.path} if {
	some s in a.sections
	s.type != "string"
	msg := sprintf("data.%s is a %s, not a string: the API server rejects the ConfigMap (data values must be strings); write `%s: |` and indent the YAML under it", [s.name, s.type, s.name])
}

deny contains {"msg": msg, "path": e.path} if {
	some e in a.entries
	not e.isMap
	msg := sprintf("entry %d of %s is a %s, not a mapping: the authenticator cannot read a mapping from it, so it maps nothing, and a parser that stops at the type error rejects the whole %s section", [e.index, e.section, e.type, e.section])
}

deny contains {"msg": msg, "path": f.path} if {
	some e in a.mappings
	some f in e.fields
	f.canonical in {"rolearn", "userarn", "username"}
	not f.type in {"string", "null"}
	msg := sprintf("`%s` is a %s, not a string: the strict authenticator parser reads it as an empty string and the lenient one as its text; quote it", [f.key, f.type])
}

deny contains {"msg": msg, "path": f.path} if {
	some e in a.mappings
	some f in e.fields
	f.canonical == "groups"
	not f.type in {"list", "null"}
	msg := sprintf("`groups` is a %s, not a list: the authenticator maps this entry with no groups at all; write a list: groups: [\"...\"]", [f.type])
}

deny contains {"msg": msg, "path": g.path} if {
	some e in a.mappings
	some g in e.groupItems
	g.type != "string"
	msg := sprintf("this group is a %s, not a string (yes, no, on, off and numbers are not strings in YAML): the strict authenticator parser grants an empty group name and the lenient one the text; quote it", [g.type])
}

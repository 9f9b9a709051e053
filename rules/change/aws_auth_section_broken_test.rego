package blastwall.rules.aws_auth_section_broken_test

import data.blastwall.rules.aws_auth_section_broken as rule

base(old_broken, new_broken) := {"path": ["data", "mapRoles"], "oldPresent": true, "newPresent": true, "oldBroken": old_broken, "newBroken": new_broken, "oldCount": 3, "newCount": 0, "oldNodes": 1}

tab_error := {"message": "found a tab character that violates indentation", "line": 2, "path": ["data", "mapRoles", "<error>"]}

section(old_broken, true) := object.union(base(old_broken, true), {"newError": tab_error})

section(old_broken, false) := base(old_broken, false)

inp(s) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {"requester": {"username": "ci", "products": [], "admin": true, "system": false}, "awsAuth": {"sections": {"mapRoles": s}}}},
}

test_a_section_that_stops_parsing_is_denied if {
	expected := {{
		"msg": "mapRoles parsed before this change by ci and no longer does (line 2): found a tab character that violates indentation; aws-iam-authenticator drops the whole section, so all 3 of its mappings (1 node roles) stop working",
		"path": ["data", "mapRoles", "<error>"],
	}}
	rule.deny == expected with input as inp(section(false, true))
}

test_a_section_that_was_already_broken_is_not_this_rule if {
	count(rule.deny) == 0 with input as inp(section(true, true))
}

test_a_section_that_still_parses_is_fine if {
	count(rule.deny) == 0 with input as inp(section(false, false))
}

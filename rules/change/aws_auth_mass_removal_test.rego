package blastwall.rules.aws_auth_mass_removal_test

import data.blastwall.rules.aws_auth_mass_removal as rule

p(name) := {"arn": sprintf("arn:aws:iam::111122223333:role/%s", [name]), "groups": [], "node": false, "path": ["data", "mapRoles", 0]}

inp(section) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {
		"requester": {"username": "terraform", "products": [], "admin": false, "system": false},
		"awsAuth": {"sections": {"mapRoles": object.union({"path": ["data", "mapRoles"], "oldPresent": true, "newPresent": true, "removed": [], "added": [], "changed": []}, section)}},
	}},
}

test_removing_most_principals_is_denied if {
	expected := {{
		"msg": "2 of the 3 principals of mapRoles removed at once by terraform: arn:aws:iam::111122223333:role/a, arn:aws:iam::111122223333:role/b",
		"path": ["data", "mapRoles"],
	}}
	rule.deny == expected with input as inp({"oldCount": 3, "newCount": 1, "removed": [p("a"), p("b")]})
}

test_removing_a_section_key_is_denied if {
	expected := {{"msg": "the mapRoles key was removed from aws-auth by terraform: all 4 principals it mapped lose the access it gave them", "path": ["data"]}}
	rule.deny == expected with input as inp({"oldCount": 4, "newCount": 0, "newPresent": false, "removed": [p("a"), p("b"), p("c"), p("d")]})
}

test_half_or_a_single_removal_is_fine if {
	count(rule.deny) == 0 with input as inp({"oldCount": 4, "newCount": 2, "removed": [p("a"), p("b")]})
	count(rule.deny) == 0 with input as inp({"oldCount": 1, "newCount": 0, "removed": [p("a")]})
}

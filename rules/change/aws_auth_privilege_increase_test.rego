package blastwall.rules.aws_auth_privilege_increase_test

import data.blastwall.rules.aws_auth_privilege_increase as rule

dev := {"arn": "arn:aws:iam::111122223333:role/payroll-dev", "username": "dev", "groups": ["payroll:devs"], "node": false, "path": ["data", "mapRoles", 0]}

widened := object.union(dev, {"groups": ["payroll:devs", "system:masters"]})

inp(section, admin) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {
		"requester": {"username": "alice", "products": ["payroll"], "admin": admin, "system": false},
		"awsAuth": {"sections": {"mapRoles": object.union({"path": ["data", "mapRoles"], "removed": [], "added": [], "changed": []}, section)}},
	}},
}

test_widened_groups_by_a_non_admin_are_denied if {
	c := {"arn": dev.arn, "old": dev, "new": widened, "groupsAdded": ["system:masters"], "groupsRemoved": []}
	expected := {{
		"msg": "groups of role arn:aws:iam::111122223333:role/payroll-dev in mapRoles widened by alice (products: payroll), who is not an admin: [payroll:devs] → [payroll:devs, system:masters] (added system:masters, including the admin group system:masters)",
		"path": ["data", "mapRoles", 0],
	}}
	rule.deny == expected with input as inp({"changed": [c]}, false)
}

test_new_principal_by_a_non_admin_is_denied if {
	some f in rule.deny with input as inp({"added": [dev]}, false)
	f.msg == "new principal mapped in mapRoles by alice (products: payroll), who is not an admin: role arn:aws:iam::111122223333:role/payroll-dev with username dev, groups [payroll:devs]"
}

test_configured_admin_groups_are_named if {
	p := object.union(dev, {"groups": ["sre:admins"]})
	some f in rule.deny with input as inp({"added": [p]}, false) with data.blastwall.config as {"admins": {"groups": ["sre:*"]}}
	endswith(f.msg, "groups [sre:admins], including the admin group sre:admins")
}

test_admins_may_grant if {
	count(rule.deny) == 0 with input as inp({"added": [dev]}, true)
}

test_fewer_groups_are_fine if {
	c := {"arn": dev.arn, "old": widened, "new": dev, "groupsAdded": [], "groupsRemoved": ["system:masters"]}
	count(rule.deny) == 0 with input as inp({"changed": [c]}, false)
}

test_new_account_is_denied if {
	inp2 := {
		"review": {"operation": "UPDATE"},
		"facts": {"change": {
			"requester": {"username": "alice", "products": [], "admin": false, "system": false},
			"awsAuth": {"sections": {"mapAccounts": {"path": ["data", "mapAccounts"], "removed": [], "changed": [], "added": [{"arn": "444455556666", "groups": [], "node": false, "path": ["data", "mapAccounts", 0]}]}}},
		}},
	}
	some f in rule.deny with input as inp2
	startswith(f.msg, "new account 444455556666 mapped in mapAccounts by alice")
}

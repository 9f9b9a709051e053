package blastwall.rules.aws_auth_admin_removed_test

import data.blastwall.rules.aws_auth_admin_removed as rule

requester := {"username": "alice", "products": [], "admin": false, "system": false}

admins(before, after) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {"requester": requester, "awsAuth": {"sections": {}, "adminsBefore": before, "adminsAfter": after}}},
}

sre := "arn:aws:iam::111122223333:role/sre-admin (admins.iamRoles: arn:aws:iam::111122223333:role/sre-admin)"

test_last_admin_removed_is_denied if {
	msg := sprintf("after this change by alice no configured admin principal is mapped in aws-auth any more (before: %s): unless an EKS access entry or the cluster creator's admin access remains, nobody can repair cluster access", [sre])
	rule.deny == {{"msg": msg, "path": ["data"]}} with input as admins([sre], [])
}

test_an_admin_left_is_fine if {
	count(rule.deny) == 0 with input as admins([sre, "other"], ["other"])
}

test_no_admin_before_is_not_a_removal if {
	count(rule.deny) == 0 with input as admins([], [])
}

glass := {"arn": "arn:aws:iam::111122223333:role/BreakGlass", "username": "breakglass", "groups": ["system:masters"], "node": false, "path": ["data", "mapRoles", 2]}

glass_change(removed, changed) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {"requester": requester, "awsAuth": {
		"sections": {"mapRoles": {"path": ["data", "mapRoles"], "removed": removed, "added": [], "changed": changed}},
		"adminsBefore": [], "adminsAfter": [],
	}}},
}

config := {"rules": {"aws-auth-admin-removed": {"params": {"breakGlass": ["arn:aws:iam::111122223333:role/breakglass"]}}}}

test_break_glass_removed_is_denied if {
	some f in rule.deny with input as glass_change([glass], []) with data.blastwall.config as config
	f.path == ["data", "mapRoles"]
	startswith(f.msg, "break-glass entry role arn:aws:iam::111122223333:role/BreakGlass removed from mapRoles by alice")
}

test_break_glass_changed_is_denied if {
	c := {"arn": glass.arn, "old": glass, "new": object.union(glass, {"groups": ["sre:admins"]}), "groupsAdded": ["sre:admins"], "groupsRemoved": ["system:masters"]}
	some f in rule.deny with input as glass_change([], [c]) with data.blastwall.config as config
	contains(f.msg, "groups [system:masters] → username breakglass, groups [sre:admins]")
}

test_break_glass_needs_the_parameter if {
	count(rule.deny) == 0 with input as glass_change([glass], [])
}

package blastwall.rules.access_entry_aws_auth_overridden

facts(mode, differs) := {"awsAuthAccess": object.union(
	{"cluster": "payments-prod", "mappings": [{
		"path": ["data", "mapRoles", 0], "groupsPath": ["data", "mapRoles", 0, "groups"],
		"arn": "arn:aws:iam::111122223333:role/payments-dev", "groups": ["system:masters"], "username": "dev",
		"entry": {
			"path": ["data", "mapRoles", 0, "groups"], "who": "role arn:aws:iam::111122223333:role/payments-dev",
			"at": "ack.yaml:8:17", "groups": ["payments-developers"], "groupsWritten": true,
			"username": "dev", "usernameWritten": true, "differs": differs,
		},
	}]},
	mode,
)}

test_other_groups_in_an_access_entry_are_reported_at_the_groups if {
	some f in deny with input.facts as facts({}, ["groups"])
	f.path == ["data", "mapRoles", 0, "groups"]
	contains(f.msg, "ack.yaml:8:17")
	contains(f.msg, "groups are never granted")
}

test_mixed_mode_is_reported if {
	count(deny) == 1 with input.facts as facts({"mode": "API_AND_CONFIG_MAP", "modeAt": "c.yaml:3:3"}, ["groups"])
}

test_same_groups_and_username_pass if {
	count(deny) == 0 with input.facts as facts({}, [])
}

test_api_mode_is_left_to_the_api_mode_rule if {
	count(deny) == 0 with input.facts as facts({"mode": "API", "modeAt": "c.yaml:3:3"}, ["groups"])
}

test_nothing_without_other_documents if {
	count(deny) == 0 with input.facts as {}
}

test_config_map_mode_is_left_to_the_entries_rule if {
	count(deny) == 0 with input.facts as facts({"mode": "CONFIG_MAP", "modeAt": "c.yaml:3:3"}, ["groups"])
}

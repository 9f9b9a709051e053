package blastwall.rules.access_entry_aws_auth_shadowed

import data.blastwall.lib.access_entries as ae

test_shadowed_mapping_is_reported if {
	some f in deny with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": ["system:masters"], "shadowedBy": {"path": ["e"], "groups": []}}])
	contains(f.msg, "never granted")
}

test_matching_groups_pass if {
	count(deny) == 0 with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": ["x"]}])
}

test_entry_in_another_document_is_reported_with_its_place if {
	some f in deny with input as ae.input_with([], [], [{"path": ["m"], "groupsPath": ["m", "groups"], "arn": "a", "groups": ["system:masters"], "ignored": false, "shadowedElsewhere": {"who": "role a", "at": "ack.yaml:8:17", "groups": ["dev"]}}])
	f.path == ["m", "groups"]
	contains(f.msg, "ack.yaml:8:17")
}

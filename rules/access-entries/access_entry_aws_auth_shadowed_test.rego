package blastwall.rules.access_entry_aws_auth_shadowed

import data.blastwall.lib.access_entries as ae

test_shadowed_mapping_is_reported if {
	some f in deny with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": ["system:masters"], "shadowedBy": {"path": ["e"], "groups": []}}])
	contains(f.msg, "never granted")
}

test_matching_groups_pass if {
	count(deny) == 0 with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": ["x"]}])
}

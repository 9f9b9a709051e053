package blastwall.rules.access_config_aws_auth_ignored

import data.blastwall.lib.access_entries as ae

test_mapping_in_api_mode_is_reported if {
	some f in deny with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": [], "ignored": true}])
	contains(f.msg, "grants nothing")
}

test_mapping_in_mixed_mode_passes if {
	count(deny) == 0 with input as ae.input_with([], [], [{"path": ["m"], "arn": "a", "groups": [], "ignored": false}])
}

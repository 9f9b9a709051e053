package blastwall.rules.access_config_mode_change

import data.blastwall.lib.access_entries as ae

with_modes(modes) := object.union(ae.input_with([], [], []), {"facts": {"accessConfigChange": {"modes": modes, "removed": []}}})

test_going_back_is_an_error if {
	some f in deny with input as with_modes([{"cluster": "c", "from": "API", "to": "API_AND_CONFIG_MAP", "path": ["m"], "direction": "back"}])
	contains(f.msg, "which EKS refuses")
	not f.severity
}

test_going_to_api_says_what_stops_working if {
	some f in deny with input as with_modes([{"from": "API_AND_CONFIG_MAP", "to": "API", "path": ["m"], "direction": "forward"}])
	contains(f.msg, "aws-auth ConfigMap is ignored")
	f.severity == "warning"
}

test_no_change_passes if {
	count(deny) == 0 with input as with_modes([])
}

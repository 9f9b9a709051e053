package blastwall.rules.access_config_config_map

import data.blastwall.lib.access_entries as ae

test_config_map_modes_are_reported if {
	some f in deny with input as ae.input_with([], [ae.cluster({"authenticationMode": "CONFIG_MAP", "authenticationModeWritten": false})], [])
	contains(f.msg, "not set, so CONFIG_MAP")
}

test_api_passes if {
	count(deny) == 0 with input as ae.input_with([], [ae.cluster({})], [])
}

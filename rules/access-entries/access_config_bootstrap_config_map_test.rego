package blastwall.rules.access_config_bootstrap_config_map

import data.blastwall.lib.access_entries as ae

test_false_with_config_map_is_reported if {
	some f in deny with input as ae.input_with([], [ae.cluster({"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": false})], [])
	contains(f.msg, "EKS rejects")
}

test_false_with_api_passes if {
	count(deny) == 0 with input as ae.input_with([], [ae.cluster({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": false})], [])
}

package blastwall.rules.access_config_bootstrap_admin

import data.blastwall.lib.access_entries as ae

test_default_true_is_reported if {
	some f in deny with input as ae.input_with([], [ae.cluster({"bootstrapClusterCreatorAdminPermissions": true, "bootstrapWritten": false})], [])
	contains(f.msg, "not set, so true")
}

test_false_passes if {
	count(deny) == 0 with input as ae.input_with([], [ae.cluster({})], [])
}

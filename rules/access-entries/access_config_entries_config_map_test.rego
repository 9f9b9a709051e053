package blastwall.rules.access_config_entries_config_map

import data.blastwall.lib.access_entries as ae

test_entry_on_config_map_cluster_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"clusterMode": "CONFIG_MAP", "clusterModePath": ["m"]})], [], [])
	f.related[0].path == ["m"]
}

test_api_mode_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"clusterMode": "API"})], [], [])
}

test_mode_declared_in_another_document_is_reported_with_its_place if {
	some f in deny with input as ae.input_with([ae.entry({"clusterMode": "CONFIG_MAP", "clusterModeAt": "cluster.tf:4:3"})], [], [])
	contains(f.msg, "cluster.tf:4:3")
}

test_api_mode_declared_in_another_document_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"clusterMode": "API", "clusterModeAt": "cluster.tf:4:3"})], [], [])
}

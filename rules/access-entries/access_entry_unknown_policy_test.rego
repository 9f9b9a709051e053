package blastwall.rules.access_entry_unknown_policy

import data.blastwall.lib.access_entries as ae

test_unknown_name_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"name": "AmazonEKSEditorPolicy", "known": false, "arnPath": ["a"]})]})], [], [])
	contains(f.msg, "AmazonEKSEditorPolicy")
}

test_known_name_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"policies": [ae.policy({"arnPath": ["a"]})]})], [], [])
}

package blastwall.rules.manifest_missing_kind_test

import data.blastwall.rules.manifest_missing_kind as rule

review(object) := {"review": {"operation": "CREATE", "object": object}}

test_misspelt_kind_points_at_the_key if {
	rule.deny == {{
		"msg": "`Kind` is not `kind` (field names are case-sensitive): the document has no kind, so kubectl rejects it, and no rule can tell what it is, so it is not checked",
		"path": ["Kind"],
		"at": "key",
	}} with input as review({"apiVersion": "v1", "Kind": "Pod", "metadata": {"name": "a"}})
}

test_misspelt_api_version if {
	{f.path | some f in rule.deny} == {["api_version"]} with input as review({"api_version": "v1", "kind": "Pod", "metadata": {"name": "a"}})
}

test_missing_kind_points_at_metadata if {
	rule.deny == {{
		"msg": "the document has no usable `kind`, so kubectl rejects it, and no rule can tell what it is, so it is not checked",
		"path": ["metadata"],
	}} with input as review({"apiVersion": "v1", "metadata": {"name": "a"}})
}

test_missing_api_version_without_metadata_points_at_the_document if {
	{f.path | some f in rule.deny} == {[]} with input as review({"kind": "Pod"})
}

test_empty_or_non_string_kind_points_at_it if {
	{f.path | some f in rule.deny} == {["kind"]} with input as review({"apiVersion": "v1", "kind": "", "metadata": {}})
	{f.path | some f in rule.deny} == {["kind"]} with input as review({"apiVersion": "v1", "kind": 3, "metadata": {}})
}

test_a_complete_object_is_fine if {
	count(rule.deny) == 0 with input as review({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}})
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

test_templates_and_terraform_documents_are_not_manifests if {
	count(rule.deny) == 0 with input as {"review": {"operation": "CREATE", "kind": {"group": "blastwall.dev", "kind": "TerraformPlan"}, "object": {"format_version": "1.2", "resource_changes": []}}}
}

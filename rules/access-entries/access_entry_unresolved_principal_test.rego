package blastwall.rules.access_entry_unresolved_principal

import data.blastwall.lib.access_entries as ae

test_unknown_principal_is_reported if {
	some f in deny with input as object.union(ae.input_with([ae.entry({"unknown": {"principalArn": "aws_iam_role.ci.arn"}})], [], []), {"facts": {"accessConfig": {"format": "terraform-plan"}}})
	contains(f.msg, "aws_iam_role.ci.arn")
}

test_references_between_kubernetes_objects_pass if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"unknown": {"principalArn": "principalArnRef x"}})], [], [])
}

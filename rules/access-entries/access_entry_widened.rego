package blastwall.rules.access_entry_widened

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-widened",
	"title": "Change widens an access entry's rights",
	"severity": "warning",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration"],
	"description": "Flags a change that widens an existing access entry: a group added, an access policy added, a policy scope moved from namespaces to the whole cluster (Terraform replaces the association), a namespace added to a scope. Read from a Terraform plan's own before and after, from an UPDATE at admission (ACK, Crossplane), and from `lint --base` (the file at the base revision). The diff is where a reviewer can still catch a team role joining an admin group.",
	"remediation": "Confirm the wider access is intended; prefer a separate, reviewed entry for a new right.",
	"example": {
		"bad": "{\"format_version\": \"1.2\", \"resource_changes\": [{\"address\": \"aws_eks_access_entry.dev\", \"mode\": \"managed\", \"type\": \"aws_eks_access_entry\", \"name\": \"dev\", \"change\": {\"actions\": [\"update\"], \"before\": {\"cluster_name\": \"payments-prod\", \"principal_arn\": \"arn:aws:iam::111122223333:role/payments-dev\", \"type\": \"STANDARD\", \"kubernetes_groups\": [\"payments-developers\"]}, \"after\": {\"cluster_name\": \"payments-prod\", \"principal_arn\": \"arn:aws:iam::111122223333:role/payments-dev\", \"type\": \"STANDARD\", \"kubernetes_groups\": [\"payments-developers\", \"payments-deployers\"]}, \"after_unknown\": {}}}]}\n",
		"good": "{\"format_version\": \"1.2\", \"resource_changes\": [{\"address\": \"aws_eks_access_entry.dev\", \"mode\": \"managed\", \"type\": \"aws_eks_access_entry\", \"name\": \"dev\", \"change\": {\"actions\": [\"update\"], \"before\": {\"cluster_name\": \"payments-prod\", \"principal_arn\": \"arn:aws:iam::111122223333:role/payments-dev\", \"type\": \"STANDARD\", \"kubernetes_groups\": [\"payments-developers\", \"payments-deployers\"]}, \"after\": {\"cluster_name\": \"payments-prod\", \"principal_arn\": \"arn:aws:iam::111122223333:role/payments-dev\", \"type\": \"STANDARD\", \"kubernetes_groups\": [\"payments-developers\"]}, \"after_unknown\": {}}}]}\n",
	},
}

deny contains {"msg": msg, "path": w.path} if {
	some e in ae.entries
	some w in e.widened
	msg := sprintf("%s: this change widens its access: %s", [e.who, w.what])
}

deny contains {"msg": msg, "path": w.path} if {
	some [e, p] in ae.policies
	some w in p.widened
	msg := sprintf("%s: this change widens its access: %s of %s (%s)", [e.who, w.what, ae.policy_name(p), object.get(p, "address", "")])
}

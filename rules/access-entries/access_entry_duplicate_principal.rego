package blastwall.rules.access_entry_duplicate_principal

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-duplicate-principal",
	"title": "Same principal in two access entries of one cluster",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a second access entry for a principal that already has one on the same cluster: in the same file, or (in `blastwall lint`) in another document of the run, whatever its format: an ACK AccessEntry and a Terraform resource for the same role and cluster, say. Across documents, entries belong to the same cluster by its name (an entry whose cluster is known only at apply is not compared). EKS keeps one entry per principal and answers the second create with `409 ResourceInUseException`; with Terraform the module's creator entry and an explicit entry for the same role collide this way.",
	"remediation": "Keep one entry per principal and put all its groups and policies there.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/KarpenterNodeRole-payments-prod\n      type: EC2_LINUX\n",
	},
}

deny contains {"msg": msg, "path": e.principalArnPath, "related": [{"path": first.path, "msg": "first entry for this principal"}]} if {
	some e in ae.entries
	first := e.duplicateOf
	msg := sprintf("%s has a second access entry on this cluster: EKS allows one entry per principal and rejects this one (409 ResourceInUseException)", [e.who])
}

# In another document of the lint run (an ACK object, a Terraform resource…); the
# webhook sees one object and cannot tell.
deny contains {"msg": msg, "path": e.principalArnPath} if {
	some e in ae.entries
	first := e.duplicateElsewhere
	not e.duplicateOf
	msg := sprintf("%s has a second access entry on this cluster; the first is %s at %s: EKS allows one entry per principal and rejects the second (409 ResourceInUseException)", [e.who, first.who, first.at])
}

package blastwall.rules.access_entry_unresolved_principal

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-unresolved-principal",
	"title": "Access entry principal known only at apply",
	"severity": "info",
	"category": "access-entries",
	"kinds": ["CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration"],
	"description": "Reports a CloudFormation or Terraform access entry or association whose principal is an expression (a `!GetAtt`, a Terraform reference such as `aws_iam_role.ci.arn`; in a plan, a role created in the same plan: absent from `after`, true in `after_unknown`). blastwall does not guess its value, so the rules about principals could not check who gets in.",
	"remediation": "Nothing to fix if the expression is right; review who it names. A plan of the role first (or a literal ARN) lets blastwall check it.",
	"example": {
		"bad": "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  CiAccess:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      ClusterName: payments-prod\n      PrincipalArn: !GetAtt CiRole.Arn\n",
		"good": "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  CiAccess:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      ClusterName: payments-prod\n      PrincipalArn: arn:aws:iam::111122223333:role/payments-ci\n",
	},
}

deny contains {"msg": msg, "path": path} if {
	some e in ae.entries
	expr := e.unknown.principalArn
	ae.facts.format in {"cloudformation", "terraform-plan", "terraform"}
	path := object.get(e, "principalArnPath", e.path)
	msg := sprintf("%s: the principal is `%s`, known only at apply; the rules about principals could not check who gets in", [ae.where(e), expr])
}

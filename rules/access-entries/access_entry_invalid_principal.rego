package blastwall.rules.access_entry_invalid_principal

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-invalid-principal",
	"title": "Access entry principal is one EKS rejects",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags a principal ARN that EKS does not accept in an access entry: an STS session ARN (`arn:aws:sts::\u2026:assumed-role/\u2026`, a temporary identity), a service-linked role (`role/aws-service-role/\u2026`: `The caller is not allowed to modify access entries with a principalArn value of a Service Linked Role`), an IAM Identity Center role written without its `aws-reserved/sso.amazonaws.com/<region>/` path (`invalid principal`; aws-auth wants the path removed, access entries want it kept), or text that is no IAM role or user ARN.",
	"remediation": "Write the IAM role's ARN with its full path (`role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_\u2026`); for a session, the role it assumed; service-linked roles get their entries from the AWS service itself.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/AWSReservedSSO_AdministratorAccess_abcdef0123456789\n      kubernetesGroups: [platform-admins]\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_abcdef0123456789\n      kubernetesGroups: [platform-admins]\n",
	},
}

reason(p) := "it is an STS session, not a permanent identity; write the role it assumed" if p.kind == "assumed-role"

reason(p) := "it is a service-linked role, whose entries only the AWS service may create" if p.kind == "service-linked-role"

reason(p) := "it is not an IAM role or user ARN" if p.kind == "invalid"

reason(p) := sprintf("an IAM Identity Center role needs its path in access entries: write arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/<region>/%s", [p.account, p.name]) if p.ssoWithoutPath

deny contains {"msg": msg, "path": e.principalArnPath} if {
	some e in ae.entries
	why := reason(e.principal)
	msg := sprintf("%s: EKS rejects this principal (invalid principal): %s", [e.who, why])
}

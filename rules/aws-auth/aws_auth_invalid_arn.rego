package blastwall.rules.aws_auth_invalid_arn

import data.blastwall.lib.aws_auth as a

metadata := {
	"id": "aws-auth-invalid-arn",
	"title": "aws-auth ARN that can never match",
	"severity": "error",
	"category": "aws-auth",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Checks each rolearn and userarn: ARN syntax, an AWS partition, an empty region, a 12-digit account, and a resource type that can be a caller: an IAM role in mapRoles, an IAM user (or root) in mapUsers. The authenticator compares the caller's canonical ARN (arn:<partition>:iam::<account>:role/<name>) with each entry, so an STS assumed-role ARN, an instance profile, an IAM group or a policy never matches and the mapping is dead. A user in mapRoles or a role in mapUsers still matches, but tools that manage aws-auth (eksctl, the access-entry migration) treat it as the wrong kind.",
	"remediation": "Write the IAM ARN of the principal: `arn:aws:iam::<12-digit account>:role/<name>` in mapRoles, `arn:aws:iam::<account>:user/<name>` in mapUsers. For nodes, use the node role, not its instance profile.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:instance-profile/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
	},
}

partitions := {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

expected := {"mapRoles": {"role"}, "mapUsers": {"user", "root"}}

dead := " it never matches a caller, so this mapping has no effect"

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arn != ""
	not e.arnParts
	not a.placeholder_text(e.arn)
	msg := sprintf("`%s` is not an ARN (arn:<partition>:iam::<account>:role/<name>):%s", [e.arn, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts
	not e.arnParts.partition in partitions
	msg := sprintf("`%s` is not an AWS partition (aws, aws-cn, aws-us-gov, ...):%s", [e.arnParts.partition, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts.service == "sts"
	msg := sprintf("`%s` is an STS session ARN: the authenticator compares the caller's IAM role ARN (arn:%s:iam::%s:role/<role>), so%s", [e.arn, e.arnParts.partition, e.arnParts.account, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts
	not e.arnParts.service in {"iam", "sts"}
	msg := sprintf("`%s` is a %s ARN, not an IAM principal:%s", [e.arn, e.arnParts.service, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts.service == "iam"
	e.arnParts.region != ""
	msg := sprintf("`%s` has region `%s`; IAM ARNs have none:%s", [e.arn, e.arnParts.region, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts
	not a.account_id(e.arnParts.account)
	msg := sprintf("account `%s` is not 12 digits:%s", [e.arnParts.account, dead])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.arnParts.service == "iam"
	t := e.arnParts.resourceType
	t in {"instance-profile", "group", "policy", "oidc-provider", "saml-provider"}
	msg := sprintf("`%s` is an IAM %s, not a principal:%s%s", [e.arn, t, dead, hint[t]])
}

hint := {
	"instance-profile": "; nodes authenticate as the role inside the profile: write its role ARN",
	"group": "; map the roles or users of the group one by one",
	"policy": "",
	"oidc-provider": "",
	"saml-provider": "; map the role that the federated users assume",
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.section == "mapRoles"
	e.arnParts.service == "iam"
	e.arnParts.resourceType in {"user", "root"}
	msg := sprintf("`%s` is an IAM user in mapRoles: the authenticator still matches it, but eksctl and the access-entry migration treat mapRoles entries as roles; move it to mapUsers", [e.arn])
}

deny contains {"msg": msg, "path": e.arnPath} if {
	some e in a.mappings
	e.section == "mapUsers"
	e.arnParts.service == "iam"
	e.arnParts.resourceType == "role"
	msg := sprintf("`%s` is an IAM role in mapUsers: the authenticator still matches it (after any mapRoles entry), but eksctl and the access-entry migration treat mapUsers entries as users; move it to mapRoles", [e.arn])
}

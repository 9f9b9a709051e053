package blastwall.rules.aws_auth_node_role_missing

import data.blastwall.lib.tenancy as t

metadata := {
	"id": "aws-auth-node-role-missing",
	"title": "aws-auth no longer maps a node role",
	"severity": "error",
	"category": "tenancy",
	"kinds": ["ConfigMap"],
	"match": {"namespaces": ["kube-system"], "names": ["aws-auth"]},
	"description": "Flags an aws-auth ConfigMap that does not map one of the node roles the config declares (nodeRoles; a glob needs at least one matching entry). Nodes with that role can no longer authenticate: new nodes do not join, running nodes go NotReady when their credentials expire, and their pods are evicted. A mapRoles section that cannot be parsed at all is left to aws-auth-unparseable. EKS system identities (which remove the mapping when a managed node group is deleted) are let through, and so is a cluster another document of the run puts in API mode, where EKS does not read aws-auth.",
	"remediation": "Keep a mapRoles entry for every node role: rolearn the role, username system:node:{{EC2PrivateDNSName}}, groups system:bootstrappers and system:nodes. If the node group is gone for good, remove the role from nodeRoles in the config in the same change.",
	"example": {
		"bad": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre-admin:{{SessionName}}\n      groups:\n        - sre:admins\n",
		"good": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::210987654321:role/eks-node-payroll\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre-admin:{{SessionName}}\n      groups:\n        - sre:admins\n",
	},
}

consequence := "unless an EKS access entry admits it, nodes with it can no longer join the cluster or renew their credentials; map it with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers and system:nodes"

deny contains {"msg": msg, "path": t.aws_auth_at} if {
	not t.system_requester
	not api_mode
	some missing in input.facts.tenancy.awsAuth.nodeRolesMissing
	not is_glob(missing.role)
	msg := sprintf("node role %s is not mapped in mapRoles, but the config lists it (%s): %s", [missing.role, missing.via, consequence])
}

deny contains {"msg": msg, "path": t.aws_auth_at} if {
	not t.system_requester
	not api_mode
	some missing in input.facts.tenancy.awsAuth.nodeRolesMissing
	is_glob(missing.role)
	msg := sprintf("no role matching %s is mapped in mapRoles, but the config lists it as a node role (%s): %s", [missing.role, missing.via, consequence])
}

# In API mode (declared by another document of the run) EKS does not read
# aws-auth: node roles are access-config-node-role-missing's business.
api_mode if input.facts.awsAuthAccess.mode == "API"

is_glob(role) if contains(role, "*")

is_glob(role) if contains(role, "?")

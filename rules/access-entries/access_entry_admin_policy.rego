package blastwall.rules.access_entry_admin_policy

import data.blastwall.lib.access_entries as ae

metadata := {
	"id": "access-entry-admin-policy",
	"title": "Admin-grade access policy for a principal that is not an admin",
	"severity": "error",
	"category": "access-entries",
	"kinds": ["ClusterConfig", "AccessEntry", "AccessPolicyAssociation", "CloudFormationTemplate", "TerraformPlan", "TerraformConfiguration", "EksAccessState"],
	"description": "Flags AmazonEKSClusterAdminPolicy (at any scope), and AmazonEKSAdminPolicy, AmazonEKSAdminViewPolicy, AmazonEKSSecretReaderPolicy or AmazonEKSSecretAdminPolicy at cluster scope, associated with a principal that the config does not declare an admin (admins.iamRoles); without a config, every such grant. CI roles given cluster-admin are the most common way a pipeline, and whoever controls it, owns every product on the cluster; AdminView reads every Secret.",
	"remediation": "Give pipelines and teams AmazonEKSEditPolicy or AmazonEKSAdminPolicy scoped to their namespaces (or RBAC through groups), and keep cluster-wide admin for the roles under admins.iamRoles.",
	"example": {
		"bad": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/github-actions-deploy\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\n          accessScope:\n            type: cluster\n",
		"good": "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: payments-prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/github-actions-deploy\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\n          accessScope:\n            type: namespace\n            namespaces: [payments-api]\n",
	},
}

deny contains {"msg": msg, "path": p.adminGradePath} if {
	some [e, p] in ae.policies
	p.adminGrade
	not e.tenancy.admin
	scope := object.get(p.scope, "type", "cluster")
	msg := sprintf("%s gets %s at %s scope, %s, and is not a declared admin (admins.iamRoles)", [e.who, p.name, scope, reach(scope)])
}

# Only AmazonEKSClusterAdminPolicy is admin-grade at namespace scope: every verb on
# every resource of those namespaces (whether it reaches cluster-scoped objects
# there is not documented, so the message does not say it does).
reach("namespace") := "every verb on every resource of its namespaces, Secrets, pods/exec and ServiceAccount impersonation included"

reach(scope) := "admin-grade over every namespace of the cluster" if scope != "namespace"

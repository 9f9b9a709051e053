package blastwall.rules.access_entry_admin_policy

import data.blastwall.lib.access_entries as ae

test_cluster_admin_for_a_ci_role_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"name": "AmazonEKSClusterAdminPolicy", "adminGrade": true, "adminGradePath": ["a"]})]})], [], [])
	contains(f.msg, "AmazonEKSClusterAdminPolicy at cluster scope")
}

test_declared_admin_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"tenancy": {"admin": "admins.iamRoles: x"}, "policies": [ae.policy({"name": "AmazonEKSClusterAdminPolicy", "adminGrade": true, "adminGradePath": ["a"]})]})], [], [])
}

# At namespace scope the grant covers those namespaces: the message does not claim
# every namespace of the cluster.
test_cluster_admin_at_namespace_scope_says_its_namespaces if {
	scope := {"path": ["p", "accessScope"], "type": "namespace", "typePath": ["p", "accessScope", "type"], "namespaces": ["payments"]}
	some f in deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"name": "AmazonEKSClusterAdminPolicy", "adminGrade": true, "adminGradePath": ["a"], "scope": scope})]})], [], [])
	contains(f.msg, "AmazonEKSClusterAdminPolicy at namespace scope, every verb on every resource of its namespaces, Secrets, pods/exec and ServiceAccount impersonation included, and is not a declared admin")
}

package blastwall.rules.access_entry_admin_policy

import data.blastwall.lib.access_entries as ae

test_cluster_admin_for_a_ci_role_is_reported if {
	some f in deny with input as ae.input_with([ae.entry({"policies": [ae.policy({"name": "AmazonEKSClusterAdminPolicy", "adminGrade": true, "adminGradePath": ["a"]})]})], [], [])
	contains(f.msg, "AmazonEKSClusterAdminPolicy at cluster scope")
}

test_declared_admin_passes if {
	count(deny) == 0 with input as ae.input_with([ae.entry({"tenancy": {"admin": "admins.iamRoles: x"}, "policies": [ae.policy({"name": "AmazonEKSClusterAdminPolicy", "adminGrade": true, "adminGradePath": ["a"]})]})], [], [])
}

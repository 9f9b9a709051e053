package blastwall.rules.aws_auth_no_admin

admin_role := "arn:aws:iam::111122223333:role/sre-admin"

input_for(aws_auth, requester) := {
	"review": {"object": {"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "[]"}}},
	"facts": {
		"awsAuth": {"entries": [], "sections": {"mapRoles": {"present": true}}},
		"tenancy": {
			"requester": requester,
			"owners": {"admins": {"iamRoles": {admin_role: "admins.iamRoles: arn:aws:iam::111122223333:role/sre-*"}}},
			"awsAuth": object.union({"readable": true, "adminRoles": ["arn:aws:iam::111122223333:role/sre-*"], "adminMapped": false, "adminEntries": []}, aws_auth),
		},
	},
}

person := {"identity": "user", "system": false}

test_no_admin_role_in_map_roles_is_reported_at_map_roles if {
	inp := input_for({}, person)
	deny == {{
		"msg": "no admin role is mapped: mapRoles has none of admins.iamRoles (arn:aws:iam::111122223333:role/sre-*), so no admin role is left with admin rights here, and unless an EKS access entry or the cluster creator's admin access remains, the platform team loses its way into the cluster",
		"path": ["data", "mapRoles"],
	}} with input as inp
}

test_an_admin_role_without_admin_groups_is_reported_at_its_groups if {
	e := {"arn": admin_role, "path": ["data", "mapRoles", 3], "groupsPath": ["data", "mapRoles", 3, "groups"], "groups": ["viewers"]}
	inp := input_for({"adminEntries": [e]}, person)
	deny == {{
		"msg": "role arn:aws:iam::111122223333:role/sre-admin is an admin role (admins.iamRoles: arn:aws:iam::111122223333:role/sre-*) but is mapped to groups viewers, none of them an admin group (admins.groups) or system:masters: no admin role is left with admin rights here, and unless an EKS access entry or the cluster creator's admin access remains, the platform team loses its way into the cluster",
		"path": ["data", "mapRoles", 3, "groups"],
	}} with input as inp
}

test_an_admin_role_without_groups_is_reported_at_its_entry if {
	e := {"arn": admin_role, "path": ["data", "mapRoles", 3], "groups": []}
	inp := input_for({"adminEntries": [e]}, person)
	some f in deny with input as inp
	f.path == ["data", "mapRoles", 3]
	contains(f.msg, "is mapped to no group")
}

test_a_mapped_admin_is_fine if {
	inp := input_for({"adminMapped": true}, person)
	count(deny) == 0 with input as inp
}

test_silent_without_admin_roles if {
	inp := input_for({"adminRoles": []}, person)
	count(deny) == 0 with input as inp
}

test_silent_when_map_roles_is_unreadable if {
	inp := input_for({"readable": false}, person)
	count(deny) == 0 with input as inp
}

test_eks_system_identities_are_let_through if {
	inp := input_for({}, {"identity": "eks", "system": true})
	count(deny) == 0 with input as inp
}

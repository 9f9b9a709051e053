package blastwall.rules.aws_auth_node_role_missing

node_role := "arn:aws:iam::111122223333:role/eks-node-billing"

input_for(object, missing, requester) := {
	"review": {"object": object},
	"facts": {
		"awsAuth": {"entries": [], "sections": {"mapRoles": {"present": is_object(object.data)}}},
		"tenancy": {"requester": requester, "awsAuth": {"readable": true, "nodeRolesMissing": missing}},
	},
}

cm := {"kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "[]"}}

person := {"identity": "user", "system": false}

test_a_missing_node_role_is_reported_at_map_roles if {
	inp := input_for(cm, [{"role": node_role, "via": sprintf("nodeRoles: %s", [node_role])}], person)
	deny == {{
		"msg": "node role arn:aws:iam::111122223333:role/eks-node-billing is not mapped in mapRoles, but the config lists it (nodeRoles: arn:aws:iam::111122223333:role/eks-node-billing): unless an EKS access entry admits it, nodes with it can no longer join the cluster or renew their credentials; map it with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers and system:nodes",
		"path": ["data", "mapRoles"],
	}} with input as inp
}

test_a_glob_without_any_match_says_so if {
	inp := input_for(cm, [{"role": "arn:aws:iam::111122223333:role/eks-node-*", "via": "nodeRoles: arn:aws:iam::111122223333:role/eks-node-*"}], person)
	some f in deny with input as inp
	startswith(f.msg, "no role matching arn:aws:iam::111122223333:role/eks-node-* is mapped in mapRoles, but the config lists it as a node role")
}

test_without_data_the_finding_goes_to_the_name if {
	object := {"kind": "ConfigMap", "metadata": {"name": "aws-auth"}}
	inp := {"review": {"object": object}, "facts": {
		"awsAuth": {"entries": [], "sections": {"mapRoles": {"present": false}}},
		"tenancy": {"requester": person, "awsAuth": {"readable": true, "nodeRolesMissing": [{"role": node_role, "via": "nodeRoles: x"}]}},
	}}
	some f in deny with input as inp
	f.path == ["metadata", "name"]
}

test_nothing_missing_is_fine if {
	inp := input_for(cm, [], person)
	count(deny) == 0 with input as inp
}

test_eks_removing_a_node_group_is_let_through if {
	inp := input_for(cm, [{"role": node_role, "via": "nodeRoles: x"}], {"identity": "eks", "system": true})
	count(deny) == 0 with input as inp
}

test_a_cluster_in_api_mode_does_not_read_aws_auth if {
	base := input_for(cm, [{"role": node_role, "via": "nodeRoles: x"}], person)
	inp := object.union(base, {"facts": {"awsAuthAccess": {"mode": "API", "cluster": "payments-prod", "mappings": []}}})
	count(deny) == 0 with input as inp
	other := object.union(base, {"facts": {"awsAuthAccess": {"mode": "API_AND_CONFIG_MAP", "cluster": "payments-prod", "mappings": []}}})
	count(deny) == 1 with input as other
}

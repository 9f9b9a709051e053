package blastwall.rules.aws_auth_node_role_removed_test

import data.blastwall.rules.aws_auth_node_role_removed as rule

node := {
	"arn": "arn:aws:iam::111122223333:role/eks-node", "node": true,
	"username": "system:node:{{EC2PrivateDNSName}}", "groups": ["system:bootstrappers", "system:nodes"],
	"path": ["data", "mapRoles", 0],
}

team := {"arn": "arn:aws:iam::111122223333:role/payroll-dev", "node": false, "username": "dev", "groups": ["payroll:devs"], "path": ["data", "mapRoles", 1]}

section(removed, changed) := {"path": ["data", "mapRoles"], "removed": removed, "added": [], "changed": changed}

inp(removed, changed, system) := {
	"review": {"operation": "UPDATE"},
	"facts": {"change": {
		"requester": {"username": "alice", "products": ["payroll"], "admin": false, "system": system},
		"awsAuth": {"sections": {"mapRoles": section(removed, changed)}},
	}},
}

test_removed_node_role_is_denied if {
	rule.deny == {{
		"msg": "node mapping of role arn:aws:iam::111122223333:role/eks-node removed from mapRoles by alice (products: payroll) (it had username system:node:{{EC2PrivateDNSName}}, groups [system:bootstrappers, system:nodes]): unless an EKS access entry admits the role, nodes using it can no longer authenticate, so they go NotReady and new ones cannot join",
		"path": ["data", "mapRoles"],
	}} with input as inp([node], [], false)
}

test_altered_node_role_is_denied if {
	altered := object.union(node, {"groups": ["system:bootstrappers"], "path": ["data", "mapRoles", 3]})
	c := {"arn": node.arn, "old": node, "new": altered, "groupsAdded": [], "groupsRemoved": ["system:nodes"]}
	some f in rule.deny with input as inp([], [c], false)
	f.path == ["data", "mapRoles", 3]
	contains(f.msg, "groups [system:bootstrappers, system:nodes] → username system:node:{{EC2PrivateDNSName}}, groups [system:bootstrappers]")
}

test_removing_a_team_role_is_not_this_rule if {
	count(rule.deny) == 0 with input as inp([team], [], false)
}

test_eks_itself_may_remove_a_node_role if {
	count(rule.deny) == 0 with input as inp([node], [], true)
}

test_silent_without_a_diff if {
	count(rule.deny) == 0 with input as {"review": {"operation": "UPDATE"}, "facts": {"change": {"requester": {"username": "", "products": [], "admin": false, "system": false}}}}
}

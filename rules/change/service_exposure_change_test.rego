package blastwall.rules.service_exposure_change_test

import data.blastwall.rules.service_exposure_change as rule

svc(type, annotations) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "payroll", "annotations": annotations}, "spec": {"type": type}}

inp(old, new) := {
	"review": {"operation": "UPDATE", "oldObject": old, "object": new},
	"facts": {"change": {"requester": {"username": "ci", "products": [], "admin": false, "system": false}}},
}

internal := {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal", "service.beta.kubernetes.io/aws-load-balancer-type": "external"}

public := {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", "service.beta.kubernetes.io/aws-load-balancer-type": "external"}

test_cluster_ip_to_load_balancer_warns if {
	expected := {{"msg": "Service payroll/api becomes LoadBalancer (was ClusterIP) by ci: it is now reachable from the VPC and networks routed to it, through a load balancer", "path": ["spec", "type"]}}
	rule.deny == expected with input as inp(svc("ClusterIP", {}), svc("LoadBalancer", internal))
}

test_node_port_warns if {
	some f in rule.deny with input as inp(svc("ClusterIP", {}), svc("NodePort", {}))
	f.msg == "Service payroll/api becomes NodePort (was ClusterIP) by ci: it is now reachable from wherever the nodes' security groups admit, on a port of every node"
}

test_source_ranges_narrow_who_reaches_it if {
	ranged := object.union(svc("LoadBalancer", public), {"spec": {"loadBalancerSourceRanges": ["203.0.113.0/24", "198.51.100.7/32"]}})
	some f in rule.deny with input as inp(svc("ClusterIP", {}), ranged)
	f.msg == "Service payroll/api becomes LoadBalancer (was ClusterIP) by ci: it is now reachable from the internet through a load balancer (only from loadBalancerSourceRanges 203.0.113.0/24, 198.51.100.7/32)"
}

test_internal_to_internet_facing_warns if {
	expected := {{"msg": "load balancer of Service payroll/api turns internet-facing by ci: service.beta.kubernetes.io/aws-load-balancer-scheme internal → internet-facing", "path": ["metadata", "annotations"]}}
	rule.deny == expected with input as inp(svc("LoadBalancer", internal), svc("LoadBalancer", public))
}

test_in_tree_internal_annotation_removed_warns if {
	some f in rule.deny with input as inp(svc("LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}), svc("LoadBalancer", {}))
	contains(f.msg, "(unset; service.beta.kubernetes.io/aws-load-balancer-internal: true) → (unset)")
}

test_unchanged_exposure_is_fine if {
	count(rule.deny) == 0 with input as inp(svc("LoadBalancer", public), svc("LoadBalancer", public))
	count(rule.deny) == 0 with input as inp(svc("ClusterIP", {}), svc("ClusterIP", {}))
	count(rule.deny) == 0 with input as inp(null, svc("LoadBalancer", public))
}

package blastwall.rules.service_exposure_change

import data.blastwall.lib.change

metadata := {
	"id": "service-exposure-change",
	"title": "Service exposed beyond the cluster",
	"severity": "warning",
	"category": "change",
	"kinds": ["Service"],
	"match": {"operations": ["UPDATE"]},
	"description": "Fires on an UPDATE of a Service that becomes type LoadBalancer or NodePort (it was ClusterIP, headless or ExternalName), or whose load balancer turns internet-facing: the AWS Load Balancer Controller's `service.beta.kubernetes.io/aws-load-balancer-scheme` becomes `internet-facing`, or an in-tree load balancer loses `service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"` (the in-tree default is internet-facing). Such a change opens the workload to the VPC or the internet in one line, often as a side effect of a values change; it deserves a second look even when intended.",
	"remediation": "Keep Services ClusterIP behind an Ingress or Gateway that the platform team controls; for load balancers that must exist, set `service.beta.kubernetes.io/aws-load-balancer-scheme: internal` unless the service is meant for the internet, and restrict `loadBalancerSourceRanges`.",
	"example": {
		"bad": "# before\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: payroll}\nspec: {type: ClusterIP, ports: [{port: 443}]}\n---\n# after\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: payroll}\nspec: {type: LoadBalancer, ports: [{port: 443}]}\n",
		"good": "# after: ports change, the exposure does not\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: payroll}\nspec: {type: ClusterIP, ports: [{port: 8443}]}\n",
	},
}

scheme_annotation := "service.beta.kubernetes.io/aws-load-balancer-scheme"

internal_annotation := "service.beta.kubernetes.io/aws-load-balancer-internal"

type_annotation := "service.beta.kubernetes.io/aws-load-balancer-type"

# spec.type, defaulting to ClusterIP as the API server does.
svc_type(s) := t if {
	t := s.spec.type
	is_string(t)
} else := "ClusterIP"

exposed_types := {"LoadBalancer", "NodePort"}

internet_facing(s) if {
	svc_type(s) == "LoadBalancer"
	change.annotation(s, scheme_annotation) == "internet-facing"
}

# The in-tree controller (no scheme annotation, not handed to the AWS Load Balancer
# Controller with type external / nlb-ip) makes internet-facing load balancers
# unless told they are internal.
internet_facing(s) if {
	svc_type(s) == "LoadBalancer"
	change.annotation(s, scheme_annotation) == ""
	not change.annotation(s, type_annotation) in {"external", "nlb-ip"}
	not lower(change.annotation(s, internal_annotation)) in {"true", "0.0.0.0/0"}
}

is_service(o) if {
	change.kind(o) == "Service"
}

deny contains {"msg": msg, "path": ["spec", "type"]} if {
	change.op == "UPDATE"
	change.has_old
	is_service(change.new)
	before := svc_type(change.old)
	after := svc_type(change.new)
	not before in exposed_types
	after in exposed_types
	msg := sprintf("%s becomes %s (was %s) by %s: it is now reachable from %s", [change.describe(change.new), after, before, change.who, reach(change.new)])
}

reach(s) := sprintf("the internet through a load balancer%s", [source_ranges(s)]) if {
	internet_facing(s)
} else := "wherever the nodes' security groups admit, on a port of every node" if {
	svc_type(s) == "NodePort"
} else := sprintf("the VPC and networks routed to it, through a load balancer%s", [source_ranges(s)])

# loadBalancerSourceRanges narrow who reaches a load balancer.
source_ranges(s) := sprintf(" (only from loadBalancerSourceRanges %s)", [concat(", ", [r | some r in s.spec.loadBalancerSourceRanges; is_string(r)])]) if {
	is_array(s.spec.loadBalancerSourceRanges)
	count(s.spec.loadBalancerSourceRanges) > 0
} else := ""

deny contains {"msg": msg, "path": ["metadata", "annotations"]} if {
	change.op == "UPDATE"
	change.has_old
	is_service(change.new)
	svc_type(change.old) == "LoadBalancer"
	not internet_facing(change.old)
	internet_facing(change.new)
	msg := sprintf("load balancer of %s turns internet-facing by %s: %s %s → %s", [change.describe(change.new), change.who, scheme_annotation, shown(change.annotation(change.old, scheme_annotation), change.old), shown(change.annotation(change.new, scheme_annotation), change.new)])
}

# How the scheme reads in a message.
shown(v, _) := v if v != ""

shown("", s) := sprintf("(unset; %s: %s)", [internal_annotation, change.annotation(s, internal_annotation)]) if change.annotation(s, internal_annotation) != ""

shown("", s) := "(unset)" if change.annotation(s, internal_annotation) == ""

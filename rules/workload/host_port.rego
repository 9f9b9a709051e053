package blastwall.rules.host_port

metadata := {
	"id": "host-port",
	"title": "Container binds a port on the node",
	"severity": "warning",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags container ports with a non-zero hostPort. A hostPort opens the port on the node's own IP address: it opens a way in beside the Service, exposes the pod to whatever can reach the node, limits the workload to one pod per node per port, and leaves pods Pending once every node's port is taken.",
	"remediation": "Remove `hostPort` and expose the port through a Service (ClusterIP, or a LoadBalancer or Ingress for outside traffic).",
	"example": {
		"bad": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: example.com/api:3.2.0
        ports:
        - containerPort: 8080
          hostPort: 8080
`,
		"good": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: example.com/api:3.2.0
        ports:
        - containerPort: 8080
`,
	},
}

deny contains {"msg": msg, "path": path} if {
	some c in input.facts.workload.containers
	ports := c.container.ports
	is_array(ports)
	some j, port in ports
	is_number(port.hostPort)
	port.hostPort != 0
	path := array.concat(c.path, ["ports", j, "hostPort"])
	msg := sprintf("%s %s", [c.label, binds(port.hostPort)])
}

# With hostNetwork the process listens on the node's addresses itself; otherwise
# the node forwards the port to the pod.
binds(port) := sprintf("declares hostPort %v and runs in the node's network (hostNetwork): what it listens on there is open on the node's addresses to anything that can reach the node", [port]) if {
	input.facts.workload.podSpec.hostNetwork == true
} else := sprintf("opens port %v on the node's IP and forwards it to the pod (hostPort): anything that can reach the node on that port reaches the pod, beside any Service", [port])

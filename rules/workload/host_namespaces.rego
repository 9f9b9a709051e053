package blastwall.rules.host_namespaces

metadata := {
	"id": "host-namespaces",
	"title": "Pod shares the node's namespaces",
	"severity": "error",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags pod specs with hostNetwork, hostPID or hostIPC set to true, one finding for each. hostNetwork puts the pod on the node's network stack: it can bind node ports, reach services listening on localhost (such as the kubelet's or a node agent's), and NetworkPolicies may not apply to it (Kubernetes leaves their effect on hostNetwork pods to the network plugin). hostPID lets it see every process on the node with its command line, and signal or inspect (with ptrace) those its user and capabilities allow, such as the environment of other pods' processes running as the same user. hostIPC gives it the node's shared memory and message queues.",
	"remediation": "Remove hostNetwork, hostPID and hostIPC (they default to false). Expose ports through a Service, and read node metrics through the kubelet or a dedicated, reviewed agent.",
	"example": {
		"bad": `apiVersion: v1
kind: Pod
metadata:
  name: sniffer
spec:
  hostNetwork: true
  containers:
  - name: tcpdump
    image: nicolaka/netshoot:v0.13
`,
		"good": `apiVersion: v1
kind: Pod
metadata:
  name: sniffer
spec:
  containers:
  - name: tcpdump
    image: nicolaka/netshoot:v0.13
`,
	},
}

# What the pod gets from each shared namespace.
consequences := {
	"hostNetwork": "it is on the node's network stack, so it can bind the node's ports and reach services listening on the node's localhost (such as the kubelet's or a node agent's), and NetworkPolicies may not apply to it (their effect on hostNetwork pods is left to the network plugin)",
	"hostPID": "it sees every process on the node with its command line, and can signal or inspect those its user and capabilities allow, such as reading the environment of other pods' processes that run as the same user",
	"hostIPC": "it shares the node's IPC namespace: it can read and change the shared memory and message queues of processes outside the pod that their permissions let its user reach",
}

# Only the fields the pod spec writes are looked at (object.filter).
deny contains {"msg": msg, "path": path} if {
	some field, value in object.filter(input.facts.workload.podSpec, consequences)
	value == true
	consequence := consequences[field]
	path := array.concat(input.facts.workload.podSpecPath, [field])
	msg := sprintf("pod sets %s: true: %s", [field, consequence])
}

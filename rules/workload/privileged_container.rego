package blastwall.rules.privileged_container

metadata := {
	"id": "privileged-container",
	"title": "Container runs privileged",
	"severity": "error",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags any container, init container or ephemeral container with securityContext.privileged: true (YAML 1.1 spellings such as `yes` and `on` count too). A privileged container gets every Linux capability, sees every host device and runs without seccomp or AppArmor confinement: whoever controls it can mount the node's disks, load kernel modules and take over the node and every pod on it.",
	"remediation": "Remove `privileged: true`. If the workload needs one specific power, add only that capability (and drop ALL others); for device access use a device plugin instead.",
	"example": {
		"bad": `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: true
`,
		"good": `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: false
      capabilities:
        drop: ["ALL"]
`,
	},
}

deny contains {"msg": msg, "path": path} if {
	some c in input.facts.workload.containers
	c.securityContext.privileged == true
	path := c.securityContextPaths.privileged
	msg := sprintf("%s runs privileged: it gets every capability and every host device, without seccomp or AppArmor confinement, so root in it can take over the node", [c.label])
}

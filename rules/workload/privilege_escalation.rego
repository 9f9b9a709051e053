package blastwall.rules.privilege_escalation

metadata := {
	"id": "privilege-escalation",
	"title": "Container allows privilege escalation",
	"severity": "warning",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags containers whose securityContext.allowPrivilegeEscalation is not false. The field defaults to true, so leaving it out counts. While it is true, a process can gain more privileges than its parent (no_new_privs is not set): a setuid binary such as sudo or a vulnerable one in the image turns code execution as an ordinary user into root inside the container. Privileged containers are reported by privileged-container instead, and Windows pods are skipped (the setting does not exist there).",
	"remediation": "Set `securityContext.allowPrivilegeEscalation: false` on every container, init container and ephemeral container.",
	"example": {
		"bad": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        securityContext:
          allowPrivilegeEscalation: true
`,
		"good": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        securityContext:
          allowPrivilegeEscalation: false
`,
	},
}

consequence := "no_new_privs is not set, so a setuid or file-capability binary in the image can give a compromised process more privileges than it started with"

# What the container says, by its effective allowPrivilegeEscalation: true, or
# left out (null), as the default is true. Privileged containers are
# privileged-container's.
said := {
	true: "sets allowPrivilegeEscalation: true",
	null: "does not set allowPrivilegeEscalation: false, and it defaults to true",
}

# Where it is written, else where it would be (the container's securityContext, or
# the container).
deny contains {"msg": msg, "path": object.get(c.securityContextPaths, "allowPrivilegeEscalation", c.securityContextPath)} if {
	not input.facts.workload.windows
	some c in input.facts.workload.containers
	says := said[object.get(c.securityContext, "allowPrivilegeEscalation", null)]
	not c.securityContext.privileged == true
	msg := sprintf("%s %s: %s", [c.label, says, consequence])
}

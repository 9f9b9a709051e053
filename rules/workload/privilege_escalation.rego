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

# Explicitly allowed.
deny contains {"msg": msg, "path": path} if {
	not input.facts.workload.windows
	some c in input.facts.workload.containers
	not c.securityContext.privileged == true
	c.securityContext.allowPrivilegeEscalation == true
	path := c.securityContextPaths.allowPrivilegeEscalation
	msg := sprintf("%s sets allowPrivilegeEscalation: true: %s", [c.label, consequence])
}

# Left out: the default is true.
deny contains {"msg": msg, "path": path} if {
	not input.facts.workload.windows
	some c in input.facts.workload.containers
	not c.securityContext.privileged == true
	object.get(c.securityContext, "allowPrivilegeEscalation", null) == null
	path := c.securityContextPath
	msg := sprintf("%s does not set allowPrivilegeEscalation: false, and it defaults to true: %s", [c.label, consequence])
}

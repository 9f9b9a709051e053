package blastwall.rules.run_as_root

metadata := {
	"id": "run-as-root",
	"title": "Container may run as root",
	"severity": "warning",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"description": "Flags containers that run as user 0, and containers that may run as root because nothing forbids it: runAsNonRoot is not true and no non-zero runAsUser is set, so the image decides (and most images run as root). Container securityContext settings override the pod's. A process running as root in a container is root on the node as soon as it escapes, owns every file of the volumes it mounts, and turns most kernel and runtime bugs into a node takeover. In a user namespace (hostUsers: false) the container's root is an unprivileged user of the node: the findings are then info. Windows pods have no root user (their users are set by windowsOptions.runAsUserName) and are not flagged for a missing runAsUser.",
	"remediation": "Set `runAsNonRoot: true` in the pod's securityContext (the kubelet then refuses to start a container whose user is root), and `runAsUser` to a non-zero UID where the image does not declare a user. Remove `runAsUser: 0`.",
	"example": {
		"bad": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          securityContext:
            runAsUser: 0
          containers:
          - name: report
            image: example.com/report:1.8.2
`,
		"good": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
          containers:
          - name: report
            image: example.com/report:1.8.2
`,
	},
}

# Runs as user 0 (the container's runAsUser, else the pod's).
deny contains {"msg": msg, "path": c.securityContextPaths.runAsUser, "severity": escape.severity} if {
	some c in input.facts.workload.containers
	c.securityContext.runAsUser == 0
	msg := sprintf("%s runs as root (runAsUser: 0): %s", [c.label, escape.root])
}

# Nothing keeps it from running as root: the image's user decides.
deny contains {"msg": msg, "path": unset_path(c), "severity": escape.severity} if {
	not input.facts.workload.windows
	some c in input.facts.workload.containers
	not c.securityContext.runAsNonRoot == true
	object.get(c.securityContext, "runAsUser", null) == null
	msg := sprintf("%s may run as root: runAsNonRoot is not true and no runAsUser is set, so the image's user applies: %s", [c.label, escape.unset])
}

# What an escape gives, for a container that runs as root and for one that may.
# In a user namespace (hostUsers: false) the container's root is an unprivileged
# user of the node.
escape := {
	"root": "root in the container is an unprivileged user of the node (hostUsers: false), so an escape gives that user, not root",
	"unset": "root in the container is an unprivileged user of the node (hostUsers: false), so an escape gives that user, not root",
	"severity": "info",
} if {
	input.facts.workload.podSpec.hostUsers == false
} else := {
	"root": "a container escape or a runtime bug gives root on the node",
	"unset": "if that is root, a container escape or a runtime bug gives root on the node",
	"severity": metadata.severity,
}

# Where to point when runAsNonRoot is not true: at runAsNonRoot: false if it is
# written, else at the container's securityContext, or at the container.
unset_path(c) := c.securityContextPaths.runAsNonRoot if c.securityContext.runAsNonRoot == false

else := c.securityContextPath

package blastwall.rules.aws_auth_writer

import data.blastwall.lib.rbac

metadata := {
	"id": "aws-auth-writer",
	"title": "Role can change the aws-auth ConfigMap",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"description": "Flags a Role in kube-system, or a ClusterRole, with a rule that can update, patch or delete (or `*`) configmaps (or `*` resources) in the core API group (\"\" or `*`), either for every ConfigMap (no resourceNames) or with aws-auth among its resourceNames. On EKS the kube-system/aws-auth ConfigMap maps IAM roles and users to Kubernetes groups: whoever can edit it can map their own IAM role to system:masters and own the cluster, and a bad edit or a delete locks every node and person out.",
	"remediation": "Leave aws-auth to the platform team's pipeline (or move to EKS access entries). Roles that need ConfigMaps in kube-system should name them in resourceNames, without aws-auth; ClusterRoles should not write ConfigMaps cluster-wide.",
	"example": {
		"bad": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-editor
  namespace: kube-system
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "update", "patch"]
`,
		"good": `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-editor
  namespace: kube-system
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["coredns"]
  verbs: ["get", "update", "patch"]
`,
	},
}

obj := input.review.object

write_verbs := {"update", "patch", "delete", "*"}

# The reviewed object's rules reach kube-system.
reaches_kube_system if obj.kind == "ClusterRole"

reaches_kube_system if {
	obj.kind == "Role"
	rbac.namespace == "kube-system"
}

deny contains {"msg": msg, "path": path} if {
	reaches_kube_system
	some entry in rbac.role_rules
	rbac.matches(entry.rule, "apiGroups", "")
	verbs := [v | some v in rbac.field(entry.rule, "verbs"); v in write_verbs]
	count(verbs) > 0
	some j, resource in rbac.field(entry.rule, "resources")
	resource in {"configmaps", "*"}
	path := target(entry, j)
	msg := sprintf("%s rule %d can %s %s: whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out", [rbac.object_label, entry.index, concat(", ", verbs), what(entry)])
}

what(entry) := "the aws-auth ConfigMap" if {
	"aws-auth" in rbac.field(entry.rule, "resourceNames")
} else := "every ConfigMap in kube-system, aws-auth included" if {
	obj.kind == "Role"
} else := "every ConfigMap in every namespace, kube-system/aws-auth included"

# Where the rule reaches aws-auth: its resourceNames entry if it names it, else the
# resources entry (all ConfigMaps). A rule naming only other ConfigMaps is fine.
target(entry, j) := ["rules", entry.index, "resourceNames", k] if {
	some k, name in rbac.field(entry.rule, "resourceNames")
	name == "aws-auth"
} else := ["rules", entry.index, "resources", j] if {
	count(rbac.field(entry.rule, "resourceNames")) == 0
}

package blastwall.rules.aws_auth_writer

import data.blastwall.lib.rbac

metadata := {
	"id": "aws-auth-writer",
	"title": "Role can change the aws-auth ConfigMap",
	"severity": "error",
	"category": "rbac",
	"kinds": rbac.role_kinds,
	"match": {"facts": ["rbac.writesAwsAuth"]},
	"description": "Flags a Role in kube-system, or a ClusterRole, with a rule entry that names configmaps in the core API group with update, patch or delete, either for every ConfigMap (no resourceNames) or with aws-auth among its resourceNames. (An entry that reaches aws-auth through a wildcard is reported by rbac-wildcard, whose message says so.) On EKS the kube-system/aws-auth ConfigMap maps IAM roles and users to Kubernetes groups: whoever can edit it can map their own IAM role to system:masters and own the cluster, and a bad edit or a delete locks every node and person out.",
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

deny contains {"msg": msg, "path": path} if {
	some entry in rbac.plain_rules
	entry.writesAwsAuth
	verbs := [v | some v in entry.verbsApplied; v in {"update", "patch", "delete"}]
	path := target(entry)
	msg := sprintf("%s rule %d can %s %s: %s", [rbac.object_label, entry.index, concat(", ", verbs), what(entry), consequence(verbs)])
}

what(entry) := "the aws-auth ConfigMap" if {
	"aws-auth" in entry.resourceNames
} else := "every ConfigMap in kube-system, aws-auth included" if {
	rbac.fact.kind == "Role"
} else := "every ConfigMap in every namespace, kube-system/aws-auth included"

# What whoever holds it can do: map IAM roles when it can change aws-auth, lock
# everyone out when it can change or delete it.
consequence(verbs) := "whoever holds it can map their own IAM role to system:masters and take over the cluster, or lock every node and user out" if {
	count([v | some v in verbs; v in {"update", "patch"}]) > 0
} else := "whoever holds it can delete it and lock every node and user out of the cluster"

# Where the entry reaches aws-auth: its resourceNames entry if it names it, else
# the configmaps entry of its resources (all ConfigMaps).
target(entry) := ["rules", entry.index, "resourceNames", names[0]] if {
	names := [k | some k, name in entry.resourceNames; name == "aws-auth"]
	count(names) > 0
} else := ["rules", entry.index, "resources", resources[0]] if {
	resources := [j | some j, resource in entry.resources; resource == "configmaps"]
	count(resources) > 0
}

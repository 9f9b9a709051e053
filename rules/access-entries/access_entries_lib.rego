# Helpers shared by the access-entries rules. Every format (eksctl, ACK, Crossplane,
# CloudFormation, Terraform plans) is read in Rust into one model with what the rules
# judge already derived: input.facts.accessConfig (src/access_entries/facts.rs has its
# shape). Every `path` / `…Path` points into the reviewed document.
package blastwall.lib.access_entries

facts := input.facts.accessConfig

# Every cluster the document declares (with its accessConfig).
clusters contains c if {
	some c in facts.clusters
}

# Every access entry (and association whose entry is declared elsewhere).
entries contains e if {
	some e in facts.entries
}

# [entry, policy association] pairs.
policies contains [e, p] if {
	some e in facts.entries
	some p in e.policies
}

# [entry, group] pairs.
groups contains [e, g] if {
	some e in facts.entries
	some g in e.groups
}

# [entry, policy, namespace of its scope] triples.
namespaces contains [e, p, n] if {
	some [e, p] in policies
	some n in p.scope.namespaces
}

# eksctl iamIdentityMappings (aws-auth mappings declared beside the entries).
mappings contains m if {
	some m in facts.identityMappings
}

# When the list of known access policies was last compared with AWS's.
policies_as_of := facts.policiesKnownAsOf

# "cluster payments-prod", for messages.
cluster_name(c) := sprintf("cluster %s", [c.name]) if c.name

else := "the cluster"

# "AmazonEKSEditPolicy", or the ARN as written.
policy_name(p) := p.name if p.name

else := p.arn if p.arn

else := "an access policy"

# "product payments", or "the principal".
product_of(e) := sprintf("product %s", [e.tenancy.product.product]) if e.tenancy.product

else := "the principal"

# The entry's resource (Terraform address, CloudFormation logical id), or who it is for.
where(e) := e.address if e.address

else := e.who

# A setting's value as written, or "not set, so <default>".
written(true, value) := value

written(false, value) := sprintf("not set, so %s", [value])

# For unit tests: a rule input whose accessConfig facts hold these entries,
# clusters and eksctl identity mappings.
input_with(entries, clusters, mappings) := {
	"review": {"object": {"kind": "ClusterConfig"}, "kind": {"kind": "ClusterConfig"}},
	"facts": {"accessConfig": {
		"format": "eksctl",
		"policiesKnownAsOf": "2026-08",
		"entries": entries,
		"clusters": clusters,
		"identityMappings": mappings,
	}},
}

# For unit tests: an entry with the defaults of a plain STANDARD entry, and `fields`.
entry(fields) := object.union(
	{
		"path": ["accessConfig", "accessEntries", 0], "who": "role arn:aws:iam::111122223333:role/x",
		"principalArn": "arn:aws:iam::111122223333:role/x",
		"principal": {"kind": "role", "account": "111122223333", "path": "", "name": "x", "ssoWithoutPath": false},
		"principalArnPath": ["accessConfig", "accessEntries", 0, "principalARN"],
		"type": "STANDARD", "typePath": ["accessConfig", "accessEntries", 0], "typeWritten": false,
		"nodeType": false, "policiesAllowed": true, "sessionNameWithoutColon": false, "staticUsername": false,
		"groups": [], "policies": [], "associationOnly": false, "unknown": {}, "unknownKeys": [], "widened": [],
	},
	fields,
)

# For unit tests: a known, non-admin, namespace-less cluster-scope association, and `fields`.
policy(fields) := object.union(
	{
		"path": ["p"], "arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "arnPath": ["p", "policyARN"],
		"name": "AmazonEKSViewPolicy", "known": true, "adminGrade": false, "adminGradePath": ["p"],
		"scope": {"path": ["p", "accessScope"], "type": "cluster", "typePath": ["p", "accessScope", "type"], "namespaces": []},
		"widened": [],
	},
	fields,
)

# For unit tests: a cluster in API mode without creator admin, and `fields`.
cluster(fields) := object.union(
	{
		"path": [], "name": "payments-prod", "authenticationMode": "API", "authenticationModeWritten": true,
		"authenticationModePath": ["accessConfig", "authenticationMode"],
		"bootstrapClusterCreatorAdminPermissions": false, "bootstrapWritten": true,
		"bootstrapPath": ["accessConfig", "bootstrapClusterCreatorAdminPermissions"], "unknown": {},
	},
	fields,
)

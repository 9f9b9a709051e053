package blastwall.rules.manifest_missing_kind

metadata := {
	"id": "manifest-missing-kind",
	"title": "Manifest without apiVersion or kind",
	"severity": "error",
	"category": "manifest",
	"exemptible": false,
	"match": {"facts": ["manifest.incomplete"]},
	"description": "Flags a document meant as a Kubernetes object (it has a `kind` in some letter case, or an `apiVersion` beside `metadata`) whose `apiVersion` or `kind` is missing, empty, not a string, or misspelt (`Kind`, `apiversion`). Kubernetes field names are case-sensitive: kubectl and the API server reject such a document, and the rules of its kind cannot tell what it is, so without this rule it would pass unchecked. Documents that are not meant as objects at all (a Helm `values.yaml`, a `Chart.yaml`) are skipped with a note instead.",
	"remediation": "Write both fields exactly as Kubernetes spells them, e.g. `apiVersion: v1` and `kind: Pod`.",
	"example": {
		"bad": "apiVersion: v1\nKind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n  - name: api\n    image: example.com/api:1.0\n",
		"good": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n  - name: api\n    image: example.com/api:1.0\n",
	},
}

obj := input.review.object

# A CloudFormation template or a Terraform file or plan is no Kubernetes object: it
# is reviewed under a kind of blastwall's own (group blastwall.dev), for the EKS
# access-entry rules.
synthetic if input.review.kind.group == "blastwall.dev"

# `apiVersion` and `kind` must both be non-empty strings.
usable(value) if {
	is_string(value)
	value != ""
}

# The keys written where `field` belongs: the same name in another letter case, or
# with `_` or `-` in it.
misspellings(field) := {key |
	some key, _ in obj
	is_string(key)
	key != field
	lower(replace(replace(key, "_", ""), "-", "")) == lower(field)
}

place := ["metadata"] if {
	is_object(obj)
	"metadata" in object.keys(obj)
} else := []

consequence("kind") := "kubectl rejects it, and no rule can tell what it is, so it is not checked"

consequence("apiVersion") := "kubectl and the API server reject it"

deny contains {"msg": msg, "path": [key], "at": "key"} if {
	not synthetic
	is_object(obj)
	some field in ["apiVersion", "kind"]
	not usable(obj[field])
	some key in misspellings(field)
	msg := sprintf("`%s` is not `%s` (field names are case-sensitive): the document has no %s, so %s", [key, field, field, consequence(field)])
}

deny contains {"msg": msg, "path": path} if {
	not synthetic
	is_object(obj)
	some field in ["apiVersion", "kind"]
	not usable(obj[field])
	count(misspellings(field)) == 0
	path := where(field)
	msg := sprintf("the document has no usable `%s`, so %s", [field, consequence(field)])
}

# The field itself when it is there but empty or not a string, else `metadata`.
where(field) := [field] if {
	is_object(obj)
	field in object.keys(obj)
} else := place


package blastwall.rules.latest_image_tag

import data.blastwall.lib.params

metadata := {
	"id": "latest-image-tag",
	"title": "Image is not pinned",
	"severity": "warning",
	"category": "workload",
	"match": {"facts": ["workload"]},
	"exemptible": true,
	"params": {"mutableTags": ["latest"]},
	"description": "Flags container images with no tag or with the tag `latest`; an image pinned by digest (`@sha256:...`) is fine whatever its tag. A registry port (`registry:5000/app`) is not a tag. Without a fixed tag every node pulls whatever the tag points at when it starts the pod (the default imagePullPolicy of such an image is Always; with IfNotPresent each node keeps what it pulled first, and the message says so): replicas of one Deployment run different code, a rollback does not roll back, and whoever can push to the repository changes what runs in the cluster without a review. Parameter `mutableTags` (default `[latest]`) lists the tags that are moved on purpose and so count as unpinned, such as `main` or `stable`.",
	"remediation": "Use an immutable version tag (`app:1.8.2`), or better a digest (`app@sha256:...`), and update it through a reviewed change.",
	"example": {
		"bad": `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest
`,
		"good": `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27.2@sha256:2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819
`,
	},
}

# The image's tag (facts.workload: "" when there is none; a registry port is not a
# tag), unless it is pinned by digest.
deny contains {"msg": msg, "path": array.concat(c.path, ["image"])} if {
	some c in input.facts.workload.containers
	problem := unpinned[c.image.tag]
	not c.image.digest
	msg := sprintf("%s uses image '%s' %s: %s", [c.label, c.image.reference, problem, pulls(c.container)])
}

# What the nodes run, by the container's imagePullPolicy (for an unpinned image
# Kubernetes defaults it to Always).
pulls(container) := "each node runs whatever image it already holds under that name, so replicas drift and nobody can tell from the manifest what runs" if {
	container.imagePullPolicy == "Never"
} else := "each node runs whatever the tag pointed to when that node first pulled it, so replicas drift and a push to the repository changes what new nodes run" if {
	container.imagePullPolicy == "IfNotPresent"
} else := "each node pulls whatever it points to when the pod starts, so replicas drift and a push to the repository changes what runs"

# What each tag that does not pin the image says, once per review: no tag, or a
# mutable one.
unpinned := object.union(
	{t: sprintf("with the mutable tag :%s", [t]) | some t in params.of(metadata.id, metadata.params).mutableTags},
	{"": "without a tag (that means :latest)"},
)

package blastwall.rules.latest_image_tag_test

import data.blastwall.lib.workload_test as k
import data.blastwall.rules.latest_image_tag as rule

images(list) := k.review("Pod", {"containers": [k.container(sprintf("c%d", [i]), {"image": image}) | some i, image in list]})

# Indexes of the containers whose image is reported.
flagged(list) := {i |
	doc := images(list)
	some f in rule.deny with input as doc
	i := f.path[2]
}

test_missing_tag_and_latest_are_reported if {
	flagged(["nginx", "nginx:latest", "docker.io/library/nginx", "ghcr.io/org/app:latest"]) == {0, 1, 2, 3}
}

test_registry_port_is_not_a_tag if {
	flagged(["registry:5000/app", "registry.local:5000/team/app:latest", "registry:5000/app:1.2"]) == {0, 1}
}

test_pinned_images_are_fine if {
	flagged([
		"nginx:1.27.2",
		"registry:5000/app:2024-06-01",
		"nginx@sha256:2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819",
		"nginx:latest@sha256:2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819",
		"app:Latest",
	]) == set()
}

test_message_and_path if {
	doc := k.review("Deployment", {"initContainers": [k.container("setup", {"image": "busybox"})], "containers": [k.hardened("app")]})
	rule.deny == {{
		"msg": "init container 'setup' uses image 'busybox' without a tag (that means :latest): each node pulls whatever it points to when the pod starts, so replicas drift and a push to the repository changes what runs",
		"path": ["spec", "template", "spec", "initContainers", 0, "image"],
	}} with input as doc
}

test_latest_in_a_cronjob_ephemeral_container if {
	doc := k.review("CronJob", {"containers": [k.hardened("app")], "ephemeralContainers": [k.container("dbg", {"image": "busybox:latest"})]})
	some f in rule.deny with input as doc
	f.path == ["spec", "jobTemplate", "spec", "template", "spec", "ephemeralContainers", 0, "image"]
	contains(f.msg, "with the mutable tag :latest")
}

# Kubernetes defaults imagePullPolicy to Always for an unpinned image; with
# IfNotPresent or Never, each node runs what it already holds.
test_the_message_follows_the_pull_policy if {
	doc := k.review("Deployment", {"containers": [
		k.container("a", {"image": "app:latest", "imagePullPolicy": "IfNotPresent"}),
		k.container("b", {"image": "app:latest", "imagePullPolicy": "Never"}),
		k.container("c", {"image": "app:latest", "imagePullPolicy": "Always"}),
	]})
	{f.msg | some f in rule.deny} == {
		"container 'a' uses image 'app:latest' with the mutable tag :latest: each node runs whatever the tag pointed to when that node first pulled it, so replicas drift and a push to the repository changes what new nodes run",
		"container 'b' uses image 'app:latest' with the mutable tag :latest: each node runs whatever image it already holds under that name, so replicas drift and nobody can tell from the manifest what runs",
		"container 'c' uses image 'app:latest' with the mutable tag :latest: each node pulls whatever it points to when the pod starts, so replicas drift and a push to the repository changes what runs",
	} with input as doc
}

test_missing_or_odd_images_are_left_to_the_api_server if {
	doc := k.review("Pod", {"containers": [{"name": "a"}, {"name": "b", "image": ""}, {"name": "c", "image": 5}]})
	count(rule.deny) == 0 with input as doc
}

test_silent_on_delete if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE", "object": null}}
}

flagged_with(list, tags) := {i |
	doc := images(list)
	config := {"rules": {"latest-image-tag": {"params": {"mutableTags": tags}}}}
	some f in rule.deny with input as doc with data.blastwall.config as config
	i := f.path[2]
}

test_the_mutable_tags_parameter_names_the_moving_tags if {
	list := ["app:main", "app:latest", "app", "app:1.2", "app:main@sha256:2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819"]
	flagged(list) == {1, 2}
	flagged_with(list, ["latest", "main"]) == {0, 1, 2}
	flagged_with(list, ["main"]) == {0, 2}
}

test_a_configured_mutable_tag_is_named_in_the_message if {
	doc := images(["app:stable"])
	config := {"rules": {"latest-image-tag": {"params": {"mutableTags": ["stable"]}}}}
	some f in rule.deny with input as doc with data.blastwall.config as config
	contains(f.msg, "uses image 'app:stable' with the mutable tag :stable")
}

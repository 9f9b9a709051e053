package blastwall.rules.webhook_config_tamper

import data.blastwall.lib.change

metadata := {
	"id": "webhook-config-tamper",
	"title": "blastwall's own webhook changed by a non-admin",
	"severity": "error",
	"category": "change",
	"match": {"operations": ["UPDATE", "DELETE"], "facts": ["change.webhookObject"]},
	"description": "Fires on UPDATE or DELETE of blastwall's own ValidatingWebhookConfiguration, Deployment or config ConfigMap (named in the config's `webhook:` section; the defaults are those of webhook/deploy/) by a requester who is neither a configured admin nor an EKS system identity. Whoever can change these can switch every other check off: narrow the webhook's rules, set failurePolicy to Ignore, scale the Deployment to zero, or replace the config. Kubernetes never sends webhook configurations themselves to admission webhooks, and the shipped manifests keep the webhook's namespace out of its own reach so it can always restart: this rule therefore guards these objects in CI (`lint --base`), and at admission only where a cluster routes them to the webhook.",
	"remediation": "Change the webhook's installation through the platform team's admins (or their pipeline, listed under admins in the config).",
	"example": {
		"bad": "# before\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: blastwall-webhook, namespace: blastwall-system}\nspec: {replicas: 3}\n---\n# after, by a product team\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: blastwall-webhook, namespace: blastwall-system}\nspec: {replicas: 0}\n",
		"good": "# after, a Deployment of the team's own\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: payroll}\nspec: {replicas: 0}\n",
	},
}

verb := {"UPDATE": "changed", "DELETE": "deleted"}

deny contains {"msg": msg, "path": []} if {
	# Read directly (it is change.facts.webhookObject), and first: reviews of other
	# objects never evaluate the `change` library.
	what := input.facts.change.webhookObject
	v := verb[change.op]
	not change.privileged
	msg := sprintf("%s, part of blastwall's own admission webhook, %s by %s, who is not an admin: whoever controls the webhook can switch blastwall's other checks off for everyone", [what, v, change.who])
}

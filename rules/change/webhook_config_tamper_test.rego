package blastwall.rules.webhook_config_tamper_test

import data.blastwall.rules.webhook_config_tamper as rule

inp(op, what, admin) := {
	"review": {"operation": op},
	"facts": {"change": {"requester": {"username": "alice", "products": ["payroll"], "admin": admin, "system": false}, "webhookObject": what}},
}

test_update_by_a_non_admin_is_denied if {
	expected := {{
		"msg": "Deployment blastwall-system/blastwall-webhook, part of blastwall's own admission webhook, changed by alice (products: payroll), who is not an admin: whoever controls the webhook can switch blastwall's other checks off for everyone",
		"path": [],
	}}
	rule.deny == expected with input as inp("UPDATE", "Deployment blastwall-system/blastwall-webhook", false)
}

test_delete_by_a_non_admin_is_denied if {
	some f in rule.deny with input as inp("DELETE", "ValidatingWebhookConfiguration blastwall", false)
	startswith(f.msg, "ValidatingWebhookConfiguration blastwall, part of blastwall's own admission webhook, deleted by alice")
}

test_admins_and_creates_are_fine if {
	count(rule.deny) == 0 with input as inp("UPDATE", "Deployment blastwall-system/blastwall-webhook", true)
	count(rule.deny) == 0 with input as inp("CREATE", "Deployment blastwall-system/blastwall-webhook", false)
}

test_other_objects_are_fine if {
	count(rule.deny) == 0 with input as {"review": {"operation": "DELETE"}, "facts": {"change": {"requester": {"username": "a", "products": [], "admin": false, "system": false}}}}
}

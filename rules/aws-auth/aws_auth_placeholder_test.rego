package blastwall.rules.aws_auth_placeholder

# What the facts hold for an ARN: its parts when it has six.
parts(arn) := {"account": p[4]} if {
	p := split(arn, ":")
	count(p) == 6
} else := {}

input_for(arn, username) := {"review": {"object": {"kind": "ConfigMap"}}, "facts": {"awsAuth": {"sections": {}, "entries": [{
	"section": "mapRoles", "index": 0, "isMap": true,
	"arn": arn, "arnPath": ["data", "mapRoles", 0, "rolearn"], "arnParts": parts(arn),
	"username": username, "usernamePath": ["data", "mapRoles", 0, "username"],
	"groupItems": [],
}]}}}

test_documentation_account_is_reported if {
	some f in deny with input as input_for("arn:aws:iam::111122223333:role/x", "x:{{SessionName}}")
	f.path == ["data", "mapRoles", 0, "rolearn"]
	contains(f.msg, "documentation account 111122223333")
}

test_declared_account_is_not_a_placeholder if {
	count(deny) == 0 with input as input_for("arn:aws:iam::111122223333:role/x", "x:{{SessionName}}")
		with data.blastwall.config as {"nodeRoles": ["arn:aws:iam::111122223333:role/node"]}
}

test_configured_accounts_replace_the_defaults if {
	count(deny) == 1 with input as input_for("arn:aws:iam::210987654321:role/x", "x")
		with data.blastwall.config as {"rules": {"aws-auth-placeholder": {"params": {"accounts": ["210987654321"]}}}}
}

test_template_syntax_is_reported if {
	count(deny) == 1 with input as input_for("<ARN of instance role (not instance profile)>", "x")
	count(deny) == 1 with input as input_for("arn:aws:iam::210987654321:role/x", "${var.username}")
	count(deny) == 1 with input as input_for("arn:aws:iam::210987654321:role/x", "{{ .Values.username }}")
}

test_real_values_pass if {
	count(deny) == 0 with input as input_for("arn:aws:iam::210987654321:role/x", "team-a:{{SessionName}}")
}

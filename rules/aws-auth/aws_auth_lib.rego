# Helpers shared by the aws-auth rules. The sections are parsed in Rust, the way
# aws-iam-authenticator parses them (input.facts.awsAuth; see src/awsauth/facts.rs),
# so rules only compare strings. Every path in the facts starts at the ConfigMap and
# may continue into the embedded YAML: ["data", "mapRoles", 1, "groups", 0].
package blastwall.lib.aws_auth

facts := input.facts.awsAuth

# Every section that is present: {"name", "path", "parseError", "entries", ...}.
sections contains s if {
	some s in facts.sections
	s.present
}

# Every mapRoles and mapUsers entry: {"section", "index", "path", "arn", "arnPath",
# "arnParts", "username", "usernamePath", "groups", "groupItems", "templates",
# "fields", "keys", "node", ...}.
entries contains e if {
	some e in facts.entries
}

# Entries that are mappings (not stray scalars or lists).
mappings contains e if {
	some e in entries
	e.isMap
}

# "role arn:aws:iam::…:role/x" or "user arn:…", for messages.
who(e) := sprintf("role %s", [e.arn]) if {
	e.section == "mapRoles"
	e.arn
} else := sprintf("user %s", [e.arn]) if {
	e.arn
} else := sprintf("entry %d of %s", [e.index, e.section])

# Whether an IAM role ARN is one of the declared admin roles: the tenancy facts
# when a config is loaded, else data.blastwall.config.admins.iamRoles (exact or glob).
is_admin_role(arn) if input.facts.tenancy.owners.admins.iamRoles[arn]

is_admin_role(arn) if {
	some pattern in data.blastwall.config.admins.iamRoles
	lower(pattern) == lower(arn)
}

is_admin_role(arn) if {
	some pattern in data.blastwall.config.admins.iamRoles
	contains(pattern, "*")
	glob.match(lower(pattern), [], lower(arn))
}

# Accounts the config declares (in any IAM role ARN it names).
declared_accounts contains account if {
	some arn in config_arns
	parts := split(arn, ":")
	count(parts) >= 5
	account := parts[4]
}

config_arns contains arn if {
	some arn in data.blastwall.config.admins.iamRoles
}

config_arns contains arn if {
	some arn in data.blastwall.config.nodeRoles
}

config_arns contains arn if {
	some product in data.blastwall.config.products
	some arn in product.iamRoles
}

# Text left from another tool's template: <...>, ${...}, %{...}, {{ .X }} / {{.X}}.
# Such values are reported once, by aws-auth-placeholder, and other rules skip them.
# (String builtins rather than regexes: these run on every value of every entry.)
placeholder_text(s) if {
	i := indexof(s, "<")
	i >= 0
	indexof(substring(s, i, -1), ">") > 0
}

placeholder_text(s) if contains(s, "${")

placeholder_text(s) if contains(s, "%{")

placeholder_text(s) if {
	some marker in ["{{.", "{{ .", "{{-.", "{{- ."]
	contains(s, marker)
}

# Whether s has white space (a mis-indented list folded into one string).
has_space(s) if contains(s, " ")

has_space(s) if contains(s, "\t")

# Whether s is a 12-digit AWS account id.
account_id(s) if {
	count(s) == 12
	trim_left(s, "0123456789") == ""
}

# Groups a node mapping may carry (Linux, Windows, Fargate).
node_groups := {"system:bootstrappers", "system:nodes", "system:node-proxier", "eks:kube-proxy-windows"}

# The usernames a node mapping must have: EC2 nodes, and Fargate or hybrid nodes.
node_usernames := {"system:node:{{EC2PrivateDNSName}}", "system:node:{{SessionName}}"}

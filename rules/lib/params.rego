# Rule parameters. A rule declares its parameters and their defaults in
# `metadata.params` (and documents them in its description), and reads them with
# `params.of(metadata.id, metadata.params)`: the defaults, with whatever the config
# sets under `rules.<id>.params` on top. The config loader has already checked that
# every configured parameter is one the rule declares, with the type of its default.
#
# Only `data.blastwall.config.rules[id]` is read: referring to `data` as a whole
# would evaluate every rule. This module imports nothing (see the note in
# workload.rego).
package blastwall.lib.params

of(id, defaults) := object.union(defaults, configured) if {
	configured := data.blastwall.config.rules[id].params
	is_object(configured)
} else := defaults

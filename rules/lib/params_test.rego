package blastwall.lib.params_test

import data.blastwall.lib.params

defaults := {"capabilities": ["ALL", "SYS_ADMIN"], "strict": false}

test_defaults_without_config if {
	params.of("dangerous-capabilities", defaults) == defaults
}

test_defaults_without_params_for_the_rule if {
	params.of("dangerous-capabilities", defaults) == defaults with data.blastwall.config as {"rules": {"dangerous-capabilities": {"enforcement": {"ci": "warning"}}, "host-port": {"params": {"strict": true}}}}
}

test_configured_values_replace_defaults_one_by_one if {
	got := params.of("dangerous-capabilities", defaults) with data.blastwall.config as {"rules": {"dangerous-capabilities": {"params": {"capabilities": ["NET_RAW"]}}}}
	got == {"capabilities": ["NET_RAW"], "strict": false}
}

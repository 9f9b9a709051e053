package blastwall.rules.access_config_aws_auth_api_mode

facts(mode) := {"awsAuthAccess": {
	"cluster": "payments-prod", "mode": mode, "modeAt": "eksctl.yaml:7:23", "modeWritten": true,
	"mappings": [{"path": ["data", "mapRoles", 0], "arn": "arn:aws:iam::111122223333:role/payments-dev", "groups": ["payments-developers"]}],
}}

test_mapping_of_an_api_mode_cluster_is_reported_with_the_mode_place if {
	some f in deny with input.facts as facts("API")
	f.path == ["data", "mapRoles", 0]
	contains(f.msg, "eksctl.yaml:7:23")
}

test_mixed_mode_passes if {
	count(deny) == 0 with input.facts as facts("API_AND_CONFIG_MAP")
}

test_unknown_mode_passes if {
	count(deny) == 0 with input.facts as {"awsAuthAccess": {"cluster": "payments-prod", "mappings": [{"path": ["m"], "arn": "a", "groups": []}]}}
}

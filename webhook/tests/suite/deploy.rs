//! The install manifests keep the properties the webhook's safety depends on.

use std::collections::BTreeMap;

use blastwall_webhook::cli::Args;
use clap::Parser;
use serde_json::Value;

fn manifests() -> BTreeMap<String, Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    let loaded = blastwall::source::load::load(
        &[dir.display().to_string()],
        &blastwall::source::Limits::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
        .documents
        .iter()
        .map(|d| serde_json::to_value(&d.value).unwrap())
        .filter(|v| v["kind"] != "Kustomization")
        .map(|v| {
            (
                format!(
                    "{}/{}",
                    v["kind"].as_str().unwrap(),
                    v["metadata"]["name"].as_str().unwrap()
                ),
                v,
            )
        })
        .collect()
}

#[test]
fn webhooks_fail_closed_where_it_matters_and_never_gate_their_own_namespace() {
    let m = manifests();
    let vwc = &m["ValidatingWebhookConfiguration/blastwall"];
    assert!(vwc["metadata"]["annotations"]["cert-manager.io/inject-ca-from"].is_string());
    let webhooks = vwc["webhooks"].as_array().unwrap();
    let by_name: BTreeMap<&str, &Value> = webhooks
        .iter()
        .map(|w| (w["name"].as_str().unwrap(), w))
        .collect();
    for name in [
        "aws-auth.blastwall.dev",
        "eks-access.blastwall.dev",
        "rbac.blastwall.dev",
        "namespaces.blastwall.dev",
    ] {
        assert_eq!(by_name[name]["failurePolicy"], "Fail", "{name}");
    }
    assert!(
        by_name["aws-auth.blastwall.dev"]["matchConditions"][0]["expression"]
            .as_str()
            .unwrap()
            .contains("'aws-auth'")
    );
    let ns = &m["Namespace/blastwall-system"];
    assert_eq!(ns["metadata"]["labels"]["blastwall.dev/webhook"], "exclude");
    for w in webhooks {
        let name = w["name"].as_str().unwrap();
        assert_eq!(w["sideEffects"], "None", "{name}");
        assert_eq!(
            w["admissionReviewVersions"],
            serde_json::json!(["v1"]),
            "{name}"
        );
        assert!(w["timeoutSeconds"].as_u64().unwrap() <= 10, "{name}");
        assert_eq!(w["clientConfig"]["service"]["path"], "/validate", "{name}");
        let selector = w["namespaceSelector"].to_string();
        let excluded = selector
            .contains(r#""key":"blastwall.dev/webhook","operator":"NotIn","values":["exclude"]"#)
            || selector == r#"{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}"#;
        assert!(
            excluded,
            "{name} may gate the webhook's own namespace: {selector}"
        );
    }
}

#[test]
fn the_deployment_runs_hardened_and_answers_before_the_api_server_gives_up() {
    let m = manifests();
    let d = &m["Deployment/blastwall-webhook"];
    assert_eq!(d["spec"]["replicas"], 3);
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert!(pod["affinity"]["podAntiAffinity"].is_object());
    let c = &pod["containers"][0];
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(
        c["securityContext"]["capabilities"]["drop"],
        serde_json::json!(["ALL"])
    );
    assert!(c["readinessProbe"].is_object() && c["livenessProbe"].is_object());

    // The args are ones the binary accepts, and its deadline is below every webhook timeout.
    let mut argv = vec!["blastwall-webhook".to_string()];
    argv.extend(
        c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let args = Args::try_parse_from(&argv).unwrap();
    let vwc = &m["ValidatingWebhookConfiguration/blastwall"];
    for w in vwc["webhooks"].as_array().unwrap() {
        let limit = std::time::Duration::from_secs(w["timeoutSeconds"].as_u64().unwrap());
        assert!(
            args.timeout < limit,
            "{} times out before the webhook answers",
            w["name"]
        );
    }
    assert!(args.shutdown_grace.as_secs() < pod["terminationGracePeriodSeconds"].as_u64().unwrap());
    let pdb = &m["PodDisruptionBudget/blastwall-webhook"];
    assert_eq!(pdb["spec"]["maxUnavailable"], 1);
}

#[test]
fn rbac_allows_listing_and_watching_namespaces_and_nothing_else() {
    let m = manifests();
    let rules = &m["ClusterRole/blastwall-webhook"]["rules"];
    assert_eq!(
        rules,
        &serde_json::json!([{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]}])
    );
    assert!(!m
        .keys()
        .any(|k| k.starts_with("Role/") || k.starts_with("RoleBinding/")));
}

/// `webhook-config-tamper` guards the objects the config's `webhook:` section names;
/// its defaults are the names these manifests install.
#[test]
fn config_defaults_name_the_shipped_webhook_objects() {
    let m = manifests();
    let w = blastwall::config::WebhookObjects::default();
    let vwc = format!(
        "ValidatingWebhookConfiguration/{}",
        w.validating_webhook_configuration
    );
    assert!(m.contains_key(&vwc), "{vwc}");
    for (kind, name) in [("Deployment", &w.deployment), ("ConfigMap", &w.config_map)] {
        let object = &m[&format!("{kind}/{name}")];
        assert_eq!(
            object["metadata"]["namespace"],
            w.namespace.as_str(),
            "{kind}"
        );
    }
    assert!(m.contains_key(&format!("Namespace/{}", w.namespace)));
}

/// The change rules see what they judge: aws-auth updates and deletes, Namespace
/// updates and deletes, CRD deletes, RBAC deletes, and exec/attach/port-forward.
#[test]
fn change_rules_get_the_operations_they_judge() {
    let m = manifests();
    let webhooks = m["ValidatingWebhookConfiguration/blastwall"]["webhooks"]
        .as_array()
        .unwrap()
        .clone();
    let routed = |resource: &str, operation: &str| {
        webhooks.iter().any(|w| {
            w["rules"].as_array().unwrap().iter().any(|r| {
                let has = |field: &str, v: &str| {
                    r[field]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|x| x.as_str() == Some(v))
                };
                has("resources", resource) && has("operations", operation)
            })
        })
    };
    for (resource, operation) in [
        ("configmaps", "UPDATE"),
        ("configmaps", "DELETE"),
        ("namespaces", "UPDATE"),
        ("namespaces", "DELETE"),
        ("customresourcedefinitions", "DELETE"),
        ("rolebindings", "DELETE"),
        ("clusterroles", "DELETE"),
        ("services", "UPDATE"),
        ("pods/exec", "CONNECT"),
        ("pods/attach", "CONNECT"),
        ("pods/portforward", "CONNECT"),
    ] {
        assert!(
            routed(resource, operation),
            "{operation} {resource} never reaches the webhook"
        );
    }
}

/// Every kind whose pods blastwall checks reaches the webhook on CREATE and UPDATE:
/// the workloads webhook lists its resource under its API group (plural: the kind
/// in lowercase with an `s`). `extensions` is left out: no supported API server
/// serves workloads there any more.
#[test]
fn every_kind_with_pods_is_sent_to_the_webhook() {
    let m = manifests();
    let vwc = &m["ValidatingWebhookConfiguration/blastwall"];
    let workloads = vwc["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "workloads.blastwall.dev")
        .unwrap();
    let rules = workloads["rules"].as_array().unwrap();
    let has = |v: &Value, s: &str| v.as_array().unwrap().iter().any(|x| x == s);
    for kind in blastwall::facts::workload::KNOWN {
        let plural = format!("{}s", kind.kind.to_lowercase());
        for group in kind.groups.iter().filter(|g| **g != "extensions") {
            let covered = rules.iter().any(|r| {
                has(&r["apiGroups"], group)
                    && has(&r["resources"], &plural)
                    && has(&r["operations"], "CREATE")
                    && has(&r["operations"], "UPDATE")
            });
            assert!(
                covered,
                "{group}/{plural} ({}) is not sent to the webhook",
                kind.kind
            );
        }
    }
}

/// The periodic audit: one replica of the same binary with `--audit-interval`, out
/// of the admission Service, with a read-only ClusterRole that covers every kind the
/// built-in rules declare, and writes nothing but PolicyReports.
#[test]
fn the_audit_runs_alone_with_read_only_rbac_covering_every_rule_kind() {
    let m = manifests();
    let d = &m["Deployment/blastwall-audit"];
    assert_eq!(d["spec"]["replicas"], 1);
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "blastwall-audit");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let c = &pod["containers"][0];
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    let mut argv = vec!["blastwall-webhook".to_string()];
    argv.extend(
        c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let args = Args::try_parse_from(&argv).unwrap();
    assert!(args.audit_interval.is_some() && !args.audit_no_reports);
    // The admission Service and its disruption budget never select it.
    let labels = &d["spec"]["template"]["metadata"]["labels"];
    for selector in [
        &m["Service/blastwall-webhook"]["spec"]["selector"],
        &m["PodDisruptionBudget/blastwall-webhook"]["spec"]["selector"]["matchLabels"],
    ] {
        let selected = selector
            .as_object()
            .unwrap()
            .iter()
            .all(|(k, v)| &labels[k] == v);
        assert!(!selected, "{selector} selects the audit pod");
    }

    let rules = m["ClusterRole/blastwall-audit"]["rules"]
        .as_array()
        .unwrap();
    let mut listable = std::collections::BTreeSet::new();
    for rule in rules {
        let strings = |field: &str| -> Vec<String> {
            rule[field]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let (groups, resources, verbs) =
            (strings("apiGroups"), strings("resources"), strings("verbs"));
        assert!(
            !resources.iter().any(|r| r == "*" || r == "secrets"),
            "{rule}"
        );
        assert!(!groups.iter().any(|g| g == "*"), "{rule}");
        if groups == ["wgpolicyk8s.io"] {
            assert_eq!(resources, ["policyreports", "clusterpolicyreports"]);
            assert_eq!(verbs, ["get", "create", "patch"]);
        } else {
            assert_eq!(verbs, ["list", "watch"], "{rule}");
            listable.extend(resources);
        }
    }
    let engine = blastwall::engine::Engine::builtin().unwrap();
    // Kinds of files, not of a cluster: eksctl's ClusterConfig and the kinds
    // CloudFormation templates, Terraform files and EKS API output are reviewed under.
    let files_only = [
        "ClusterConfig",
        "CloudFormationTemplate",
        "TerraformPlan",
        "TerraformConfiguration",
        "EksAccessState",
    ];
    for kind in engine.kinds().names() {
        if files_only.contains(&kind) {
            continue;
        }
        let resource = blastwall::review::resource_for_kind(kind);
        assert!(
            listable.contains(&resource),
            "the audit cannot list {resource} ({kind})"
        );
    }
    // Bindings are judged knowing the roles they bind: the audit lists these first.
    for resource in ["roles", "clusterroles"] {
        assert!(
            listable.contains(resource),
            "the role index needs {resource}"
        );
    }
    assert_eq!(
        m["ClusterRoleBinding/blastwall-audit"]["subjects"][0]["name"],
        "blastwall-audit"
    );
}

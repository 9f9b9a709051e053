//! Exemptions at admission, over real TLS: a live config exemption turns a denial into
//! an audit record, an expired one no longer does, and an inline
//! `blastwall.dev/exempt` annotation is never honoured, even where the config lets
//! `blastwall lint` honour it.

use crate::common;

use common::*;
use serde_json::{json, Value};

const CONFIG: &str = "apiVersion: blastwall.dev/v1alpha1
kind: Config
inlineExemptions: true
sharedNamespaces: [monitoring]
sharedRegistries: [registry.example.com]
exemptions:
  - rule: privileged-container
    namespace: monitoring
    selector: {matchLabels: {app: node-agent}}
    reason: the agent loads eBPF probes
    owner: sre
    expires: 2999-12-31
  - rule: privileged-container
    namespace: monitoring
    name: old-agent
    reason: replaced by node-agent
    owner: sre
    expires: 2020-01-31
";

/// A privileged Pod in `monitoring`, labelled `app: <name>`.
fn privileged(name: &str, annotation: Option<&str>) -> Value {
    let mut pod = pod("monitoring", name, &["registry.example.com/agent:1.4.2"]);
    pod["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    if let Some(text) = annotation {
        pod["metadata"]["annotations"] = json!({"blastwall.dev/exempt": text});
    }
    pod
}

fn create(uid: &str, object: Value) -> Value {
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    admission_review(
        uid,
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "monitoring",
        &name,
        eks_user("alice", &["sre", "system:authenticated"], "sre"),
        object,
        Value::Null,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_exemptions_apply_at_admission_and_inline_ones_never_do() {
    let pki = pki("exemptions");
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), CONFIG).unwrap();
    let path = config.path().display().to_string();
    let server = start(&pki, &["--config", &path]).await;

    // Covered by a live exemption: allowed, and recorded for the audit log.
    let resp = server
        .review(&create("e-0001", privileged("node-agent", None)))
        .await;
    assert_eq!(resp["response"]["allowed"], true, "{resp:#}");
    assert!(resp["response"].get("warnings").is_none(), "{resp:#}");
    let audit = resp["response"]["auditAnnotations"]["exempted"]
        .as_str()
        .unwrap_or_else(|| panic!("no exempted audit annotation: {resp:#}"));
    assert!(audit.starts_with("[privileged-container] "), "{audit}");
    assert!(
        audit.ends_with("(exempted until 2999-12-31, owner sre: the agent loads eBPF probes)"),
        "{audit}"
    );

    // The object exempts itself: ignored at admission, whatever the config allows.
    let resp = server
        .review(&create(
            "e-0002",
            privileged("debug-agent", Some("privileged-container: we need it")),
        ))
        .await;
    assert_eq!(resp["response"]["allowed"], false, "{resp:#}");
    assert_eq!(resp["response"]["status"]["code"], 403);
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("[privileged-container]"), "{message}");
    assert!(resp["response"]["auditAnnotations"]
        .get("exempted")
        .is_none());

    // Covered only by an exemption past its date: denied again.
    let resp = server
        .review(&create("e-0003", privileged("old-agent", None)))
        .await;
    assert_eq!(resp["response"]["allowed"], false, "{resp:#}");
    assert!(resp["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("[privileged-container]"));

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_rule_id_in_the_config_stops_the_server_from_starting() {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki("bad-config");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), &pki.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &pki.key_pem).unwrap();
    let config = dir.path().join("c.yaml");
    std::fs::write(
        &config,
        CONFIG.replace(
            "  - rule: privileged-container\n    namespace: monitoring\n    name:",
            "  - rule: privileged-containers\n    namespace: monitoring\n    name:",
        ),
    )
    .unwrap();
    let args = <blastwall_webhook::cli::Args as clap::Parser>::try_parse_from([
        "blastwall-webhook",
        "--tls-cert",
        dir.path().join("tls.crt").to_str().unwrap(),
        "--tls-key",
        dir.path().join("tls.key").to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
        "--no-kube",
        "--config",
        config.to_str().unwrap(),
    ])
    .unwrap();
    let err = blastwall_webhook::run(args, std::future::pending(), |_| {})
        .await
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("unknown rule `privileged-containers`"),
        "{text}"
    );
    assert!(text.contains("c.yaml:13:11"), "{text}");
}

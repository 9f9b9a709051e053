//! A Gatekeeper constraint at admission, over real TLS: gatekeeper-library's
//! `psp-privileged-container` denies the same AdmissionReview that `blastwall
//! review` denies (tests/suite/gatekeeper.rs), and a `namespaceSelector` reads the
//! Namespace's labels from the webhook's Namespace cache.

use crate::common;

use common::*;
use serde_json::Value;

const PRIVILEGED: &str =
    "fixtures/gatekeeper-library/library/pod-security-policy/privileged-containers";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gatekeeper_constraint_denies_at_admission() {
    let pki = pki("gatekeeper");
    let rules = repo().join(PRIVILEGED).display().to_string();
    let server = start(&pki, &["--rules", &rules]).await;
    let review: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/gatekeeper/privileged-pod-review.json"))
            .unwrap(),
    )
    .unwrap();
    let resp = server.review(&review).await;
    assert_eq!(resp["response"]["allowed"], false, "{resp:#}");
    assert_eq!(resp["response"]["status"]["code"], 403);
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "[K8sPSPPrivilegedContainer/psp-privileged-container] Privileged container is not allowed: api, securityContext: {\"privileged\": true}"
        ),
        "{message}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_selector_reads_the_namespace_cache() {
    let pki = pki("gatekeeper-ns");
    let dir = tempfile::tempdir().unwrap();
    let template = std::fs::read_to_string(repo().join(PRIVILEGED).join("template.yaml")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    std::fs::write(
        dir.path().join("constraint.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPSPPrivilegedContainer
metadata:
  name: restricted-namespaces
spec:
  enforcementAction: warn
  match:
    kinds: [{apiGroups: [\"\"], kinds: [Pod]}]
    namespaceSelector:
      matchLabels: {pod-security: restricted}
",
    )
    .unwrap();
    let namespaces = dir.path().join("namespaces.json");
    std::fs::write(
        &namespaces,
        r#"{"payroll": {"pod-security": "restricted"}, "lab": {}}"#,
    )
    .unwrap();
    let rules = dir.path().display().to_string();
    let ns_file = namespaces.display().to_string();
    let server = start(&pki, &["--rules", &rules, "--namespaces-file", &ns_file]).await;
    let review: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/gatekeeper/privileged-pod-review.json"))
            .unwrap(),
    )
    .unwrap();
    let resp = server.review(&review).await;
    let warnings = resp["response"]["warnings"].to_string();
    assert!(
        warnings.contains("[K8sPSPPrivilegedContainer/restricted-namespaces] Privileged container"),
        "{resp:#}"
    );

    // The same Pod in a Namespace without the label is not matched.
    let mut lab = review.clone();
    lab["request"]["namespace"] = "lab".into();
    lab["request"]["object"]["metadata"]["namespace"] = "lab".into();
    let resp = server.review(&lab).await;
    assert!(
        !resp["response"]
            .to_string()
            .contains("restricted-namespaces"),
        "{resp:#}"
    );
    server.stop().await;
}

//! The real server over real TLS: AdmissionReviews as the API server sends them.

use crate::common;

use common::*;
use serde_json::{json, Value};

fn warnings(resp: &Value) -> Vec<String> {
    resp["response"]["warnings"]
        .as_array()
        .map(|a| a.iter().map(|w| w.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_of_every_operation_are_answered_with_their_uid() {
    let pki = pki("ops");
    let ns_file = tempfile::NamedTempFile::new().unwrap();
    // `ledger` is billing's by label only: no config glob names it.
    std::fs::write(
        ns_file.path(),
        r#"{"ledger": {"blastwall.dev/product": "billing"}}"#,
    )
    .unwrap();
    let config = config_path();
    let ns = ns_file.path().display().to_string();
    let server = start(&pki, &["--config", &config, "--namespaces-file", &ns]).await;
    let dev = eks_user(
        "alice",
        &["payroll:dev", "system:authenticated"],
        "payroll-dev",
    );

    // CREATE of a payroll Pod running a billing image: denied, and the untracked
    // registry is a warning.
    let review = admission_review(
        "b6b5e4a2-0001-4c5e-9b1a-000000000001",
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "payroll-api",
        "reconcile",
        dev.clone(),
        pod("payroll-api", "reconcile", &[BILLING_IMAGE, "busybox:1.36"]),
        Value::Null,
    );
    let resp = server.review(&review).await;
    assert_eq!(resp["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(resp["kind"], "AdmissionReview");
    assert_eq!(
        resp["response"]["uid"],
        "b6b5e4a2-0001-4c5e-9b1a-000000000001"
    );
    assert_eq!(resp["response"]["allowed"], false);
    assert_eq!(resp["response"]["status"]["code"], 403);
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("[cross-product-image]"), "{message}");
    assert!(message.contains("billing/close-books"), "{message}");
    let w = warnings(&resp);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("busybox:1.36"), "{w:?}");

    // UPDATE to the product's own image: allowed, no warnings.
    let review = admission_review(
        "b6b5e4a2-0002-4c5e-9b1a-000000000002",
        "UPDATE",
        ("apps", "v1", "Deployment"),
        "deployments",
        None,
        "payroll-api",
        "api",
        dev.clone(),
        deployment("payroll-api", "api", PAYROLL_IMAGE),
        deployment("payroll-api", "api", BILLING_IMAGE),
    );
    let resp = server.review(&review).await;
    assert_eq!(
        resp["response"]["uid"],
        "b6b5e4a2-0002-4c5e-9b1a-000000000002"
    );
    assert_eq!(
        resp["response"],
        json!({"uid": "b6b5e4a2-0002-4c5e-9b1a-000000000002", "allowed": true})
    );

    // The namespace's owner comes from the Namespace label (the cache): a payroll
    // image in billing's `ledger` namespace is denied.
    let review = admission_review(
        "b6b5e4a2-0003-4c5e-9b1a-000000000003",
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "ledger",
        "sync",
        eks_user("bob", &["billing:dev"], "billing-dev"),
        pod("ledger", "sync", &[PAYROLL_IMAGE]),
        Value::Null,
    );
    let resp = server.review(&review).await;
    assert_eq!(resp["response"]["allowed"], false, "{resp}");
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("label blastwall.dev/product on Namespace ledger"),
        "{message}"
    );

    // DELETE: object is null, oldObject is the Pod; rules stay silent.
    let review = admission_review(
        "b6b5e4a2-0004-4c5e-9b1a-000000000004",
        "DELETE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "payroll-api",
        "reconcile",
        dev.clone(),
        Value::Null,
        pod("payroll-api", "reconcile", &[BILLING_IMAGE]),
    );
    let resp = server.review(&review).await;
    assert_eq!(resp["response"]["allowed"], true, "{resp}");
    assert_eq!(
        resp["response"]["uid"],
        "b6b5e4a2-0004-4c5e-9b1a-000000000004"
    );

    // CONNECT pods/exec: the object is PodExecOptions.
    let exec = json!({"kind": "PodExecOptions", "apiVersion": "v1", "stdin": true, "stdout": true,
                      "tty": true, "container": "c0", "command": ["sh"]});
    let review = admission_review(
        "b6b5e4a2-0005-4c5e-9b1a-000000000005",
        "CONNECT",
        ("", "v1", "PodExecOptions"),
        "pods",
        Some("exec"),
        "payroll-api",
        "reconcile",
        dev.clone(),
        exec,
        Value::Null,
    );
    let resp = server.review(&review).await;
    assert_eq!(
        resp["response"]["uid"],
        "b6b5e4a2-0005-4c5e-9b1a-000000000005"
    );
    assert_eq!(resp["response"]["allowed"], true, "{resp}");

    // Decisions are counted by kind and decision.
    let (status, metrics) = server.ops("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"blastwall_webhook_requests_total{decision="deny",kind="v1/Pod"} 2"#),
        "{metrics}"
    );
    assert!(metrics.contains(
        r#"blastwall_webhook_requests_total{decision="allow",kind="apps/v1/Deployment"} 1"#
    ));
    assert!(metrics.contains("blastwall_webhook_certificate_expiry_seconds"));
    let (status, ready) = server.ops("/readyz").await;
    assert_eq!(
        (status, ready.contains("[+] namespace cache synced")),
        (200, true)
    );
    assert_eq!(server.ops("/healthz").await.0, 200);
    server.stop().await;
}

fn deployment(namespace: &str, name: &str, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "generation": 3},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [container(name, image)]}}}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_clear_400_and_huge_ones_413() {
    let pki = pki("bad");
    let server = start(&pki, &["--max-body-bytes", "4000000"]).await;

    let (status, text) = server
        .post("{\"apiVersion\": \"admission.k8s.io/v1\",")
        .await;
    assert_eq!(status, 400);
    assert!(
        text.contains("not a valid AdmissionReview") && text.contains("line 1"),
        "{text}"
    );

    let (status, text) = server
        .post(r#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}"#)
        .await;
    assert_eq!(status, 400);
    assert!(text.contains("admission.k8s.io/v1beta1"), "{text}");

    let (status, text) = server
        .post(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}"#)
        .await;
    assert_eq!(
        (status, text.trim()),
        (400, "request.uid is missing or empty")
    );

    // An UPDATE of a ~1.5 MB object (object + oldObject ≈ 3 MB) fits.
    let big = "x".repeat(1_500_000);
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "big", "namespace": "payroll"}, "data": {"blob": big}});
    let review = admission_review(
        "c0ffee00-0000-0000-0000-000000000001",
        "UPDATE",
        ("", "v1", "ConfigMap"),
        "configmaps",
        None,
        "payroll",
        "big",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        cm.clone(),
        cm.clone(),
    );
    let resp = server.review(&review).await;
    assert_eq!(resp["response"]["allowed"], true);

    let (_, metrics) = server.ops("/metrics").await;
    assert!(
        metrics.contains(r#"blastwall_webhook_requests_total{decision="invalid",kind=""} 3"#),
        "{metrics}"
    );
    server.stop().await;

    // Past the limit: 413. (A small limit, so the whole body fits the loopback
    // buffers and the client reads the answer rather than a reset.)
    let small = start(&pki, &["--max-body-bytes", "65536"]).await;
    cm["data"]["blob"] = json!("y".repeat(100_000));
    let review = admission_review(
        "c0ffee00-0000-0000-0000-000000000002",
        "UPDATE",
        ("", "v1", "ConfigMap"),
        "configmaps",
        None,
        "payroll",
        "big",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        cm,
        Value::Null,
    );
    // The server answers before reading the body and closes: a client still
    // writing may see the close (broken pipe) before the answer. Whatever it reads
    // is a 413, and within a few tries it reads one.
    let body = serde_json::to_vec(&review).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        match small
            .client
            .try_post(small.bound.admission, body.clone().into())
            .await
        {
            Ok((status, _)) => {
                statuses.push(status);
                break;
            }
            Err(e) => assert!(e.contains("BrokenPipe") || e.contains("reset"), "{e}"),
        }
    }
    assert_eq!(statuses, [413]);
    small.stop().await;
}

/// A rule that never finishes is cut off at the deadline and the request answered
/// by the failure mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_rule_is_cut_off_and_the_failure_mode_answers() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("slow.rego"),
        r#"package blastwall.rules.slow_rule

metadata := {"id": "slow-rule", "title": "Slow", "severity": "error", "category": "test",
  "description": "Loops for a very long time.", "remediation": "None."}

deny contains {"msg": "counted"} if {
	input.review.object.kind == "Pod"
	r := numbers.range(1, 3000)
	count([1 | some a in r; some b in r; some c in r; a + b + c < 0]) == 0
}
"#,
    )
    .unwrap();
    let dir = rules.path().display().to_string();
    let pki = pki("slow");
    for (mode, allowed) in [("allow", true), ("deny", false)] {
        let server = start(
            &pki,
            &[
                "--rules",
                &dir,
                "--timeout",
                "300ms",
                "--failure-mode",
                mode,
            ],
        )
        .await;
        let review = payroll_pod_review("5107-0001");
        let started = std::time::Instant::now();
        let resp = server.review(&review).await;
        // Generous: the point is that it does not run for the rule's full length.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(resp["response"]["uid"], "5107-0001");
        assert_eq!(resp["response"]["allowed"], allowed, "{resp}");
        if allowed {
            assert!(warnings(&resp)[0].contains("allowed by failure mode"));
        } else {
            assert_eq!(resp["response"]["status"]["code"], 500);
        }
        let (_, metrics) = server.ops("/metrics").await;
        assert!(
            metrics.contains("blastwall_webhook_evaluation_errors_total"),
            "{metrics}"
        );
        server.stop().await;
    }
}

//! The log line of every review, from the real binary: one JSON object per line
//! with the documented fields in their order, and none when the log filter leaves
//! the server's INFO events out.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::Value;

fn privileged_pod() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/admission/privileged-pod.json"
    );
    std::fs::read_to_string(path).unwrap()
}

/// The review lines (`"message":"review"`) of a process's log, parsed.
fn review_lines(log: &str) -> Vec<(String, Value)> {
    log.lines()
        .filter(|l| l.contains(r#""message":"review""#))
        .map(|l| (l.to_string(), serde_json::from_str(l).unwrap()))
        .collect()
}

/// The whole log of the real binary (started with the tenancy config and `flags`)
/// that answered one review of a privileged Pod and then stopped on SIGTERM.
async fn log_of_one_review(name: &str, flags: &[&str]) -> String {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki(name);
    let config = config_path();
    let mut args = vec!["--config", config.as_str()];
    args.extend_from_slice(flags);
    let mut server = Process::spawn(&pki, &args);
    let client = Https::trusting(&[&pki.ca_pem]);
    let (status, body) = client.post(server.admission, privileged_pod().into()).await;
    assert_eq!(status, 200, "{body}");
    server.sigterm();
    server.exit("after SIGTERM").await;
    server.log(Duration::from_millis(500))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_review_writes_one_json_line_with_its_decision() {
    let log = log_of_one_review("logs", &[]).await;
    let lines = review_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    let (text, line) = &lines[0];
    let keys: Vec<&str> = line
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    // serde_json's map sorts keys: check the order on the text itself.
    let order = [
        "timestamp",
        "level",
        "message",
        "uid",
        "operation",
        "kind",
        "sub_resource",
        "namespace",
        "name",
        "user",
        "dry_run",
        "decision",
        "rules",
        "exempted",
        "duration_ms",
        "target",
    ];
    let mut expected = order.to_vec();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "{text}");
    let at: Vec<usize> = order
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.starts_with(r#"{"timestamp":""#) && text.ends_with('}'),
        "{text}"
    );
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(line["operation"], "CREATE");
    assert_eq!(line["kind"], "v1/Pod");
    assert_eq!(line["namespace"], "payroll");
    assert_eq!(line["name"], "debug");
    assert_eq!(line["user"], "alice");
    assert_eq!(line["dry_run"], false);
    assert_eq!(line["decision"], "deny");
    assert_eq!(
        line["rules"],
        "cross-product-image,missing-resource-limits,privileged-container,run-as-root"
    );
    assert_eq!(line["exempted"], "");
    assert!(line["duration_ms"].as_f64().unwrap() > 0.0, "{text}");
    assert_eq!(line["target"], "blastwall_webhook::server");
    // UTC, microseconds.
    let timestamp = line["timestamp"].as_str().unwrap();
    assert_eq!(
        timestamp.len(),
        "2026-12-06T17:57:39.261358Z".len(),
        "{timestamp}"
    );
    assert!(timestamp.ends_with('Z') && timestamp.as_bytes()[10] == b'T');
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_review_line_when_the_filter_leaves_it_out() {
    // The start-up line (INFO of `blastwall_webhook`) stays: the test reads its address.
    let filter = "info,blastwall_webhook::server=warn";
    let log = log_of_one_review("logs-warn", &["--log-level", filter]).await;
    assert!(review_lines(&log).is_empty(), "{log}");
    assert!(log.contains("blastwall-webhook listening"), "{log}");
}

//! A Secret under review never leaks: the real binary, logging at debug level, with
//! a rule that quotes the Secret's values in its messages, is sent Secret CREATE,
//! UPDATE and DELETE reviews and a truncated body holding a Secret; every response,
//! the metrics page and every log line up to exit are searched for the values.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// The raw values, and what the base64 `data` values decode to.
const SECRETS: [&str; 5] = [
    "U1VQRVJTRUNSRVQtREFUQS03MzE5",
    "SUPERSECRET-DATA-7319",
    "SUPERSECRET-STRING-4482",
    "SUPERSECRET-OLD-1177",
    "SUPERSECRET-TRUNCATED-6060",
];

/// A user rule that quotes the Secret's values (new, decoded and old) in its message.
const QUOTING_RULE: &str = r#"package blastwall.rules.leaky

metadata := {"id": "leaky", "title": "Leaky", "severity": "error", "category": "test",
  "description": "Quotes secret values.", "remediation": "None.", "kinds": ["Secret"]}

# The object under review: the new one, or on DELETE the old one.
obj := input.review.object if is_object(input.review.object) else := input.review.oldObject

old_strings := input.review.oldObject.stringData if is_object(input.review.oldObject) else := {}

deny contains {"msg": msg, "path": ["stringData", "api-key"]} if {
	obj.kind == "Secret"
	msg := sprintf("key %v, password %v, decoded %v, old %v", [
		object.get(obj, ["stringData", "api-key"], ""),
		object.get(obj, ["data", "password"], ""),
		base64.decode(object.get(obj, ["data", "password"], "")),
		old_strings,
	])
}
"#;

fn secret(data: &str, string: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "payroll"},
        "type": "Opaque",
        "data": {"password": data},
        "stringData": {"api-key": string}
    })
}

fn review(uid: &str, operation: &str, object: Value, old: Value) -> Value {
    admission_review(
        uid,
        operation,
        ("", "v1", "Secret"),
        "secrets",
        None,
        "payroll",
        "db",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        object,
        old,
    )
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_reach_no_response_metric_or_log_line() {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki("secrets");
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(rules.path().join("leaky.rego"), QUOTING_RULE).unwrap();
    let rules = rules.path().display().to_string();
    let config = config_path();
    let mut server = Process::spawn(
        &pki,
        &[
            "--log-level",
            "debug",
            "--rules",
            &rules,
            "--config",
            &config,
        ],
    );
    let (admission, ops) = (server.admission, server.ops);
    let client = Https::trusting(&[&pki.ca_pem]);

    let new = secret(SECRETS[0], SECRETS[2]);
    let old = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "payroll"},
        "stringData": {"api-key": SECRETS[3]}
    });
    let reviews = [
        review("sec-create", "CREATE", new.clone(), Value::Null),
        review("sec-update", "UPDATE", new.clone(), old.clone()),
        review("sec-delete", "DELETE", Value::Null, new),
    ];
    for r in &reviews {
        let (status, body) = client
            .post(admission, serde_json::to_vec(r).unwrap().into())
            .await;
        assert_eq!(status, 200, "{body}");
        let response: Value = serde_json::from_str(&body).unwrap();
        // The rule fired, so there was a message to leak into.
        assert_eq!(response["response"]["allowed"], false, "{body}");
        assert!(body.contains("leaky"), "{body}");
        assert!(body.contains("<redacted>"), "{body}");
        assert_no_secret("response", &body);
    }

    // A body cut off inside a Secret: a 400 that quotes none of it.
    let mut truncated = serde_json::to_string(&review(
        "sec-cut",
        "CREATE",
        secret("eA==", SECRETS[4]),
        Value::Null,
    ))
    .unwrap();
    let cut = truncated.find(SECRETS[4]).unwrap() + SECRETS[4].len();
    truncated.truncate(cut);
    let (status, body) = client.post(admission, truncated.into()).await;
    assert_eq!(status, 400, "{body}");
    assert_no_secret("400 response", &body);

    let (status, metrics) = plain_get(ops, "/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("Secret"), "{metrics}");
    assert_no_secret("metrics", &metrics);

    // Stop it and read every line it wrote.
    server.sigterm();
    server.exit("after SIGTERM").await;
    let log = server.log(Duration::from_millis(500));
    // The decisions were logged (so there were lines to leak into).
    for uid in ["sec-create", "sec-update", "sec-delete"] {
        assert!(log.contains(uid), "no decision line for {uid}:\n{log}");
    }
    assert_no_secret("log", &log);
}

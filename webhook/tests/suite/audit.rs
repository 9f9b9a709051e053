//! The periodic audit of the real binary (`--audit-interval`) against a stand-in API
//! server: it lists, judges, applies PolicyReports by server-side apply and exports
//! `blastwall_audit_*` metrics.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::common::*;

/// (method, path and query, content type, body) of every request.
type Log = Arc<Mutex<Vec<(String, String, String, String)>>>;

fn ok(body: Value) -> Response {
    ([("content-type", "application/json")], body.to_string()).into_response()
}

async fn api(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    log.lock().unwrap().push((
        method.to_string(),
        uri.path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    ));
    if method == Method::PATCH {
        // Server-side apply answers with the object applied.
        return ok(serde_json::from_slice(&body).unwrap_or(Value::Null));
    }
    let watching = uri.query().unwrap_or_default().contains("watch=true");
    match path.as_str() {
        "/api" => ok(json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})),
        "/apis" => ok(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})),
        "/api/v1" => ok(json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get", "list", "watch"]},
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list", "watch"]}
        ]})),
        "/api/v1/namespaces" if watching => {
            // A watch with nothing to say, open until the server stops.
            let stream = futures::stream::pending::<Result<Bytes, std::convert::Infallible>>();
            ([("content-type", "application/json")], Body::from_stream(stream)).into_response()
        }
        "/api/v1/namespaces" => ok(json!({"kind": "NamespaceList", "apiVersion": "v1",
            "metadata": {"resourceVersion": "7"},
            "items": [{"metadata": {"name": "payroll", "uid": "uid-payroll", "resourceVersion": "5",
                                    "labels": {"blastwall.dev/product": "payroll"}}}]})),
        "/api/v1/pods" => ok(json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "7"},
            "items": [{"metadata": {"name": "debug", "namespace": "payroll", "uid": "uid-debug"},
                       "spec": {"containers": [{"name": "c", "image": PAYROLL_IMAGE,
                                                "securityContext": {"privileged": true}}]}}]})),
        _ => (
            axum::http::StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}).to_string(),
        )
            .into_response(),
    }
}

fn metric(metrics: &str, line_start: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(line_start)?.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_audit_applies_policyreports_and_exports_its_metrics() {
    let log: Log = Arc::default();
    let app = axum::Router::new().fallback(api).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster: {{server: \"http://{api_addr}\"}}\nusers:\n- name: audit\n  user: {{}}\ncontexts:\n- name: stand-in\n  context: {{cluster: stand-in, user: audit}}\ncurrent-context: stand-in\n"),
    )
    .unwrap();

    let pki = pki("audit");
    let config = config_path();
    let server = Process::spawn_with(
        &pki,
        &[
            "--config",
            &config,
            "--audit-interval",
            "1m",
            "--audit-qps",
            "0",
        ],
        Some(&kubeconfig),
    );
    let mut metrics = String::new();
    for _ in 0..600 {
        let (_, text) = plain_get(server.ops, "/metrics").await;
        if metric(&text, "blastwall_audit_runs_total{result=\"complete\"}") == Some(1.0) {
            metrics = text;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!metrics.is_empty(), "no audit finished within a minute");
    assert_eq!(
        metric(
            &metrics,
            "blastwall_audit_findings{rule=\"privileged-container\",severity=\"error\",namespace=\"payroll\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "blastwall_audit_objects"),
        Some(2.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "blastwall_audit_incomplete"),
        Some(0.0),
        "{metrics}"
    );
    assert!(metric(&metrics, "blastwall_audit_last_run_timestamp_seconds").unwrap() > 1.7e9);
    assert!(metric(&metrics, "blastwall_audit_duration_seconds").unwrap() > 0.0);
    assert!(metrics.trim_end().ends_with("# EOF"), "{metrics}");

    // The reports are applied once the metrics are out: wait for both.
    let mut patches = Vec::new();
    for _ in 0..100 {
        patches = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _, _, _)| m == "PATCH")
            .cloned()
            .collect();
        if patches.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let paths: Vec<&str> = patches.iter().map(|(_, p, _, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/apis/wgpolicyk8s.io/v1alpha2/namespaces/payroll/policyreports/blastwall?&force=true&fieldManager=blastwall",
            "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/blastwall?&force=true&fieldManager=blastwall",
        ]
    );
    for (_, _, content_type, _) in &patches {
        assert_eq!(content_type, "application/apply-patch+yaml");
    }
    let report: Value = serde_json::from_str(&patches[0].3).unwrap();
    assert_eq!(report["kind"], "PolicyReport");
    assert_eq!(report["summary"]["fail"], 1);
    let results = report["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["policy"] == "privileged-container" && r["result"] == "fail"),
        "{report}"
    );
    // Nothing else was ever written.
    let writes: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, _, _, _)| m != "GET")
        .map(|(m, p, _, _)| format!("{m} {p}"))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
}

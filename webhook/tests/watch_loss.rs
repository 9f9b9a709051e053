//! The webhook loses its API server: it keeps deciding from the Namespace cache it
//! has, stays ready, and reports the cache's age and the failing watch.
//!
//! Alone in its file: it points `KUBECONFIG` (process-wide) at a stand-in API server.

mod common;

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;
use blastwall::facts::tenancy::PRODUCT_LABEL;
use common::*;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Cut when the test says so: open watches end and the server stops listening.
#[derive(Clone)]
struct Api {
    cut: watch::Receiver<bool>,
}

fn list() -> Value {
    json!({
        "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "100"},
        "items": [{
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"name": "ledger", "uid": "uid-ledger", "resourceVersion": "90",
                         "labels": {PRODUCT_LABEL: "billing"}}
        }]
    })
}

async fn namespaces(State(api): State<Api>, uri: Uri) -> axum::response::Response {
    let watching = uri.query().unwrap_or_default().contains("watch=true");
    if !watching {
        return ([("content-type", "application/json")], list().to_string()).into_response();
    }
    // A watch with nothing to say, open until the cut.
    let mut cut = api.cut.clone();
    let stream = futures::stream::once(async move {
        let _ = cut.wait_for(|c| *c).await;
        Ok::<Bytes, std::convert::Infallible>(Bytes::new())
    });
    (
        [("content-type", "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

fn review(uid: &str) -> Value {
    // A payroll image in `ledger`, which only the Namespace's label makes billing's.
    admission_review(
        uid,
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "ledger",
        "p",
        eks_user("alice", &["billing:dev"], "billing-dev"),
        pod("ledger", "p", &[PAYROLL_IMAGE]),
        Value::Null,
    )
}

fn gauge(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(-1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_api_server_keeps_serving_from_the_cache_and_reports_its_age() {
    blastwall_webhook::tls::install_crypto_provider();
    let (cut_tx, cut_rx) = watch::channel(false);
    let app = axum::Router::new()
        .route("/api/v1/namespaces", axum::routing::get(namespaces))
        .with_state(Api {
            cut: cut_rx.clone(),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_addr = listener.local_addr().unwrap();
    let mut stop = cut_rx.clone();
    let api = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|c| *c).await;
            })
            .await
    });

    let kubeconfig = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        kubeconfig.path(),
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster: {{server: \"http://{api_addr}\"}}\nusers:\n- name: webhook\n  user: {{}}\ncontexts:\n- name: stand-in\n  context: {{cluster: stand-in, user: webhook}}\ncurrent-context: stand-in\n"
        ),
    )
    .unwrap();
    // SAFETY: the only test in this binary; set before anything reads it.
    unsafe { std::env::set_var("KUBECONFIG", kubeconfig.path()) };

    let pki = pki("watch");
    let config = config_path();
    let server = start_with_kube(
        &pki,
        &["--config", &config, "--namespace-probe-interval", "200ms"],
    )
    .await;

    // Synced: `ledger` is billing's, so a payroll image there is denied.
    let mut synced = false;
    for _ in 0..100 {
        let (code, _) = server.ops("/readyz").await;
        if code == 200 {
            synced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(synced, "never ready");
    let resp = server.review(&review("before")).await;
    assert_eq!(resp["response"]["allowed"], false, "{resp}");
    let (_, metrics) = server.ops("/metrics").await;
    assert_eq!(
        gauge(&metrics, "blastwall_webhook_namespace_watch_failing"),
        0.0,
        "{metrics}"
    );

    // The API server goes away: the watch ends, reconnections and probes fail.
    cut_tx.send(true).unwrap();
    api.await.unwrap().unwrap();
    let mut failing = String::new();
    for _ in 0..100 {
        let (_, metrics) = server.ops("/metrics").await;
        if gauge(&metrics, "blastwall_webhook_namespace_watch_failing") == 1.0
            && gauge(&metrics, "blastwall_webhook_namespace_cache_age_seconds") >= 1.0
        {
            failing = metrics;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !failing.is_empty(),
        "the lost API server never showed in the metrics"
    );
    assert!(
        gauge(&failing, "blastwall_webhook_namespace_watch_errors_total") >= 1.0,
        "{failing}"
    );

    // Still ready, still deciding from what it knew, and saying how old that is.
    let (code, body) = server.ops("/readyz").await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("API server not reachable"), "{body}");
    let resp = server.review(&review("after")).await;
    assert_eq!(resp["response"]["uid"], "after");
    assert_eq!(resp["response"]["allowed"], false, "{resp}");
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("label blastwall.dev/product on Namespace ledger"),
        "{message}"
    );
    server.stop().await;
}

/// [`start`] without `--no-kube`: the server finds its API server via KUBECONFIG.
async fn start_with_kube(pki: &Pki, extra: &[&str]) -> Server {
    start_args(pki, extra, false).await
}

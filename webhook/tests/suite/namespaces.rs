//! The Namespace reflector against a stand-in API server that speaks the real
//! list/watch protocol (metadata-only), including a watch that breaks and resumes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::Uri;
use axum::response::IntoResponse;
use blastwall::facts::tenancy::{NamespaceLookup, PRODUCT_LABEL};
use blastwall_webhook::namespaces::NamespaceCache;
use serde_json::{json, Value};

#[derive(Default)]
struct Api {
    /// (query, accept) of every request, in order.
    requests: Mutex<Vec<(BTreeMap<String, String>, String)>>,
    watches: Mutex<u32>,
}

fn meta(name: &str, rv: u32, labels: Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"name": name, "uid": format!("uid-{name}"), "resourceVersion": rv.to_string(),
                     "creationTimestamp": "2026-11-01T00:00:00Z", "labels": labels}
    })
}

fn event(kind: &str, object: Value) -> Bytes {
    let mut line = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap();
    line.push(b'\n');
    Bytes::from(line)
}

async fn namespaces(
    State(api): State<Arc<Api>>,
    uri: Uri,
    headers: HeaderMap,
) -> axum::response::Response {
    let query: BTreeMap<String, String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    api.requests.lock().unwrap().push((query.clone(), accept));
    let watch = matches!(query.get("watch").map(String::as_str), Some("true" | "1"));
    if !watch {
        let list = json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "100"},
            "items": [
                meta("payroll", 90, json!({PRODUCT_LABEL: "payroll"})),
                meta("kube-system", 5, json!({"kubernetes.io/metadata.name": "kube-system"})),
            ]
        });
        return ([("content-type", "application/json")], list.to_string()).into_response();
    }
    let n = {
        let mut w = api.watches.lock().unwrap();
        *w += 1;
        *w
    };
    let events: Vec<Result<Bytes, std::convert::Infallible>> = match n {
        // The first watch delivers one event, then the connection ends.
        1 => vec![Ok(event(
            "ADDED",
            meta("billing-new", 101, json!({PRODUCT_LABEL: "billing"})),
        ))],
        // The resumed watch delivers a label change and stays open.
        _ => vec![Ok(event(
            "MODIFIED",
            meta(
                "payroll",
                102,
                json!({PRODUCT_LABEL: "payroll", "team": "payments"}),
            ),
        ))],
    };
    let stream = futures::stream::iter(events);
    let body = if n == 1 {
        Body::from_stream(stream)
    } else {
        Body::from_stream(futures::StreamExt::chain(
            stream,
            futures::stream::pending(),
        ))
    };
    ([("content-type", "application/json")], body).into_response()
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_lists_watches_and_resumes_a_broken_watch() {
    blastwall_webhook::tls::install_crypto_provider();
    let api = Arc::new(Api::default());
    let app = axum::Router::new()
        .route("/api/v1/namespaces", axum::routing::get(namespaces))
        .with_state(Arc::clone(&api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let (cache, driver) = NamespaceCache::watch(client, Duration::from_secs(30));
    assert!(!cache.is_synced());
    let task = tokio::spawn(driver);

    until("the first list is in", || cache.is_synced()).await;
    assert_eq!(
        cache.label("payroll", PRODUCT_LABEL).as_deref(),
        Some("payroll")
    );
    assert_eq!(cache.label("nope", PRODUCT_LABEL), None);

    until("the watched Namespace appears", || {
        cache.label("billing-new", PRODUCT_LABEL).as_deref() == Some("billing")
    })
    .await;
    until("the change from the resumed watch lands", || {
        cache.label("payroll", "team").as_deref() == Some("payments")
    })
    .await;
    assert_eq!(cache.len(), 3);
    assert!(cache.age_seconds() < 60.0);

    let requests = api.requests.lock().unwrap().clone();
    let watches: Vec<_> = requests
        .iter()
        .filter(|(q, _)| q.get("watch").is_some())
        .collect();
    assert!(watches.len() >= 2, "{requests:?}");
    // Resumed where the broken watch left off, not from scratch.
    assert_eq!(
        watches[0].0.get("resourceVersion").map(String::as_str),
        Some("100")
    );
    assert_eq!(
        watches[1].0.get("resourceVersion").map(String::as_str),
        Some("101")
    );
    // Only metadata is asked for, never whole objects.
    assert!(
        requests
            .iter()
            .all(|(_, accept)| accept.contains("as=PartialObjectMetadata")),
        "{requests:?}"
    );
    task.abort();
}

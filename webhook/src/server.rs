//! The HTTPS admission endpoint and the plain-HTTP health and metrics endpoints.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request as HttpRequest, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use blastwall::admission::{self, AdmissionError, Decision, Enforcements, Request};
use blastwall::engine::Engine;
use blastwall::facts::Context;
use tokio::sync::oneshot;
use tower_http::limit::RequestBodyLimitLayer;

use crate::evaluators::Evaluators;
use crate::metrics::Metrics;
use crate::namespaces::NamespaceCache;

/// Everything a review needs, shared by all requests.
pub struct Shared {
    pub engine: Engine,
    pub facts: Context,
    pub enforcements: Enforcements,
    pub namespaces: Arc<NamespaceCache>,
    pub metrics: Arc<Metrics>,
    /// Per-request deadline, from receipt of the body to the answer.
    pub deadline: Duration,
    /// How long the body may take to arrive once the headers are in.
    pub body_read_timeout: Duration,
    /// Failure mode: allow (true) or deny when the rules cannot answer.
    pub fail_open: bool,
    /// The threads reviews are decoded and evaluated on, one per evaluation slot.
    pub evaluators: Evaluators,
    /// Answer a fixed allowed response without evaluating (load-test baseline).
    pub fixed_response: bool,
    /// False once shutdown has begun, so readiness fails while requests drain.
    pub serving: AtomicBool,
    pub config_loaded: bool,
    /// `notAfter` of the serving certificate (Unix seconds).
    pub cert_not_after: Arc<std::sync::atomic::AtomicI64>,
}

/// The TLS port's routes: `POST /validate`.
pub fn admission_router(shared: Arc<Shared>, max_body: usize) -> Router {
    Router::new()
        .route("/validate", post(validate))
        // axum's own 2 MB default is too small for an UPDATE of a large object.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(max_body))
        .with_state(shared)
}

/// The plain-HTTP port's routes: `/healthz`, `/readyz`, `/metrics`.
pub fn ops_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

async fn readyz(State(s): State<Arc<Shared>>) -> Response {
    let checks = [
        ("rules compiled", !s.engine.rules().is_empty()),
        ("config loaded", s.config_loaded),
        ("namespace cache synced", s.namespaces.is_synced()),
        ("serving", s.serving.load(Ordering::Relaxed)),
    ];
    let mut body = String::new();
    for (name, ok) in &checks {
        body.push_str(if *ok { "[+] " } else { "[-] " });
        body.push_str(name);
        body.push('\n');
    }
    // Informational: a lost API server does not make the webhook unready (it
    // serves from the cache), but says how old the cache is.
    body.push_str(&format!(
        "namespace cache age: {:.1}s{}\n",
        s.namespaces.age_seconds(),
        if s.namespaces.is_failing() {
            " (API server not reachable)"
        } else {
            ""
        }
    ));
    let status = if checks.iter().all(|(_, ok)| *ok) {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}

async fn metrics(State(s): State<Arc<Shared>>) -> Response {
    let m = &s.metrics;
    m.cache_age.set(s.namespaces.age_seconds());
    m.namespaces.set(s.namespaces.len() as i64);
    m.api_failing.set(i64::from(s.namespaces.is_failing()));
    let errors = s.namespaces.errors();
    m.api_errors
        .inc_by(errors.saturating_sub(m.api_errors.get()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let not_after = s.cert_not_after.load(Ordering::Relaxed);
    m.certificate_expiry.set((not_after - now) as f64);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.encode(),
    )
        .into_response()
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    json_body(status, to_json(value))
}

/// `value` as JSON text, as `serde_json::to_vec` writes it ([`crate::json`]).
fn to_json(value: &serde_json::Value) -> Vec<u8> {
    crate::json::to_vec(value)
}

fn json_body(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// How a review ended, for the log line and the metrics.
enum Outcome {
    /// The decision, and the AdmissionReview that answers it as JSON.
    Decided(Decision, Vec<u8>),
    Failed(String, &'static str),
}

/// What the log line, the metrics and a failure-mode answer need of a decoded
/// request. The decoded object itself (the review the rules read: every field
/// of the body as regorus values) stays on the evaluation thread that built it
/// and is freed there.
struct Summary {
    uid: String,
    operation: String,
    kind: String,
    sub_resource: String,
    namespace: String,
    name: String,
    username: String,
    dry_run: bool,
}

impl Summary {
    fn of(request: &Request) -> Summary {
        Summary {
            uid: request.uid.clone(),
            operation: request.operation.clone(),
            kind: request.kind.clone(),
            sub_resource: request.sub_resource.clone(),
            namespace: request.namespace.clone(),
            name: request.name.clone(),
            username: request.username.clone(),
            dry_run: request.dry_run,
        }
    }
}

/// Reads the whole body within the body-read timeout: a client that trickles its
/// body (slowloris) is answered 408 instead of holding the connection for ever.
async fn read_body(s: &Shared, request: HttpRequest) -> Result<Bytes, Response> {
    let read = tokio::time::timeout(s.body_read_timeout, Bytes::from_request(request, &()));
    match read.await {
        Ok(Ok(bytes)) => Ok(bytes),
        // Over the size limit (413) or broken off: axum's own answer.
        Ok(Err(rejection)) => {
            s.metrics.count("invalid", "");
            Err(rejection.into_response())
        }
        Err(_) => {
            s.metrics.count("invalid", "");
            tracing::info!(
                timeout_ms = s.body_read_timeout.as_millis() as u64,
                "request body not received in time"
            );
            let message = format!(
                "request body not received within {:?}\n",
                s.body_read_timeout
            );
            Err((StatusCode::REQUEST_TIMEOUT, message).into_response())
        }
    }
}

async fn validate(State(s): State<Arc<Shared>>, request: HttpRequest) -> Response {
    let start = Instant::now();
    let body = match read_body(&s, request).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    if s.fixed_response {
        return fixed(&body);
    }
    let deadline = tokio::time::Instant::now() + s.deadline;
    // Kept (a cheap reference) to find the uid if the review waits out the deadline.
    let raw = body.clone();
    let (decoded_tx, mut decoded_rx) = oneshot::channel::<Result<Summary, AdmissionError>>();
    // Decoding, evaluation and writing the answer are CPU work: keep them off the
    // async workers, and free what they allocate where it was allocated.
    let job = {
        let s = Arc::clone(&s);
        move || {
            let request = match admission::decode(&body) {
                Ok(r) => r,
                Err(e) => {
                    let _ = decoded_tx.send(Err(e));
                    return None;
                }
            };
            let _ = decoded_tx.send(Ok(Summary::of(&request)));
            let decided = admission::decide(&s.engine, &request, &s.facts, &s.enforcements);
            Some(decided.map(|decision| {
                let answer = to_json(&decision.response(&request.uid));
                (decision, answer)
            }))
        }
    };
    // A review still waiting for an evaluation thread at the deadline is withdrawn.
    let result = tokio::time::timeout_at(deadline, s.evaluators.run(job)).await;
    // The request, if it was decoded in time: a review cut off at the deadline may
    // still be decoding, and is answered from its uid like one that never started.
    let request = match decoded_rx.try_recv() {
        Ok(Ok(r)) => Some(r),
        Ok(Err(e)) => {
            let kind = "";
            s.metrics.count("invalid", kind);
            s.metrics.latency.observe(start.elapsed().as_secs_f64());
            tracing::info!(decision = "invalid", error = %e, "rejected malformed review");
            return bad_request(e.to_string());
        }
        Err(_) => None,
    };
    let outcome = match result {
        Ok(Ok(Some(Ok((decision, answer))))) => Outcome::Decided(decision, answer),
        Ok(Ok(Some(Err(e)))) => Outcome::Failed(e.to_string(), "error"),
        Ok(Ok(None)) => Outcome::Failed("request not decoded".into(), "error"),
        Ok(Err(e)) => Outcome::Failed(e, "error"),
        Err(_) => Outcome::Failed(
            format!("no answer within the {:?} deadline", s.deadline),
            "timeout",
        ),
    };
    let Some(request) = request else {
        // Still waiting for an evaluation slot at the deadline. If the body names a
        // uid, answer by the failure mode; if not, there is nothing to answer
        // into: let the API server apply its failurePolicy.
        s.metrics.count("timeout", "");
        s.metrics
            .evaluation_errors
            .get_or_create(&crate::metrics::ReasonLabels {
                reason: "timeout".to_string(),
            })
            .inc();
        let reason = format!(
            "no evaluation slot free within the {:?} deadline",
            s.deadline
        );
        tracing::warn!(
            decision = if s.fail_open { "allow" } else { "deny" },
            failure = "timeout",
            error = %reason,
            "review answered by failure mode before it was decoded"
        );
        return match uid_of(&raw) {
            Some(uid) => json(
                StatusCode::OK,
                &admission::failure_response(&uid, s.fail_open, &reason),
            ),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "review not decoded before the deadline\n",
            )
                .into_response(),
        };
    };
    let elapsed = start.elapsed();
    s.metrics.latency.observe(elapsed.as_secs_f64());
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    match outcome {
        Outcome::Decided(decision, answer) => {
            let outcome = decision.outcome();
            s.metrics.count(outcome, &request.kind);
            let rules = decision.rule_ids().join(",");
            let exempted: Vec<&str> = decision.exempted.iter().map(|v| v.rule.as_str()).collect();
            let exempted = exempted.join(",");
            for exemption in &decision.expired_exemptions {
                tracing::warn!(
                    uid = request.uid.as_str(),
                    namespace = request.namespace.as_str(),
                    name = request.name.as_str(),
                    exemption = exemption.as_str(),
                    "exemption has expired: its findings count again"
                );
            }
            // The formatter's JSON, written directly (`crate::log`).
            if tracing::enabled!(tracing::Level::INFO) {
                crate::log::ReviewLine {
                    uid: &request.uid,
                    operation: &request.operation,
                    kind: &request.kind,
                    sub_resource: &request.sub_resource,
                    namespace: &request.namespace,
                    name: &request.name,
                    user: &request.username,
                    dry_run: request.dry_run,
                    decision: outcome,
                    rules: &rules,
                    exempted: &exempted,
                    duration_ms,
                }
                .emit(module_path!());
            }
            json_body(StatusCode::OK, answer)
        }
        Outcome::Failed(reason, label) => {
            s.metrics.count(label, &request.kind);
            s.metrics
                .evaluation_errors
                .get_or_create(&crate::metrics::ReasonLabels {
                    reason: label.to_string(),
                })
                .inc();
            let decision = if s.fail_open { "allow" } else { "deny" };
            tracing::warn!(
                uid = request.uid.as_str(),
                operation = request.operation.as_str(),
                kind = request.kind.as_str(),
                sub_resource = request.sub_resource.as_str(),
                namespace = request.namespace.as_str(),
                name = request.name.as_str(),
                user = request.username.as_str(),
                dry_run = request.dry_run,
                decision,
                failure = label,
                error = %reason,
                duration_ms,
                "review answered by failure mode"
            );
            json(
                StatusCode::OK,
                &admission::failure_response(&request.uid, s.fail_open, &reason),
            )
        }
    }
}

/// The load-test baseline: echo the uid, allow, evaluate nothing.
fn fixed(body: &[u8]) -> Response {
    let uid = uid_of(body).unwrap_or_default();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "apiVersion": admission::API_VERSION,
            "kind": admission::KIND,
            "response": {"uid": uid, "allowed": true}
        }),
    )
}

/// `request.uid` of an AdmissionReview body, read without building the object.
fn uid_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Uid<'a> {
        #[serde(borrow)]
        request: Option<Inner<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct Inner<'a> {
        #[serde(borrow)]
        uid: Option<std::borrow::Cow<'a, str>>,
    }
    let uid = serde_json::from_slice::<Uid>(body).ok()?.request?.uid?;
    (!uid.is_empty()).then(|| uid.into_owned())
}

//! Prometheus metrics, served as OpenMetrics text on the plain-HTTP port.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// allow, warn, deny, invalid (400), error or timeout (answered by failure mode).
    pub decision: String,
    /// `group/version/Kind` of the reviewed object (empty for invalid requests).
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

pub struct Metrics {
    registry: Registry,
    /// The periodic audit's metrics, exported once it is on.
    pub audit: std::sync::Arc<crate::audit::AuditMetrics>,
    pub audit_enabled: std::sync::atomic::AtomicBool,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Histogram,
    pub evaluation_errors: Family<ReasonLabels, Counter>,
    pub certificate_reloads: Family<ReasonLabels, Counter>,
    pub cache_age: Gauge<f64, AtomicU64>,
    pub namespaces: Gauge,
    pub api_failing: Gauge,
    pub api_errors: Counter,
    pub certificate_expiry: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("blastwall_webhook");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "AdmissionReview requests by decision and kind",
            requests.clone(),
        );
        // 50 µs … ~1.6 s.
        let latency = Histogram::new(exponential_buckets(0.00005, 2.0, 16));
        registry.register(
            "request_duration_seconds",
            "Time from receiving a review to answering it",
            latency.clone(),
        );
        let evaluation_errors = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "evaluation_errors",
            "Reviews the rules could not answer (error or deadline), answered by the failure mode",
            evaluation_errors.clone(),
        );
        let certificate_reloads = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "certificate_reloads",
            "Attempts to load a changed serving certificate, by result",
            certificate_reloads.clone(),
        );
        let cache_age = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "namespace_cache_age_seconds",
            "Seconds since the Namespace cache last heard from the API server",
            cache_age.clone(),
        );
        let namespaces = Gauge::default();
        registry.register(
            "namespace_cache_size",
            "Namespaces in the cache",
            namespaces.clone(),
        );
        let api_failing = Gauge::default();
        registry.register(
            "namespace_watch_failing",
            "1 while the API server cannot be reached (the cache keeps serving), else 0",
            api_failing.clone(),
        );
        let api_errors = Counter::default();
        registry.register(
            "namespace_watch_errors",
            "Failed attempts to reach the API server for Namespaces (watch and probe)",
            api_errors.clone(),
        );
        let certificate_expiry = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "certificate_expiry_seconds",
            "Seconds until the serving certificate expires (negative once expired)",
            certificate_expiry.clone(),
        );
        Metrics {
            registry,
            audit: Default::default(),
            audit_enabled: Default::default(),
            requests,
            latency,
            evaluation_errors,
            certificate_reloads,
            cache_age,
            namespaces,
            api_failing,
            api_errors,
            certificate_expiry,
        }
    }

    pub fn count(&self, decision: &str, kind: &str) {
        self.requests
            .get_or_create(&RequestLabels {
                decision: decision.to_string(),
                kind: kind.to_string(),
            })
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode_registry(&mut out, &self.registry);
        if self
            .audit_enabled
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            self.audit.encode_into(&mut out);
        }
        let _ = prometheus_client::encoding::text::encode_eof(&mut out);
        out
    }
}

//! The periodic audit (`--audit-interval`): every interval, `blastwall audit` of the
//! cluster the pod runs in (same rules, config and exemptions as the admission
//! path), its PolicyReports applied (server-side apply, field manager `blastwall`),
//! and its figures exported as `blastwall_audit_*` metrics.
//!
//! The audit runs on a thread of its own with its own client and runtime, so a slow
//! list never holds up an admission review.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blastwall::audit::{self, policyreport, Judge, Options, Outcome, Target};
use blastwall::config::Config;
use blastwall::engine::Engine;
use blastwall::exempt::{self, Exemptions};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FindingLabels {
    pub rule: String,
    pub severity: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    /// complete, incomplete (some collections could not be read) or failed.
    pub result: String,
}

/// The `blastwall_audit_*` metrics.
pub struct AuditMetrics {
    registry: Registry,
    pub findings: Family<FindingLabels, Gauge>,
    pub last_run: Gauge<f64, AtomicU64>,
    pub duration: Gauge<f64, AtomicU64>,
    pub objects: Gauge,
    pub incomplete: Gauge,
    pub runs: Family<ResultLabels, Counter>,
    pub apply_errors: Counter,
}

impl Default for AuditMetrics {
    fn default() -> Self {
        AuditMetrics::new()
    }
}

impl AuditMetrics {
    pub fn new() -> AuditMetrics {
        let mut registry = Registry::with_prefix("blastwall_audit");
        let findings = Family::<FindingLabels, Gauge>::default();
        registry.register(
            "findings",
            "Findings of the last audit not accepted by an exemption, by rule, severity and namespace",
            findings.clone(),
        );
        let last_run = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "last_run_timestamp_seconds",
            "When the last audit finished (Unix time)",
            last_run.clone(),
        );
        let duration = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "duration_seconds",
            "How long the last audit took",
            duration.clone(),
        );
        let objects = Gauge::default();
        registry.register(
            "objects",
            "Objects judged by the last audit",
            objects.clone(),
        );
        let incomplete = Gauge::default();
        registry.register(
            "incomplete",
            "1 when the last audit could not read some collections (see the log), else 0",
            incomplete.clone(),
        );
        let runs = Family::<ResultLabels, Counter>::default();
        registry.register("runs", "Audits run, by result", runs.clone());
        let apply_errors = Counter::default();
        registry.register(
            "report_apply_errors",
            "PolicyReports that could not be applied",
            apply_errors.clone(),
        );
        AuditMetrics {
            registry,
            findings,
            last_run,
            duration,
            objects,
            incomplete,
            runs,
            apply_errors,
        }
    }

    /// The metrics in text format, without the closing `# EOF`.
    pub fn encode_into(&self, out: &mut String) {
        let _ = prometheus_client::encoding::text::encode_registry(out, &self.registry);
    }

    fn record(&self, outcome: &Outcome, took: Duration) {
        self.findings.clear();
        for f in outcome.findings.iter().filter(|f| f.is_active()) {
            self.findings
                .get_or_create(&FindingLabels {
                    rule: f.rule.clone(),
                    severity: f.severity.as_str().into(),
                    namespace: f.object.namespace.clone(),
                })
                .inc();
        }
        self.last_run.set(unix_now() as f64);
        self.duration.set(took.as_secs_f64());
        self.objects.set(outcome.objects as i64);
        let incomplete = !outcome.problems.is_empty();
        self.incomplete.set(i64::from(incomplete));
        let result = if incomplete { "incomplete" } else { "complete" };
        self.runs
            .get_or_create(&ResultLabels {
                result: result.into(),
            })
            .inc();
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What the periodic audit needs.
pub struct Auditor {
    pub engine: Engine,
    pub config: Option<Config>,
    pub interval: Duration,
    pub options: Options,
    pub metrics: Arc<AuditMetrics>,
    /// Where PolicyReports are applied; `None`: not applied.
    pub client: Option<kube::Client>,
}

impl Auditor {
    /// Audits now, then every interval, until the task is aborted.
    pub async fn run(self) {
        loop {
            self.once().await;
            tokio::time::sleep(self.interval).await;
        }
    }

    async fn once(&self) {
        let started = Instant::now();
        let engine = self.engine.clone();
        let config = self.config.clone();
        let options = self.options.clone();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("audit".into())
            .spawn(move || {
                let _ = tx.send(audit_now(&engine, config, &options));
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the audit thread");
            return;
        }
        let outcome = match rx.await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => {
                tracing::error!(error = format!("{e:#}"), "audit failed");
                self.metrics
                    .runs
                    .get_or_create(&ResultLabels {
                        result: "failed".into(),
                    })
                    .inc();
                return;
            }
            Err(_) => return,
        };
        for p in &outcome.problems {
            tracing::warn!(problem = %p.message, "audit incomplete");
        }
        let took = started.elapsed();
        self.metrics.record(&outcome, took);
        let active = outcome.findings.iter().filter(|f| f.is_active()).count();
        tracing::info!(
            objects = outcome.objects,
            findings = active,
            incomplete = !outcome.problems.is_empty(),
            duration_ms = took.as_millis() as u64,
            "audit done"
        );
        if let Some(client) = &self.client {
            let reports = policyreport::reports(&outcome, self.engine.rules(), unix_now());
            apply(client, &reports, &self.metrics).await;
        }
    }
}

/// One audit, on the calling thread: the CLI's `blastwall audit` with the
/// config's CI enforcement.
fn audit_now(
    engine: &Engine,
    config: Option<Config>,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let exemptions = match &config {
        Some(c) => {
            Exemptions::from_config(c, exempt::Clock::from_env().map_err(anyhow::Error::msg)?)
        }
        None => Exemptions::default(),
    };
    let run = exempt::Run::new(&exemptions, engine.rules());
    let judge = Judge {
        engine,
        exemptions: &run,
        tenancy: config
            .clone()
            .map(|c| Arc::new(blastwall::facts::tenancy::Tenancy::new(c))),
    };
    let mut outcome = audit::run(&Target::default(), options, &judge)?;
    if let Some(config) = &config {
        outcome.findings =
            blastwall::enforce::apply_ci(config, std::mem::take(&mut outcome.findings));
    }
    Ok(outcome)
}

/// Server-side applies every report of `list` (a `v1` `List`).
async fn apply(client: &kube::Client, list: &serde_json::Value, metrics: &AuditMetrics) {
    let params = PatchParams::apply("blastwall").force();
    for item in list["items"].as_array().into_iter().flatten() {
        let kind = item["kind"].as_str().unwrap_or_default();
        let plural = match kind {
            "PolicyReport" => "policyreports",
            "ClusterPolicyReport" => "clusterpolicyreports",
            _ => continue,
        };
        let resource = ApiResource {
            group: "wgpolicyk8s.io".into(),
            version: "v1alpha2".into(),
            api_version: "wgpolicyk8s.io/v1alpha2".into(),
            kind: kind.into(),
            plural: plural.into(),
        };
        let api: Api<DynamicObject> = match item["metadata"]["namespace"].as_str() {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let name = item["metadata"]["name"]
            .as_str()
            .unwrap_or(policyreport::REPORT_NAME);
        if let Err(e) = api.patch(name, &params, &Patch::Apply(item)).await {
            metrics.apply_errors.inc();
            tracing::warn!(
                kind,
                namespace = item["metadata"]["namespace"].as_str().unwrap_or(""),
                error = %e,
                "cannot apply the PolicyReport (is the wgpolicyk8s.io CRD installed?)"
            );
        }
    }
}

//! Command-line flags (each also readable from a `BLASTWALL_*` environment variable).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailureMode {
    /// Allow the request (with a warning) when the rules cannot answer in time.
    Allow,
    /// Deny the request when the rules cannot answer in time.
    Deny,
}

#[derive(Clone, Debug, Parser)]
#[command(
    name = "blastwall-webhook",
    version,
    about = "Validating admission webhook that runs the blastwall rules on every AdmissionReview"
)]
pub struct Args {
    /// PEM certificate chain served on the TLS port; reloaded when it changes.
    #[arg(long, env = "BLASTWALL_TLS_CERT", value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// PEM private key of the certificate; reloaded when it changes.
    #[arg(long, env = "BLASTWALL_TLS_KEY", value_name = "FILE")]
    pub tls_key: PathBuf,
    /// Address of the HTTPS listener (`POST /validate`).
    #[arg(long, env = "BLASTWALL_LISTEN", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Address of the plain-HTTP listener (`/healthz`, `/readyz`, `/metrics`).
    #[arg(long, env = "BLASTWALL_METRICS_LISTEN", default_value = "0.0.0.0:8080")]
    pub metrics_listen: SocketAddr,
    /// The tenancy config (`.blastwall.yaml`).
    #[arg(long, env = "BLASTWALL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A directory of extra rule modules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// What evaluates the rules: `compiled` (regorus's VM, programs compiled once at
    /// start) or `interpreter` (the reference; slower, same findings).
    #[arg(long, env = "BLASTWALL_ENGINE", value_enum, default_value = "compiled")]
    pub engine: blastwall::cli::EngineChoice,
    /// Per-request deadline; keep it below the webhook's `timeoutSeconds`.
    #[arg(long, env = "BLASTWALL_TIMEOUT", default_value = "8s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// What to answer when the rules fail or miss the deadline.
    #[arg(
        long,
        env = "BLASTWALL_FAILURE_MODE",
        value_enum,
        default_value = "deny"
    )]
    pub failure_mode: FailureMode,
    /// Largest request body accepted (an UPDATE carries object and oldObject).
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// How long a client has to finish the TLS handshake.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,
    /// How long a client has to send its request headers (HTTP/1.1), so slow
    /// clients cannot hold connections open.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// How long a client has to send the request body once its headers are in;
    /// a body still arriving then is answered 408.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub body_read_timeout: Duration,
    /// How often the cache checks that the API server still answers (a cheap
    /// one-item list), so its age stays meaningful on a cluster with no changes.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub namespace_probe_interval: Duration,
    /// How often the certificate files are checked for changes.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub cert_reload_interval: Duration,
    /// How long in-flight requests may take to finish after SIGTERM.
    #[arg(long, default_value = "20s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,
    /// Evaluations running at once, each on a thread of its own (0: twice the
    /// number of CPUs).
    #[arg(long, default_value_t = 0)]
    pub max_concurrent_evaluations: usize,
    /// Audit the cluster this often (`blastwall audit` with the same rules, config
    /// and exemptions), export `blastwall_audit_*` metrics and apply the findings as
    /// PolicyReports; off when not given. Needs the read-only ClusterRole of
    /// deploy/audit.yaml.
    #[arg(long, env = "BLASTWALL_AUDIT_INTERVAL", value_parser = parse_duration, conflicts_with = "no_kube")]
    pub audit_interval: Option<Duration>,
    /// With `--audit-interval`: export the metrics but apply no PolicyReports.
    #[arg(long, requires = "audit_interval")]
    pub audit_no_reports: bool,
    /// With `--audit-interval`: requests per second to the API server (client-go's
    /// default; the burst is twice as many).
    #[arg(long, default_value_t = 5.0, requires = "audit_interval")]
    pub audit_qps: f64,
    /// Run without a cluster: Namespace labels come only from `--namespaces-file`.
    #[arg(long, env = "BLASTWALL_NO_KUBE")]
    pub no_kube: bool,
    /// Namespace labels for `--no-kube`: `kubectl get ns -o json` output, or
    /// `{"<namespace>": {"<label>": "<value>"}}`.
    #[arg(long, value_name = "FILE", requires = "no_kube")]
    pub namespaces_file: Option<PathBuf>,
    /// Answer every review with a fixed "allowed" response without evaluating
    /// (a baseline for load tests of the HTTPS stack).
    #[arg(long, hide = true)]
    pub fixed_response: bool,
    /// Log filter (`info`, `debug`, `blastwall_webhook=debug,kube=warn`); RUST_LOG wins.
    #[arg(long, env = "BLASTWALL_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

/// A duration up to a day (`8s`, `500ms`, `2m`, or a bare number of seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    blastwall::duration::parse(text, Duration::ZERO, Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("8s"), Ok(Duration::from_secs(8)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3h").is_err());
    }
}

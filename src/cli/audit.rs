//! `blastwall audit`: the rules over a live cluster (see [`crate::audit`]).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use clap::ValueEnum;

use super::{exit, ColorChoice, ConfigArgs, Threshold};
use crate::audit::{self, client::Settings, Judge, Options, Target};
use crate::exempt::{self, Exemptions};
use crate::report::{self, Format, Report};

/// What `audit --format` accepts: every format of `lint`, and `policyreport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditFormat {
    Lint(Format),
    /// `wgpolicyk8s.io/v1alpha2` PolicyReports, one per namespace, as one `List`.
    PolicyReport,
}

fn parse_format(text: &str) -> Result<AuditFormat, String> {
    if text.eq_ignore_ascii_case("policyreport") {
        return Ok(AuditFormat::PolicyReport);
    }
    Format::from_str(text, true)
        .map(AuditFormat::Lint)
        .map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
                .chain(["policyreport".to_string()])
                .collect();
            format!("unknown format `{text}` (one of: {})", names.join(", "))
        })
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The kubeconfig file; default: KUBECONFIG, ~/.kube/config, else the pod's
    /// service account when run in a cluster.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; default: its current context.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Audit only objects in this namespace (repeatable); cluster-scoped objects
    /// are then left out. Namespaces are still read whole for ownership.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Vec<String>,
    /// Output format: human, json, sarif, github, junit (as `lint`), or
    /// policyreport (PolicyReport objects for `kubectl apply -f`).
    #[arg(long, short = 'f', default_value = "human", value_parser = parse_format)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output (the exit code is the same).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub severity_threshold: Threshold,
    /// Report the collections that could not be read, but let them not make the
    /// exit code 2.
    #[arg(long)]
    pub allow_partial: bool,
    /// A directory of extra rule modules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Requests per second to the API server, on average (as client-go's --qps).
    #[arg(long, default_value_t = 5.0)]
    pub qps: f64,
    /// Requests that may go at once (as client-go's --burst).
    #[arg(long, default_value_t = 10)]
    pub burst: u32,
    /// Longest wait for one answer of the API server (`30s`, `500ms`, `2m`).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Retries of one request after a 429 (after its Retry-After), a 5xx or no answer.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// Objects per page of a list (`limit`).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub chunk_size: u32,
    /// Collections listed at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Threads judging objects (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// No progress line on stderr (shown only when stderr is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// A duration between 1ms and 60m (`30s`, `500ms`, `2m`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::duration::parse(text, Duration::from_millis(1), Duration::from_secs(3600))
}

pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let super::engine::Policies {
        engine,
        gatekeeper,
        rules,
    } = super::engine::build_all(&args.rule_dirs, config.as_ref())?;
    if !gatekeeper.is_empty() {
        eprintln!(
            "warning: the audit does not evaluate Gatekeeper constraints yet; only blastwall's rules judge the cluster"
        );
    }
    let clock = exempt::Clock::from_env().map_err(anyhow::Error::msg)?;
    let exemptions = match &config {
        Some(config) => Exemptions::from_config(config, clock),
        None => Exemptions::default(),
    };
    let run = exempt::Run::new(&exemptions, &rules);
    let judge = Judge {
        engine: &engine,
        exemptions: &run,
        tenancy: config
            .clone()
            .map(|c| std::sync::Arc::new(crate::facts::tenancy::Tenancy::new(c))),
    };
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let options = Options {
        namespaces: args.namespace.clone(),
        chunk: args.chunk_size,
        concurrency: args.concurrency as usize,
        threads,
        client: Settings {
            qps: args.qps,
            burst: args.burst,
            timeout: args.request_timeout,
            retries: args.retries,
        },
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let target = Target {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    let started = std::time::Instant::now();
    let mut outcome = audit::run(&target, &options, &judge)?;
    if let Some(config) = &config {
        let findings = std::mem::take(&mut outcome.findings);
        outcome.findings =
            super::lint::about_config(config, &run, &mut outcome.files, findings, |_| true);
    }
    if !args.quiet {
        eprintln!(
            "audited {} objects of context {} in {:.1}s ({} requests, {} retried, {} throttled)",
            outcome.objects,
            outcome.context,
            started.elapsed().as_secs_f64(),
            outcome.requests,
            outcome.retries,
            outcome.throttled,
        );
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.format == AuditFormat::Lint(Format::Human)
                && args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            AuditFormat::Lint(format) => {
                // The kind of each object with findings ("file"), for JUnit.
                let mut kinds: Vec<(crate::source::FileId, String)> = outcome
                    .findings
                    .iter()
                    .filter_map(|f| Some((f.file?, f.object.kind.clone())))
                    .collect();
                kinds.dedup();
                let report = Report {
                    kinds: &kinds,
                    tolerated: &report::none_tolerated,
                    files: &outcome.files,
                    findings: &outcome.findings,
                    problems: &outcome.problems,
                    rules: &rules,
                    documents: outcome.objects,
                    color,
                };
                report::write(&report, format, out)
            }
            AuditFormat::PolicyReport => {
                let seconds = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                if !outcome.problems.is_empty() {
                    // The reports have no place for them: they go to stderr.
                    for p in &outcome.problems {
                        eprintln!("error: {}", p.message);
                    }
                }
                audit::policyreport::write(&outcome, &rules, seconds, out)
            }
        }
    };
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                write(&mut out)?;
                out.flush()
            });
            written.with_context(|| format!("cannot write the report to {}", path.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            write(&mut out).context("cannot write the report")?;
            out.flush().ok();
        }
    }

    let threshold = args.severity_threshold.severity();
    Ok(if !outcome.problems.is_empty() && !args.allow_partial {
        exit::ERROR
    } else if outcome
        .findings
        .iter()
        .any(|f| f.is_active() && f.severity >= threshold)
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_format_and_policyreport_parse() {
        assert_eq!(parse_format("json"), Ok(AuditFormat::Lint(Format::Json)));
        assert_eq!(parse_format("policyreport"), Ok(AuditFormat::PolicyReport));
        let err = parse_format("yaml").unwrap_err();
        assert!(
            err.contains("human") && err.contains("policyreport"),
            "{err}"
        );
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("1h").is_err());
    }
}

//! blastwall-webhook: the blastwall rules at admission.
//!
//! A thin shell around [`blastwall::admission`]: HTTPS with certificate reload,
//! limits and deadlines, a Namespace cache for tenancy facts, metrics and logs.

pub mod audit;
pub mod cli;
pub mod evaluators;
pub mod json;
pub mod log;
pub mod metrics;
pub mod namespaces;
pub mod server;
pub mod tls;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use axum_server::tls_rustls::RustlsAcceptor;
use blastwall::admission::Enforcements;
use blastwall::engine::Engine;
use blastwall::facts::{self, tenancy::Tenancy};

use crate::cli::{Args, FailureMode};
use crate::metrics::Metrics;
use crate::namespaces::NamespaceCache;
use crate::server::Shared;

/// Where the server listens, once bound (port 0 picks a free port).
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    pub admission: SocketAddr,
    pub ops: SocketAddr,
}

/// Sets up JSON logs on stderr; `RUST_LOG` overrides `level`.
pub fn init_logging(level: &str) {
    log::init(level);
}

/// Compiles the rules, loads the config and the certificate, and serves until
/// `shutdown` resolves; then drains in-flight requests for up to `--shutdown-grace`.
/// `on_bound` is told the listening addresses.
pub async fn run(
    args: Args,
    shutdown: impl std::future::Future<Output = ()>,
    on_bound: impl FnOnce(Bound),
) -> anyhow::Result<()> {
    tls::install_crypto_provider();
    let metrics = Arc::new(Metrics::new());

    let config = match &args.config {
        Some(path) => Some(blastwall::config::load(path).map_err(|e| {
            anyhow::anyhow!(
                "config {} is not valid:\n{}",
                path.display(),
                e.render(false)
            )
        })?),
        None => None,
    };
    // The config's ruleDirs (relative to the config file) join --rules, as in the CLI.
    let mut dirs = args.rules.clone();
    dirs.extend(config.iter().flat_map(|c| c.rule_dirs.iter().cloned()));
    let mut engine = Engine::with_rule_dirs(&dirs).context("compiling rules")?;
    engine.set_evaluator(args.engine.into());
    // Gatekeeper ConstraintTemplates and Constraints: beside the rules in --rules
    // directories and ruleDirs, and at the config's `gatekeeper` paths.
    let gatekeeper_paths = config
        .iter()
        .flat_map(|c| c.gatekeeper.iter().cloned())
        .collect::<Vec<_>>();
    let mut gatekeeper = blastwall::gatekeeper::load_dirs_and_paths(&dirs, &gatekeeper_paths)
        .context("loading Gatekeeper policies")?;
    for name in &gatekeeper.unsupported {
        tracing::warn!(
            template = %name,
            "ConstraintTemplate has only CEL code (K8sNativeValidation), which blastwall does not run; its constraints are not enforced"
        );
    }
    gatekeeper.set_time_limit(args.timeout);
    let gatekeeper = Arc::new(gatekeeper);
    engine
        .set_time_limit(args.timeout)
        .context("setting the evaluation time limit")?;
    let mut ctx = facts::Context::default();
    let mut enforcements = Enforcements::default();
    let audit_config = config.clone();
    if let Some(config) = config {
        let mut rules = engine.rules().to_vec();
        rules.extend(gatekeeper.rules());
        blastwall::config::check_rules(&config, &rules)
            .map_err(|e| anyhow::anyhow!("config is not valid:\n{}", e.render(false)))?;
        engine
            .set_config(config.to_value())
            .context("loading the config into the rules")?;
        enforcements = Enforcements::from_config(&config);
        enforcements.set_clock(blastwall::exempt::Clock::from_env().map_err(anyhow::Error::msg)?);
        let exemptions = enforcements.exemptions();
        for i in exemptions.expired(&exemptions.today()) {
            tracing::warn!(
                exemption = %exemptions.describe(i),
                "exemption has expired: the findings it covered count again"
            );
        }
        ctx.tenancy = Some(Arc::new(Tenancy::new(config)));
    }
    // Compiled now, so that the first review of each kind does not wait for it.
    if engine.evaluator() == blastwall::engine::Evaluator::Compiled {
        engine.keep_programs_only();
    }
    engine.prepare_all();

    let (namespaces, watch) = if args.no_kube {
        let cache = match &args.namespaces_file {
            Some(path) => NamespaceCache::from_file(path)?,
            None => NamespaceCache::fixed(Default::default()),
        };
        (Arc::new(cache), None)
    } else {
        let client = kube::Client::try_default()
            .await
            .context("connecting to the Kubernetes API (use --no-kube to run without one)")?;
        let (cache, driver) = NamespaceCache::watch(client, args.namespace_probe_interval);
        (cache, Some(tokio::spawn(driver)))
    };
    ctx.namespaces = Some(namespaces.clone() as Arc<dyn facts::tenancy::NamespaceLookup>);
    if !gatekeeper.is_empty() {
        // namespaceSelector and namespaceObject from the Namespace cache; no
        // data.inventory (templates that read it see none at admission).
        let run = blastwall::gatekeeper::Run::new(
            Arc::clone(&gatekeeper),
            None,
            ctx.namespaces.clone(),
            blastwall::gatekeeper::Point::Validation,
        )
        .context("preparing Gatekeeper policies")?;
        ctx.gatekeeper = Some(Arc::new(run));
    }

    let reloader = tls::Reloader::start(&args.tls_cert, &args.tls_key)
        .context("loading the serving certificate")?;
    let rustls = reloader.rustls_config();
    let slots = match args.max_concurrent_evaluations {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
        n => n,
    };
    let shared = Arc::new(Shared {
        engine,
        facts: ctx,
        enforcements,
        namespaces,
        metrics: Arc::clone(&metrics),
        deadline: args.timeout,
        body_read_timeout: args.body_read_timeout,
        fail_open: args.failure_mode == FailureMode::Allow,
        evaluators: evaluators::Evaluators::new(slots),
        fixed_response: args.fixed_response,
        serving: AtomicBool::new(true),
        config_loaded: true,
        cert_not_after: Arc::clone(&reloader.not_after),
    });
    let reload_metrics = Arc::clone(&metrics);
    let reload_task = tokio::spawn(reloader.run(args.cert_reload_interval, move |result| {
        reload_metrics
            .certificate_reloads
            .get_or_create(&metrics::ReasonLabels {
                reason: result.to_string(),
            })
            .inc();
    }));

    // Plain-HTTP ops port.
    let ops_listener = tokio::net::TcpListener::bind(args.metrics_listen)
        .await
        .with_context(|| format!("binding {}", args.metrics_listen))?;
    let ops_addr = ops_listener.local_addr()?;
    let (ops_stop_tx, ops_stop_rx) = tokio::sync::oneshot::channel::<()>();
    let ops = tokio::spawn(
        axum::serve(ops_listener, server::ops_router(Arc::clone(&shared)))
            .with_graceful_shutdown(async {
                let _ = ops_stop_rx.await;
            })
            .into_future(),
    );

    // HTTPS admission port.
    let listener = std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("binding {}", args.listen))?;
    listener.set_nonblocking(true)?;
    let admission_addr = listener.local_addr()?;
    let handle = axum_server::Handle::new();
    let mut server = axum_server::from_tcp(listener)?
        .acceptor(RustlsAcceptor::new(rustls).handshake_timeout(args.handshake_timeout))
        .handle(handle.clone());
    server
        .http_builder()
        .http1()
        .header_read_timeout(args.header_read_timeout);
    let app = server::admission_router(Arc::clone(&shared), args.max_body_bytes);
    let serving = tokio::spawn(server.serve(app.into_make_service()));

    tracing::info!(
        admission = %admission_addr,
        ops = %ops_addr,
        rules = shared.engine.rules().len(),
        gatekeeper_constraints = gatekeeper.constraints.len(),
        config = args.config.as_ref().map(|p| p.display().to_string()),
        kube = !args.no_kube,
        failure_mode = ?args.failure_mode,
        timeout_ms = args.timeout.as_millis() as u64,
        fixed_response = args.fixed_response,
        "blastwall-webhook listening"
    );
    on_bound(Bound {
        admission: admission_addr,
        ops: ops_addr,
    });

    let audit_task = match args.audit_interval {
        Some(interval) => {
            let client = match args.audit_no_reports {
                true => None,
                false => Some(
                    kube::Client::try_default()
                        .await
                        .context("connecting to the Kubernetes API for the audit's reports")?,
                ),
            };
            metrics.audit_enabled.store(true, Ordering::Relaxed);
            let auditor = audit::Auditor {
                engine: shared.engine.clone(),
                config: audit_config,
                interval,
                options: blastwall::audit::Options {
                    client: blastwall::audit::client::Settings {
                        qps: args.audit_qps,
                        burst: (args.audit_qps * 2.0).clamp(1.0, 1000.0) as u32,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                metrics: Arc::clone(&metrics.audit),
                client,
            };
            tracing::info!(interval_s = interval.as_secs_f64(), "periodic audit on");
            Some(tokio::spawn(auditor.run()))
        }
        None => None,
    };

    shutdown.await;
    tracing::info!(
        in_flight_connections = handle.connection_count(),
        "shutting down: draining in-flight requests"
    );
    shared.serving.store(false, Ordering::Relaxed);
    handle.graceful_shutdown(Some(args.shutdown_grace));
    let served = serving.await;
    let _ = ops_stop_tx.send(());
    let _ = ops.await;
    reload_task.abort();
    if let Some(a) = audit_task {
        a.abort();
    }
    if let Some(w) = watch {
        w.abort();
    }
    served
        .context("server task failed")?
        .context("HTTPS server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

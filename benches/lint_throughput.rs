//! Lint throughput against raw YAML parsing of the same corpus, in one run.
//!
//! `cargo bench --bench lint_throughput` generates a corpus of 10,000+ Kubernetes
//! documents and reports MB/s for: the raw saphyr event stream (the floor any YAML
//! linter pays), blastwall's loader (values + spans), and the whole lint pipeline on
//! one thread. Ratios, not absolute figures, are what to compare across machines.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use blastwall::engine::Engine;
use blastwall::source::{load, Limits};

/// As in the blastwall binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DOCUMENTS: usize = 10_000;

fn corpus() -> String {
    let mut out = String::new();
    for i in 0..DOCUMENTS {
        let ns = ["payroll", "billing", "search", "ledger"][i % 4];
        match i % 5 {
            0 => write!(
                out,
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-{i}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: api-{i}\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: api-{i}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: api-{i}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers:\n      - name: api\n        image: 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/{ns}/api:1.{i}\n        ports:\n        - containerPort: 8080\n        securityContext:\n          allowPrivilegeEscalation: false\n          privileged: {priv}\n        resources:\n          limits:\n            cpu: 500m\n            memory: 256Mi\n",
                priv = if i % 50 == 0 { "yes" } else { "false" }
            ),
            1 => write!(
                out,
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api-{i}\n  namespace: {ns}\nspec:\n  selector:\n    app.kubernetes.io/name: api-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
            ),
            2 => write!(
                out,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader-{i}\n  namespace: {ns}\nrules:\n- apiGroups: [\"\"]\n  resources: [\"pods\", \"services\"]\n  verbs: [\"get\", \"list\", \"watch\"]\n"
            ),
            3 => write!(
                out,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader-{i}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader-{i}\nsubjects:\n- kind: Group\n  name: {ns}:developers\n  apiGroup: rbac.authorization.k8s.io\n"
            ),
            _ => write!(
                out,
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"a,b,c\"\n  TIMEOUT: \"30s\"\n"
            ),
        }
        .ok();
    }
    out
}

/// Best wall time of `runs` runs of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn main() {
    // As the binary does: otherwise RUST_BACKTRACE=1 in the environment makes every
    // error regorus discards internally walk the stack.
    blastwall::engine::disable_error_backtraces();
    // `cargo test` runs benches with --bench absent; only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let text = corpus();
    let bytes = text.len();
    let limits = Limits::default();
    let runs = 5;

    let raw = best_of(runs, || {
        let mut events = 0usize;
        for event in saphyr_parser::Parser::new_from_str(&text) {
            if event.is_err() {
                break;
            }
            events += 1;
        }
        black_box(events);
    });

    let loaded_probe = load::load_str("corpus.yaml", text.clone(), &limits);
    assert!(
        loaded_probe.problems.is_empty(),
        "corpus must load cleanly: {:?}",
        loaded_probe.problems.first()
    );
    assert_eq!(loaded_probe.documents.len(), DOCUMENTS);

    let load_time = best_of(runs, || {
        black_box(load::load_str("corpus.yaml", text.clone(), &limits));
    });

    let compile_start = Instant::now();
    let engine = match Engine::builtin() {
        Ok(engine) => engine,
        Err(e) => panic!("rule pack does not compile: {e}"),
    };
    let compile = compile_start.elapsed();

    let mut findings = 0;
    let lint_time = best_of(runs, || {
        let loaded = load::load_str("corpus.yaml", text.clone(), &limits);
        let result = blastwall::lint::lint(&engine, &loaded, 1);
        findings = result.map(|f| f.len()).unwrap_or(usize::MAX);
    });
    let eval_only = best_of(runs, || {
        black_box(blastwall::lint::lint(&engine, &loaded_probe, 1).ok());
    });

    let raw_mbs = mb_per_s(bytes, raw);
    let load_mbs = mb_per_s(bytes, load_time);
    let lint_mbs = mb_per_s(bytes, lint_time);
    println!(
        "corpus: {DOCUMENTS} documents, {:.2} MB; {findings} findings",
        bytes as f64 / 1e6
    );
    println!("raw YAML events (saphyr-parser)   {raw_mbs:8.1} MB/s");
    println!(
        "load: values + spans              {load_mbs:8.1} MB/s  ({:.0}% of raw)",
        100.0 * load_mbs / raw_mbs
    );
    println!(
        "lint end to end, 1 thread         {lint_mbs:8.1} MB/s  ({:.0}% of raw)",
        100.0 * lint_mbs / raw_mbs
    );
    println!(
        "rule evaluation alone             {:8.1} µs/document",
        eval_only.as_secs_f64() * 1e6 / DOCUMENTS as f64
    );
    println!(
        "rule pack compilation             {:8.2} ms",
        compile.as_secs_f64() * 1e3
    );
}

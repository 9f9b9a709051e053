//! Lint throughput against raw YAML parsing of the same input, in one run.
//!
//! `cargo bench --bench lint_throughput` generates a corpus of 10,000 Kubernetes
//! documents and reports, in MB/s and documents/s: the raw saphyr event stream (the
//! floor any YAML linter pays), blastwall's loader (values + spans), and the whole
//! lint pipeline (load, facts, rules, findings placed) on one thread and on every
//! core, each as a ratio to the raw parse. Ratios, not absolute figures, are what to
//! compare across machines.
//!
//! `LINT_THROUGHPUT_DIR=DIR cargo bench --bench lint_throughput` measures the
//! `*.yaml` files of `DIR` instead (for instance the real corpus that
//! `benches/real_corpus.py DIR` builds), each file loaded as `blastwall lint` loads
//! it.

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

/// The input measured: named texts, as files of a run.
struct Input {
    files: Vec<(String, String)>,
    documents: usize,
}

impl Input {
    fn generated() -> Input {
        Input {
            files: vec![("corpus.yaml".to_string(), corpus())],
            documents: DOCUMENTS,
        }
    }

    fn from_dir(dir: &str) -> Input {
        let mut paths: Vec<_> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect(),
            Err(e) => panic!("LINT_THROUGHPUT_DIR={dir}: {e}"),
        };
        paths.sort();
        let files: Vec<(String, String)> = paths
            .into_iter()
            .map(|p| {
                let text =
                    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (p.display().to_string(), text)
            })
            .collect();
        assert!(
            !files.is_empty(),
            "LINT_THROUGHPUT_DIR={dir}: no *.yaml file"
        );
        Input {
            files,
            documents: 0,
        }
    }

    fn bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    fn load(&self, threads: usize) -> blastwall::source::Loaded {
        let limits = Limits {
            threads,
            ..Limits::default()
        };
        let files = self
            .files
            .iter()
            .map(|(name, text)| (name.clone(), text.clone().into_bytes()))
            .collect();
        load::load_named(files, &limits)
    }
}

/// As `blastwall lint --no-config` does after loading: the run's context (roles of
/// the documents, the access-entries run index), then every document.
fn lint(engine: &Engine, loaded: &blastwall::source::Loaded, threads: usize) -> usize {
    let mut ctx = blastwall::facts::tenancy::run_context_in(None, &loaded.documents, &loaded.files);
    ctx.access_run =
        blastwall::access_entries::run::RunIndex::build(loaded, None).map(std::sync::Arc::new);
    match blastwall::lint::lint_with(engine, loaded, &ctx, threads) {
        Ok(findings) => findings.len(),
        Err(e) => panic!("lint failed: {e}"),
    }
}

fn main() {
    // As the binary does: otherwise RUST_BACKTRACE=1 in the environment makes every
    // error regorus discards internally walk the stack.
    blastwall::engine::disable_error_backtraces();
    // `cargo test` runs benches with --bench absent; only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut input = match std::env::var("LINT_THROUGHPUT_DIR") {
        Ok(dir) => Input::from_dir(&dir),
        Err(_) => Input::generated(),
    };
    let bytes = input.bytes();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = 5;

    let raw = best_of(runs, || {
        let mut events = 0usize;
        for (_, text) in &input.files {
            for event in saphyr_parser::Parser::new_from_str(text) {
                if event.is_err() {
                    break;
                }
                events += 1;
            }
        }
        black_box(events);
    });

    let probe = input.load(1);
    assert!(
        probe.problems.is_empty(),
        "the input must load cleanly: {:?}",
        probe.problems.first()
    );
    if input.documents == 0 {
        input.documents = probe.documents.len();
    }
    assert_eq!(probe.documents.len(), input.documents);
    let documents = input.documents;

    let load_time = best_of(runs, || {
        black_box(input.load(1));
    });

    let compile_start = Instant::now();
    let engine = match Engine::builtin() {
        Ok(engine) => engine,
        Err(e) => panic!("rule pack does not compile: {e}"),
    };
    let compile = compile_start.elapsed();

    let mut findings = 0;
    let lint_time = best_of(runs, || {
        findings = lint(&engine, &input.load(1), 1);
    });
    let lint_all = best_of(runs, || {
        black_box(lint(&engine, &input.load(cores), cores));
    });
    let eval_only = best_of(runs, || {
        black_box(lint(&engine, &probe, 1));
    });

    let raw_mbs = mb_per_s(bytes, raw);
    let per_s = |time: Duration| documents as f64 / time.as_secs_f64();
    let line = |what: &str, time: Duration| {
        let mbs = mb_per_s(bytes, time);
        println!(
            "{what:<34}{mbs:8.1} MB/s {:9.0} documents/s  ({:.0}% of raw)",
            per_s(time),
            100.0 * mbs / raw_mbs
        );
    };
    println!(
        "input: {} file(s), {documents} documents, {:.2} MB; {findings} findings",
        input.files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "raw YAML events (saphyr-parser)   {raw_mbs:8.1} MB/s {:9.0} documents/s",
        per_s(raw)
    );
    line("load: values + spans", load_time);
    line("lint end to end, 1 thread", lint_time);
    line(&format!("lint end to end, {cores} threads"), lint_all);
    println!(
        "after loading, 1 thread           {:8.1} µs/document",
        eval_only.as_secs_f64() * 1e6 / documents as f64
    );
    println!(
        "rule pack compilation             {:8.2} ms",
        compile.as_secs_f64() * 1e3
    );
}

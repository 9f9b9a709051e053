//! The cost of Gatekeeper constraints per review: every template of
//! gatekeeper-library's `library/pod-security-policy` with every sample constraint
//! (vendored under `fixtures/gatekeeper-library/`), against the Pod of
//! `webhook/bench/pod-create.json`, as the webhook evaluates them (match in Rust,
//! then each matching constraint's template on a clone of its prepared engine).
//! For comparison, in the same run: the built-in rule pack on the same review.
//!
//! `cargo bench --bench gatekeeper` prints the time of one review and, on stderr,
//! the number of constraints, so that the cost per constraint is the first divided
//! by the second.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use blastwall::engine::Engine;
use blastwall::gatekeeper::{self, Point, Run};
use criterion::Criterion;
use regorus::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    blastwall::engine::disable_error_backtraces();
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Each template with the first of its sample constraints (samples reuse names).
    let psp = root.join("fixtures/gatekeeper-library/library/pod-security-policy");
    let mut paths = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&psp)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs.iter().filter(|d| d.join("template.yaml").is_file()) {
        let mut samples: Vec<_> = std::fs::read_dir(dir.join("samples"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.path().join("constraint.yaml"))
                    .collect()
            })
            .unwrap_or_default();
        samples.retain(|p: &std::path::PathBuf| p.is_file());
        samples.sort();
        if let Some(first) = samples.first() {
            paths.push(dir.join("template.yaml"));
            paths.push(first.clone());
        }
    }
    let gk = match gatekeeper::load_dirs_and_paths(&[], &paths) {
        Ok(gk) => Arc::new(gk),
        Err(e) => panic!("{e}"),
    };
    let body = match std::fs::read_to_string(root.join("webhook/bench/pod-create.json")) {
        Ok(body) => body,
        Err(e) => panic!("webhook/bench/pod-create.json: {e}"),
    };
    let review = match Value::from_json_str(&body) {
        Ok(v) => v["request"].clone(),
        Err(e) => panic!("{e}"),
    };
    let run = match Run::new(gk.clone(), None, None, Point::Validation) {
        Ok(run) => run,
        Err(e) => panic!("{e}"),
    };
    let hits = run.hits(&review).map(|h| h.len()).unwrap_or(0);
    eprintln!(
        "{} templates, {} constraints; {hits} violations on the Pod",
        gk.templates.len(),
        gk.constraints.len()
    );
    let engine = match Engine::builtin() {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    let input = blastwall::review::input(
        review.clone(),
        blastwall::facts::compute(&review, &Default::default()),
    );
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("pod review, every pod-security-policy constraint", |b| {
        b.iter(|| black_box(run.hits(&review)))
    });
    c.bench_function("pod review, built-in rule pack", |b| {
        b.iter(|| black_box(engine.evaluate(input.clone())))
    });
    c.final_summary();
}

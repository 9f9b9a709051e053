//! The cost of one admission review without HTTP: decoding a Pod CREATE
//! AdmissionReview (`webhook/bench/pod-create.json`), facts, the full rule pack with
//! the tenancy fixture config, and the response, exactly as the webhook runs it.
//! `BLASTWALL_REVIEW_BODY=webhook/bench/configmap-create.json` (or
//! `service-create.json`, or any AdmissionReview) measures another review instead.
//!
//! `cargo bench --bench admission_review` times it with criterion.
//! `BLASTWALL_REVIEWS=N target/release/deps/admission_review-*` runs N reviews and
//! exits, with no timing: run it under `valgrind --tool=callgrind` with N=0 and N=200
//! and divide the difference of the instruction counts by 200 for the instructions of
//! one review, a figure that does not depend on how busy the machine is.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use blastwall::admission::{self, Enforcements};
use blastwall::engine::Engine;
use blastwall::facts::{tenancy::Tenancy, Context};
use criterion::Criterion;

/// As in blastwall-webhook.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Setup {
    engine: Engine,
    ctx: Context,
    enforcements: Enforcements,
    body: Vec<u8>,
}

fn setup() -> Setup {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = match blastwall::config::load(&root.join("fixtures/tenancy/blastwall.yaml")) {
        Ok(config) => config,
        Err(e) => panic!("fixture config: {}", e.render(false)),
    };
    let mut engine = match Engine::builtin() {
        Ok(engine) => engine,
        Err(e) => panic!("rule pack does not compile: {e}"),
    };
    if let Err(e) = engine.set_config(config.to_value()) {
        panic!("config: {e}");
    }
    engine.prepare_all();
    let enforcements = Enforcements::from_config(&config);
    let ctx = Context {
        tenancy: Some(Arc::new(Tenancy::new(config))),
        ..Context::default()
    };
    let body_path = std::env::var_os("BLASTWALL_REVIEW_BODY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("webhook/bench/pod-create.json"));
    let body = match std::fs::read(&body_path) {
        Ok(body) => body,
        Err(e) => panic!("{}: {e}", body_path.display()),
    };
    Setup {
        engine,
        ctx,
        enforcements,
        body,
    }
}

fn review(s: &Setup) -> serde_json::Value {
    match admission::review(&s.engine, &s.body, &s.ctx, &s.enforcements) {
        Ok(response) => response,
        Err(e) => panic!("review failed: {e}"),
    }
}

fn main() {
    // As the binaries do.
    blastwall::engine::disable_error_backtraces();
    if let Some(n) = std::env::var_os("BLASTWALL_REVIEWS") {
        let n: usize = n.to_str().and_then(|n| n.parse().ok()).unwrap_or(0);
        let s = setup();
        for _ in 0..n {
            black_box(review(&s).to_string());
        }
        return;
    }
    // `cargo test` runs benches with --bench absent; only measure under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let s = setup();
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("pod create admission review", |b| {
        b.iter(|| review(&s).to_string())
    });
    c.final_summary();
}

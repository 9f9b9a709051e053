//! AdmissionReview bodies end to end: decode, then the built-in rules.
#![no_main]

use std::sync::OnceLock;

use blastwall::admission::{self, Enforcements};
use blastwall::engine::Engine;
use blastwall::facts::Context;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().expect("built-in rules compile"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = admission::review(
        engine(),
        data,
        &Context::default(),
        &Enforcements::default(),
    ) {
        assert!(response["response"]["uid"].is_string());
    }
});

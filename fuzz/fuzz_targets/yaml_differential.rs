//! The differential YAML test for longer runs: the fuzzer's bytes steer the same
//! generator as tests/suite/yaml_differential.rs (a manifest stream, or an aws-auth
//! section), and blastwall must read the text as go-yaml v2 through sigs.k8s.io/yaml
//! does (the Go program tests/goyaml, built on first use into target/; needs Go and
//! Debian's golang-gopkg-yaml.v2-dev and golang-k8s-sigs-yaml-dev).
//!
//!   cd fuzz && cargo +nightly fuzz run yaml_differential -- -max_total_time=600
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/goyaml.rs"]
mod goyaml;

use goyaml::{Bytes, Choices, GoYaml, Mode, Outcome};

fn decoder() -> &'static Mutex<GoYaml> {
    static GO: OnceLock<Mutex<GoYaml>> = OnceLock::new();
    GO.get_or_init(|| {
        let binary = goyaml::build().unwrap_or_else(|why| panic!("cannot build tests/goyaml: {why}"));
        Mutex::new(GoYaml::start(&binary).unwrap_or_else(|why| panic!("{why}")))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut choices = Bytes(data);
    let (mode, text) = match choices.below(8) {
        0 => (Mode::Section, goyaml::section(&mut choices)),
        _ => (Mode::Stream, goyaml::document(&mut choices)),
    };
    let mut go = decoder().lock().unwrap_or_else(|e| e.into_inner());
    let answer = go.decode(mode, &text);
    if let Outcome::Differs(difference) = goyaml::compare_again(&mut go, mode, &text, &answer) {
        panic!("{difference}\n--- document ({text:?}):\n{text}\n---");
    }
});

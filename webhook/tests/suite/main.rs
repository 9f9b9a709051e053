//! The integration tests of `blastwall-webhook`, in one test binary (one link of
//! the whole dependency tree instead of one per file). `watch_loss` stays a binary
//! of its own: it sets KUBECONFIG for its process.
//! Run one module with `cargo test -p blastwall-webhook --test suite <module>::`.

#[path = "../common/mod.rs"]
mod common;

#[path = "../../../tests/support/change_cases.rs"]
mod cases;

mod admission;
mod audit;
mod change_cases;
mod deploy;
mod exemptions;
mod faults;
mod gatekeeper;
mod logs;
mod namespaces;
mod readme;
mod rotation;
mod secrets;
mod shutdown;

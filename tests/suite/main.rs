//! The integration tests of `blastwall`, in one test binary: each module was once
//! its own binary, and linking every dependency into each one cost minutes and
//! gigabytes of disk on CI. Run one module with `cargo test --test suite <module>::`.

#[path = "../common/mod.rs"]
mod common;

#[path = "../support/change_cases.rs"]
mod cases;

#[path = "../support/goyaml.rs"]
mod goyaml;

mod access;
mod access_entries;
mod access_page;
mod addons;
mod audit;
mod authoring;
mod aws_auth;
mod change_cases;
mod change_semantics;
mod cli;
mod engines;
mod exemptions;
mod facts;
mod first_hour;
mod gatekeeper;
mod generated;
mod github_action;
mod helm;
mod hostile;
mod init;
mod inputs;
mod kinds;
mod lint_base;
mod pack_tests;
mod pre_commit;
mod properties;
mod rbac;
mod rego_unit;
mod security;
mod supply_chain;
mod tenancy;
mod user_rules;
mod workload_kinds;
mod yaml_differential;

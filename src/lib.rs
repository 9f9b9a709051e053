//! blastwall: one rule engine for Kubernetes manifests in CI and at admission.
//!
//! Data flows one way: [`source`] (files → documents with spans) → [`review`]
//! (documents → AdmissionRequest-shaped input) → [`engine`] (Rego, compiled once)
//! → [`finding`] → [`report`] (CLI formats) or the webhook's AdmissionResponse.

pub mod access;
pub mod access_entries;
pub mod admission;
#[cfg(feature = "audit")]
pub mod audit;
pub mod authoring;
pub mod awsauth;
pub mod change;
pub mod cli;
pub mod config;
pub mod duration;
pub mod enforce;
pub mod engine;
pub mod exempt;
pub mod facts;
pub mod finding;
pub mod gatekeeper;
pub mod lint;
pub mod report;
pub mod review;
pub mod source;

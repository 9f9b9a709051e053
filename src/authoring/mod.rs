//! Writing and testing rules: `blastwall test` (Rego unit tests, fixture suites,
//! coverage) and `blastwall new-rule` (a rule, its tests and its suite, ready to edit).

pub mod cases;
pub mod coverage;
pub mod pack;
pub mod runner;
pub mod scaffold;
pub mod suite;

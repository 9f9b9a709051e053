//! The Rego engine: compiles the rule pack once, evaluates reviews many times.

//! The engine of a run: the built-in rules, the `--rules` directories and the
//! config's `ruleDirs`, with the config checked against them and visible to rules.

use std::path::PathBuf;

use crate::config::Config;
use crate::engine::Engine;

/// `--rules` directories first, then the config's, each once.
pub fn rule_dirs(cli: &[PathBuf], config: Option<&Config>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let from_config = config.map(|c| c.rule_dirs.as_slice()).unwrap_or_default();
    for dir in cli.iter().chain(from_config) {
        // The same directory named twice (relative and absolute) is loaded once.
        let key = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if seen.insert(key) {
            dirs.push(dir.clone());
        }
    }
    dirs
}

/// Compiles the rules of a run and gives them the config.
pub fn build(cli_dirs: &[PathBuf], config: Option<&Config>) -> anyhow::Result<Engine> {
    let mut engine = Engine::with_rule_dirs(&rule_dirs(cli_dirs, config))?;
    if let Some(config) = config {
        // Rule ids and params in the config can be checked only now.
        super::check_rules(config, &engine)?;
        engine.set_config(config.to_value())?;
    }
    Ok(engine)
}

//! The engine of a run: the built-in rules, the `--rules` directories and the
//! config's `ruleDirs`, and the Gatekeeper constraints beside them, with the config
//! checked against them and visible to rules.

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

/// Everything a run evaluates: the rule pack, the Gatekeeper constraints, and the
/// metadata of both (for reports, exemptions and the config's checks).
pub struct Policies {
    pub engine: Engine,
    pub gatekeeper: std::sync::Arc<crate::gatekeeper::Gatekeeper>,
    /// The rules' metadata, then the constraints'.
    pub rules: Vec<crate::finding::RuleMeta>,
}

/// Loads the Gatekeeper templates and constraints of `--rules` directories and the
/// config's `ruleDirs` and `gatekeeper` paths. Templates blastwall cannot run (CEL
/// only) are named once on stderr.
pub fn gatekeeper(
    cli_dirs: &[PathBuf],
    config: Option<&Config>,
) -> anyhow::Result<crate::gatekeeper::Gatekeeper> {
    let paths = config.map(|c| c.gatekeeper.as_slice()).unwrap_or_default();
    let gk = crate::gatekeeper::load_dirs_and_paths(&rule_dirs(cli_dirs, config), paths)?;
    for name in &gk.unsupported {
        eprintln!(
            "warning: ConstraintTemplate {name} has only CEL code (K8sNativeValidation), which blastwall does not run; its constraints are not enforced"
        );
    }
    Ok(gk)
}

/// Compiles the rules of a run with its Gatekeeper constraints, checks the config
/// against both and gives it to the rules: the config's rule ids and exemptions
/// may name constraints (`<Kind>/<name>`).
pub fn build_all(cli_dirs: &[PathBuf], config: Option<&Config>) -> anyhow::Result<Policies> {
    let mut engine = Engine::with_rule_dirs(&rule_dirs(cli_dirs, config))?;
    let gk = gatekeeper(cli_dirs, config)?;
    let mut rules = engine.rules().to_vec();
    rules.extend(gk.rules());
    if let Some(config) = config {
        super::check_rules(config, &rules)?;
        engine.set_config(config.to_value())?;
    }
    Ok(Policies {
        engine,
        gatekeeper: std::sync::Arc::new(gk),
        rules,
    })
}

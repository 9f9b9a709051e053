//! The Rego engine: compiles the rule pack once, evaluates reviews many times.
//!
//! Every rule lives in its own package under `data.blastwall.rules`, declares a
//! `metadata` object and a `deny` set of findings. The engine generates one
//! aggregating module so that a review is evaluated with a single query over all
//! rules, and keeps a prepared `regorus::Engine` that each evaluation clones (a clone
//! shares the compiled modules and costs well under a microsecond).
//!
//! This module knows nothing of files or HTTP.

mod error;
mod meta;
pub mod native;
pub mod pack;

pub use error::EngineError;
pub use pack::RuleSource;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use regorus::Value;

use crate::finding::{RuleMeta, Severity};
use crate::source::PathSeg;

/// Package prefix every rule module lives under.
pub const RULES_PACKAGE: &str = "data.blastwall.rules.";
const AGGREGATE_PACKAGE: &str = "blastwall.engine";
const AGGREGATE_QUERY: &str = "data.blastwall.engine.findings";
/// A trivial rule: evaluating it prepares the engine without running any rule.
const READY_QUERY: &str = "data.blastwall.engine.ready";

/// One finding as a rule reported it, before it is placed in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleHit {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub path: Vec<PathSeg>,
    pub related: Vec<(Vec<PathSeg>, String)>,
}

/// A compiled rule pack, ready to evaluate reviews. Cheap to clone; Send + Sync.
#[derive(Clone)]
pub struct Engine {
    prepared: regorus::Engine,
    rules: Arc<Vec<RuleMeta>>,
}

impl Engine {
    /// The built-in rule pack.
    pub fn builtin() -> Result<Engine, EngineError> {
        Engine::from_sources(pack::builtin())
    }

    /// The built-in pack plus every rule module under `dirs`.
    pub fn with_rule_dirs(dirs: &[PathBuf]) -> Result<Engine, EngineError> {
        let mut sources = pack::builtin();
        for dir in dirs {
            sources.extend(pack::from_dir(dir, false)?);
        }
        Engine::from_sources(sources)
    }

    /// Compiles `sources` (rules and the libraries they import) into an engine.
    pub fn from_sources(sources: Vec<RuleSource>) -> Result<Engine, EngineError> {
        let mut engine = regorus::Engine::new();
        // Builtin errors (a type mismatch in one rule) make that rule silent rather
        // than failing the whole evaluation, as in OPA.
        engine.set_strict_builtin_errors(false);
        let mut packages = Vec::new();
        for source in &sources {
            let package = engine
                .add_policy(source.name.clone(), source.text.clone())
                .map_err(|e| EngineError::Compile {
                    source_name: source.name.clone(),
                    message: e.to_string(),
                })?;
            if let Some(short) = package.strip_prefix(RULES_PACKAGE) {
                packages.push(meta::RulePackage {
                    short: short.to_string(),
                    source,
                });
            }
        }
        // Sorted by id, native rules included.
        let rules = meta::read_all(&mut engine, &packages)?;
        let shorts: Vec<&str> = packages.iter().map(|p| p.short.as_str()).collect();
        let aggregate = aggregate_module(&shorts);
        engine
            .add_policy("builtin:engine/aggregate.rego".into(), aggregate)
            .map_err(|e| EngineError::Compile {
                source_name: "builtin:engine/aggregate.rego".into(),
                message: e.to_string(),
            })?;
        let mut engine = Engine {
            prepared: engine,
            rules: Arc::new(rules),
        };
        engine.warm_up()?;
        Ok(engine)
    }

    /// Metadata of every rule, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Makes `config` visible to rules as `data.blastwall.config`.
    pub fn set_config(&mut self, config: Value) -> Result<(), EngineError> {
        let mut inner = std::collections::BTreeMap::new();
        inner.insert(Value::from("config"), config);
        let mut outer = std::collections::BTreeMap::new();
        outer.insert(Value::from("blastwall"), Value::from(inner));
        self.prepared
            .add_data(Value::from(outer))
            .map_err(|e| EngineError::Config(e.to_string()))?;
        self.warm_up()
    }

    /// Stops any single evaluation after `limit` (a rule that loops or runs long).
    pub fn set_time_limit(&mut self, limit: Duration) -> Result<(), EngineError> {
        let check_interval = std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN);
        self.prepared
            .set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit,
                check_interval,
            });
        self.warm_up()
    }

    /// Evaluates every rule against `input` (`{"review": …, "facts": …}`) in one pass.
    pub fn evaluate(&self, input: Value) -> Result<Vec<RuleHit>, EngineError> {
        let mut engine = self.prepared.clone();
        engine.set_input(input);
        let result = engine
            .eval_rule(AGGREGATE_QUERY.to_string())
            .map_err(|e| EngineError::Eval(e.to_string()))?;
        let mut hits = Vec::new();
        let items: Vec<&Value> = match &result {
            Value::Set(set) => set.iter().collect(),
            Value::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        for item in items {
            if let Some(hit) = self.hit_from_value(item) {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    fn hit_from_value(&self, item: &Value) -> Option<RuleHit> {
        let Value::String(id) = &item["rule"] else {
            return None;
        };
        let meta = self.rule(id)?;
        let finding = &item["finding"];
        let message = match &finding["msg"] {
            Value::String(s) => s.to_string(),
            Value::Undefined | Value::Null => meta.title.clone(),
            other => other.to_json_str().unwrap_or_default(),
        };
        let related = match &finding["related"] {
            Value::Array(items) => items
                .iter()
                .map(|r| {
                    let msg = match &r["msg"] {
                        Value::String(s) => s.to_string(),
                        _ => String::new(),
                    };
                    (path_from_value(&r["path"]), msg)
                })
                .collect(),
            _ => Vec::new(),
        };
        // A rule with findings of two weights (cross-product-image) may lower one.
        let severity = match &finding["severity"] {
            Value::String(s) => Severity::parse(s).unwrap_or(meta.severity),
            _ => meta.severity,
        };
        Some(RuleHit {
            rule: meta.id.clone(),
            severity,
            message,
            path: path_from_value(&finding["path"]),
            related,
        })
    }

    /// Runs one evaluation so that the engine is fully prepared before it is cloned:
    /// clones then share the compiled state instead of each preparing it again.
    fn warm_up(&mut self) -> Result<(), EngineError> {
        self.prepared
            .eval_rule(READY_QUERY.to_string())
            .map(|_| ())
            .map_err(|e| EngineError::Eval(e.to_string()))
    }
}

/// A finding's `path` (an array of keys and indexes) as path segments; anything
/// that is not a string or a non-negative integer ends the path.
pub fn path_from_value(value: &Value) -> Vec<PathSeg> {
    let Value::Array(items) = value else {
        return Vec::new();
    };
    let mut path = Vec::with_capacity(items.len());
    for item in items.iter() {
        match item {
            Value::String(s) => path.push(PathSeg::Key(s.to_string())),
            Value::Number(n) => match n.as_u64() {
                Some(i) => path.push(PathSeg::Index(i as usize)),
                None => break,
            },
            _ => break,
        }
    }
    path
}

/// One module whose `findings` set gathers the `deny` sets of every rule package,
/// so a review is evaluated with one query.
fn aggregate_module(packages: &[&str]) -> String {
    let mut text = format!("package {AGGREGATE_PACKAGE}\n\nready := true\n\n");
    for short in packages {
        text.push_str(&format!(
            "findings contains {{\"rule\": data.{pkg}.metadata.id, \"finding\": f}} if {{\n    some f in data.{pkg}.deny\n}}\n\n",
            pkg = format_args!("{}{}", &RULES_PACKAGE["data.".len()..], short),
        ));
    }
    if packages.is_empty() {
        text.push_str("findings := set()\n");
    }
    text
}

#[cfg(test)]
mod tests;

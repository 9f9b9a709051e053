//! The Rego engine: compiles the rule pack once, evaluates reviews many times.
//!
//! Every rule lives in its own package under `data.blastwall.rules`, declares a
//! `metadata` object and a `deny` set of findings. The engine generates one
//! aggregating module with a set per kind class (see [`classes`]) so that a review
//! is evaluated with a single query over the rules of its kind, on a prepared
//! `regorus::Engine`.
//!
//! This module knows nothing of files or HTTP.

mod class_engines;
mod classes;
pub mod coverage;
mod error;
mod fact_reads;
#[cfg_attr(not(test), allow(dead_code))]
mod literal;
mod matching;
mod meta;
pub mod native;
pub mod pack;
mod vm;

pub use error::EngineError;
pub use pack::RuleSource;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Value;

use class_engines::ClassEngines;
use classes::{Classes, ALL_QUERY, SELECTED_QUERY};

use crate::finding::{RuleMeta, Severity};
use crate::source::PathSeg;

/// Package prefix every rule module lives under.
pub const RULES_PACKAGE: &str = "data.blastwall.rules.";
const AGGREGATE_SOURCE: &str = "builtin:engine/aggregate.rego";
/// A trivial rule: evaluating it prepares the engine without running any rule.
const READY_QUERY: &str = "data.blastwall.engine.ready";

/// Keeps error values from capturing backtraces, whatever `RUST_BACKTRACE` says
/// (panics still print theirs).
///
/// regorus 0.14.1 reports many ordinary lookups to itself as `anyhow` errors that
/// it then discards (a reference such as `x[i].y` that is not a static path, for
/// one); with `RUST_BACKTRACE=1` in the environment each of them walks the stack,
/// and a Pod admission review then costs about 45% more instructions. Setting
/// `RUST_LIB_BACKTRACE=0` (unless the environment sets it) turns that off for
/// error values only. Call it first thing in `main`, before any thread starts.
pub fn disable_error_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
}

/// One finding as a rule reported it, before it is placed in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleHit {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub path: Vec<PathSeg>,
    pub related: Vec<(Vec<PathSeg>, String)>,
    /// The finding is about the key at the end of `path` (a misspelt, mis-cased,
    /// unknown or repeated key), not its value: it is shown at the key. Rules say
    /// so with `"at": "key"`.
    pub at_key: bool,
}

/// How [`Engine::evaluate_with`] evaluates: the fast path, or the references that
/// the fast path must always agree with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// The rules the review reaches, with the engine's [`Evaluator`] (what
    /// [`Engine::evaluate`] does).
    Fast,
    /// The rules the review reaches, compiled for regorus's VM.
    Compiled,
    /// The rules the review reaches, interpreted.
    Interpreted,
    /// Every rule, interpreted.
    Reference,
}

/// What evaluates the rules of a review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Evaluator {
    /// Programs compiled once per process for regorus's VM (RVM).
    #[default]
    Compiled,
    /// regorus's interpreter: the reference (`blastwall test` and coverage use it).
    Interpreter,
}

/// A compiled rule pack, ready to evaluate reviews. Cheap to clone; Send + Sync.
/// The kinds rules declare, and whether some rule applies to every kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeclaredKinds {
    /// Kind name → the API groups rules name for it (`""`: the core group);
    /// `None`: any group.
    pub kinds: BTreeMap<String, Option<BTreeSet<String>>>,
    /// Some rule declares no kinds (or `"*"`): it judges whatever is read.
    pub every_kind: bool,
}

impl DeclaredKinds {
    /// The kind names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.kinds.keys().map(String::as_str)
    }

    /// Whether `kind` of API group `group` (`""`: core) is declared.
    pub fn contains(&self, group: &str, kind: &str) -> bool {
        match self.kinds.get(kind) {
            Some(None) => true,
            Some(Some(groups)) => groups.contains(group),
            None => false,
        }
    }

    /// Declares `kind` in `group` (`None`: any group).
    pub fn insert(&mut self, kind: &str, group: Option<&str>) {
        let entry = self
            .kinds
            .entry(kind.to_string())
            .or_insert_with(|| Some(BTreeSet::new()));
        match (entry, group) {
            (Some(groups), Some(group)) => {
                groups.insert(group.to_string());
            }
            (entry, _) => *entry = None,
        }
    }
}

#[derive(Clone)]
pub struct Engine {
    /// The whole pack on regorus's interpreter, with the config and the time limit,
    /// prepared on first use: coverage, [`Strategy::Reference`] and the classes that
    /// have no engine of their own run on it. A lint of a few files, whose classes
    /// all have one, never builds it.
    whole: Arc<OnceLock<Result<regorus::Engine, String>>>,
    /// The whole pack's modules and its aggregate, parsed: once per engine and its
    /// clones, whatever config and time limit they are given. Already set when
    /// reading the rules' metadata needed the pack parsed.
    parsed: Arc<OnceLock<Result<regorus::Engine, String>>>,
    /// `data` of every evaluation: `blastwall.config` once set.
    data: Value,
    rules: Arc<Vec<RuleMeta>>,
    /// Rule package (short name) → index of its rule in `rules`.
    packages: Arc<crate::facts::keys::FxMap<String, usize>>,
    classes: Arc<Classes>,
    /// Every module but the aggregate.
    sources: Arc<Vec<RuleSource>>,
    timer: Option<ExecutionTimerConfig>,
    /// The engines of each class, with only the modules it needs.
    class_engines: Arc<ClassEngines>,
    /// Classes keep only their VM programs ([`Engine::keep_programs_only`]).
    programs_only: bool,
    /// Where evaluations record the lines they go through, when asked to.
    coverage: Option<Arc<Mutex<coverage::Coverage>>>,
    evaluator: Evaluator,
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
    ///
    /// The built-in pack alone is not parsed here: its packages and `metadata` were
    /// read from its text at build time (`literal.rs`); each class parses the modules
    /// it needs when first used. Any other set of modules is parsed now, every
    /// rule's `metadata` evaluated, and errors reported with their file and line.
    pub fn from_sources(sources: Vec<RuleSource>) -> Result<Engine, EngineError> {
        let read = if pack::is_builtin(&sources) {
            pack::builtin_metadata()
                .iter()
                .map(|&(package, literal)| {
                    let package = package?;
                    match package.starts_with(RULES_PACKAGE) {
                        true => Some((package, Some(literal?))),
                        false => Some((package, None)),
                    }
                })
                .collect::<Option<Vec<_>>>()
        } else {
            None
        };
        let mut parsed = None;
        let mut packages = Vec::new();
        let mut package_modules = BTreeMap::new();
        let (rules, package_rules) = match read {
            Some(read) => {
                for (index, (source, &(package, literal))) in sources.iter().zip(&read).enumerate()
                {
                    if let Some(short) = package.strip_prefix(RULES_PACKAGE) {
                        package_modules.insert(short.to_string(), index);
                        packages.push(meta::RulePackage {
                            short: short.to_string(),
                            source,
                            literal,
                        });
                    }
                }
                meta::read_all(None, &packages)?
            }
            None => {
                let mut engine = new_interpreter();
                for (index, source) in sources.iter().enumerate() {
                    let package = engine
                        .add_policy(source.name.clone(), source.text.clone())
                        .map_err(|e| EngineError::Compile {
                            source_name: source.name.clone(),
                            message: e.to_string(),
                        })?;
                    if let Some(short) = package.strip_prefix(RULES_PACKAGE) {
                        package_modules.insert(short.to_string(), index);
                        packages.push(meta::RulePackage {
                            short: short.to_string(),
                            source,
                            literal: None,
                        });
                    }
                }
                let read = meta::read_all(Some(&mut engine), &packages)?;
                parsed = Some(engine);
                read
            }
        };
        drop(packages);
        let modules = fact_reads::modules(&sources);
        // Sorted by id, native rules included.
        let classes = Arc::new(
            Classes::new(
                package_rules
                    .iter()
                    .map(|p| (p.short.clone(), p.matching.clone()))
                    .collect(),
            )
            .with_reads(&fact_reads::by_package(&modules, &package_modules)),
        );
        let by_package = package_rules
            .iter()
            .filter_map(|p| Some((p.short.clone(), rules.iter().position(|r| r.id == p.id)?)))
            .collect();
        let parsed = match parsed {
            Some(mut engine) => {
                engine
                    .add_policy(AGGREGATE_SOURCE.into(), whole_aggregate(&classes))
                    .map_err(|e| EngineError::Compile {
                        source_name: AGGREGATE_SOURCE.into(),
                        message: e.to_string(),
                    })?;
                OnceLock::from(Ok(engine))
            }
            None => OnceLock::new(),
        };
        let sources = Arc::new(sources);
        let data = Value::new_object();
        let class_engines = ClassEngines::new(
            sources.clone(),
            &modules,
            Arc::new(package_modules),
            classes.clone(),
            data.clone(),
            None,
        );
        Ok(Engine {
            whole: Arc::new(OnceLock::new()),
            parsed: Arc::new(parsed),
            data,
            rules: Arc::new(rules),
            packages: Arc::new(by_package),
            classes,
            sources,
            timer: None,
            class_engines: Arc::new(class_engines),
            programs_only: false,
            coverage: None,
            evaluator: Evaluator::default(),
        })
    }

    /// The whole pack on the interpreter, parsed and prepared now if it was not yet.
    fn whole(&self) -> Result<&regorus::Engine, EngineError> {
        self.whole
            .get_or_init(|| {
                let parsed = self
                    .parsed
                    .get_or_init(|| parse_whole(&self.sources, &self.classes))
                    .as_ref()
                    .map_err(Clone::clone)?;
                let mut engine = parsed.clone();
                engine
                    .add_data(self.data.clone())
                    .map_err(|e| e.to_string())?;
                if let Some(timer) = self.timer {
                    engine.set_execution_timer_config(timer);
                }
                // Prepared once here, so that each evaluation's clone shares it.
                engine
                    .eval_rule(READY_QUERY.to_string())
                    .map_err(|e| e.to_string())?;
                Ok(engine)
            })
            .as_ref()
            .map_err(|e| EngineError::Eval(e.clone()))
    }

    /// Metadata of every rule, sorted by id.
    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// The kinds the rules declare (`metadata.kinds`, `metadata.match.kinds`), with
    /// the API groups named for them: what an audit of a cluster lists.
    pub fn kinds(&self) -> DeclaredKinds {
        self.classes.kinds()
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
        // Merged as every engine of this one will merge it, so that a conflict is
        // reported now.
        let mut merged = regorus::Engine::new();
        merged
            .add_data(self.data.clone())
            .and_then(|()| merged.add_data(Value::from(outer)))
            .map_err(|e| EngineError::Config(e.to_string()))?;
        self.data = merged.get_data();
        self.warm_up()
    }

    /// Compiles the engines of the classes reviews most likely need (those of each
    /// declared kind) now rather than on first use, so that no review of a server
    /// waits for them.
    pub fn prepare_all(&self) {
        self.class_engines.prepare_all();
    }

    /// For a process that evaluates on the VM only (a server): each class keeps its
    /// compiled program and drops its interpreter, which holds most of its memory.
    /// Interpreted evaluations stay correct, on the whole pack. Call before the
    /// first evaluation or [`Engine::prepare_all`].
    pub fn keep_programs_only(&mut self) {
        self.programs_only = true;
        self.class_engines = Arc::new(self.new_class_engines());
    }

    fn new_class_engines(&self) -> ClassEngines {
        let mut engines = self.class_engines.renewed(self.data.clone(), self.timer);
        engines.compiled_only = self.programs_only;
        engines
    }

    /// Chooses what evaluates reviews (the compiled VM unless told otherwise).
    pub fn set_evaluator(&mut self, evaluator: Evaluator) {
        self.evaluator = evaluator;
    }

    pub fn evaluator(&self) -> Evaluator {
        self.evaluator
    }

    /// Stops any single evaluation after `limit` (a rule that loops or runs long).
    pub fn set_time_limit(&mut self, limit: Duration) -> Result<(), EngineError> {
        let check_interval = std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN);
        let timer = ExecutionTimerConfig {
            limit,
            check_interval,
        };
        self.timer = Some(timer);
        self.warm_up()
    }

    /// From now on, every evaluation runs every rule (as [`Strategy::Reference`])
    /// and records the lines it goes through in the returned gathering, shared by
    /// this engine's clones. Slower: for `blastwall test --coverage`.
    pub fn record_coverage(&mut self) -> Arc<Mutex<coverage::Coverage>> {
        let gathered = Arc::new(Mutex::new(coverage::Coverage::default()));
        self.coverage = Some(gathered.clone());
        gathered
    }

    /// Evaluates the rules of the review's kinds against `input`
    /// (`{"review": …, "facts": …}`) in one pass.
    pub fn evaluate(&self, input: Value) -> Result<Vec<RuleHit>, EngineError> {
        self.evaluate_with(input, Strategy::Fast)
    }

    /// [`Engine::evaluate`], or its reference that runs every rule: both always give
    /// the same hits, as long as rules that declare `kinds` are silent on other kinds.
    pub fn evaluate_with(
        &self,
        input: Value,
        strategy: Strategy,
    ) -> Result<Vec<RuleHit>, EngineError> {
        let shape = shape_note(&input);
        let result = match (strategy, &self.coverage) {
            (_, Some(gathered)) => {
                let mut engine = self.whole()?.clone();
                engine.set_enable_coverage(true);
                engine.set_input(input);
                let result = engine
                    .eval_rule(ALL_QUERY.to_string())
                    .map_err(|e| EngineError::Eval(e.to_string()))?;
                if let Ok(mut gathered) = gathered.lock() {
                    gathered.merge_from(&engine);
                }
                result
            }
            (Strategy::Reference, None) => {
                let mut engine = self.whole()?.clone();
                engine.set_input(input);
                engine
                    .eval_rule(ALL_QUERY.to_string())
                    .map_err(|e| EngineError::Eval(e.to_string()))?
            }
            (strategy, None) => {
                let members = self.classes.select(&input);
                if members.is_empty() {
                    // No rule applies: no Rego at all.
                    return Ok(Vec::new());
                }
                let compiled = match strategy {
                    Strategy::Compiled => true,
                    Strategy::Interpreted => false,
                    _ => self.evaluator == Evaluator::Compiled,
                };
                self.run(&members, input, compiled, |input| input)?
            }
        };
        Ok(self.hits(&result, &shape))
    }

    /// [`Engine::evaluate`] of an AdmissionRequest-shaped `review`, with facts
    /// computed only as far as the rules it reaches need them: first those rules
    /// match on (`match.facts`), then those the reached rules may read. The
    /// findings are those of [`Engine::evaluate`] with every fact.
    pub fn evaluate_review(
        &self,
        review: &Value,
        facts: &crate::facts::Lazy,
    ) -> Result<Vec<RuleHit>, EngineError> {
        if self.coverage.is_some() {
            return self.evaluate(crate::review::input(review.clone(), facts.all()));
        }
        let selection = self.classes.select_lazily(review, facts);
        if selection.members.is_empty() {
            // No rule applies: no Rego at all.
            return Ok(Vec::new());
        }
        let missing = selection.reads.without(selection.whole);
        let known = match (missing.is_empty(), &selection.facts) {
            (false, Value::Object(computed)) => {
                // One object of the facts matching computed and the others (a
                // later entry replaces an earlier one of the same name).
                let mut entries: Vec<(Value, Value)> = computed
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                entries.extend(facts.some(missing));
                Value::object_from_entries(entries)
            }
            _ => selection.facts,
        };
        let input = rule_input(review.clone(), known);
        let shape = shape_note(&input);
        let compiled = self.evaluator == Evaluator::Compiled;
        // The whole pack runs every rule: with every fact, as in `evaluate`.
        let result = self.run(&selection.members, input, compiled, |_| {
            crate::review::input(review.clone(), facts.all())
        })?;
        Ok(self.hits(&result, &shape))
    }

    /// The hits of an evaluation's result (`{"rule", "finding"}` items), in the
    /// order of the findings, then of rule ids.
    fn hits(&self, result: &Value, shape: &Option<(Vec<PathSeg>, String)>) -> Vec<RuleHit> {
        let items: Vec<&Value> = match result {
            Value::Set(set) => set.iter().collect(),
            Value::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        let mut tagged: Vec<(&Value, &RuleMeta)> = items
            .into_iter()
            .filter_map(|item| {
                // `{"finding", "rule"}`: its two fields in one pass.
                let (mut rule, mut finding) = (&Value::Undefined, &Value::Undefined);
                if let Value::Object(fields) = item {
                    for (k, v) in fields.iter() {
                        match k {
                            Value::String(k) if k.as_ref() == "rule" => rule = v,
                            Value::String(k) if k.as_ref() == "finding" => finding = v,
                            _ => {}
                        }
                    }
                }
                let Value::String(short) = rule else {
                    return None;
                };
                let meta = self.rules.get(*self.packages.get(short.as_ref())?)?;
                Some((finding, meta))
            })
            .collect();
        tagged.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        tagged
            .into_iter()
            .map(|(finding, meta)| {
                let mut hit = hit_from_value(meta, finding);
                if let Some((path, note)) = shape {
                    if hit.path.starts_with(path) {
                        hit.related.push((path.clone(), note.clone()));
                    }
                }
                hit
            })
            .collect()
    }

    /// The findings of the rules `members`, on the class's own engine where it has
    /// one (its VM program when `compiled` and there is one), else on the whole pack
    /// (with the input `every_fact` makes of `input`) with the other rules' findings left
    /// out.
    fn run(
        &self,
        members: &[usize],
        input: Value,
        compiled: bool,
        every_fact: impl FnOnce(Value) -> Value,
    ) -> Result<Value, EngineError> {
        if let Some(class) = self.class_engines.engine(members) {
            if let Some(program) = compiled.then(|| class.program()).flatten() {
                return vm::execute(program, &self.class_engines.data, self.timer, input);
            }
            // A compiled-only class has no interpreter: the whole pack below
            // gives the same findings.
            if let Some(interpreter) = &class.interpreter {
                let mut engine = interpreter.clone();
                engine.set_input(input);
                return engine
                    .eval_rule(SELECTED_QUERY.to_string())
                    .map_err(|e| EngineError::Eval(e.to_string()));
            }
        }
        let mut engine = self.whole()?.clone();
        engine.set_input(every_fact(input));
        let all = engine
            .eval_rule(ALL_QUERY.to_string())
            .map_err(|e| EngineError::Eval(e.to_string()))?;
        let wanted: std::collections::BTreeSet<&str> = members
            .iter()
            .filter_map(|&m| self.classes.short(m))
            .collect();
        let kept: Vec<Value> = match &all {
            Value::Set(set) => set
                .iter()
                .filter(|item| match item.field("rule") {
                    Value::String(s) => wanted.contains(s.as_ref()),
                    _ => false,
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        Ok(Value::from(kept))
    }

    /// After a change of data or time limit: the class engines and the whole-pack
    /// interpreter start afresh with them, each prepared on first use (the parsed
    /// pack is kept).
    fn warm_up(&mut self) -> Result<(), EngineError> {
        self.class_engines = Arc::new(self.new_class_engines());
        self.whole = Arc::new(OnceLock::new());
        Ok(())
    }
}

/// [`crate::review::input`] (`{"review", "facts"}`), its keys built once.
fn rule_input(review: Value, facts: Value) -> Value {
    static INPUT: crate::facts::keys::Shape = crate::facts::keys::Shape::new(&["review", "facts"]);
    INPUT.object([Some(review), Some(facts)])
}

/// A regorus interpreter as every engine here is set up.
fn new_interpreter() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    // Builtin errors (a type mismatch in one rule) make that rule silent rather
    // than failing the whole evaluation, as in OPA.
    engine.set_strict_builtin_errors(false);
    engine
}

/// The aggregate module of the whole pack: one set of every rule's findings.
fn whole_aggregate(classes: &Classes) -> String {
    classes.aggregate_module(
        ALL_QUERY.rsplit('.').next().unwrap_or("all"),
        &classes.all(),
    )
}

/// Every module of the pack and its aggregate, parsed.
fn parse_whole(sources: &[RuleSource], classes: &Classes) -> Result<regorus::Engine, String> {
    let mut engine = new_interpreter();
    for source in sources {
        engine
            .add_policy(source.name.clone(), source.text.clone())
            .map_err(|e| {
                EngineError::Compile {
                    source_name: source.name.clone(),
                    message: e.to_string(),
                }
                .to_string()
            })?;
    }
    engine
        .add_policy(AGGREGATE_SOURCE.into(), whole_aggregate(classes))
        .map_err(|e| e.to_string())?;
    Ok(engine)
}

/// When the reviewed object's pod spec was found by its shape only (an unknown kind
/// with a pod spec at `spec.template.spec`), where it is and the note that findings
/// inside it carry, so that a reader knows why a kind blastwall does not know was
/// checked and how to declare it.
fn shape_note(input: &Value) -> Option<(Vec<PathSeg>, String)> {
    let workload = input.field("facts").field("workload");
    if !matches!(workload.field("foundBy"), Value::String(s) if s.as_ref() == "shape") {
        return None;
    }
    let object = input.field("review").field("object");
    let text = |v: &Value| match v {
        Value::String(s) => s.to_string(),
        _ => "?".to_string(),
    };
    let note = format!(
        "pod spec found by its shape: {} {} is not a kind blastwall knows, but it has a pod spec with containers at spec.template.spec; declare the kind under `workloads` in the config to say where its pods are",
        text(object.field("apiVersion")),
        text(object.field("kind"))
    );
    Some((path_from_value(workload.field("podSpecPath")), note))
}

/// A rule's finding (`{"msg", "path", "related", "severity", "at"}`) as a hit.
fn hit_from_value(meta: &RuleMeta, finding: &Value) -> RuleHit {
    // Its fields in one pass over the object (a lookup each costs more).
    let (mut msg, mut path, mut related, mut severity, mut at) = (
        &Value::Undefined,
        &Value::Undefined,
        &Value::Undefined,
        &Value::Undefined,
        &Value::Undefined,
    );
    if let Value::Object(fields) = finding {
        for (k, v) in fields.iter() {
            let Value::String(k) = k else { continue };
            match k.as_ref() {
                "msg" => msg = v,
                "path" => path = v,
                "related" => related = v,
                "severity" => severity = v,
                "at" => at = v,
                _ => {}
            }
        }
    }
    let message = match msg {
        Value::String(s) => s.to_string(),
        Value::Undefined | Value::Null => meta.title.clone(),
        other => other.to_json_str().unwrap_or_default(),
    };
    let related = match related {
        Value::Array(items) => items
            .iter()
            .map(|r| {
                let msg = match r.field("msg") {
                    Value::String(s) => s.to_string(),
                    _ => String::new(),
                };
                (path_from_value(r.field("path")), msg)
            })
            .collect(),
        _ => Vec::new(),
    };
    // A rule with findings of two weights (cross-product-image) may lower one.
    let severity = match severity {
        Value::String(s) => Severity::parse(s).unwrap_or(meta.severity),
        _ => meta.severity,
    };
    RuleHit {
        rule: meta.id.clone(),
        severity,
        message,
        path: path_from_value(path),
        related,
        at_key: matches!(at, Value::String(s) if s.as_ref() == "key"),
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
            Value::String(s) => path.push(PathSeg::Key(s.clone())),
            Value::Number(n) => match n.as_u64() {
                Some(i) => path.push(PathSeg::Index(i as usize)),
                None => break,
            },
            _ => break,
        }
    }
    path
}

#[cfg(test)]
mod tests;

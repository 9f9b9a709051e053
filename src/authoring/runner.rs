//! `blastwall test`: runs the Rego unit tests and the fixture suites of rule
//! directories, each loaded together with the built-in pack.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use regorus::Value;
use thiserror::Error;

use super::cases::{self, Actual, CaseError};
use super::coverage::{self, FileCoverage};
use super::pack::{Origin, Pack};
use super::suite::{self, Case, Input, Manifest, Suite, SuiteError};
use crate::config::{Config, ConfigError};
use crate::engine::coverage::Coverage;
use crate::engine::{pack, Engine, EngineError, RuleSource};

#[derive(Debug, Default, Clone, Copy)]
pub struct Options {
    /// Record which lines of the rule modules the tests go through.
    pub coverage: bool,
    /// What evaluates the fixture cases: the interpreter, the reference, for
    /// `blastwall test`; the differential test also runs them compiled.
    pub evaluator: crate::engine::Evaluator,
}

/// Why nothing could be tested (exit 2): the rules, a suite, a config or an input
/// a suite names.
#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Suite(#[from] SuiteError),
    #[error("{suite}: {error}")]
    Config { suite: String, error: ConfigError },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Rego `test_*` rule.
    Unit,
    /// A case of a fixture suite.
    Case,
    /// A case of a gator suite (`test.gatekeeper.sh` `Suite`).
    Gator,
}

/// One line of the comparison of a failed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// An expected finding that was found.
    Found(String),
    /// An expected finding that was not.
    Missing(String),
    /// A finding of a rule that must be absent.
    Forbidden(String),
    /// Another finding of the case.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub kind: Kind,
    /// `file:line` of the test or case.
    pub location: String,
    pub name: String,
    pub passed: bool,
    /// Why a unit test failed, or the comparison of a failed case.
    pub error: Option<String>,
    pub diff: Vec<DiffLine>,
    /// Rule ids the case expects (hit) and requires absent (miss).
    pub hits: Vec<String>,
    pub misses: Vec<String>,
    /// Why the case was not run (a gator case whose template is CEL only).
    pub skipped: Option<String>,
    /// Every finding of a case, as `rule at line N: message`.
    pub findings: Vec<String>,
}

#[derive(Debug)]
pub struct Outcome {
    pub results: Vec<TestResult>,
    /// Ids of the rules of the directories under test.
    pub rules: Vec<String>,
    pub coverage: Option<Vec<FileCoverage>>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }
}

/// Tests `dirs`, or the built-in pack when there are none.
pub fn run(dirs: &[PathBuf], options: Options) -> Result<Outcome, RunError> {
    let packs = if dirs.is_empty() {
        vec![Pack::builtin()]
    } else {
        dirs.iter()
            .map(|d| Pack::dir(d))
            .collect::<Result<Vec<_>, _>>()?
    };
    let (rules, tests) = sources(&packs);
    let mut engine = Engine::from_sources(rules.clone())?;
    engine.set_evaluator(options.evaluator);
    let gathered = options.coverage.then(|| engine.record_coverage());
    let rule_ids = engine
        .rules()
        .iter()
        .filter(|r| packs.iter().any(|p| p.holds(&r.source, None)))
        .map(|r| r.id.clone())
        .collect();

    let mut results = Vec::new();
    let mut unit_coverage = Coverage::default();
    unit_tests(
        &packs,
        &rules,
        &tests,
        options,
        &mut results,
        &mut unit_coverage,
    )?;
    let mut engines = Engines::new(engine);
    for pack in &packs {
        for name in &pack.suites {
            let text = pack.read(name).map_err(|message| SuiteError {
                file: name.clone(),
                line: 1,
                column: 1,
                message,
            })?;
            let suite = suite::parse(name, &text)?;
            run_suite(pack, &suite, &mut engines, &mut results)?;
        }
        if let Origin::Dir(dir) = &pack.origin {
            for path in crate::gatekeeper::suite::find(dir) {
                results.extend(crate::gatekeeper::suite::run(&path).into_iter().map(|r| {
                    TestResult {
                        kind: Kind::Gator,
                        location: r.location,
                        name: r.name,
                        passed: r.passed,
                        error: r.error,
                        diff: Vec::new(),
                        hits: Vec::new(),
                        misses: Vec::new(),
                        skipped: r.skipped,
                        findings: Vec::new(),
                    }
                }));
            }
        }
    }

    let coverage = gathered.map(|gathered: Arc<Mutex<Coverage>>| {
        let mut all = unit_coverage;
        if let Ok(g) = gathered.lock() {
            all.extend(&g);
        }
        let modules: Vec<&RuleSource> = rules
            .iter()
            .filter(|m| packs.iter().any(|p| p.holds(&m.name, None)))
            .collect();
        coverage::report(&all, &modules)
    });
    Ok(Outcome {
        results,
        rules: rule_ids,
        coverage,
    })
}

/// The built-in modules, then those of each directory; a directory's module that
/// is a built-in one, word for word (testing a checkout of the pack itself),
/// takes its place.
fn sources(packs: &[Pack]) -> (Vec<RuleSource>, Vec<RuleSource>) {
    let mut rules = pack::builtin();
    let mut tests = pack::builtin_tests();
    for p in packs.iter().filter(|p| matches!(p.origin, Origin::Dir(_))) {
        for (mine, all) in [(&p.rules, &mut rules), (&p.tests, &mut tests)] {
            for module in mine {
                if let Some(i) = all
                    .iter()
                    .position(|b| b.name.starts_with("builtin:") && b.text == module.text)
                {
                    all.remove(i);
                }
                all.push(module.clone());
            }
        }
    }
    (rules, tests)
}

/// Runs every `test_*` rule of the packs' modules, on one engine that holds every
/// module (so that tests may use the built-in test helpers).
fn unit_tests(
    packs: &[Pack],
    rules: &[RuleSource],
    tests: &[RuleSource],
    options: Options,
    results: &mut Vec<TestResult>,
    gathered: &mut Coverage,
) -> Result<(), RunError> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    if options.coverage {
        engine.set_enable_coverage(true);
    }
    let mut packages = Vec::new();
    for module in rules.iter().chain(tests) {
        let package = engine
            .add_policy(module.name.clone(), module.text.clone())
            .map_err(|e| EngineError::Compile {
                source_name: module.name.clone(),
                message: e.to_string(),
            })?;
        packages.push((module, package));
    }
    for (module, package) in packages {
        if !packs.iter().any(|p| p.holds(&module.name, None)) {
            continue;
        }
        for (name, line) in test_rules(&module.text) {
            let query = format!("{package}.{name}");
            let (passed, error) = match engine.eval_rule(query) {
                Ok(Value::Bool(true)) => (true, None),
                Ok(Value::Undefined) => (false, Some("undefined: a condition is false".into())),
                Ok(other) => (false, Some(format!("evaluated to {other}, not true"))),
                Err(e) => (false, Some(e.to_string())),
            };
            results.push(TestResult {
                kind: Kind::Unit,
                location: format!("{}:{line}", display_name(&module.name)),
                name,
                passed,
                error,
                diff: Vec::new(),
                hits: Vec::new(),
                misses: Vec::new(),
                skipped: None,
                findings: Vec::new(),
            });
        }
    }
    if options.coverage {
        gathered.merge_from(&engine);
    }
    Ok(())
}

/// `(name, line)` of each `test_*` rule (defined at the start of a line), once.
pub fn test_rules(text: &str) -> Vec<(String, usize)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if seen.insert(name.clone()) {
            out.push((name, i + 1));
        }
    }
    out
}

/// `rules/x.rego` for `builtin:rules/x.rego`; other names as they are.
pub fn display_name(name: &str) -> &str {
    name.strip_prefix("builtin:").unwrap_or(name)
}

/// The engine of each config a suite names, built once.
struct Engines {
    base: Engine,
    by_config: BTreeMap<String, (Engine, Config)>,
}

impl Engines {
    fn new(base: Engine) -> Engines {
        Engines {
            base,
            by_config: BTreeMap::new(),
        }
    }

    fn get(
        &mut self,
        pack: &Pack,
        suite: &str,
        config: Option<&str>,
    ) -> Result<(&Engine, Option<&Config>), RunError> {
        let Some(name) = config else {
            return Ok((&self.base, None));
        };
        if !self.by_config.contains_key(name) {
            let wrap = |error| RunError::Config {
                suite: suite.to_string(),
                error,
            };
            let config = match pack.origin {
                Origin::Builtin => {
                    let text = pack.read(name).map_err(|message| SuiteError {
                        file: suite.to_string(),
                        line: 1,
                        column: 1,
                        message,
                    })?;
                    crate::config::parse(name, text).map_err(wrap)?
                }
                Origin::Dir(_) => crate::config::load(std::path::Path::new(name)).map_err(wrap)?,
            };
            crate::config::check_rules(&config, self.base.rules()).map_err(wrap)?;
            let mut engine = self.base.clone();
            engine.set_config(config.to_value())?;
            self.by_config.insert(name.to_string(), (engine, config));
        }
        let (engine, config) = &self.by_config[name];
        Ok((engine, Some(config)))
    }
}

fn run_suite(
    pack: &Pack,
    suite: &Suite,
    engines: &mut Engines,
    results: &mut Vec<TestResult>,
) -> Result<(), RunError> {
    // Every rule id a suite names must exist: a typo would pass silently as `absent`.
    let named = suite
        .cases
        .iter()
        .flat_map(|case| {
            let expected = case.expect.iter().map(|e| (&e.rule, e.at));
            let absent = case.absent.iter().map(|a| (&a.rule, a.at));
            expected
                .chain(absent)
                .map(move |(id, at)| (&case.name, id, at))
        })
        .chain(
            suite
                .examples_except
                .iter()
                .map(|a| (&suite.name, &a.rule, a.at)),
        );
    for (what, id, at) in named {
        if engines.base.rule(id).is_none() {
            return Err(SuiteError {
                file: suite.name.clone(),
                line: at,
                column: 1,
                message: format!("`{what}`: no rule has the id `{id}`"),
            }
            .into());
        }
    }
    let mut all: Vec<Case> = suite.cases.clone();
    if let Some(line) = suite.examples {
        all.extend(example_cases(pack, suite, &engines.base, line));
    }
    for case in &all {
        let config = match &case.config {
            Some(explicit) => explicit.as_deref().map(|c| pack.join(&suite.name, c)),
            None => suite.config.as_deref().map(|c| pack.join(&suite.name, c)),
        };
        let (engine, config) = engines.get(pack, &suite.name, config.as_deref())?;
        let actual = cases::evaluate(pack, &suite.name, case, engine, config).map_err(
            |CaseError(message)| SuiteError {
                file: suite.name.clone(),
                line: case.line,
                column: 1,
                message: format!("case `{}`: {message}", case.name),
            },
        )?;
        results.push(compare(&suite.name, case, &actual));
    }
    Ok(())
}

/// A hit case from the bad example and a miss case from the good example of each
/// rule in the suite's directory.
fn example_cases(pack: &Pack, suite: &Suite, engine: &Engine, line: usize) -> Vec<Case> {
    let mut out = Vec::new();
    for rule in engine.rules() {
        if !pack.holds(&rule.source, Some(&suite.name))
            || suite.examples_except.iter().any(|x| x.rule == rule.id)
        {
            continue;
        }
        let Some(example) = &rule.example else {
            continue;
        };
        for (which, text, hit) in [("bad", &example.bad, true), ("good", &example.good, false)] {
            if text.trim().is_empty() {
                continue;
            }
            let id = rule.id.clone();
            out.push(Case {
                name: format!("{id}: the {which} example of its metadata"),
                line,
                input: Input::Lint(Manifest::Inline(text.clone())),
                config: None,
                expect: match hit {
                    true => vec![suite::Expected {
                        rule: id.clone(),
                        line: None,
                        column: None,
                        message: None,
                        at: line,
                    }],
                    false => Vec::new(),
                },
                absent: match hit {
                    true => Vec::new(),
                    false => vec![suite::Absent { rule: id, at: line }],
                },
            });
        }
    }
    out
}

/// Findings of a failed case shown beyond those it is about.
const MAX_OTHERS: usize = 5;

/// Checks the findings of `case` against its expectations.
fn compare(suite: &str, case: &Case, actual: &[Actual]) -> TestResult {
    let mut used = vec![false; actual.len()];
    let mut diff = Vec::new();
    let mut passed = true;
    for expected in &case.expect {
        let found = actual.iter().enumerate().position(|(i, a)| {
            !used[i]
                && a.rule == expected.rule
                && expected.line.is_none_or(|l| a.line == Some(l))
                && expected.column.is_none_or(|c| a.column == Some(c))
                && expected
                    .message
                    .as_ref()
                    .is_none_or(|re| re.is_match(&a.message))
        });
        match found {
            Some(i) => {
                used[i] = true;
                diff.push(DiffLine::Found(expected.to_string()));
            }
            None => {
                passed = false;
                diff.push(DiffLine::Missing(expected.to_string()));
            }
        }
    }
    let mut others = 0;
    for (i, a) in actual.iter().enumerate() {
        if used[i] {
            continue;
        }
        if case.absent.iter().any(|x| x.rule == a.rule) {
            passed = false;
            diff.push(DiffLine::Forbidden(a.to_string()));
        } else if others < MAX_OTHERS {
            others += 1;
            diff.push(DiffLine::Other(a.to_string()));
        } else {
            others += 1;
        }
    }
    if others > MAX_OTHERS {
        diff.push(DiffLine::Other(format!(
            "… and {} more findings",
            others - MAX_OTHERS
        )));
    }
    TestResult {
        kind: Kind::Case,
        location: format!("{suite}:{}", case.line),
        name: case.name.clone(),
        passed,
        error: None,
        diff: if passed { Vec::new() } else { diff },
        hits: case.expect.iter().map(|e| e.rule.clone()).collect(),
        misses: case.absent.iter().map(|a| a.rule.clone()).collect(),
        skipped: None,
        findings: actual.iter().map(|a| a.to_string()).collect(),
    }
}

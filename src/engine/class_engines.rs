//! One prepared `regorus::Engine` per kind class, holding only the modules that
//! class needs: its rule packages, the libraries they read, and an aggregate of
//! its own.
//!
//! regorus 0.14.1 walks every loaded module on each first read of a `data` path and
//! on each switch of the current module, so an evaluation costs in proportion to
//! the modules loaded, used or not: a Pod review against the 20-odd modules it
//! needs is about twice as fast as against the whole pack. Each class engine is
//! compiled on first use (or by [`ClassEngines::prepare_all`]).
//!
//! A rule module that may read another rule package (`data.blastwall.rules.x`, or
//! `data[...]`) takes that package along; one whose reads cannot be told from its
//! text turns the pruning off, and every class then runs on the whole pack.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Value;

use super::classes::{Classes, SELECTED_QUERY};
use super::fact_reads::Module;
use super::{RuleSource, READY_QUERY, RULES_PACKAGE};

/// At most this many classes get an engine of their own; reviews of further
/// classes run on the whole pack (a rule set that matches by name could otherwise
/// make a class per name).
const MAX_CLASSES: usize = 512;

type Slot = Arc<OnceLock<Option<Arc<ClassEngine>>>>;

/// A class's prepared interpreter, and its program for regorus's VM.
pub(super) struct ClassEngine {
    /// `None` in a compiled-only process once the program is compiled: the parsed
    /// modules are most of a class's memory, and the VM does not read them.
    pub interpreter: Option<regorus::Engine>,
    /// Compiled on first use; `None` when the class cannot be compiled for the VM:
    /// it is then interpreted.
    program: OnceLock<Option<Arc<Program>>>,
}

impl ClassEngine {
    pub fn program(&self) -> Option<&Arc<Program>> {
        self.program
            .get_or_init(|| self.interpreter.as_ref().and_then(compile_program))
            .as_ref()
    }
}

/// What each class compiles, and its engine once compiled.
pub(super) struct ClassEngines {
    sources: Arc<Vec<RuleSource>>,
    packages: Arc<BTreeMap<String, usize>>,
    /// What each module reads; `None` when the whole pack must be used.
    reads: Arc<Option<Vec<BTreeSet<String>>>>,
    /// For every module, the modules of other packages than rule packages (the
    /// libraries) it may read; `None`: every class takes every library.
    libraries: Arc<Option<Vec<BTreeSet<usize>>>>,
    classes: Arc<Classes>,
    /// `data` of every evaluation (the config).
    pub data: Value,
    timer: Option<ExecutionTimerConfig>,
    engines: Mutex<HashMap<Vec<usize>, Slot>>,
    /// Set when the process evaluates on the VM only (the webhook): a class then
    /// keeps its program and lets its interpreter go.
    pub compiled_only: bool,
}

impl ClassEngines {
    /// `sources`: every module, and `modules` what each refers to; `packages`: rule
    /// package short name → index of its module in `sources`; `data` and `timer` as
    /// in the whole-pack engine.
    pub fn new(
        sources: Arc<Vec<RuleSource>>,
        modules: &[Module],
        packages: Arc<BTreeMap<String, usize>>,
        classes: Arc<Classes>,
        data: Value,
        timer: Option<ExecutionTimerConfig>,
    ) -> ClassEngines {
        ClassEngines {
            reads: Arc::new(reads(modules, &packages)),
            libraries: Arc::new(library_reads(modules, &packages)),
            sources,
            packages,
            classes,
            data,
            timer,
            engines: Mutex::new(HashMap::new()),
            compiled_only: false,
        }
    }

    /// The same classes, none compiled yet, with other `data` and `timer`.
    pub fn renewed(&self, data: Value, timer: Option<ExecutionTimerConfig>) -> ClassEngines {
        ClassEngines {
            sources: self.sources.clone(),
            packages: self.packages.clone(),
            reads: self.reads.clone(),
            libraries: self.libraries.clone(),
            classes: self.classes.clone(),
            data,
            timer,
            engines: Mutex::new(HashMap::new()),
            compiled_only: self.compiled_only,
        }
    }

    /// The prepared engines of the class `members` (rule indexes), or `None` when
    /// the class runs on the whole pack.
    pub fn engine(&self, members: &[usize]) -> Option<Arc<ClassEngine>> {
        self.reads.as_ref().as_ref()?;
        let slot = {
            let mut engines = self.engines.lock().ok()?;
            match engines.get(members) {
                Some(slot) => slot.clone(),
                None if engines.len() >= MAX_CLASSES => return None,
                None => engines.entry(members.to_vec()).or_default().clone(),
            }
        };
        slot.get_or_init(|| self.compile(members)).clone()
    }

    /// Compiles the classes reviews most likely need now, so that no evaluation
    /// waits for them.
    pub fn prepare_all(&self) {
        for members in self.classes.likely() {
            if let Some(class) = self.engine(&members) {
                let _ = class.program();
            }
        }
    }

    /// How many modules the class `members` loads (0: the whole pack).
    #[cfg(test)]
    pub fn module_count(&self, members: &[usize]) -> usize {
        match self.reads.as_ref() {
            Some(reads) => self.class_sources(reads, members).len(),
            None => 0,
        }
    }

    fn compile(&self, members: &[usize]) -> Option<Arc<ClassEngine>> {
        let sources = self.class_sources(self.reads.as_ref().as_ref()?, members);
        let mut engine = super::new_interpreter();
        for source in sources {
            engine.add_policy(source.name, source.text).ok()?;
        }
        engine.add_data(self.data.clone()).ok()?;
        if let Some(timer) = self.timer {
            engine.set_execution_timer_config(timer);
        }
        // Prepared once here, so that each evaluation's clone shares the result.
        engine.eval_rule(READY_QUERY.to_string()).ok()?;
        if self.compiled_only {
            if let Some(program) = compile_program(&engine) {
                return Some(Arc::new(ClassEngine {
                    interpreter: None,
                    program: OnceLock::from(Some(program)),
                }));
            }
        }
        Some(Arc::new(ClassEngine {
            interpreter: Some(engine),
            program: OnceLock::new(),
        }))
    }

    /// The modules of a class, in their original order: the class's rule packages
    /// and whatever they read (the libraries they import, other rule packages),
    /// and the class's own aggregate. When the libraries a module reads cannot be
    /// told, every library.
    fn class_sources(&self, reads: &[BTreeSet<String>], members: &[usize]) -> Vec<RuleSource> {
        let packages = self.packages.as_ref();
        let libraries = self.libraries.as_ref().as_ref();
        let mut pending: Vec<usize> = match libraries {
            Some(_) => Vec::new(),
            None => {
                let rule_modules: BTreeSet<usize> = packages.values().copied().collect();
                (0..self.sources.len())
                    .filter(|i| !rule_modules.contains(i))
                    .collect()
            }
        };
        let mut wanted: BTreeSet<usize> = BTreeSet::new();
        pending.extend(
            members
                .iter()
                .filter_map(|&m| self.classes.short(m))
                .filter_map(|short| packages.get(short).copied()),
        );
        while let Some(i) = pending.pop() {
            if !wanted.insert(i) {
                continue;
            }
            for short in reads.get(i).into_iter().flatten() {
                if let Some(&j) = packages.get(short) {
                    if !wanted.contains(&j) {
                        pending.push(j);
                    }
                }
            }
            let read = libraries.and_then(|l| l.get(i)).into_iter().flatten();
            pending.extend(read.filter(|j| !wanted.contains(j)));
        }
        let mut out: Vec<RuleSource> = wanted.iter().map(|&i| self.sources[i].clone()).collect();
        out.push(RuleSource {
            name: super::AGGREGATE_SOURCE.into(),
            text: self.classes.aggregate_module(
                SELECTED_QUERY.rsplit('.').next().unwrap_or("selected"),
                members,
            ),
        });
        out
    }
}

/// The VM program of a prepared class engine, with the class's aggregate set as its
/// entry point; `None` (and one notice on stderr per process) when regorus cannot
/// compile it, so that the class is interpreted instead.
fn compile_program(engine: &regorus::Engine) -> Option<Arc<Program>> {
    let mut engine = engine.clone();
    let compiled = engine
        .compile_with_entrypoint(&SELECTED_QUERY.into())
        .map_err(|e| e.to_string())
        .and_then(|policy| {
            Compiler::compile_from_policy(&policy, &[SELECTED_QUERY]).map_err(|e| e.to_string())
        });
    match compiled {
        Ok(program) => Some(program),
        Err(e) => {
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                eprintln!(
                    "note: some rules cannot be compiled for regorus's VM and are interpreted instead (slower, same findings): {e}"
                );
            });
            None
        }
    }
}

/// For every module, the rule packages it may read, by the
/// `data.` paths it names (`modules`, [`super::fact_reads::modules`]); `None` when
/// some module's reads cannot be told: a path to `data.blastwall.rules` or one of
/// its parents, or to a rule package that does not exist, or `data` named whole.
fn reads(modules: &[Module], packages: &BTreeMap<String, usize>) -> Option<Vec<BTreeSet<String>>> {
    let rules = &RULES_PACKAGE["data.".len()..RULES_PACKAGE.len() - 1];
    let mut out = Vec::with_capacity(modules.len());
    for module in modules {
        let mut read = BTreeSet::new();
        for path in module.refs.as_ref()? {
            if within(path, rules) {
                // Any rule package.
                return None;
            }
            let Some(name) = path
                .strip_prefix(rules)
                .and_then(|rest| rest.strip_prefix('.'))
            else {
                continue;
            };
            // The longest package name the reference starts with.
            let package = packages
                .keys()
                .filter(|short| within(short, name))
                .max_by_key(|short| short.len())?;
            read.insert(package.clone());
        }
        out.push(read);
    }
    Some(out)
}

/// Whether the `data` path `inner` is `outer` or lies under it.
fn within(outer: &str, inner: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|r| r.is_empty() || r.starts_with('.'))
}

/// For every module, the modules it may read that declare no rule package (the
/// libraries), by the `data.` paths it names: every module of a package that a path
/// names or lies in. `None` when that cannot be told (a library of no package, a
/// path to a parent of a library's package, `import data`): then every class takes
/// every library.
fn library_reads(
    modules: &[Module],
    packages: &BTreeMap<String, usize>,
) -> Option<Vec<BTreeSet<usize>>> {
    let rule_modules: BTreeSet<usize> = packages.values().copied().collect();
    // Package (without `data.`) → its modules.
    let mut libraries: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, module) in modules.iter().enumerate() {
        if !rule_modules.contains(&i) {
            if module.package.is_empty() {
                return None;
            }
            libraries.entry(&module.package).or_default().push(i);
        }
    }
    let mut out = Vec::with_capacity(modules.len());
    for module in modules {
        let mut read = BTreeSet::new();
        for path in module.refs.as_ref()? {
            for (package, members) in &libraries {
                if within(package, path) {
                    read.extend(members.iter().copied());
                } else if within(path, package) {
                    // A parent of the library's package: what it reads depends on
                    // more than its text says.
                    return None;
                }
            }
        }
        out.push(read);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fact_reads::modules;

    fn source(name: &str, text: &str) -> RuleSource {
        RuleSource {
            name: name.into(),
            text: text.into(),
        }
    }

    fn packages() -> BTreeMap<String, usize> {
        [
            ("a".to_string(), 1),
            ("a_b".to_string(), 2),
            ("c".to_string(), 3),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn rule_packages_read_by_name_are_found() {
        let sources = [
            source(
                "lib",
                "package blastwall.lib.x\nx := data.blastwall.rules.c.deny",
            ),
            source(
                "a",
                "package blastwall.rules.a\nimport data.blastwall.rules.a_b as r",
            ),
            source("a_b", "package blastwall.rules.a_b\n"),
            source("c", "package blastwall.rules.c\n"),
        ];
        let reads = reads(&modules(&sources), &packages()).unwrap();
        let names = |i: usize| reads[i].iter().cloned().collect::<Vec<_>>();
        assert_eq!(names(0), ["c"]);
        assert_eq!(names(1), ["a_b"]);
        assert!(names(2).is_empty());
    }

    #[test]
    fn libraries_are_taken_by_the_classes_that_read_them() {
        let sources = [
            source("lib_a", "package blastwall.lib.a\nf(x) := x"),
            source(
                "a",
                "package blastwall.rules.a\nimport data.blastwall.lib.a\n# metadata.x",
            ),
            source(
                "a_b",
                "package blastwall.rules.a_b\nx := data.blastwall.lib.b.g(1)",
            ),
            source(
                "c",
                "package blastwall.rules.c\nx := data.blastwall.config.y",
            ),
            source(
                "lib_b",
                "package blastwall.lib.b\nimport data.blastwall.lib.a\ng(x) := a.f(x)",
            ),
            source("lib_b2", "package blastwall.lib.b\nh := 1"),
        ];
        let packages: BTreeMap<String, usize> = [
            ("a".to_string(), 1),
            ("a_b".to_string(), 2),
            ("c".to_string(), 3),
        ]
        .into_iter()
        .collect();
        let read = library_reads(&modules(&sources), &packages).unwrap();
        let names = |i: usize| read[i].iter().copied().collect::<Vec<_>>();
        assert_eq!(names(0), Vec::<usize>::new());
        assert_eq!(names(1), [0]);
        assert_eq!(names(2), [4, 5]);
        assert_eq!(names(3), Vec::<usize>::new());
        assert_eq!(names(4), [0]);
        // A class takes what its rules read, transitively.
        let rules: Vec<(String, super::super::matching::Match)> = ["a", "a_b", "c"]
            .iter()
            .map(|s| (s.to_string(), Default::default()))
            .collect();
        let engines = ClassEngines::new(
            Arc::new(sources.to_vec()),
            &modules(&sources),
            Arc::new(packages.clone()),
            Arc::new(Classes::new(rules)),
            Value::new_object(),
            None,
        );
        let names = |members: &[usize]| -> Vec<String> {
            let reads = engines.reads.as_ref().as_ref().unwrap();
            engines
                .class_sources(reads, members)
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(&[2]), ["c", super::super::AGGREGATE_SOURCE]);
        assert_eq!(names(&[0]), ["lib_a", "a", super::super::AGGREGATE_SOURCE]);
        assert_eq!(
            names(&[1]),
            [
                "lib_a",
                "a_b",
                "lib_b",
                "lib_b2",
                super::super::AGGREGATE_SOURCE
            ]
        );
        // A path to a parent of a library: every class takes every library.
        for text in [
            "package blastwall.rules.c\nx := data.blastwall.lib",
            "package blastwall.rules.c\nimport data\n",
        ] {
            let mut with = sources.to_vec();
            with[3] = source("c", text);
            assert!(
                library_reads(&modules(&with), &packages).is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn reads_that_cannot_be_told_turn_pruning_off() {
        for text in [
            "package blastwall.rules.a\nx := data.blastwall.rules[k]",
            "package blastwall.rules.a\nx := data[k]",
            "package blastwall.rules.a\nx := data.blastwall.rules.zzz.deny",
        ] {
            let sources = [source("a", text)];
            assert!(reads(&modules(&sources), &packages()).is_none(), "{text}");
        }
    }
}

//! Where rule modules come from: the pack embedded at build time, and user directories.

use std::path::{Path, PathBuf};

use super::EngineError;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// One Rego module's text and the name errors should show for it.
#[derive(Clone, Debug)]
pub struct RuleSource {
    /// `builtin:rules/workload/privileged_container.rego`, or the file's path.
    pub name: String,
    pub text: String,
}

/// The modules of the built-in pack: rules and their library, without tests.
pub fn builtin() -> Vec<RuleSource> {
    BUILTIN_RULES
        .iter()
        .map(|(path, text)| RuleSource {
            name: format!("builtin:{path}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// For each module of [`builtin`], in order, what `build.rs` read from its text: the
/// package it declares and its `metadata` as JSON (`literal.rs`), each `None`
/// when it could not be read that way.
pub(super) fn builtin_metadata() -> &'static [(Option<&'static str>, Option<&'static str>)] {
    BUILTIN_METADATA
}

/// What `build.rs` read from a built-in module's text (`literal::refs`): its package
/// (without `data.`), the facts it reads (`None`: every one) and the `data` paths it
/// names (`None`: any).
pub(super) type BuiltinRefs = (
    &'static str,
    Option<&'static [&'static str]>,
    Option<&'static [&'static str]>,
);

/// For each module of [`builtin`], in order, what `build.rs` read from its text.
pub(super) fn builtin_refs() -> &'static [BuiltinRefs] {
    BUILTIN_REFS
}

/// Whether `source` is the module of [`builtin`] at `index`.
pub(super) fn is_builtin_module(index: usize, source: &RuleSource) -> bool {
    BUILTIN_RULES.get(index).is_some_and(|(path, text)| {
        source.name.strip_prefix("builtin:") == Some(*path) && source.text == *text
    })
}

/// Whether `sources` are exactly the modules of [`builtin`].
pub(super) fn is_builtin(sources: &[RuleSource]) -> bool {
    sources.len() == BUILTIN_RULES.len()
        && sources
            .iter()
            .enumerate()
            .all(|(i, source)| is_builtin_module(i, source))
}

/// The Rego unit tests of the built-in pack (`rules/**/*_test.rego`).
pub fn builtin_tests() -> Vec<RuleSource> {
    BUILTIN_TESTS
        .iter()
        .map(|(path, text)| RuleSource {
            name: format!("builtin:{path}"),
            text: (*text).to_string(),
        })
        .collect()
}

/// The data files embedded with the built-in pack, by path relative to the
/// repository: its fixture suites (`rules/**/*.cases.yaml`) and the example inputs
/// under `fixtures/` they read.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_FILES
}

/// Every `.rego` module under `dir`, recursively and in a stable order.
/// With `with_tests` false, `*_test.rego` files are left out.
pub fn from_dir(dir: &Path, with_tests: bool) -> Result<Vec<RuleSource>, EngineError> {
    if !dir.is_dir() {
        return Err(EngineError::RuleDir {
            dir: dir.to_path_buf(),
            message: "not a directory".into(),
        });
    }
    let paths = files_under(dir, |path| {
        path.extension().is_some_and(|e| e == "rego") && (with_tests || !is_test_module(path))
    })?;
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| EngineError::RuleDir {
                dir: path.clone(),
                message: e.to_string(),
            })?;
            Ok(RuleSource {
                name: path.display().to_string(),
                text,
            })
        })
        .collect()
}

/// The files under `dir`, recursively, that `keep` accepts, sorted.
pub fn files_under(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, EngineError> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| EngineError::RuleDir {
            dir: d.clone(),
            message: e.to_string(),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if keep(&path) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    Ok(paths)
}

pub fn is_test_module(path: &Path) -> bool {
    path.file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with("_test"))
}

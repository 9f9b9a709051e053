//! A rule directory under test: its rule modules, its Rego tests, its fixture
//! suites, and how the files its suites name are read — from disk, or for the
//! built-in pack from what the binary embeds.

use std::path::{Component, Path, PathBuf};

use crate::engine::pack::{self, is_test_module};
use crate::engine::{EngineError, RuleSource};

/// Largest suite, manifest or AdmissionReview file a suite may read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Suite files are named `<anything>.cases.yaml` (or `.cases.yml`).
pub fn is_suite(name: &str) -> bool {
    name.ends_with(".cases.yaml") || name.ends_with(".cases.yml")
}

#[derive(Debug, Clone)]
pub enum Origin {
    /// The pack embedded in the binary.
    Builtin,
    Dir(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Pack {
    pub origin: Origin,
    /// Modules that are not tests (rules and libraries).
    pub rules: Vec<RuleSource>,
    /// `*_test.rego` modules.
    pub tests: Vec<RuleSource>,
    /// Suite files, as [`Pack::read`] takes them.
    pub suites: Vec<String>,
}

impl Pack {
    pub fn builtin() -> Pack {
        Pack {
            origin: Origin::Builtin,
            rules: pack::builtin(),
            tests: pack::builtin_tests(),
            suites: pack::builtin_files()
                .iter()
                .map(|(path, _)| *path)
                .filter(|p| p.starts_with("rules/") && is_suite(p))
                .map(str::to_string)
                .collect(),
        }
    }

    pub fn dir(dir: &Path) -> Result<Pack, EngineError> {
        let (tests, rules) = pack::from_dir(dir, true)?
            .into_iter()
            .partition(|m| is_test_module(Path::new(&m.name)));
        let mut suites = pack::files_under(dir, |path| {
            path.file_name()
                .is_some_and(|name| is_suite(&name.to_string_lossy()))
        })?
        .into_iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>();
        // By name as shown, as suites have always been listed.
        suites.sort();
        Ok(Pack {
            origin: Origin::Dir(dir.to_path_buf()),
            rules,
            tests,
            suites,
        })
    }

    /// How the pack is named in output.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Builtin => "the built-in pack".into(),
            Origin::Dir(dir) => dir.display().to_string(),
        }
    }

    /// `rel` (as written in `suite`) as a name [`Pack::read`] takes.
    pub fn join(&self, suite: &str, rel: &str) -> String {
        let base = Path::new(suite).parent().unwrap_or(Path::new(""));
        match self.origin {
            Origin::Builtin => normalize(&base.join(rel)),
            Origin::Dir(_) => base.join(rel).display().to_string(),
        }
    }

    /// The text of `name` (a suite, or a file a suite names).
    pub fn read(&self, name: &str) -> Result<String, String> {
        match self.origin {
            Origin::Builtin => pack::builtin_files()
                .iter()
                .find(|(path, _)| *path == name)
                .map(|(_, text)| (*text).to_string())
                .ok_or_else(|| format!("{name}: not embedded with the built-in pack")),
            Origin::Dir(_) => {
                use std::io::Read;
                let file = std::fs::File::open(name).map_err(|e| format!("{name}: {e}"))?;
                let mut text = String::new();
                file.take(MAX_FILE_BYTES + 1)
                    .read_to_string(&mut text)
                    .map_err(|e| format!("{name}: {e}"))?;
                if text.len() as u64 > MAX_FILE_BYTES {
                    return Err(format!("{name}: larger than {MAX_FILE_BYTES} bytes"));
                }
                Ok(text)
            }
        }
    }

    /// Whether the module named `source` belongs to this pack, and, for a rule,
    /// whether it lives in the directory of `suite` or below.
    pub fn holds(&self, source: &str, suite: Option<&str>) -> bool {
        let path = match self.origin {
            Origin::Builtin => match source.strip_prefix("builtin:") {
                Some(path) => path,
                None => return false,
            },
            Origin::Dir(_) => source,
        };
        let mine = self
            .rules
            .iter()
            .chain(&self.tests)
            .any(|m| m.name == source);
        match suite {
            None => mine,
            Some(suite) => {
                let dir = Path::new(suite).parent().unwrap_or(Path::new(""));
                mine && Path::new(path).starts_with(dir)
            }
        }
    }
}

/// `a/b/../c` as `a/c`, with `/` separators (embedded names).
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_paths_are_joined_lexically() {
        let pack = Pack::builtin();
        assert_eq!(
            pack.join(
                "rules/workload/workload.cases.yaml",
                "../../fixtures/x.yaml"
            ),
            "fixtures/x.yaml"
        );
    }
}

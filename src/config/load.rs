//! Reading a config file: span-aware YAML → serde with the failing field's path →
//! that field's line and column.

use std::path::{Path, PathBuf};

use super::error::{label, ConfigDiagnostic, ConfigError};
use super::types::{Config, ConfigSource};
use super::{policy, validate};
use crate::source::{yaml, Limits, PathSeg, SourceFile, SpanNode};

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = ".blastwall.yaml";

/// Config files are small; anything larger is a mistake.
const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;

/// `.blastwall.yaml` in `start` or the nearest parent directory that has one.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The config of a run: `explicit` (`--config FILE`) if given, else `.blastwall.yaml`
/// in `cwd` or its nearest parent that has one, else none (tenancy rules stay silent).
pub fn resolve(explicit: Option<&Path>, cwd: &Path) -> Result<Option<Config>, ConfigError> {
    if let Some(path) = explicit {
        return load(path).map(Some);
    }
    match discover(cwd) {
        // Named relative to `cwd` (`.blastwall.yaml`, `../.blastwall.yaml`), as
        // findings about it are reported next to the linted files.
        Some(path) => {
            let up = cwd.ancestors().position(|dir| path.parent() == Some(dir));
            let name = match up {
                Some(n) => PathBuf::from("../".repeat(n)).join(FILE_NAME),
                None => path.clone(),
            };
            load_named(&path, &name).map(Some)
        }
        None => Ok(None),
    }
}

/// Reads and validates the config at `path`. Its `ruleDirs` come back resolved
/// against the file's directory, and each must be a directory.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    load_named(path, path)
}

/// Reads the config at `path`, calling it `name` in messages and reports.
fn load_named(path: &Path, name: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let file = SourceFile::new(name.display().to_string(), Some(name.to_path_buf()), text);
    parse_in(file, Some(base))
}

/// Parses and validates config `text`; `name` is the file name shown in errors.
/// `ruleDirs` are left as written.
pub fn parse(name: &str, text: String) -> Result<Config, ConfigError> {
    parse_in(SourceFile::new(name.to_string(), None, text), None)
}

fn parse_in(file: SourceFile, base: Option<&Path>) -> Result<Config, ConfigError> {
    let invalid = |diagnostics: Vec<ConfigDiagnostic>, file: SourceFile| ConfigError::Invalid {
        file: file.name,
        text: file.text,
        diagnostics,
    };
    let limits = Limits {
        max_file_bytes: MAX_CONFIG_BYTES,
        ..Limits::default()
    };
    let mut stream = yaml::parse_stream(&file.text, &limits);
    if let Some(err) = stream.errors.first() {
        let span = err.span.clone().unwrap_or(0..0);
        let d = simple(&file, span, err.message.clone(), "here");
        return Err(invalid(vec![d], file));
    }
    if stream.docs.len() > 1 {
        let span = stream.docs[1].span.start..stream.docs[1].span.start;
        let d = simple(
            &file,
            span,
            "a config file holds one YAML document".into(),
            "second document",
        );
        return Err(invalid(vec![d], file));
    }
    let Some(doc) = stream.docs.pop() else {
        let d = simple(&file, 0..0, "the config file is empty".into(), "here");
        return Err(invalid(vec![d], file));
    };
    let json = match serde_json::to_value(&doc.value) {
        Ok(json) => json,
        Err(e) => {
            let d = simple(&file, doc.span.clone(), e.to_string(), "here");
            return Err(invalid(vec![d], file));
        }
    };
    let mut config: Config = match serde_path_to_error::deserialize(json) {
        Ok(config) => config,
        Err(err) => {
            let d = deserialize_diagnostic(&file, &doc.spans, &err);
            return Err(invalid(vec![d], file));
        }
    };
    let mut problems = validate::check(&config, &file, &doc.spans);
    if let Some(base) = base {
        problems.extend(resolve_rule_dirs(&mut config, base, &file, &doc.spans));
    }
    problems.extend(policy::check(&config, &file, &doc.spans));
    if problems.is_empty() {
        config.source = Some(std::sync::Arc::new(ConfigSource {
            file,
            spans: doc.spans,
        }));
        Ok(config)
    } else {
        problems.sort_by_key(|d| d.primary.span.start);
        Err(invalid(problems, file))
    }
}

/// Makes each of `ruleDirs` relative to `base` (the config file's directory) and
/// reports those that are not directories.
fn resolve_rule_dirs(
    config: &mut Config,
    base: &Path,
    file: &SourceFile,
    spans: &SpanNode,
) -> Vec<ConfigDiagnostic> {
    let mut problems = Vec::new();
    for (i, dir) in config.rule_dirs.iter_mut().enumerate() {
        let resolved = base.join(&*dir);
        if !resolved.is_dir() {
            let path = [PathSeg::Key("ruleDirs".into()), PathSeg::Index(i)];
            let span = spans.resolve(&path).node.label_range();
            problems.push(ConfigDiagnostic {
                message: format!("rule directory `{}` does not exist", dir.display()),
                primary: label(
                    file,
                    span,
                    format!("not a directory: {}", resolved.display()),
                ),
                secondary: Vec::new(),
                help: Some("rule directories are relative to the config file".into()),
            });
        }
        *dir = resolved;
    }
    for (i, path) in config.gatekeeper.iter_mut().enumerate() {
        let resolved = base.join(&*path);
        if !resolved.exists() {
            let at = [PathSeg::Key("gatekeeper".into()), PathSeg::Index(i)];
            let span = spans.resolve(&at).node.label_range();
            problems.push(ConfigDiagnostic {
                message: format!("Gatekeeper policy path `{}` does not exist", path.display()),
                primary: label(file, span, format!("not found: {}", resolved.display())),
                secondary: Vec::new(),
                help: Some(
                    "gatekeeper paths (files or directories of ConstraintTemplates and Constraints) are relative to the config file"
                        .into(),
                ),
            });
        }
        *path = resolved;
    }
    problems
}

fn simple(
    file: &SourceFile,
    span: crate::source::ByteRange,
    message: String,
    at: &str,
) -> ConfigDiagnostic {
    ConfigDiagnostic {
        message,
        primary: label(file, span, at),
        secondary: Vec::new(),
        help: None,
    }
}

/// Places a serde error at the field it is about.
fn deserialize_diagnostic(
    file: &SourceFile,
    spans: &SpanNode,
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> ConfigDiagnostic {
    let mut path: Vec<PathSeg> = err
        .path()
        .iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.as_str().into())),
            _ => None,
        })
        .collect();
    let message = err.inner().to_string();
    // serde reports an unknown field at its parent; point at the key itself.
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string);
    if let Some(key) = &unknown {
        if path.last() != Some(&PathSeg::Key(key.as_str().into())) {
            path.push(PathSeg::Key(key.as_str().into()));
        }
    }
    let resolved = spans.resolve(&path);
    let node = resolved.node;
    let span = match (&unknown, &node.key_span) {
        (Some(_), Some(key)) => key.clone(),
        _ => node.label_range(),
    };
    let shown = crate::source::display_path(&path);
    let (message, at) = match &unknown {
        Some(key) => (
            format!(
                "unknown field `{key}` in {}",
                where_(&path[..path.len() - 1])
            ),
            "not a field of the config".to_string(),
        ),
        None if shown.is_empty() => (message, "here".to_string()),
        None => (format!("{shown}: {message}"), "here".to_string()),
    };
    let help = unknown.as_ref().and_then(|_| {
        err.inner()
            .to_string()
            .split_once(", expected ")
            .map(|(_, expected)| format!("expected {expected}"))
    });
    ConfigDiagnostic {
        message,
        primary: label(file, span, at),
        secondary: Vec::new(),
        help,
    }
}

fn where_(path: &[PathSeg]) -> String {
    if path.is_empty() {
        "the config".into()
    } else {
        format!("`{}`", crate::source::display_path(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "apiVersion: blastwall.dev/v1alpha1\nkind: Config\n";

    #[test]
    fn discovery_walks_up_from_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("deploy/payroll");
        std::fs::create_dir_all(&nested).unwrap();
        assert!(resolve(None, &nested).unwrap().is_none());
        std::fs::write(dir.path().join(FILE_NAME), MINIMAL).unwrap();
        assert_eq!(discover(&nested), Some(dir.path().join(FILE_NAME)));
        let config = resolve(None, &nested).unwrap().unwrap();
        let name = &config.source.as_ref().unwrap().file.name;
        assert_eq!(name, "../../.blastwall.yaml");
    }

    #[test]
    fn an_explicit_file_wins_and_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.yaml");
        let err = resolve(Some(&missing), dir.path()).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
    }

    #[test]
    fn errors_render_rustc_style_with_both_claims() {
        let text = format!(
            "{MINIMAL}products:\n  a: {{groups: [\"ops:*\"]}}\n  b: {{groups: [\"ops:db\"]}}\n"
        );
        let err = parse(".blastwall.yaml", text).unwrap_err();
        let shown = err.render(false);
        assert!(
            shown.contains("error: group `ops:db` of product b overlaps `ops:*` of product a"),
            "{shown}"
        );
        assert!(shown.contains(".blastwall.yaml:5:16"), "{shown}");
        assert!(shown.contains("also claimed by a here"), "{shown}");
        assert_eq!(
            err.to_string(),
            ".blastwall.yaml:5:16: group `ops:db` of product b overlaps `ops:*` of product a"
        );
    }

    #[test]
    fn rule_dirs_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("policy/rules")).unwrap();
        let path = dir.path().join("policy/.blastwall.yaml");
        std::fs::write(&path, format!("{MINIMAL}ruleDirs: [rules]\n")).unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.rule_dirs, [dir.path().join("policy/rules")]);

        std::fs::write(&path, format!("{MINIMAL}ruleDirs:\n- rules\n- missing\n")).unwrap();
        let err = load(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:5:3: rule directory `missing` does not exist",
                path.display()
            )
        );
    }

    #[test]
    fn cluster_product_must_be_declared() {
        let text = format!("{MINIMAL}cluster: {{product: payroll}}\n");
        let err = parse("c.yaml", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.yaml:3:20: cluster.product `payroll` is not a declared product"
        );
    }
}

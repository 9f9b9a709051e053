use std::path::PathBuf;

use thiserror::Error;

/// Why rules could not be loaded or evaluated.
#[derive(Debug, Error)]
pub enum EngineError {
    /// A Rego module does not compile. The message is regorus's own, which already
    /// carries `--> file:line:col` and a source snippet.
    #[error("rule module {source_name} does not compile:\n{message}")]
    Compile {
        source_name: String,
        message: String,
    },
    /// A rule's `metadata` is missing, malformed or clashes with another rule; `line`
    /// is that of `metadata` (or of the offending field) in the module.
    #[error("{}: {message}", match line { Some(l) => format!("{source_name}:{l}"), None => source_name.clone() })]
    Metadata {
        source_name: String,
        line: Option<usize>,
        message: String,
    },
    #[error("cannot read rule directory {}: {message}", dir.display())]
    RuleDir { dir: PathBuf, message: String },
    #[error("invalid configuration data: {0}")]
    Config(String),
    /// Evaluation failed (a runtime error in a rule, or the time limit).
    #[error("rule evaluation failed: {0}")]
    Eval(String),
}

impl EngineError {
    /// `(file, line, column)` of a compile error (parsed from regorus's `--> f:l:c`
    /// header) or of a metadata error (column 1).
    pub fn location(&self) -> Option<(String, usize, usize)> {
        let message = match self {
            EngineError::Compile { message, .. } => message,
            EngineError::Metadata {
                source_name,
                line: Some(line),
                ..
            } => return Some((source_name.clone(), *line, 1)),
            _ => return None,
        };
        let header = message
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))?;
        let mut parts = header.rsplitn(3, ':');
        let col = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        let file = parts.next()?.to_string();
        Some((file, line, col))
    }
}

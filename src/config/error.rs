//! Config errors that point at the config file's line and column.

use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

use crate::source::{ByteRange, SourceFile};

/// One place in the config file, with what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: ByteRange,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

/// One problem with the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigDiagnostic {
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", summary(file, diagnostics))]
    Invalid {
        /// The name shown for the file.
        file: String,
        text: String,
        diagnostics: Vec<ConfigDiagnostic>,
    },
}

fn summary(file: &str, diagnostics: &[ConfigDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{file}:{}:{}: {}",
                d.primary.line, d.primary.column, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigError {
    /// The diagnostics, if the file was read but is not a valid config.
    pub fn diagnostics(&self) -> &[ConfigDiagnostic] {
        match self {
            ConfigError::Invalid { diagnostics, .. } => diagnostics,
            ConfigError::Read { .. } => &[],
        }
    }

    /// rustc-style rendering: each problem with its source lines underlined.
    pub fn render(&self, color: bool) -> String {
        let ConfigError::Invalid {
            file,
            text,
            diagnostics,
        } = self
        else {
            return format!("error: {self}\n");
        };
        let files = SimpleFile::new(file.as_str(), text.as_str());
        let mut buffer = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        // The same borders as lint's diagnostics: `-->` and `|`, as rustc prints them.
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..term::Config::default()
        };
        for d in diagnostics {
            let mut labels =
                vec![CsLabel::primary((), d.primary.span.clone()).with_message(&d.primary.message)];
            labels.extend(
                d.secondary
                    .iter()
                    .map(|l| CsLabel::secondary((), l.span.clone()).with_message(&l.message)),
            );
            let mut diagnostic = Diagnostic::error()
                .with_message(&d.message)
                .with_labels(labels);
            if let Some(help) = &d.help {
                diagnostic = diagnostic.with_notes(vec![format!("help: {help}")]);
            }
            if term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic).is_err() {
                return format!("error: {self}\n");
            }
        }
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }
}

/// Builds a [`Label`] for `span` of `file`.
pub(crate) fn label(file: &SourceFile, span: ByteRange, message: impl Into<String>) -> Label {
    let (line, column) = file.line_col(span.start);
    Label {
        span,
        line,
        column,
        message: message.into(),
    }
}

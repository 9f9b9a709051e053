//! Output formats for `blastwall lint`. Reporters only format findings: they never
//! decide what is wrong, and they never touch the file system or the environment.
//!
//! Positions are 1-based lines and 1-based columns counted in characters (Unicode
//! scalar values). An end column points just past the last character of the range,
//! as in SARIF. A finding with no source (no file or no span) renders without a
//! location: JSON gives `null` for its file and positions.

mod compact;
pub mod escape;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::io;

use crate::finding::{Finding, RuleMeta};
use crate::source::{ByteRange, FileId, Problem, SourceFile};

/// The output formats `lint --format` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with the offending source underlined.
    Human,
    /// One JSON document (`version: 1`) for other tools.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// JUnit XML for GitLab, Jenkins and other CI test reports.
    Junit,
    /// One line per finding: `file:line:col: severity[rule] message`.
    Compact,
    /// A GitLab Code Quality report (`artifacts:reports:codequality`).
    Gitlab,
}

/// Everything one run has to report.
pub struct Report<'a> {
    pub files: &'a [SourceFile],
    /// Sorted by file, line and column by the caller.
    pub findings: &'a [Finding],
    /// Inputs, or parts of them, that could not be read or parsed.
    pub problems: &'a [Problem],
    /// Every rule known, for help text and SARIF rule descriptors.
    pub rules: &'a [RuleMeta],
    /// How many documents were linted.
    pub documents: usize,
    /// The kind of every document linted, with its file: JUnit lists, for each
    /// file, only the rules that apply to its kinds.
    pub kinds: &'a [(FileId, String)],
    /// Colour the human format (the caller decides, e.g. by TTY).
    pub color: bool,
    /// Whether a finding is pre-existing and does not fail this run (`lint --base`):
    /// counted apart and shown as a notice, not as an error. [`none_tolerated`]
    /// when nothing is.
    pub tolerated: &'a dyn Fn(&Finding) -> bool,
}

/// No finding is tolerated: every active finding counts.
pub fn none_tolerated(_: &Finding) -> bool {
    false
}

/// Writes `report` to `out` in `format`.
pub fn write(report: &Report, format: Format, out: &mut dyn io::Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Compact => compact::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
    }
}

/// A range of a file in user-facing terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'a> Report<'a> {
    fn file(&self, id: Option<FileId>) -> Option<&'a SourceFile> {
        id.and_then(|id| self.files.get(id.0))
    }

    /// Active and pre-existing without failing the run: reported apart.
    fn is_tolerated(&self, f: &Finding) -> bool {
        f.is_active() && (self.tolerated)(f)
    }

    /// Active findings that are not [tolerated](Report::is_tolerated) in `severity`.
    fn count(&self, severity: crate::finding::Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is_active() && f.severity == severity && !self.is_tolerated(f))
            .count()
    }

    fn tolerated_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| self.is_tolerated(f))
            .count()
    }

    fn rule(&self, id: &str) -> Option<&'a RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The Helm template that the document holding `span` was rendered from, when
    /// the file is `helm template` output with `# Source:` comments.
    fn template(&self, id: Option<FileId>, span: Option<&ByteRange>) -> Option<&'a str> {
        self.file(id)?.template_at(span?.start)
    }

    /// Where `span` sits in file `id`, when both are known.
    fn region(&self, id: Option<FileId>, span: Option<&ByteRange>) -> Option<Region> {
        let file = self.file(id)?;
        let span = clamp(&file.text, span?);
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        Some(Region {
            line,
            column,
            end_line,
            end_column,
        })
    }
}

/// `span` cut to the text and moved onto character boundaries, so that a stale or
/// wrong span can never make a reporter panic or slice inside a character.
fn clamp(text: &str, span: &ByteRange) -> ByteRange {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    let end = floor(span.end).max(start);
    start..end
}

/// The name of a file with forward slashes and no leading `./`, as CI tools that
/// resolve paths against the repository root expect.
fn portable_path(file: &SourceFile) -> String {
    let mut name = file.name.replace('\\', "/");
    while let Some(rest) = name.strip_prefix("./") {
        name = rest.to_string();
    }
    name
}

/// `an error`, `a warning`, `a note`.
fn with_article(severity: crate::finding::Severity) -> &'static str {
    match severity {
        crate::finding::Severity::Error => "an error",
        crate::finding::Severity::Warning => "a warning",
        crate::finding::Severity::Info => "a note",
    }
}

/// `1 error`, `2 errors`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod fixture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::reversed_empty_ranges)] // a reversed span is one of the cases
    fn clamp_keeps_spans_inside_the_text_and_on_char_boundaries() {
        let text = "name: é\n";
        assert_eq!(clamp(text, &(6..7)), 6..6); // 7 is inside `é`
        assert_eq!(clamp(text, &(6..8)), 6..8);
        assert_eq!(clamp(text, &(50..60)), 9..9);
        assert_eq!(clamp(text, &(5..2)), 5..5);
    }

    #[test]
    fn empty_run_renders_in_every_format() {
        let report = Report {
            files: &[],
            findings: &[],
            problems: &[],
            rules: &[],
            documents: 0,
            kinds: &[],
            color: false,
            tolerated: &none_tolerated,
        };
        let render = |f| fixture::render(&report, f);
        assert_eq!(
            render(Format::Human),
            "0 errors, 0 warnings in 0 files (0 documents)\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(json["findings"], serde_json::json!([]));
        assert_eq!(json["summary"]["files"], 0);
        let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
        assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(
            sarif["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
        assert_eq!(render(Format::Github), "");
        assert_eq!(
            render(Format::Compact),
            "0 errors, 0 warnings in 0 files (0 documents)\n"
        );
        assert_eq!(render(Format::Gitlab), "[]\n");
        assert!(render(Format::Junit).contains(
            "<testsuites name=\"blastwall\" tests=\"0\" failures=\"0\" errors=\"0\">\n</testsuites>"
        ));
    }

    #[test]
    fn portable_path_uses_forward_slashes_without_leading_dot() {
        let file = |name: &str| SourceFile::new(name.into(), None, String::new());
        assert_eq!(portable_path(&file("./k8s/app.yaml")), "k8s/app.yaml");
        assert_eq!(portable_path(&file("k8s\\app.yaml")), "k8s/app.yaml");
        assert_eq!(portable_path(&file("../app.yaml")), "../app.yaml");
    }
}

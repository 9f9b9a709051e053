//! rustc-style diagnostics: `error[rule-id]: message`, the offending source with the
//! exact span underlined, secondary labels for related places, the object as a note
//! and the rule's remediation as `help:`. Findings an exemption accepts are not
//! shown, only counted in the summary (`-f json` lists them).

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::termcolor::{Ansi, ColorSpec, NoColor, WriteColor};
use codespan_reporting::term::{self, Chars, Config};

use super::{clamp, escape, plural, Report};
use crate::finding::{Finding, Severity, PRE_EXISTING_NOTE};
use crate::source::{display_path, Problem, SourceFile};

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.color {
        render(report, &mut Ansi::new(out))
    } else {
        render(report, &mut NoColor::new(out))
    }
}

fn render<W: WriteColor>(report: &Report, w: &mut W) -> io::Result<()> {
    let files = Sources::new(report.files);
    let config = Config {
        chars: Chars::ascii(), // `-->` and `|`, as rustc prints them
        ..Config::default()
    };
    let emit = |w: &mut W, diagnostic: &Diagnostic<usize>| {
        term::emit_to_write_style(w, &config, &files, diagnostic).map_err(|e| match e {
            files::Error::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })
    };
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        emit(w, &finding_diagnostic(report, &files, finding))?;
    }
    for problem in report.problems {
        emit(w, &problem_diagnostic(report, &files, problem))?;
    }
    w.set_color(ColorSpec::new().set_bold(true))?;
    write!(w, "{}", summary(report))?;
    w.reset()?;
    writeln!(w)
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    }
}

fn finding_diagnostic(report: &Report, files: &Sources, finding: &Finding) -> Diagnostic<usize> {
    let meta = report.rule(&finding.rule);
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    if let (Some(file), Some(span)) = (finding.file, &finding.span) {
        if let Some(source) = report.file(Some(file)) {
            let text = &source.text;
            if files.showable(file.0) {
                let label = meta.map(|m| lowercase_first(&m.title)).unwrap_or_default();
                labels.push(Label::primary(file.0, clamp(text, span)).with_message(label));
                for related in &finding.related {
                    match &related.span {
                        Some(span) => labels.push(
                            Label::secondary(file.0, clamp(text, span))
                                .with_message(escape::line(&related.message)),
                        ),
                        None => notes.push(format!("note: {}", escape::line(&related.message))),
                    }
                }
            } else {
                notes.push(not_shown(report, files, file, span));
            }
        }
    }
    if labels.is_empty() {
        // No source to show: the related messages must still be read somewhere.
        notes.extend(finding.related.iter().map(|r| {
            format!(
                "note: {} (at {})",
                escape::line(&r.message),
                escape::line(&display_path(&r.path))
            )
        }));
    }
    let object = escape::line(&finding.object.describe()).into_owned();
    let path = escape::line(&display_path(&finding.path)).into_owned();
    let at = match (object.is_empty(), path.is_empty()) {
        (false, false) => Some(format!("note: in {object} at `{path}`")),
        (false, true) => Some(format!("note: in {object}")),
        (true, false) => Some(format!("note: at `{path}`")),
        (true, true) => None,
    };
    notes.splice(0..0, at);
    if let Some(template) = report.template(finding.file, finding.span.as_ref()) {
        notes.insert(
            usize::from(!notes.is_empty()),
            format!(
                "note: rendered from Helm template {}",
                escape::line(template)
            ),
        );
    }
    if finding.pre_existing {
        notes.push(format!("note: {PRE_EXISTING_NOTE}"));
    }
    if let Some(meta) = meta.filter(|m| !m.remediation.trim().is_empty()) {
        notes.push(format!("help: {}", escape::block(meta.remediation.trim())));
    }
    let level = if report.is_tolerated(finding) {
        notes.push(format!(
            "note: {} that does not fail the run",
            super::with_article(finding.severity)
        ));
        Level::Note
    } else {
        level(finding.severity)
    };
    Diagnostic::new(level)
        .with_code(escape::line(&finding.rule))
        .with_message(escape::line(&finding.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// The note that stands for the snippet of a file that cannot be shown.
fn not_shown(
    report: &Report,
    files: &Sources,
    file: crate::source::FileId,
    span: &crate::source::ByteRange,
) -> String {
    let name = files.names.get(file.0).map_or("", String::as_str);
    match report.region(Some(file), Some(span)) {
        Some(r) => format!(
            "note: at {name}:{}:{} ({})",
            r.line,
            r.column,
            escape::NOT_SHOWN
        ),
        None => format!("note: in {name} ({})", escape::NOT_SHOWN),
    }
}

fn problem_diagnostic(report: &Report, files: &Sources, problem: &Problem) -> Diagnostic<usize> {
    let diagnostic = Diagnostic::error().with_message(escape::line(&problem.message));
    match (problem.file, &problem.span, report.file(problem.file)) {
        (Some(id), Some(span), Some(source)) if files.showable(id.0) => {
            diagnostic.with_label(Label::primary(id.0, clamp(&source.text, span)))
        }
        (Some(id), Some(span), Some(_)) => diagnostic.with_note(not_shown(report, files, id, span)),
        (_, _, Some(source)) => {
            diagnostic.with_note(format!("note: in {}", escape::line(&source.name)))
        }
        _ => diagnostic,
    }
}

/// `3 errors, 2 warnings in 4 files (12 documents); 2 pre-existing, not failing the
/// run; 2 suppressed; 1 input could not be linted`. Every `error:` printed counts
/// as an error: a file that cannot be read or parsed is one of them.
pub(super) fn summary(report: &Report) -> String {
    let mut text = format!(
        "{}, {}",
        plural(
            report.count(Severity::Error) + report.problems.len(),
            "error"
        ),
        plural(report.count(Severity::Warning), "warning")
    );
    let notes = report.count(Severity::Info);
    if notes > 0 {
        text.push_str(&format!(", {}", plural(notes, "note")));
    }
    text.push_str(&format!(
        " in {} ({})",
        plural(report.files.len(), "file"),
        plural(report.documents, "document")
    ));
    let tolerated = report.tolerated_count();
    if tolerated > 0 {
        text.push_str(&format!("; {tolerated} pre-existing, not failing the run"));
    }
    let suppressed = report.findings.iter().filter(|f| !f.is_active()).count();
    if suppressed > 0 {
        text.push_str(&format!("; {suppressed} suppressed"));
    }
    let unreadable = unreadable_inputs(report);
    if unreadable > 0 {
        let verb = if unreadable == 1 { "input" } else { "inputs" };
        text.push_str(&format!("; {unreadable} {verb} could not be linted"));
    }
    text
}

/// Problems counted once per file; a problem with no file is an input of its own.
fn unreadable_inputs(report: &Report) -> usize {
    let in_files: BTreeSet<_> = report.problems.iter().filter_map(|p| p.file).collect();
    in_files.len() + report.problems.iter().filter(|p| p.file.is_none()).count()
}

/// `Container runs privileged` → `container runs privileged`, for a label that
/// continues the header; a first word with more capitals (`ConfigMap`) is a name.
fn lowercase_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The loaded files as codespan sees them, without copying their text; their
/// names escaped, and whether each can be shown at all.
struct Sources<'a> {
    files: &'a [SourceFile],
    names: Vec<String>,
    /// Whether each file can be shown, found when first asked (only files with
    /// something to show are).
    showable: Vec<std::cell::OnceCell<bool>>,
}

impl<'a> Sources<'a> {
    fn new(files: &'a [SourceFile]) -> Sources<'a> {
        Sources {
            files,
            names: files
                .iter()
                .map(|f| escape::line(&f.name).into_owned())
                .collect(),
            showable: files.iter().map(|_| std::cell::OnceCell::new()).collect(),
        }
    }

    fn showable(&self, id: usize) -> bool {
        match (self.showable.get(id), self.files.get(id)) {
            (Some(known), Some(file)) => *known.get_or_init(|| escape::showable(&file.text)),
            _ => false,
        }
    }

    fn get(&self, id: usize) -> Result<&'a SourceFile, files::Error> {
        self.files.get(id).ok_or(files::Error::FileMissing)
    }

    fn line_start(&self, id: usize, line: usize) -> Result<usize, files::Error> {
        let file = self.get(id)?;
        let starts = file.line_starts();
        match starts.get(line) {
            Some(&start) => Ok(start),
            None if line == starts.len() => Ok(file.text.len()),
            None => Err(files::Error::LineTooLarge {
                given: line,
                max: starts.len().saturating_sub(1),
            }),
        }
    }
}

impl<'a> Files<'a> for Sources<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.names
            .get(id)
            .map(String::as_str)
            .ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.get(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte: usize) -> Result<usize, files::Error> {
        let starts = self.get(id)?.line_starts();
        // starts[0] is 0, so a miss is never before the first line.
        Ok(starts
            .binary_search(&byte)
            .unwrap_or_else(|next| next.saturating_sub(1)))
    }

    fn line_range(&'a self, id: usize, line: usize) -> Result<Range<usize>, files::Error> {
        Ok(self.line_start(id, line)?..self.line_start(id, line + 1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{self, fixture, Fixture};
    use super::super::Format;
    use super::*;

    #[test]
    fn finding_has_rustc_header_location_underline_note_and_help() {
        let out = fixture().render(Format::Human);
        assert!(
            out.contains("error[privileged-container]: container \"app\" runs privileged\n"),
            "{out}"
        );
        assert!(out.contains("--> deploy/api.yaml:13:25\n"), "{out}");
        // The caret sits under `true`, the four characters after `privileged: `.
        let source_line = out
            .lines()
            .position(|l| l.ends_with("privileged: true"))
            .expect("source line shown");
        let lines: Vec<&str> = out.lines().collect();
        let underline = lines[source_line + 1];
        let col = lines[source_line].find("true").unwrap();
        assert_eq!(&underline[col..col + 4], "^^^^", "{out}");
        assert!(underline[col..].starts_with("^^^^ container runs privileged"));
        assert!(out.contains(
            "= note: in Deployment payroll/api at `spec.template.spec.containers[0].securityContext.privileged`"
        ));
        assert!(out.contains("= help: Remove `privileged: true`; grant only the capabilities"));
    }

    #[test]
    fn severities_map_to_error_warning_note() {
        let out = fixture().render(Format::Human);
        assert!(out.contains("warning[image-tag-unpinned]: image \"busybox\""));
        assert!(out.contains("note[secret-in-configmap]: value of \"grüße\""));
    }

    #[test]
    fn related_location_is_a_secondary_label() {
        let out = fixture().render(Format::Human);
        let lines: Vec<&str> = out.lines().collect();
        let first = lines
            .iter()
            .position(|l| l.ends_with("mode: \"a\""))
            .unwrap();
        assert!(
            lines[first + 1]
                .trim_end()
                .ends_with("---- first defined here"),
            "{out}"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let out = fixture().render(Format::Human);
        // `  "grüße": hunter2`: `hunter2` is the 12th character and the 14th byte.
        assert!(out.contains("--> ./deploy/settings.yaml:9:12\n"), "{out}");
    }

    #[test]
    fn finding_without_source_still_names_object_and_path() {
        let out = fixture().render(Format::Human);
        let start = out
            .find("error[privileged-container]: container \"debug\" runs privileged")
            .expect("rendered");
        let block: String = out[start..].lines().take(4).collect::<Vec<_>>().join("\n");
        assert!(!block.contains("-->"), "{block}");
        assert!(block.contains(
            "= note: in Pod payroll/debug at `spec.containers[0].securityContext.privileged`"
        ));
    }

    #[test]
    fn problems_are_errors_without_rule_code() {
        let out = fixture().render(Format::Human);
        assert!(
            out.contains("error: flow sequence is not closed\n"),
            "{out}"
        );
        assert!(out.contains("--> deploy/broken.yaml:2:7\n"));
        assert!(out.contains("error: deploy/missing.yaml: cannot read: No such file"));
    }

    #[test]
    fn summary_counts_findings_files_documents_and_unreadable_inputs() {
        let out = fixture().render(Format::Human);
        assert_eq!(
            out.lines().last(),
            Some(
                "4 errors, 2 warnings, 1 note in 3 files (2 documents); 2 inputs could not be linted"
            )
        );
    }

    #[test]
    fn suppressed_findings_are_counted_not_shown() {
        let mut fx = fixture();
        fx.findings[0].suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::Config,
            reason: "break-glass debugging".into(),
            owner: Some("sre".into()),
            expires: Some("2030-01-31".into()),
        });
        let out = fx.render(Format::Human);
        assert!(!out.contains("container \"app\" runs privileged"), "{out}");
        assert_eq!(
            out.lines().last(),
            Some("3 errors, 2 warnings, 1 note in 3 files (2 documents); 1 suppressed; 2 inputs could not be linted")
        );
    }

    #[test]
    fn clean_run_summary() {
        let files = [SourceFile::new("a.yaml".into(), None, "kind: Pod\n".into())];
        let report = Report {
            files: &files,
            findings: &[],
            problems: &[],
            rules: &[],
            documents: 1,
            kinds: &[],
            color: false,
            tolerated: &crate::report::none_tolerated,
        };
        assert_eq!(
            fixture::render(&report, Format::Human),
            "0 errors, 0 warnings in 1 file (1 document)\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let fx = fixture();
        assert!(!fx.render(Format::Human).contains('\u{1b}'));
        let coloured = fixture::render(
            &Report {
                color: true,
                ..fx.report()
            },
            Format::Human,
        );
        assert!(coloured.contains("\u{1b}["));
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)] // a reversed span is one of the cases
    fn spans_out_of_range_do_not_panic() {
        let Fixture {
            files,
            mut findings,
            problems,
            rules,
            ..
        } = fixture();
        findings[0].span = Some(10_000..20_000);
        findings[1].span = Some(5..2);
        let report = Report {
            files: &files,
            findings: &findings,
            problems: &problems,
            rules: &rules,
            documents: 2,
            kinds: &[],
            color: false,
            tolerated: &crate::report::none_tolerated,
        };
        let out = fixture::render(&report, Format::Human);
        assert!(out.contains("error[privileged-container]"));
    }

    #[test]
    fn label_keeps_names_capitalised() {
        assert_eq!(
            lowercase_first("Container runs privileged"),
            "container runs privileged"
        );
        assert_eq!(
            lowercase_first("ConfigMap value looks like a secret"),
            "ConfigMap value looks like a secret"
        );
        assert_eq!(lowercase_first(""), "");
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(fixture().render(Format::Human));
    }

    #[test]
    fn pre_existing_findings_get_a_note() {
        let mut fx = fixture();
        fx.findings[0].pre_existing = true;
        let out = fx.render(Format::Human);
        assert_eq!(
            out.matches("= note: pre-existing: already present before this change")
                .count(),
            1,
            "{out}"
        );
    }
}

//! GitHub Actions workflow commands: one annotation per finding and per unreadable
//! input, e.g. `::error file=k8s/api.yaml,line=13,col=25,endLine=13,endColumn=29,title=privileged-container::message`.
//!
//! Findings an exemption accepts are not annotated.
//!
//! Files read from stdin have no path in the repository, so their annotations carry
//! no `file`/`line` and show on the run instead, with `<stdin>:line:col` leading the
//! message so the place is still known.
//!
//! Helm output (`helm template ... | blastwall lint -f github -`) names its templates
//! in `# Source:` comments. A finding in such a document read from stdin is
//! annotated on the template file itself (`file=` only: the rendered line cannot
//! be mapped back to a line of the template), so that it shows in the pull request
//! beside the file to change; `lint --helm-root DIR` puts the charts' directory in
//! front of the path, which Helm writes from the chart's name. The message keeps
//! `<stdin>:line:col` and names the template. A rendered file read from disk is
//! annotated at its own line, its message naming the template.

use std::io::{self, Write};

use super::{portable_path, Region, Report};
use crate::finding::{Severity, PRE_EXISTING_NOTE};
use crate::source::{ByteRange, FileId};

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let command = match f.severity {
            // Pre-existing and not failing the run: an error here would contradict
            // the job's green check.
            _ if report.is_tolerated(f) => "notice",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = place(report, f.file, f.span.as_ref(), true);
        let template = report.template(f.file, f.span.as_ref());
        if let (true, Some(template)) = (props.is_empty(), template) {
            // Rendered on stdin: no line of the stream is a line of the repository,
            // but the template is a file of it.
            props.push(("file", template.to_string()));
        }
        props.push(("title", f.rule.clone()));
        let mut message = pathless_prefix(report, f.file, f.span.as_ref()) + &f.message;
        if let Some(template) = template {
            message.push_str(&format!(" (rendered from Helm template {template})"));
        }
        if f.pre_existing {
            message.push_str(&format!(" ({PRE_EXISTING_NOTE})"));
        }
        line(out, command, &props, &message)?;
    }
    for p in report.problems {
        let props = place(report, p.file, p.span.as_ref(), false);
        let message = pathless_prefix(report, p.file, p.span.as_ref()) + &p.message;
        line(out, "error", &props, &message)?;
    }
    Ok(())
}

/// `<stdin>:line:col: ` for a place in an input that has no path, else nothing.
fn pathless_prefix(report: &Report, file: Option<FileId>, span: Option<&ByteRange>) -> String {
    let Some(source) = report.file(file).filter(|s| s.path.is_none()) else {
        return String::new();
    };
    match report.region(file, span) {
        Some(r) => format!("{}:{}:{}: ", source.name, r.line, r.column),
        None => format!("{}: ", source.name),
    }
}

/// `file`, `line`, `col` (and the end, when `end`) of a span, as far as known.
fn place(
    report: &Report,
    file: Option<FileId>,
    span: Option<&ByteRange>,
    end: bool,
) -> Vec<(&'static str, String)> {
    let mut props = Vec::new();
    let Some(source) = report.file(file).filter(|s| s.path.is_some()) else {
        return props;
    };
    props.push(("file", portable_path(source)));
    if let Some(Region {
        line,
        column,
        end_line,
        end_column,
    }) = report.region(file, span)
    {
        props.push(("line", line.to_string()));
        props.push(("col", column.to_string()));
        if end {
            props.push(("endLine", end_line.to_string()));
            props.push(("endColumn", end_column.to_string()));
        }
    }
    props
}

fn line(
    out: &mut dyn Write,
    command: &str,
    props: &[(&str, String)],
    message: &str,
) -> io::Result<()> {
    write!(out, "::{command}")?;
    for (i, (key, value)) in props.iter().enumerate() {
        let sep = if i == 0 { ' ' } else { ',' };
        write!(out, "{sep}{key}={}", escape_property(value))?;
    }
    writeln!(out, "::{}", escape_data(message))
}

/// Escaping of a command's message, as the Actions runner undoes it; any other
/// control character (an escape sequence the log viewer would act on) is shown as
/// a visible escape first.
fn escape_data(s: &str) -> String {
    let visible = s
        .split('\r')
        .map(|part| super::escape::block(part).into_owned())
        .collect::<Vec<_>>()
        .join("\r");
    visible
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also must not contain the `:` and `,` that delimit them.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{self, fixture, span_of};
    use super::super::Format;
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn one_command_per_finding_and_problem() {
        let out = fixture().render(Format::Github);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=deploy/api.yaml,line=13,col=25,endLine=13,endColumn=29,title=privileged-container::container \"app\" runs privileged",
                "::warning file=deploy/api.yaml,line=15,col=18,endLine=15,endColumn=25,title=image-tag-unpinned::image \"busybox\" has no tag & no digest: use <name>@sha256:...",
                "::warning file=deploy/settings.yaml,line=8,col=3,endLine=8,endColumn=7,title=yaml-duplicate-key::key \"mode\" is defined twice; Kubernetes keeps the last one",
                "::notice file=deploy/settings.yaml,line=9,col=12,endLine=9,endColumn=19,title=secret-in-configmap::value of \"grüße\" looks like a password",
                "::error title=privileged-container::container \"debug\" runs privileged",
                "::error file=deploy/broken.yaml,line=2,col=7::flow sequence is not closed",
                "::error::deploy/missing.yaml: cannot read: No such file or directory",
            ]
        );
    }

    #[test]
    fn suppressed_findings_are_not_annotated() {
        let mut fx = fixture();
        fx.findings[0].suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::Inline,
            reason: "debug pod".into(),
            owner: None,
            expires: None,
        });
        let out = fx.render(Format::Github);
        assert!(!out.contains("container \"app\" runs privileged"), "{out}");
        assert_eq!(out.lines().count(), 6);
    }

    #[test]
    fn message_and_properties_are_escaped() {
        let text = "kind: Pod\n";
        let files = [SourceFile::new(
            "a,b:c/100%.yaml".into(),
            Some("a,b:c/100%.yaml".into()),
            text.into(),
        )];
        let mut fx = fixture();
        fx.findings.truncate(1);
        fx.findings[0].file = Some(FileId(0));
        fx.findings[0].span = Some(span_of(text, "Pod", 0));
        fx.findings[0].rule = "odd:rule,id".into();
        fx.findings[0].message = "100% sure\r\nnext: a, b".into();
        let report = Report {
            files: &files,
            problems: &[],
            findings: &fx.findings,
            ..fx.report()
        };
        assert_eq!(
            fixture::render(&report, Format::Github),
            "::error file=a%2Cb%3Ac/100%25.yaml,line=1,col=7,endLine=1,endColumn=10,\
             title=odd%3Arule%2Cid::100%25 sure%0D%0Anext: a, b\n"
        );
    }

    #[test]
    fn stdin_findings_have_no_file_but_say_where_in_the_message() {
        let text = "kind: Pod\n";
        let files = [SourceFile::new("<stdin>".into(), None, text.into())];
        let mut fx = fixture();
        fx.findings.truncate(1);
        fx.findings[0].file = Some(FileId(0));
        fx.findings[0].span = Some(span_of(text, "Pod", 0));
        let report = Report {
            files: &files,
            problems: &[],
            findings: &fx.findings,
            ..fx.report()
        };
        assert_eq!(
            fixture::render(&report, Format::Github),
            "::error title=privileged-container::<stdin>:1:7: container \"app\" runs privileged\n"
        );
    }

    #[test]
    fn pre_existing_findings_say_so_in_the_message() {
        let mut fx = fixture();
        fx.findings[0].pre_existing = true;
        let out = fx.render(Format::Github);
        let first = out.lines().next().unwrap();
        assert!(
            first.ends_with("runs privileged (pre-existing: already present before this change)"),
            "{first}"
        );
        assert!(!out.lines().nth(1).unwrap().contains("pre-existing"));
    }
}

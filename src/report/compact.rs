//! One line per finding and per unreadable input, as compilers and grep print them,
//! for editors' error lists, `grep` and `errorformat`:
//!
//! ```text
//! k8s/api.yaml:13:25: error[privileged-container] container "app" runs privileged
//! k8s/broken.yaml:2:7: error flow sequence is not closed
//! 2 errors, 0 warnings in 2 files (2 documents); 1 input could not be linted
//! ```
//!
//! A finding with no place in a file starts at its severity. A pre-existing finding
//! that does not fail the run (`lint --base`) is a `note`, its severity said at the
//! end. Findings an exemption accepts are not listed. Everything that came from the
//! input is escaped, so a finding is always exactly one line.

use std::io::{self, Write};

use super::{escape, Report};
use crate::finding::PRE_EXISTING_NOTE;
use crate::source::{ByteRange, FileId};

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let tolerated = report.is_tolerated(f);
        let level = if tolerated {
            "note"
        } else {
            f.severity.as_str()
        };
        let mut message = escape::line(&f.message).into_owned();
        if let Some(template) = report.template(f.file, f.span.as_ref()) {
            message.push_str(&format!(
                " (rendered from Helm template {})",
                escape::line(template)
            ));
        }
        if f.pre_existing {
            message.push_str(&format!(" ({PRE_EXISTING_NOTE})"));
        }
        if tolerated {
            message.push_str(&format!(
                " ({} that does not fail the run)",
                super::with_article(f.severity)
            ));
        }
        writeln!(
            out,
            "{}{level}[{}] {message}",
            place(report, f.file, f.span.as_ref()),
            escape::line(&f.rule)
        )?;
    }
    for p in report.problems {
        writeln!(
            out,
            "{}error {}",
            place(report, p.file, p.span.as_ref()),
            escape::line(&p.message)
        )?;
    }
    writeln!(out, "{}", super::human::summary(report))
}

/// `file:line:col: `, `file: ` or nothing, as far as the place is known.
fn place(report: &Report, file: Option<FileId>, span: Option<&ByteRange>) -> String {
    let Some(source) = report.file(file) else {
        return String::new();
    };
    let name = escape::line(&source.name);
    match report.region(file, span) {
        Some(r) => format!("{name}:{}:{}: ", r.line, r.column),
        None => format!("{name}: "),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::fixture;
    use super::super::Format;

    #[test]
    fn one_line_per_finding_and_problem_then_the_summary() {
        let out = fixture().render(Format::Compact);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.contains(&"deploy/api.yaml:13:25: error[privileged-container] container \"app\" runs privileged"),
            "{out}"
        );
        assert!(
            lines.contains(&"deploy/broken.yaml:2:7: error flow sequence is not closed"),
            "{out}"
        );
        assert!(out.contains("error[privileged-container] container \"debug\" runs privileged\n"));
        assert_eq!(
            lines.last(),
            Some(&"4 errors, 2 warnings, 1 note in 3 files (2 documents); 2 inputs could not be linted")
        );
    }

    #[test]
    fn a_tolerated_pre_existing_finding_is_a_note() {
        let mut fx = fixture();
        fx.findings[0].pre_existing = true;
        let tolerated = |f: &crate::finding::Finding| f.pre_existing;
        let report = super::super::Report {
            tolerated: &tolerated,
            ..fx.report()
        };
        let out = super::super::fixture::render(&report, Format::Compact);
        assert!(
            out.contains("deploy/api.yaml:13:25: note[privileged-container] container \"app\" runs privileged (pre-existing: already present before this change) (an error that does not fail the run)"),
            "{out}"
        );
        assert!(out.ends_with("3 errors, 2 warnings, 1 note in 3 files (2 documents); 1 pre-existing, not failing the run; 2 inputs could not be linted\n"), "{out}");
    }
}

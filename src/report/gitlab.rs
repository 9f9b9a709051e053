//! A GitLab Code Quality report (`artifacts:reports:codequality`), so that merge
//! requests show the findings on their lines: a JSON array with one issue per
//! finding and per unreadable input,
//!
//! ```text
//! [{"description": "...", "check_name": "privileged-container", "fingerprint": "…",
//!   "severity": "critical", "location": {"path": "k8s/api.yaml", "lines": {"begin": 13}}}]
//! ```
//!
//! Severities: error → `critical`, warning → `major`, info → `info`; a pre-existing
//! finding that does not fail the run (`lint --base`) is `info`, and an input that
//! could not be read `blocker`. The fingerprint is SARIF's partial fingerprint (rule,
//! file, object and field), so an issue keeps it when its lines move; a second issue
//! with the same one gets `-2` after it, and so on. Findings an exemption accepts
//! are left out. `path` is the file as named on the command line, relative to the
//! repository as GitLab expects; for stdin it is the Helm template a document was
//! rendered from, when known, else `<stdin>`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{portable_path, sarif, Report};
use crate::finding::{Severity, PRE_EXISTING_NOTE};
use crate::source::{ByteRange, FileId};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unique = |print: String| {
        let n = seen.entry(print.clone()).or_insert(0);
        *n += 1;
        match *n {
            1 => print,
            n => format!("{print}-{n}"),
        }
    };
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let location = location(report, f.file, f.span.as_ref());
        let severity = match f.severity {
            _ if report.is_tolerated(f) => "info",
            Severity::Error => "critical",
            Severity::Warning => "major",
            Severity::Info => "info",
        };
        let mut description = f.message.clone();
        if f.pre_existing {
            description.push_str(&format!(" ({PRE_EXISTING_NOTE})"));
        }
        let object = f.object.describe();
        if !object.is_empty() {
            description.push_str(&format!(" [{object}]"));
        }
        issues.push(Issue {
            description,
            check_name: f.rule.clone(),
            fingerprint: unique(sarif::fingerprint(f, &location.path)),
            severity,
            location,
        });
    }
    for p in report.problems {
        let location = location(report, p.file, p.span.as_ref());
        let print = format!("input:{}:{}", location.path, p.message);
        issues.push(Issue {
            description: p.message.clone(),
            check_name: "input".into(),
            fingerprint: unique(fnv(&print)),
            severity: "blocker",
            location,
        });
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn location(report: &Report, file: Option<FileId>, span: Option<&ByteRange>) -> Location {
    let source = report.file(file);
    let path = match source {
        Some(s) if s.path.is_some() => portable_path(s),
        Some(s) => report
            .template(file, span)
            .map_or_else(|| s.name.clone(), str::to_string),
        None => "(no file)".into(),
    };
    let begin = match source.filter(|s| s.path.is_some()) {
        Some(_) => report.region(file, span).map_or(1, |r| r.line),
        // A line of the stdin stream is no line of the template file.
        None => 1,
    };
    Location {
        path,
        lines: Lines { begin },
    }
}

/// FNV-1a of `s`, as hex: stable forever, unlike std's hasher.
fn fnv(s: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::fixture::fixture;
    use super::super::Format;

    #[test]
    fn issues_have_the_fields_gitlab_reads() {
        let out: Value = serde_json::from_str(&fixture().render(Format::Gitlab)).unwrap();
        let issues = out.as_array().unwrap();
        let privileged = issues
            .iter()
            .find(|i| {
                i["location"]["path"] == "deploy/api.yaml"
                    && i["check_name"] == "privileged-container"
            })
            .expect("privileged-container issue");
        assert_eq!(privileged["severity"], "critical");
        assert_eq!(privileged["location"]["lines"]["begin"], 13);
        assert!(privileged["description"]
            .as_str()
            .unwrap()
            .starts_with("container \"app\" runs privileged"));
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        let n = prints.len();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(prints.len(), n, "fingerprints are unique");
        assert!(issues
            .iter()
            .any(|i| i["severity"] == "blocker" && i["check_name"] == "input"));
        for issue in issues {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(issue[key].is_string(), "{key} in {issue}");
            }
            assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        }
    }
}

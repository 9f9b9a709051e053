//! The JSON format, version 1. Its shape is a contract with other tools:
//!
//! ```text
//! {"version":1,
//!  "findings":[{"rule","severity","message","file","line","column","endLine","endColumn",
//!               "template"?,"object":{"apiVersion","kind","namespace","name"},"path","preExisting",
//!               "suppression"?:{"kind","reason","owner"?,"expires"?}}],
//!  "errors":[{"file","line","column","message"}],
//!  "summary":{"files","documents","findings","errors","suppressed","preExisting"}}
//! ```
//!
//! `template` is present when the finding's document is `helm template` output
//! headed by a `# Source:` comment: the chart template it was rendered from (with
//! `lint --helm-root` in front), while `file` and the positions stay those of the
//! rendered stream.
//!
//! A finding an exemption accepts keeps its place in `findings` with a
//! `suppression` (`kind` `config` or `inline`); other findings have no such key.
//! `summary.findings` counts every entry of `findings`, `summary.suppressed` those
//! with a suppression, `summary.preExisting` the pre-existing findings that do not
//! fail the run (`lint --base`).
//!
//! `file` is the name as given on the command line (`<stdin>` for stdin); it and the
//! positions are `null` when a finding or error has no place in a file. `endColumn`
//! points just past the last character. `preExisting` is true for a finding the
//! object already had before the change under review. Keys come in the order above.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::finding::{Finding, ObjectRef, Suppression};
use crate::source::{display_path, Problem};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
    object: &'a ObjectRef,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<&'a Suppression>,
    pre_existing: bool,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    files: usize,
    documents: usize,
    findings: usize,
    errors: usize,
    suppressed: usize,
    pre_existing: usize,
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let output = Output {
        version: 1,
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        errors: report.problems.iter().map(|p| error(report, p)).collect(),
        summary: Summary {
            files: report.files.len(),
            documents: report.documents,
            findings: report.findings.len(),
            errors: report.problems.len(),
            suppressed: report.findings.iter().filter(|f| !f.is_active()).count(),
            pre_existing: report.tolerated_count(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn finding<'a>(report: &Report<'a>, f: &'a Finding) -> JsonFinding<'a> {
    let region = report.region(f.file, f.span.as_ref());
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        file: report.file(f.file).map(|s| s.name.as_str()),
        line: region.map(|r| r.line),
        column: region.map(|r| r.column),
        end_line: region.map(|r| r.end_line),
        end_column: region.map(|r| r.end_column),
        template: report.template(f.file, f.span.as_ref()),
        object: &f.object,
        path: display_path(&f.path),
        suppression: f.suppression.as_ref(),
        pre_existing: f.pre_existing,
    }
}

fn error<'a>(report: &Report<'a>, p: &'a Problem) -> JsonError<'a> {
    let region = report.region(p.file, p.span.as_ref());
    JsonError {
        file: report.file(p.file).map(|s| s.name.as_str()),
        line: region.map(|r| r.line),
        column: region.map(|r| r.column),
        message: &p.message,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::fixture::fixture;
    use super::super::Format;

    fn parsed() -> Value {
        serde_json::from_str(&fixture().render(Format::Json)).expect("valid JSON")
    }

    #[test]
    fn every_finding_field_is_present_and_right() {
        let out = parsed();
        assert_eq!(out["version"], 1);
        assert_eq!(
            out["findings"][0],
            json!({
                "rule": "privileged-container",
                "severity": "error",
                "message": "container \"app\" runs privileged",
                "file": "deploy/api.yaml",
                "line": 13,
                "column": 25,
                "endLine": 13,
                "endColumn": 29,
                "object": {"apiVersion": "apps/v1", "kind": "Deployment",
                           "namespace": "payroll", "name": "api"},
                "path": "spec.template.spec.containers[0].securityContext.privileged",
                "preExisting": false,
            })
        );
        assert_eq!(out["findings"][1]["severity"], "warning");
        assert_eq!(out["findings"][3]["severity"], "info");
        // Columns count characters: `hunter2` follows `"grüße": `.
        assert_eq!(out["findings"][3]["column"], 12);
        assert_eq!(out["findings"][3]["endColumn"], 19);
        assert_eq!(out["findings"][3]["path"], "data[\"grüße\"]");
    }

    #[test]
    fn finding_without_source_has_null_file_and_positions() {
        let out = parsed();
        let f = &out["findings"][4];
        assert_eq!(f["rule"], "privileged-container");
        for key in ["file", "line", "column", "endLine", "endColumn"] {
            assert!(f[key].is_null(), "{key} should be null: {f}");
        }
        assert_eq!(f["object"]["kind"], "Pod");
    }

    #[test]
    fn errors_and_summary() {
        let out = parsed();
        assert_eq!(
            out["errors"],
            json!([
                {"file": "deploy/broken.yaml", "line": 2, "column": 7,
                 "message": "flow sequence is not closed"},
                {"file": null, "line": null, "column": null,
                 "message": "deploy/missing.yaml: cannot read: No such file or directory"},
            ])
        );
        assert_eq!(
            out["summary"],
            json!({"files": 3, "documents": 2, "findings": 5, "errors": 2, "suppressed": 0, "preExisting": 0})
        );
    }

    #[test]
    fn a_suppressed_finding_is_listed_with_its_suppression() {
        let mut fx = super::super::fixture::fixture();
        fx.findings[1].suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::Config,
            reason: "pinned by the image updater".into(),
            owner: Some("platform".into()),
            expires: Some("2030-01-31".into()),
        });
        fx.findings[3].suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::Inline,
            reason: "test data".into(),
            owner: None,
            expires: None,
        });
        let out: Value = serde_json::from_str(&fx.render(Format::Json)).unwrap();
        assert_eq!(
            out["findings"][1]["suppression"],
            json!({"kind": "config", "reason": "pinned by the image updater",
                   "owner": "platform", "expires": "2030-01-31"})
        );
        assert_eq!(
            out["findings"][3]["suppression"],
            json!({"kind": "inline", "reason": "test data"})
        );
        assert!(out["findings"][0].get("suppression").is_none());
        assert_eq!(out["summary"]["findings"], 5);
        assert_eq!(out["summary"]["suppressed"], 2);
    }

    #[test]
    fn keys_keep_the_documented_order() {
        let text = fixture().render(Format::Json);
        let order = [
            "\"version\"",
            "\"findings\"",
            "\"rule\"",
            "\"severity\"",
            "\"message\"",
            "\"file\"",
            "\"line\"",
            "\"column\"",
            "\"endLine\"",
            "\"endColumn\"",
            "\"object\"",
            "\"apiVersion\"",
            "\"kind\"",
            "\"namespace\"",
            "\"name\"",
            "\"path\"",
            "\"errors\"",
            "\"summary\"",
            "\"files\"",
            "\"documents\"",
        ];
        let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.starts_with("{\n  \"version\": 1,"), "pretty-printed");
    }

    #[test]
    fn pre_existing_findings_are_flagged() {
        let mut fx = fixture();
        fx.findings[1].pre_existing = true;
        let out: Value = serde_json::from_str(&fx.render(Format::Json)).unwrap();
        assert_eq!(out["findings"][0]["preExisting"], false);
        assert_eq!(out["findings"][1]["preExisting"], true);
    }
}

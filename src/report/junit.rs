//! JUnit XML in the shape GitLab's `artifacts:reports:junit` and Jenkins' JUnit
//! plugin read: a `<testsuite>` per file, in it a `<testcase>` per rule that applies
//! to the kinds of its documents (rule metadata `kinds`; a rule without applies to
//! all) and per rule that reported there, which fails (`<failure type="rule-id">`) when the rule has findings in that file, and a
//! `<testcase name="input">` with an `<error>` per part of the file that could not
//! be read. Findings and problems without a file go into a suite named `(no file)`.
//!
//! Every finding is a failure whatever its severity: the exit code, not this report,
//! applies `--severity-threshold`. A rule whose findings in a file are all accepted
//! by exemptions is `<skipped>`, with the reasons.

use std::collections::HashMap;
use std::io::{self, Write};

use super::{escape, Region, Report};
use crate::finding::{Finding, PRE_EXISTING_NOTE};
use crate::source::{display_path, ByteRange, FileId, Problem};

const NO_FILE: &str = "(no file)";

struct Suite<'a> {
    name: &'a str,
    cases: Vec<Case<'a>>,
}

enum Case<'a> {
    Rule {
        id: &'a str,
        findings: Vec<&'a Finding>,
    },
    Problem(&'a Problem),
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut kinds: HashMap<FileId, Vec<&str>> = HashMap::new();
    for (file, kind) in report.kinds {
        let of_file = kinds.entry(*file).or_default();
        if !of_file.contains(&kind.as_str()) {
            of_file.push(kind);
        }
    }
    let mut suites: Vec<Suite> = report
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let id = FileId(i);
            let of_file = kinds.get(&id).map_or(&[][..], Vec::as_slice);
            suite(report, &file.name, Some(id), of_file)
        })
        .collect();
    let orphan = suite(report, NO_FILE, None, &[]);
    if !orphan.cases.is_empty() {
        suites.push(orphan);
    }

    let (tests, failures, errors) = suites.iter().fold((0, 0, 0), |(t, f, e), s| {
        let (st, sf, se) = s.counts(report);
        (t + st, f + sf, e + se)
    });
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="blastwall" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    for suite in &suites {
        write_suite(report, suite, out)?;
    }
    writeln!(out, "</testsuites>")
}

/// The cases of one file (or of no file, `file: None`): every known rule, then any
/// rule that only its findings name, then the problems.
fn suite<'a>(
    report: &Report<'a>,
    name: &'a str,
    file: Option<FileId>,
    kinds: &[&str],
) -> Suite<'a> {
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| known_file(report, f.file) == file)
        .collect();
    // The rules that apply to the kinds of the file's documents; with no file, or
    // a file with no document linted, there is nothing to pass: only the rules
    // that fired are listed.
    let applies = |rule: &crate::finding::RuleMeta| match &rule.kinds {
        None => !kinds.is_empty(),
        Some(of) => of.iter().any(|k| kinds.contains(&k.as_str())),
    };
    let mut ids: Vec<&str> = report
        .rules
        .iter()
        .filter(|r| applies(r))
        .map(|r| r.id.as_str())
        .collect();
    for f in &findings {
        if !ids.contains(&f.rule.as_str()) {
            ids.push(&f.rule);
        }
    }
    let mut cases: Vec<Case> = ids
        .into_iter()
        .map(|id| Case::Rule {
            id,
            findings: findings.iter().copied().filter(|f| f.rule == id).collect(),
        })
        .collect();
    cases.extend(
        report
            .problems
            .iter()
            .filter(|p| known_file(report, p.file) == file)
            .map(Case::Problem),
    );
    Suite { name, cases }
}

/// A file id that names no loaded file counts as no file.
fn known_file(report: &Report, file: Option<FileId>) -> Option<FileId> {
    file.filter(|id| id.0 < report.files.len())
}

impl Suite<'_> {
    fn counts(&self, report: &Report) -> (usize, usize, usize) {
        let fails = |f: &&Finding| f.is_active() && !report.is_tolerated(f);
        let failures = self
            .cases
            .iter()
            .filter(|c| matches!(c, Case::Rule { findings, .. } if findings.iter().any(fails)))
            .count();
        let errors = self
            .cases
            .iter()
            .filter(|c| matches!(c, Case::Problem(_)))
            .count();
        (self.cases.len(), failures, errors)
    }

    /// Rules whose findings here are all suppressed or tolerated.
    fn skipped(&self, report: &Report) -> usize {
        let passes = |f: &&Finding| !f.is_active() || report.is_tolerated(f);
        self.cases
            .iter()
            .filter(|c| matches!(c, Case::Rule { findings, .. } if !findings.is_empty() && findings.iter().all(passes)))
            .count()
    }
}

fn write_suite(report: &Report, suite: &Suite, out: &mut dyn Write) -> io::Result<()> {
    let (tests, failures, errors) = suite.counts(report);
    let skipped = suite.skipped(report);
    let name = attr(suite.name);
    writeln!(
        out,
        r#"  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}">"#
    )?;
    let file_attr = if suite.name == NO_FILE {
        String::new()
    } else {
        format!(r#" file="{name}""#)
    };
    for case in &suite.cases {
        match case {
            Case::Rule { id, findings } => {
                let open = format!(
                    r#"    <testcase name="{}" classname="{name}"{file_attr}"#,
                    attr(id)
                );
                let active: Vec<&Finding> = findings
                    .iter()
                    .copied()
                    .filter(|f| f.is_active() && !report.is_tolerated(f))
                    .collect();
                let Some(first) = active.first() else {
                    match skip_message(report, findings) {
                        Some(message) => {
                            writeln!(out, "{open}>")?;
                            writeln!(out, r#"      <skipped message="{}"/>"#, attr(&message))?;
                            writeln!(out, "    </testcase>")?;
                        }
                        None => writeln!(out, "{open}/>")?,
                    }
                    continue;
                };
                let mut message = escape::line(&first.message).into_owned();
                if first.pre_existing {
                    message.push_str(&format!(" ({PRE_EXISTING_NOTE})"));
                }
                if active.len() > 1 {
                    message.push_str(&format!(" (and {} more)", active.len() - 1));
                }
                let body: Vec<String> = active.iter().map(|f| describe(report, f)).collect();
                writeln!(out, "{open}>")?;
                writeln!(
                    out,
                    r#"      <failure type="{}" message="{}">{}</failure>"#,
                    attr(id),
                    attr(&message),
                    text(&body.join("\n\n"))
                )?;
                writeln!(out, "    </testcase>")?;
            }
            Case::Problem(problem) => {
                writeln!(
                    out,
                    r#"    <testcase name="input" classname="{name}"{file_attr}>"#
                )?;
                let at = location(report, problem.file, problem.span.as_ref());
                writeln!(
                    out,
                    r#"      <error type="input" message="{}">{}</error>"#,
                    attr(&escape::line(&problem.message)),
                    text(&format!("{at}{}", escape::line(&problem.message)))
                )?;
                writeln!(out, "    </testcase>")?;
            }
        }
    }
    writeln!(out, "  </testsuite>")
}

/// `suppressed: <reason>; <reason>` of suppressed findings, and `pre-existing: …`
/// for tolerated ones, if there are any.
fn skip_message(report: &Report, findings: &[&Finding]) -> Option<String> {
    let mut reasons: Vec<String> = findings
        .iter()
        .filter_map(|f| f.suppression.as_ref())
        .map(|s| format!("suppressed: {}", escape::line(&s.reason)))
        .collect();
    reasons.dedup();
    let tolerated = findings.iter().filter(|f| report.is_tolerated(f)).count();
    if tolerated > 0 {
        reasons.push(format!(
            "{PRE_EXISTING_NOTE}, not failing the run ({tolerated})"
        ));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// `file:line:col: ` when known, else the file name and `: `, else nothing.
fn location(report: &Report, file: Option<FileId>, span: Option<&ByteRange>) -> String {
    match (report.file(file), report.region(file, span)) {
        (Some(source), Some(Region { line, column, .. })) => {
            format!("{}:{line}:{column}: ", escape::line(&source.name))
        }
        (Some(source), None) => format!("{}: ", escape::line(&source.name)),
        _ => String::new(),
    }
}

/// The text of one finding in a failure: where, what, in which object, and the fix.
fn describe(report: &Report, f: &Finding) -> String {
    let mut out = format!(
        "{}{}[{}]: {}",
        location(report, f.file, f.span.as_ref()),
        f.severity.as_str(),
        escape::line(&f.rule),
        escape::line(&f.message)
    );
    if f.pre_existing {
        out.push_str(&format!(" ({PRE_EXISTING_NOTE})"));
    }
    let object = f.object.describe();
    let path = display_path(&f.path);
    if !object.is_empty() || !path.is_empty() {
        out.push_str(&format!(
            "\n  in {} at {}",
            escape::line(&object),
            escape::line(&path)
        ));
    }
    if let Some(template) = report.template(f.file, f.span.as_ref()) {
        out.push_str(&format!(
            "\n  rendered from Helm template {}",
            escape::line(template)
        ));
    }
    for related in &f.related {
        let at = location(report, f.file, related.span.as_ref());
        out.push_str(&format!("\n  {at}{}", escape::line(&related.message)));
    }
    if let Some(meta) = report
        .rule(&f.rule)
        .filter(|m| !m.remediation.trim().is_empty())
    {
        out.push_str(&format!("\n  help: {}", meta.remediation.trim()));
    }
    out
}

/// Escapes character data; characters XML 1.0 cannot carry at all become U+FFFD.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Escapes an attribute value; whitespace is escaped so parsers do not normalise it.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push_str(&text(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// The `Char` production of XML 1.0.
fn allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::super::fixture::fixture;
    use super::super::Format;

    /// A parsed element: name, attributes, and the text directly inside it.
    #[derive(Debug)]
    struct Element {
        name: String,
        attrs: Vec<(String, String)>,
        text: String,
    }

    impl Element {
        fn attr(&self, key: &str) -> &str {
            self.attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("no {key} on {self:?}"))
        }
    }

    /// Parses the whole document, failing on any well-formedness error.
    fn parse(xml: &str) -> Vec<Element> {
        let mut reader = Reader::from_str(xml);
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            let event = reader.read_event().expect("well-formed XML");
            let element = |e: &quick_xml::events::BytesStart| Element {
                name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                attrs: e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("valid attribute");
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().expect("valid escape").into_owned(),
                        )
                    })
                    .collect(),
                text: String::new(),
            };
            match event {
                Event::Start(e) => {
                    elements.push(element(&e));
                    open.push(elements.len() - 1);
                }
                Event::Empty(e) => elements.push(element(&e)),
                Event::End(_) => {
                    open.pop().expect("balanced tags");
                }
                Event::Text(t) => {
                    if let Some(&i) = open.last() {
                        elements[i].text.push_str(&t.decode().unwrap());
                    }
                }
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    let c = match name.as_ref() {
                        "amp" => "&".to_string(),
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "quot" => "\"".to_string(),
                        "apos" => "'".to_string(),
                        other => {
                            let n = other.strip_prefix('#').expect("known entity");
                            char::from_u32(n.parse().unwrap()).unwrap().to_string()
                        }
                    };
                    if let Some(&i) = open.last() {
                        elements[i].text.push_str(&c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(open.is_empty(), "unclosed elements");
        elements
    }

    #[test]
    fn suites_per_file_cases_per_rule_failures_and_errors() {
        let xml = fixture().render(Format::Junit);
        let elements = parse(&xml);
        let root = &elements[0];
        assert_eq!(root.name, "testsuites");
        // The Deployment's file: the 3 rules that apply to a Deployment (not the
        // ConfigMap rule); the ConfigMap's: 3 (not privileged-container); the broken
        // file, with no document: its problem; no file: 1 rule + 1 problem.
        assert_eq!(root.attr("tests"), "9");
        assert_eq!(root.attr("failures"), "5");
        assert_eq!(root.attr("errors"), "2");

        let suites: Vec<&Element> = elements.iter().filter(|e| e.name == "testsuite").collect();
        let names: Vec<&str> = suites.iter().map(|s| s.attr("name")).collect();
        assert_eq!(
            names,
            [
                "deploy/api.yaml",
                "./deploy/settings.yaml",
                "deploy/broken.yaml",
                "(no file)"
            ]
        );
        assert_eq!(suites[0].attr("tests"), "3");
        assert_eq!(suites[0].attr("failures"), "2");

        let failure = elements
            .iter()
            .find(|e| e.name == "failure")
            .expect("a failure");
        assert_eq!(failure.attr("type"), "privileged-container");
        assert_eq!(failure.attr("message"), "container \"app\" runs privileged");
        assert!(failure.text.starts_with(
            "deploy/api.yaml:13:25: error[privileged-container]: container \"app\" runs privileged\n  in Deployment payroll/api at spec.template.spec.containers[0].securityContext.privileged\n  help: Remove"
        ), "{}", failure.text);

        let passing = elements
            .iter()
            .filter(|e| e.name == "testcase" && e.attr("classname") == "deploy/api.yaml")
            .map(|e| e.attr("name"))
            .collect::<Vec<_>>();
        assert_eq!(
            passing,
            [
                "privileged-container",
                "image-tag-unpinned",
                "yaml-duplicate-key"
            ]
        );

        let errors: Vec<&Element> = elements.iter().filter(|e| e.name == "error").collect();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].attr("message"), "flow sequence is not closed");
        assert_eq!(
            errors[0].text,
            "deploy/broken.yaml:2:7: flow sequence is not closed"
        );
        assert_eq!(
            errors[1].attr("message"),
            "deploy/missing.yaml: cannot read: No such file or directory"
        );
    }

    #[test]
    fn related_locations_are_listed_in_the_failure() {
        let xml = fixture().render(Format::Junit);
        let elements = parse(&xml);
        let failure = elements
            .iter()
            .find(|e| e.name == "failure" && e.attr("type") == "yaml-duplicate-key")
            .unwrap();
        assert!(failure
            .text
            .contains("\n  ./deploy/settings.yaml:7:3: first defined here"));
    }

    #[test]
    fn markup_and_control_characters_are_escaped() {
        let mut fx = fixture();
        let nasty = "a <b> & \"c\" 'd'\nline two\u{1}]]>";
        fx.findings[0].message = nasty.into();
        fx.findings[0].rule = "rule<&\">".into();
        fx.problems[0].message = "</error><injected/>".into();
        let xml = fx.render(Format::Junit);
        let elements = parse(&xml);
        assert!(!elements.iter().any(|e| e.name == "injected"));
        let failure = elements
            .iter()
            .find(|e| e.name == "failure" && e.attr("type") == "rule<&\">")
            .expect("failure with the odd rule id");
        // Markup survives as text; a line feed or a control character from the
        // input is a visible escape, so that a CI log that prints the report shows
        // one line per message.
        assert_eq!(
            failure.attr("message"),
            "a <b> & \"c\" 'd'\\nline two\\u{1}]]>"
        );
        assert!(failure
            .text
            .contains("a <b> & \"c\" 'd'\\nline two\\u{1}]]>"));
        let error = elements.iter().find(|e| e.name == "error").unwrap();
        assert_eq!(error.attr("message"), "</error><injected/>");
    }

    #[test]
    fn a_rule_with_only_suppressed_findings_is_skipped() {
        let mut fx = fixture();
        fx.findings[0].suppression = Some(crate::finding::Suppression {
            kind: crate::finding::SuppressionKind::Config,
            reason: "break-glass debugging".into(),
            owner: Some("sre".into()),
            expires: Some("2030-01-31".into()),
        });
        let xml = fx.render(Format::Junit);
        let elements = parse(&xml);
        assert_eq!(elements[0].attr("failures"), "4");
        let suite = elements
            .iter()
            .find(|e| e.name == "testsuite" && e.attr("name") == "deploy/api.yaml")
            .unwrap();
        assert_eq!(suite.attr("failures"), "1");
        assert_eq!(suite.attr("skipped"), "1");
        let skipped: Vec<&Element> = elements.iter().filter(|e| e.name == "skipped").collect();
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            skipped[0].attr("message"),
            "suppressed: break-glass debugging"
        );
        assert!(!elements.iter().any(|e| e.name == "failure"
            && e.attr("type") == "privileged-container"
            && e.attr("message").contains("\"app\"")));
    }

    #[test]
    fn failure_for_several_findings_counts_the_rest() {
        let mut fx = fixture();
        fx.findings[1].rule = "privileged-container".into();
        let xml = fx.render(Format::Junit);
        let elements = parse(&xml);
        let failure = elements
            .iter()
            .find(|e| e.name == "failure")
            .expect("a failure");
        assert_eq!(
            failure.attr("message"),
            "container \"app\" runs privileged (and 1 more)"
        );
        assert!(failure.text.contains("\n\ndeploy/api.yaml:15:18: warning"));
    }

    #[test]
    fn pre_existing_findings_say_so_in_the_failure() {
        let mut fx = fixture();
        fx.findings[0].pre_existing = true;
        let xml = fx.render(Format::Junit);
        let elements = parse(&xml);
        let failure = elements.iter().find(|e| e.name == "failure").unwrap();
        assert_eq!(
            failure.attr("message"),
            "container \"app\" runs privileged (pre-existing: already present before this change)"
        );
        assert!(failure
            .text
            .contains("runs privileged (pre-existing: already present before this change)"));
    }
}

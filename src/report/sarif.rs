//! SARIF 2.1.0, as GitHub code scanning reads it: one run, every known rule as a
//! descriptor, results with exact regions and a partial fingerprint that follows a
//! finding across commits, and unreadable inputs as tool execution notifications.
//!
//! Relative file names become URIs relative to `%SRCROOT%` (the repository root in
//! CI); columns are counted in Unicode code points (`columnKind`).
//!
//! A finding in `helm template` output (a document headed by `# Source:`) has the
//! template as a related location; read from stdin, whose stream is no file of the
//! repository, the result is placed on the template file instead (without region)
//! and the rendered place becomes the related location.
//!
//! A finding an exemption accepts carries `suppressions`: `external` for an entry
//! of the config, `inSource` for the object's own annotation, with the reason as
//! the justification. Other results have no `suppressions` key.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{clamp, portable_path, Region as Place, Report};
use crate::finding::{Finding, RuleMeta, Severity, Suppression, SuppressionKind};
use crate::source::{display_path, ByteRange, FileId, Problem, SourceFile};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// Key of the fingerprint in `partialFingerprints`; bump the suffix if its inputs change.
const FINGERPRINT_KEY: &str = "blastwallFinding/v1";
/// Longer spans are not copied into `region.snippet`.
const MAX_SNIPPET_BYTES: usize = 1024;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
    /// `preExisting`: how many results are pre-existing and do not fail the run
    /// (`lint --base`); absent when none are.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Message {
        Message { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    /// GitHub shows and filters by tags; the category is the one we have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    /// `unchanged` for a finding already present before the change, else `new`.
    baseline_state: &'static str,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

fn suppression(s: &Suppression) -> SarifSuppression {
    let mut properties = BTreeMap::new();
    if let Some(owner) = &s.owner {
        properties.insert("owner", owner.clone());
    }
    if let Some(expires) = &s.expires {
        properties.insert("expires", expires.clone());
    }
    SarifSuppression {
        kind: match s.kind {
            SuppressionKind::Config => "external",
            SuppressionKind::Inline => "inSource",
        },
        status: "accepted",
        justification: s.reason.clone(),
        properties,
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Findings of rules the run does not describe still get a descriptor, so that
    // every result has a valid ruleIndex.
    let mut rules: Vec<Rule> = report.rules.iter().map(rule).collect();
    let mut results = Vec::with_capacity(report.findings.len());
    for finding in report.findings {
        let index = match rules.iter().position(|r| r.id == finding.rule) {
            Some(i) => i,
            None => {
                rules.push(undescribed_rule(&finding.rule, finding.severity));
                rules.len() - 1
            }
        };
        results.push(result(report, finding, index));
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "blastwall",
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.problems.is_empty(),
                tool_execution_notifications: report
                    .problems
                    .iter()
                    .map(|p| notification(report, p))
                    .collect(),
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: match report.tolerated_count() {
                0 => BTreeMap::new(),
                n => BTreeMap::from([("preExisting", n)]),
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &RuleMeta) -> Rule<'_> {
    let markdown = meta
        .example
        .as_ref()
        .filter(|e| !e.good.is_empty())
        .map(|e| {
            format!(
                "{}\n\nFor example:\n\n```yaml\n{}\n```",
                meta.remediation.trim(),
                e.good.trim_end()
            )
        });
    Rule {
        id: &meta.id,
        name: pascal_case(&meta.id),
        short_description: Message::new(&meta.title),
        full_description: Message::new(&meta.description),
        help: Help {
            text: meta.remediation.clone(),
            markdown,
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: Properties {
            category: Some(&meta.category),
            tags: vec![&meta.category],
        },
    }
}

fn undescribed_rule(id: &str, severity: Severity) -> Rule<'_> {
    Rule {
        id,
        name: pascal_case(id),
        short_description: Message::new(id),
        full_description: Message::new(id),
        help: Help {
            text: String::new(),
            markdown: None,
        },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: Properties {
            category: None,
            tags: Vec::new(),
        },
    }
}

/// `privileged-container` → `PrivilegedContainer`, the form SARIF suggests for names.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(chars)
        })
        .collect()
}

fn result(report: &Report, finding: &Finding, rule_index: usize) -> SarifResult {
    let file = report.file(finding.file);
    let mut location = Location {
        physical_location: physical(report, finding.file, finding.span.as_ref()),
        ..Location::default()
    };
    if !finding.object.kind.is_empty() {
        location.logical_locations.push(LogicalLocation {
            name: finding.object.name.clone(),
            fully_qualified_name: finding.object.describe(),
            kind: "resource",
        });
    }
    let mut related_locations: Vec<Location> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, related)| Location {
            id: Some(i + 1),
            physical_location: related
                .span
                .as_ref()
                .and_then(|span| physical(report, finding.file, Some(span))),
            message: Some(Message::new(&related.message)),
            ..Location::default()
        })
        .collect();
    let mut file_uri = file.map(uri).unwrap_or_default();
    if let Some(template) = report.template(finding.file, finding.span.as_ref()) {
        let template_location = PhysicalLocation {
            artifact_location: template_artifact(template),
            region: None,
        };
        let id = Some(related_locations.len() + 1);
        if file.is_some_and(|f| f.path.is_none()) {
            // Rendered on stdin: the stream is in no file of the repository, the
            // template is. The result goes on the template (no region: a rendered
            // line is no line of the template), the place in the stream beside it.
            let rendered = location.physical_location.replace(template_location);
            file_uri = uri_of(template);
            related_locations.push(Location {
                id,
                physical_location: rendered,
                message: Some(Message::new(format!(
                    "where the rendered output has it{}",
                    report
                        .region(finding.file, finding.span.as_ref())
                        .map(|r| format!(
                            " ({}:{}:{})",
                            file.map_or("", |f| f.name.as_str()),
                            r.line,
                            r.column
                        ))
                        .unwrap_or_default()
                ))),
                ..Location::default()
            });
        } else {
            related_locations.push(Location {
                id,
                physical_location: Some(template_location),
                message: Some(Message::new(format!(
                    "the Helm template this document was rendered from ({template})"
                ))),
                ..Location::default()
            });
        }
    }
    let has_place = location.physical_location.is_some() || !location.logical_locations.is_empty();
    SarifResult {
        rule_id: finding.rule.clone(),
        rule_index,
        // Pre-existing and not failing the run: a note, as GitHub annotates it.
        level: if report.is_tolerated(finding) {
            "note"
        } else {
            level(finding.severity)
        },
        message: Message::new(&finding.message),
        locations: if has_place { vec![location] } else { vec![] },
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(finding, &file_uri))]),
        suppressions: finding.suppression.iter().map(suppression).collect(),
        baseline_state: if finding.pre_existing {
            "unchanged"
        } else {
            "new"
        },
    }
}

fn notification(report: &Report, problem: &Problem) -> Notification {
    let locations = physical(report, problem.file, problem.span.as_ref())
        .map(|p| Location {
            physical_location: Some(p),
            ..Location::default()
        })
        .into_iter()
        .collect();
    Notification {
        level: "error",
        message: Message::new(&problem.message),
        locations,
    }
}

/// The file and, when there is a span, the region; `None` when there is no file.
fn physical(
    report: &Report,
    file: Option<FileId>,
    span: Option<&ByteRange>,
) -> Option<PhysicalLocation> {
    let source = report.file(file)?;
    let region = report.region(file, span).map(|place: Place| Region {
        start_line: place.line,
        start_column: place.column,
        end_line: place.end_line,
        end_column: place.end_column,
        snippet: span
            .map(|s| &source.text[clamp(&source.text, s)])
            .filter(|t| !t.is_empty() && t.len() <= MAX_SNIPPET_BYTES)
            .map(Message::new),
    });
    Some(PhysicalLocation {
        artifact_location: artifact(source),
        region,
    })
}

fn artifact(source: &SourceFile) -> ArtifactLocation {
    let name = portable_path(source);
    let absolute = name.starts_with('/') || has_drive(&name);
    ArtifactLocation {
        uri: uri(source),
        // stdin has no place on disk: its name is left as a bare relative reference.
        uri_base_id: (!absolute && source.path.is_some()).then_some(SRCROOT),
    }
}

/// The location of a Helm template, a path relative to the repository root as
/// `# Source:` comments (and `lint --helm-root`) give it.
fn template_artifact(template: &str) -> ArtifactLocation {
    let absolute = template.starts_with('/') || has_drive(template);
    ArtifactLocation {
        uri: uri_of(template),
        uri_base_id: (!absolute).then_some(SRCROOT),
    }
}

fn uri_of(name: &str) -> String {
    uri(&SourceFile::new(name.to_string(), None, String::new()))
}

/// `file:///abs/path` for absolute names, a percent-encoded relative reference otherwise.
fn uri(source: &SourceFile) -> String {
    let name = portable_path(source);
    if name.starts_with('/') {
        format!("file://{}", percent_encode(&name, false))
    } else if has_drive(&name) {
        format!("file:///{}", percent_encode(&name, true))
    } else {
        percent_encode(&name, false)
    }
}

/// `C:/...`: a Windows absolute path.
fn has_drive(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

/// Percent-encodes all but unreserved characters and `/` (and `:` when `colon`; a
/// colon in a relative reference's first segment would read as a scheme).
fn percent_encode(s: &str, colon: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b':' if colon => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A stable hash of what identifies a finding regardless of where its lines moved:
/// rule, file, object and field. FNV-1a is fixed forever, unlike std's hasher.
pub(super) fn fingerprint(finding: &Finding, uri: &str) -> String {
    let object = &finding.object;
    let path = display_path(&finding.path);
    let parts = [
        finding.rule.as_str(),
        uri,
        &object.kind,
        &object.namespace,
        &object.name,
        &path,
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::fixture::{self, fixture, Fixture};
    use super::super::Format;
    use super::*;

    fn parsed(fx: &Fixture) -> Value {
        serde_json::from_str(&fx.render(Format::Sarif)).expect("valid JSON")
    }

    #[test]
    fn log_header_and_driver() {
        let log = parsed(&fixture());
        assert_eq!(log["version"], "2.1.0");
        assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "blastwall");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
        assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    }

    #[test]
    fn every_known_rule_is_described() {
        let log = parsed(&fixture());
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "privileged-container",
                "image-tag-unpinned",
                "yaml-duplicate-key",
                "secret-in-configmap"
            ]
        );
        let r = &rules[0];
        assert_eq!(r["name"], "PrivilegedContainer");
        assert_eq!(r["shortDescription"]["text"], "Container runs privileged");
        assert_eq!(
            r["fullDescription"]["text"],
            "What privileged-container checks. Why it matters."
        );
        assert!(r["help"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Remove `privileged: true`"));
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("```yaml\nprivileged: false\n```"));
        assert_eq!(r["defaultConfiguration"]["level"], "error");
        assert_eq!(r["properties"]["category"], "workload");
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[3]["defaultConfiguration"]["level"], "note");
    }

    #[test]
    fn results_have_exact_regions_and_levels() {
        let log = parsed(&fixture());
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 5);

        let r = &results[0];
        assert_eq!(r["ruleId"], "privileged-container");
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "container \"app\" runs privileged");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "deploy/api.yaml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&13.into(), &25.into(), &13.into(), &29.into())
        );
        assert_eq!(region["snippet"]["text"], "true");
        assert_eq!(
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "Deployment payroll/api"
        );

        assert_eq!(results[1]["level"], "warning");
        assert_eq!(results[1]["ruleIndex"], 1);
        assert_eq!(results[3]["level"], "note");
        // `./deploy/settings.yaml` is made relative to the root, columns are characters.
        let loc = &results[3]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "deploy/settings.yaml");
        assert_eq!(loc["region"]["startLine"], 9);
        assert_eq!(loc["region"]["startColumn"], 12);
    }

    #[test]
    fn related_locations_point_at_the_first_definition() {
        let log = parsed(&fixture());
        let r = &log["runs"][0]["results"][2];
        let related = &r["relatedLocations"][0];
        assert_eq!(related["id"], 1);
        assert_eq!(related["message"]["text"], "first defined here");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 7);
        assert_eq!(related["physicalLocation"]["region"]["startColumn"], 3);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            8
        );
    }

    #[test]
    fn finding_without_source_has_only_a_logical_location() {
        let log = parsed(&fixture());
        let r = &log["runs"][0]["results"][4];
        assert!(r["locations"][0]["physicalLocation"].is_null());
        assert_eq!(
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "Pod payroll/debug"
        );
    }

    #[test]
    fn fingerprints_are_stable_across_line_moves_and_distinct_per_finding() {
        let fx = fixture();
        let before = parsed(&fx);
        let prints: Vec<&str> = before["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
            .collect();
        let mut unique = prints.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), prints.len(), "{prints:?}");

        // The same finding two lines further down keeps its fingerprint.
        let moved_text = format!("# moved\n# down\n{}", fixture::DEPLOYMENT);
        let mut moved = fixture();
        moved.files[0] = SourceFile::new(
            "deploy/api.yaml".into(),
            Some("deploy/api.yaml".into()),
            moved_text.clone(),
        );
        moved.findings[0].span = Some(fixture::span_of(&moved_text, "true", 0));
        let after = parsed(&moved);
        let r = &after["runs"][0]["results"][0];
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            15
        );
        assert_eq!(r["partialFingerprints"][FINGERPRINT_KEY], prints[0]);
    }

    #[test]
    fn problems_are_notifications_and_fail_the_invocation() {
        let log = parsed(&fixture());
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0]["level"], "error");
        assert_eq!(notes[0]["message"]["text"], "flow sequence is not closed");
        let region = &notes[0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&2.into(), &7.into())
        );
        assert!(notes[1]["locations"].is_null());

        let clean = Fixture {
            problems: vec![],
            ..fixture()
        };
        assert_eq!(
            parsed(&clean)["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn suppressed_results_carry_their_suppression() {
        let mut fx = fixture();
        fx.findings[0].suppression = Some(Suppression {
            kind: SuppressionKind::Config,
            reason: "break-glass debugging".into(),
            owner: Some("sre".into()),
            expires: Some("2030-01-31".into()),
        });
        fx.findings[1].suppression = Some(Suppression {
            kind: SuppressionKind::Inline,
            reason: "pinned by digest at deploy time".into(),
            owner: None,
            expires: None,
        });
        let log = parsed(&fx);
        let results = &log["runs"][0]["results"];
        assert_eq!(
            results[0]["suppressions"],
            serde_json::json!([{"kind": "external", "status": "accepted",
                "justification": "break-glass debugging",
                "properties": {"expires": "2030-01-31", "owner": "sre"}}])
        );
        assert_eq!(
            results[1]["suppressions"],
            serde_json::json!([{"kind": "inSource", "status": "accepted",
                "justification": "pinned by digest at deploy time"}])
        );
        assert!(results[2].get("suppressions").is_none());
    }

    #[test]
    fn unknown_rule_gets_a_descriptor() {
        let mut fx = fixture();
        fx.findings[1].rule = "custom-rule".into();
        let log = parsed(&fx);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), 5);
        assert_eq!(rules[4]["id"], "custom-rule");
        assert_eq!(rules[4]["defaultConfiguration"]["level"], "warning");
        assert!(rules[4]["properties"].as_object().unwrap().is_empty());
        assert_eq!(log["runs"][0]["results"][1]["ruleIndex"], 4);
    }

    #[test]
    fn uris_are_encoded_and_absolute_paths_are_file_uris() {
        let file = |name: &str, path: bool| {
            SourceFile::new(name.into(), path.then(|| name.into()), String::new())
        };
        let a = artifact(&file("k8s/my app:v1.yaml", true));
        assert_eq!(a.uri, "k8s/my%20app%3Av1.yaml");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        let a = artifact(&file("/srv/k8s/grüße.yaml", true));
        assert_eq!(a.uri, "file:///srv/k8s/gr%C3%BC%C3%9Fe.yaml");
        assert_eq!(a.uri_base_id, None);
        assert_eq!(
            artifact(&file("C:\\k8s\\a.yaml", true)).uri,
            "file:///C:/k8s/a.yaml"
        );
        assert_eq!(artifact(&file("<stdin>", false)).uri_base_id, None);
    }

    #[test]
    fn snapshot() {
        // The output as written (key order included), without the release number.
        let version = env!("CARGO_PKG_VERSION");
        let text = fixture()
            .render(Format::Sarif)
            .replace(
                &format!("\"version\": \"{version}\""),
                "\"version\": \"[version]\"",
            )
            .replace(
                &format!("\"semanticVersion\": \"{version}\""),
                "\"semanticVersion\": \"[version]\"",
            );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn pre_existing_findings_are_unchanged_others_new() {
        let mut fx = fixture();
        fx.findings[1].pre_existing = true;
        let log = parsed(&fx);
        let results = &log["runs"][0]["results"];
        assert_eq!(results[0]["baselineState"], "new");
        assert_eq!(results[1]["baselineState"], "unchanged");
        assert_eq!(results[1]["level"], "warning");
        // When it does not fail the run, it is a note.
        let tolerated = |f: &Finding| f.pre_existing;
        let report = Report {
            tolerated: &tolerated,
            ..fx.report()
        };
        let log: Value = serde_json::from_str(&fixture::render(&report, Format::Sarif)).unwrap();
        assert_eq!(log["runs"][0]["results"][1]["level"], "note");
        assert_eq!(log["runs"][0]["properties"]["preExisting"], 1);
        assert_eq!(log["runs"][0]["results"][0]["level"], "error");
    }
}

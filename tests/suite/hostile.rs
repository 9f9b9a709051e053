//! Hostile inputs through the real binary: each gets a clear error (exit 2, with a
//! line and column where the input has a place to point at) or the correct findings,
//! within [`common::TIME_LIMIT`] and [`common::MEMORY_LIMIT_KB`].
//!
//! Small cases live in `fixtures/hostile/`; large ones are generated here into a
//! temporary directory.

use crate::common;

use std::path::{Path, PathBuf};

use common::{run, Run};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name)
}

/// `lint --format json FILE` on a fixture, checked against the bounds.
fn lint(path: &Path, extra: &[&str]) -> (Run, Value) {
    let dir = path.parent().expect("parent");
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    let mut args = vec!["lint", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(name);
    let run = run(dir, &args, None);
    run.within_bounds(name);
    let report = run.json();
    (run, report)
}

/// (line, column, message) of every error.
fn errors(report: &Value) -> Vec<(u64, u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// (rule, object name, line, column) of every finding of `rule`.
fn findings(report: &Value, rule: &str) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["object"]["name"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Exit 2 with exactly one error, at `line`:`column`, whose message has `says`.
fn one_error_at(run: &Run, report: &Value, line: u64, column: u64, says: &str) {
    assert_eq!(run.code, 2, "{report:#}");
    let errors = errors(report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (l, c, message) = &errors[0];
    assert_eq!((*l, *c), (line, column), "{message}");
    assert!(message.contains(says), "{message}");
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const PRIVILEGED_AT: (u64, u64) = (11, 19);

#[test]
fn billion_laughs_stops_at_the_alias_that_goes_over() {
    let (run, report) = lint(&fixture("billion-laughs.yaml"), &[]);
    one_error_at(&run, &report, 12, 10, "aliases expand to more than");
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let (run, report) = lint(&fixture("invalid-utf8.yaml"), &[]);
    one_error_at(&run, &report, 4, 19, "not UTF-8");
}

#[test]
fn a_leading_bom_changes_nothing() {
    let (run, report) = lint(&fixture("bom.yaml"), &[]);
    assert_eq!(run.code, 1, "{report:#}");
    assert!(errors(&report).is_empty());
    let (l, c) = PRIVILEGED_AT;
    assert_eq!(
        findings(&report, "privileged-container"),
        [("bom".to_string(), l, c)]
    );
}

/// `cat a.yaml b.yaml` of files saved with a BOM: go-yaml rejects the second BOM
/// too; the first document is still linted.
#[test]
fn a_bom_inside_a_stream_is_an_error_at_its_place() {
    let (run, report) = lint(&fixture("bom-per-document.yaml"), &[]);
    one_error_at(&run, &report, 13, 1, "byte order mark");
    let (l, c) = PRIVILEGED_AT;
    assert_eq!(
        findings(&report, "privileged-container"),
        [("first".to_string(), l, c)]
    );
}

#[test]
fn a_nul_byte_is_an_error_at_its_place() {
    let (run, report) = lint(&fixture("nul-byte.yaml"), &[]);
    one_error_at(&run, &report, 4, 10, "unprintable");
}

#[test]
fn crlf_and_mixed_line_ends_keep_lines_and_columns() {
    for (name, object) in [("crlf.yaml", "crlf"), ("mixed-line-ends.yaml", "mixed")] {
        let (run, report) = lint(&fixture(name), &[]);
        assert_eq!(run.code, 1, "{name}: {report:#}");
        let (l, c) = PRIVILEGED_AT;
        assert_eq!(
            findings(&report, "privileged-container"),
            [(object.to_string(), l, c)],
            "{name}"
        );
    }
}

#[test]
fn tabs_in_indentation_are_an_error_at_the_tab() {
    let (run, report) = lint(&fixture("tab-indentation.yaml"), &[]);
    // The tab itself, the first character of line 4.
    one_error_at(&run, &report, 4, 1, "tabs");
}

/// go-yaml reads `privileged:<TAB>true`; saphyr refuses it. Either answer is
/// acceptable here as long as it is not a silent pass: the finding, or an error
/// on that line.
#[test]
fn a_tab_after_a_colon_is_read_or_reported_never_missed() {
    let (run, report) = lint(&fixture("tab-separation.yaml"), &[]);
    let found = findings(&report, "privileged-container");
    let errors = errors(&report);
    match run.code {
        1 => assert_eq!(found, [("tabsep".to_string(), 11, 19)]),
        2 => assert!(errors.iter().any(|(l, _, _)| *l == 11), "{errors:?}"),
        other => panic!("exit {other}: {report:#}"),
    }
}

#[test]
fn duplicate_keys_are_reported_with_both_places_and_the_last_wins() {
    let (run, report) = lint(&fixture("duplicate-keys.yaml"), &[]);
    assert_eq!(run.code, 1, "{report:#}");
    let dup = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "yaml-duplicate-key")
        .expect("duplicate key finding");
    assert_eq!((&dup["line"], &dup["column"]), (&12.into(), &7.into()));
    // Kubernetes keeps the last value: privileged.
    assert_eq!(
        findings(&report, "privileged-container"),
        [("dup".to_string(), 12, 19)]
    );
}

/// `<<` is applied as go-yaml applies it: the container that inherits
/// `privileged: true` is reported; the one that overrides it is not.
#[test]
fn merge_keys_are_applied_and_explicit_keys_win() {
    let (run, report) = lint(&fixture("merge-keys.yaml"), &[]);
    assert_eq!(run.code, 1, "{report:#}");
    assert!(errors(&report).is_empty());
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "privileged-container")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("'base'")));
    assert!(messages.iter().any(|m| m.contains("'inherits'")));
    assert!(!messages.iter().any(|m| m.contains("'overrides'")));
}

/// Anchors belong to their document: an alias to one in an earlier document is an
/// error, and the earlier document is still linted.
#[test]
fn anchors_do_not_cross_documents() {
    let (run, report) = lint(&fixture("anchors-across-documents.yaml"), &[]);
    one_error_at(&run, &report, 8, 11, "unknown anchor");
    assert_eq!(report["summary"]["documents"], 1);
}

#[test]
fn deep_nesting_of_every_kind_is_cut_off_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let cases = [
        (
            "block-sequences.yaml",
            "- ".repeat(n) + "x\n",
            "nest more than 256 deep",
        ),
        (
            "flow-sequences.yaml",
            "[".repeat(n) + &"]".repeat(n),
            "nest more than 255 deep",
        ),
        (
            "open-brackets.yaml",
            "[".repeat(n),
            "nest more than 255 deep",
        ),
        (
            "flow-mappings.yaml",
            "{a: ".repeat(n) + &"}".repeat(n),
            "nest more than 255 deep",
        ),
    ];
    for (name, text, says) in cases {
        let path = write(dir.path(), name, text);
        let (run, report) = lint(&path, &[]);
        assert_eq!(run.code, 2, "{name}");
        let errors = errors(&report);
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        let (line, column, message) = &errors[0];
        assert_eq!(*line, 1, "{name}");
        assert!(*column > 1 && message.contains(says), "{name}: {message}");
    }
}

/// A 50 MB scalar: over the default size limit it is refused by name; with a
/// limit raised past it, it is read and linted.
#[test]
fn a_fifty_megabyte_scalar_is_refused_or_read_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: payroll\ndata:\n  blob: \"");
    text.push_str(&"x".repeat(50_000_000));
    text.push_str("\"\n");
    let path = write(dir.path(), "big.yaml", &text);
    drop(text);

    let (run, report) = lint(&path, &[]);
    assert_eq!(run.code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].2.contains("big.yaml") && errors[0].2.contains("larger than the limit"),
        "{errors:?}"
    );

    let (run, report) = lint(&path, &["--max-file-size", "67108864"]);
    assert_eq!(run.code, 0, "{report:#}");
    assert_eq!(report["summary"]["documents"], 1);
}

/// A 4 MB line: a flow mapping whose privileged flag sits after a long value.
/// Found at the right column, in JSON and in the human format (which prints the
/// line as its snippet).
#[test]
fn very_long_lines_are_read_and_findings_placed() {
    let dir = tempfile::tempdir().unwrap();
    let pad = "p".repeat(4_000_000);
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: long, namespace: payroll, annotations: {{note: {pad}}}}}\nspec:\n  containers:\n  - {{name: app, image: 'busybox:1.36', securityContext: {{note: {pad}, privileged: true}}}}\n"
    );
    let column = text.lines().nth(5).unwrap().find("true").unwrap() as u64 + 1;
    let path = write(dir.path(), "long.yaml", &text);
    let (run, report) = lint(&path, &[]);
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(
        findings(&report, "privileged-container"),
        [("long".to_string(), 6, column)]
    );
    let human = run_human(&path);
    assert!(human.contains("privileged-container"));
}

fn run_human(path: &Path) -> String {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let run = run(
        dir,
        &["lint", "--no-config", "--color", "never", name],
        None,
    );
    run.within_bounds("human format");
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stdout
}

/// 100,000 documents in one file: empty ones are skipped (as kubectl skips them)
/// and the object after them is found at its real line; 100,000 documents that are
/// not objects make one located error; past the document limit the rest is refused
/// with a location.
#[test]
fn a_hundred_thousand_documents_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let mut text = "---\n".repeat(n);
    text.push_str("apiVersion: v1\nkind: Pod\nmetadata:\n  name: last\n  namespace: payroll\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n");
    let path = write(dir.path(), "empty.yaml", &text);
    let (run, report) = lint(&path, &[]);
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(report["summary"]["documents"], 1);
    assert_eq!(
        findings(&report, "privileged-container"),
        [("last".to_string(), n as u64 + 11, 19)]
    );

    // `--- x` lines: kubectl refuses the file at the first one.
    let path = write(dir.path(), "scalars.yaml", "--- x\n".repeat(n));
    let (run, report) = lint(&path, &[]);
    assert_eq!(run.code, 2);
    // kubectl refuses such a file at its first `--- x` line: one error says so.
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (1, 5));
    assert!(
        errors[0].2.contains("kubectl cannot read this file"),
        "{errors:?}"
    );

    let path = write(dir.path(), "too-many.yaml", "---\n".repeat(200_001));
    let (run, report) = lint(&path, &[]);
    one_error_at(&run, &report, 200_001, 1, "more than 200000 documents");
}

/// `!!binary` hides a value from review: Kubernetes reads `nginx:latest` where the
/// file says `bmdpbng6bGF0ZXN0`. The finding is there, on the tagged text, and says
/// that the field is written with a tag.
#[test]
fn a_value_hidden_with_binary_is_found_and_the_finding_says_so() {
    let path = fixture("binary-tag.yaml");
    let (run, report) = lint(&path, &["--severity-threshold", "warning"]);
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(
        findings(&report, "latest-image-tag"),
        [("hidden".to_string(), 9, 21)]
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "latest-image-tag")
        .unwrap();
    assert_eq!(finding["object"]["namespace"], "payroll");

    let human = common::run(
        path.parent().unwrap(),
        &["lint", "--no-config", "--color", "never", "binary-tag.yaml"],
        None,
    )
    .stdout;
    assert!(
        human
            .contains("this field is written `!!binary`: Kubernetes reads the base64-decoded text"),
        "{human}"
    );

    // Inside aws-auth's mapRoles too: the role ARN with a path is found, and noted.
    let (_, report) = lint(&fixture("binary-tag-aws-auth.yaml"), &[]);
    assert_eq!(
        findings(&report, "aws-auth-arn-path"),
        [("aws-auth".to_string(), 8, 25)]
    );
    let human = common::run(
        path.parent().unwrap(),
        &[
            "lint",
            "--no-config",
            "--color",
            "never",
            "binary-tag-aws-auth.yaml",
        ],
        None,
    )
    .stdout;
    assert!(
        human.contains("this field is written `!!binary`"),
        "{human}"
    );
}

/// A ClusterRole whose rule entries list thousands of groups, resources and verbs
/// (a cross product of billions of grants, and thousands of wildcards) is judged
/// within bounds: the RBAC facts are decided by look-ups and list at most a few
/// thousand grants.
#[test]
fn an_rbac_rule_with_a_huge_cross_product_is_judged_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let list = |prefix: &str, n: usize| {
        (0..n)
            .map(|i| format!("{prefix}{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let stars = vec!["'*'"; 5000].join(", ");
    let rule = format!(
        "- apiGroups: ['', {}]\n  resources: [secrets, {}, {stars}]\n  verbs: [get, {}]\n",
        list("g", 5000),
        list("r", 5000),
        list("v", 5000)
    );
    let text = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: huge}}\nrules:\n{}",
        rule.repeat(20)
    );
    let path = write(dir.path(), "huge-role.yaml", &text);
    let (run, report) = lint(&path, &[]);
    assert_eq!(run.code, 1, "{report:#}");
    let found = findings(&report, "rbac-wildcard");
    assert_eq!(found.len(), 20, "{found:?}");
    // At the first '*' of the first entry's resources (no `*` group: the core group
    // and custom ones; every resource reaches Secrets: an error).
    let column = text.lines().nth(5).unwrap().find("'*'").unwrap() as u64 + 1;
    assert_eq!(found[0], ("huge".to_string(), 6, column));
}

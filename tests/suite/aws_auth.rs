//! aws-auth: the embedded sections parsed as the authenticator parses them, rules
//! reported at outer-file positions, and robustness against malformed input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regorus::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `test_*` rule of `rules/aws-auth/*_test.rego` holds, with the built-in pack.
#[test]
fn rego_unit_tests_of_the_aws_auth_rules_pass() {
    let dir = root().join("rules/aws-auth");
    let mut rules = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = file_name(&path);
        if !name.ends_with("_test.rego")
            && name.starts_with("aws_auth_")
            && name != "aws_auth_lib.rego"
        {
            rules += 1;
            let test = path.with_file_name(name.replace(".rego", "_test.rego"));
            assert!(test.exists(), "{name} has no test module beside it");
        }
    }
    assert!(rules >= 3, "found only {rules} rules");
    crate::rego_unit::assert_rego_tests_pass("rules/aws-auth/");
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// One finding as `(rule, line, column, message)`.
type Found = (String, usize, usize, String);

/// Every finding of `blastwall lint --no-config -f json <paths>` (relative to the
/// crate root), by file name (without its directory), as users run it.
fn lint_with_binary(paths: &[&str]) -> BTreeMap<String, Vec<Found>> {
    let out = assert_cmd::Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(root())
        .args(["lint", "--no-config", "--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    assert_eq!(report["errors"], serde_json::json!([]), "{report:#}");
    let mut by_file: BTreeMap<String, Vec<Found>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        let name = file_name(Path::new(file));
        let n = |key: &str| f[key].as_u64().unwrap() as usize;
        by_file.entry(name).or_default().push((
            f["rule"].as_str().unwrap().to_string(),
            n("line"),
            n("column"),
            f["message"].as_str().unwrap().to_string(),
        ));
    }
    by_file
}

/// Every finding of linting fixture `name` (under fixtures/aws-auth) with the binary.
fn lint_fixture(name: &str) -> Vec<Found> {
    let path = format!("fixtures/aws-auth/{name}");
    lint_with_binary(&[&path]).remove(name).unwrap_or_default()
}

/// `(fixture, rule, line, column, text found there, message fragment)`: every finding
/// each fixture must yield, and nothing else.
const EXPECTED: &[(&str, &str, usize, usize, &str, &str)] = &[
    (
        "arn-path.yaml",
        "aws-auth-arn-path",
        8,
        16,
        "arn:aws:iam::210987654321:role/aws-reserved/",
        "write arn:aws:iam::210987654321:role/AWSReservedSSO_PlatformAdmin_0123456789abcdef",
    ),
    (
        "aws-auth.json",
        "aws-auth-system-masters",
        6,
        302,
        "system:masters",
        "is mapped to system:masters",
    ),
    (
        "aws-auth.json",
        "aws-auth-iam-user",
        7,
        33,
        "\\\"arn:aws:iam::210987654321:user/alice\\\"",
        "long-lived access keys",
    ),
    (
        "crlf.yaml",
        "aws-auth-system-masters",
        17,
        11,
        "system:masters",
        "bypassing RBAC",
    ),
    (
        "duplicate-arn.yaml",
        "aws-auth-duplicate-arn",
        14,
        16,
        "arn:aws:iam::210987654321:role/Platform-Admin",
        "keeps only the later mapping",
    ),
    (
        "duplicate-key.yaml",
        "aws-auth-duplicate-key",
        11,
        7,
        "groups: [payroll:deployers]",
        "first at line 3 of mapRoles",
    ),
    (
        "indent-indicator.yaml",
        "aws-auth-system-masters",
        21,
        15,
        "system:masters",
        "payroll",
    ),
    (
        "invalid-arn.yaml",
        "aws-auth-invalid-arn",
        8,
        16,
        "arn:aws:iam::210987654321:instance-profile/",
        "write its role ARN",
    ),
    (
        "invalid-arn.yaml",
        "aws-auth-invalid-arn",
        11,
        16,
        "arn:aws:sts::",
        "STS session ARN",
    ),
    (
        "invalid-arn.yaml",
        "aws-auth-invalid-arn",
        14,
        16,
        "arn:aws:iam::21098765432:",
        "account `21098765432` is not 12 digits",
    ),
    (
        "invalid-arn.yaml",
        "aws-auth-invalid-arn",
        18,
        16,
        "arn:aws:iam::210987654321:role/team-audit",
        "IAM role in mapUsers",
    ),
    (
        "key-case.yaml",
        "aws-auth-key-case",
        8,
        7,
        "roleARN:",
        "key `roleARN` is not exact lowercase",
    ),
    (
        "key-case.yaml",
        "aws-auth-key-case",
        10,
        7,
        "Groups:",
        "the entry gets no groups",
    ),
    (
        "map-accounts.yaml",
        "aws-auth-map-accounts",
        8,
        7,
        "\"210987654321\"",
        "every IAM user and role in it authenticates",
    ),
    (
        "map-accounts.yaml",
        "aws-auth-map-accounts",
        9,
        7,
        "210987654322",
        "`210987654322 - 210987654323` is not a 12-digit account id",
    ),
    (
        "merged-groups.yaml",
        "aws-auth-node-role-shape",
        10,
        7,
        "groups:",
        "without the group system:bootstrappers and system:nodes",
    ),
    (
        "merged-groups.yaml",
        "aws-auth-merged-groups",
        11,
        11,
        "system:bootstrappers",
        "`system:bootstrappers - system:nodes` contains white space",
    ),
    (
        "missing-arn.yaml",
        "aws-auth-missing-arn",
        8,
        7,
        "username: payroll",
        "has no `rolearn`",
    ),
    (
        "missing-arn.yaml",
        "aws-auth-missing-arn",
        11,
        16,
        "\"\"",
        "`userarn` is empty",
    ),
    (
        "missing-arn.yaml",
        "aws-auth-missing-arn",
        14,
        14,
        ":",
        "`userarn` is empty",
    ),
    (
        "multiple-documents.yaml",
        "aws-auth-multiple-documents",
        8,
        5,
        "- rolearn",
        "from line 4 of the block",
    ),
    (
        "no-groups-shared-username.yaml",
        "aws-auth-shared-username",
        12,
        17,
        "deployer",
        "also used by arn:aws:iam::210987654321:role/team-payroll-ci",
    ),
    (
        "no-groups-shared-username.yaml",
        "aws-auth-no-groups",
        14,
        7,
        "rolearn: arn:aws:iam::210987654321:role/team-audit",
        "has no groups",
    ),
    (
        "node-role-shape.yaml",
        "aws-auth-node-role-shape",
        9,
        17,
        "eks-node",
        "its username is `eks-node`",
    ),
    (
        "node-role-shape.yaml",
        "aws-auth-node-role-shape",
        15,
        7,
        "groups:",
        "without the group system:nodes",
    ),
    (
        "placeholder.yaml",
        "aws-auth-placeholder",
        8,
        16,
        "<ARN of instance role",
        "never filled in",
    ),
    (
        "placeholder.yaml",
        "aws-auth-placeholder",
        13,
        16,
        "arn:aws:iam::111122223333:",
        "documentation account 111122223333",
    ),
    (
        "placeholder.yaml",
        "aws-auth-placeholder",
        15,
        16,
        "\"{{ .Values.payrollGroup }}\"",
        "never filled in",
    ),
    (
        "reserved-names.yaml",
        "aws-auth-reserved-group",
        10,
        36,
        "system:serviceaccounts",
        "reserved group system:serviceaccounts",
    ),
    (
        "reserved-names.yaml",
        "aws-auth-reserved-username",
        12,
        17,
        "eks:k8s-metrics",
        "reserved prefix `eks:`",
    ),
    (
        "reserved-names.yaml",
        "aws-auth-reserved-group",
        16,
        52,
        "system:authenticated",
        "node mapping",
    ),
    (
        "system-masters.yaml",
        "aws-auth-system-masters",
        12,
        11,
        "system:masters",
        "no binding can take it away",
    ),
    (
        "templates.yaml",
        "aws-auth-session-name-prefix",
        9,
        17,
        "\"{{SessionName}}\"",
        "no fixed prefix ending in `:`",
    ),
    (
        "templates.yaml",
        "aws-auth-unknown-template",
        12,
        17,
        "billing:{{EC2InstanceID}}",
        "`{{EC2InstanceID}}` is not a template",
    ),
    (
        "templates.yaml",
        "aws-auth-template-context",
        15,
        17,
        "audit:{{EC2PrivateDNSName}}",
        "not a node mapping",
    ),
    (
        "templates.yaml",
        "aws-auth-iam-user",
        18,
        16,
        "arn:aws:iam::210987654321:user/alice",
        "long-lived",
    ),
    (
        "templates.yaml",
        "aws-auth-template-context",
        19,
        17,
        "alice:{{EC2PrivateDNSName}}",
        "in mapUsers",
    ),
    (
        "terraform-rendered.yaml",
        "aws-auth-arn-path",
        16,
        18,
        "\"arn:aws:iam::210987654321:role/teams/payroll/",
        "path `/teams/payroll/`",
    ),
    (
        "unknown-field.yaml",
        "aws-auth-unknown-field",
        8,
        7,
        "role_arn:",
        "did you mean `rolearn`?",
    ),
    (
        "unknown-field.yaml",
        "aws-auth-unknown-field",
        13,
        7,
        "group:",
        "did you mean `groups`?",
    ),
    (
        "unknown-key.yaml",
        "aws-auth-unknown-key",
        11,
        3,
        "mapRole:",
        "did you mean `mapRoles`?",
    ),
    (
        "unknown-key.yaml",
        "aws-auth-unknown-key",
        15,
        3,
        "notes:",
        "data key `notes` is never read",
    ),
    (
        "unknown-key.yaml",
        "aws-auth-unknown-key",
        17,
        3,
        "mapUsers:",
        "binaryData key `mapUsers` is never read",
    ),
    (
        "unparseable-block.yaml",
        "aws-auth-unparseable",
        15,
        6,
        "groups:",
        "every mapping in it, node roles included, is dropped",
    ),
    (
        "unparseable-quoted.yaml",
        "aws-auth-unparseable",
        9,
        243,
        "username: payroll",
        "line 7 of the block",
    ),
    (
        "unquoted-template-flow.yaml",
        "aws-auth-session-name-prefix",
        10,
        83,
        "{{SessionName}}",
        "lets the caller choose it",
    ),
    (
        "unquoted-template-flow.yaml",
        "aws-auth-unquoted-template",
        10,
        83,
        "{{SessionName}}, groups",
        "rejects the whole mapRoles section",
    ),
    (
        "unquoted-template.yaml",
        "aws-auth-session-name-prefix",
        12,
        17,
        "{{SessionName}}",
        "lets the caller choose it",
    ),
    (
        "unquoted-template.yaml",
        "aws-auth-unquoted-template",
        12,
        17,
        "{{SessionName}}\n",
        "write \"{{SessionName}}\"",
    ),
    (
        "users.yaml",
        "aws-auth-root-user",
        8,
        16,
        "arn:aws:iam::210987654321:root",
        "root user of account 210987654321",
    ),
    (
        "users.yaml",
        "aws-auth-iam-user",
        11,
        16,
        "arn:aws:iam::210987654321:user/alice",
        "long-lived access keys",
    ),
    (
        "wrong-type-data.yaml",
        "aws-auth-wrong-type",
        9,
        3,
        "mapRoles:",
        "the API server rejects the ConfigMap",
    ),
    (
        "wrong-type.yaml",
        "aws-auth-wrong-type",
        10,
        15,
        "payroll:developers",
        "no groups at all",
    ),
    (
        "wrong-type.yaml",
        "aws-auth-wrong-type",
        12,
        17,
        "12345",
        "`username` is a number",
    ),
    (
        "wrong-type.yaml",
        "aws-auth-wrong-type",
        15,
        11,
        "yes",
        "this group is a boolean",
    ),
    (
        "wrong-type.yaml",
        "aws-auth-wrong-type",
        16,
        7,
        "arn:aws:iam::210987654321:role/team-audit",
        "is a string, not a mapping",
    ),
];

/// The fixtures, sorted.
fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures/aws-auth"))
        .unwrap()
        .map(|e| file_name(&e.unwrap().path()))
        .collect();
    names.sort();
    names
}

/// The text of a fixture from 1-based `line` and `col` (in characters) on.
fn text_at(name: &str, line: usize, col: usize) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/aws-auth").join(name)).unwrap();
    let line_text = text.split_inclusive('\n').nth(line - 1).unwrap_or("");
    line_text.chars().skip(col - 1).collect()
}

#[test]
fn each_fixture_yields_exactly_its_findings_at_outer_positions() {
    let mut failures = Vec::new();
    // One run over the directory, as CI would lint it.
    let mut all = lint_with_binary(&["fixtures/aws-auth"]);
    for name in fixtures() {
        let found = all.remove(&name).unwrap_or_default();
        let expected: Vec<_> = EXPECTED.iter().filter(|e| e.0 == name).collect();
        let got: Vec<(String, usize, usize)> =
            found.iter().map(|f| (f.0.clone(), f.1, f.2)).collect();
        let want: Vec<(String, usize, usize)> = expected
            .iter()
            .map(|e| (e.1.to_string(), e.2, e.3))
            .collect();
        if got != want {
            failures.push(format!("{name}: got {got:?}\n  want {want:?}"));
            continue;
        }
        for (f, e) in found.iter().zip(&expected) {
            let at = text_at(&name, e.2, e.3).replace("\r\n", "\n");
            if !at.starts_with(e.4) {
                failures.push(format!(
                    "{name}:{}:{} text there is {at:?}, not {:?}",
                    e.2, e.3, e.4
                ));
            }
            if !f.3.contains(e.5) {
                failures.push(format!(
                    "{name}:{}:{} message {:?} lacks {:?}",
                    e.2, e.3, f.3, e.5
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_fixture() {
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let ids: Vec<&str> = engine
        .rules()
        .iter()
        .filter(|r| r.category == "aws-auth")
        .map(|r| r.id.as_str())
        .collect();
    assert!(ids.len() >= 26, "{ids:?}");
    for id in ids {
        assert!(
            EXPECTED.iter().any(|e| e.1 == id),
            "no fixture exercises {id}"
        );
    }
}

#[test]
fn healthy_aws_auth_is_clean() {
    assert_eq!(lint_fixture("good.yaml"), Vec::<Found>::new());
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that change YAML structure when they appear in the wrong place.
const INTERESTING: &[u8] = b" \n\r\t-:{}[],\"'\\|>#&*!%@`?";

/// `text` after 1 to 4 random edits: byte flips, deletions, indentation shifts,
/// duplicated lines and inserted YAML syntax.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] = INTERESTING[rng.below(INTERESTING.len())],
            1 => bytes[at] = rng.next() as u8,
            2 => {
                let end = (at + 1 + rng.below(20)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                // Shift the indentation of the line holding `at`.
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                if rng.below(2) == 0 {
                    let n = 1 + rng.below(3);
                    bytes.splice(start..start, std::iter::repeat_n(b' ', n));
                } else if bytes.get(start) == Some(&b' ') {
                    bytes.remove(start);
                }
            }
            4 => {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            _ => {
                let snippets: [&[u8]; 6] = [b"---\n", b"{{", b"\"", b"|2-", b"\\u00", b"\r\n"];
                let s = snippets[rng.below(snippets.len())];
                bytes.splice(at..at, s.iter().copied());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every `"path"` array in a facts value.
fn fact_paths(v: &Value, out: &mut Vec<Vec<blastwall::source::PathSeg>>) {
    use blastwall::source::PathSeg;
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter() {
                if *k == Value::from("path") {
                    if let Value::Array(items) = child {
                        let path = items
                            .iter()
                            .map(|s| match s {
                                Value::String(s) => PathSeg::Key(s.clone()),
                                other => PathSeg::Index(other.as_u64().unwrap() as usize),
                            })
                            .collect();
                        out.push(path);
                    }
                }
                fact_paths(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| fact_paths(i, out)),
        _ => {}
    }
}

fn fixture_texts() -> Vec<(String, String)> {
    fixtures()
        .into_iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(root().join("fixtures/aws-auth").join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

/// Random mutations of every fixture: parsing, facts and span splicing never panic,
/// finish quickly, and every path the facts name lands on a valid range of the file.
#[test]
fn mutated_fixtures_never_panic_and_paths_stay_in_the_file() {
    let limits = blastwall::source::Limits::default();
    let mut rng = Rng(0x5eed_a115_a07f_0001);
    for (name, original) in fixture_texts() {
        for round in 0..300 {
            let text = mutate(&original, &mut rng);
            let started = std::time::Instant::now();
            let loaded = blastwall::source::load::load_str(&name, text.clone(), &limits);
            for doc in &loaded.documents {
                let Some(facts) = blastwall::awsauth::facts(&doc.value) else {
                    continue;
                };
                let spans = blastwall::awsauth::splice(&doc.spans, &doc.value, &text)
                    .unwrap_or_else(|| doc.spans.clone());
                let mut paths = Vec::new();
                fact_paths(&facts, &mut paths);
                for path in paths {
                    let range = spans.resolve(&path).node.label_range();
                    assert!(
                        text.get(range.clone()).is_some(),
                        "{name} round {round}: {path:?} maps to {range:?}, outside the text\n{text}"
                    );
                }
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{name} round {round} took {:?}\n{text}",
                started.elapsed()
            );
        }
    }
}

/// The whole lint pipeline on mutated fixtures: no panic, no engine error, every
/// finding placed inside its file.
#[test]
fn mutated_fixtures_lint_without_errors() {
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let limits = blastwall::source::Limits::default();
    let mut rng = Rng(0x5eed_a115_a07f_0002);
    for (name, original) in fixture_texts() {
        for _ in 0..12 {
            let text = mutate(&original, &mut rng);
            let loaded = blastwall::source::load::load_str(&name, text.clone(), &limits);
            let findings = blastwall::lint::lint(&engine, &loaded, 1)
                .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            for f in findings {
                let span = f.span.unwrap();
                assert!(text.get(span.clone()).is_some(), "{name}: {span:?}\n{text}");
            }
        }
    }
}

/// A large aws-auth (thousands of entries, every one with a shared username, a
/// duplicate ARN and an unquoted template) lints in bounded time: the facts relate
/// entries in one pass, so no rule compares entries pairwise.
#[test]
fn large_aws_auth_lints_in_bounded_time() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n",
    );
    let n = 1000;
    for i in 0..n {
        text.push_str(&format!(
            "    - rolearn: arn:aws:iam::210987654321:role/r{}\n      username: {{{{SessionName}}}}\n      groups: [g{i}]\n    - rolearn: arn:aws:iam::210987654321:role/s{i}\n      username: shared\n      groups: [g]\n",
            i % 100
        ));
    }
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let started = std::time::Instant::now();
    let loaded =
        blastwall::source::load::load_str("big.yaml", text, &blastwall::source::Limits::default());
    let findings = blastwall::lint::lint(&engine, &loaded, 1).unwrap();
    let count = |rule: &str| findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("aws-auth-unquoted-template"), n);
    assert_eq!(count("aws-auth-duplicate-arn"), n - 100);
    assert_eq!(count("aws-auth-shared-username"), n - 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}

/// Each aws-auth rule's documented bad example triggers it, and its good example is
/// clean of every aws-auth rule.
#[test]
fn rule_examples_behave_as_documented() {
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let limits = blastwall::source::Limits::default();
    let mut checked = 0;
    for rule in engine.rules().iter().filter(|r| r.category == "aws-auth") {
        let example = rule.example.as_ref().expect("example");
        let lint = |text: &str| {
            let loaded = blastwall::source::load::load_str("example.yaml", text.into(), &limits);
            assert!(
                loaded.problems.is_empty(),
                "{}: {:?}",
                rule.id,
                loaded.problems
            );
            blastwall::lint::lint(&engine, &loaded, 1).unwrap()
        };
        let bad = lint(&example.bad);
        assert!(
            bad.iter().any(|f| f.rule == rule.id),
            "the bad example of {} does not trigger it: {bad:#?}",
            rule.id
        );
        let good: Vec<_> = lint(&example.good)
            .into_iter()
            .filter(|f| f.rule.starts_with("aws-auth-"))
            .collect();
        assert!(
            good.is_empty(),
            "the good example of {} is not clean: {good:#?}",
            rule.id
        );
        checked += 1;
    }
    assert!(checked >= 26, "only {checked} aws-auth rules");
}

/// Every fixture whose sections are literal blocks, rendered as JSON (so each
/// section becomes a double-quoted string with `\n` and `\"` escapes, as `kubectl get
/// -o json` prints it), yields the same findings, and each finding inside a section
/// lands on the escaped form of the same text.
#[test]
fn quoted_rendering_of_each_fixture_gives_the_same_findings_at_escaped_positions() {
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let limits = blastwall::source::Limits::default();
    let mut compared = 0;
    for (name, text) in fixture_texts() {
        if !name.ends_with(".yaml") || name.starts_with("unparseable-quoted") {
            continue;
        }
        let original = blastwall::source::load::load_str(&name, text.clone(), &limits);
        let value = &original.documents[0].value;
        let json: serde_json::Value = serde_json::from_str(&value.to_json_str().unwrap()).unwrap();
        let rendered = serde_json::to_string_pretty(&json).unwrap();
        let quoted = blastwall::source::load::load_str("rendered.json", rendered.clone(), &limits);
        let before = blastwall::lint::lint(&engine, &original, 1).unwrap();
        let after = blastwall::lint::lint(&engine, &quoted, 1).unwrap();
        let key =
            |f: &blastwall::finding::Finding| (f.rule.clone(), f.path.clone(), f.message.clone());
        let mut a: Vec<_> = before.iter().map(key).collect();
        let mut b: Vec<_> = after.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(
            a, b,
            "{name}: findings differ once rendered as JSON:\n{rendered}"
        );
        for f in &before {
            if f.path.len() <= 2 {
                continue; // not inside a section
            }
            let g = after.iter().find(|g| key(g) == key(f)).unwrap();
            let want = &text[f.span.clone().unwrap()];
            if want.contains('\n') {
                continue; // spans lines: the block's indentation is part of the text
            }
            let escaped = &rendered[g.span.clone().unwrap()];
            let got: String = serde_json::from_str(&format!("\"{escaped}\"")).unwrap_or_else(|e| {
                panic!(
                    "{name}: {} lands on {escaped:?}, not a JSON string part: {e}",
                    f.rule
                )
            });
            assert_eq!(got, want, "{name}: {}", f.rule);
            compared += 1;
        }
    }
    assert!(compared >= 30, "only {compared} findings compared");
}

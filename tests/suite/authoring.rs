//! Writing a rule end to end, through the real binary, in a temporary rule
//! directory: `new-rule` scaffolds it, `test` passes, a broken rule fails with a
//! diff, `--coverage` reports its lines, and `lint --rules` applies it.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn blastwall(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("blastwall")
        .expect("binary")
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run blastwall");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RULE: &str = "policy/team/require_team_label.rego";

/// A temporary directory with `require-team-label` scaffolded in `policy/team/`.
fn scaffolded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = blastwall(
        dir.path(),
        &[
            "new-rule",
            "require-team-label",
            "--category",
            "team",
            "--severity",
            "warning",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    for file in [
        RULE,
        "policy/team/require_team_label_test.rego",
        "policy/team/require_team_label.cases.yaml",
        "policy/team/cases/require-team-label-bad.yaml",
        "policy/team/cases/require-team-label-good.yaml",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} missing: {out}");
        assert!(
            out.contains(&format!("created {}", Path::new(file).display())),
            "{out}"
        );
    }
    dir
}

#[test]
fn a_scaffolded_rule_passes_its_tests_fails_when_broken_and_lints() {
    let dir = scaffolded();
    let root = dir.path();
    let text = fs::read_to_string(root.join(RULE)).unwrap();
    assert!(text.contains("\"severity\": \"warning\"") && text.contains("\"category\": \"team\""));

    // Out of the box: the Rego tests and the fixture cases pass.
    let (code, out, err) = blastwall(root, &["test", "policy"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok   policy/team/require_team_label_test.rego:")
            && out.contains("test_a_deployment_without_a_team_label_is_reported"),
        "{out}"
    );
    assert!(out.contains("ok   policy/team/require_team_label.cases.yaml:6: a Deployment without a team label is reported"), "{out}");
    assert!(
        out.contains("test result: ok. 7 passed; 0 failed (3 Rego tests, 4 fixture cases)"),
        "{out}"
    );

    // lint --rules applies it: the bad manifest is reported at `metadata:`, the good one is clean.
    let (code, out, err) = blastwall(
        root,
        &[
            "lint",
            "-f",
            "json",
            "--severity-threshold",
            "warning",
            "--rules",
            "policy",
            "policy/team/cases",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().replace('\\', "/"),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "require-team-label".to_string(),
            "policy/team/cases/require-team-label-bad.yaml".to_string(),
            3
        )]
    );

    // Coverage: the rule file with its percentage, in text and in JSON.
    let (code, out, err) = blastwall(root, &["test", "--coverage", "policy"]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("policy/team/require_team_label.rego")
        })
        .unwrap_or_else(|| panic!("no coverage line: {out}"));
    assert!(line.contains("100.0%"), "{line}");
    assert!(
        !out.contains("_test.rego  "),
        "test modules are not covered files: {out}"
    );
    let (_, out, _) = blastwall(root, &["test", "--coverage", "-f", "json", "policy"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let files = report["coverage"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["file"], "policy/team/require_team_label.rego");
    assert!(!files[0]["covered"].as_array().unwrap().is_empty());

    // Break it: the rule now looks for another label, so the good manifest is reported.
    let broken = text.replace(
        "not object.metadata.labels.team",
        "not object.metadata.labels.owner",
    );
    assert_ne!(broken, text);
    fs::write(root.join(RULE), broken).unwrap();
    let (code, out, err) = blastwall(root, &["test", "policy"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("FAIL policy/team/require_team_label_test.rego:")
            && out.contains("test_a_deployment_with_a_team_label_is_fine"),
        "{out}"
    );
    assert!(
        out.contains("FAIL policy/team/require_team_label.cases.yaml:11: a Deployment with a team label is not\n     expected (-) vs actual (+) findings:\n     + require-team-label at line 3:1: Deployment api has no `team` label: nobody is on record as its owner   (must be absent)"),
        "{out}"
    );
    assert!(
        out.contains("test result: FAILED. 4 passed; 3 failed"),
        "{out}"
    );
    // Partial coverage now: the failing paths still ran, and the report still comes.
    let (code, out, _) = blastwall(root, &["test", "--coverage", "policy"]);
    assert_eq!(code, 1);
    assert!(out.contains("policy/team/require_team_label.rego"), "{out}");

    // An expectation that is not met shows as missing.
    let suite = root.join("policy/team/require_team_label.cases.yaml");
    let text = fs::read_to_string(&suite)
        .unwrap()
        .replace("line: 3", "line: 4");
    fs::write(&suite, text).unwrap();
    let (code, out, _) = blastwall(root, &["test", "policy"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "     - require-team-label at line 4 matching /has no `team` label/   (not found)"
        ),
        "{out}"
    );
}

#[test]
fn new_rule_refuses_bad_ids_taken_ids_and_existing_files() {
    let dir = scaffolded();
    let root = dir.path();
    let before = fs::read_to_string(root.join(RULE)).unwrap();
    for (args, message) in [
        (vec!["new-rule", "Team_Label"], "`Team_Label` is not a valid rule id"),
        (vec!["new-rule", "9-lives"], "`9-lives` is not a valid rule id"),
        (vec!["new-rule", "privileged-container"], "rule id `privileged-container` is already taken by builtin:rules/workload/privileged_container.rego"),
        (vec!["new-rule", "require-team-label", "--category", "team"], "rule id `require-team-label` is already taken by policy"),
        (vec!["new-rule", "x", "--severity", "critical"], "`critical` is not a severity"),
        (vec!["new-rule", "x", "--category", "Team"], "`Team` is not a valid category"),
    ] {
        let (code, out, err) = blastwall(root, &args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // A file in the way (here a suite of another rule's making): nothing is written.
    fs::write(
        root.join("policy/team/cases/owner-label-good.yaml"),
        "keep: me\n",
    )
    .unwrap();
    let (code, _, err) = blastwall(root, &["new-rule", "owner-label", "--category", "team"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("owner-label-good.yaml already exists; nothing was written"),
        "{err}"
    );
    assert!(!root.join("policy/team/owner_label.rego").exists());
    assert_eq!(
        fs::read_to_string(root.join("policy/team/cases/owner-label-good.yaml")).unwrap(),
        "keep: me\n"
    );
    assert_eq!(fs::read_to_string(root.join(RULE)).unwrap(), before);
}

/// Writes `text` as the only suite of a copy of the scaffold, and `extra` files
/// beside it, and runs `test`.
fn test_with_suite(text: &str, extra: &[(&str, &str)]) -> (i32, String, String) {
    let dir = scaffolded();
    let team = dir.path().join("policy/team");
    fs::write(team.join("require_team_label.cases.yaml"), text).unwrap();
    for (name, text) in extra {
        fs::write(team.join(name), text).unwrap();
    }
    blastwall(dir.path(), &["test", "policy"])
}

#[test]
fn a_bad_suite_is_an_error_at_its_line() {
    let (code, _, err) = test_with_suite(
        "cases:\n  - name: typo\n    file: cases/require-team-label-bad.yaml\n    expcet: [require-team-label]\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("require_team_label.cases.yaml:4:5: unknown field `expcet`"),
        "{err}"
    );
    let (code, _, err) = test_with_suite(
        "cases:\n  - name: unknown rule\n    file: cases/require-team-label-bad.yaml\n    absent: [require-teem-label]\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("require_team_label.cases.yaml:4:1: `unknown rule`: no rule has the id `require-teem-label`"),
        "{err}"
    );
    let (code, _, err) = test_with_suite(
        "cases:\n  - name: missing input\n    file: cases/nope.yaml\n    absent: [require-team-label]\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains(":2:1: case `missing input`:") && err.contains("nope.yaml"),
        "{err}"
    );
}

const REVIEW: &str = r#"apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  uid: 6b4b6c1e-0000-4000-8000-000000000001
  kind: {group: apps, version: v1, kind: Deployment}
  resource: {group: apps, version: v1, resource: deployments}
  namespace: shop
  name: api
  operation: CREATE
  userInfo: {username: alice, groups: ["shop:devs"]}
  object:
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: shop}
  oldObject: null
"#;

#[test]
fn a_suite_reviews_changes_and_admission_reviews_with_a_config() {
    let (code, out, err) = test_with_suite(
        r#"config: blastwall.yaml
cases:
  - name: an UPDATE that drops the label is reported where the new object lacks it
    operation: UPDATE
    old: cases/require-team-label-good.yaml
    file: cases/require-team-label-bad.yaml
    user: {username: alice, groups: ["shop:devs"]}
    expect: [{rule: require-team-label, line: 3}]
  - name: deleting it is not
    operation: DELETE
    old: cases/require-team-label-bad.yaml
    absent: [require-team-label]
  - name: a saved AdmissionReview
    review: review.yaml
    expect: [{rule: require-team-label, message: "^Deployment api "}]
  - name: without the config, explicitly
    config: null
    manifest: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
    expect: [{rule: require-team-label, line: 3, message: web}]
"#,
        &[
            (
                "blastwall.yaml",
                "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nsharedNamespaces: [shop]\n",
            ),
            ("review.yaml", REVIEW),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("test result: ok. 7 passed; 0 failed (3 Rego tests, 4 fixture cases)"),
        "{out}"
    );
}

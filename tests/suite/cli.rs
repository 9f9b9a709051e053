//! The `blastwall` command as a user runs it: inputs, exit codes and output formats.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn blastwall() -> Command {
    let mut cmd = Command::cargo_bin("blastwall").expect("binary");
    cmd.env_remove("NO_COLOR");
    cmd
}

const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: payroll
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: yes
";

const CLEAN_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: payroll
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: api
    image: registry.example.com/payroll/api:1.4.2
    securityContext:
      allowPrivilegeEscalation: false
    resources:
      limits:
        cpu: 500m
        memory: 128Mi
";

/// Runs `lint --format json` and returns (exit code, parsed report).
fn lint_json(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut cmd = blastwall();
    cmd.arg("lint").arg("--format").arg("json").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn rules_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

#[test]
fn privileged_yes_is_reported_at_the_value_from_stdin() {
    let (code, report) = lint_json(&["-"], Some(PRIVILEGED_POD));
    assert_eq!(code, 1);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged-container")
        .expect("privileged-container finding");
    assert_eq!(f["file"], "<stdin>");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(11), Some(19))
    );
    assert_eq!(
        (f["endLine"].as_u64(), f["endColumn"].as_u64()),
        (Some(11), Some(22))
    );
    assert_eq!(f["path"], "spec.containers[0].securityContext.privileged");
    assert_eq!(f["object"]["kind"], "Pod");
    assert_eq!(f["object"]["namespace"], "payroll");
    assert_eq!(f["object"]["name"], "debug");
    assert_eq!(report["summary"]["documents"], 1);
}

#[test]
fn clean_input_exits_zero() {
    let (code, report) = lint_json(&["-"], Some(CLEAN_POD));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["summary"]["errors"], 0);
}

#[test]
fn severity_threshold_decides_the_exit_code() {
    // Only warnings: a root-capable container without limits.
    let warn_only = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n  containers:\n  - name: w\n    image: app:1.0\n";
    let (code, report) = lint_json(&["-"], Some(warn_only));
    assert!(!rules_of(&report).is_empty(), "expected warnings");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] != "error"));
    assert_eq!(code, 0);
    let (code, _) = lint_json(&["--severity-threshold", "warning", "-"], Some(warn_only));
    assert_eq!(code, 1);
}

#[test]
fn directories_are_walked_honouring_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "apps/pod.yaml", PRIVILEGED_POD);
    write(dir.path(), "apps/clean.yml", CLEAN_POD);
    write(dir.path(), "build/rendered.yaml", PRIVILEGED_POD);
    write(dir.path(), "notes.txt", "not yaml: [");
    write(dir.path(), ".gitignore", "build/\n");
    let root = dir.path().to_str().unwrap();
    let (code, report) = lint_json(&[root], None);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 2, "{report:#}");
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.iter().all(|f| f.ends_with("pod.yaml")), "{files:?}");
}

#[test]
fn lists_are_expanded_into_their_items() {
    let list = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
- apiVersion: v1
  kind: Pod
  metadata:
    name: debug
  spec:
    containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
";
    let (code, report) = lint_json(&["-"], Some(list));
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["documents"], 2);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged-container")
        .expect("finding in list item");
    assert_eq!(f["line"], 17);
    assert_eq!(f["path"], "spec.containers[0].securityContext.privileged");
}

#[test]
fn duplicate_keys_are_findings_with_both_locations() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
    let (code, report) = lint_json(&["-"], Some(text));
    assert_eq!(code, 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "yaml-duplicate-key");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(3))
    );
    // The human format shows where the first one was.
    let out = blastwall()
        .args(["lint", "--color", "never", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("yaml-duplicate-key"), "{human}");
    assert!(human.contains("first defined here"), "{human}");
    assert!(
        human.contains("4 |   name: a") && human.contains("--> <stdin>:5:3"),
        "{human}"
    );
}

#[test]
fn a_syntax_error_keeps_the_other_documents_and_exits_two() {
    let text = format!("{PRIVILEGED_POD}---\nkind: [unclosed\n---\n{CLEAN_POD}");
    let (code, report) = lint_json(&["-"], Some(&text));
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["documents"], 2, "{report:#}");
    assert!(rules_of(&report).contains(&"privileged-container".to_string()));
    let err = &report["errors"][0];
    assert_eq!(err["file"], "<stdin>");
    assert!(err["line"].as_u64().unwrap() >= 13, "{err}");
}

#[test]
fn unreadable_inputs_exit_two() {
    let (code, report) = lint_json(&["/nonexistent/blastwall/input.yaml"], None);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["errors"], 1);
    let dir = tempfile::tempdir().unwrap();
    // A directory that yields no manifest at all is a misconfigured step, not a pass.
    fs::create_dir(dir.path().join("looks-like.yaml")).unwrap();
    let (code, report) = lint_json(
        &[dir.path().join("looks-like.yaml").to_str().unwrap()],
        None,
    );
    assert_eq!(code, 2);
    let message = report["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("no *.yaml"), "{message}");
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            "  a{i}: &a{i} [{}]\n",
            [prev.as_str(); 9].join(",")
        ));
    }
    let start = std::time::Instant::now();
    let (code, report) = lint_json(&["-"], Some(&text));
    assert_eq!(code, 2, "{report:#}");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("alias"));
    // Generous: the point is no blow-up, not speed.
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn sarif_has_rules_and_real_regions() {
    let out = blastwall()
        .args(["lint", "--format", "sarif", "-"])
        .write_stdin(PRIVILEGED_POD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "privileged-container"));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "privileged-container")
        .unwrap();
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 11);
    assert_eq!(region["startColumn"], 19);
}

#[test]
fn github_and_junit_formats() {
    let out = blastwall()
        .args(["lint", "--format", "github", "-"])
        .write_stdin(PRIVILEGED_POD)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with(
            "::error title=privileged-container::<stdin>:11:19: container 'shell' runs privileged"
        )),
        "{text}"
    );
    let out = blastwall()
        .args(["lint", "--format", "junit", "-"])
        .write_stdin(PRIVILEGED_POD)
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("<failure") && xml.contains("privileged-container"),
        "{xml}"
    );
}

#[test]
fn human_output_points_at_the_field_with_help() {
    let out = blastwall()
        .args(["lint", "--color", "never", "-"])
        .write_stdin(PRIVILEGED_POD)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[privileged-container]"), "{text}");
    assert!(text.contains("<stdin>:11:19"), "{text}");
    assert!(text.contains("privileged: yes"), "{text}");
    assert!(text.contains("help:"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not asked: {text}");
}

#[test]
fn rules_lists_and_explains() {
    let out = blastwall().arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "privileged-container",
        "rbac-wildcard",
        "aws-auth-writer",
        "yaml-duplicate-key",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    let out = blastwall()
        .args(["rules", "privileged-container"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("How to fix"), "{text}");
    let out = blastwall()
        .args(["rules", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    let out = blastwall()
        .args(["lint", "--format", "xml", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = blastwall().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_user_rule_that_does_not_compile_exits_two_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.rego",
        "package blastwall.rules.broken\n\ndeny contains x if {\n    x := input.\n}\n",
    );
    let out = blastwall()
        .args(["lint", "--rules", dir.path().to_str().unwrap(), "-"])
        .write_stdin(CLEAN_POD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.rego:"), "{err}");
}

#[test]
fn the_bundled_fixtures_lint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (code, report) = lint_json(&[root.to_str().unwrap()], None);
    assert!(code == 1 || code == 0, "{report:#}");
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
}

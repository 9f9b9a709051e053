//! `action.yml`, the composite GitHub Action: its steps' scripts run here as the
//! runner would run them (bash, inputs through the step's `env`), with the real
//! binary on PATH.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A YAML file of the repository as JSON, read with blastwall's own loader.
pub fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let parsed =
        blastwall::source::yaml::parse_stream(&text, &blastwall::source::Limits::default());
    assert!(parsed.errors.is_empty(), "{path}: {:?}", parsed.errors);
    serde_json::to_value(&parsed.docs[0].value).unwrap()
}

fn action() -> Value {
    yaml("action.yml")
}

fn step<'a>(action: &'a Value, name: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name}"))
}

/// Replaces `${{ inputs.X }}` (the given value, else the input's default) and
/// `${{ steps.lint.outputs.exit-code }}` in `text`.
fn expand(action: &Value, text: &str, inputs: &BTreeMap<&str, String>, code: &str) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("${{") {
        let end = start + out[start..].find("}}").expect("closed expression") + 2;
        let expr = out[start + 3..end - 2].trim().to_string();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs.get(name).cloned().unwrap_or_else(|| {
                action["inputs"][name]["default"]
                    .as_str()
                    .unwrap_or_else(|| panic!("input {name} is not declared"))
                    .to_string()
            })
        } else if expr == "steps.lint.outputs.exit-code" {
            code.to_string()
        } else if expr == "github.action_path" {
            root().display().to_string()
        } else {
            panic!("unexpected expression {expr}")
        };
        out.replace_range(start..end, &value);
    }
    out
}

struct StepRun {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: String,
}

/// Runs a `run:` step as the runner does: `bash --noprofile --norc -eo pipefail`,
/// its `env` expanded, `GITHUB_OUTPUT` a file, the built binary first on PATH.
fn run_step(name: &str, cwd: &Path, inputs: &BTreeMap<&str, String>, code: &str) -> StepRun {
    let action = action();
    let step = step(&action, name);
    assert_eq!(step["shell"], "bash");
    let script = step["run"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script_path = dir.path().join("step.sh");
    std::fs::write(&script_path, script).unwrap();
    let outputs = dir.path().join("output");
    std::fs::write(&outputs, "").unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_blastwall"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script_path)
        .current_dir(cwd)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &outputs);
    if let Some(env) = step["env"].as_object() {
        for (key, value) in env {
            command.env(key, expand(&action, value.as_str().unwrap(), inputs, code));
        }
    }
    let out = command.output().unwrap();
    StepRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap(),
    }
}

#[test]
fn action_is_composite_installs_lints_uploads_and_declares_what_it_uses() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let install = step(&action, "Install blastwall");
    assert!(install["run"]
        .as_str()
        .unwrap()
        .contains("cargo install --locked --quiet --path \"$BLASTWALL_SOURCE\""));
    let upload = step(&action, "Upload SARIF");
    assert!(upload["uses"]
        .as_str()
        .unwrap()
        .starts_with("github/codeql-action/upload-sarif@"));
    assert_eq!(upload["with"]["sarif_file"], "${{ inputs.sarif-file }}");
    for name in [
        "paths",
        "config",
        "base",
        "severity-threshold",
        "sarif-file",
    ] {
        assert!(action["inputs"][name].is_object(), "input {name}");
    }
    // Every input used anywhere is declared.
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let used = regex::Regex::new(r"inputs\.([A-Za-z0-9_-]+)").unwrap();
    let mut count = 0;
    for name in used.captures_iter(&text).map(|c| c[1].to_string()) {
        assert!(
            action["inputs"][&name].is_object(),
            "input {name} is not declared"
        );
        count += 1;
    }
    assert!(count > 10, "{count}");
}

#[test]
fn install_step_uses_a_blastwall_already_on_path() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_step("Install blastwall", dir.path(), &BTreeMap::new(), "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("using "), "{}", run.stdout);
}

#[test]
fn lint_step_writes_sarif_annotates_and_reports_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let bad = root().join("fixtures/manifests/bad/privileged-container.yaml");
    let good = root().join("fixtures/manifests/good");
    let inputs = BTreeMap::from([
        ("paths", format!("{} {}", bad.display(), good.display())),
        ("args", "--no-config".to_string()),
    ]);
    let run = run_step("Lint", dir.path(), &inputs, "");
    assert_eq!(run.code, 0, "the step itself succeeds: {}", run.stderr);
    assert_eq!(run.outputs, "exit-code=1\n");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("blastwall.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "privileged-container"));
    assert!(
        run.stdout.contains("::error file=") && run.stdout.contains("title=privileged-container::"),
        "{}",
        run.stdout
    );

    // Clean input, another SARIF path, no annotations.
    let inputs = BTreeMap::from([
        ("paths", good.display().to_string()),
        ("args", "--no-config".to_string()),
        ("sarif-file", "out/report.sarif".to_string()),
        ("annotations", "false".to_string()),
    ]);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = run_step("Lint", dir.path(), &inputs, "");
    assert_eq!(run.outputs, "exit-code=0\n", "{}", run.stderr);
    assert!(dir.path().join("out/report.sarif").is_file());
    assert!(!run.stdout.contains("::"), "{}", run.stdout);
}

#[test]
fn lint_step_passes_config_threshold_and_a_bad_config_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad-config.yaml"), "kind: Nope\n").unwrap();
    let inputs = BTreeMap::from([
        (
            "paths",
            root().join("fixtures/manifests/good").display().to_string(),
        ),
        ("config", "bad-config.yaml".to_string()),
    ]);
    let run = run_step("Lint", dir.path(), &inputs, "");
    assert_eq!(run.outputs, "exit-code=2\n", "{}", run.stderr);
    // A warning fails only with the threshold lowered.
    let warn = root().join("fixtures/manifests/bad/latest-image-tag.yaml");
    for (threshold, code) in [("error", "0"), ("warning", "1")] {
        let inputs = BTreeMap::from([
            ("paths", warn.display().to_string()),
            ("args", "--no-config".to_string()),
            ("severity-threshold", threshold.to_string()),
        ]);
        let run = run_step("Lint", dir.path(), &inputs, "");
        assert_eq!(run.outputs, format!("exit-code={code}\n"), "{}", run.stderr);
    }
}

#[test]
fn verdict_fails_on_findings_unless_told_not_to_and_always_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let no_fail = BTreeMap::from([("fail", "false".to_string())]);
    for (inputs, code, expected) in [
        (BTreeMap::new(), "0", 0),
        (BTreeMap::new(), "1", 1),
        (no_fail.clone(), "1", 0),
        (no_fail, "2", 2),
    ] {
        let run = run_step("Verdict", dir.path(), &inputs, code);
        assert_eq!(run.code, expected, "code {code}, {inputs:?}");
    }
}

#[test]
fn output_writes_the_report_to_a_file_with_the_same_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let bad = root().join("fixtures/manifests/bad/privileged-container.yaml");
    let report = dir.path().join("report.sarif");
    let out = Command::new(env!("CARGO_BIN_EXE_blastwall"))
        .args(["lint", "--no-config", "-f", "sarif", "-o"])
        .arg(&report)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // An output that cannot be written is an error, never a silent success.
    let out = Command::new(env!("CARGO_BIN_EXE_blastwall"))
        .args(["lint", "--no-config", "-o", "/nonexistent/dir/report.txt"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the report"));
}

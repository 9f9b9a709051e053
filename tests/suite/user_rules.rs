//! A team's own rule directory, end to end: loaded from `--rules` or the config's
//! `ruleDirs`, linted, and rejected with its file:line when its metadata is wrong.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn blastwall(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("blastwall").expect("binary");
    cmd.current_dir(cwd).env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const RULE: &str = r#"package blastwall.rules.no_debug_label

metadata := {
	"id": "no-debug-label",
	"title": "Debug label left on",
	"severity": "error",
	"category": "team",
	"description": "Objects labelled debug=true are left over from an investigation.",
	"remediation": "Remove the `debug` label.",
}

deny contains {"msg": "debug label is on", "path": ["metadata", "labels", "debug"]} if {
	input.review.object.metadata.labels.debug == "true"
}
"#;

const DEBUG_CM: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: shop
  labels:
    debug: \"true\"
";

const CONFIG: &str =
    "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nruleDirs: [policy]\nsharedNamespaces: [shop]\n";

fn findings(out: &std::process::Output) -> Vec<(String, u64)> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn a_rule_directory_from_the_command_line_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy/team/no_debug_label.rego", RULE);
    write(dir.path(), "cm.yaml", DEBUG_CM);
    let out = blastwall(dir.path())
        .args(["lint", "-f", "json", "--rules", "policy", "cm.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&out), [("no-debug-label".to_string(), 7)]);
}

#[test]
fn rule_dirs_of_the_config_are_relative_to_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "platform/policy/no_debug_label.rego", RULE);
    write(dir.path(), "platform/.blastwall.yaml", CONFIG);
    write(dir.path(), "apps/cm.yaml", DEBUG_CM);
    // Run from another directory: the config is found by --config, its ruleDirs next to it.
    let out = blastwall(&dir.path().join("apps"))
        .args([
            "lint",
            "-f",
            "json",
            "--config",
            "../platform/.blastwall.yaml",
            "cm.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&out), [("no-debug-label".to_string(), 7)]);
    // `rules` lists it too, and the same directory named twice is loaded once.
    let out = blastwall(&dir.path().join("platform"))
        .args(["rules", "--rules", "policy"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no-debug-label"));
}

#[test]
fn a_missing_rule_dir_in_the_config_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".blastwall.yaml", CONFIG);
    write(dir.path(), "cm.yaml", DEBUG_CM);
    let out = blastwall(dir.path())
        .args(["lint", "cm.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rule directory `policy` does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains(".blastwall.yaml:3:12"), "{stderr}");
}

/// Runs `lint` with the rule `text` in policy/x.rego; returns (exit code, stderr).
fn lint_with_rule(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy/x.rego", text);
    write(dir.path(), "cm.yaml", DEBUG_CM);
    let out = blastwall(dir.path())
        .args(["lint", "--rules", "policy", "cm.yaml"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn invalid_metadata_is_an_error_at_the_field() {
    let (code, stderr) = lint_with_rule(&RULE.replace("\"error\"", "\"critical\""));
    assert_eq!(code, Some(2));
    let at = format!(
        "policy{}x.rego:6: invalid `metadata`: `severity`",
        std::path::MAIN_SEPARATOR
    );
    assert!(stderr.contains(&at), "{stderr}");
}

#[test]
fn missing_metadata_is_an_error_at_the_package() {
    let text = RULE.replace("metadata :=", "meta :=");
    let (code, stderr) = lint_with_rule(&text);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("x.rego:1: package data.blastwall.rules.no_debug_label has no `metadata`"),
        "{stderr}"
    );
}

#[test]
fn an_id_that_clashes_with_a_built_in_rule_is_an_error_naming_both() {
    let text = RULE.replace("\"no-debug-label\"", "\"privileged-container\"");
    let (code, stderr) = lint_with_rule(&text);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("x.rego:4: rule id `privileged-container` is already defined in builtin:rules/workload/privileged_container.rego:3"),
        "{stderr}"
    );
}

/// A user rule written against the facts and the match metadata runs compiled and
/// interpreted with the same findings.
#[test]
fn a_rule_over_facts_and_match_runs_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy/team/docker_hub.rego",
        r#"package blastwall.rules.docker_hub

metadata := {
	"id": "docker-hub-image",
	"title": "Image pulled from Docker Hub",
	"severity": "error",
	"category": "team",
	"match": {"kinds": [{"apiGroups": ["", "apps"], "kinds": ["Pod", "Deployment"]}], "operations": ["CREATE", "UPDATE"]},
	"description": "Images come from our registry.",
	"remediation": "Push the image to our registry.",
}

deny contains {"msg": sprintf("%s pulls %s from Docker Hub", [c.label, c.image.reference]), "path": array.concat(c.path, ["image"])} if {
	some c in input.facts.workload.containers
	c.image.registry == ""
}
"#,
    );
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n  - name: ok\n    image: registry.example.com/web:1\n",
    );
    for engine in ["compiled", "interpreter"] {
        let out = blastwall(dir.path())
            .args([
                "lint", "-f", "json", "--rules", "policy", "--engine", engine, "pod.yaml",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{engine}");
        let found: Vec<(String, u64)> = findings(&out)
            .into_iter()
            .filter(|(rule, _)| rule == "docker-hub-image")
            .collect();
        assert_eq!(found, [("docker-hub-image".to_string(), 8)], "{engine}");
    }
}

/// A runaway rule fails the run at the per-document time limit, naming the
/// document, on either engine.
#[test]
fn a_runaway_rule_fails_the_run_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy/slow.rego",
        r#"package blastwall.rules.slow

metadata := {"id": "slow", "title": "Slow", "severity": "error", "category": "team",
	"description": "Counts for ever.", "remediation": "Do not."}

deny contains {"msg": "done"} if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i * j == -1
}
"#,
    );
    write(dir.path(), "cm.yaml", DEBUG_CM);
    for engine in ["compiled", "interpreter"] {
        let out = blastwall(dir.path())
            .args([
                "lint",
                "--rules",
                "policy",
                "--time-limit",
                "0.2",
                "--engine",
                engine,
                "cm.yaml",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{engine}: {stderr}");
        assert!(
            stderr.contains("cm.yaml (document 1)"),
            "{engine}: {stderr}"
        );
    }
}

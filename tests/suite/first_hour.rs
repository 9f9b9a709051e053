//! What a new user meets in the first hour: every check that did not run says so,
//! every input that yields nothing says why, nothing from the input reaches the
//! terminal raw, and every format says the same.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// `blastwall args…` in `dir`, with `stdin`: (exit code, stdout, stderr).
fn blastwall(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("blastwall")
        .expect("binary")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

const POD: &str = "apiVersion: v1
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
      limits: {cpu: 500m, memory: 128Mi}
";

#[test]
fn without_a_tenancy_config_the_rules_that_are_off_are_named_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let (code, _, stderr) = blastwall(dir.path(), &["lint", "pod.yaml"], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.matches("note: no tenancy config").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("tenancy rules are off ("), "{stderr}");
    assert!(stderr.contains("cross-product-node"), "{stderr}");
    assert!(stderr.contains("`blastwall init`"), "{stderr}");

    // Asked for explicitly, or with a config, there is nothing to say.
    let (_, _, stderr) = blastwall(dir.path(), &["lint", "--no-config", "pod.yaml"], "");
    assert_eq!(stderr, "");
    let (_, _, stderr) = blastwall(dir.path(), &["init"], "");
    assert!(!stderr.contains("tenancy rules are off"), "{stderr}");
    let (_, _, stderr) = blastwall(dir.path(), &["lint", "pod.yaml"], "");
    assert!(!stderr.contains("tenancy rules are off"), "{stderr}");
}

#[test]
fn a_misspelt_or_missing_kind_is_a_finding_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "apiVersion: v1\nKind: Pod\nmetadata:\n  name: debug\n---\napiVersion: apps/v1\nmetadata:\n  name: api\n";
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "-f", "compact", "-"],
        text,
    );
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("<stdin>:2:1: error[manifest-missing-kind] `Kind` is not `kind`"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with(
            "<stdin>:7:1: error[manifest-missing-kind] the document has no usable `kind`"
        ),
        "{stdout}"
    );
}

#[test]
fn documents_that_are_not_objects_are_counted_and_located_when_walked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/pod.yaml", POD);
    write(
        dir.path(),
        "k8s/values.yaml",
        "replicaCount: 2\nimage: {tag: latest}\n",
    );
    write(
        dir.path(),
        "k8s/Chart.yaml",
        "apiVersion: v2\nname: payroll\nversion: 1.0.0\n",
    );
    write(dir.path(), "k8s/empty.yaml", "# nothing yet\n");
    let (code, stdout, stderr) = blastwall(
        dir.path(),
        &["lint", "--no-config", "-f", "json", "k8s"],
        "",
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(json(&stdout)["summary"]["documents"], 1);
    assert!(
        stderr.contains("note: 2 documents are not Kubernetes objects (no apiVersion and kind) and were not linted: k8s/Chart.yaml:1:1, k8s/values.yaml:1:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "note: 1 file holds no YAML document (empty or only comments): k8s/empty.yaml"
        ),
        "{stderr}"
    );
}

#[test]
fn an_input_named_explicitly_that_yields_nothing_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "values.yaml", "replicaCount: 2\n");
    let (code, stdout, _) = blastwall(dir.path(), &["lint", "--no-config", "values.yaml"], "");
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("error: nothing to lint: it holds no Kubernetes object: its document has no apiVersion and kind (--allow-empty accepts this)"),
        "{stdout}"
    );
    assert!(stdout.contains("--> values.yaml:1:1"), "{stdout}");
    let (code, _, stderr) = blastwall(
        dir.path(),
        &["lint", "--no-config", "--allow-empty", "values.yaml"],
        "",
    );
    assert_eq!(code, 0);
    assert!(
        stderr.contains("note: 1 document is not a Kubernetes object"),
        "{stderr}"
    );
}

#[test]
fn empty_input_is_an_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = blastwall(dir.path(), &["lint", "--no-config", "-"], "");
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains(
            "error: nothing to lint: it holds no YAML document (it is empty or has only comments)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("= note: in <stdin>"), "{stdout}");
    assert!(
        stdout.ends_with(
            "1 error, 0 warnings in 1 file (0 documents); 1 input could not be linted\n"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "--allow-empty", "-"],
        "",
    );
    assert_eq!(code, 0, "{stdout}");

    // A walked directory whose files hold no object lints nothing: an error too.
    write(dir.path(), "ci/workflow.yaml", "on: push\njobs: {}\n");
    let (code, stdout, stderr) = blastwall(dir.path(), &["lint", "--no-config", "ci"], "");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stdout.contains("error: no Kubernetes object in the input: nothing was linted (--allow-empty accepts this)"),
        "{stdout}"
    );
    assert!(stderr.contains("ci/workflow.yaml:1:1"), "{stderr}");
}

#[test]
fn raw_helm_templates_are_reported_once_with_the_hint_to_render_them() {
    let dir = tempfile::tempdir().unwrap();
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n  labels:\n    {{- include \"payroll.labels\" . | nindent 4 }}\n";
    write(dir.path(), "chart/templates/cm.yaml", template);
    write(
        dir.path(),
        "chart/templates/sa.yaml",
        &template.replace("ConfigMap", "ServiceAccount"),
    );
    write(dir.path(), "k8s/pod.yaml", POD);
    let (code, stdout, stderr) = blastwall(dir.path(), &["lint", "--no-config", "."], "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("mapping"), "{stdout}");
    assert_eq!(stderr.matches("helm template").count(), 1, "{stderr}");
    assert!(
        stderr.contains("note: 2 unrendered Helm templates not linted: ./chart/templates/cm.yaml:4:9, ./chart/templates/sa.yaml:4:9; lint what they render: `helm template CHART | blastwall lint -`"),
        "{stderr}"
    );
    // Named, it is an error that says the same.
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "chart/templates/cm.yaml"],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stdout.contains("is an unrendered Helm template"),
        "{stdout}"
    );
    assert!(
        stdout.contains("helm template CHART | blastwall lint -"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("error").count(),
        2,
        "one error and the summary: {stdout}"
    );
}

#[test]
fn json_files_that_are_not_manifests_are_skipped_when_walked_and_errors_when_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/tsconfig.json",
        "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true},\n  \"include\": [\"src\"] /* all */\n}\n",
    );
    write(
        dir.path(),
        "app/package.json",
        "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    );
    write(dir.path(), "app/pod.yaml", POD);
    let (code, stdout, stderr) = blastwall(dir.path(), &["lint", "--no-config", "app"], "");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("note: 1 JSON file that does not parse and names no apiVersion or kind (not a manifest) was not linted: app/tsconfig.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: 1 document is not a Kubernetes object (no apiVersion and kind) and was not linted: app/package.json:1:1"),
        "{stderr}"
    );
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "app/tsconfig.json"],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stdout.contains("error: nothing to lint: it is JSON that does not parse and names no apiVersion or kind"),
        "{stdout}"
    );
    assert!(stdout.contains("= note: in app/tsconfig.json"), "{stdout}");
}

#[test]
fn overlapping_paths_report_each_finding_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, once, _) = blastwall(
        root,
        &[
            "lint",
            "--no-config",
            "-f",
            "json",
            "fixtures/manifests/bad",
        ],
        "",
    );
    let (_, twice, _) = blastwall(
        root,
        &[
            "lint",
            "--no-config",
            "-f",
            "json",
            "fixtures/manifests",
            "fixtures/manifests/bad",
            "fixtures/manifests/bad/host-port.yaml",
        ],
        "",
    );
    let count = |out: &str| json(out)["findings"].as_array().unwrap().len();
    // fixtures/manifests beyond bad/: good/ and kinds/ (the pod-carrying kinds).
    let rest = blastwall(
        root,
        &[
            "lint",
            "--no-config",
            "-f",
            "json",
            "fixtures/manifests/good",
            "fixtures/manifests/kinds",
        ],
        "",
    );
    assert_eq!(count(&twice), count(&once) + count(&rest.1));
}

/// A container name that would retitle the terminal (OSC 0, ended by BEL) and, on
/// a line of its own, make GitHub Actions raise an annotation of the attacker's.
const HOSTILE: &str = "c\u{1b}]0;pwned\u{7}\n::error file=x.yaml,line=1::fake";

#[test]
fn a_hostile_name_is_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let escaped = serde_json::to_string(HOSTILE).unwrap();
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n  - name: {escaped}\n    image: busybox:1.36\n    securityContext:\n      privileged: true\n"
    );
    write(dir.path(), "pod.yaml", &pod);
    let visible = "c\\u{1b}]0;pwned\\u{7}\\n::error file=x.yaml,line=1::fake";
    for format in [
        "human", "compact", "junit", "github", "json", "sarif", "gitlab",
    ] {
        let (code, stdout, stderr) = blastwall(
            dir.path(),
            &[
                "lint",
                "--no-config",
                "--color",
                "always",
                "-f",
                format,
                "pod.yaml",
            ],
            "",
        );
        assert_eq!(code, 1, "{format}: {stdout}{stderr}");
        for out in [&stdout, &stderr] {
            assert!(!out.contains("\u{7}"), "{format}: BEL printed raw: {out}");
            assert!(!out.contains("\u{1b}]"), "{format}: OSC printed raw: {out}");
            assert!(
                !out.lines()
                    .any(|l| l.trim_start().starts_with("::error file=x.yaml")),
                "{format}: a line of the input became a workflow command: {out}"
            );
        }
        match format {
            "human" | "compact" | "junit" => {
                assert!(stdout.contains(visible), "{format}: {stdout}")
            }
            "github" => assert!(
                stdout.contains("c\\u{1b}]0;pwned\\u{7}%0A::error file=x.yaml,line=1::fake"),
                "{format}: {stdout}"
            ),
            _ => {
                // JSON escapes control characters itself; the value is intact.
                assert!(
                    stdout.contains("\\u001b]0;pwned\\u0007\\n::error"),
                    "{format}: {stdout}"
                );
                let value = json(&stdout);
                assert!(value.to_string().contains("pwned"), "{format}");
            }
        }
    }
}

#[test]
fn the_snippet_of_a_binary_file_is_replaced_by_a_note() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("image.yaml"),
        b"\x7fELF\x02\x01\x01\x00\x00\x1b[2J\x1b]0;pwned\x07\xff\xfe\nkind: Pod\n",
    )
    .unwrap();
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "--color", "never", "image.yaml"],
        "",
    );
    assert_eq!(code, 2, "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{0}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("error: not UTF-8 text (invalid byte at offset 23); not read"),
        "{stdout}"
    );
    assert!(
        stdout.contains("= note: at image.yaml:1:24 (the source is not shown: the file holds control characters or is not text)"),
        "{stdout}"
    );
}

#[test]
fn rule_ids_get_a_did_you_mean_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let (code, _, stderr) = blastwall(dir.path(), &["rules", "privileged"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no rule `privileged`: did you mean `privileged-container`?"),
        "{stderr}"
    );
    let (code, _, stderr) = blastwall(
        dir.path(),
        &["lint", "--no-config", "--exclude", "host-ports", "pod.yaml"],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--exclude host-ports: no such rule; did you mean `host-port`?"),
        "{stderr}"
    );
    write(
        dir.path(),
        ".blastwall.yaml",
        "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nrules:\n  privileged: {preExisting: enforce}\n",
    );
    let (code, _, stderr) = blastwall(dir.path(), &["lint", "pod.yaml"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `privileged-container`?"),
        "{stderr}"
    );
    // In the same style as lint's own diagnostics.
    assert!(stderr.contains("--> .blastwall.yaml:4:3"), "{stderr}");
    assert!(!stderr.contains('\u{2502}'), "{stderr}");
}

#[test]
fn exclude_drops_a_rule_and_rules_lists_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let pod = POD.replace("allowPrivilegeEscalation: false", "privileged: true");
    write(dir.path(), "pod.yaml", &pod);
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "-f", "compact", "pod.yaml"],
        "",
    );
    assert_eq!(code, 1);
    assert!(stdout.contains("error[privileged-container]"), "{stdout}");
    let (code, stdout, _) = blastwall(
        dir.path(),
        &[
            "lint",
            "--no-config",
            "-f",
            "compact",
            "--exclude",
            "privileged-container",
            "--exclude",
            "privilege-escalation",
            "pod.yaml",
        ],
        "",
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("privilege"), "{stdout}");

    let (code, stdout, _) = blastwall(dir.path(), &["rules", "--no-config", "-f", "json"], "");
    assert_eq!(code, 0);
    let rules = json(&stdout);
    let rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "manifest-missing-kind")
        .expect("listed");
    assert_eq!(rule["severity"], "error");
    assert_eq!(rule["category"], "manifest");
    assert!(rule["remediation"]
        .as_str()
        .unwrap()
        .contains("apiVersion: v1"));
}

#[test]
fn a_closed_pipe_ends_the_report_quietly_with_the_same_exit_code() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for args in [
        &["lint", "--no-config", "--color", "never", "fixtures/"][..],
        &["rules", "--no-config", "-f", "markdown"][..],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blastwall"))
            .current_dir(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // As `| head -1`: read one line, then close the pipe.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        let expected = if args[0] == "lint" { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_syntax_error_is_counted_as_an_error_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = blastwall(
        dir.path(),
        &["lint", "--no-config", "--color", "never", "-"],
        "apiVersion: v1\nkind: [Pod\n",
    );
    assert_eq!(code, 2);
    assert!(stdout.starts_with("error: "), "{stdout}");
    assert!(
        stdout.ends_with(
            "1 error, 0 warnings in 1 file (0 documents); 1 input could not be linted\n"
        ),
        "{stdout}"
    );
}

#[test]
fn blastwall_test_reads_the_config_rule_dirs_as_lint_does() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = blastwall(
        dir.path(),
        &[
            "new-rule",
            "team-owner",
            "--category",
            "team",
            "--dir",
            "policy",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    write(
        dir.path(),
        ".blastwall.yaml",
        "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nruleDirs: [policy]\n",
    );
    let (code, out, err) = blastwall(dir.path(), &["test"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("team-owner") || out.contains("team_owner"),
        "{out}"
    );
    // Without the config, the built-in pack is what is tested.
    let (_, out, _) = blastwall(dir.path(), &["test", "--no-config", "-q"], "");
    assert!(!out.contains("team_owner"), "{out}");
}

#[test]
fn review_of_a_manifest_says_it_is_one_and_how_to_lint_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, _, stderr) = blastwall(
        root,
        &[
            "review",
            "--no-config",
            "fixtures/manifests/bad/host-port.yaml",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(!stderr.contains("request body"), "{stderr}");
    assert!(
        stderr.contains("fixtures/manifests/bad/host-port.yaml is not an AdmissionReview")
            && stderr.contains("run `blastwall lint fixtures/manifests/bad/host-port.yaml`"),
        "{stderr}"
    );
    let (code, _, stderr) = blastwall(
        root,
        &["review", "--no-config", "-"],
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("- is a Pod object, not an AdmissionReview"),
        "{stderr}"
    );
}

#[test]
fn junit_lists_only_the_rules_that_apply_to_each_files_kinds() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(
        dir.path(),
        "role.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: payroll}\nrules: []\n",
    );
    let (code, xml, _) = blastwall(
        dir.path(),
        &[
            "lint",
            "--no-config",
            "-f",
            "junit",
            "pod.yaml",
            "role.yaml",
        ],
        "",
    );
    assert_eq!(code, 0, "{xml}");
    let suite = |name: &str| {
        let start = xml.find(&format!("<testsuite name=\"{name}\"")).unwrap();
        let end = start + xml[start..].find("</testsuite>").unwrap();
        xml[start..end].to_string()
    };
    let pod = suite("pod.yaml");
    let role = suite("role.yaml");
    assert!(pod.contains("name=\"privileged-container\""), "{pod}");
    assert!(!pod.contains("name=\"rbac-wildcard\""), "{pod}");
    assert!(role.contains("name=\"rbac-wildcard\""), "{role}");
    assert!(!role.contains("name=\"privileged-container\""), "{role}");
    // Rules that apply to every kind are listed for both.
    assert!(
        pod.contains("name=\"yaml-duplicate-key\"") && role.contains("name=\"yaml-duplicate-key\"")
    );
}

/// The README's first command: findings where the fixtures are bad, none where
/// they are called clean or good, and no noise from the documentation account in
/// fixtures that are about something else.
#[test]
fn the_readme_first_lint_shows_a_realistic_mix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, _) = blastwall(root, &["lint", "-f", "json", "fixtures/"], "");
    assert_eq!(code, 1);
    let report = json(&stdout);
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    let file = |f: &Value| f["file"].as_str().unwrap_or_default().to_string();
    let in_clean: Vec<String> = findings
        .iter()
        .map(file)
        .filter(|f| f.contains("/clean/") || f.contains("/good/"))
        .collect();
    assert!(in_clean.is_empty(), "{in_clean:?}");
    let placeholders: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"] == "aws-auth-placeholder")
        .map(file)
        .collect();
    assert!(
        placeholders
            .iter()
            .all(|f| f == "fixtures/aws-auth/placeholder.yaml"),
        "{placeholders:?}"
    );
    let rules: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.len() >= 30, "{rules:?}");
}

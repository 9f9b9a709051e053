//! `helm template` output: every finding in a document headed by a
//! `# Source: <chart>/templates/<file>` comment names that template as well as its
//! place in the rendered stream, in every output format.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const RENDERED: &str = "fixtures/helm/rendered.yaml";
const CHARTS: &str = "fixtures/helm/charts";

/// `blastwall lint --no-config -f FORMAT [extra…] -` with the rendered stream on stdin.
fn lint_stdin(format: &str, extra: &[&str]) -> (i32, String) {
    let stream = std::fs::read(root().join(RENDERED)).unwrap();
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(root())
        .args(["lint", "--no-config", "-f", format])
        .args(extra)
        .arg("-")
        .write_stdin(stream)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json_findings(extra: &[&str], input: Option<&str>) -> Vec<Value> {
    let (code, out) = match input {
        None => lint_stdin("json", extra),
        Some(file) => {
            let out = Command::cargo_bin("blastwall")
                .unwrap()
                .current_dir(root())
                .args(["lint", "--no-config", "-f", "json"])
                .args(extra)
                .arg(file)
                .output()
                .unwrap();
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8(out.stdout).unwrap(),
            )
        }
    };
    assert_eq!(code, 1, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["errors"], serde_json::json!([]));
    json["findings"].as_array().unwrap().clone()
}

/// (rule, line, template) of each finding.
fn placed(findings: &[Value]) -> Vec<(String, u64, Option<String>)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["template"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn expected(prefix: &str) -> Vec<(String, u64, Option<String>)> {
    let t = |p: &str| Some(format!("{prefix}{p}"));
    vec![
        (
            "host-path-volume".into(),
            34,
            t("payroll/charts/redis/templates/statefulset.yaml"),
        ),
        (
            "privileged-container".into(),
            57,
            t("payroll/templates/deployment.yaml"),
        ),
        (
            "host-namespaces".into(),
            75,
            t("billing/templates/deployment.yaml"),
        ),
        // Appended by hand after the charts: no `# Source:`, no template.
        ("privileged-container".into(), 99, None),
    ]
}

#[test]
fn json_names_the_template_and_keeps_the_rendered_position() {
    let findings = json_findings(&[], None);
    assert_eq!(placed(&findings), expected(""));
    assert_eq!(findings[0]["file"], "<stdin>");
    assert_eq!(findings[0]["column"], 11);
    assert!(findings[3].get("template").is_none(), "{:#}", findings[3]);
}

#[test]
fn helm_root_points_at_the_template_files_of_the_repository() {
    let findings = json_findings(&["--helm-root", CHARTS], None);
    assert_eq!(placed(&findings), expected("fixtures/helm/charts/"));
    for f in &findings {
        if let Some(template) = f["template"].as_str() {
            let path = root().join(template);
            assert!(path.is_file(), "{template} is not a file of the repository");
            // The template holds the offending object.
            let text = std::fs::read_to_string(&path).unwrap();
            let name = f["object"]["name"].as_str().unwrap();
            assert!(text.contains(&format!("name: {name}")), "{template}");
        }
    }
}

#[test]
fn a_rendered_file_on_disk_names_the_template_too() {
    let findings = json_findings(&[], Some(RENDERED));
    assert_eq!(placed(&findings), expected(""));
    assert_eq!(findings[1]["file"], RENDERED);
}

#[test]
fn human_output_notes_the_template_under_the_rendered_position() {
    let (code, out) = lint_stdin("human", &[]);
    assert_eq!(code, 1);
    let block = &out[out.find("--> <stdin>:57:25").expect("rendered position")..];
    let block = &block[..block.find("\n\n").unwrap()];
    assert!(
        block.contains("= note: rendered from Helm template payroll/templates/deployment.yaml"),
        "{block}"
    );
    let last = &out[out.find("--> <stdin>:99:").unwrap()..];
    let last = &last[..last.find("\n\n").unwrap()];
    assert!(!last.contains("Helm template"), "{last}");
}

#[test]
fn github_annotates_the_template_file_when_the_stream_is_stdin() {
    let (code, out) = lint_stdin("github", &["--helm-root", CHARTS]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[1],
        "::error file=fixtures/helm/charts/payroll/templates/deployment.yaml,title=privileged-container::\
         <stdin>:57:25: container 'api' runs privileged: it gets every capability and every host device, \
         without seccomp or AppArmor confinement, so root in it can take over the node \
         (rendered from Helm template fixtures/helm/charts/payroll/templates/deployment.yaml)"
    );
    // No template: annotated on the run, with its place in the message.
    assert!(
        lines[3].starts_with("::error title=privileged-container::<stdin>:99:21: "),
        "{}",
        lines[3]
    );
}

#[test]
fn github_annotates_a_rendered_file_at_its_own_line() {
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(root())
        .args(["lint", "--no-config", "-f", "github", RENDERED])
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let second = out.lines().nth(1).unwrap();
    assert!(
        second.starts_with(&format!(
            "::error file={RENDERED},line=57,col=25,endLine=57,endColumn=29,title=privileged-container::"
        )),
        "{second}"
    );
    assert!(second.ends_with("(rendered from Helm template payroll/templates/deployment.yaml)"));
}

#[test]
fn sarif_places_stdin_results_on_the_template_with_the_rendered_place_related() {
    let (code, out) = lint_stdin("sarif", &["--helm-root", CHARTS]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let r = &results[1];
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "fixtures/helm/charts/payroll/templates/deployment.yaml"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert!(loc.get("region").is_none(), "{loc:#}");
    let related = r["relatedLocations"].as_array().unwrap();
    let rendered = related.last().unwrap();
    assert_eq!(
        rendered["physicalLocation"]["region"]["startLine"], 57,
        "{rendered:#}"
    );
    assert!(rendered["message"]["text"]
        .as_str()
        .unwrap()
        .contains("<stdin>:57:25"));
    // The document without a template keeps its place in the stream.
    let last = &results[3]["locations"][0]["physicalLocation"];
    assert_eq!(last["region"]["startLine"], 99);
}

#[test]
fn sarif_of_a_rendered_file_relates_the_template() {
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(root())
        .args(["lint", "--no-config", "-f", "sarif", RENDERED])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &sarif["runs"][0]["results"][1];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        RENDERED
    );
    let related = r["relatedLocations"].as_array().unwrap().last().unwrap();
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "payroll/templates/deployment.yaml"
    );
    assert!(related["message"]["text"]
        .as_str()
        .unwrap()
        .contains("Helm template"));
}

#[test]
fn junit_failure_text_names_the_template() {
    let (code, out) = lint_stdin("junit", &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("rendered from Helm template payroll/charts/redis/templates/statefulset.yaml"),
        "{out}"
    );
}

#[test]
fn the_fixture_is_what_the_charts_render_to() {
    // Each document of the stream is its template, verbatim, under Helm's header.
    let stream = std::fs::read_to_string(root().join(RENDERED)).unwrap();
    for template in [
        "payroll/templates/serviceaccount.yaml",
        "payroll/charts/redis/templates/statefulset.yaml",
        "payroll/templates/deployment.yaml",
        "billing/templates/deployment.yaml",
    ] {
        let body = std::fs::read_to_string(Path::new(&root()).join(CHARTS).join(template)).unwrap();
        assert!(
            stream.contains(&format!("---\n# Source: {template}\n{body}")),
            "{template}"
        );
    }
}

//! The add-ons EKS platform teams install (Argo CD, ingress-nginx, calico, the VPC CNI,
//! kube-state-metrics, kube-prometheus, cert-manager, external-dns, metrics-server,
//! the AWS Load Balancer Controller, Karpenter), vendored under
//! `tests/corpus/addons/` with their licenses and a SOURCE note each.
//!
//! - Every finding on them is in `tests/corpus/addons/findings.txt`, reviewed to be
//!   true of its object: a change shows up as a diff in review. Re-bless with
//!   `BLASTWALL_BLESS_ADDONS=1 cargo test --test suite addons::` and review the diff.
//! - The compiled engine and the interpreter find the same on them.
//! - The exemption config of `docs/addons.md`, applied to them, accepts exactly the
//!   findings that page says are expected and leaves exactly the ones it lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CORPUS: &str = "tests/corpus/addons";
const SNAPSHOT: &str = "tests/corpus/addons/findings.txt";
const BLESS: &str = "BLASTWALL_BLESS_ADDONS";

/// `blastwall lint -f json [extra…] tests/corpus/addons` from the repository root.
fn lint(extra: &[&str]) -> Value {
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(root())
        .args(["lint", "-f", "json"])
        .args(extra)
        .arg(CORPUS)
        // The exemptions of docs/addons.md hold until a date: fix "today" before it.
        .env("BLASTWALL_TODAY", "2026-12-01")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}{stdout}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["errors"], serde_json::json!([]), "{stdout}");
    json
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// `Kind namespace/name`, or `Kind name` for a cluster-scoped object.
fn object(finding: &Value) -> String {
    let o = &finding["object"];
    match text(&o["namespace"]) {
        "" => format!("{} {}", text(&o["kind"]), text(&o["name"])),
        ns => format!("{} {ns}/{}", text(&o["kind"]), text(&o["name"])),
    }
}

/// The file's path under the corpus directory.
fn file(finding: &Value) -> String {
    let f = text(&finding["file"]);
    f.strip_prefix(CORPUS)
        .map(|f| f.trim_start_matches('/'))
        .unwrap_or(f)
        .to_string()
}

/// One finding as the snapshot writes it: its place, severity, rule and object on
/// one line, its message indented on the next.
fn entry(f: &Value) -> (String, u64, u64, String) {
    let line = f["line"].as_u64().unwrap_or(0);
    let column = f["column"].as_u64().unwrap_or(0);
    let head = format!(
        "{}:{line}:{column} {} {} {}\n    {}\n",
        file(f),
        text(&f["severity"]),
        text(&f["rule"]),
        object(f),
        text(&f["message"])
    );
    (file(f), line, column, head)
}

fn render(findings: &[Value]) -> String {
    let mut entries: Vec<_> = findings.iter().map(entry).collect();
    entries.sort();
    let mut out = String::from(
        "# Every finding of `blastwall lint --no-config` on tests/corpus/addons, each\n\
         # reviewed to be true of its object. Written by tests/suite/addons.rs:\n\
         # BLASTWALL_BLESS_ADDONS=1 cargo test --test suite addons:: (then review the diff).\n",
    );
    for (_, _, _, e) in entries {
        out.push_str(&e);
    }
    out
}

/// A line diff (longest common subsequence) of `old` against `new`, `-`/`+` lines
/// with two lines of context around each change.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        ops[k.saturating_sub(2)..(k + 3).min(ops.len())]
            .iter()
            .any(|(op, _)| *op != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("  …\n");
                skipped = false;
            }
            out.push_str(&format!("{op} {line}\n"));
        } else {
            skipped = true;
        }
    }
    out
}

fn findings(json: &Value) -> Vec<Value> {
    json["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn every_finding_on_the_addons_is_the_reviewed_one() {
    let json = lint(&["--no-config"]);
    let now = render(&findings(&json));
    let path = root().join(SNAPSHOT);
    if std::env::var_os(BLESS).is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let reviewed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        reviewed == now,
        "the findings on {CORPUS} differ from the reviewed ones in {SNAPSHOT} \
         (- reviewed, + now):\n{}\nIf the change is intended, check each new finding is true \
         of its object, then re-bless: {BLESS}=1 cargo test --test suite addons::",
        diff(&reviewed, &now)
    );
}

#[test]
fn the_compiled_engine_and_the_interpreter_agree_on_the_addons() {
    let compiled = render(&findings(&lint(&["--no-config"])));
    let interpreted = render(&findings(&lint(&[
        "--no-config",
        "--engine",
        "interpreter",
    ])));
    assert!(
        compiled == interpreted,
        "(- compiled, + interpreter):\n{}",
        diff(&compiled, &interpreted)
    );
}

/// The fenced block that follows the line `marker` in docs/addons.md.
fn block_after(doc: &str, marker: &str) -> String {
    let rest = doc
        .split_once(marker)
        .unwrap_or_else(|| panic!("docs/addons.md has no {marker:?}"))
        .1;
    let body = rest
        .split_once("```")
        .and_then(|(_, b)| b.split_once('\n'))
        .map(|(_, b)| b)
        .unwrap_or("");
    body.split_once("```")
        .map(|(b, _)| b)
        .unwrap_or("")
        .to_string()
}

/// `rule Kind namespace/name` of a finding, as docs/addons.md lists what stays.
fn key(f: &Value) -> String {
    format!("{} {}", text(&f["rule"]), object(f))
}

#[test]
fn the_documented_exemptions_accept_exactly_the_expected_addon_findings() {
    let doc = std::fs::read_to_string(root().join("docs/addons.md")).unwrap();
    let config = block_after(&doc, "<!-- addons-exemptions -->");
    let remaining: BTreeSet<String> = block_after(&doc, "<!-- addons-remaining -->")
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("blastwall.yaml");
    std::fs::write(&config_path, &config).unwrap();
    let config_text = config;
    let config_arg = config_path.to_str().unwrap();
    let json = lint(&["--config", config_arg]);
    let all = findings(&json);
    // Each exemption covers something (no `exemption-unused`), and nothing else is
    // reported than the corpus's own findings.
    let by_config: Vec<&Value> = all
        .iter()
        .filter(|f| text(&f["rule"]).starts_with("exemption-"))
        .collect();
    assert!(by_config.is_empty(), "{by_config:#?}");
    let plain = findings(&lint(&["--no-config"]));
    assert_eq!(
        all.len(),
        plain.len(),
        "the config changes what is found, not only what is accepted"
    );
    let left: BTreeSet<String> = all
        .iter()
        .filter(|f| f["suppression"].is_null())
        .map(key)
        .collect();
    let extra: Vec<_> = left.difference(&remaining).collect();
    let gone: Vec<_> = remaining.difference(&left).collect();
    assert!(
        extra.is_empty() && gone.is_empty(),
        "docs/addons.md is not true of the corpus:\nnot accepted by its exemptions, \
         and not listed as remaining: {extra:#?}\nlisted as remaining, but accepted or \
         not found: {gone:#?}"
    );
    // Each exemption is exact: every rule it names accepts at least one finding.
    let mut declared: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut rules = BTreeSet::new();
    for line in config_text.lines().map(str::trim) {
        if let Some(ids) = line.strip_prefix("- rule:") {
            rules = ids
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|r| r.trim().to_string())
                .collect();
        } else if let Some(reason) = line.strip_prefix("reason:") {
            declared.push((reason.trim().to_string(), std::mem::take(&mut rules)));
        }
    }
    assert!(!declared.is_empty());
    for (reason, rules) in declared {
        let used: BTreeSet<String> = all
            .iter()
            .filter(|f| text(&f["suppression"]["reason"]) == reason)
            .map(|f| text(&f["rule"]).to_string())
            .collect();
        assert_eq!(
            used, rules,
            "the exemption {reason:?} names rules it does not need"
        );
    }
    assert!(Path::new(&config_path).exists());
}

/// Every add-on directory has its license and a SOURCE note, as docs/addons.md
/// and the README promise.
#[test]
fn every_vendored_addon_has_its_license_and_source() {
    let mut addons = 0;
    for entry in std::fs::read_dir(root().join(CORPUS)).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        addons += 1;
        for file in ["LICENSE", "SOURCE"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
            assert!(!text.trim().is_empty(), "{} has no {file}", dir.display());
        }
        let source = std::fs::read_to_string(dir.join("SOURCE")).unwrap();
        assert!(source.contains(" at commit "), "{}", dir.display());
    }
    assert_eq!(addons, 11);
}

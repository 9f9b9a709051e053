//! Secrets stay secret and policy stays sandboxed: a Secret's values never appear in
//! any output of `lint` (every format) or `review`, even when a rule quotes them;
//! rules cannot call builtins that reach the network, the environment or files.

use crate::common;

use std::path::Path;

use common::run;

/// Distinctive values: the raw strings, and what the base64 `data` decodes to.
const SECRETS: [&str; 6] = [
    "U1VQRVJTRUNSRVQtREFUQS03MzE5",
    "SUPERSECRET-DATA-7319",
    "SUPERSECRET-STRING-4482",
    "SUPERSECRET-NESTED-5521",
    "SUPERSECRET-LIST-9901",
    "SUPERSECRET-OLD-1177",
];

/// A Secret with duplicate keys (so findings point into `data`), odd shapes, and a
/// block scalar.
const SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: payroll
type: Opaque
data:
  password: U1VQRVJTRUNSRVQtREFUQS03MzE5
  password: U1VQRVJTRUNSRVQtREFUQS03MzE5
stringData:
  api-key: SUPERSECRET-STRING-4482
  api-key: SUPERSECRET-STRING-4482
  nested: {a: SUPERSECRET-NESTED-5521}
  list: |
    SUPERSECRET-LIST-9901
";

/// A user rule that quotes the Secret's values in its messages.
const QUOTING_RULE: &str = r#"package blastwall.rules.leaky

metadata := {"id": "leaky", "title": "Leaky", "severity": "error", "category": "test",
  "description": "Quotes secret values.", "remediation": "None.", "kinds": ["Secret"]}

deny contains {"msg": msg, "path": ["stringData", "api-key"],
               "related": [{"path": ["data", "password"], "msg": sprintf("decoded %s", [base64.decode(input.review.object.data.password)])}]} if {
	input.review.object.kind == "Secret"
	msg := sprintf("key %s, password %s, decoded %s, old %v", [
		input.review.object.stringData["api-key"],
		input.review.object.data.password,
		base64.decode(input.review.object.data.password),
		object.get(input.review, ["oldObject", "stringData"], {}),
	])
}
"#;

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret}:\n{text}");
    }
}

#[test]
fn lint_never_prints_secret_values_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.yaml"), SECRET).unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/leaky.rego"), QUOTING_RULE).unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let r = run(
            dir.path(),
            &[
                "lint",
                "--no-config",
                "--rules",
                "rules",
                "--color",
                "always",
                "-f",
                format,
                "secret.yaml",
            ],
            None,
        );
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        // The rule did fire, and its message was masked, not dropped.
        assert!(r.stdout.contains("leaky"), "{format}: {}", r.stdout);
        assert!(
            r.stdout.contains("redacted>") || r.stdout.contains("redacted&gt;"),
            "{format}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("yaml-duplicate-key"), "{format}");
        assert_no_secret(&format!("lint -f {format} stdout"), &r.stdout);
        assert_no_secret(&format!("lint -f {format} stderr"), &r.stderr);
    }
}

/// A Secret that cannot be parsed (an unclosed quote): the syntax error's snippet
/// shows where, not what.
#[test]
fn lint_masks_the_values_of_a_secret_it_cannot_parse() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: \"SUPERSECRET-DATA-7319\n  other: [x\n";
    std::fs::write(dir.path().join("secret.yaml"), broken).unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let r = run(
            dir.path(),
            &["lint", "--no-config", "-f", format, "secret.yaml"],
            None,
        );
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        let out = format!("{}{}", r.stdout, r.stderr);
        assert!(out.contains("secret.yaml"), "{format}: {out}");
        assert_no_secret(&format!("lint -f {format} of a broken Secret"), &out);
    }
    // The human snippet still points at the line, keys and all.
    let r = run(dir.path(), &["lint", "--no-config", "secret.yaml"], None);
    assert!(
        r.stderr.contains("password:") || r.stdout.contains("password:"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn review_never_prints_secret_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/leaky.rego"), QUOTING_RULE).unwrap();
    let review = serde_json::json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "sec-1", "operation": "UPDATE",
            "kind": {"group": "", "version": "v1", "kind": "Secret"},
            "resource": {"group": "", "version": "v1", "resource": "secrets"},
            "namespace": "payroll", "name": "db",
            "userInfo": {"username": "alice", "groups": ["payroll:dev"]},
            "object": {"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "db", "namespace": "payroll"},
                       "data": {"password": SECRETS[0]},
                       "stringData": {"api-key": SECRETS[2]}},
            "oldObject": {"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": "db", "namespace": "payroll"},
                          "stringData": {"api-key": SECRETS[5]}},
            "dryRun": false
        }
    });
    let path = dir.path().join("review.json");
    std::fs::write(&path, review.to_string()).unwrap();
    let r = run(
        dir.path(),
        &["review", "--no-config", "--rules", "rules", "review.json"],
        None,
    );
    assert!(r.stdout.contains("leaky"), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("<redacted>"), "{}", r.stdout);
    assert_no_secret("review stdout", &r.stdout);
    assert_no_secret("review stderr", &r.stderr);
}

/// Builtins that would reach the network, the process environment or the clock of
/// another machine are not compiled in: a rule calling one does not compile, and
/// the run stops with exit 2 naming it.
#[test]
fn rules_cannot_reach_the_network_or_the_environment() {
    let calls = [
        (
            "http_send",
            r#"http.send({"method": "get", "url": "http://127.0.0.1:9/"})"#,
        ),
        ("opa_runtime", "opa.runtime()"),
        ("net_lookup", r#"net.lookup_ip_addr("localhost")"#),
        ("uuid_random", r#"uuid.rfc4122("x")"#),
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
    )
    .unwrap();
    for (name, call) in calls {
        let rules = dir.path().join(name);
        std::fs::create_dir(&rules).unwrap();
        std::fs::write(
            rules.join("reach.rego"),
            format!(
                "package blastwall.rules.{name}\n\nmetadata := {{\"id\": \"{id}\", \"title\": \"Reach\", \"severity\": \"error\", \"category\": \"test\", \"description\": \"Reaches out.\", \"remediation\": \"None.\"}}\n\ndeny contains {{\"msg\": sprintf(\"%v\", [r])}} if {{\n\tr := {call}\n}}\n",
                id = name.replace('_', "-")
            ),
        )
        .unwrap();
        let r = run(
            dir.path(),
            &[
                "lint",
                "--no-config",
                "--rules",
                name,
                "-f",
                "json",
                "pod.yaml",
            ],
            None,
        );
        let builtin = call.split('(').next().unwrap();
        let said = format!("{}{}", r.stdout, r.stderr);
        assert_eq!(r.code, 2, "{name}: {said}");
        assert!(said.contains("reach.rego"), "{name}: {said}");
        assert!(
            said.contains(builtin) || said.contains("unknown function"),
            "{name}: {said}"
        );
    }
}

/// The Cargo features of regorus are the list that keeps those builtins out.
#[test]
fn regorus_features_leave_out_network_and_environment_builtins() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let line_start = manifest.find("regorus = ").expect("regorus dependency");
    let features = &manifest[line_start..];
    let features = &features[..features.find(']').expect("feature list")];
    assert!(features.contains("default-features = false"), "{features}");
    for banned in [
        "\"http\"",
        "\"opa-runtime\"",
        "\"full-opa\"",
        "\"uuid\"",
        "\"opa-testutil\"",
    ] {
        assert!(
            !features.contains(banned),
            "regorus feature {banned} enabled: {features}"
        );
    }
}

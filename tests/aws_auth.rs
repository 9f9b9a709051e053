//! aws-auth: the embedded sections parsed as the authenticator parses them, rules
//! reported at outer-file positions, and robustness against malformed input.

use std::path::{Path, PathBuf};

use regorus::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `test_*` rule of `rules/aws-auth/*_test.rego` holds, with the built-in pack.
#[test]
fn rego_unit_tests_of_the_aws_auth_rules_pass() {
    let mut engine = regorus::Engine::new();
    for source in blastwall::engine::pack::builtin() {
        engine.add_policy(source.name, source.text).unwrap();
    }
    let dir = root().join("rules/aws-auth");
    let mut tests = Vec::new();
    let mut rules = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = file_name(&path);
        if !name.ends_with("_test.rego") {
            if name.starts_with("aws_auth_") && name != "aws_auth_lib.rego" {
                rules += 1;
                let test = path.with_file_name(name.replace(".rego", "_test.rego"));
                assert!(test.exists(), "{name} has no test module beside it");
            }
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let package = engine
            .add_policy(path.display().to_string(), text.clone())
            .unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("test_") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                tests.push((path.clone(), format!("{package}.test_{name}")));
            }
        }
    }
    assert!(rules >= 3, "found only {rules} rules");
    let mut failed = Vec::new();
    for (path, rule) in &tests {
        match engine.eval_rule(rule.clone()) {
            Ok(Value::Bool(true)) => {}
            other => failed.push(format!("{}: {rule}: {other:?}", file_name(path))),
        }
    }
    assert!(
        failed.is_empty(),
        "failing Rego tests:\n{}",
        failed.join("\n")
    );
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

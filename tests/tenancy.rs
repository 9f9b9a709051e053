//! Tenancy: the config, the ownership facts and the cross-product rules, end to end.

use std::path::{Path, PathBuf};

use regorus::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `test_*` rule of `rules/tenancy/*_test.rego` holds, with the built-in pack loaded.
#[test]
fn rego_unit_tests_of_the_tenancy_rules_pass() {
    let mut engine = regorus::Engine::new();
    for source in blastwall::engine::pack::builtin() {
        engine.add_policy(source.name, source.text).unwrap();
    }
    let dir = root().join("rules/tenancy");
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("_test.rego") {
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
    assert!(tests.len() >= 7, "found only {} tests", tests.len());
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

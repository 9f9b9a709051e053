//! `input.facts.workload` is computed in Rust, and defined a second time in Rego
//! (`data.blastwall.lib.workload.fact`) so that rule unit tests can build their
//! inputs: on every fixture document, both give the same fact.

use std::path::{Path, PathBuf};

use blastwall::engine::pack;
use blastwall::source::load::load_str;
use blastwall::source::Limits;
use regorus::Value;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("hostile") {
                files(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_workload_fact_is_the_same_in_rust_and_in_rego() {
    let mut engine = regorus::Engine::new();
    for source in pack::builtin() {
        if source.name.contains("rules/lib/") {
            engine.add_policy(source.name, source.text).unwrap();
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("fixtures"), &mut paths);
    paths.sort();
    let mut objects: Vec<(String, Value)> = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        for doc in load_str(&name, text, &Limits::default()).documents {
            objects.push((name.clone(), doc.value));
        }
    }
    // Corners the fixtures may not have.
    for extra in [
        r#"{"kind": "Pod", "spec": {"securityContext": {"runAsUser": 0, "runAsNonRoot": null, "fsGroup": 1},
            "containers": [{"name": 5, "image": "registry:5000/a/b:1.2@sha256:ab", "securityContext": {"runAsUser": null, "privileged": null}},
                           {"image": "localhost/x", "securityContext": "x"}, 7]}}"#,
        r#"{"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"os": {"name": "windows"}, "initContainers": [{"name": "i", "image": "a:b:c"}]}}}}}}"#,
    ] {
        objects.push(("extra".into(), Value::from_json_str(extra).unwrap()));
    }
    let mut compared = 0;
    for (name, object) in objects {
        let input = blastwall::review::input(
            blastwall::review::create(object.clone()),
            Value::new_object(),
        );
        engine.set_input(input);
        let rego = engine
            .eval_rule("data.blastwall.lib.workload.fact".into())
            .unwrap();
        let rust = blastwall::facts::workload::compute(&object, &[]).unwrap_or(Value::Undefined);
        // The Rego definition knows Kubernetes' own kinds only (by name): the other
        // kinds are located in Rust alone (src/facts/workload.rs tests them).
        let api_version = match &object["apiVersion"] {
            Value::String(v) => Some(v.as_ref()),
            _ => None,
        };
        let kind = match &object["kind"] {
            Value::String(k) => k.to_string(),
            _ => String::new(),
        };
        let kubernetes = blastwall::facts::workload::known(api_version, &kind)
            .is_some_and(|k| k.product == "Kubernetes");
        let kubernetes_name = blastwall::facts::workload::KNOWN[..9]
            .iter()
            .any(|k| k.kind == kind);
        if !kubernetes && (rust != Value::Undefined || kubernetes_name) {
            continue;
        }
        assert_eq!(
            rust,
            rego,
            "{name}: {}",
            object.to_json_str().unwrap_or_default()
        );
        if rust != Value::Undefined {
            compared += 1;
        }
    }
    assert!(compared > 20, "only {compared} workloads");
}

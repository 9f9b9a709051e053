//! The readers on the example inputs of every format (fixtures/access-entries/).

use regorus::Value;

use crate::source::load::load_str;
use crate::source::Limits;

/// The facts of every document of a fixture, as the lint pipeline computes them.
pub(crate) fn fixture_facts(name: &str) -> Vec<Value> {
    let path = format!("{}/fixtures/access-entries/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let loaded = load_str(&path, text, &Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
        .documents
        .iter()
        .filter_map(|d| {
            let doc = crate::lint::spliced(&loaded, d);
            super::facts(&doc.value, None)
        })
        .collect()
}

#[test]
fn dump() {
    for f in ["eksctl-risky.yaml", "cloudformation.yaml", "terraform-plan.json", "crossplane-upbound.yaml"] {
        for v in fixture_facts(f) {
            println!("{f}: {}", v.to_json_str().unwrap());
        }
    }
}

//! The built-in pack tested the way users test theirs: `blastwall test` (the real
//! binary) runs its Rego unit tests and its fixture suites (`rules/**/*.cases.yaml`),
//! and every rule has a case it must hit and a case it must miss.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

fn blastwall_test(args: &[&str]) -> (i32, Value, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = vec!["test", "--format", "json"];
    all.extend_from_slice(args);
    let run = crate::common::run(root, &all, None);
    // Every Rego test and case of the pack, in a debug build (with coverage, some
    // 17 s of CPU at 70 rules): the bound grows with the pack, and still catches a hang.
    run.within("blastwall test", std::time::Duration::from_secs(90));
    (run.code, run.json(), run.stderr)
}

fn ids(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_built_in_pack_passes_its_tests_and_every_rule_has_a_hit_and_a_miss_case() {
    let (code, report, stderr) = blastwall_test(&[]);
    let results = report["results"].as_array().expect("results");
    let failed: Vec<&Value> = results.iter().filter(|r| r["passed"] != true).collect();
    assert!(failed.is_empty(), "failing: {failed:#?}");
    assert_eq!(code, 0, "{stderr}");

    let cases: Vec<&Value> = results.iter().filter(|r| r["kind"] == "case").collect();
    let rego = results.iter().filter(|r| r["kind"] == "rego").count();
    assert!(rego >= 300, "only {rego} Rego tests");
    let mut hit = BTreeSet::new();
    let mut missed = BTreeSet::new();
    for case in &cases {
        hit.extend(ids(&case["expect"]));
        missed.extend(ids(&case["absent"]));
    }
    let rules = ids(&report["rules"]);
    assert!(rules.len() >= 60, "only {} rules: {rules:?}", rules.len());
    let no_hit: Vec<_> = rules.difference(&hit).collect();
    let no_miss: Vec<_> = rules.difference(&missed).collect();
    assert!(no_hit.is_empty(), "rules without a hit case: {no_hit:?}");
    assert!(no_miss.is_empty(), "rules without a miss case: {no_miss:?}");
    // Explicit suites, not only the cases derived from the metadata examples.
    let explicit: BTreeSet<String> = cases
        .iter()
        .filter(|c| {
            !c["name"]
                .as_str()
                .unwrap_or("")
                .contains("example of its metadata")
        })
        .flat_map(|c| ids(&c["expect"]))
        .collect();
    let no_explicit: Vec<_> = rules.difference(&explicit).collect();
    assert!(
        no_explicit.is_empty(),
        "rules with no explicit hit case in a suite: {no_explicit:?}"
    );
}

#[test]
fn the_checkout_of_the_pack_tests_the_same_as_the_embedded_pack() {
    // `blastwall test rules` reads the modules and suites from disk; identical
    // modules take the place of the built-in ones instead of clashing with them.
    let (code, on_disk, stderr) = blastwall_test(&["rules"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, embedded, _) = blastwall_test(&[]);
    assert_eq!(on_disk["summary"], embedded["summary"]);
    assert_eq!(on_disk["rules"], embedded["rules"]);
}

#[test]
fn coverage_of_the_built_in_pack_is_reported_per_rule_file() {
    let (code, report, stderr) = blastwall_test(&["--coverage"]);
    assert_eq!(code, 0, "{stderr}");
    let files = report["coverage"]["files"]
        .as_array()
        .expect("coverage files");
    let privileged = files
        .iter()
        .find(|f| f["file"] == "rules/workload/privileged_container.rego")
        .expect("privileged_container.rego in the coverage report");
    assert_eq!(privileged["evaluated"], true);
    assert!(
        privileged["percent"].as_f64().unwrap() > 99.0,
        "{privileged}"
    );
    assert!(
        files
            .iter()
            .all(|f| !f["file"].as_str().unwrap().ends_with("_test.rego")),
        "test modules are not rule files"
    );
    let total = report["coverage"]["total"].as_u64().unwrap();
    let covered = report["coverage"]["covered"].as_u64().unwrap();
    assert!(
        total > 1000 && covered * 10 > total * 9,
        "{covered}/{total}"
    );
}

/// A regression in where findings are placed fails a test: every built-in rule's
/// fixture suite pins the line and column of at least one of its findings. Only
/// findings that have no place in a file are left out: `cross-product-exec` judges
/// CONNECT requests (exec, attach, port-forward), which exist only as
/// AdmissionReviews.
#[test]
fn every_rule_has_a_case_that_pins_the_line_and_column_of_a_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pinned = BTreeSet::new();
    let mut pending = vec![root.join("rules")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if !path.to_string_lossy().ends_with(".cases.yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let suite =
                blastwall::authoring::suite::parse(&path.display().to_string(), &text).unwrap();
            for case in &suite.cases {
                for e in &case.expect {
                    if e.line.is_some() && e.column.is_some() {
                        pinned.insert(e.rule.clone());
                    }
                }
            }
        }
    }
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let unpinned: Vec<&str> = engine
        .rules()
        .iter()
        .filter(|r| r.source.contains("rules/"))
        .map(|r| r.id.as_str())
        .filter(|id| !pinned.contains(*id) && *id != "cross-product-exec")
        .collect();
    assert!(
        unpinned.is_empty(),
        "no case pins the line and column of a finding of: {unpinned:?}"
    );
}

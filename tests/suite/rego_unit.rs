//! Runs the Rego unit tests of the rule pack (`test_*` rules under rules/), checks
//! every rule module's metadata, and checks that the examples and fixtures of the
//! workload and RBAC rules trigger exactly what they claim to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use blastwall::authoring::runner::Kind;
use blastwall::engine::Engine;
use blastwall::finding::Finding;
use blastwall::source::{load::load_str, Limits};
use regorus::Value;

const RULE_PREFIX: &str = "data.blastwall.rules.";
/// Categories whose examples and fixtures need no tenancy config.
const SELF_CONTAINED: [&str; 2] = ["workload", "rbac"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file with extension `ext` under `dir`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

struct Module {
    path: PathBuf,
    text: String,
    /// `data.blastwall.rules.privileged_container`
    package: String,
}

impl Module {
    fn stem(&self) -> String {
        self.path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn is_test(&self) -> bool {
        self.stem().ends_with("_test")
    }

    fn is_rule(&self) -> bool {
        !self.is_test() && self.package.starts_with(RULE_PREFIX)
    }

    fn category(&self) -> String {
        let rel = self.path.strip_prefix(root().join("rules")).unwrap();
        rel.components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned()
    }

    /// Names of the `test_*` rules: lines that start with `test_`.
    fn tests(&self) -> BTreeSet<String> {
        self.text
            .lines()
            .filter(|l| l.starts_with("test_"))
            .map(|l| {
                l.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect()
    }
}

/// Every module under rules/, tests included, compiled into one engine.
fn load_all() -> (regorus::Engine, Vec<Module>) {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    let mut modules = Vec::new();
    for path in files(&root().join("rules"), "rego") {
        let text = std::fs::read_to_string(&path).unwrap();
        let package = engine
            .add_policy(path.display().to_string(), text.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        modules.push(Module {
            path,
            text,
            package,
        });
    }
    (engine, modules)
}

/// Runs the Rego unit tests of the built-in pack whose module lies under `prefix`
/// (e.g. `rules/aws-auth/`) with the runner of `blastwall test`; fails with every
/// failing test. Returns how many ran.
pub fn assert_rego_tests_pass(prefix: &str) -> usize {
    let outcome = blastwall::authoring::runner::run(&[], Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let tests: Vec<_> = outcome
        .results
        .iter()
        .filter(|r| r.kind == Kind::Unit && r.location.starts_with(prefix))
        .collect();
    let failures: Vec<String> = tests
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{}: {}: {}",
                r.location,
                r.name,
                r.error.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} Rego tests failed:\n{}",
        failures.len(),
        tests.len(),
        failures.join("\n")
    );
    tests.len()
}

#[test]
fn rego_unit_tests_pass() {
    let ran = assert_rego_tests_pass("rules/");
    assert!(ran >= 300, "only {ran} Rego tests found");
}

#[test]
fn every_rule_has_a_test_module_with_hit_and_miss_cases() {
    let (_, modules) = load_all();
    let tests: BTreeMap<PathBuf, &Module> = modules
        .iter()
        .filter(|m| m.is_test())
        .map(|m| (m.path.clone(), m))
        .collect();
    for rule in modules.iter().filter(|m| m.is_rule()) {
        let test_path = rule
            .path
            .with_file_name(format!("{}_test.rego", rule.stem()));
        let module = tests
            .get(&test_path)
            .unwrap_or_else(|| panic!("{} has no {}", rule.path.display(), test_path.display()));
        assert!(
            module.tests().len() >= 2,
            "{} needs tests for a hit and a miss",
            test_path.display()
        );
    }
}

#[test]
fn every_rule_declares_complete_metadata_with_a_unique_id() {
    let (mut engine, modules) = load_all();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut rules = 0;
    for module in modules.iter().filter(|m| m.is_rule()) {
        rules += 1;
        let where_ = module.path.display();
        let meta = engine
            .eval_rule(format!("{}.metadata", module.package))
            .unwrap_or_else(|e| panic!("{where_}: metadata: {e}"));
        let text = |v: &Value, field: &str| -> String {
            match v {
                Value::String(s) if !s.trim().is_empty() => s.to_string(),
                other => {
                    panic!("{where_}: metadata.{field} must be a non-empty string, got {other}")
                }
            }
        };
        let id = text(&meta["id"], "id");
        for field in ["title", "category", "description", "remediation"] {
            text(&meta[field], field);
        }
        text(&meta["example"]["bad"], "example.bad");
        text(&meta["example"]["good"], "example.good");
        let severity = text(&meta["severity"], "severity");
        assert!(
            ["error", "warning", "info"].contains(&severity.as_str()),
            "{where_}: severity `{severity}` is not error, warning or info"
        );
        assert_eq!(
            id,
            module.stem().replace('_', "-"),
            "{where_}: id must match the file name"
        );
        assert_eq!(
            module.package,
            format!("{RULE_PREFIX}{}", module.stem()),
            "{where_}: package must match the file name"
        );
        assert_eq!(
            text(&meta["category"], "category"),
            module.category(),
            "{where_}: category must match the directory"
        );
        if let Some(other) = ids.insert(id.clone(), module.path.clone()) {
            panic!(
                "rule id `{id}` is defined in {} and {where_}",
                other.display()
            );
        }
    }
    assert!(rules > 0, "no rule modules found under rules/");
}

fn lint(engine: &Engine, name: &str, text: &str) -> Vec<Finding> {
    let loaded = load_str(name, text.to_string(), &Limits::default());
    assert!(loaded.problems.is_empty(), "{name}: {:?}", loaded.problems);
    blastwall::lint::lint(engine, &loaded, 1).unwrap()
}

fn builtin() -> Engine {
    Engine::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn is_self_contained(source: &str) -> bool {
    SELF_CONTAINED
        .iter()
        .any(|c| source.contains(&format!("rules/{c}/")))
}

#[test]
fn bad_examples_trigger_their_rule_and_good_examples_trigger_nothing() {
    let engine = builtin();
    let mut checked = 0;
    for rule in engine
        .rules()
        .iter()
        .filter(|r| is_self_contained(&r.source))
    {
        let example = rule.example.as_ref().expect("example");
        let bad = lint(&engine, &format!("{}:bad", rule.id), &example.bad);
        assert!(
            bad.iter().any(|f| f.rule == rule.id),
            "the bad example of {} does not trigger it: {bad:#?}",
            rule.id
        );
        let good = lint(&engine, &format!("{}:good", rule.id), &example.good);
        let here: Vec<_> = good.iter().filter(|f| f.rule == rule.id).collect();
        assert!(
            here.is_empty(),
            "the good example of {} triggers it: {here:#?}",
            rule.id
        );
        checked += 1;
    }
    assert!(
        checked >= 15,
        "only {checked} workload and RBAC rules found"
    );
}

/// `(line, rule)` of every `# expect: <rule>` comment: the finding belongs on the
/// next line that is not a comment. Lines are 1-based.
fn expectations(text: &str) -> BTreeSet<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rule) = line.trim_start().strip_prefix("# expect:") {
            let target = (i + 1..lines.len())
                .find(|&j| !lines[j].trim_start().starts_with('#'))
                .expect("a line after # expect:");
            out.insert((target + 1, rule.trim().to_string()));
        }
    }
    out
}

fn found(text: &str, findings: &[Finding]) -> BTreeSet<(usize, String)> {
    let file = blastwall::source::SourceFile::new("f".into(), None, text.to_string());
    findings
        .iter()
        .map(|f| {
            let span = f.span.as_ref().expect("finding without span");
            (file.line_col(span.start).0, f.rule.clone())
        })
        .collect()
}

#[test]
fn bad_fixtures_are_reported_exactly_where_marked() {
    let engine = builtin();
    let dir = root().join("fixtures/manifests/bad");
    let mut covered = BTreeSet::new();
    for path in files(&dir, "yaml") {
        let text = std::fs::read_to_string(&path).unwrap();
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = expectations(&text);
        assert!(
            expected.iter().any(|(_, rule)| *rule == id),
            "{} has no `# expect: {id}` comment",
            path.display()
        );
        let findings = lint(&engine, &path.display().to_string(), &text);
        assert_eq!(
            found(&text, &findings),
            expected,
            "{}: findings (line, rule) differ from the # expect: comments; findings: {findings:#?}",
            path.display()
        );
        covered.insert(id);
    }
    for rule in engine
        .rules()
        .iter()
        .filter(|r| is_self_contained(&r.source))
    {
        assert!(
            covered.contains(&rule.id),
            "fixtures/manifests/bad/{}.yaml is missing",
            rule.id
        );
    }
}

#[test]
fn good_fixtures_are_clean() {
    let engine = builtin();
    let paths = files(&root().join("fixtures/manifests/good"), "yaml");
    assert!(!paths.is_empty());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let findings = lint(&engine, &path.display().to_string(), &text);
        assert!(findings.is_empty(), "{}: {findings:#?}", path.display());
    }
}

/// The workload and RBAC rules with their library, without the other categories.
fn self_contained() -> Engine {
    let mut sources = blastwall::engine::pack::from_dir(&root().join("rules/lib"), false).unwrap();
    for category in SELF_CONTAINED {
        sources.extend(
            blastwall::engine::pack::from_dir(&root().join("rules").join(category), false).unwrap(),
        );
    }
    Engine::from_sources(sources).unwrap_or_else(|e| panic!("{e}"))
}

/// regorus stops a whole evaluation (every rule) with an error on `some x in y`
/// when y is not a collection, so each rule must guard what it iterates.
#[test]
fn malformed_objects_never_break_evaluation() {
    let engine = self_contained();
    let objects = [
        r#"{"kind": "Pod", "spec": {"containers": "app", "volumes": {"a": 1}, "securityContext": "x"}}"#,
        r#"{"kind": "Pod", "spec": {"containers": [{"name": 5, "image": 5, "securityContext": "x", "ports": 5, "resources": "x", "volumeMounts": "x"}, 7, null]}}"#,
        r#"{"kind": "Pod", "spec": {"containers": [{"securityContext": {"capabilities": {"add": "ALL"}, "runAsUser": "0"}, "ports": [5, {"hostPort": "80"}]}], "volumes": [null, {"hostPath": 5}]}}"#,
        r#"{"kind": "Deployment", "spec": {"template": null}}"#,
        r#"{"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": []}}}}}"#,
        r#"{"kind": "Role", "metadata": {"namespace": 5}, "rules": "x"}"#,
        r#"{"kind": "ClusterRole", "rules": [null, {"verbs": "*", "resources": 5, "apiGroups": [5], "resourceNames": {}}]}"#,
        r#"{"kind": "Role", "metadata": {"namespace": "kube-system"}, "rules": [{"verbs": ["update", 5], "resources": [5, "configmaps"], "apiGroups": [""], "resourceNames": [5]}]}"#,
        r#"{"kind": "RoleBinding", "roleRef": "cluster-admin", "subjects": "x"}"#,
        r#"{"kind": "ClusterRoleBinding", "roleRef": {"kind": 5, "name": 5}, "subjects": [5, {"name": 5}, {"kind": "Group", "name": "system:masters"}]}"#,
        r#"{"kind": 5}"#,
        r#"[]"#,
        r#""text""#,
    ];
    let mut rules = BTreeSet::new();
    for object in objects {
        let value = Value::from_json_str(object).unwrap();
        let review = blastwall::review::create(value);
        let facts = blastwall::facts::compute(&review, &Default::default());
        let input = blastwall::review::input(review, facts);
        match engine.evaluate(input) {
            Ok(hits) => rules.extend(hits.into_iter().map(|h| h.rule)),
            Err(e) => panic!("{object}: {e}"),
        }
    }
    // The well-formed parts of malformed objects are still checked.
    assert!(rules.contains("system-group-binding"), "{rules:?}");
    assert!(
        rules.contains("dangerous-capabilities") || rules.contains("run-as-root"),
        "{rules:?}"
    );
    let deleted =
        Value::from_json_str(r#"{"review": {"operation": "DELETE", "object": null}, "facts": {}}"#)
            .unwrap();
    assert_eq!(engine.evaluate(deleted).unwrap(), vec![]);
}

/// Every kind that carries pods beyond Kubernetes' own (Argo Rollouts and
/// Workflows, OpenShift, OpenKruise, KEDA, Knative, and a kind found by its shape)
/// is checked by every workload rule, at the field that is wrong: each file of
/// `fixtures/manifests/kinds/` yields exactly the findings its `# expect:` comments
/// mark, one of each workload rule. Their hardened twins are in
/// `fixtures/manifests/good/kinds/` (see `good_fixtures_are_clean`).
#[test]
fn every_pod_template_kind_is_reported_where_marked() {
    let engine = builtin();
    let workload_rules: BTreeSet<String> = engine
        .rules()
        .iter()
        .filter(|r| r.source.contains("rules/workload/"))
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(workload_rules.len(), 9, "{workload_rules:?}");
    let paths = files(&root().join("fixtures/manifests/kinds"), "yaml");
    assert!(paths.len() >= 13, "{paths:?}");
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = expectations(&text);
        let rules: BTreeSet<String> = expected.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(rules, workload_rules, "{}", path.display());
        let findings = lint(&engine, &path.display().to_string(), &text);
        assert_eq!(
            found(&text, &findings),
            expected,
            "{}: findings (line, rule) differ from the # expect: comments; findings: {findings:#?}",
            path.display()
        );
        // Only the kind blastwall does not know carries the note.
        let by_shape = path.ends_with("by-shape.yaml");
        for f in &findings {
            let noted = f
                .related
                .iter()
                .any(|r| r.message.starts_with("pod spec found by its shape"));
            assert_eq!(noted, by_shape, "{}: {f:#?}", path.display());
        }
    }
}

/// A Rollout that only points at a Deployment (`spec.workloadRef`) has no pod
/// template of its own, and a custom resource without a pod spec is no workload.
#[test]
fn kinds_without_a_pod_template_are_not_workloads() {
    let engine = builtin();
    let text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: shop, namespace: shop}\nspec:\n  replicas: 2\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n---\napiVersion: platform.example.com/v1\nkind: Database\nmetadata: {name: shop, namespace: shop}\nspec:\n  template:\n    spec: {engine: postgres, hostNetwork: true}\n";
    let findings = lint(&engine, "no-pods.yaml", text);
    assert!(findings.is_empty(), "{findings:#?}");
}

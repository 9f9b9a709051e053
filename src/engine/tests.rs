use super::*;

const RULE: &str = r#"package blastwall.rules.no_foo
metadata := {"id": "no-foo", "title": "No foo", "severity": "warning", "category": "test",
  "description": "Flags foo.", "remediation": "Remove foo."}
deny contains {"msg": sprintf("foo is %v", [input.review.object.foo]), "path": ["foo"]} if {
    input.review.object.foo
}
"#;

fn source(name: &str, text: &str) -> RuleSource {
    RuleSource {
        name: name.into(),
        text: text.into(),
    }
}

fn input(object: &str) -> Value {
    crate::review::input(
        crate::review::create(Value::from_json_str(object).unwrap()),
        Value::new_object(),
    )
}

#[test]
fn evaluates_a_rule_and_reads_its_metadata() {
    let engine = Engine::from_sources(vec![source("no_foo.rego", RULE)]).unwrap();
    // The Rego rule plus the parser's own `yaml-duplicate-key` and the findings
    // about exemptions.
    let ids: Vec<&str> = engine.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "exemption-expired",
            "exemption-refused",
            "exemption-unused",
            "no-foo",
            "yaml-duplicate-key"
        ]
    );
    let rule = engine.rule("no-foo").unwrap();
    assert_eq!(rule.severity, Severity::Warning);
    assert_eq!(rule.source, "no_foo.rego");
    let hits = engine.evaluate(input(r#"{"foo": true}"#)).unwrap();
    assert_eq!(
        hits,
        vec![RuleHit {
            rule: "no-foo".into(),
            severity: Severity::Warning,
            message: "foo is true".into(),
            path: vec![PathSeg::Key("foo".into())],
            related: vec![],
            at_key: false,
        }]
    );
    assert!(engine.evaluate(input(r#"{"bar": 1}"#)).unwrap().is_empty());
}

#[test]
fn compile_error_has_file_line_and_column() {
    let bad = "package blastwall.rules.bad\n\ndeny contains x if {\n    x := input.\n}\n";
    let err = Engine::from_sources(vec![source("bad.rego", bad)])
        .err()
        .unwrap();
    let (file, line, _col) = err.location().expect("location");
    assert_eq!(file, "bad.rego");
    assert!(line >= 4, "{err}");
}

/// `file:line: message` of the error that loading `sources` gives.
fn load_error(sources: &[(&str, &str)]) -> String {
    let sources = sources.iter().map(|(n, t)| source(n, t)).collect();
    Engine::from_sources(sources)
        .err()
        .expect("an error")
        .to_string()
}

#[test]
fn missing_metadata_points_at_the_package_line() {
    let no_meta = "# a rule\npackage blastwall.rules.x\ndeny contains 1 if { false }\n";
    let err = load_error(&[("x.rego", no_meta)]);
    assert!(err.starts_with("x.rego:2: "), "{err}");
    assert!(err.contains("no `metadata`"), "{err}");
}

#[test]
fn duplicate_ids_point_at_both_definitions() {
    let twin = RULE.replace("blastwall.rules.no_foo", "blastwall.rules.no_foo_again");
    let err = load_error(&[("a.rego", RULE), ("b.rego", &twin)]);
    assert_eq!(
        err,
        "b.rego:2: rule id `no-foo` is already defined in a.rego:2"
    );
}

#[test]
fn an_id_of_a_native_rule_is_taken() {
    let clash = RULE.replace("\"no-foo\"", "\"yaml-duplicate-key\"");
    let err = load_error(&[("c.rego", &clash)]);
    assert_eq!(
        err,
        "c.rego:2: rule id `yaml-duplicate-key` is already defined in builtin:native"
    );
}

#[test]
fn invalid_metadata_points_at_the_field() {
    let multi_line = r#"package blastwall.rules.bad_meta

metadata := {
    "id": "bad-meta",
    "title": "Bad",
    "severity": "fatal",
    "category": "test",
    "description": "d",
    "remediation": "r",
}
"#;
    let err = load_error(&[("m.rego", multi_line)]);
    assert!(
        err.starts_with("m.rego:6: invalid `metadata`: `severity`: unknown variant `fatal`"),
        "{err}"
    );

    let err = load_error(&[("m.rego", &multi_line.replace("\"Bad\"", "\"  \""))]);
    assert!(err.starts_with("m.rego:6: "), "serde first: {err}");
    let fixed = multi_line.replace("fatal", "error");
    let err = load_error(&[("m.rego", &fixed.replace("\"Bad\"", "\"  \""))]);
    assert_eq!(err, "m.rego:5: rule `bad-meta` has an empty `title`");
    let err = load_error(&[("m.rego", &fixed.replace("\"bad-meta\"", "\"Bad_Meta\""))]);
    assert!(
        err.starts_with("m.rego:4: rule id `Bad_Meta` must be kebab-case"),
        "{err}"
    );
    let err = load_error(&[(
        "m.rego",
        &fixed.replace("    \"remediation\": \"r\",\n", ""),
    )]);
    assert_eq!(
        err,
        "m.rego:3: invalid `metadata`: missing field `remediation`"
    );
}

#[test]
fn two_modules_of_one_rule_package_are_an_error() {
    let lib = "package blastwall.rules.no_foo\n\nhelper := 1\n";
    let err = load_error(&[("a.rego", RULE), ("b.rego", lib)]);
    assert!(
        err.starts_with(
            "b.rego:1: package data.blastwall.rules.no_foo is also declared in a.rego:1"
        ),
        "{err}"
    );
}

#[test]
fn a_looping_rule_is_cut_off_by_the_time_limit() {
    let slow = r#"package blastwall.rules.slow
metadata := {"id": "slow", "title": "Slow", "severity": "error", "category": "test",
  "description": "Counts for ever.", "remediation": "Do not."}
deny contains {"msg": "done"} if {
    some i in numbers.range(1, 3000)
    some j in numbers.range(1, 3000)
    i * j == -1
}
"#;
    let mut engine = Engine::from_sources(vec![source("slow.rego", slow)]).unwrap();
    engine.set_time_limit(Duration::from_millis(50)).unwrap();
    let err = engine.evaluate(input("{}")).expect_err("time limit");
    assert!(matches!(err, EngineError::Eval(_)), "{err}");
}

#[test]
fn boundary_rules_cannot_be_exemptible() {
    let exemptible = |category: &str| {
        RULE.replace(
            r#""category": "test","#,
            &format!(r#""category": "{category}", "exemptible": true,"#),
        )
    };
    let engine = Engine::from_sources(vec![source("w.rego", &exemptible("workload"))]).unwrap();
    assert!(engine.rule("no-foo").unwrap().exemptible);
    for category in ["tenancy", "aws-auth", "change"] {
        let err = Engine::from_sources(vec![source("t.rego", &exemptible(category))])
            .err()
            .unwrap();
        assert!(
            err.to_string().contains(&format!(
                "in category `{category}` and cannot be `exemptible`"
            )),
            "{err}"
        );
    }
}

#[test]
fn a_rule_that_declares_kinds_runs_only_on_those_kinds() {
    let pods_only = RULE.replace(
        "\"category\": \"test\",",
        "\"category\": \"test\", \"kinds\": [\"Pod\"],",
    );
    let any = RULE
        .replace("no_foo", "any_foo")
        .replace("no-foo", "any-foo");
    let engine = Engine::from_sources(vec![
        source("pods.rego", &pods_only),
        source("any.rego", &any),
    ])
    .unwrap();
    let rules = |object: &str| -> Vec<String> {
        let hits = engine.evaluate(input(object)).unwrap();
        hits.into_iter().map(|h| h.rule).collect()
    };
    assert_eq!(rules(r#"{"kind": "Pod", "foo": 1}"#), ["any-foo", "no-foo"]);
    assert_eq!(rules(r#"{"kind": "Service", "foo": 1}"#), ["any-foo"]);
    assert_eq!(rules(r#"{"foo": 1}"#), ["any-foo"]);
}

#[test]
fn kinds_must_be_a_list_of_names() {
    for (kinds, expected) in [
        ("\"Pod\"", "must be a list of object kinds"),
        ("[]", "`kinds` is empty"),
        ("[\"Pod\", 5]", "lists 5, which is not the name of a kind"),
    ] {
        let text = RULE.replace(
            "\"category\": \"test\",",
            &format!("\"category\": \"test\",\n  \"kinds\": {kinds},"),
        );
        let err = load_error(&[("k.rego", &text)]);
        assert!(err.starts_with("k.rego:3: rule `no-foo`: "), "{err}");
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn a_pod_review_loads_a_fraction_of_the_builtin_pack() {
    let engine = Engine::builtin().unwrap();
    let pod = engine.classes.select(&input(r#"{"kind": "Pod"}"#));
    let loaded = engine.class_engines.module_count(&pod);
    assert!(
        loaded > 0 && loaded * 2 < engine.sources.len(),
        "{loaded} of {} modules",
        engine.sources.len()
    );
}

#[test]
fn a_review_no_rule_reaches_runs_no_rego() {
    // A rule that would run past any time limit, but only on a ConfigMap named
    // `slow` that is updated: every other review is answered without running it.
    let slow = r#"package blastwall.rules.slow
metadata := {"id": "slow", "title": "Slow", "severity": "error", "category": "test",
  "description": "Counts for ever.", "remediation": "Do not.",
  "match": {"kinds": [{"apiGroups": [""], "kinds": ["ConfigMap"]}], "names": ["slow"], "operations": ["UPDATE"]}}
deny contains {"msg": "done"} if {
    some i in numbers.range(1, 3000)
    some j in numbers.range(1, 3000)
    i * j == -1
}
"#;
    let mut engine = Engine::from_sources(vec![source("slow.rego", slow)]).unwrap();
    engine.set_time_limit(Duration::from_millis(50)).unwrap();
    let configmap = |name: &str| {
        format!(r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "{name}"}}}}"#)
    };
    for object in [
        configmap("slow"),
        configmap("fast"),
        r#"{"kind": "Pod"}"#.into(),
    ] {
        assert_eq!(engine.evaluate(input(&object)).unwrap(), vec![], "{object}");
    }
    let update = crate::review::build(
        crate::review::Operation::Update,
        Some(Value::from_json_str(&configmap("slow")).unwrap()),
        Some(Value::from_json_str(&configmap("slow")).unwrap()),
        &crate::review::Requester::default(),
    );
    let err = engine
        .evaluate(crate::review::input(update, Value::new_object()))
        .expect_err("the rule runs, and hits the time limit");
    assert!(matches!(err, EngineError::Eval(_)), "{err}");
}

#[test]
fn a_malformed_match_points_at_its_line() {
    let text = RULE.replace(
        "\"category\": \"test\",",
        "\"category\": \"test\",\n  \"match\": {\"operations\": [\"PATCH\"]},",
    );
    let err = load_error(&[("m.rego", &text)]);
    assert!(
        err.starts_with("m.rego:3: rule `no-foo`: `match.operations` lists `PATCH`"),
        "{err}"
    );
}

/// The input of a CREATE review of a privileged Pod on the host network, with its facts.
fn privileged_pod_input() -> Value {
    let review = crate::review::create(
        Value::from_json_str(
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "nginx:latest",
            "securityContext": {"privileged": true}}]}}"#,
        )
        .unwrap(),
    );
    let facts = crate::facts::compute(&review, &crate::facts::Context::default());
    crate::review::input(review, facts)
}

#[test]
fn a_server_keeps_programs_only_and_finds_the_same() {
    let full = Engine::builtin().unwrap();
    let mut lean = Engine::builtin().unwrap();
    lean.keep_programs_only();
    lean.prepare_all();
    let pod = privileged_pod_input();
    let members = lean.classes.select(&pod);
    let class = lean.class_engines.engine(&members).unwrap();
    assert!(class.interpreter.is_none() && class.program().is_some());

    let expected = full.evaluate(pod.clone()).unwrap();
    assert!(expected.iter().any(|h| h.rule == "privileged-container"));
    assert_eq!(lean.evaluate(pod.clone()).unwrap(), expected);
    // Interpreted evaluations fall back to the whole pack, with the same findings.
    assert_eq!(
        lean.evaluate_with(pod, Strategy::Interpreted).unwrap(),
        expected
    );
}

/// The built-in modules, named as a user directory would name them: the engine
/// then parses the pack and evaluates every rule's `metadata`.
fn builtin_as_user_modules() -> Vec<RuleSource> {
    pack::builtin()
        .into_iter()
        .map(|s| source(&s.name.replace("builtin:", "user/"), &s.text))
        .collect()
}

#[test]
fn the_builtin_pack_is_read_at_build_time_as_it_evaluates() {
    // Every rule module's package and `metadata` were read from its text.
    let sources = pack::builtin();
    let mut parsed = new_interpreter();
    for (source, (package, literal)) in sources.iter().zip(pack::builtin_metadata()) {
        let declared = parsed
            .add_policy(source.name.clone(), source.text.clone())
            .unwrap();
        assert_eq!(*package, Some(declared.as_str()), "{}", source.name);
        if let Some(short) = declared.strip_prefix(RULES_PACKAGE) {
            let literal = literal.unwrap_or_else(|| {
                panic!(
                    "{}: `metadata` is not a plain literal, so start-up has to parse and evaluate the whole pack",
                    source.name
                )
            });
            let evaluated = parsed
                .eval_rule(format!("{RULES_PACKAGE}{short}.metadata"))
                .unwrap();
            let evaluated: serde_json::Value =
                serde_json::from_str(&evaluated.to_json_str().unwrap()).unwrap();
            let read: serde_json::Value = serde_json::from_str(literal).unwrap();
            assert_eq!(read, evaluated, "{}", source.name);
        }
    }
    // And the engine's rules are those of the evaluated pack.
    let fast = Engine::builtin().unwrap();
    assert!(
        fast.parsed.get().is_none(),
        "the pack was parsed at start-up"
    );
    let evaluated = Engine::from_sources(builtin_as_user_modules()).unwrap();
    assert!(evaluated.parsed.get().is_some());
    let unnamed = |rules: &[RuleMeta]| -> Vec<String> {
        rules
            .iter()
            .cloned()
            .map(|mut r| {
                r.source = r.source.replace("builtin:", "user/");
                format!("{r:?}")
            })
            .collect()
    };
    assert_eq!(unnamed(fast.rules()), unnamed(evaluated.rules()));
    assert_eq!(fast.kinds(), evaluated.kinds());
}

#[test]
fn the_whole_pack_interpreter_is_built_on_first_use_with_the_same_findings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = crate::config::load(&root.join("fixtures/tenancy/blastwall.yaml")).unwrap();
    let pod = privileged_pod_input();
    for sources in [pack::builtin(), builtin_as_user_modules()] {
        let mut engine = Engine::from_sources(sources).unwrap();
        engine.set_config(config.to_value()).unwrap();
        engine.set_time_limit(Duration::from_secs(5)).unwrap();
        let compiled = engine.evaluate(pod.clone()).unwrap();
        assert!(compiled.iter().any(|h| h.rule == "privileged-container"));
        assert!(engine.whole.get().is_none(), "built for a compiled class");
        let reference = engine
            .evaluate_with(pod.clone(), Strategy::Reference)
            .unwrap();
        assert!(engine.whole.get().is_some());
        assert_eq!(reference, compiled);
        // A clone shares it; a new config starts afresh.
        let clone = engine.clone();
        assert!(clone.whole.get().is_some());
        assert_eq!(
            clone
                .evaluate_with(pod.clone(), Strategy::Interpreted)
                .unwrap(),
            compiled
        );
        engine.set_time_limit(Duration::from_secs(4)).unwrap();
        assert!(engine.whole.get().is_none());
        assert_eq!(
            engine
                .evaluate_with(pod.clone(), Strategy::Reference)
                .unwrap(),
            compiled
        );
    }
}

/// Not a check: how long loading a serialized VM program takes against compiling
/// it (`cargo test --release --lib program_loading -- --ignored --nocapture`).
#[test]
#[ignore]
fn program_loading_against_compiling() {
    let engine = Engine::builtin().unwrap();
    let review = crate::review::create(
        Value::from_json_str(
            r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "p", "namespace": "a"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.2"}]}}}}"#,
        )
        .unwrap(),
    );
    let facts = crate::facts::compute(&review, &crate::facts::Context::default());
    let members = engine.classes.select(&crate::review::input(review, facts));
    let n = 20;
    let start = std::time::Instant::now();
    let mut bytes = Vec::new();
    for _ in 0..n {
        let fresh = engine.class_engines.renewed(Value::new_object(), None);
        let class = fresh.engine(&members).unwrap();
        bytes = class.program().unwrap().serialize_binary().unwrap();
    }
    let compile = start.elapsed() / n;
    let start = std::time::Instant::now();
    for _ in 0..n {
        let loaded = regorus::rvm::program::Program::deserialize_binary(&bytes).unwrap();
        assert!(matches!(
            loaded,
            regorus::rvm::program::DeserializationResult::Complete(_)
        ));
    }
    let load = start.elapsed() / n;
    eprintln!(
        "{} modules, program {} bytes: parse+prepare+compile {compile:?}, load {load:?}",
        engine.class_engines.module_count(&members),
        bytes.len()
    );
}

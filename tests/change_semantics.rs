//! How reviews are judged as changes: ordinary rules say nothing when there is no
//! object (DELETE) or the object is not a resource (CONNECT's PodExecOptions), and
//! change rules report on the transition only.

use std::sync::Arc;

use blastwall::change::{self, CHANGE_CATEGORY};
use blastwall::engine::Engine;
use blastwall::facts::{tenancy::Tenancy, Context};
use blastwall::review::{self, Operation, Requester};
use blastwall::source::{load::load_str, Limits};
use regorus::Value;

fn setup() -> (Engine, Context) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = blastwall::config::load(&root.join("fixtures/tenancy/blastwall.yaml")).unwrap();
    let mut engine = Engine::builtin().unwrap();
    engine.set_config(config.to_value()).unwrap();
    let ctx = Context {
        tenancy: Some(Arc::new(Tenancy::new(config))),
        namespaces: None,
    };
    (engine, ctx)
}

fn requester() -> Requester {
    Requester {
        username: "payroll-developer:alice".into(),
        groups: vec!["payroll:developers".into()],
    }
}

/// Ids of the rules that report on `review`.
fn rules_hit(engine: &Engine, ctx: &Context, review: &Value) -> Vec<String> {
    let mut ids: Vec<String> = change::evaluate_review(engine, review, ctx)
        .unwrap()
        .into_iter()
        .map(|h| h.hit.rule)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn ordinary_rules_are_silent_when_their_bad_example_is_deleted() {
    let (engine, ctx) = setup();
    let mut triggered = 0;
    for rule in engine
        .rules()
        .iter()
        .filter(|r| r.category != CHANGE_CATEGORY)
    {
        let Some(example) = &rule.example else {
            continue;
        };
        let loaded = load_str(&rule.id, example.bad.clone(), &Limits::default());
        for doc in &loaded.documents {
            let create = review::build(
                Operation::Create,
                Some(doc.value.clone()),
                None,
                &requester(),
            );
            if rules_hit(&engine, &ctx, &create).contains(&rule.id) {
                triggered += 1;
            }
            let delete = review::build(
                Operation::Delete,
                None,
                Some(doc.value.clone()),
                &requester(),
            );
            let ordinary: Vec<String> = rules_hit(&engine, &ctx, &delete)
                .into_iter()
                .filter(|id| !change::is_change_rule(&engine, id))
                .collect();
            assert!(
                ordinary.is_empty(),
                "deleting the bad example of {} reports {ordinary:?}",
                rule.id
            );
        }
    }
    // The check means something only if the examples do trigger their rules on CREATE.
    assert!(
        triggered >= 30,
        "only {triggered} bad examples trigger their rule"
    );
}

#[test]
fn ordinary_rules_are_silent_on_connect() {
    let (engine, ctx) = setup();
    for namespace in ["payroll-api", "ledger", "kube-system"] {
        let review = Value::from_json_str(&format!(
            r#"{{"uid": "u", "operation": "CONNECT", "namespace": "{namespace}", "name": "api-0",
                "kind": {{"group": "", "version": "v1", "kind": "PodExecOptions"}},
                "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "subResource": "exec",
                "userInfo": {{"username": "payroll-developer:alice", "groups": ["payroll:developers"]}},
                "object": {{"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"], "stdin": true}},
                "oldObject": null}}"#
        ))
        .unwrap();
        assert_eq!(
            rules_hit(&engine, &ctx, &review),
            Vec::<String>::new(),
            "{namespace}"
        );
    }
}

#[test]
fn change_rules_are_silent_on_creates_of_clean_objects() {
    let (engine, ctx) = setup();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/tenancy/clean/aws-auth.yaml")).unwrap();
    let loaded = load_str("aws-auth.yaml", text, &Limits::default());
    let object = loaded.documents[0].value.clone();
    let admin = Requester {
        username: "sre-admin:jo".into(),
        groups: vec!["sre:admins".into()],
    };
    for op in [Operation::Create, Operation::Update] {
        let old = (op == Operation::Update).then(|| object.clone());
        let review = review::build(op, Some(object.clone()), old, &admin);
        assert_eq!(
            rules_hit(&engine, &ctx, &review),
            Vec::<String>::new(),
            "{op:?}"
        );
    }
}

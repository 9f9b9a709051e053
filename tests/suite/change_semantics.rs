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
        gatekeeper: None,
        roles: None,
        access_run: None,
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

/// Malformed old and new objects: change rules never stop the evaluation (regorus
/// aborts every rule when one iterates a non-collection), and what can be judged
/// still is.
#[test]
fn malformed_objects_never_break_change_rules() {
    let (engine, ctx) = setup();
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "DELETE",
            r#"null"#,
            r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x.example.com", "annotations": ["a"]}, "spec": "x"}"#,
            "crd-delete",
        ),
        (
            "DELETE",
            r#"null"#,
            r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payroll-x", "labels": ["a"], "annotations": 5}}"#,
            "namespace-delete",
        ),
        (
            "UPDATE",
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "payroll-api", "annotations": [1]}, "spec": {"type": "NodePort", "ports": "x"}}"#,
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "payroll-api", "annotations": "x"}, "spec": "x"}"#,
            "service-exposure-change",
        ),
        (
            "UPDATE",
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": 5, "mapUsers": "- [1, 2]\n- x\n"}}"#,
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "- rolearn: arn:aws:iam::210987654321:role/eks-node-payroll\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n", "mapUsers": "- {userarn: 5, groups: x}\n"}}"#,
            "aws-auth-section-broken",
        ),
        (
            "UPDATE",
            r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "billing-jobs", "labels": {"blastwall.dev/product": 5}}}"#,
            r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "billing-jobs", "labels": {"blastwall.dev/product": "billing"}}}"#,
            "namespace-product-change",
        ),
        (
            "UPDATE",
            r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": 5, "labels": "x"}, "rules": []}"#,
            r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": "x"}"#,
            "cross-product-request",
        ),
        ("DELETE", r#"null"#, r#""text""#, ""),
    ];
    for (op, new, old, expected) in cases {
        let review = Value::from_json_str(&format!(
            r#"{{"uid": "u", "operation": "{op}", "object": {new}, "oldObject": {old},
                "userInfo": {{"username": "payroll-developer:alice", "groups": ["payroll:developers", 5]}}}}"#
        ))
        .unwrap();
        let hits = change::evaluate_review(&engine, &review, &ctx)
            .unwrap_or_else(|e| panic!("{op} {old} → {new}: {e}"));
        let rules: Vec<&str> = hits.iter().map(|h| h.hit.rule.as_str()).collect();
        if !expected.is_empty() {
            assert!(rules.contains(&expected), "{op} {old} → {new}: {rules:?}");
        }
    }
}

/// An UPDATE that changes nothing brings no new finding: not from the change rules
/// (a product developer "updating" another product's ConfigMap to what it is), not
/// from the ordinary rules (a privileged container that was there).
#[test]
fn an_unchanged_object_never_brings_a_new_finding() {
    let (engine, ctx) = setup();
    let object = Value::from_json_str(
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "billing"},
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36",
                                     "securityContext": {"privileged": true}}]}}"#,
    )
    .unwrap();
    let create = review::build(Operation::Create, Some(object.clone()), None, &requester());
    let created = rules_hit(&engine, &ctx, &create);
    assert!(
        created.contains(&"privileged-container".to_string()),
        "{created:?}"
    );
    assert!(
        created.contains(&"cross-product-request".to_string()),
        "{created:?}"
    );

    let update = review::build(
        Operation::Update,
        Some(object.clone()),
        Some(object),
        &requester(),
    );
    let hits = change::evaluate_review(&engine, &update, &ctx).unwrap();
    assert!(hits.iter().any(|h| h.hit.rule == "privileged-container"));
    assert!(hits.iter().all(|h| h.pre_existing), "{hits:#?}");
    assert!(hits
        .iter()
        .all(|h| !change::is_change_rule(&engine, &h.hit.rule)));
}

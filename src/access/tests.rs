//! The graph on small inputs: aggregation, defaults, references that lead nowhere,
//! impersonation.

use super::*;
use crate::source::{load, Limits};

fn graph(text: &str) -> Graph {
    let loaded = load::load_str("in.yaml", text.to_string(), &Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    build(&loaded, None)
}

fn labels(g: &mut Graph, who: &str, namespace: &str) -> Vec<String> {
    let p = match g.find_principals(who).first() {
        Some(p) => *p,
        None => g.subject_principal(who).expect("a principal"),
    };
    let mut out: Vec<String> = g
        .reach(p)
        .into_iter()
        .filter(|e| e.namespace == namespace)
        .map(|e| e.action.label)
        .collect();
    out.sort();
    out.dedup();
    out
}

const BIND_VIEW: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns}\nroleRef: {kind: ClusterRole, name: admin}\nsubjects: [{kind: Group, name: team}]\n";

#[test]
fn a_role_labelled_for_view_reaches_admin_through_edit() {
    let crd = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: widgets-view\n  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}\nrules:\n- {apiGroups: [example.com], resources: [widgets], verbs: [get]}\n---\n";
    let mut g = graph(&format!("{crd}{BIND_VIEW}"));
    assert!(labels(&mut g, "team", "ns").contains(&"get widgets".to_string()));
}

#[test]
fn a_default_role_in_the_files_replaces_the_built_in_one() {
    let admin = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: admin}\nrules:\n- {apiGroups: [\"\"], resources: [configmaps], verbs: [get]}\n---\n";
    let mut g = graph(&format!("{admin}{BIND_VIEW}"));
    assert_eq!(labels(&mut g, "team", "ns"), ["get configmaps"]);
    let role = g.roles.iter().find(|r| r.name == "admin").unwrap();
    assert!(!role.builtin);
}

#[test]
fn a_binding_to_a_missing_role_grants_nothing() {
    let text = BIND_VIEW.replace("name: admin", "name: nowhere");
    let mut g = graph(&text);
    assert_eq!(labels(&mut g, "team", "ns"), Vec::<String>::new());
}

#[test]
fn a_role_of_another_namespace_is_not_the_one_bound() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: other}\nrules:\n- {apiGroups: [\"\"], resources: [secrets], verbs: [get]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: Group, name: team}]\n";
    let mut g = graph(text);
    assert_eq!(labels(&mut g, "team", "ns"), Vec::<String>::new());
}

#[test]
fn impersonating_a_named_group_gains_its_grants_one_step_only() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: imp}\nrules:\n- {apiGroups: [\"\"], resources: [groups], verbs: [impersonate], resourceNames: [ops]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: a}\nroleRef: {kind: ClusterRole, name: imp}\nsubjects: [{kind: Group, name: dev}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: prod}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: Group, name: ops}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: c}\nroleRef: {kind: ClusterRole, name: imp2}\nsubjects: [{kind: Group, name: ops}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: imp2}\nrules:\n- {apiGroups: [\"\"], resources: [groups], verbs: [impersonate], resourceNames: [root]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: d, namespace: vault}\nroleRef: {kind: ClusterRole, name: admin}\nsubjects: [{kind: Group, name: root}]\n";
    let mut g = graph(text);
    // dev → ops: ops's view in prod is reached through impersonation.
    assert!(labels(&mut g, "dev", "prod").contains(&"get configmaps (+9 more)".to_string()));
    // ops → root is a second step: not followed from dev.
    assert_eq!(labels(&mut g, "dev", "vault"), Vec::<String>::new());
    assert!(!labels(&mut g, "ops", "vault").is_empty());
}

#[test]
fn impersonating_a_namespace_s_service_accounts_follows_them_beyond_it() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: e, namespace: app}\nroleRef: {kind: ClusterRole, name: edit}\nsubjects: [{kind: Group, name: dev}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: s, namespace: app}\nroleRef: {kind: ClusterRole, name: admin}\nsubjects: [{kind: ServiceAccount, name: ci}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: t, namespace: db}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: app}]\n";
    let mut g = graph(text);
    // The ServiceAccount's reach into db is dev's too, through impersonation...
    let p = g.subject_principal("dev").unwrap();
    let reach = g.reach(p);
    let db: Vec<_> = reach.iter().filter(|e| e.namespace == "db").collect();
    assert!(!db.is_empty());
    assert!(db[0]
        .chain
        .iter()
        .any(|s| s.step == "impersonates" && s.text == "acts as sa:app/ci (impersonation)"));
    // ...but its admin binding inside app is not repeated as impersonated reach.
    assert!(!reach
        .iter()
        .any(|e| e.namespace == "app" && e.chain.iter().any(|s| s.step == "impersonates")));
}

#[test]
fn aggregation_selectors_match_labels_and_expressions() {
    use model::Selector;
    let labels = vec![("a".to_string(), "1".to_string())];
    let s = |l: Vec<(&str, &str)>, e: Vec<(&str, &str, Vec<&str>)>| Selector {
        match_labels: l.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        match_expressions: e
            .into_iter()
            .map(|(k, o, v)| {
                (
                    k.into(),
                    o.into(),
                    v.into_iter().map(String::from).collect(),
                )
            })
            .collect(),
    };
    assert!(s(vec![("a", "1")], vec![]).matches(&labels));
    assert!(!s(vec![("a", "2")], vec![]).matches(&labels));
    assert!(s(vec![], vec![("a", "In", vec!["1", "2"])]).matches(&labels));
    assert!(s(vec![], vec![("b", "DoesNotExist", vec![])]).matches(&labels));
    assert!(!s(vec![], vec![("a", "NotIn", vec!["1"])]).matches(&labels));
    assert!(
        s(vec![], vec![]).matches(&labels),
        "an empty selector selects everything"
    );
}

//! The RBAC rules on real rule entries of the add-ons EKS clusters run (calico,
//! prometheus-adapter, Argo CD) and on Polaris's own cluster-admin fixtures, all
//! vendored unchanged under `fixtures/upstream/` (each directory has its LICENSE and a
//! SOURCE note with the commit). Each test pins every RBAC finding of a file: its
//! rule, line, severity, message and related locations.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use blastwall::engine::Engine;
use blastwall::finding::{Finding, Severity};
use blastwall::source::{load, Limits, Loaded, PathSeg};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().unwrap_or_else(|e| panic!("{e}")))
}

const RBAC_RULES: &[&str] = &[
    "aws-auth-writer",
    "cluster-admin-binding",
    "rbac-escalation-verbs",
    "rbac-secrets-read",
    "rbac-wildcard",
    "system-group-binding",
];

/// The RBAC findings of `files` (paths under fixtures/upstream/), linted together as
/// `blastwall lint` does, with the line of each and of its related locations.
fn lint(files: &[&str]) -> (Loaded, Vec<Finding>) {
    let inputs: Vec<String> = files
        .iter()
        .map(|f| {
            root()
                .join("fixtures/upstream")
                .join(f)
                .display()
                .to_string()
        })
        .collect();
    let loaded = load::load(&inputs, &Limits::default(), &mut std::io::empty());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let ctx = blastwall::facts::tenancy::run_context_in(None, &loaded.documents, &loaded.files);
    let findings = blastwall::lint::lint_with(engine(), &loaded, &ctx, 1)
        .unwrap()
        .into_iter()
        .filter(|f| RBAC_RULES.contains(&f.rule.as_str()))
        .collect();
    (loaded, findings)
}

fn line(loaded: &Loaded, f: &Finding, start: Option<usize>) -> usize {
    let file = &loaded.files[f.file.unwrap().0];
    file.line_col(start.unwrap()).0
}

/// (rule, line, severity, message, [(related line, related message)]).
type Seen = (String, usize, Severity, String, Vec<(usize, String)>);

fn seen(files: &[&str]) -> Vec<Seen> {
    let (loaded, findings) = lint(files);
    findings
        .iter()
        .map(|f| {
            let related = f
                .related
                .iter()
                .map(|r| {
                    (
                        line(&loaded, f, r.span.as_ref().map(|s| s.start)),
                        r.message.clone(),
                    )
                })
                .collect();
            (
                f.rule.clone(),
                line(&loaded, f, f.span.as_ref().map(|s| s.start)),
                f.severity,
                f.message.clone(),
                related,
            )
        })
        .collect()
}

fn finding(rule: &str, line: usize, severity: Severity, message: &str) -> Seen {
    (rule.into(), line, severity, message.into(), Vec::new())
}

#[test]
fn calico_custom_group_wildcards_say_which_group_and_weigh_what_they_do() {
    assert_eq!(
        seen(&["calico/calico-kube-controllers-clusterrole.yaml"]),
        vec![
            finding(
                "rbac-wildcard",
                170,
                Severity::Warning,
                "ClusterRole calico-kube-controllers rule 16 grants get, list, watch, create, update, patch, delete on every resource of projectcalico.org",
            ),
            finding(
                "rbac-wildcard",
                181,
                Severity::Info,
                "ClusterRole calico-kube-controllers rule 17 grants get, list, watch on every resource of crd.projectcalico.org (read-only)",
            ),
        ]
    );
}

#[test]
fn prometheus_adapter_metrics_wildcard_names_its_group_without_escalation_verbs() {
    let mut wildcard = finding(
        "rbac-wildcard",
        13,
        Severity::Warning,
        "ClusterRole resource-metrics-server-resources rule 0 grants every verb on every resource of metrics.k8s.io",
    );
    wildcard.4 = vec![(15, "also '*' in verbs".into())];
    assert_eq!(
        seen(&["prometheus-adapter/cluster-role-metrics-server-resources.yaml"]),
        vec![wildcard]
    );
}

#[test]
fn argo_cd_application_controller_is_one_cluster_admin_finding_and_its_binding_another() {
    let file = "fixtures/upstream/argo-cd/application-controller-rbac.yaml";
    let mut wildcard = finding(
        "rbac-wildcard",
        11,
        Severity::Error,
        "ClusterRole argocd-application-controller rule 0 grants every verb (escalate, bind and impersonate included) on every resource of every API group: equivalent to cluster-admin",
    );
    wildcard.4 = vec![
        (13, "also '*' in resources".into()),
        (15, "also '*' in verbs".into()),
    ];
    let seen = seen(&["argo-cd/application-controller-rbac.yaml"]);
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert_eq!(seen[0], wildcard);
    let binding = &seen[1];
    assert_eq!(
        (binding.0.as_str(), binding.1, binding.2),
        ("cluster-admin-binding", 32, Severity::Error)
    );
    let defined = root().join(file).display().to_string();
    assert_eq!(
        binding.3,
        format!("ClusterRoleBinding argocd-application-controller grants ClusterRole argocd-application-controller (defined at {defined}:8) to ServiceAccount argocd/argocd-application-controller, and that role amounts to cluster-admin: its rule 0 grants every verb (escalate, bind and impersonate included) on every resource of every API group; they can create, change and delete every object in the cluster, Secrets, RBAC and aws-auth included")
    );
}

#[test]
fn wildcard_writes_to_admission_webhooks_are_an_error_read_only_info() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("webhook-manager.yaml");
    std::fs::write(
        &file,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: webhook-manager\nrules:\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [\"*\"]\n  verbs: [get, list, watch, update, patch]\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations]\n  verbs: [\"*\"]\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [validatingwebhookconfigurations]\n  resourceNames: [webhook-manager]\n  verbs: [\"*\"]\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [\"*\"]\n  verbs: [get, list, watch]\n",
    )
    .unwrap();
    // An absolute path: `lint` joins it to fixtures/upstream/ unchanged.
    let path = file.display().to_string();
    assert_eq!(
        seen(&[path.as_str()]),
        vec![
            finding(
                "rbac-wildcard",
                7,
                Severity::Error,
                "ClusterRole webhook-manager rule 0 grants get, list, watch, update, patch on every resource of admissionregistration.k8s.io, which includes writes to admission webhook configurations and writes to admission policies",
            ),
            finding(
                "rbac-wildcard",
                11,
                Severity::Error,
                "ClusterRole webhook-manager rule 1 grants every verb on validatingwebhookconfigurations and mutatingwebhookconfigurations of admissionregistration.k8s.io, which includes writes to admission webhook configurations",
            ),
            finding(
                "rbac-wildcard",
                15,
                Severity::Warning,
                "ClusterRole webhook-manager rule 2 grants every verb on validatingwebhookconfigurations of admissionregistration.k8s.io named webhook-manager",
            ),
            finding(
                "rbac-wildcard",
                17,
                Severity::Info,
                "ClusterRole webhook-manager rule 3 grants get, list, watch on every resource of admissionregistration.k8s.io (read-only)",
            ),
        ]
    );
}

fn polaris(kind: &str) -> Vec<String> {
    let dir = root().join("fixtures/upstream/polaris");
    let mut out = Vec::new();
    for check in [
        "clusterrolebindingClusterAdmin",
        "rolebindingClusterAdminClusterRole",
        "rolebindingClusterAdminRole",
    ] {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(check))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(kind))
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| format!("polaris/{check}/{n}")));
    }
    out
}

fn is_file(path: &Path) -> bool {
    path.is_file()
}

/// Every binding Polaris's fixtures fail is a cluster-admin binding here too,
/// whether to the built-in cluster-admin or to a role of the same file that
/// amounts to it; no binding its fixtures pass is.
#[test]
fn polaris_cluster_admin_fixtures_are_flagged_exactly_where_polaris_flags_them() {
    let failures = polaris("failure.");
    assert_eq!(failures.len(), 14, "{failures:?}");
    for file in &failures {
        assert!(is_file(&root().join("fixtures/upstream").join(file)));
        let (_, findings) = lint(&[file]);
        let bindings: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == "cluster-admin-binding")
            .collect();
        assert_eq!(bindings.len(), 1, "{file}: {findings:#?}");
        assert!(bindings[0].object.kind.ends_with("Binding"), "{file}");
        assert_eq!(
            bindings[0].path,
            vec![PathSeg::Key("roleRef".into()), PathSeg::Key("name".into())]
        );
        let message = &bindings[0].message;
        if file.ends_with("default_clusteradmin_clusterrole.yaml") {
            assert!(
                message.contains(" grants cluster-admin to user testuser"),
                "{message}"
            );
        } else {
            assert!(
                message.contains("that role amounts to cluster-admin: its rule 0 grants"),
                "{file}: {message}"
            );
            assert!(
                message.contains(&format!(
                    "(defined at {}",
                    root().join("fixtures/upstream").join(file).display()
                )),
                "{message}"
            );
        }
    }
    let successes = polaris("success.");
    assert_eq!(successes.len(), 15, "{successes:?}");
    for file in &successes {
        let (_, findings) = lint(&[file]);
        assert!(
            findings.iter().all(|f| f.rule != "cluster-admin-binding"),
            "{file}: {findings:#?}"
        );
    }
}

/// The keys of an object value.
fn keys(value: &regorus::Value) -> std::collections::BTreeSet<String> {
    match value {
        regorus::Value::Object(map) => map
            .keys()
            .filter_map(|k| match k {
                regorus::Value::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => panic!("not an object: {value}"),
    }
}

/// The rule unit tests build `input.facts.rbac` by hand (rules/lib/rbac_test.rego):
/// their builders write every field the Rust fact has, and no other, so that a rule
/// tested against them reads what blastwall computes.
#[test]
fn the_rego_test_builders_write_the_fields_of_the_rust_fact() {
    let mut rego = regorus::Engine::new();
    rego.add_policy_from_file(root().join("rules/lib/rbac_test.rego"))
        .unwrap();
    let mut eval = |query: &str| {
        let results = rego.eval_query(query.to_string(), false).unwrap();
        results.result[0].expressions[0].value.clone()
    };
    let entry = eval("data.blastwall.lib.rbac_test.entry(0, {})");
    let role = eval(r#"data.blastwall.lib.rbac_test.role("Role", "shop", "r", [], {})"#);
    let binding = eval(
        r#"data.blastwall.lib.rbac_test.binding("RoleBinding", "b", {"kind": "Role", "name": "r"}, [], {})"#,
    );

    let review = |json: &str| {
        let object = regorus::Value::from_json_str(json).unwrap();
        blastwall::review::create(object)
    };
    let rust_role = blastwall::facts::rbac::compute(
        &review(r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}"#),
        None,
    )
    .unwrap();
    let rust_binding = blastwall::facts::rbac::compute(
        &review(r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b", "namespace": "shop"}, "roleRef": {"kind": "Role", "name": "r"}}"#),
        None,
    )
    .unwrap();
    assert_eq!(keys(&entry), keys(&rust_role["rules"][0]));
    assert_eq!(keys(&role["facts"]["rbac"]), keys(&rust_role));
    // `role` is there only when the role is defined in the same input.
    assert_eq!(keys(&binding["facts"]["rbac"]), keys(&rust_binding));
}

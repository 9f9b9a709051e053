//! Kinds that carry pods beyond Kubernetes' own reach the same verdicts as a
//! Deployment with the same pod template, at admission (`blastwall review`, which
//! decides as the webhook does) as in `blastwall lint`.

use assert_cmd::Command;
use serde_json::{json, Value};

/// The object of a fixture file (its one document), as JSON.
fn object(path: &str) -> Value {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    let loaded =
        blastwall::source::load::load_str(path, text, &blastwall::source::Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    serde_json::from_str(&loaded.documents[0].value.to_json_str().unwrap()).unwrap()
}

/// The AdmissionReview of a CREATE of `object`, as the API server sends it.
fn create(object: &Value, group: &str, version: &str, resource: &str) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "7d0c6c4e-2b1f-4f43-9a52-3f5e0b6a1c01",
            "kind": {"group": group, "version": version, "kind": object["kind"]},
            "resource": {"group": group, "version": version, "resource": resource},
            "namespace": "shop",
            "name": "shop",
            "operation": "CREATE",
            "userInfo": {"username": "ci", "groups": ["system:authenticated"]},
            "object": object,
            "dryRun": false,
        },
    })
}

fn review(body: &Value) -> Value {
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .args(["review", "--no-config", "-"])
        .write_stdin(body.to_string())
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_rollout_create_is_denied_as_the_same_deployment_create_is() {
    let rollout = object("fixtures/manifests/kinds/argo-rollout.yaml");
    let mut deployment = rollout.clone();
    deployment["apiVersion"] = json!("apps/v1");
    deployment["kind"] = json!("Deployment");
    if let Some(spec) = deployment["spec"].as_object_mut() {
        spec.remove("strategy");
    }

    let denied = review(&create(&rollout, "argoproj.io", "v1alpha1", "rollouts"));
    let response = &denied["response"];
    assert_eq!(response["allowed"], false, "{denied:#}");
    // Denied for the rules that deny at admission, warned about for the others.
    let said = format!("{}{}", response["status"]["message"], response["warnings"]);
    for rule in [
        "host-namespaces",
        "host-path-volume",
        "host-port",
        "privileged-container",
        "dangerous-capabilities",
        "run-as-root",
        "privilege-escalation",
        "missing-resource-limits",
        "latest-image-tag",
    ] {
        assert!(said.contains(rule), "{rule}: {denied:#}");
    }

    let as_deployment = review(&create(&deployment, "apps", "v1", "deployments"));
    assert_eq!(as_deployment["response"]["allowed"], false);
    // The same findings, in the same words; only the kind named differs.
    let same = |r: &Value| -> Value {
        let mut r = r["response"].clone();
        r["uid"] = Value::Null;
        serde_json::from_str(&r.to_string().replace("Rollout", "Deployment")).unwrap()
    };
    assert_eq!(same(&denied), same(&as_deployment));

    // The hardened twin is allowed.
    let good = object("fixtures/manifests/good/kinds/argo-rollout.yaml");
    let allowed = review(&create(&good, "argoproj.io", "v1alpha1", "rollouts"));
    assert_eq!(allowed["response"]["allowed"], true, "{allowed:#}");
}

#[test]
fn an_argo_workflow_create_is_denied_at_admission() {
    let workflow = object("fixtures/manifests/kinds/argo-workflow.yaml");
    let denied = review(&create(&workflow, "argoproj.io", "v1alpha1", "workflows"));
    assert_eq!(denied["response"]["allowed"], false, "{denied:#}");
    let message = denied["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("template 'build' container runs privileged"),
        "{message}"
    );
}

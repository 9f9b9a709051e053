use super::*;

const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
  annotations:
    metadata.gatekeeper.sh/title: "Required Labels"
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredLabels
      validation:
        openAPIV3Schema:
          type: object
          properties:
            labels:
              type: array
              items:
                type: string
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels
        violation[{"msg": msg, "details": {"missing_labels": missing}}] {
          provided := {label | input.review.object.metadata.labels[label]}
          required := {label | label := input.parameters.labels[_]}
          missing := required - provided
          count(missing) > 0
          msg := sprintf("you must provide labels: %v", [missing])
        }
"#;

fn load_text(text: &str) -> Result<Gatekeeper, LoadError> {
    let loaded =
        crate::source::load::load_str("policy.yaml", text.to_string(), &Default::default());
    load::from_loaded(&loaded)
}

fn constraint(extra: &str) -> String {
    format!(
        "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\nmetadata:\n  name: must-have-owner\nspec:\n  match:\n    kinds: [{{apiGroups: [\"\"], kinds: [Namespace]}}]\n{extra}"
    )
}

#[test]
fn a_constraint_reports_with_its_kind_and_name() {
    let text = format!(
        "{TEMPLATE}{}",
        constraint("  parameters:\n    labels: [owner]\n")
    );
    let gk = Arc::new(load_text(&text).unwrap());
    assert_eq!(gk.rules()[0].id, "K8sRequiredLabels/must-have-owner");
    assert_eq!(gk.rules()[0].title, "Required Labels");
    let run = Run::new(gk, None, None, Point::Gator).unwrap();
    let ns = crate::review::create(
        Value::from_json_str(r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}"#)
            .unwrap(),
    );
    let hits = run.hits(&ns).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, "K8sRequiredLabels/must-have-owner");
    assert_eq!(hits[0].message, "you must provide labels: {\"owner\"}");
    assert_eq!(hits[0].severity, Severity::Error);
    // Another kind is not matched.
    let pod = crate::review::create(
        Value::from_json_str(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}"#)
            .unwrap(),
    );
    assert!(run.hits(&pod).unwrap().is_empty());
}

#[test]
fn parameters_that_break_the_schema_are_errors_at_their_line() {
    let text = format!(
        "{TEMPLATE}{}",
        constraint("  parameters:\n    labels: [owner, 3]\n")
    );
    let err = load_text(&text).unwrap_err();
    let line = text.lines().position(|l| l.contains("[owner, 3]")).unwrap() + 1;
    assert_eq!(err.errors.len(), 1, "{err}");
    // At the offending item itself: `3`.
    assert_eq!(
        (err.errors[0].line, err.errors[0].column),
        (line, 21),
        "{err}"
    );
    assert!(
        err.errors[0]
            .message
            .contains("spec.parameters.labels[1] must be of type string, not integer"),
        "{err}"
    );
}

#[test]
fn a_constraint_without_template_and_a_bad_action_are_errors() {
    let err = load_text(&constraint("  enforcementAction: block\n")).unwrap_err();
    assert!(
        err.errors[0]
            .message
            .contains("no ConstraintTemplate defines kind K8sRequiredLabels"),
        "{err}"
    );
    let text = format!("{TEMPLATE}{}", constraint("  enforcementAction: block\n"));
    let err = load_text(&text).unwrap_err();
    assert!(
        err.errors[0]
            .message
            .contains("enforcementAction \"block\""),
        "{err}"
    );
}

#[test]
fn scoped_actions_apply_per_enforcement_point() {
    let e = Enforcement::Scoped(vec![
        (Action::Warn, vec!["gator.gatekeeper.sh".into()]),
        (Action::Deny, vec!["validation.gatekeeper.sh".into()]),
    ]);
    assert_eq!(e.at(Point::Gator), Some(Action::Warn));
    assert_eq!(e.at(Point::Validation), Some(Action::Deny));
    let audit_only = Enforcement::Scoped(vec![(Action::Deny, vec!["audit.gatekeeper.sh".into()])]);
    assert_eq!(audit_only.at(Point::Gator), None);
    let all = Enforcement::Scoped(vec![(Action::Dryrun, vec!["*".into()])]);
    assert_eq!(all.at(Point::Validation), Some(Action::Dryrun));
}

#[test]
fn cel_only_templates_are_named_not_run() {
    let text = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8scel
spec:
  crd:
    spec:
      names:
        kind: K8sCel
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            validations:
              - expression: "true"
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sCel
metadata:
  name: c
"#;
    let gk = load_text(text).unwrap();
    assert_eq!(gk.unsupported, ["k8scel (K8sCel)"]);
    assert!(gk.constraints.is_empty());
}

#[test]
fn details_paths_point_at_fields() {
    let details =
        Value::from_json_str(r#"{"path": "spec.containers[1].securityContext"}"#).unwrap();
    assert_eq!(
        details_path(&details),
        [
            PathSeg::Key("spec".into()),
            PathSeg::Key("containers".into()),
            PathSeg::Index(1),
            PathSeg::Key("securityContext".into())
        ]
    );
    let array = Value::from_json_str(r#"{"path": ["spec", "volumes", 0]}"#).unwrap();
    assert_eq!(details_path(&array).len(), 3);
    assert!(details_path(&Value::new_object()).is_empty());
}

#[test]
fn delete_reviews_see_the_old_object() {
    let review =
        Value::from_json_str(r#"{"operation":"DELETE","object":null,"oldObject":{"kind":"Pod"}}"#)
            .unwrap();
    let out = gatekeeper_review(&review, None);
    assert_eq!(out["object"]["kind"], Value::from("Pod"));
}

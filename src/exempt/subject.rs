//! The object an exemption is matched against, read from a review, and the matching.

use std::collections::BTreeMap;

use regorus::Value;

use crate::config::{Exemption, LabelOperator, LabelSelector};

/// What exemptions look at in the reviewed object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// The request's namespace; for a Namespace, its own name (as the API server
    /// sends it in an AdmissionRequest).
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

fn text(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        _ => "",
    }
}

impl Subject {
    /// The subject of an AdmissionRequest-shaped review: its `object`, or its
    /// `oldObject` when there is none (DELETE).
    pub fn of_review(review: &Value) -> Subject {
        let object = match review.field("object") {
            Value::Object(_) => review.field("object"),
            _ => review.field("oldObject"),
        };
        let first = |a: &str, b: &str| if a.is_empty() { b } else { a }.to_string();
        let kind = first(
            text(review.field("kind").field("kind")),
            text(object.field("kind")),
        );
        let name = first(
            text(review.field("name")),
            text(object.field("metadata").field("name")),
        );
        let mut namespace = first(
            text(review.field("namespace")),
            text(object.field("metadata").field("namespace")),
        );
        if namespace.is_empty() && kind == "Namespace" {
            namespace = name.clone();
        }
        let labels = match object.field("metadata").field("labels") {
            Value::Object(map) => map
                .iter()
                .filter_map(|(k, v)| match (k, v) {
                    (Value::String(k), Value::String(v)) => Some((k.to_string(), v.to_string())),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Subject {
            namespace,
            kind,
            name,
            labels,
        }
    }

    /// Whether `exemption`'s scope (not its rules or date) covers this object.
    pub fn in_scope(&self, exemption: &Exemption) -> bool {
        exemption
            .namespace
            .as_ref()
            .is_none_or(|g| g.matches(&self.namespace))
            && exemption
                .kind
                .as_ref()
                .is_none_or(|k| k.eq_ignore_ascii_case(&self.kind))
            && exemption
                .name
                .as_ref()
                .is_none_or(|g| g.matches(&self.name))
            && exemption
                .selector
                .as_ref()
                .is_none_or(|s| selects(s, &self.labels))
    }
}

/// Kubernetes label selector semantics: every pair and every expression holds.
fn selects(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && selector.match_expressions.iter().all(|e| {
            let value = labels.get(&e.key);
            match e.operator {
                LabelOperator::In => value.is_some_and(|v| e.values.contains(v)),
                LabelOperator::NotIn => value.is_none_or(|v| !e.values.contains(v)),
                LabelOperator::Exists => value.is_some(),
                LabelOperator::DoesNotExist => value.is_none(),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exemption(scope: &str) -> Exemption {
        let text = format!(
            "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nexemptions:\n  - rule: host-path-volume\n    reason: r\n    owner: o\n    expires: 2030-01-01\n{scope}"
        );
        crate::config::parse("c.yaml", text)
            .unwrap()
            .exemptions
            .remove(0)
    }

    fn subject(object: &str) -> Subject {
        Subject::of_review(&crate::review::create(
            Value::from_json_str(object).unwrap(),
        ))
    }

    const EXPORTER: &str = r#"{"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "node-exporter", "namespace": "monitoring",
                     "labels": {"app": "node-exporter", "tier": "agent"}}}"#;

    #[test]
    fn every_given_field_must_match() {
        let s = subject(EXPORTER);
        assert!(s.in_scope(&exemption("    namespace: monitoring\n")));
        assert!(s.in_scope(&exemption(
            "    namespace: monitor*\n    kind: daemonset\n    name: node-*\n"
        )));
        assert!(!s.in_scope(&exemption(
            "    namespace: monitoring\n    kind: Deployment\n"
        )));
        assert!(!s.in_scope(&exemption("    name: node-exporter-2\n")));
    }

    #[test]
    fn label_selectors_follow_kubernetes() {
        let s = subject(EXPORTER);
        let sel = |text: &str| exemption(&format!("    selector: {text}\n"));
        assert!(s.in_scope(&sel("{matchLabels: {app: node-exporter}}")));
        assert!(!s.in_scope(&sel("{matchLabels: {app: node-exporter, tier: web}}")));
        assert!(s.in_scope(&sel(
            "{matchExpressions: [{key: tier, operator: In, values: [agent, web]}]}"
        )));
        assert!(!s.in_scope(&sel(
            "{matchExpressions: [{key: tier, operator: NotIn, values: [agent]}]}"
        )));
        assert!(s.in_scope(&sel(
            "{matchExpressions: [{key: team, operator: NotIn, values: [a]}]}"
        )));
        assert!(s.in_scope(&sel("{matchExpressions: [{key: app, operator: Exists}]}")));
        assert!(!s.in_scope(&sel(
            "{matchExpressions: [{key: app, operator: DoesNotExist}]}"
        )));
    }

    #[test]
    fn a_namespace_is_in_its_own_namespace_and_delete_reads_the_old_object() {
        let ns = subject(
            r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring"}}"#,
        );
        assert_eq!(ns.namespace, "monitoring");
        let old = Value::from_json_str(EXPORTER).unwrap();
        let review = crate::review::build(
            crate::review::Operation::Delete,
            None,
            Some(old),
            &crate::review::Requester::default(),
        );
        let s = Subject::of_review(&review);
        assert_eq!(
            (s.kind.as_str(), s.name.as_str()),
            ("DaemonSet", "node-exporter")
        );
        assert_eq!(s.labels.get("tier").map(String::as_str), Some("agent"));
    }
}

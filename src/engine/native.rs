//! Rules checked natively, before Rego sees a document: they are about the YAML
//! text itself, which rules never see.

use crate::finding::{RuleExample, RuleMeta, Severity};

pub const DUPLICATE_KEY: &str = "yaml-duplicate-key";

pub fn rules() -> Vec<RuleMeta> {
    vec![RuleMeta {
        id: DUPLICATE_KEY.into(),
        title: "Duplicate key in a YAML mapping".into(),
        severity: Severity::Error,
        category: "yaml".into(),
        description: "A key appears twice in one mapping. Kubernetes (sigs.k8s.io/yaml) silently \
                      keeps the last value, so the first one — often the one a reviewer read — has \
                      no effect. A duplicated `securityContext` or `groups` can quietly undo a \
                      restriction."
            .into(),
        remediation: "Keep one occurrence of the key and merge the two values into it.".into(),
        example: Some(RuleExample {
            bad: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    securityContext:\n      runAsNonRoot: true\n    securityContext:\n      privileged: false\n".into(),
            good: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    securityContext:\n      runAsNonRoot: true\n      privileged: false\n".into(),
        }),
        source: "builtin:native".into(),
        exemptible: false,
        params: None,
        kinds: None,
        checks_pods: false,
    }]
}

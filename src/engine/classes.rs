//! Which rules a review needs: rules may declare the object kinds they report on
//! (`metadata.kinds`), so that a Pod is never run through the aws-auth or RBAC
//! rules. Rules that declare no kinds run on every review.
//!
//! The rule packages are grouped into classes, one per distinct set of packages a
//! kind needs, and the generated aggregate module has one `class_<n>` set per class.

use std::collections::{BTreeMap, BTreeSet};

use regorus::Value;

use super::RULES_PACKAGE;

pub(super) const AGGREGATE_PACKAGE: &str = "blastwall.engine";

/// The rule packages each class evaluates, and how a review picks its class.
#[derive(Debug)]
pub(super) struct Classes {
    /// Package short names, per class.
    members: Vec<Vec<String>>,
    /// Declared kind → its class.
    by_kind: BTreeMap<String, usize>,
    /// Reviews of no declared kind: the rules that declare no kinds.
    rest: usize,
    /// Every rule: for a review that mixes kinds of different classes.
    all: usize,
}

impl Classes {
    /// `packages`: each rule package's short name and the kinds it declares
    /// (`None`: every kind).
    pub fn new(packages: &[(String, Option<Vec<String>>)]) -> Classes {
        let known: BTreeSet<&str> = packages
            .iter()
            .flat_map(|(_, kinds)| kinds.iter().flatten().map(String::as_str))
            .collect();
        let members_for = |kind: Option<&str>| -> Vec<String> {
            packages
                .iter()
                .filter(|(_, kinds)| match (kinds, kind) {
                    (None, _) => true,
                    (Some(kinds), Some(kind)) => kinds.iter().any(|k| k == kind),
                    (Some(_), None) => false,
                })
                .map(|(short, _)| short.clone())
                .collect()
        };
        let mut members: Vec<Vec<String>> = Vec::new();
        let mut index_of = |set: Vec<String>| match members.iter().position(|m| *m == set) {
            Some(i) => i,
            None => {
                members.push(set);
                members.len() - 1
            }
        };
        let all = index_of(packages.iter().map(|(short, _)| short.clone()).collect());
        let rest = index_of(members_for(None));
        let by_kind = known
            .iter()
            .map(|kind| (kind.to_string(), index_of(members_for(Some(kind)))))
            .collect();
        Classes {
            members,
            by_kind,
            rest,
            all,
        }
    }

    /// The class of every rule.
    pub fn all(&self) -> usize {
        self.all
    }

    /// The class for `input`, from the kinds of the review's object, old object and
    /// request (`kind.kind`): usually one and the same.
    pub fn select(&self, input: &Value) -> usize {
        let review = &input["review"];
        let mut class = None;
        for kind in [
            &review["object"]["kind"],
            &review["oldObject"]["kind"],
            &review["kind"]["kind"],
        ] {
            let Value::String(kind) = kind else {
                continue;
            };
            let Some(&c) = self.by_kind.get(kind.as_ref()) else {
                continue;
            };
            match class {
                None => class = Some(c),
                Some(other) if other != c => return self.all,
                Some(_) => {}
            }
        }
        class.unwrap_or(self.rest)
    }

    /// The rule that gathers the findings of `class`.
    pub fn query(class: usize) -> String {
        format!("data.{AGGREGATE_PACKAGE}.class_{class}")
    }

    /// The package short names of `class`'s rules.
    pub fn members(&self, class: usize) -> &[String] {
        self.members.get(class).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// One module with a `class_<n>` set per class, gathering the `deny` sets of
    /// its rule packages, each finding tagged with its package's short name.
    pub fn aggregate_module(&self) -> String {
        self.aggregate(0..self.members.len())
    }

    /// The aggregate module with the set of `class` alone.
    pub fn aggregate_module_of(&self, class: usize) -> String {
        self.aggregate(class..class + 1)
    }

    fn aggregate(&self, classes: std::ops::Range<usize>) -> String {
        let mut text = format!("package {AGGREGATE_PACKAGE}\n\nready := true\n");
        let rules = &RULES_PACKAGE["data.".len()..];
        for class in classes {
            text.push('\n');
            let members = self.members(class);
            if members.is_empty() {
                text.push_str(&format!("class_{class} := set()\n"));
            }
            for short in members {
                let literal = Value::from(short.as_str())
                    .to_json_str()
                    .unwrap_or_else(|_| format!("{short:?}"));
                text.push_str(&format!(
                    "class_{class} contains {{\"rule\": {literal}, \"finding\": f}} if {{\n    some f in data.{rules}{short}.deny\n}}\n"
                ));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Classes {
        let kinds = |k: &[&str]| Some(k.iter().map(|s| s.to_string()).collect());
        Classes::new(&[
            ("pods".into(), kinds(&["Pod", "Deployment"])),
            ("deploys".into(), kinds(&["Deployment"])),
            ("roles".into(), kinds(&["Role"])),
            ("any".into(), None),
        ])
    }

    fn members(c: &Classes, class: usize) -> Vec<&str> {
        c.members[class].iter().map(String::as_str).collect()
    }

    fn review(object: &str, request: &str) -> Value {
        Value::from_json_str(&format!(
            r#"{{"review": {{"object": {object}, "oldObject": null, "kind": {{"kind": {request}}}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_review_gets_the_rules_of_its_kind_and_those_of_every_kind() {
        let c = classes();
        let pod = c.select(&review(r#"{"kind": "Pod"}"#, r#""Pod""#));
        assert_eq!(members(&c, pod), ["pods", "any"]);
        let deploy = c.select(&review(r#"{"kind": "Deployment"}"#, r#""Deployment""#));
        assert_eq!(members(&c, deploy), ["pods", "deploys", "any"]);
        let service = c.select(&review(r#"{"kind": "Service"}"#, r#""Service""#));
        assert_eq!(members(&c, service), ["any"]);
    }

    #[test]
    fn the_request_kind_counts_when_there_is_no_object() {
        let c = classes();
        let deleted = c.select(&review("null", r#""Role""#));
        assert_eq!(members(&c, deleted), ["roles", "any"]);
        let malformed = c.select(&review(r#"{"kind": 5}"#, "null"));
        assert_eq!(members(&c, malformed), ["any"]);
    }

    #[test]
    fn kinds_of_different_classes_get_every_rule() {
        let c = classes();
        let mixed = c.select(&review(r#"{"kind": "Pod"}"#, r#""Role""#));
        assert_eq!(members(&c, mixed), ["pods", "deploys", "roles", "any"]);
    }

    #[test]
    fn the_aggregate_has_one_set_per_class() {
        let c = Classes::new(&[("a".into(), Some(vec!["Pod".into()]))]);
        let text = c.aggregate_module();
        assert!(text.contains("class_1 := set()"), "{text}");
        assert!(!c.aggregate_module_of(0).contains("class_1"));
        assert!(
            text.contains("class_0 contains {\"rule\": \"a\", \"finding\": f} if {\n    some f in data.blastwall.rules.a.deny\n}"),
            "{text}"
        );
    }
}

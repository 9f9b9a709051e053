//! Which rules a review needs. Rules declare where they apply (`metadata.kinds` and
//! `metadata.match`, see [`super::matching`]), so that a Pod is never run through
//! the aws-auth or RBAC rules and a review no rule reaches runs no Rego at all.
//!
//! The rules a review reaches form its class; each distinct class gets a
//! generated aggregate module with one set gathering the `deny` sets of its rules.

use regorus::Value;

use crate::facts::keys::FxMap;
use crate::facts::Names;

use super::matching::{Match, Target};
use super::RULES_PACKAGE;

pub(super) const AGGREGATE_PACKAGE: &str = "blastwall.engine";

/// The set that gathers every rule, in the whole-pack engine.
pub(super) const ALL_QUERY: &str = "data.blastwall.engine.all";
/// The set that gathers the rules of one class, in that class's engine.
pub(super) const SELECTED_QUERY: &str = "data.blastwall.engine.selected";

/// The rule packages and where each applies.
#[derive(Debug)]
pub(super) struct Classes {
    /// Package short names and their match, in load order.
    rules: Vec<(String, Match)>,
    /// The facts each rule may read ([`super::fact_reads`]); every fact when not told.
    reads: Vec<Names>,
    /// What matching needs of facts to decide on each rule ([`Match::fact_needs`]).
    needs: Vec<(Names, Names)>,
    /// The distinct matches of the rules (many rules share one: the aws-auth
    /// rules'), each with its rules, ascending.
    distinct: Vec<(Match, Vec<usize>)>,
    /// Kind name → the distinct matches that name it, ascending.
    by_kind: FxMap<String, Vec<usize>>,
    /// The distinct matches that may reach a review of any kind, ascending.
    any_kind: Vec<usize>,
}

/// The rules a review reaches, and the facts they read.
pub(super) struct Selection {
    /// Rule indexes, ascending.
    pub members: Vec<usize>,
    /// The facts computed for matching (an object of facts).
    pub facts: Value,
    /// Which of them are whole ([`crate::facts::compute_some`]'s).
    pub whole: Names,
    /// The facts the members may read, with every fact the engine itself reads.
    pub reads: Names,
}

impl Classes {
    pub fn new(rules: Vec<(String, Match)>) -> Classes {
        let reads = vec![Names::ALL; rules.len()];
        let needs = rules.iter().map(|(_, m)| m.fact_needs()).collect();
        let mut distinct: Vec<(Match, Vec<usize>)> = Vec::new();
        for (i, (_, m)) in rules.iter().enumerate() {
            match distinct.iter_mut().find(|(d, _)| d == m) {
                Some((_, members)) => members.push(i),
                None => distinct.push((m.clone(), vec![i])),
            }
        }
        let mut by_kind: FxMap<String, Vec<usize>> = FxMap::default();
        let mut any_kind = Vec::new();
        for (d, (m, _)) in distinct.iter().enumerate() {
            match m.kind_index() {
                None => any_kind.push(d),
                Some(kinds) => {
                    for kind in kinds {
                        let list = by_kind.entry(kind.to_string()).or_default();
                        if list.last() != Some(&d) {
                            list.push(d);
                        }
                    }
                }
            }
        }
        Classes {
            rules,
            reads,
            needs,
            distinct,
            by_kind,
            any_kind,
        }
    }

    /// With the facts each rule reads: rule package short name → facts (a rule not
    /// listed reads every fact).
    pub fn with_reads(mut self, reads: &std::collections::BTreeMap<String, Names>) -> Classes {
        self.reads = self
            .rules
            .iter()
            .map(|(short, _)| reads.get(short).copied().unwrap_or(Names::ALL))
            .collect();
        self
    }

    /// The indexes of every rule.
    pub fn all(&self) -> Vec<usize> {
        (0..self.rules.len()).collect()
    }

    /// The indexes of the rules `input` reaches, ascending.
    pub fn select(&self, input: &Value) -> Vec<usize> {
        let target = Target::of(input);
        self.candidates(&target)
            .into_iter()
            .filter(|&i| self.rules[i].1.facts_match(target.facts()))
            .collect()
    }

    /// The rules `target` reaches by kinds, namespaces, names and operations,
    /// ascending: those of its kinds (by index) and those of every kind.
    fn candidates(&self, target: &Target) -> Vec<usize> {
        let mut matches: Vec<usize> = Vec::with_capacity(self.any_kind.len() + 16);
        matches.extend_from_slice(&self.any_kind);
        let mut seen: [&str; 3] = [""; 3];
        for (n, kind) in target.kind_names().take(3).enumerate() {
            let repeated = seen[..n].contains(&kind);
            seen[n] = kind;
            if repeated {
                continue;
            }
            if let Some(more) = self.by_kind.get(kind) {
                matches.extend_from_slice(more);
            }
        }
        matches.sort_unstable();
        matches.dedup();
        let mut out: Vec<usize> = Vec::new();
        for d in matches {
            let (m, rules) = &self.distinct[d];
            if m.matches_but_facts(target) {
                out.extend_from_slice(rules);
            }
        }
        out.sort_unstable();
        out
    }

    /// The rules `review` reaches, with facts computed by `facts` as far as
    /// matching needs them (the facts of `match.facts`, of the candidates only).
    pub fn select_lazily(&self, review: &Value, facts: &crate::facts::Lazy) -> Selection {
        let bare = Target::new(review, &Value::Undefined);
        let candidates = self.candidates(&bare);
        let (mut full, mut light) = (Names::NONE, Names::NONE);
        for &i in &candidates {
            let (f, l) = self.needs[i];
            full = full.union(f);
            light = light.union(l);
        }
        let computed = match (full.is_empty(), light.is_empty()) {
            (true, true) => Value::new_object(),
            _ => Value::object_from_entries(facts.for_matching(full, light)),
        };
        let members: Vec<usize> = candidates
            .into_iter()
            .filter(|&i| self.rules[i].1.facts_match(&computed))
            .collect();
        // The engine reads `workload` itself (findings inside a pod spec found by
        // its shape get a note).
        let mut reads = match members.is_empty() {
            true => Names::NONE,
            false => Names::of("workload"),
        };
        for &i in &members {
            reads = reads.union(self.reads[i]);
        }
        // A light `tenancy` is its base part, whole.
        let whole = match light.contains("tenancy") {
            true => full.union(Names::of("tenancy.base")),
            false => full,
        };
        Selection {
            members,
            facts: computed,
            whole,
            reads,
        }
    }

    /// The classes a review of a declared kind is likely to need, by operation,
    /// whatever its name, namespace and facts: for compiling ahead of use.
    pub fn likely(&self) -> Vec<Vec<usize>> {
        let mut kinds: Vec<String> = self
            .rules
            .iter()
            .flat_map(|(_, m)| m.kind_names())
            .collect();
        kinds.sort();
        kinds.dedup();
        let mut out: Vec<Vec<usize>> = Vec::new();
        for kind in &kinds {
            for op in ["CREATE", "UPDATE", "DELETE"] {
                let set: Vec<usize> = self
                    .rules
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, m))| m.may_match(kind, op))
                    .map(|(i, _)| i)
                    .collect();
                if !set.is_empty() && !out.contains(&set) {
                    out.push(set);
                }
            }
        }
        out
    }

    /// The kinds the rules declare, with their API groups.
    pub fn kinds(&self) -> super::DeclaredKinds {
        let mut out = super::DeclaredKinds::default();
        for (_, m) in &self.rules {
            match m.declared_kinds() {
                // A rule on the workload fact judges the kinds whose pods blastwall
                // knows (those of the config and those found by shape come on top).
                None if m.requires_fact("workload") => {
                    for known in crate::facts::workload::KNOWN {
                        for group in known.groups {
                            out.insert(known.kind, Some(group));
                        }
                    }
                }
                None => out.every_kind = true,
                Some(kinds) => {
                    for (kind, groups) in kinds {
                        match groups {
                            None => out.insert(&kind, None),
                            Some(groups) => {
                                for group in &groups {
                                    out.insert(&kind, Some(group));
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The package short name of rule `index`.
    pub fn short(&self, index: usize) -> Option<&str> {
        self.rules.get(index).map(|(s, _)| s.as_str())
    }

    /// A module with a set `name` that gathers the `deny` sets of `members`, each
    /// finding tagged with its package's short name.
    pub fn aggregate_module(&self, name: &str, members: &[usize]) -> String {
        let mut text = format!("package {AGGREGATE_PACKAGE}\n\nready := true\n\n");
        let rules = &RULES_PACKAGE["data.".len()..];
        let shorts: Vec<&str> = members.iter().filter_map(|&i| self.short(i)).collect();
        if shorts.is_empty() {
            text.push_str(&format!("{name} := set()\n"));
        }
        for short in shorts {
            let literal = Value::from(short)
                .to_json_str()
                .unwrap_or_else(|_| format!("{short:?}"));
            text.push_str(&format!(
                "{name} contains {{\"rule\": {literal}, \"finding\": f}} if {{\n    some f in data.{rules}{short}.deny\n}}\n"
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Classes {
        let kinds = |k: &str| Match::from_metadata(&Value::from_json_str(k).unwrap()).unwrap();
        Classes::new(vec![
            ("pods".into(), kinds(r#"{"kinds": ["Pod", "Deployment"]}"#)),
            ("deploys".into(), kinds(r#"{"kinds": ["Deployment"]}"#)),
            ("roles".into(), kinds(r#"{"kinds": ["Role"]}"#)),
            ("any".into(), kinds("{}")),
        ])
    }

    fn members(c: &Classes, set: Vec<usize>) -> Vec<&str> {
        set.into_iter().filter_map(|i| c.short(i)).collect()
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
    fn a_review_of_two_kinds_gets_the_rules_of_both() {
        let c = classes();
        let mixed = c.select(&review(r#"{"kind": "Pod"}"#, r#""Role""#));
        assert_eq!(members(&c, mixed), ["pods", "roles", "any"]);
    }

    #[test]
    fn the_aggregate_gathers_its_members() {
        let c = classes();
        let text = c.aggregate_module("selected", &[2]);
        assert!(
            text.contains("selected contains {\"rule\": \"roles\", \"finding\": f} if {\n    some f in data.blastwall.rules.roles.deny\n}"),
            "{text}"
        );
        assert!(!text.contains("pods"), "{text}");
        assert!(c
            .aggregate_module("selected", &[])
            .contains("selected := set()"));
    }

    #[test]
    fn declared_kinds_keep_their_api_groups() {
        let kinds = |k: &str| Match::from_metadata(&Value::from_json_str(k).unwrap()).unwrap();
        let c = Classes::new(vec![
            ("pods".into(), kinds(r#"{"kinds": ["Pod", "Deployment"]}"#)),
            (
                "deploys".into(),
                kinds(
                    r#"{"match": {"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]}}"#,
                ),
            ),
            (
                "aws-auth".into(),
                kinds(
                    r#"{"match": {"kinds": [{"apiGroups": [""], "kinds": ["ConfigMap"]}], "names": ["aws-auth"]}}"#,
                ),
            ),
            (
                "routes".into(),
                kinds(
                    r#"{"match": {"kinds": [{"apiGroups": ["gateway.networking.k8s.io", "x.io"], "kinds": ["HTTPRoute"]}, {"apiGroups": ["*"], "kinds": ["Gateway"]}]}}"#,
                ),
            ),
        ]);
        let declared = c.kinds();
        assert!(!declared.every_kind);
        assert_eq!(
            declared.names().collect::<Vec<_>>(),
            ["ConfigMap", "Deployment", "Gateway", "HTTPRoute", "Pod"]
        );
        // A kind some rule declares in any group is listed in every group.
        assert!(declared.contains("apps", "Deployment"));
        assert!(declared.contains("extensions", "Deployment"));
        assert!(declared.contains("", "ConfigMap"));
        assert!(!declared.contains("example.com", "ConfigMap"));
        assert!(declared.contains("x.io", "HTTPRoute"));
        assert!(!declared.contains("", "HTTPRoute"));
        assert!(declared.contains("anything.io", "Gateway"));
        assert!(!declared.contains("", "Service"));
        // `classes()` has a rule of every kind.
        assert!(classes().kinds().every_kind);
        let star = Classes::new(vec![(
            "all".into(),
            kinds(r#"{"match": {"kinds": ["*"]}}"#),
        )]);
        assert!(star.kinds().every_kind);
        assert_eq!(star.kinds().names().count(), 0);
    }
}

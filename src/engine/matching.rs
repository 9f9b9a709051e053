//! Where a rule applies, decided in Rust before any Rego runs.
//!
//! A rule's metadata may say which reviews it judges, with Gatekeeper-like
//! semantics:
//!
//! ```rego
//! metadata := {
//!     ...
//!     "kinds": ["ConfigMap"],                 # kind names, any API group
//!     "match": {
//!         "kinds": [{"apiGroups": [""], "kinds": ["ConfigMap"]}],  # or kind names
//!         "namespaces": ["kube-system"],      # exact, or a prefix glob "team-*"
//!         "names": ["aws-auth"],              # same
//!         "operations": ["UPDATE", "DELETE"],
//!         "facts": ["change.webhookObject"],  # facts that must be set
//!     },
//! }
//! ```
//!
//! Every field is optional; a rule with none applies to every review. A review
//! reaches a rule when every field the rule declares matches:
//!
//! - `kinds`: the kind (and API group) of the object, of the old object or of the
//!   request (`input.review.kind`) is listed; `"*"` stands for any kind or group.
//! - `namespaces`: the namespace of the object, the old object or the request is
//!   listed. A review that names no namespace at all (a manifest applied with
//!   `kubectl -n`) matches any.
//! - `names`: the name of the object, the old object or the request is listed; a
//!   review that names nothing matches no name.
//! - `operations`: `input.review.operation` is listed.
//! - `facts`: each dotted path under `input.facts` is set: present, and not null,
//!   `false` or an empty list, set or object.
//!
//! Matching never loses a finding as long as a rule is silent outside what it
//! declares; `tests/suite/kinds.rs` checks that of the built-in rules on every
//! fixture, against evaluating every rule.

use regorus::Value;

use crate::facts::{field, Names};

/// A name or namespace pattern: exact, `prefix*`, or `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern(String);

impl Pattern {
    fn matches(&self, value: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => self.0 == value,
        }
    }
}

/// One `kinds` entry: API groups (empty: any) and kind names (`*`: any).
#[derive(Clone, Debug, PartialEq, Eq)]
struct KindMatch {
    groups: Option<Vec<String>>,
    kinds: Vec<String>,
}

impl KindMatch {
    fn matches(&self, group: &str, kind: &str) -> bool {
        let group_ok = match &self.groups {
            None => true,
            Some(groups) => groups.iter().any(|g| g == "*" || g == group),
        };
        group_ok && self.kinds.iter().any(|k| k == "*" || k == kind)
    }
}

/// Where one rule applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Match {
    kinds: Option<Vec<KindMatch>>,
    namespaces: Option<Vec<Pattern>>,
    names: Option<Vec<Pattern>>,
    operations: Option<Vec<String>>,
    /// Dotted paths under `input.facts`, each key already a value (looking a key
    /// up by `&str` would build one per lookup, for every rule of every review).
    facts: Vec<Vec<Value>>,
}

/// What of a review matching looks at, read once per review.
pub(super) struct Target<'a> {
    /// (API group, kind) of the object, old object and request.
    kinds: Three<(&'a str, &'a str)>,
    namespaces: Three<&'a str>,
    names: Three<&'a str>,
    operation: Option<&'a str>,
    facts: &'a Value,
}

/// Up to three items (one each from the object, the old object and the request),
/// kept in place: a review's target allocates nothing.
#[derive(Clone, Copy)]
struct Three<T> {
    items: [T; 3],
    len: usize,
}

impl<T: Copy + Default> Three<T> {
    fn new() -> Three<T> {
        Three {
            items: [T::default(); 3],
            len: 0,
        }
    }

    fn extend(&mut self, item: Option<T>) {
        if let (Some(item), true) = (item, self.len < 3) {
            self.items[self.len] = item;
            self.len += 1;
        }
    }

    fn push(&mut self, item: T) {
        self.extend(Some(item));
    }

    fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items[..self.len].iter()
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn string(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

impl<'a> Target<'a> {
    /// The target of a rule input (`{"review": …, "facts": …}`).
    pub fn of(input: &'a Value) -> Target<'a> {
        Target::new(field(input, "review"), field(input, "facts"))
    }

    /// The target of `review` with the facts `facts` (an object of facts).
    pub fn new(review: &'a Value, facts: &'a Value) -> Target<'a> {
        let mut kinds = Three::new();
        let mut namespaces = Three::new();
        let mut names = Three::new();
        for object in [field(review, "object"), field(review, "oldObject")] {
            if let Some(kind) = string(field(object, "kind")) {
                let group =
                    match string(field(object, "apiVersion")).and_then(|v| v.split_once('/')) {
                        Some((group, _)) => group,
                        None => "",
                    };
                kinds.push((group, kind));
            }
            let meta = field(object, "metadata");
            namespaces.extend(string(field(meta, "namespace")).filter(|s| !s.is_empty()));
            names.extend(string(field(meta, "name")).filter(|s| !s.is_empty()));
        }
        let kind = field(review, "kind");
        if let Some(name) = string(field(kind, "kind")) {
            kinds.push((string(field(kind, "group")).unwrap_or(""), name));
        }
        namespaces.extend(string(field(review, "namespace")).filter(|s| !s.is_empty()));
        names.extend(string(field(review, "name")).filter(|s| !s.is_empty()));
        Target {
            kinds,
            namespaces,
            names,
            operation: string(field(review, "operation")),
            facts,
        }
    }

    /// The kind names of the object, old object and request.
    pub fn kind_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.kinds.iter().map(|(_, kind)| *kind)
    }

    /// The facts of the target (an object of facts).
    pub fn facts(&self) -> &'a Value {
        self.facts
    }
}

/// A fact is set when present and not null, false or an empty collection.
fn is_set(value: &Value) -> bool {
    match value {
        Value::Undefined | Value::Null | Value::Bool(false) => false,
        Value::Array(a) => !a.is_empty(),
        Value::Set(s) => !s.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

impl Match {
    /// Whether a review reaches the rule.
    #[cfg(test)]
    pub fn matches(&self, target: &Target) -> bool {
        self.matches_but_facts(target) && self.facts_match(target.facts())
    }

    /// Whether the review reaches the rule as far as kinds, namespaces, names and
    /// operations say (its facts left aside).
    pub fn matches_but_facts(&self, target: &Target) -> bool {
        if let Some(kinds) = &self.kinds {
            let hit = target
                .kinds
                .iter()
                .any(|(group, kind)| kinds.iter().any(|k| k.matches(group, kind)));
            if !hit {
                return false;
            }
        }
        if let Some(namespaces) = &self.namespaces {
            if !target.namespaces.is_empty()
                && !target
                    .namespaces
                    .iter()
                    .any(|ns| namespaces.iter().any(|p| p.matches(ns)))
            {
                return false;
            }
        }
        if let Some(names) = &self.names {
            if !target
                .names
                .iter()
                .any(|n| names.iter().any(|p| p.matches(n)))
            {
                return false;
            }
        }
        if let (Some(operations), Some(op)) = (&self.operations, target.operation) {
            if !operations.iter().any(|o| o == op) {
                return false;
            }
        }
        true
    }

    /// Whether every fact the rule requires is set in `facts` (an object of facts).
    pub fn facts_match(&self, facts: &Value) -> bool {
        self.facts.iter().all(|path| {
            let mut value = facts;
            for key in path {
                value = match (value, key) {
                    (Value::Object(_), Value::String(k)) => field(value, k),
                    _ => &value[key],
                };
            }
            is_set(value)
        })
    }

    /// The facts matching needs to decide on the rule: `(full, light)`, the
    /// top-level facts it needs whole, and those (`tenancy`, `change`) of which it
    /// reads only the fields [`crate::facts::for_matching`] computes lightly.
    pub fn fact_needs(&self) -> (Names, Names) {
        let mut full = Names::NONE;
        let mut light = Names::NONE;
        for path in &self.facts {
            let Some(top) = path.first().and_then(string) else {
                continue;
            };
            let field = path.get(1).and_then(string);
            let light_fields: &[&str] = match top {
                "tenancy" => &crate::facts::tenancy::LIGHT_FIELDS,
                "change" => &crate::facts::change::LIGHT_FIELDS,
                _ => &[],
            };
            // Of `change.requester`, the light fact holds only some fields as
            // the whole fact does ([`crate::facts::change::light`]).
            let deeper = path.get(2).and_then(string);
            let light_requester = match (top, field, deeper) {
                ("change", Some("requester"), Some(f)) => {
                    crate::facts::change::LIGHT_REQUESTER_FIELDS.contains(&f)
                }
                _ => true,
            };
            if field.is_some_and(|f| light_fields.contains(&f)) && light_requester {
                light = light.union(Names::of(top));
            } else {
                full = full.union(Names::of(top));
            }
        }
        (full, light)
    }

    /// Whether the rule names its kinds (`None`: it may reach a review of any kind),
    /// and which.
    pub fn kind_index(&self) -> Option<Vec<&str>> {
        let kinds = self.kinds.as_ref()?;
        let mut out = Vec::new();
        for k in kinds {
            if k.kinds.iter().any(|n| n == "*") {
                return None;
            }
            out.extend(k.kinds.iter().map(String::as_str));
        }
        Some(out)
    }

    /// Whether a review of `kind` (any group) and `operation` may reach the rule,
    /// whatever its namespace, name and facts: for compiling ahead of use.
    pub fn may_match(&self, kind: &str, operation: &str) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|k| k.kinds.iter().any(|n| n == kind)))
            && self
                .operations
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|o| o == operation))
    }

    /// Whether the rule requires the top-level fact `name` (`facts: [name]`).
    pub fn requires_fact(&self, name: &str) -> bool {
        self.facts
            .iter()
            .any(|p| p.len() == 1 && string(&p[0]) == Some(name))
    }

    /// The kind names the rule lists (none when it applies to every kind).
    pub fn kind_names(&self) -> Vec<String> {
        self.kinds
            .iter()
            .flatten()
            .flat_map(|k| k.kinds.iter().cloned())
            .filter(|k| k != "*")
            .collect()
    }

    /// The kinds the rule lists, each with the API groups named for it (`None`: any
    /// group), or `None` when it reaches every kind (no kinds, or `"*"`).
    pub fn declared_kinds(&self) -> Option<Vec<(String, Option<Vec<String>>)>> {
        let kinds = self.kinds.as_ref()?;
        let mut out = Vec::new();
        for k in kinds {
            if k.kinds.iter().any(|n| n == "*") {
                return None;
            }
            let groups = k
                .groups
                .clone()
                .filter(|groups| !groups.iter().any(|g| g == "*"));
            out.extend(k.kinds.iter().map(|n| (n.clone(), groups.clone())));
        }
        Some(out)
    }

    /// Reads `metadata.kinds` and `metadata.match`. The error names the field.
    pub fn from_metadata(metadata: &Value) -> Result<Match, (&'static str, String)> {
        let mut m = Match::default();
        let legacy = &metadata["kinds"];
        if !matches!(legacy, Value::Undefined | Value::Null) {
            let names = strings(
                legacy,
                "kinds",
                "object kinds, e.g. [\"Pod\", \"Deployment\"]",
            )
            .map_err(|e| ("kinds", e))?;
            if names.is_empty() {
                return Err((
                    "kinds",
                    "`kinds` is empty: leave it out for a rule that applies to every kind".into(),
                ));
            }
            m.kinds = Some(vec![KindMatch {
                groups: None,
                kinds: names,
            }]);
        }
        let spec = match &metadata["match"] {
            Value::Undefined | Value::Null => return Ok(m),
            Value::Object(spec) => spec,
            _ => {
                return Err((
                    "match",
                    "`match` must be an object with any of kinds, namespaces, names, operations and facts".into(),
                ))
            }
        };
        for (key, value) in spec.iter() {
            let key = string(key).unwrap_or("");
            match key {
                "kinds" => {
                    if m.kinds.is_some() {
                        return Err((
                            "match",
                            "`kinds` and `match.kinds` both say which kinds: keep one".into(),
                        ));
                    }
                    m.kinds = Some(kind_matches(value).map_err(|e| ("match", e))?);
                }
                "namespaces" | "names" => {
                    let patterns = strings(value, key, "names, or prefixes ending in *")
                        .map_err(|e| ("match", e))?
                        .into_iter()
                        .map(Pattern)
                        .collect();
                    if key == "names" {
                        m.names = Some(patterns);
                    } else {
                        m.namespaces = Some(patterns);
                    }
                }
                "operations" => {
                    let ops = strings(value, key, "operations, e.g. [\"CREATE\", \"UPDATE\"]")
                        .map_err(|e| ("match", e))?;
                    if let Some(bad) = ops.iter().find(|o| {
                        !matches!(o.as_str(), "CREATE" | "UPDATE" | "DELETE" | "CONNECT" | "*")
                    }) {
                        return Err((
                            "match",
                            format!("`match.operations` lists `{bad}`: operations are CREATE, UPDATE, DELETE and CONNECT"),
                        ));
                    }
                    if !ops.iter().any(|o| o == "*") {
                        m.operations = Some(ops);
                    }
                }
                "facts" => {
                    m.facts = strings(value, key, "paths under input.facts, e.g. [\"awsAuth\"]")
                        .map_err(|e| ("match", e))?
                        .iter()
                        .map(|p| p.split('.').map(Value::from).collect())
                        .collect();
                }
                other => {
                    return Err((
                        "match",
                        format!("`match` has an unknown field `{other}`: it takes kinds, namespaces, names, operations and facts"),
                    ))
                }
            }
        }
        Ok(m)
    }
}

/// A list (or set) of non-empty strings.
fn strings(value: &Value, field: &str, what: &str) -> Result<Vec<String>, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Set(items) => items.iter().collect(),
        _ => return Err(format!("`{field}` must be a list of {what}")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) if !s.is_empty() => out.push(s.to_string()),
            other => {
                let noun = if field == "kinds" {
                    "the name of a kind".to_string()
                } else {
                    format!("one of {what}")
                };
                return Err(format!("`{field}` lists {other}, which is not {noun}"));
            }
        }
    }
    Ok(out)
}

/// `match.kinds`: kind names, or `{"apiGroups": [...], "kinds": [...]}` objects.
fn kind_matches(value: &Value) -> Result<Vec<KindMatch>, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Set(items) => items.iter().collect(),
        _ => return Err("`match.kinds` must be a list of kind names or of {\"apiGroups\": [...], \"kinds\": [...]} objects".into()),
    };
    if items.is_empty() {
        return Err(
            "`match.kinds` is empty: leave it out for a rule that applies to every kind".into(),
        );
    }
    let mut names = Vec::new();
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(s) if !s.is_empty() => names.push(s.to_string()),
            Value::Object(o) => {
                for key in o.keys() {
                    if !matches!(string(key), Some("apiGroups" | "kinds")) {
                        return Err(format!(
                            "`match.kinds` has an entry with field {key}: entries take apiGroups and kinds"
                        ));
                    }
                }
                let kinds = strings(&item["kinds"], "kinds", "object kinds")?;
                if kinds.is_empty() {
                    return Err("`match.kinds` has an entry with no kinds".into());
                }
                let groups = match &item["apiGroups"] {
                    Value::Undefined | Value::Null => None,
                    // "" (the core group) is a group name here.
                    Value::Array(items) => Some(
                        items
                            .iter()
                            .map(|g| {
                                string(g).map(str::to_string).ok_or_else(|| {
                                    format!("`apiGroups` lists {g}, which is not an API group")
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                    _ => {
                        return Err(
                            "`apiGroups` must be a list of API groups, \"\" for the core group"
                                .into(),
                        )
                    }
                };
                out.push(KindMatch { groups, kinds });
            }
            other => return Err(format!("`match.kinds` lists {other}, which is not a kind")),
        }
    }
    if !names.is_empty() {
        out.push(KindMatch {
            groups: None,
            kinds: names,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    fn input(review: &str, facts: &str) -> Value {
        Value::from_json_str(&format!(r#"{{"review": {review}, "facts": {facts}}}"#)).unwrap()
    }

    fn aws_auth() -> Match {
        Match::from_metadata(&meta(
            r#"{"kinds": ["ConfigMap"], "match": {"namespaces": ["kube-system"], "names": ["aws-auth"]}}"#,
        ))
        .unwrap()
    }

    fn configmap(name: &str, namespace: Option<&str>) -> Value {
        let ns = namespace.map_or(String::new(), |n| format!(r#", "namespace": "{n}""#));
        input(
            &format!(
                r#"{{"operation": "CREATE", "object": {{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "{name}"{ns}}}}}, "oldObject": null}}"#
            ),
            "{}",
        )
    }

    #[test]
    fn aws_auth_rules_match_the_aws_auth_configmap_only() {
        let m = aws_auth();
        let hit = |v: &Value| m.matches(&Target::of(v));
        assert!(hit(&configmap("aws-auth", Some("kube-system"))));
        // A manifest with no namespace may be applied to kube-system.
        assert!(hit(&configmap("aws-auth", None)));
        assert!(!hit(&configmap("aws-auth", Some("default"))));
        assert!(!hit(&configmap("settings", Some("kube-system"))));
        assert!(!hit(&configmap("settings", None)));
    }

    #[test]
    fn api_groups_operations_and_facts_narrow_a_rule() {
        let m = Match::from_metadata(&meta(
            r#"{"match": {"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}], "operations": ["UPDATE", "DELETE"], "facts": ["change.webhookObject"]}}"#,
        ))
        .unwrap();
        let review = |api: &str, op: &str, facts: &str| {
            input(
                &format!(
                    r#"{{"operation": "{op}", "object": {{"apiVersion": "{api}", "kind": "Deployment"}}, "oldObject": null}}"#
                ),
                facts,
            )
        };
        let set = r#"{"change": {"webhookObject": "Deployment x/y"}}"#;
        assert!(m.matches(&Target::of(&review("apps/v1", "UPDATE", set))));
        assert!(!m.matches(&Target::of(&review("extensions/v1beta1", "UPDATE", set))));
        assert!(!m.matches(&Target::of(&review("apps/v1", "CREATE", set))));
        assert!(!m.matches(&Target::of(&review("apps/v1", "UPDATE", "{}"))));
        assert!(!m.matches(&Target::of(&review(
            "apps/v1",
            "UPDATE",
            r#"{"change": {"webhookObject": null}}"#
        ))));
    }

    #[test]
    fn only_the_requester_fields_the_light_change_fact_shares_are_matched_on_it() {
        let needs = |path: &str| {
            Match::from_metadata(&meta(&format!(r#"{{"match": {{"facts": ["{path}"]}}}}"#)))
                .unwrap()
                .fact_needs()
        };
        let change = Names::of("change");
        let light = (Names::NONE, change);
        let full = (change, Names::NONE);
        assert_eq!(needs("change.requester.products"), light);
        assert_eq!(needs("change.requester"), light);
        assert_eq!(needs("change.webhookObject"), light);
        // The light fact's requester has more fields than the whole fact's.
        assert_eq!(needs("change.requester.via"), full);
        assert_eq!(needs("change.requester.iamRole"), full);
        assert_eq!(needs("change.namespace"), full);
    }

    #[test]
    fn prefix_globs_and_the_old_object_count() {
        let m = Match::from_metadata(&meta(r#"{"match": {"namespaces": ["team-*"]}}"#)).unwrap();
        let deleted = input(
            r#"{"operation": "DELETE", "object": null, "oldObject": {"kind": "Secret", "metadata": {"name": "s", "namespace": "team-a"}}}"#,
            "{}",
        );
        assert!(m.matches(&Target::of(&deleted)));
        assert!(!m.matches(&Target::of(&configmap("c", Some("teams")))));
    }

    #[test]
    fn a_rule_without_match_applies_everywhere() {
        let m = Match::from_metadata(&meta("{}")).unwrap();
        assert!(m.matches(&Target::of(&configmap("c", None))));
        assert!(m.matches(&Target::of(&input("{}", "{}"))));
    }

    #[test]
    fn malformed_match_is_an_error_naming_the_problem() {
        for (json, expected) in [
            (r#"{"match": []}"#, "`match` must be an object"),
            (r#"{"match": {"kind": ["Pod"]}}"#, "unknown field `kind`"),
            (
                r#"{"match": {"operations": ["PATCH"]}}"#,
                "lists `PATCH`: operations are",
            ),
            (
                r#"{"kinds": ["Pod"], "match": {"kinds": ["Pod"]}}"#,
                "keep one",
            ),
            (r#"{"match": {"kinds": []}}"#, "`match.kinds` is empty"),
            (r#"{"match": {"names": [1]}}"#, "`names` lists 1"),
        ] {
            let err = Match::from_metadata(&meta(json)).unwrap_err();
            assert!(err.1.contains(expected), "{json}: {}", err.1);
        }
    }
}

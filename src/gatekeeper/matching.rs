//! `spec.match` of a Constraint, decided in Rust before any Rego runs, exactly as
//! Gatekeeper's `pkg/mutation/match` decides it: kinds (with API groups), scope,
//! namespaces and excludedNamespaces (`*` globs at either end), labelSelector,
//! namespaceSelector, name and source.

use std::collections::BTreeMap;

use regorus::Value;

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    pub labels: BTreeMap<String, String>,
    pub expressions: Vec<Expression>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    /// Whether `labels` satisfy every requirement (an empty selector matches all).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator {
                    Operator::In => value.is_some_and(|v| e.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !e.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

/// One entry of `spec.match.kinds`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kinds {
    pub api_groups: Vec<String>,
    pub kinds: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Any,
    Cluster,
    Namespaced,
}

/// `spec.match.source`: objects blastwall reviews are always `Original`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Original,
    Generated,
    All,
}

/// A Constraint's `spec.match`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Match {
    pub kinds: Vec<Kinds>,
    pub scope: Scope,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub label_selector: Option<Selector>,
    pub namespace_selector: Option<Selector>,
    pub name: Option<String>,
    pub source: Source,
}

/// The Namespace of the object under review, when known: its name and labels.
#[derive(Clone, Debug)]
pub struct NamespaceInfo<'a> {
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
}

/// Gatekeeper's `Wildcard.Matches`: `*x*` contains, `*x` suffix, `x*` prefix, else equal.
pub fn wildcard(pattern: &str, candidate: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) if pattern.len() >= 2 => {
            candidate.contains(rest.strip_suffix('*').unwrap_or(rest))
        }
        (Some(rest), _) => candidate.ends_with(rest),
        (None, Some(prefix)) => candidate.starts_with(prefix),
        (None, None) => pattern == candidate,
    }
}

/// `Wildcard.MatchesGenerateName`: only patterns ending in `*` match a generateName.
fn wildcard_generate_name(pattern: &str, candidate: &str) -> bool {
    if candidate.is_empty() {
        return false;
    }
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) if pattern.len() >= 2 => {
            candidate.contains(rest.strip_suffix('*').unwrap_or(rest))
        }
        (None, Some(prefix)) => candidate.starts_with(prefix),
        _ => false,
    }
}

fn text(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        _ => "",
    }
}

/// Labels of an object (`metadata.labels`), string values only.
pub fn labels_of(object: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Value::Object(map) = &object["metadata"]["labels"] {
        for (k, v) in map.iter() {
            if let (Value::String(k), Value::String(v)) = (k, v) {
                out.insert(k.to_string(), v.to_string());
            }
        }
    }
    out
}

/// `(group, kind)` of an object from its `apiVersion` and `kind`.
fn group_kind(object: &Value) -> (&str, &str) {
    let api_version = text(&object["apiVersion"]);
    let group = match api_version.rsplit_once('/') {
        Some((group, _)) => group,
        None => "",
    };
    (group, text(&object["kind"]))
}

fn is_namespace(object: &Value) -> bool {
    group_kind(object) == ("", "Namespace")
}

/// Why a match could not be decided (Gatekeeper fails the review then).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// A namespaceSelector on a namespaced object whose Namespace is unknown.
    UnknownNamespace(String),
}

impl Match {
    /// Whether `object` (the review's object or old object) matches, with `namespace`
    /// the object's Namespace when it is known.
    pub fn matches(
        &self,
        object: &Value,
        namespace: Option<&NamespaceInfo>,
    ) -> Result<bool, Undecided> {
        let (group, kind) = group_kind(object);
        let object_namespace = text(&object["metadata"]["namespace"]);
        let name = text(&object["metadata"]["name"]);
        let is_ns = is_namespace(object);

        // kinds
        if !self.kinds.is_empty()
            && !self.kinds.iter().any(|k| {
                let kind_ok = k.kinds.is_empty() || k.kinds.iter().any(|x| x == "*" || x == kind);
                let group_ok =
                    k.api_groups.is_empty() || k.api_groups.iter().any(|x| x == "*" || x == group);
                kind_ok && group_ok
            })
        {
            return Ok(false);
        }
        // scope
        let has_namespace = !object_namespace.is_empty() || namespace.is_some();
        match self.scope {
            Scope::Cluster if !is_ns && has_namespace => return Ok(false),
            Scope::Namespaced if is_ns || !has_namespace => return Ok(false),
            _ => {}
        }
        // namespaces, excludedNamespaces
        let target = if is_ns {
            Some(name)
        } else if let Some(ns) = namespace {
            Some(ns.name)
        } else if !object_namespace.is_empty() {
            Some(object_namespace)
        } else {
            None
        };
        if let Some(target) = target {
            if !self.namespaces.is_empty() && !self.namespaces.iter().any(|p| wildcard(p, target)) {
                return Ok(false);
            }
            if self.excluded_namespaces.iter().any(|p| wildcard(p, target)) {
                return Ok(false);
            }
        }
        // labelSelector
        if let Some(selector) = &self.label_selector {
            if !selector.matches(&labels_of(object)) {
                return Ok(false);
            }
        }
        // namespaceSelector
        if let Some(selector) = &self.namespace_selector {
            if is_ns {
                if !selector.matches(&labels_of(object)) {
                    return Ok(false);
                }
            } else if let Some(ns) = namespace {
                if !selector.matches(ns.labels) {
                    return Ok(false);
                }
            } else if !object_namespace.is_empty() {
                return Err(Undecided::UnknownNamespace(object_namespace.to_string()));
            }
        }
        // name
        if let Some(pattern) = &self.name {
            let generate = text(&object["metadata"]["generateName"]);
            if !wildcard(pattern, name) && !wildcard_generate_name(pattern, generate) {
                return Ok(false);
            }
        }
        // source: what blastwall reviews is never generated by expansion.
        Ok(self.source != Source::Generated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn wildcards_match_as_gatekeeper_does() {
        assert!(wildcard("kube-*", "kube-system"));
        assert!(!wildcard("kube-*", "default"));
        assert!(wildcard("*-system", "kube-system"));
        assert!(wildcard("*ube-sys*", "kube-system"));
        assert!(wildcard("default", "default"));
        assert!(!wildcard("default", "default2"));
        assert!(wildcard("*", "anything"));
    }

    #[test]
    fn kinds_need_kind_and_group() {
        let m = Match {
            kinds: vec![Kinds {
                api_groups: vec!["apps".into()],
                kinds: vec!["Deployment".into()],
            }],
            ..Match::default()
        };
        let deploy = obj(r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#);
        let ext = obj(
            r#"{"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"a"}}"#,
        );
        assert_eq!(m.matches(&deploy, None), Ok(true));
        assert_eq!(m.matches(&ext, None), Ok(false));
    }

    #[test]
    fn namespaces_and_exclusions_use_globs() {
        let m = Match {
            namespaces: vec!["payroll-*".into()],
            excluded_namespaces: vec!["*-test".into()],
            ..Match::default()
        };
        let pod = |ns: &str| {
            obj(&format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"a","namespace":"{ns}"}}}}"#
            ))
        };
        assert_eq!(m.matches(&pod("payroll-api"), None), Ok(true));
        assert_eq!(m.matches(&pod("payroll-test"), None), Ok(false));
        assert_eq!(m.matches(&pod("billing"), None), Ok(false));
        // A cluster-scoped object is not filtered by namespaces.
        let role = obj(
            r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"a"}}"#,
        );
        assert_eq!(m.matches(&role, None), Ok(true));
        // A Namespace is matched by its own name.
        let ns = obj(r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"billing"}}"#);
        assert_eq!(m.matches(&ns, None), Ok(false));
    }

    #[test]
    fn selectors_and_scope() {
        let selector = Selector {
            labels: [("team".to_string(), "a".to_string())].into(),
            expressions: vec![Expression {
                key: "tier".into(),
                operator: Operator::NotIn,
                values: vec!["dev".into()],
            }],
        };
        let m = Match {
            namespace_selector: Some(selector.clone()),
            scope: Scope::Namespaced,
            ..Match::default()
        };
        let pod =
            obj(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"n"}}"#);
        let labels: BTreeMap<String, String> = [("team".to_string(), "a".to_string())].into();
        let ns = NamespaceInfo {
            name: "n",
            labels: &labels,
        };
        assert_eq!(m.matches(&pod, Some(&ns)), Ok(true));
        let dev: BTreeMap<String, String> = [
            ("team".to_string(), "a".to_string()),
            ("tier".to_string(), "dev".to_string()),
        ]
        .into();
        let ns_dev = NamespaceInfo {
            name: "n",
            labels: &dev,
        };
        assert_eq!(m.matches(&pod, Some(&ns_dev)), Ok(false));
        assert_eq!(
            m.matches(&pod, None),
            Err(Undecided::UnknownNamespace("n".into()))
        );
        let role = obj(
            r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"a"}}"#,
        );
        assert_eq!(m.matches(&role, None), Ok(false));
    }

    #[test]
    fn names_match_name_or_generate_name() {
        let m = Match {
            name: Some("web-*".into()),
            ..Match::default()
        };
        let named = obj(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1"}}"#);
        let generated =
            obj(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-"}}"#);
        let other = obj(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api"}}"#);
        assert_eq!(m.matches(&named, None), Ok(true));
        assert_eq!(m.matches(&generated, None), Ok(true));
        assert_eq!(m.matches(&other, None), Ok(false));
    }
}

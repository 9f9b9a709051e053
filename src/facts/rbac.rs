//! `input.facts.rbac`: what a Role, ClusterRole, RoleBinding or ClusterRoleBinding
//! grants, computed once so that the RBAC rules judge grants instead of spelling.
//! Documented, with the source of every field, in `docs/facts.md`.
//!
//! A rule entry of a Role or ClusterRole is expanded into (API group, resource,
//! verb) triples: a `*` group stands for the groups that matter (the core group,
//! `apps`, `batch`, `rbac.authorization.k8s.io`) and `*` for every other group; a
//! `*` resource for the resources of each group that matter (Secrets, pods/exec, ...)
//! and `*` for the rest; a `*` verb for the standard verbs, the special verbs that
//! apply to the resource (escalate and bind on roles, impersonate on users, groups
//! and ServiceAccounts) and `*` for any other verb. The derived booleans
//! (`reachesSecrets`, `clusterAdmin`, ...) are read off those triples.
//!
//! A binding's role is resolved against the Roles and ClusterRoles of the same
//! input ([`Roles`], aggregated ClusterRoles included), so that a binding knows
//! whether what it grants amounts to cluster-admin.

use super::tenancy::obj;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use regorus::Value;

use crate::source::{Document, PathSeg, SourceFile};

pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
const AUTHN_GROUP: &str = "authentication.k8s.io";
const ADMISSION_GROUP: &str = "admissionregistration.k8s.io";
/// Admission webhooks: who writes these can stop admission control cluster-wide
/// (delete or narrow a validating webhook) or change every object created
/// (a mutating webhook of their own).
const ADMISSION_WEBHOOKS: &[&str] = &[
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
];
/// In-process admission policies and their bindings: the same, without a webhook.
const ADMISSION_POLICIES: &[&str] = &[
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];
/// Verbs that change admission configuration.
const ADMISSION_WRITE_VERBS: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "*",
];

/// What a `*` in apiGroups stands for: the groups that matter, and `*` for the rest.
const EVERY_GROUP: &[&str] = &["", "apps", "batch", RBAC_GROUP, "*"];

/// What a `*` in resources stands for, per group.
fn resources_of(group: &str) -> &'static [&'static str] {
    match group {
        "" => &[
            "secrets",
            "configmaps",
            "pods",
            "pods/exec",
            "pods/attach",
            "pods/portforward",
            "serviceaccounts",
            "serviceaccounts/token",
            "nodes",
            "nodes/proxy",
            "users",
            "groups",
            "*",
        ],
        "apps" => &[
            "deployments",
            "daemonsets",
            "statefulsets",
            "replicasets",
            "*",
        ],
        "batch" => &["jobs", "cronjobs", "*"],
        RBAC_GROUP => &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
        AUTHN_GROUP => &["uids", "userextras", "*"],
        ADMISSION_GROUP => &[
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
            "validatingadmissionpolicies",
            "validatingadmissionpolicybindings",
            "mutatingadmissionpolicies",
            "mutatingadmissionpolicybindings",
            "*",
        ],
        _ => &["*"],
    }
}

const STANDARD_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];
const READ_VERBS: &[&str] = &["get", "list", "watch"];
/// Holding all of these on every resource of every group is holding the cluster.
const ADMIN_WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete"];
const RBAC_WRITE_VERBS: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "*",
];
const POD_ACCESS: &[&str] = &["pods/exec", "pods/attach", "pods/portforward"];

/// The resource without its subresource: `userextras` of `userextras/scopes`.
fn base(resource: &str) -> &str {
    resource.split('/').next().unwrap_or(resource)
}

/// Whether `verb` means something on `resource` of `group`: escalate and bind on
/// roles and clusterroles, impersonate on users, groups, ServiceAccounts, uids and
/// userextras; every other verb anywhere.
fn applies(verb: &str, group: &str, resource: &str) -> bool {
    match verb {
        "escalate" | "bind" => group == RBAC_GROUP && matches!(resource, "roles" | "clusterroles"),
        "impersonate" => {
            (group.is_empty() && matches!(base(resource), "users" | "groups" | "serviceaccounts"))
                || (group == AUTHN_GROUP && matches!(base(resource), "uids" | "userextras"))
        }
        _ => true,
    }
}

/// The special verbs a `*` verb includes on `resource` of `group`.
fn special_verbs(group: &str, resource: &str) -> Vec<&'static str> {
    ["escalate", "bind", "impersonate"]
        .into_iter()
        .filter(|v| applies(v, group, resource))
        .collect()
}

/// A group of a Kubernetes distribution's own (no dot, or `*.k8s.io` /
/// `*.kubernetes.io`) rather than a custom resource's.
fn is_kubernetes_group(group: &str) -> bool {
    !group.contains('.')
        || group.ends_with(".k8s.io")
        || group.ends_with(".kubernetes.io")
        || group == "k8s.io"
}

/// How messages name a group.
fn group_name(group: &str) -> String {
    match group {
        "" => "the core group".to_string(),
        g => g.to_string(),
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One list field of a rule entry: each string with its position (others skipped).
fn strings(value: &Value) -> Vec<(usize, String)> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::String(s) => Some((i, s.to_string())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn values(items: &[(usize, String)]) -> Vec<&str> {
    items.iter().map(|(_, s)| s.as_str()).collect()
}

/// At most this many (group, resource, verb) triples are listed in the `grants` of
/// one object, and at most [`MAX_STEPS`] candidate triples are looked at to list
/// them: a role is untrusted input, and the cross product of its lists can be huge.
/// The derived facts never depend on the listed triples: each is decided by looking
/// up the few groups and resources it is about.
pub const MAX_GRANTS: usize = 4096;
const MAX_STEPS: usize = 200_000;
/// At most this many wildcards of one entry are listed (most significant first).
const MAX_WILDCARDS: usize = 16;

/// Deduplicated, in order of first appearance.
fn dedup<'a>(items: impl Iterator<Item = &'a str>) -> (Vec<String>, HashSet<String>) {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for item in items {
        if seen.insert(item.to_string()) {
            out.push(item.to_string());
        }
    }
    (out, seen)
}

/// One rule entry of a Role or ClusterRole, expanded.
#[derive(Clone, Debug)]
pub struct Entry {
    pub index: usize,
    api_groups: Vec<(usize, String)>,
    resources: Vec<(usize, String)>,
    verbs: Vec<(usize, String)>,
    resource_names: Vec<(usize, String)>,
    non_resource_urls: Vec<(usize, String)>,
    /// The groups granted: as written, or what `*` stands for.
    groups: Vec<String>,
    group_set: HashSet<String>,
    /// The resources and verbs written, other than `*`.
    named_resources: Vec<String>,
    resource_set: HashSet<String>,
    named_verbs: Vec<String>,
    verb_set: HashSet<String>,
    pub every_group: bool,
    pub every_resource: bool,
    pub every_verb: bool,
}

impl Entry {
    pub fn parse(index: usize, rule: &Value) -> Entry {
        let api_groups = strings(&rule["apiGroups"]);
        let resources = strings(&rule["resources"]);
        let verbs = strings(&rule["verbs"]);
        let every_group = api_groups.iter().any(|(_, g)| g == "*");
        let every_resource = resources.iter().any(|(_, r)| r == "*");
        let every_verb = verbs.iter().any(|(_, v)| v == "*");
        let expanded: &[&str] = if every_group { EVERY_GROUP } else { &[] };
        let (groups, group_set) = dedup(
            expanded.iter().copied().chain(
                api_groups
                    .iter()
                    .map(|(_, g)| g.as_str())
                    .filter(|g| *g != "*"),
            ),
        );
        let (named_resources, resource_set) = dedup(
            resources
                .iter()
                .map(|(_, r)| r.as_str())
                .filter(|r| *r != "*"),
        );
        let (named_verbs, verb_set) =
            dedup(verbs.iter().map(|(_, v)| v.as_str()).filter(|v| *v != "*"));
        Entry {
            index,
            resource_names: strings(&rule["resourceNames"]),
            non_resource_urls: strings(&rule["nonResourceURLs"]),
            api_groups,
            resources,
            verbs,
            groups,
            group_set,
            named_resources,
            resource_set,
            named_verbs,
            verb_set,
            every_group,
            every_resource,
            every_verb,
        }
    }

    /// Whether resource `r` of group `g` is granted (with some verb or other).
    fn has_resource(&self, g: &str, r: &str) -> bool {
        self.group_set.contains(g)
            && ((self.every_resource && resources_of(g).contains(&r))
                || self.resource_set.contains(r))
    }

    /// Whether some verb for which `vp` holds is granted on resource `r` of group `g`.
    fn grants_on(&self, g: &str, r: &str, vp: impl Fn(&str) -> bool) -> bool {
        if !self.has_resource(g, r) {
            return false;
        }
        if self.every_verb
            && STANDARD_VERBS
                .iter()
                .copied()
                .chain(special_verbs(g, r))
                .chain(["*"])
                .any(&vp)
        {
            return true;
        }
        self.named_verbs.iter().any(|v| vp(v) && applies(v, g, r))
    }

    /// Some resource at all, in some group.
    fn has_resources(&self) -> bool {
        !self.groups.is_empty() && (self.every_resource || !self.named_resources.is_empty())
    }

    /// Whether `verb` is granted where it applies.
    fn has_verb(&self, verb: &str) -> bool {
        let written = self.every_verb || self.verb_set.contains(verb);
        if !written || !self.has_resources() {
            return false;
        }
        // The verb is written: it is granted where some resource it applies to is.
        match verb {
            "escalate" | "bind" => ["roles", "clusterroles"]
                .iter()
                .any(|r| self.has_resource(RBAC_GROUP, r)),
            "impersonate" => ["", AUTHN_GROUP].iter().any(|g| {
                self.group_set.contains(*g)
                    && (self.every_resource
                        || self.named_resources.iter().any(|r| applies(verb, g, r)))
            }),
            _ => true,
        }
    }

    /// Whether it grants anything at all.
    fn grants_something(&self) -> bool {
        self.has_resources()
            && (self.every_verb || self.named_verbs.iter().any(|v| self.has_verb(v)))
    }

    fn named(&self) -> bool {
        !self.resource_names.is_empty()
    }

    pub fn reaches_secrets(&self) -> bool {
        self.reaches("secrets")
    }

    pub fn reaches_rbac(&self) -> bool {
        resources_of(RBAC_GROUP)
            .iter()
            .any(|r| self.grants_on(RBAC_GROUP, r, |v| RBAC_WRITE_VERBS.contains(&v)))
    }

    /// Whether it grants a verb on core `resource` that opens what the resource
    /// stands for: exec, attach, port-forward and token requests are `create`
    /// (Kubernetes 1.30 made websocket exec need `create`, not `get`); anything
    /// on Secrets and nodes/proxy (whose `get` reaches the kubelet's API).
    fn reaches(&self, resource: &str) -> bool {
        let opens_with_create =
            POD_ACCESS.contains(&resource) || resource == "serviceaccounts/token";
        self.grants_on("", resource, |v| {
            !opens_with_create || matches!(v, "create" | "*")
        })
    }

    /// The verbs as written (`*` included) that it grants on core secrets.
    fn secret_verbs(&self) -> Vec<String> {
        if !self.has_resource("", "secrets") {
            return Vec::new();
        }
        self.verbs_applied()
            .into_iter()
            .filter(|v| v == "*" || applies(v, "", "secrets"))
            .collect()
    }

    /// Only get, list and watch.
    pub fn read_only(&self) -> bool {
        self.grants_something()
            && !self.every_verb
            && self
                .named_verbs
                .iter()
                .all(|v| READ_VERBS.contains(&v.as_str()) || !self.has_verb(v))
    }

    /// Every group it names is a custom resource's.
    pub fn custom_groups_only(&self) -> bool {
        !self.every_group
            && !self.groups.is_empty()
            && self.groups.iter().all(|g| !is_kubernetes_group(g))
    }

    /// `*` groups and resources with `*` verbs or every write verb, for every name.
    pub fn cluster_admin(&self) -> bool {
        self.every_group
            && self.every_resource
            && !self.named()
            && (self.every_verb || ADMIN_WRITE_VERBS.iter().all(|v| self.verb_set.contains(*v)))
    }

    /// Whether it can update, patch or delete the aws-auth ConfigMap, given that the
    /// role reaches kube-system.
    fn writes_aws_auth(&self) -> bool {
        let names = values(&self.resource_names);
        (names.is_empty() || names.contains(&"aws-auth"))
            && self.grants_on("", "configmaps", |v| {
                matches!(v, "update" | "patch" | "delete")
            })
    }

    /// Whether it writes any of `resources` of admissionregistration.k8s.io, for
    /// every name (with resourceNames it manages named configurations, such as its
    /// own webhook's).
    fn writes_admission(&self, resources: &[&str]) -> bool {
        !self.named()
            && resources
                .iter()
                .any(|r| self.grants_on(ADMISSION_GROUP, r, |v| ADMISSION_WRITE_VERBS.contains(&v)))
    }

    /// The (group, resource, verb) triples, as long as `budget` lasts; false when
    /// they do not all fit.
    fn triples(&self, budget: &mut usize) -> (Vec<Value>, bool) {
        let mut out = Vec::new();
        let mut steps = 0usize;
        for g in &self.groups {
            let every: &[&str] = if self.every_resource {
                resources_of(g)
            } else {
                &[]
            };
            let named = self
                .named_resources
                .iter()
                .map(String::as_str)
                .filter(|r| !every.contains(r));
            for r in every.iter().copied().chain(named) {
                let star: Vec<&str> = match self.every_verb {
                    true => STANDARD_VERBS
                        .iter()
                        .copied()
                        .chain(special_verbs(g, r))
                        .chain(["*"])
                        .collect(),
                    false => Vec::new(),
                };
                let named = self
                    .named_verbs
                    .iter()
                    .map(String::as_str)
                    .filter(|v| !star.contains(v) && applies(v, g, r));
                for v in star.iter().copied().chain(named) {
                    steps += 1;
                    if *budget == 0 || steps > MAX_STEPS {
                        return (out, false);
                    }
                    *budget -= 1;
                    out.push(obj(vec![
                        ("group", Value::from(g.as_str())),
                        ("resource", Value::from(r)),
                        ("verb", Value::from(v)),
                    ]));
                }
                steps += 1;
                if steps > MAX_STEPS {
                    return (out, false);
                }
            }
        }
        (out, true)
    }

    /// The verbs as written that mean something on what it grants.
    fn verbs_applied(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut out: Vec<String> = Vec::new();
        for (_, v) in &self.verbs {
            if seen.insert(v.as_str()) && (v == "*" || self.has_verb(v)) {
                out.push(v.clone());
            }
        }
        out
    }

    /// The special verbs it grants where they apply.
    fn escalation_verbs(&self) -> Vec<String> {
        ["escalate", "bind", "impersonate"]
            .into_iter()
            .filter(|v| self.has_verb(v))
            .map(str::to_string)
            .collect()
    }

    /// What it grants, for messages: "get, list, watch on every resource of
    /// crd.projectcalico.org".
    pub fn grant_text(&self) -> String {
        let verbs = if self.every_verb {
            let special = self.escalation_verbs();
            match special.is_empty() {
                true => "every verb".to_string(),
                false => format!("every verb ({} included)", and_list(&special)),
            }
        } else {
            self.verbs_applied().join(", ")
        };
        let resources = if self.every_resource {
            "every resource".to_string()
        } else {
            let rs: Vec<String> = self.resources.iter().map(|(_, r)| r.clone()).collect();
            and_list(&rs)
        };
        let groups = if self.every_group {
            "every API group".to_string()
        } else {
            let named: Vec<String> = self.groups.iter().map(|g| group_name(g)).collect();
            and_list(&named)
        };
        let mut text = format!("{verbs} on {resources} of {groups}");
        if self.named() {
            let names: Vec<String> = self.resource_names.iter().map(|(_, n)| n.clone()).collect();
            text.push_str(&format!(" named {}", names.join(", ")));
        }
        text
    }

    /// The sensitive things it reaches, for messages.
    fn reach_list(&self, kube_system: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.reaches_secrets() {
            out.push("Secrets".to_string());
        }
        if self.reaches_rbac() {
            out.push("writes to RBAC roles and bindings".to_string());
        }
        for r in POD_ACCESS
            .iter()
            .chain(&["serviceaccounts/token", "nodes/proxy"])
        {
            if self.reaches(r) {
                out.push(r.to_string());
            }
        }
        let special = self.escalation_verbs();
        if !special.is_empty() {
            out.push(format!(
                "the verb{} {}",
                if special.len() > 1 { "s" } else { "" },
                and_list(&special)
            ));
        }
        if kube_system && self.writes_aws_auth() {
            out.push("writes to the aws-auth ConfigMap".to_string());
        }
        if self.writes_admission(ADMISSION_WEBHOOKS) {
            out.push("writes to admission webhook configurations".to_string());
        }
        if self.writes_admission(ADMISSION_POLICIES) {
            out.push("writes to admission policies".to_string());
        }
        out
    }

    /// Wildcards that widen the grant, most significant first: `*` in apiGroups,
    /// then resources (`*`, then `*/subresource`), then verbs.
    fn wildcards(&self) -> Vec<(&'static str, usize, String)> {
        let mut out = Vec::new();
        for (i, g) in &self.api_groups {
            if g == "*" {
                out.push(("apiGroups", *i, g.clone()));
            }
        }
        for (i, r) in &self.resources {
            if r == "*" {
                out.push(("resources", *i, r.clone()));
            }
        }
        for (i, r) in &self.resources {
            if r.starts_with("*/") {
                out.push(("resources", *i, r.clone()));
            }
        }
        for (i, v) in &self.verbs {
            if v == "*" {
                out.push(("verbs", *i, v.clone()));
            }
        }
        out
    }

    fn fact(&self, kube_system: bool, budget: &mut usize) -> Value {
        let path = vec![Value::from("rules"), Value::from(self.index)];
        let list = |items: &[(usize, String)]| {
            Value::from(
                items
                    .iter()
                    .map(|(_, s)| Value::from(s.as_str()))
                    .collect::<Vec<_>>(),
            )
        };
        let wildcards: Vec<Value> = if !self.grants_something() {
            Vec::new()
        } else {
            self.wildcards()
                .into_iter()
                .take(MAX_WILDCARDS)
                .map(|(field, i, value)| {
                    let mut p = path.clone();
                    p.push(Value::from(field));
                    p.push(Value::from(i));
                    obj(vec![
                        ("field", Value::from(field)),
                        ("index", Value::from(i)),
                        ("value", Value::from(value)),
                        ("path", Value::from(p)),
                    ])
                })
                .collect()
        };
        let (grants, complete) = self.triples(budget);
        let strs = |items: Vec<String>| {
            Value::from(items.into_iter().map(Value::from).collect::<Vec<_>>())
        };
        let reach = self.reach_list(kube_system);
        obj(vec![
            ("index", Value::from(self.index)),
            ("path", Value::from(path)),
            ("apiGroups", list(&self.api_groups)),
            ("resources", list(&self.resources)),
            ("verbs", list(&self.verbs)),
            ("resourceNames", list(&self.resource_names)),
            ("nonResourceURLs", list(&self.non_resource_urls)),
            ("wildcards", Value::from(wildcards)),
            ("groups", strs(self.groups.clone())),
            ("grants", Value::from(grants)),
            ("grantsComplete", Value::Bool(complete)),
            ("secretVerbs", strs(self.secret_verbs())),
            ("grant", Value::from(self.grant_text())),
            ("verbsApplied", strs(self.verbs_applied())),
            ("reachesSecrets", Value::Bool(self.reaches_secrets())),
            ("reachesRbac", Value::Bool(self.reaches_rbac())),
            (
                "reachesPodExec",
                Value::Bool(POD_ACCESS.iter().any(|r| self.reaches(r))),
            ),
            (
                "reachesServiceAccountToken",
                Value::Bool(self.reaches("serviceaccounts/token")),
            ),
            (
                "reachesNodesProxy",
                Value::Bool(self.reaches("nodes/proxy")),
            ),
            ("escalate", Value::Bool(self.has_verb("escalate"))),
            ("bind", Value::Bool(self.has_verb("bind"))),
            ("impersonate", Value::Bool(self.has_verb("impersonate"))),
            (
                "writesAwsAuth",
                Value::Bool(kube_system && self.writes_aws_auth()),
            ),
            (
                "writesAdmission",
                Value::Bool(
                    self.writes_admission(ADMISSION_WEBHOOKS)
                        || self.writes_admission(ADMISSION_POLICIES),
                ),
            ),
            ("readOnly", Value::Bool(self.read_only())),
            ("customGroupsOnly", Value::Bool(self.custom_groups_only())),
            (
                "everyGroup",
                Value::Bool(self.every_group && self.grants_something()),
            ),
            ("clusterAdmin", Value::Bool(self.cluster_admin())),
            ("sensitive", strs(reach)),
        ])
    }
}

fn string(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// Whether `object` is an RBAC object of `kinds`: by kind, in the RBAC API group
/// (or with no apiVersion at all).
fn is_rbac(object: &Value, kinds: &[&str]) -> bool {
    let Some(kind) = string(&object["kind"]) else {
        return false;
    };
    let group_ok = match &object["apiVersion"] {
        Value::Undefined | Value::Null => true,
        Value::String(v) => v.split_once('/').is_some_and(|(g, _)| g == RBAC_GROUP),
        _ => false,
    };
    group_ok && kinds.contains(&kind)
}

/// The namespace of a namespaced object: its own, else the request's.
fn namespace_of(review: &Value) -> Option<String> {
    let object = &review["object"];
    string(&object["metadata"]["namespace"])
        .or_else(|| string(&review["namespace"]))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// "ClusterRole admin" or "Role kube-system/deployer".
fn label(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match (kind.starts_with("Cluster"), namespace) {
        (false, Some(ns)) => format!("{kind} {ns}/{name}"),
        _ => format!("{kind} {name}"),
    }
}

/// A label selector of an aggregation rule.
#[derive(Clone, Debug, Default)]
struct Selector {
    labels: BTreeMap<String, String>,
    /// (key, operator, values)
    expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    fn parse(value: &Value) -> Selector {
        let mut s = Selector::default();
        if let Value::Object(map) = &value["matchLabels"] {
            for (k, v) in map.iter() {
                if let (Some(k), Some(v)) = (string(k), string(v)) {
                    s.labels.insert(k.to_string(), v.to_string());
                }
            }
        }
        if let Value::Array(items) = &value["matchExpressions"] {
            for e in items.iter() {
                let (Some(key), Some(op)) = (string(&e["key"]), string(&e["operator"])) else {
                    continue;
                };
                let vals = strings(&e["values"]).into_iter().map(|(_, v)| v).collect();
                s.expressions.push((key.to_string(), op.to_string(), vals));
            }
        }
        s
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self
                .expressions
                .iter()
                .all(|(k, op, vals)| match op.as_str() {
                    "In" => labels.get(k).is_some_and(|v| vals.contains(v)),
                    "NotIn" => labels.get(k).is_none_or(|v| !vals.contains(v)),
                    "Exists" => labels.contains_key(k),
                    "DoesNotExist" => !labels.contains_key(k),
                    _ => false,
                })
    }
}

/// A Role or ClusterRole of the input.
#[derive(Clone, Debug)]
struct RoleInfo {
    kind: String,
    namespace: String,
    name: String,
    labels: BTreeMap<String, String>,
    /// `file:line` of its name.
    defined_at: String,
    /// The first rule entry equivalent to cluster-admin, and what it grants.
    admin_rule: Option<(usize, String)>,
    /// The selectors of its aggregationRule, if it has one.
    aggregation: Option<Vec<Selector>>,
}

/// Where a role amounts to cluster-admin: the role and rule entry that grant it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminSource {
    pub role: String,
    /// The role itself, rather than a ClusterRole it aggregates.
    pub own: bool,
    pub rule: usize,
    pub grant: String,
    pub defined_at: String,
}

/// The Roles and ClusterRoles of a run's input, so that a binding in one document
/// knows what a role of another grants.
#[derive(Clone, Debug, Default)]
pub struct Roles {
    roles: HashMap<(String, String, String), RoleInfo>,
}

impl Roles {
    /// The roles among `docs`; `files` names where each is defined (empty: the
    /// document's position only).
    pub fn new(docs: &[Document], files: &[SourceFile]) -> Roles {
        let mut roles = Roles::default();
        for doc in docs {
            roles.add(&doc.value, || {
                let path = [PathSeg::Key("metadata".into()), PathSeg::Key("name".into())];
                let at = doc.spans.resolve(&path).node.label_range().start;
                match files.get(doc.file.0) {
                    Some(f) => format!("{}:{}", f.name, f.line_col(at).0),
                    None => format!("document {} of its file", doc.index + 1),
                }
            });
        }
        roles
    }

    /// Adds `object` if it is a Role or ClusterRole with a name, keeping only what
    /// the facts read: its name, labels (of a ClusterRole, for aggregation), first
    /// rule entry equivalent to cluster-admin and aggregation selectors.
    /// `defined_at` says where it is (`file:line`, or the audit's location).
    pub fn add(&mut self, object: &Value, defined_at: impl FnOnce() -> String) {
        let v = object;
        if !is_rbac(v, &["Role", "ClusterRole"]) {
            return;
        }
        let Some(name) = string(&v["metadata"]["name"]) else {
            return;
        };
        let kind = string(&v["kind"]).unwrap_or_default().to_string();
        let namespace = match kind.as_str() {
            "Role" => string(&v["metadata"]["namespace"]).unwrap_or_default(),
            _ => "",
        }
        .to_string();
        let mut labels = BTreeMap::new();
        if let ("ClusterRole", Value::Object(map)) = (kind.as_str(), &v["metadata"]["labels"]) {
            for (k, val) in map.iter() {
                if let (Some(k), Some(val)) = (string(k), string(val)) {
                    labels.insert(k.to_string(), val.to_string());
                }
            }
        }
        let admin_rule = admin_rule(v);
        let aggregation = match (&kind[..], &v["aggregationRule"]["clusterRoleSelectors"]) {
            ("ClusterRole", Value::Array(items)) => Some(
                items
                    .iter()
                    .filter(|s| matches!(s, Value::Object(_)))
                    .map(Selector::parse)
                    .collect(),
            ),
            _ => None,
        };
        let info = RoleInfo {
            kind: kind.clone(),
            namespace: namespace.clone(),
            name: name.to_string(),
            labels,
            defined_at: defined_at(),
            admin_rule,
            aggregation,
        };
        self.roles.insert((kind, namespace, name.to_string()), info);
    }

    /// How many roles are known.
    pub fn len(&self) -> usize {
        self.roles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }

    fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&RoleInfo> {
        let namespace = if kind == "Role" { namespace } else { "" };
        self.roles
            .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
    }

    /// The ClusterRoles an aggregated ClusterRole gathers, as far as the input shows.
    fn aggregated(&self, role: &RoleInfo) -> Vec<&RoleInfo> {
        let Some(selectors) = &role.aggregation else {
            return Vec::new();
        };
        let mut out: Vec<&RoleInfo> = self
            .roles
            .values()
            .filter(|r| r.kind == "ClusterRole" && r.name != role.name)
            .filter(|r| selectors.iter().any(|s| s.matches(&r.labels)))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Where the role amounts to cluster-admin, following aggregation.
    fn admin_source(&self, role: &RoleInfo, seen: &mut BTreeSet<String>) -> Option<AdminSource> {
        if !seen.insert(role.name.clone()) {
            return None;
        }
        if let Some((rule, grant)) = &role.admin_rule {
            return Some(AdminSource {
                own: seen.len() == 1,
                role: label(
                    &role.kind,
                    Some(&role.namespace)
                        .filter(|n| !n.is_empty())
                        .map(|s| s.as_str()),
                    &role.name,
                ),
                rule: *rule,
                grant: grant.clone(),
                defined_at: role.defined_at.clone(),
            });
        }
        self.aggregated(role)
            .into_iter()
            .find_map(|r| self.admin_source(r, seen))
    }
}

/// The first rule entry of a role equivalent to cluster-admin.
fn admin_rule(role: &Value) -> Option<(usize, String)> {
    let Value::Array(rules) = &role["rules"] else {
        return None;
    };
    rules.iter().enumerate().find_map(|(i, r)| {
        let entry = Entry::parse(i, r);
        entry.cluster_admin().then(|| (i, entry.grant_text()))
    })
}

/// `facts.rbac` for the review's object, or `None` when it is no RBAC object.
pub fn compute(review: &Value, roles: Option<&Roles>) -> Option<Value> {
    let object = &review["object"];
    if is_rbac(object, &["Role", "ClusterRole"]) {
        return Some(role_fact(review, roles));
    }
    if is_rbac(object, &["RoleBinding", "ClusterRoleBinding"]) {
        return Some(binding_fact(review, roles));
    }
    None
}

fn role_fact(review: &Value, roles: Option<&Roles>) -> Value {
    let object = &review["object"];
    let kind = string(&object["kind"]).unwrap_or_default();
    let name = string(&object["metadata"]["name"]).unwrap_or_default();
    let namespace = (kind == "Role").then(|| namespace_of(review)).flatten();
    let kube_system = kind == "ClusterRole" || namespace.as_deref() == Some("kube-system");
    let entries: Vec<Entry> = match &object["rules"] {
        Value::Array(rules) => rules
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Value::Object(_)))
            .map(|(i, r)| Entry::parse(i, r))
            .collect(),
        _ => Vec::new(),
    };
    let any = |f: &dyn Fn(&Entry) -> bool| Value::Bool(entries.iter().any(f));
    let mut fact = vec![
        ("kind", Value::from(kind)),
        ("name", Value::from(name)),
        (
            "label",
            Value::from(label(kind, namespace.as_deref(), name)),
        ),
        ("reachesKubeSystem", Value::Bool(kube_system)),
        (
            "wildcard",
            any(&|e| e.grants_something() && !e.wildcards().is_empty()),
        ),
        ("reachesSecrets", any(&|e| e.reaches_secrets())),
        (
            "escalationVerbs",
            any(&|e| !e.escalation_verbs().is_empty()),
        ),
        (
            "writesAwsAuth",
            any(&|e| kube_system && e.writes_aws_auth()),
        ),
        (
            "createsBindings",
            any(&|e| {
                ["rolebindings", "clusterrolebindings"]
                    .iter()
                    .any(|r| e.grants_on(RBAC_GROUP, r, |v| matches!(v, "create" | "*")))
            }),
        ),
        (
            "writesRoles",
            any(&|e| {
                ["roles", "clusterroles"].iter().any(|r| {
                    e.grants_on(RBAC_GROUP, r, |v| {
                        matches!(v, "create" | "update" | "patch" | "*")
                    })
                })
            }),
        ),
        ("rules", {
            let mut budget = MAX_GRANTS;
            Value::from(
                entries
                    .iter()
                    .map(|e| e.fact(kube_system, &mut budget))
                    .collect::<Vec<_>>(),
            )
        }),
    ];
    if let Some(ns) = &namespace {
        fact.push(("namespace", Value::from(ns.as_str())));
    }
    let mut admin = entries.iter().any(Entry::cluster_admin);
    if let (Some(roles), "ClusterRole") = (roles, kind) {
        if let Some(me) = roles.get(kind, "", name) {
            let aggregated: Vec<Value> = roles
                .aggregated(me)
                .into_iter()
                .map(|r| {
                    let source = roles.admin_source(r, &mut BTreeSet::from([name.to_string()]));
                    admin |= source.is_some();
                    obj(vec![
                        ("name", Value::from(r.name.as_str())),
                        ("definedAt", Value::from(r.defined_at.as_str())),
                        ("clusterAdmin", Value::Bool(source.is_some())),
                    ])
                })
                .collect();
            if !aggregated.is_empty() {
                fact.push(("aggregated", Value::from(aggregated)));
            }
        }
    }
    fact.push(("clusterAdmin", Value::Bool(admin)));
    obj(fact)
}

fn binding_fact(review: &Value, roles: Option<&Roles>) -> Value {
    let object = &review["object"];
    let kind = string(&object["kind"]).unwrap_or_default();
    let name = string(&object["metadata"]["name"]).unwrap_or_default();
    let namespace = (kind == "RoleBinding")
        .then(|| namespace_of(review))
        .flatten();
    let role_kind = string(&object["roleRef"]["kind"]).unwrap_or_default();
    let role_name = string(&object["roleRef"]["name"]).unwrap_or_default();
    let mut fact = vec![
        ("kind", Value::from(kind)),
        ("name", Value::from(name)),
        (
            "label",
            Value::from(label(kind, namespace.as_deref(), name)),
        ),
        (
            "roleRef",
            obj(vec![
                ("kind", Value::from(role_kind)),
                ("name", Value::from(role_name)),
            ]),
        ),
    ];
    if let Some(ns) = &namespace {
        fact.push(("namespace", Value::from(ns.as_str())));
    }
    let builtin = role_kind == "ClusterRole" && role_name == "cluster-admin";
    let defined = match (roles, role_kind) {
        (Some(roles), "Role" | "ClusterRole") if !builtin => roles.get(
            role_kind,
            namespace.as_deref().unwrap_or_default(),
            role_name,
        ),
        _ => None,
    };
    let source =
        defined.and_then(|r| roles.and_then(|all| all.admin_source(r, &mut BTreeSet::new())));
    if let Some(role) = defined {
        let mut role_fact = vec![
            ("definedAt", Value::from(role.defined_at.as_str())),
            ("clusterAdmin", Value::Bool(source.is_some())),
        ];
        if let Some(s) = &source {
            role_fact.push((
                "clusterAdminRule",
                obj(vec![
                    ("role", Value::from(s.role.as_str())),
                    ("own", Value::Bool(s.own)),
                    ("rule", Value::from(s.rule)),
                    ("grant", Value::from(s.grant.as_str())),
                    ("definedAt", Value::from(s.defined_at.as_str())),
                ]),
            ));
        }
        fact.push(("role", obj(role_fact)));
    }
    fact.push(("builtinClusterAdmin", Value::Bool(builtin)));
    fact.push(("clusterAdmin", Value::Bool(builtin || source.is_some())));
    obj(fact)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    fn role(rules: &str) -> Value {
        crate::review::create(json(&format!(
            r#"{{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {{"name": "r"}}, "rules": {rules}}}"#
        )))
    }

    fn entry(rule: &str) -> Value {
        compute(&role(&format!("[{rule}]")), None).unwrap()["rules"][0].clone()
    }

    fn grants(e: &Value) -> BTreeSet<(String, String, String)> {
        match &e["grants"] {
            Value::Array(items) => items
                .iter()
                .map(|t| {
                    let s = |k: &str| string(&t[k]).unwrap().to_string();
                    (s("group"), s("resource"), s("verb"))
                })
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    #[test]
    fn a_read_only_custom_group_wildcard_grants_that_group_only() {
        let e = entry(
            r#"{"apiGroups": ["crd.projectcalico.org"], "resources": ["*"], "verbs": ["get", "list", "watch"]}"#,
        );
        assert_eq!(
            e["grant"],
            Value::from("get, list, watch on every resource of crd.projectcalico.org")
        );
        for key in [
            "reachesSecrets",
            "reachesRbac",
            "reachesPodExec",
            "everyGroup",
            "clusterAdmin",
        ] {
            assert_eq!(e[key], Value::Bool(false), "{key}");
        }
        assert_eq!(e["readOnly"], Value::Bool(true));
        assert_eq!(e["customGroupsOnly"], Value::Bool(true));
        assert_eq!(grants(&e).len(), 3);
        assert_eq!(
            e["wildcards"][0]["path"],
            json(r#"["rules", 0, "resources", 0]"#)
        );
    }

    #[test]
    fn exec_and_token_requests_need_create_not_get() {
        // Argo CD's argocd-server: delete, get and patch on everything.
        let e = entry(
            r#"{"apiGroups": ["*"], "resources": ["*"], "verbs": ["delete", "get", "patch"]}"#,
        );
        assert_eq!(e["reachesPodExec"], Value::Bool(false));
        assert_eq!(e["reachesServiceAccountToken"], Value::Bool(false));
        assert_eq!(e["reachesNodesProxy"], Value::Bool(true));
        assert_eq!(e["reachesSecrets"], Value::Bool(true));
        let e = entry(r#"{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}"#);
        assert_eq!(e["reachesPodExec"], Value::Bool(true));
    }

    #[test]
    fn every_group_resource_and_verb_is_cluster_admin() {
        let e = entry(r#"{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}"#);
        assert_eq!(e["clusterAdmin"], Value::Bool(true));
        for key in [
            "reachesSecrets",
            "reachesRbac",
            "reachesPodExec",
            "reachesServiceAccountToken",
            "reachesNodesProxy",
            "escalate",
            "bind",
            "impersonate",
            "everyGroup",
        ] {
            assert_eq!(e[key], Value::Bool(true), "{key}");
        }
        assert_eq!(e["readOnly"], Value::Bool(false));
        assert_eq!(
            e["grant"],
            Value::from("every verb (escalate, bind and impersonate included) on every resource of every API group")
        );
        let paths: Vec<Value> = match &e["wildcards"] {
            Value::Array(w) => w.iter().map(|w| w["field"].clone()).collect(),
            _ => vec![],
        };
        assert_eq!(
            paths,
            vec![
                Value::from("apiGroups"),
                Value::from("resources"),
                Value::from("verbs")
            ]
        );
        let g = grants(&e);
        assert!(g.contains(&("".into(), "secrets".into(), "get".into())));
        assert!(g.contains(&(RBAC_GROUP.into(), "clusterroles".into(), "escalate".into())));
        assert!(!g.contains(&("apps".into(), "deployments".into(), "impersonate".into())));
    }

    #[test]
    fn every_write_verb_on_everything_is_cluster_admin_and_fewer_is_not() {
        let all = entry(
            r#"{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "delete", "update", "create", "patch", "watch"]}"#,
        );
        assert_eq!(all["clusterAdmin"], Value::Bool(true));
        let read = entry(r#"{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]}"#);
        assert_eq!(read["clusterAdmin"], Value::Bool(false));
        assert_eq!(read["reachesSecrets"], Value::Bool(true));
        assert_eq!(read["reachesRbac"], Value::Bool(false));
        let core = entry(r#"{"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}"#);
        assert_eq!(core["clusterAdmin"], Value::Bool(false));
        let named = entry(
            r#"{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"], "resourceNames": ["x"]}"#,
        );
        assert_eq!(named["clusterAdmin"], Value::Bool(false));
    }

    #[test]
    fn special_verbs_count_only_where_they_apply() {
        let crd = entry(r#"{"apiGroups": ["example.com"], "resources": ["*"], "verbs": ["*"]}"#);
        assert_eq!(
            crd["grant"],
            Value::from("every verb on every resource of example.com")
        );
        for key in ["escalate", "bind", "impersonate"] {
            assert_eq!(crd[key], Value::Bool(false), "{key}");
        }
        let written = entry(
            r#"{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "bind", "impersonate"]}"#,
        );
        assert_eq!(written["verbsApplied"], json(r#"["get"]"#));
        assert_eq!(
            written["grant"],
            Value::from("get on widgets of example.com")
        );
        let rbac = entry(
            r#"{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["bind"]}"#,
        );
        assert_eq!(rbac["bind"], Value::Bool(true));
        assert_eq!(rbac["reachesRbac"], Value::Bool(true));
    }

    #[test]
    fn aws_auth_writes_need_kube_system_and_the_name() {
        let cluster =
            entry(r#"{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}"#);
        assert_eq!(cluster["writesAwsAuth"], Value::Bool(true));
        let other = entry(
            r#"{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["coredns"], "verbs": ["patch"]}"#,
        );
        assert_eq!(other["writesAwsAuth"], Value::Bool(false));
        let ns = crate::review::create(json(
            r#"{"kind": "Role", "metadata": {"name": "r", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}]}"#,
        ));
        let fact = compute(&ns, None).unwrap();
        assert_eq!(fact["writesAwsAuth"], Value::Bool(false));
        assert_eq!(fact["label"], Value::from("Role shop/r"));
    }

    fn loaded(text: &str) -> crate::source::Loaded {
        crate::source::load::load_str(
            "roles.yaml",
            text.to_string(),
            &crate::source::Limits::default(),
        )
    }

    #[test]
    fn bindings_know_whether_their_role_amounts_to_cluster_admin() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: god\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agg\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {tier: top}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: part\n  labels: {tier: top}\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: [create, update, patch, delete]\n";
        let l = loaded(text);
        let roles = Roles::new(&l.documents, &l.files);
        let binding = |role: &str| {
            crate::review::create(json(&format!(
                r#"{{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {{"name": "b"}}, "roleRef": {{"kind": "ClusterRole", "name": "{role}"}}}}"#
            )))
        };
        let god = compute(&binding("god"), Some(&roles)).unwrap();
        assert_eq!(god["clusterAdmin"], Value::Bool(true));
        assert_eq!(god["role"]["definedAt"], Value::from("roles.yaml:4"));
        assert_eq!(god["role"]["clusterAdminRule"]["rule"], Value::from(0));
        let agg = compute(&binding("agg"), Some(&roles)).unwrap();
        assert_eq!(agg["clusterAdmin"], Value::Bool(true));
        assert_eq!(
            agg["role"]["clusterAdminRule"]["role"],
            Value::from("ClusterRole part")
        );
        let view = compute(&binding("view"), Some(&roles)).unwrap();
        assert_eq!(view["clusterAdmin"], Value::Bool(false));
        assert_eq!(view["role"], Value::Undefined);
        let builtin = compute(&binding("cluster-admin"), None).unwrap();
        assert_eq!(builtin["clusterAdmin"], Value::Bool(true));
        assert_eq!(builtin["builtinClusterAdmin"], Value::Bool(true));
        // The aggregated role's own fact lists what it gathers.
        let agg_role = crate::review::create(l.documents[1].value.clone());
        let fact = compute(&agg_role, Some(&roles)).unwrap();
        assert_eq!(fact["clusterAdmin"], Value::Bool(true));
        assert_eq!(fact["aggregated"][0]["name"], Value::from("part"));
    }

    #[test]
    fn a_huge_cross_product_is_judged_without_being_listed() {
        let many = |prefix: &str, n: usize| {
            let items: Vec<String> = (0..n).map(|i| format!("\"{prefix}{i}\"")).collect();
            items.join(", ")
        };
        let rule = format!(
            r#"{{"apiGroups": ["", {}], "resources": ["secrets", {}], "verbs": ["get", "bind", {}]}}"#,
            many("g", 3000),
            many("r", 3000),
            many("v", 3000)
        );
        let fact = compute(&role(&format!("[{rule}, {rule}]")), None).unwrap();
        let e = &fact["rules"][0];
        assert_eq!(e["reachesSecrets"], Value::Bool(true));
        assert_eq!(e["bind"], Value::Bool(false));
        assert_eq!(e["grantsComplete"], Value::Bool(false));
        assert_eq!(e["secretVerbs"].as_array().unwrap().len(), 3001);
        let listed = |e: &Value| e["grants"].as_array().unwrap().len();
        assert!(listed(e) + listed(&fact["rules"][1]) <= MAX_GRANTS);
    }

    #[test]
    fn aggregation_selectors_match_labels_and_expressions() {
        let selector = |json: &str| Selector::parse(&super::tests::json(json));
        let labels: BTreeMap<String, String> = [("tier".to_string(), "top".to_string())]
            .into_iter()
            .collect();
        assert!(selector(r#"{"matchLabels": {"tier": "top"}}"#).matches(&labels));
        assert!(!selector(r#"{"matchLabels": {"tier": "low"}}"#).matches(&labels));
        assert!(selector(
            r#"{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["top", "mid"]}]}"#
        )
        .matches(&labels));
        assert!(
            selector(r#"{"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}"#)
                .matches(&labels)
        );
        assert!(!selector(
            r#"{"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["top"]}]}"#
        )
        .matches(&labels));
        // An empty selector selects every ClusterRole, as the aggregation controller
        // reads it (metav1.LabelSelectorAsSelector).
        assert!(selector("{}").matches(&labels));
    }

    #[test]
    fn other_objects_have_no_fact() {
        let cm = crate::review::create(json(
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}"#,
        ));
        assert!(compute(&cm, None).is_none());
        let other_group = crate::review::create(json(
            r#"{"apiVersion": "example.com/v1", "kind": "Role", "metadata": {"name": "x"}}"#,
        ));
        assert!(compute(&other_group, None).is_none());
    }
}

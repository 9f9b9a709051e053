//! What one RBAC rule lets its holder do: matching a request against a rule
//! (wildcards included), which resources live in a namespace, and the strongest
//! action of a rule, with escalation paths named as such.

use serde::Serialize;

use super::model::Rule;

/// Resources that are not in any namespace. Anything else (CRDs included) is taken
/// as namespaced. `users`, `groups`, `uids` and `userextras` are what impersonation
/// names.
const CLUSTER_SCOPED: &[&str] = &[
    "apiservices",
    "certificatesigningrequests",
    "clusterrolebindings",
    "clusterroles",
    "componentstatuses",
    "csidrivers",
    "csinodes",
    "customresourcedefinitions",
    "flowschemas",
    "groups",
    "ingressclasses",
    "mutatingwebhookconfigurations",
    "namespaces",
    "nodes",
    "persistentvolumes",
    "priorityclasses",
    "prioritylevelconfigurations",
    "runtimeclasses",
    "selfsubjectaccessreviews",
    "selfsubjectreviews",
    "selfsubjectrulesreviews",
    "storageclasses",
    "subjectaccessreviews",
    "tokenreviews",
    "uids",
    "userextras",
    "users",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "validatingwebhookconfigurations",
    "volumeattachments",
];

/// Whether `resource` (`pods`, `pods/exec`) lives in a namespace.
pub fn namespaced(resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    base == "*" || CLUSTER_SCOPED.binary_search(&base).is_err()
}

/// Where a grant applies: inside one namespace (a RoleBinding, or a
/// ClusterRoleBinding's rules on namespaced resources) or to cluster-scoped resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Namespaced,
    ClusterScoped,
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// Whether a rule's resource entry covers `resource` (`*`, exact, `*/scale`).
fn resource_covers(entry: &str, resource: &str) -> bool {
    if entry == "*" || entry == resource {
        return true;
    }
    match (entry.strip_prefix("*/"), resource.split_once('/')) {
        (Some(sub), Some((_, rsub))) => sub == rsub,
        _ => false,
    }
}

/// Whether `rule` allows `verb` on `resource` in API group `group` (`None`: any).
pub fn allows(rule: &Rule, verb: &str, group: Option<&str>, resource: &str) -> bool {
    has(&rule.verbs, verb)
        && group.is_none_or(|g| has(&rule.api_groups, g))
        && rule.resources.iter().any(|r| resource_covers(r, resource))
}

/// Whether the rule names some resource in `scope` (a wildcard names both).
fn in_scope(resource: &str, scope: Scope) -> bool {
    resource == "*"
        || resource.starts_with("*/")
        || (namespaced(resource) == (scope == Scope::Namespaced))
}

/// A named escalation path: a grant that lets its holder gain more than it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Escalation {
    /// Every verb on every resource: cluster-admin where it applies.
    All,
    /// Act as other users, groups or ServiceAccounts.
    Impersonate,
    /// Write roles with permissions the holder lacks.
    Escalate,
    /// Bind any role to anyone.
    Bind,
    /// Create or change RoleBindings or ClusterRoleBindings.
    WriteBindings,
    /// Run commands in running containers.
    PodsExec,
    /// Create pods, which run as any ServiceAccount of the namespace.
    CreatePods,
    /// Mint tokens of ServiceAccounts.
    ServiceAccountToken,
    /// Read Secrets, ServiceAccount tokens among them.
    ReadSecrets,
}

impl Escalation {
    pub fn describe(self) -> &'static str {
        match self {
            Escalation::All => "every verb on every resource",
            Escalation::Impersonate => "acts as other users, groups or ServiceAccounts",
            Escalation::Escalate => "writes roles with permissions it does not hold",
            Escalation::Bind => "binds any role, cluster-admin included",
            Escalation::WriteBindings => "grants roles by writing bindings",
            Escalation::PodsExec => "runs commands inside running containers",
            Escalation::CreatePods => "runs pods as any ServiceAccount of the namespace",
            Escalation::ServiceAccountToken => "mints ServiceAccount tokens",
            Escalation::ReadSecrets => "reads Secrets, ServiceAccount tokens among them",
        }
    }
}

/// The strongest thing a rule allows in a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    /// Higher is stronger; only for ordering.
    #[serde(skip)]
    pub rank: u8,
    /// `create pods/exec`, `get secrets`, `* on *`.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
}

/// `(rank, verb, API group, resource, escalation)`, strongest first: the first one a
/// rule allows is its strongest action.
const PROBES: &[(u8, &str, &str, &str, Escalation)] = &[
    (95, "impersonate", "", "groups", Escalation::Impersonate),
    (95, "impersonate", "", "users", Escalation::Impersonate),
    (
        94,
        "impersonate",
        "",
        "serviceaccounts",
        Escalation::Impersonate,
    ),
    (94, "impersonate", "", "uids", Escalation::Impersonate),
    (
        94,
        "impersonate",
        "authentication.k8s.io",
        "userextras",
        Escalation::Impersonate,
    ),
    (
        93,
        "escalate",
        "rbac.authorization.k8s.io",
        "clusterroles",
        Escalation::Escalate,
    ),
    (
        93,
        "escalate",
        "rbac.authorization.k8s.io",
        "roles",
        Escalation::Escalate,
    ),
    (
        92,
        "bind",
        "rbac.authorization.k8s.io",
        "clusterroles",
        Escalation::Bind,
    ),
    (
        92,
        "bind",
        "rbac.authorization.k8s.io",
        "roles",
        Escalation::Bind,
    ),
    (
        90,
        "create",
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        Escalation::WriteBindings,
    ),
    (
        90,
        "update",
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        Escalation::WriteBindings,
    ),
    (
        90,
        "patch",
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        Escalation::WriteBindings,
    ),
    (
        89,
        "create",
        "rbac.authorization.k8s.io",
        "rolebindings",
        Escalation::WriteBindings,
    ),
    (
        89,
        "update",
        "rbac.authorization.k8s.io",
        "rolebindings",
        Escalation::WriteBindings,
    ),
    (
        89,
        "patch",
        "rbac.authorization.k8s.io",
        "rolebindings",
        Escalation::WriteBindings,
    ),
    (85, "create", "", "pods/exec", Escalation::PodsExec),
    (85, "create", "", "pods/attach", Escalation::PodsExec),
    (80, "create", "", "pods", Escalation::CreatePods),
    (
        78,
        "create",
        "",
        "serviceaccounts/token",
        Escalation::ServiceAccountToken,
    ),
    (75, "get", "", "secrets", Escalation::ReadSecrets),
    (75, "list", "", "secrets", Escalation::ReadSecrets),
    (75, "watch", "", "secrets", Escalation::ReadSecrets),
];

const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];
const READ_VERBS: &[&str] = &["get", "list", "watch"];

/// The strongest action `rule` allows in `scope`, `None` when it allows nothing
/// there (only non-resource URLs, or only resources of the other scope).
pub fn strongest(rule: &Rule, scope: Scope) -> Option<Action> {
    let resources: Vec<&String> = rule
        .resources
        .iter()
        .filter(|r| in_scope(r, scope))
        .collect();
    if resources.is_empty() || rule.verbs.is_empty() || rule.api_groups.is_empty() {
        return None;
    }
    let names = match rule.resource_names.is_empty() {
        true => String::new(),
        false => format!(" [{}]", rule.resource_names.join(", ")),
    };
    if has_exact(&rule.verbs, "*")
        && has_exact(&rule.resources, "*")
        && has_exact(&rule.api_groups, "*")
    {
        return Some(Action {
            rank: 100,
            label: format!("* on *{names}"),
            escalation: Some(Escalation::All),
        });
    }
    for (rank, verb, group, resource, escalation) in PROBES {
        if in_scope(resource, scope) && allows(rule, verb, Some(group), resource) {
            let verb = if has_exact(&rule.verbs, "*") {
                "*"
            } else {
                verb
            };
            return Some(Action {
                rank: *rank,
                label: format!("{verb} {resource}{names}"),
                escalation: Some(*escalation),
            });
        }
    }
    let first = resources[0];
    let (rank, verb) = if has_exact(&rule.verbs, "*") {
        (55, "*")
    } else if let Some(v) = WRITE_VERBS.iter().find(|v| has_exact(&rule.verbs, v)) {
        (50, *v)
    } else if let Some(v) = READ_VERBS.iter().find(|v| has_exact(&rule.verbs, v)) {
        (20, *v)
    } else {
        (30, rule.verbs[0].as_str())
    };
    let more = match resources.len() {
        1 => String::new(),
        n => format!(" (+{} more)", n - 1),
    };
    // Every resource of some API groups: name the groups (`* batch/*`).
    let first = match first.as_str() {
        "*" => rule
            .api_groups
            .iter()
            .map(|g| match g.as_str() {
                "" => "core/*".to_string(),
                g => format!("{g}/*"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        r => r.to_string(),
    };
    Some(Action {
        rank,
        label: format!("{verb} {first}{more}{names}"),
        escalation: None,
    })
}

fn has_exact(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == value)
}

/// Whether `rule` allows impersonating anything at all (a quick test before the
/// per-resource ones).
pub fn impersonates_any(rule: &Rule) -> bool {
    has(&rule.verbs, "impersonate")
}

/// Whether `rule` lets its holder impersonate `what` (`groups`, `users`,
/// `serviceaccounts`): `Some(names)` with the resourceNames it is limited to (empty:
/// any).
pub fn impersonates<'a>(rule: &'a Rule, what: &str) -> Option<&'a [String]> {
    allows(rule, "impersonate", Some(""), what).then_some(rule.resource_names.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            ..Rule::default()
        }
    }

    #[test]
    fn the_cluster_scoped_list_is_sorted_for_binary_search() {
        let mut sorted = CLUSTER_SCOPED.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, CLUSTER_SCOPED);
        assert!(namespaced("pods/exec"));
        assert!(!namespaced("nodes"));
        assert!(namespaced("widgets"));
    }

    #[test]
    fn wildcards_match_every_verb_resource_and_subresource() {
        let r = rule(&["*"], &["*"], &["*"]);
        assert!(allows(&r, "create", Some(""), "pods/exec"));
        let a = strongest(&r, Scope::Namespaced).unwrap();
        assert_eq!(a.label, "* on *");
        assert_eq!(a.escalation, Some(Escalation::All));
        let scale = rule(&["update"], &["apps"], &["*/scale"]);
        assert!(allows(&scale, "update", Some("apps"), "deployments/scale"));
        assert!(!allows(&scale, "update", Some("apps"), "deployments"));
    }

    #[test]
    fn escalation_paths_are_named_and_outrank_plain_writes() {
        let exec = rule(&["create", "get"], &[""], &["pods", "pods/exec"]);
        let a = strongest(&exec, Scope::Namespaced).unwrap();
        assert_eq!(a.label, "create pods/exec");
        assert_eq!(a.escalation, Some(Escalation::PodsExec));
        let secrets = rule(&["get"], &[""], &["secrets", "configmaps"]);
        assert_eq!(
            strongest(&secrets, Scope::Namespaced).unwrap().escalation,
            Some(Escalation::ReadSecrets)
        );
        let batch = rule(&["*"], &["batch"], &["*"]);
        assert_eq!(
            strongest(&batch, Scope::Namespaced).unwrap().label,
            "* batch/*"
        );
        let deploy = rule(&["get", "update"], &["apps"], &["deployments"]);
        let a = strongest(&deploy, Scope::Namespaced).unwrap();
        assert_eq!(
            (a.label.as_str(), a.escalation),
            ("update deployments", None)
        );
    }

    #[test]
    fn a_rule_grants_nothing_outside_its_scope() {
        let users = rule(&["impersonate"], &[""], &["users", "groups"]);
        assert_eq!(strongest(&users, Scope::Namespaced), None);
        let a = strongest(&users, Scope::ClusterScoped).unwrap();
        assert_eq!(a.label, "impersonate groups");
        let nodes = rule(&["get"], &[""], &["nodes"]);
        assert_eq!(strongest(&nodes, Scope::Namespaced), None);
    }
}

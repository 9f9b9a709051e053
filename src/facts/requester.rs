//! `facts.tenancy.requester`: who makes the request, from the review's `userInfo`.
//!
//! Three questions, answered once per review so rules only read the answers:
//!
//! - Is it the platform itself? EKS system identities (nodes, control-plane
//!   components, `kube-system` service accounts, EKS's own `eks:*` users) must keep
//!   the cluster running, so rules that judge a requester let them through.
//!   Membership of `system:masters` does not make a requester a system identity:
//!   it is an admin only if the config says so.
//! - Which products does it act for? Its groups and username (the config's `groups`
//!   and `users` globs), the IAM role EKS authenticated it with (`iamRoles`), and for
//!   a ServiceAccount the product that owns its namespace.
//! - Is it an admin? `admins.groups`, `admins.users`, `admins.iamRoles`.

use std::collections::BTreeMap;

use regorus::Value;

use super::roles;
use super::tenancy::{NamespaceLookup, Owner, Tenancy};

/// What kind of identity a requester is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    /// A kubelet: `system:node:<name>`, or a member of `system:nodes`.
    Node,
    /// A control-plane component: the controller manager, scheduler, API server, kube-proxy.
    Controller,
    /// EKS's own users: `eks:addon-manager`, `eks:node-manager`, ….
    Eks,
    /// `system:serviceaccount:<namespace>:<name>`.
    ServiceAccount,
    /// `system:anonymous`.
    Anonymous,
    /// Anyone else: people, pipelines, IAM roles mapped by aws-auth or access entries.
    User,
    /// No username at all (a review built from a file, with no requester).
    None,
}

impl Identity {
    pub fn as_str(self) -> &'static str {
        match self {
            Identity::Node => "node",
            Identity::Controller => "controller",
            Identity::Eks => "eks",
            Identity::ServiceAccount => "serviceaccount",
            Identity::Anonymous => "anonymous",
            Identity::User => "user",
            Identity::None => "none",
        }
    }
}

/// Control-plane users that authenticate with certificates of their own.
const CONTROL_PLANE_USERS: [&str; 4] = [
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:apiserver",
    "kube-apiserver",
];

/// The namespace whose service accounts run the cluster's own controllers and add-ons.
const SYSTEM_NAMESPACE: &str = "kube-system";

/// A requester's kind, whether it is a system identity, and for a ServiceAccount
/// its namespace and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified<'a> {
    pub identity: Identity,
    pub system: bool,
    pub service_account: Option<(&'a str, &'a str)>,
}

/// Classifies `username` with `groups` as EKS and Kubernetes name their identities.
pub fn classify<'a>(username: &'a str, groups: &[&str]) -> Classified<'a> {
    let plain = |identity, system| Classified {
        identity,
        system,
        service_account: None,
    };
    if let Some(rest) = username.strip_prefix("system:serviceaccount:") {
        if let Some((namespace, name)) = rest.split_once(':') {
            return Classified {
                identity: Identity::ServiceAccount,
                system: namespace == SYSTEM_NAMESPACE,
                service_account: Some((namespace, name)),
            };
        }
    }
    if username.starts_with("system:node:")
        || username == "system:kube-proxy"
        || groups.contains(&"system:nodes")
    {
        return plain(Identity::Node, true);
    }
    if CONTROL_PLANE_USERS.contains(&username) {
        return plain(Identity::Controller, true);
    }
    if username.len() > "eks:".len() && username.starts_with("eks:") {
        return plain(Identity::Eks, true);
    }
    if username == "system:anonymous" {
        return plain(Identity::Anonymous, false);
    }
    if username.is_empty() {
        return plain(Identity::None, false);
    }
    plain(Identity::User, false)
}

/// The IAM role EKS authenticated the requester with, from `userInfo.extra`:
/// `canonicalArn` when it names a role, else the role of the `arn` session.
pub fn iam_role(extra: &Value) -> Option<String> {
    ["canonicalArn", "arn"]
        .iter()
        .flat_map(|key| strings(super::field(extra, key)))
        .find_map(roles::role_of)
}

/// `extra` values are lists of strings; accept a lone string too.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_ref()],
        Value::Array(items) => items.iter().filter_map(string).collect(),
        _ => Vec::new(),
    }
}

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// The requester fact for `user_info`.
pub fn fact(tenancy: &Tenancy, lookup: Option<&dyn NamespaceLookup>, user_info: &Value) -> Value {
    let username = string(super::field(user_info, "username")).unwrap_or("");
    let groups: Vec<&str> = match super::field(user_info, "groups") {
        Value::Array(items) => items.iter().filter_map(string).collect(),
        _ => Vec::new(),
    };
    let who = classify(username, &groups);
    let role = iam_role(super::field(user_info, "extra"));

    // Product → the first reason found for it.
    let mut products: BTreeMap<String, String> = BTreeMap::new();
    // `what` is only written out for an owner found.
    let mut add = |owner: Option<Owner>, what: &dyn Fn() -> String| {
        if let Some(owner) = owner {
            products
                .entry(owner.product)
                .or_insert_with(|| format!("{} ({})", what(), owner.via));
        }
    };
    for group in &groups {
        add(tenancy.group_owner(group), &|| format!("group {group}"));
    }
    if !username.is_empty() {
        add(tenancy.user_owner(username), &|| format!("user {username}"));
    }
    if let Some(role) = &role {
        add(tenancy.role_owner(role), &|| format!("IAM role {role}"));
    }
    if let Some((namespace, _)) = who.service_account {
        add(tenancy.namespace_owner(namespace, None, lookup), &|| {
            format!("ServiceAccount namespace {namespace}")
        });
    }

    let admin = groups
        .iter()
        .find_map(|g| {
            tenancy
                .admin_group(g)
                .map(|via| format!("group {g} ({via})"))
        })
        .or_else(|| {
            tenancy
                .admin_user(username)
                .filter(|_| !username.is_empty())
                .map(|via| format!("user {username} ({via})"))
        })
        .or_else(|| {
            let role = role.as_deref()?;
            tenancy
                .admin_role(role)
                .map(|via| format!("IAM role {role} ({via})"))
        });

    // Each product's name is one value, in `products` and as its key in `via`.
    let via: Vec<(Value, Value)> = products
        .iter()
        .map(|(p, why)| (Value::from(p.as_str()), Value::from(why.as_str())))
        .collect();
    static REQUESTER: super::keys::Shape = super::keys::Shape::new(&[
        "username",
        "identity",
        "system",
        "products",
        "via",
        "admin",
        "adminVia",
        "iamRole",
        "serviceAccount",
    ]);
    static SERVICE_ACCOUNT: super::keys::Shape = super::keys::Shape::new(&["namespace", "name"]);
    let service_account = who.service_account.map(|(namespace, name)| {
        SERVICE_ACCOUNT.object([Some(Value::from(namespace)), Some(Value::from(name))])
    });
    // The review's own username string, shared rather than copied.
    let username_value = match super::field(user_info, "username") {
        v @ Value::String(_) => v.clone(),
        _ => super::keys::empty_string(),
    };
    REQUESTER.object([
        Some(username_value),
        Some(super::keys::key(who.identity.as_str())),
        Some(Value::Bool(who.system)),
        Some(match via.is_empty() {
            true => super::keys::empty_array(),
            false => Value::from(via.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()),
        }),
        Some(match via.is_empty() {
            true => super::keys::empty_object(),
            false => Value::object_from_entries(via),
        }),
        Some(Value::Bool(admin.is_some())),
        admin.map(Value::from),
        role.map(Value::from),
        service_account,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tenancy::{NamespaceLabels, PRODUCT_LABEL};

    fn tenancy() -> Tenancy {
        let text = "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll:\n    namespaces: [payroll-*]\n    groups: [\"payroll:*\"]\n    users: [payroll-ci]\n    iamRoles: [\"arn:aws:iam::111122223333:role/payroll-*\"]\n  billing:\n    namespaces: [billing]\n    groups: [\"billing:*\"]\n    iamRoles: [\"arn:aws:iam::111122223333:role/teams/billing-*\"]\nadmins:\n  groups: [\"sre:admins\"]\n  users: [break-glass]\n  iamRoles: [\"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_*\"]\n";
        Tenancy::new(crate::config::parse("c.yaml", text.to_string()).unwrap())
    }

    fn user_info(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    fn requester(json: &str) -> Value {
        fact(&tenancy(), None, &user_info(json))
    }

    fn kind(username: &str, groups: &[&str]) -> (&'static str, bool) {
        let c = classify(username, groups);
        (c.identity.as_str(), c.system)
    }

    #[test]
    fn eks_and_kubernetes_system_identities_are_recognised() {
        assert_eq!(
            kind(
                "system:node:ip-10-0-1-23.ap-northeast-1.compute.internal",
                &["system:nodes", "system:authenticated"]
            ),
            ("node", true)
        );
        assert_eq!(kind("fargate-profile", &["system:nodes"]), ("node", true));
        assert_eq!(kind("system:kube-proxy", &[]), ("node", true));
        for user in [
            "system:kube-controller-manager",
            "system:kube-scheduler",
            "system:apiserver",
            "kube-apiserver",
        ] {
            assert_eq!(
                kind(user, &["system:authenticated"]),
                ("controller", true),
                "{user}"
            );
        }
        for user in [
            "eks:addon-manager",
            "eks:node-manager",
            "eks:fargate-manager",
            "eks:certificate-controller",
            "eks:cloud-controller-manager",
        ] {
            assert_eq!(
                kind(user, &["system:authenticated"]),
                ("eks", true),
                "{user}"
            );
        }
        assert_eq!(
            kind(
                "system:serviceaccount:kube-system:replicaset-controller",
                &[
                    "system:serviceaccounts",
                    "system:serviceaccounts:kube-system"
                ]
            ),
            ("serviceaccount", true)
        );
    }

    #[test]
    fn people_product_service_accounts_and_masters_are_not_system() {
        assert_eq!(
            kind(
                "system:serviceaccount:payroll-api:deployer",
                &["system:serviceaccounts"]
            ),
            ("serviceaccount", false)
        );
        assert_eq!(
            kind(
                "kubernetes-admin",
                &["system:masters", "system:authenticated"]
            ),
            ("user", false)
        );
        assert_eq!(kind("eks:", &[]), ("user", false));
        assert_eq!(
            kind("system:anonymous", &["system:unauthenticated"]),
            ("anonymous", false)
        );
        assert_eq!(kind("", &[]), ("none", false));
        // A look-alike is not the kube-system namespace.
        assert_eq!(
            kind("system:serviceaccount:kube-system-x:ctl", &[]),
            ("serviceaccount", false)
        );
    }

    #[test]
    fn the_iam_role_comes_from_the_eks_extra_fields() {
        let r = requester(
            r#"{"username": "payroll-dev:alice", "groups": ["system:authenticated"],
                "extra": {"arn": ["arn:aws:sts::111122223333:assumed-role/payroll-dev/alice"],
                          "sessionName": ["alice"]}}"#,
        );
        assert_eq!(
            r["iamRole"],
            Value::from("arn:aws:iam::111122223333:role/payroll-dev")
        );
        assert_eq!(r["products"], Value::from(vec![Value::from("payroll")]));
        assert_eq!(
            r["via"]["payroll"],
            Value::from("IAM role arn:aws:iam::111122223333:role/payroll-dev (iamRoles: arn:aws:iam::111122223333:role/payroll-*)")
        );
        assert_eq!(r["identity"], Value::from("user"));
        assert_eq!(r["system"], Value::Bool(false));
        assert_eq!(r["admin"], Value::Bool(false));
    }

    #[test]
    fn canonical_arns_resolve_against_globs_written_with_paths() {
        // The canonical ARN carries no path; the config's billing glob has one.
        let r = requester(
            r#"{"username": "bob", "extra": {
                "arn": ["arn:aws:sts::111122223333:assumed-role/billing-operator/bob"],
                "canonicalArn": ["arn:aws:iam::111122223333:role/billing-operator"]}}"#,
        );
        assert_eq!(r["products"], Value::from(vec![Value::from("billing")]));
        // Access entries may report the role with its path.
        let r = requester(
            r#"{"username": "bob", "extra": {
                "canonicalArn": ["arn:aws:iam::111122223333:role/teams/billing-operator"]}}"#,
        );
        assert_eq!(
            r["iamRole"],
            Value::from("arn:aws:iam::111122223333:role/teams/billing-operator")
        );
        assert_eq!(r["products"], Value::from(vec![Value::from("billing")]));
    }

    #[test]
    fn an_sso_admin_role_makes_an_admin() {
        let r = requester(
            r#"{"username": "sso-admin:carol", "extra": {
                "arn": ["arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/carol@example.com"]}}"#,
        );
        assert_eq!(r["admin"], Value::Bool(true));
        assert_eq!(
            r["adminVia"],
            Value::from("IAM role arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef (admins.iamRoles: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_*)")
        );
        assert_eq!(r["products"], Value::from(Vec::<Value>::new()));
    }

    #[test]
    fn system_masters_alone_is_not_admin_and_not_system() {
        let r = requester(r#"{"username": "kubernetes-admin", "groups": ["system:masters"]}"#);
        assert_eq!(r["admin"], Value::Bool(false));
        assert_eq!(r["system"], Value::Bool(false));
        let r = requester(r#"{"username": "break-glass", "groups": ["system:masters"]}"#);
        assert_eq!(
            r["adminVia"],
            Value::from("user break-glass (admins.users: break-glass)")
        );
    }

    #[test]
    fn a_service_account_acts_for_the_product_owning_its_namespace() {
        let t = tenancy();
        let mut labels = NamespaceLabels::new();
        labels.insert(
            "ledger".into(),
            BTreeMap::from([(PRODUCT_LABEL.to_string(), "billing".to_string())]),
        );
        let r = fact(
            &t,
            Some(&labels),
            &user_info(
                r#"{"username": "system:serviceaccount:ledger:deployer", "groups": ["system:serviceaccounts", "system:serviceaccounts:ledger"]}"#,
            ),
        );
        assert_eq!(r["products"], Value::from(vec![Value::from("billing")]));
        assert_eq!(r["serviceAccount"]["namespace"], Value::from("ledger"));
        assert_eq!(r["serviceAccount"]["name"], Value::from("deployer"));
        assert_eq!(r["system"], Value::Bool(false));
        let r = fact(
            &t,
            Some(&labels),
            &user_info(r#"{"username": "system:serviceaccount:kube-system:aws-node"}"#),
        );
        assert_eq!(r["products"], Value::from(Vec::<Value>::new()));
        assert_eq!(r["system"], Value::Bool(true));
    }

    #[test]
    fn products_come_from_groups_and_username_too() {
        let r = requester(
            r#"{"username": "payroll-ci", "groups": ["billing:ops", "system:authenticated"]}"#,
        );
        assert_eq!(
            r["products"],
            Value::from(vec![Value::from("billing"), Value::from("payroll")])
        );
        assert_eq!(
            r["via"]["billing"],
            Value::from("group billing:ops (groups: billing:*)")
        );
        assert_eq!(
            r["via"]["payroll"],
            Value::from("user payroll-ci (users: payroll-ci)")
        );
    }

    #[test]
    fn odd_user_info_shapes_give_an_empty_requester() {
        for json in [
            r#"{}"#,
            r#"{"username": 7, "groups": "payroll:dev", "extra": {"arn": 1}}"#,
            r#"{"username": "x", "extra": {"arn": "arn:aws:sts::111122223333:assumed-role/payroll-dev/x"}}"#,
        ] {
            let r = requester(json);
            assert_eq!(r["system"], Value::Bool(false), "{json}");
            assert_eq!(r["admin"], Value::Bool(false), "{json}");
        }
        // A lone string in extra is read too.
        let r = requester(
            r#"{"username": "x", "extra": {"arn": "arn:aws:sts::111122223333:assumed-role/payroll-dev/x"}}"#,
        );
        assert_eq!(r["products"], Value::from(vec![Value::from("payroll")]));
    }
}

//! `input.facts.change` (and `input.facts.awsAuthOld`): what the change rules under
//! `rules/change/` need about a transition, computed here because it is awkward in
//! Rego. Shape (fields marked `?` may be absent):
//!
//! ```text
//! {
//!   "requester": {                  // always present, with or without a config
//!     "username": "alice", "identity": "user", "system": false,
//!     "admin": false,               // only a config makes anyone an admin
//!     "products": ["payroll"],      // only with a config
//!   },
//!   "webhookObject"?: "Deployment blastwall-system/blastwall-webhook",
//!   "namespace"?: {                 // a Namespace reviewed with both sides (UPDATE)
//!     "name", "oldLabel"?, "newLabel"?,  // blastwall.dev/product before and after
//!     "oldOwner"?: {"product", "via"}, "newOwner"?: {"product", "via"}   // with a config
//!   },
//!   "awsAuth"?: {                   // UPDATE of the aws-auth ConfigMap
//!     "sections": {"mapRoles": <section diff>, "mapUsers": …, "mapAccounts": …},
//!     "adminsBefore": ["role arn:… (admins.iamRoles: …)"], "adminsAfter": […]
//!   }
//! }
//! ```
//!
//! A section diff: `path` (`["data", "<section>"]`), `oldPresent` / `newPresent` (the
//! data key exists), `oldBroken` / `newBroken` (present but not readable: not a
//! string, a YAML error, or not a list; with `newError` saying why), `oldCount` /
//! `newCount` (distinct principals), and — only when neither side is broken —
//! `removed`, `added` (principals, compared by lowercased ARN or account as the
//! authenticator does; the last entry of a duplicated ARN wins) and `changed` (same
//! principal, other username or groups). A principal is `{"arn", "username"?,
//! "groups", "node", "admin"?, "path"}` with `path` into its own side's object;
//! `changed` items have `old`, `new`, `groupsAdded`, `groupsRemoved`.

use super::tenancy::{obj, str_list};
use std::collections::{BTreeMap, BTreeSet};

use regorus::Value;

use super::requester;
use super::tenancy::{Tenancy, PRODUCT_LABEL};
use super::Context;
use crate::awsauth::SECTIONS;
use crate::config::WebhookObjects;

/// Sections a principal can be in, and what keys them.
fn is_accounts(section: &str) -> bool {
    section == "mapAccounts"
}

/// `facts.change` for `review`. `requester` is the tenancy requester fact
/// (`facts.tenancy.requester`, with a config); `aws_auth` and `aws_auth_old` are
/// `facts.awsAuth` and `facts.awsAuthOld`.
pub fn compute(
    review: &Value,
    ctx: &Context,
    requester: Option<&Value>,
    aws_auth: Option<&Value>,
    aws_auth_old: Option<&Value>,
) -> Value {
    let tenancy = ctx.tenancy.as_deref();
    let mut out = light_entries(review, ctx, requester);
    let object = present(&review["object"]);
    let old = present(&review["oldObject"]);
    if let (Some(new), Some(old)) = (object, old) {
        if new["kind"] == Value::from("Namespace") {
            out.push(("namespace", namespace_fact(new, old, tenancy)));
        }
    }
    if let (Some(new), Some(old)) = (aws_auth, aws_auth_old) {
        out.push(("awsAuth", aws_auth_diff(old, new, tenancy)));
    }
    obj(out)
}

/// The fields of `facts.change` that [`light`] computes.
pub const LIGHT_FIELDS: [&str; 2] = ["requester", "webhookObject"];

/// The fields of `facts.change.requester` that matching reads of [`light`]'s fact
/// (`change.requester.<field>`; any other field is matched on the whole fact).
pub const LIGHT_REQUESTER_FIELDS: [&str; 5] =
    ["username", "identity", "system", "admin", "products"];

/// `requester` and `webhookObject` of [`compute`]'s fact, what rules match on, for
/// matching only: with a config its `requester` is the tenancy requester fact
/// itself, whose [`LIGHT_REQUESTER_FIELDS`] equal those of [`compute`]'s (it has
/// more fields, which matching does not read of this one).
pub fn light(review: &Value, ctx: &Context, requester: Option<&Value>) -> Value {
    // The tenancy requester fact always has the fields `requester_fact` takes
    // from it ([`requester::fact`]).
    let requester = match requester {
        Some(r) => {
            debug_assert!(complete(r), "{r}");
            r.clone()
        }
        None => requester_fact(review, None),
    };
    static LIGHT: super::keys::Shape = super::keys::Shape::new(&["requester", "webhookObject"]);
    LIGHT.object([Some(requester), webhook_object_of(review, ctx)])
}

/// Whether the tenancy requester fact `r` has what [`requester_fact`] takes from it.
fn complete(r: &Value) -> bool {
    let field = |k| super::field(r, k);
    matches!(
        (
            field("username"),
            field("identity"),
            field("system"),
            field("admin"),
            field("products")
        ),
        (
            Value::String(_),
            Value::String(_),
            Value::Bool(_),
            Value::Bool(_),
            Value::Array(_)
        )
    )
}

fn light_entries(
    review: &Value,
    ctx: &Context,
    requester: Option<&Value>,
) -> Vec<(&'static str, Value)> {
    let mut out = vec![("requester", requester_fact(review, requester))];
    if let Some(what) = webhook_object_of(review, ctx) {
        out.push(("webhookObject", what));
    }
    out
}

/// `webhookObject`: the blastwall webhook object the review changes, if any.
fn webhook_object_of(review: &Value, ctx: &Context) -> Option<Value> {
    let subject =
        present(super::field(review, "object")).or(present(super::field(review, "oldObject")));
    static DEFAULT: std::sync::OnceLock<WebhookObjects> = std::sync::OnceLock::new();
    let webhook = match &ctx.tenancy {
        Some(t) => &t.config().webhook,
        None => DEFAULT.get_or_init(WebhookObjects::default),
    };
    let what = subject.and_then(|o| webhook_object(o, webhook));
    what.map(Value::from)
}

fn present(v: &Value) -> Option<&Value> {
    match v {
        Value::Object(_) => Some(v),
        _ => None,
    }
}

/// The tenancy requester fact when a config is loaded; else what the userInfo alone says.
fn requester_fact(review: &Value, from_config: Option<&Value>) -> Value {
    // The tenancy requester fact has every field this one has, from the same
    // userInfo: its values are taken as they are.
    if let Some(r) = from_config {
        let field = |k| super::field(r, k);
        if let (Value::String(_), Value::String(_), Value::Bool(_)) =
            (field("username"), field("identity"), field("system"))
        {
            let products = match field("products") {
                v @ Value::Array(_) => v.clone(),
                _ => Value::from(Vec::<Value>::new()),
            };
            return REQUESTER.object([
                Some(field("username").clone()),
                Some(field("identity").clone()),
                Some(field("system").clone()),
                Some(Value::Bool(*field("admin") == Value::Bool(true))),
                Some(products),
            ]);
        }
    }
    let user_info = super::field(review, "userInfo");
    let username = string(super::field(user_info, "username")).unwrap_or("");
    let groups: Vec<&str> = match super::field(user_info, "groups") {
        Value::Array(items) => items.iter().filter_map(string).collect(),
        _ => Vec::new(),
    };
    let who = requester::classify(username, &groups);
    let products = match from_config.map(|r| super::field(r, "products")) {
        Some(v @ Value::Array(_)) => v.clone(),
        _ => Value::from(Vec::<Value>::new()),
    };
    let admin = from_config.is_some_and(|r| *super::field(r, "admin") == Value::Bool(true));
    REQUESTER.object([
        Some(Value::from(username)),
        Some(super::keys::key(who.identity.as_str())),
        Some(Value::Bool(who.system)),
        Some(Value::Bool(admin)),
        Some(products),
    ])
}

static REQUESTER: super::keys::Shape =
    super::keys::Shape::new(&["username", "identity", "system", "admin", "products"]);

/// `Deployment blastwall-system/blastwall-webhook` when `o` is one of the webhook's own objects.
fn webhook_object(o: &Value, w: &WebhookObjects) -> Option<String> {
    let kind = string(super::field(o, "kind"))?;
    // Most objects are of no kind the webhook's are: decided before any other lookup.
    if !matches!(
        kind,
        "ValidatingWebhookConfiguration" | "Deployment" | "ConfigMap"
    ) {
        return None;
    }
    let meta = super::field(o, "metadata");
    let name = string(super::field(meta, "name"))?;
    let namespace = string(super::field(meta, "namespace")).unwrap_or("");
    let group = string(super::field(o, "apiVersion"))
        .and_then(|v| v.split_once('/'))
        .map_or("", |(g, _)| g);
    let ours = match (group, kind) {
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
            name == w.validating_webhook_configuration
        }
        ("apps", "Deployment") => name == w.deployment && namespace == w.namespace,
        ("", "ConfigMap") => name == w.config_map && namespace == w.namespace,
        _ => false,
    };
    ours.then(|| match namespace {
        "" => format!("{kind} {name}"),
        ns => format!("{kind} {ns}/{name}"),
    })
}

fn namespace_fact(new: &Value, old: &Value, tenancy: Option<&Tenancy>) -> Value {
    let name = string(&new["metadata"]["name"]).unwrap_or("");
    let label = |o: &Value| string(&o["metadata"]["labels"][PRODUCT_LABEL]).map(str::to_string);
    let (old_label, new_label) = (label(old), label(new));
    let mut out = vec![("name", Value::from(name))];
    if let Some(l) = &old_label {
        out.push(("oldLabel", Value::from(l.as_str())));
    }
    if let Some(l) = &new_label {
        out.push(("newLabel", Value::from(l.as_str())));
    }
    if let Some(t) = tenancy {
        // No lookup: the cluster's cache still holds the old labels; each side is
        // decided by its own label, then by the config.
        for (key, l) in [("oldOwner", &old_label), ("newOwner", &new_label)] {
            if let Some(owner) = t.namespace_owner(name, l.as_deref(), None) {
                out.push((
                    key,
                    obj(vec![
                        ("product", Value::from(owner.product)),
                        ("via", Value::from(owner.via)),
                    ]),
                ));
            }
        }
    }
    obj(out)
}

/// One principal of one side: keyed by lowercased ARN (or the account).
struct Principal {
    arn: String,
    username: Option<String>,
    groups: Vec<String>,
    node: bool,
    path: Value,
}

impl Principal {
    fn to_value(&self, tenancy: Option<&Tenancy>) -> Value {
        let mut out = vec![
            ("arn", Value::from(self.arn.as_str())),
            ("groups", str_list(self.groups.iter())),
            ("node", Value::Bool(self.node)),
            ("path", self.path.clone()),
        ];
        if let Some(u) = &self.username {
            out.push(("username", Value::from(u.as_str())));
        }
        if let Some(via) = tenancy.and_then(|t| self.admin(t)) {
            out.push(("admin", Value::from(via)));
        }
        obj(out)
    }

    /// Why this principal is a configured admin, if it is.
    fn admin(&self, t: &Tenancy) -> Option<String> {
        t.admin_role(&self.arn)
            .map(|via| format!("{} ({via})", self.arn))
            .or_else(|| {
                self.groups.iter().find_map(|g| {
                    t.admin_group(g)
                        .map(|via| format!("{} via group {g} ({via})", self.arn))
                })
            })
            .or_else(|| {
                let u = self.username.as_deref().filter(|u| !u.is_empty())?;
                t.admin_user(u)
                    .map(|via| format!("{} as user {u} ({via})", self.arn))
            })
    }
}

/// The principals of one section fact, by key; the last entry of a key wins.
fn principals(section: &Value, name: &str) -> BTreeMap<String, Principal> {
    let mut out = BTreeMap::new();
    if is_accounts(name) {
        if let Value::Array(items) = &section["accounts"] {
            for a in items.iter() {
                let Some(account) = string(&a["value"]).filter(|s| !s.is_empty()) else {
                    continue;
                };
                out.insert(
                    account.to_string(),
                    Principal {
                        arn: account.to_string(),
                        username: None,
                        groups: Vec::new(),
                        node: false,
                        path: a["path"].clone(),
                    },
                );
            }
        }
        return out;
    }
    if let Value::Array(entries) = &section["entries"] {
        for e in entries.iter() {
            let Some(arn) = string(&e["arn"]).filter(|s| !s.is_empty()) else {
                continue;
            };
            let groups = match &e["groups"] {
                Value::Array(gs) => gs.iter().filter_map(string).map(str::to_string).collect(),
                _ => Vec::new(),
            };
            out.insert(
                arn.to_lowercase(),
                Principal {
                    arn: arn.to_string(),
                    username: string(&e["username"]).map(str::to_string),
                    groups,
                    node: e["node"] == Value::Bool(true),
                    path: e["path"].clone(),
                },
            );
        }
    }
    out
}

/// Present, but not something the authenticator can read.
fn broken(section: &Value) -> Option<Value> {
    if section["present"] != Value::Bool(true) {
        return None;
    }
    if section["type"] != Value::from("string") {
        let t = string(&section["type"]).unwrap_or("null");
        return Some(obj(vec![(
            "message",
            Value::from(format!("the value is a {t}, not a string")),
        )]));
    }
    if let Value::Object(_) = &section["parseError"] {
        return Some(section["parseError"].clone());
    }
    if let Some(t) = string(&section["notList"]) {
        return Some(obj(vec![(
            "message",
            Value::from(format!("it holds a {t}, not a list")),
        )]));
    }
    None
}

fn aws_auth_diff(old: &Value, new: &Value, tenancy: Option<&Tenancy>) -> Value {
    let mut sections = BTreeMap::new();
    let mut admins_before = BTreeSet::new();
    let mut admins_after = BTreeSet::new();
    for name in SECTIONS {
        let (o, n) = (&old["sections"][name], &new["sections"][name]);
        let (before, after) = (principals(o, name), principals(n, name));
        if let Some(t) = tenancy {
            admins_before.extend(before.values().filter_map(|p| p.admin(t)));
            admins_after.extend(after.values().filter_map(|p| p.admin(t)));
        }
        let (old_broken, new_broken) = (broken(o), broken(n));
        let comparable = old_broken.is_none() && new_broken.is_none();
        let mut fact = vec![
            ("path", n["path"].clone()),
            ("oldPresent", Value::Bool(o["present"] == Value::Bool(true))),
            ("newPresent", Value::Bool(n["present"] == Value::Bool(true))),
            ("oldBroken", Value::Bool(old_broken.is_some())),
            ("newBroken", Value::Bool(new_broken.is_some())),
            ("oldCount", Value::from(before.len())),
            ("newCount", Value::from(after.len())),
            (
                "oldNodes",
                Value::from(before.values().filter(|p| p.node).count()),
            ),
        ];
        if let Some(e) = new_broken {
            fact.push(("newError", e));
        }
        if comparable {
            let v = |p: &Principal| p.to_value(tenancy);
            let removed: Vec<Value> = before
                .iter()
                .filter(|(k, _)| !after.contains_key(*k))
                .map(|(_, p)| v(p))
                .collect();
            let added: Vec<Value> = after
                .iter()
                .filter(|(k, _)| !before.contains_key(*k))
                .map(|(_, p)| v(p))
                .collect();
            let changed: Vec<Value> = before
                .iter()
                .filter_map(|(k, b)| after.get(k).map(|a| (b, a)))
                .filter(|(b, a)| b.username != a.username || sorted(&b.groups) != sorted(&a.groups))
                .map(|(b, a)| {
                    let (bg, ag) = (sorted(&b.groups), sorted(&a.groups));
                    obj(vec![
                        ("arn", Value::from(a.arn.as_str())),
                        ("old", v(b)),
                        ("new", v(a)),
                        ("groupsAdded", str_list(ag.difference(&bg))),
                        ("groupsRemoved", str_list(bg.difference(&ag))),
                    ])
                })
                .collect();
            fact.extend([
                ("removed", Value::from(removed)),
                ("added", Value::from(added)),
                ("changed", Value::from(changed)),
            ]);
        }
        sections.insert(Value::from(name), obj(fact));
    }
    let list =
        |s: BTreeSet<String>| Value::from(s.into_iter().map(Value::from).collect::<Vec<_>>());
    obj(vec![
        ("sections", Value::from(sections)),
        ("adminsBefore", list(admins_before)),
        ("adminsAfter", list(admins_after)),
    ])
}

fn sorted(groups: &[String]) -> BTreeSet<&String> {
    groups.iter().collect()
}

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{build, Operation, Requester};
    use std::sync::Arc;

    const CONFIG: &str = "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll: {namespaces: [payroll-*], groups: [\"payroll:*\"]}\n  billing: {namespaces: [billing-*], groups: [\"billing:*\"]}\nadmins: {groups: [\"sre:admins\"], iamRoles: [\"arn:aws:iam::111122223333:role/sre-admin\"]}\nwebhook: {namespace: guard}\n";

    fn ctx() -> Context {
        let config = crate::config::parse("c.yaml", CONFIG.to_string()).unwrap();
        Context {
            tenancy: Some(Arc::new(Tenancy::new(config))),
            namespaces: None,
            gatekeeper: None,
            roles: None,
            access_run: None,
        }
    }

    fn aws_auth(map_roles: &str) -> Value {
        let object = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {"mapRoles": map_roles},
        });
        Value::from_json_str(&object.to_string()).unwrap()
    }

    fn change_of(op: Operation, new: Option<Value>, old: Option<Value>, ctx: &Context) -> Value {
        let requester = Requester {
            username: "alice".into(),
            groups: vec!["payroll:devs".into()],
        };
        let review = build(op, new, old, &requester);
        crate::facts::compute(&review, ctx)["change"].clone()
    }

    fn role(arn: &str, username: &str, groups: &str) -> String {
        format!("- rolearn: {arn}\n  username: {username}\n  groups: [{groups}]\n")
    }

    #[test]
    fn aws_auth_principals_are_compared_by_lowercased_arn_and_the_last_duplicate_wins() {
        let node = role(
            "arn:aws:iam::111122223333:role/eks-node",
            "system:node:{{EC2PrivateDNSName}}",
            "system:bootstrappers, system:nodes",
        );
        let dev = role("arn:aws:iam::111122223333:role/Dev", "dev", "payroll:devs");
        let old = aws_auth(&format!("{node}{dev}"));
        // Same principal in another case, mapped twice: the second mapping counts.
        let new = aws_auth(&format!(
            "{}{}",
            role("arn:aws:iam::111122223333:role/dev", "dev", "payroll:devs"),
            role(
                "arn:aws:iam::111122223333:role/DEV",
                "dev",
                "payroll:devs, payroll:ops"
            ),
        ));
        let fact = change_of(Operation::Update, Some(new), Some(old), &ctx());
        let s = &fact["awsAuth"]["sections"]["mapRoles"];
        assert_eq!(s["oldCount"], Value::from(2u64));
        assert_eq!(s["newCount"], Value::from(1u64));
        assert_eq!(s["oldNodes"], Value::from(1u64));
        assert_eq!(
            s["removed"][0]["arn"],
            Value::from("arn:aws:iam::111122223333:role/eks-node")
        );
        assert_eq!(s["removed"][0]["node"], Value::Bool(true));
        assert_eq!(s["added"], Value::from(Vec::<Value>::new()));
        let c = &s["changed"][0];
        assert_eq!(
            c["groupsAdded"],
            Value::from(vec![Value::from("payroll:ops")])
        );
        assert_eq!(c["groupsRemoved"], Value::from(Vec::<Value>::new()));
        assert_eq!(
            c["new"]["path"],
            Value::from(vec![
                Value::from("data"),
                Value::from("mapRoles"),
                Value::from(1u64)
            ])
        );
    }

    #[test]
    fn a_broken_side_gives_no_diff_but_says_why() {
        let dev = role("arn:aws:iam::111122223333:role/dev", "dev", "payroll:devs");
        let old = aws_auth(&dev);
        let new = aws_auth("- rolearn: x\n\tgroups: [a]\n");
        let fact = change_of(Operation::Update, Some(new), Some(old), &ctx());
        let s = &fact["awsAuth"]["sections"]["mapRoles"];
        assert_eq!(s["oldBroken"], Value::Bool(false));
        assert_eq!(s["newBroken"], Value::Bool(true));
        assert!(matches!(s["newError"]["message"], Value::String(_)));
        assert_eq!(s["removed"], Value::Undefined);
        // An absent section is empty, not broken.
        let users = &fact["awsAuth"]["sections"]["mapUsers"];
        assert_eq!(users["newBroken"], Value::Bool(false));
        assert_eq!(users["removed"], Value::from(Vec::<Value>::new()));
    }

    #[test]
    fn configured_admins_are_listed_before_and_after() {
        let admin = role(
            "arn:aws:iam::111122223333:role/sre-admin",
            "sre",
            "sre:admins",
        );
        let by_group = role(
            "arn:aws:iam::111122223333:role/oncall",
            "oncall",
            "sre:admins",
        );
        let old = aws_auth(&format!("{admin}{by_group}"));
        let new = aws_auth(&by_group);
        let fact = change_of(Operation::Update, Some(new), Some(old), &ctx());
        let a = &fact["awsAuth"];
        assert_eq!(
            a["adminsAfter"],
            Value::from(vec![Value::from(
                "arn:aws:iam::111122223333:role/oncall via group sre:admins (admins.groups: sre:admins)"
            )])
        );
        assert_eq!(a["adminsBefore"].as_array().unwrap().len(), 2);
        // Without a config nobody is an admin.
        let fact = change_of(
            Operation::Update,
            Some(aws_auth(&by_group)),
            Some(aws_auth(&admin)),
            &Context::default(),
        );
        assert_eq!(
            fact["awsAuth"]["adminsBefore"],
            Value::from(Vec::<Value>::new())
        );
    }

    #[test]
    fn the_webhooks_own_objects_follow_the_config() {
        let deployment = |ns: &str| {
            Value::from_json_str(&format!(
                r#"{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {{"name": "blastwall-webhook", "namespace": "{ns}"}}}}"#
            ))
            .unwrap()
        };
        let fact = change_of(Operation::Delete, None, Some(deployment("guard")), &ctx());
        assert_eq!(
            fact["webhookObject"],
            Value::from("Deployment guard/blastwall-webhook")
        );
        let fact = change_of(
            Operation::Delete,
            None,
            Some(deployment("blastwall-system")),
            &ctx(),
        );
        assert_eq!(fact["webhookObject"], Value::Undefined);
        // Without a config, the names of webhook/deploy/.
        let fact = change_of(
            Operation::Delete,
            None,
            Some(deployment("blastwall-system")),
            &Context::default(),
        );
        assert_eq!(
            fact["webhookObject"],
            Value::from("Deployment blastwall-system/blastwall-webhook")
        );
    }

    #[test]
    fn namespace_owners_before_and_after_come_from_each_sides_label() {
        let ns = |label: Option<&str>| {
            let labels = label.map_or(String::new(), |l| {
                format!(r#""labels": {{"blastwall.dev/product": "{l}"}}"#)
            });
            Value::from_json_str(&format!(
                r#"{{"apiVersion": "v1", "kind": "Namespace", "metadata": {{"name": "billing-jobs", {labels}}}}}"#
            ).replace(", }", "}"))
            .unwrap()
        };
        let fact = change_of(
            Operation::Update,
            Some(ns(None)),
            Some(ns(Some("payroll"))),
            &ctx(),
        );
        let n = &fact["namespace"];
        assert_eq!(n["oldLabel"], Value::from("payroll"));
        assert_eq!(n["newLabel"], Value::Undefined);
        assert_eq!(n["oldOwner"]["product"], Value::from("payroll"));
        assert_eq!(n["newOwner"]["product"], Value::from("billing"));
        assert_eq!(n["newOwner"]["via"], Value::from("namespaces: billing-*"));
    }

    #[test]
    fn the_requester_is_classified_with_or_without_a_config() {
        let cm = Value::from_json_str(
            r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "payroll-a"}}"#,
        )
        .unwrap();
        let r = &change_of(Operation::Create, Some(cm.clone()), None, &ctx())["requester"];
        assert_eq!(r["products"], Value::from(vec![Value::from("payroll")]));
        assert_eq!(r["admin"], Value::Bool(false));
        assert_eq!(r["system"], Value::Bool(false));
        let review = build(
            Operation::Create,
            Some(cm),
            None,
            &Requester {
                username: "eks:node-manager".into(),
                groups: vec![],
            },
        );
        let r = &crate::facts::compute(&review, &Context::default())["change"]["requester"];
        assert_eq!(r["system"], Value::Bool(true));
        assert_eq!(r["identity"], Value::from("eks"));
        assert_eq!(r["products"], Value::from(Vec::<Value>::new()));
    }
}

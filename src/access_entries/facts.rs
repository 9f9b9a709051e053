//! `input.facts.accessConfig`: the access model of the reviewed document, with what
//! rules judge already derived, so each rule is one or two conditions. Present when
//! the object is in one of the formats of [`super`]. Every `…Path` is a path into
//! the reviewed document (`input.review.object`); fields marked `?` may be absent.
//!
//! ```text
//! {
//!   "format": "eksctl" | "ack" | "crossplane" | "cloudformation" | "terraform-plan" | "terraform" | "eks-api",
//!   "policiesKnownAsOf": "2026-08",        // date of the list of known access policies
//!   "clusters": [{
//!     "path", "name"?, "namePath"?,
//!     "authenticationMode"?: "API",        // as written, else the format's default;
//!                                          // absent when unknown (an expression)
//!     "authenticationModeWritten": bool, "authenticationModePath",
//!     "bootstrapClusterCreatorAdminPermissions"?: bool,   // effective, like the mode
//!     "bootstrapWritten": bool, "bootstrapPath",
//!     "unknown": {"<field>": "<expression>"},
//!     "nodeRolesMissing"?: [{"role", "via"}]   // with a config: its node roles without an
//!                                            // entry (eksctl, API mode, the config's cluster)
//!   }],
//!   "entries": [{
//!     "path", "who",                       // "role arn:… (aws_eks_access_entry.ci)", for messages
//!     "address"?,                          // Terraform address / CloudFormation logical id
//!     "cluster"?, "clusterPath"?,
//!     "clusterMode"?, "clusterModePath"?,  // the effective mode of its cluster, when in the same document
//!     "clusterModeAt"?,                    // lint: "file:line:col" of the mode when another document
//!                                          // of the run declares the cluster (then no clusterModePath)
//!     "duplicateElsewhere"?: {"who", "at"},  // lint: an earlier entry of the same principal and
//!                                          // cluster in another document of the run
//!     "principalArn"?, "principalArnPath"?,
//!     "principal"?: {"kind": "role"|"user"|"assumed-role"|"service-linked-role"|"root"|"invalid",
//!                    "account", "path", "name", "ssoWithoutPath": bool},
//!     "type", "typePath", "typeWritten": bool,   // "STANDARD" when not written
//!     "typeProblem"?: "case" | "unknown",        // a type EKS rejects
//!     "nodeType": bool,                          // EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, HYPERPOD_LINUX, EC2
//!     "policiesAllowed": bool,                   // STANDARD and EC2 only
//!     "username"?, "usernamePath"?, "usernameReservedPrefix"?, "sessionNameWithoutColon": bool,
//!     "staticUsername": bool,                    // a role's username without {{SessionName}}
//!     "groupsPath"?, "groups": [{"value", "path", "reserved": bool,
//!                                "owner"?: {"product","via"}, "admin"?: "<via>"}],
//!     "policies": [{"path", "address"?, "arn"?, "arnPath"?, "name"?, "known": bool,
//!                   "adminGrade": bool,          // ClusterAdmin; Admin, AdminView, Secret* at cluster scope
//!                   "adminGradePath",            // the policy (ClusterAdmin) or its cluster scope
//!                   "scope": {"path", "type"?, "typePath"?, "problem"?: "cluster-with-namespaces" |
//!                             "namespace-without-namespaces" | "unknown-type" | "missing",
//!                             "problemPath"?,    // the field at fault
//!                             "namespaces": [{"value", "path", "reaches": [{"product"?, "shared": bool, "via"}],
//!                                             "outsideProduct"?: "<product>"}]},
//!                   "widened": [{"what", "path"}]}],
//!     "associationOnly": bool,             // a policy association whose entry is declared elsewhere
//!     "duplicateOf"?: {"path", "who"},     // an earlier entry of the same principal and cluster
//!     "unknown": {"<field>": "<expression>"},    // values known only at apply
//!     "unknownKeys": [{"key", "path"}],    // keys the format does not know (dropped)
//!     "widened": [{"what", "path"}],       // a plan's change that adds rights
//!     "tenancy"?: {                        // with a config
//!       "product"?: {"product","via"}, "admin"?: "<via>", "nodeRole"?: "<via>",
//!       "declared": bool, "clusterProduct"?: {"product","via"}
//!     }
//!   }],
//!   "identityMappings": [{                 // eksctl iamIdentityMappings (aws-auth)
//!     "path", "arn"?, "groups": [..], "groupsPath"?,
//!     "ignored": bool,                     // the cluster's mode is API: aws-auth is not read
//!     "shadowedBy"?: {"path", "groups"}    // an access entry of the same principal with other groups
//!     "shadowedElsewhere"?: {"who", "at", "groups"}   // lint: the same, in another document
//!   }]
//! }
//! ```

use std::collections::BTreeMap;

use regorus::Value;

use super::principal::{Kind, Principal};
use super::run::{DocKey, RunIndex};
use super::{policies, Cluster, Entry, Field, FieldList, Model, Path, Policy, Val};
use crate::config::glob::{Alphabet, Glob};
use crate::facts::tenancy::{str_list, Tenancy};

pub(crate) fn obj(entries: Vec<(&str, Value)>) -> Value {
    crate::facts::tenancy::obj(entries)
}

/// The types EKS knows, in the case it wants them.
pub const TYPES: [&str; 7] = [
    "STANDARD",
    "EC2",
    "EC2_LINUX",
    "EC2_WINDOWS",
    "FARGATE_LINUX",
    "HYBRID_LINUX",
    "HYPERPOD_LINUX",
];

/// Types that take no username, groups or policies (EC2, Auto Mode, takes policies).
pub(super) const NODE_TYPES: [&str; 6] = [
    "EC2",
    "EC2_LINUX",
    "EC2_WINDOWS",
    "FARGATE_LINUX",
    "HYBRID_LINUX",
    "HYPERPOD_LINUX",
];

/// Username prefixes EKS rejects.
pub const RESERVED_PREFIXES: [&str; 5] = ["system:", "eks:", "aws:", "amazon:", "iam:"];

/// Namespaces of Kubernetes and EKS themselves, judged shared without a config.
const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

fn path_value(path: &Path) -> Value {
    Value::from(path.clone())
}

/// `input.facts.accessConfig` of `object`, if it is in a format read here.
/// `tenancy` adds the per-entry ownership facts.
pub fn facts(object: &Value, tenancy: Option<&Tenancy>) -> Option<Value> {
    let model = super::read(object)?;
    Some(to_value(&model, tenancy))
}

/// The facts of a review: `accessConfig` of its object, with what widens compared
/// with its old object, and `accessConfigChange` when there is an old object in the
/// same format ([`super::change`]).
pub fn for_review(
    review: &Value,
    tenancy: Option<&Tenancy>,
    elsewhere: Option<(&RunIndex, DocKey)>,
) -> (Option<Value>, Option<Value>) {
    let mut new = super::read(&review["object"]);
    let old = super::read(&review["oldObject"])
        .filter(|o| new.as_ref().is_none_or(|n| n.format == o.format));
    if let (Some(n), Some(o)) = (new.as_mut(), old.as_ref()) {
        // A plan carries its own before and after.
        if n.format != super::Format::TerraformPlan {
            super::change::widen(n, o);
        }
    }
    let change = old
        .as_ref()
        .map(|o| super::change::fact(new.as_ref(), o, tenancy));
    let value = new.map(|m| {
        let mut v = to_value(&m, tenancy);
        if let Some((index, doc)) = elsewhere {
            add_elsewhere(&mut v, &m, index, doc);
        }
        v
    });
    (value, change)
}

/// What other documents of the run declare about each entry's cluster and
/// principal: an earlier entry of the same principal (`duplicateElsewhere`), and the
/// cluster's mode when this document does not declare the cluster (`clusterMode`,
/// `clusterModeAt`; no `clusterModePath`, as the mode is not in this document).
fn add_elsewhere(v: &mut Value, model: &Model, index: &RunIndex, doc: DocKey) {
    let Ok(map) = v.as_object_mut() else { return };
    // eksctl's aws-auth mappings, against the entries of other documents.
    let cluster = model
        .clusters
        .first()
        .and_then(|c| c.name.as_ref())
        .and_then(Field::known);
    if let (Some(cluster), Some(Ok(mappings))) = (
        cluster,
        map.get_mut(&Value::from("identityMappings"))
            .map(|m| m.as_array_mut()),
    ) {
        for (m, value) in model.mappings.iter().zip(mappings.iter_mut()) {
            let Some(arn) = m.arn.as_ref().and_then(Field::known) else {
                continue;
            };
            let Some((first, mut theirs)) = index.entry_elsewhere(doc, cluster, arn) else {
                continue;
            };
            let mut mine: Vec<String> = list_items(&m.groups)
                .filter_map(|f| f.known().cloned())
                .collect();
            mine.sort();
            theirs.sort();
            let Ok(fact) = value.as_object_mut() else {
                continue;
            };
            if mine != theirs && !fact.contains_key(&Value::from("shadowedBy")) {
                fact.insert(
                    Value::from("shadowedElsewhere"),
                    obj(vec![
                        ("who", Value::from(first.who)),
                        ("at", Value::from(first.at)),
                        ("groups", str_list(theirs.iter())),
                    ]),
                );
            }
        }
    }
    let Some(Ok(entries)) = map
        .get_mut(&Value::from("entries"))
        .map(|e| e.as_array_mut())
    else {
        return;
    };
    for (e, value) in model.entries.iter().zip(entries.iter_mut()) {
        let Some(cluster) = index.cluster_of(doc, model, e) else {
            continue;
        };
        let Ok(fact) = value.as_object_mut() else {
            continue;
        };
        let arn = e.principal.as_ref().and_then(Field::known);
        // EKS API output is the live state of entries declared elsewhere, not a
        // second declaration.
        let declared = model.format != super::Format::EksApi;
        if let (true, false, Some(arn)) = (declared, e.association_only, arn) {
            if let Some(first) = index.duplicate(doc, &cluster, arn) {
                fact.insert(
                    Value::from("duplicateElsewhere"),
                    obj(vec![
                        ("who", Value::from(first.who)),
                        ("at", Value::from(first.at)),
                    ]),
                );
            }
        }
        if e.cluster_index.is_none() && !fact.contains_key(&Value::from("clusterMode")) {
            if let Some(mode) = index.mode(doc, &cluster) {
                fact.insert(Value::from("clusterMode"), Value::from(mode.mode));
                fact.insert(Value::from("clusterModeAt"), Value::from(mode.at));
            }
        }
    }
}

/// The facts of a model already read.
pub fn to_value(model: &Model, tenancy: Option<&Tenancy>) -> Value {
    let clusters: Vec<Value> = model
        .clusters
        .iter()
        .map(|c| {
            let mut v = cluster_value(c, model.format);
            if let (Some(t), Ok(map)) = (tenancy, v.as_object_mut()) {
                map.insert(
                    Value::from("nodeRolesMissing"),
                    Value::from(node_roles_missing(model, c, t)),
                );
            }
            v
        })
        .collect();
    let mut entries: Vec<Value> = Vec::with_capacity(model.entries.len());
    let mut seen: Vec<(Option<String>, String, Value, String)> = Vec::new();
    for entry in &model.entries {
        let mut v = entry_value(model, entry, tenancy);
        // The same principal twice on one cluster: EKS answers 409 to the second.
        if let (false, Some(arn)) = (
            entry.association_only,
            entry.principal.as_ref().and_then(Field::known),
        ) {
            let cluster = cluster_key(model, entry);
            let arn = arn.to_ascii_lowercase();
            let who = who(entry);
            match seen.iter().find(|(c, a, _, _)| *c == cluster && *a == arn) {
                Some((_, _, path, first)) => {
                    if let Ok(map) = v.as_object_mut() {
                        map.insert(
                            Value::from("duplicateOf"),
                            obj(vec![
                                ("path", path.clone()),
                                ("who", Value::from(first.as_str())),
                            ]),
                        );
                    }
                }
                None => seen.push((cluster, arn, path_value(&entry.path), who)),
            }
        }
        entries.push(v);
    }
    let mappings = mappings_value(model);
    obj(vec![
        ("format", Value::from(model.format.as_str())),
        ("policiesKnownAsOf", Value::from(policies::KNOWN_AS_OF)),
        ("clusters", Value::from(clusters)),
        ("entries", Value::from(entries)),
        ("identityMappings", Value::from(mappings)),
    ])
}

/// What identifies an entry's cluster within the document.
fn cluster_key(model: &Model, entry: &Entry) -> Option<String> {
    if let Some(i) = entry.cluster_index {
        let cluster = model.clusters.get(i);
        if let Some(name) = cluster.and_then(|c| c.name.as_ref()).and_then(Field::known) {
            return Some(name.clone());
        }
        return Some(format!("#{i}"));
    }
    entry.cluster.as_ref().map(|c| match &c.val {
        Val::Known(name) => name.clone(),
        Val::Unknown(text) => format!("?{text}"),
    })
}

/// The keys of the authentication mode and of the creator-admin flag in `format`.
fn setting_keys(format: super::Format) -> (&'static str, &'static str) {
    use super::Format::*;
    match format {
        CloudFormation => (
            "AuthenticationMode",
            "BootstrapClusterCreatorAdminPermissions",
        ),
        Terraform | TerraformPlan => (
            "authentication_mode",
            "bootstrap_cluster_creator_admin_permissions",
        ),
        Eksctl | Ack | Crossplane | EksApi => (
            "authenticationMode",
            "bootstrapClusterCreatorAdminPermissions",
        ),
    }
}

/// Where a setting left out would be written (see [`Cluster::settings_path`]), else
/// its block, else the cluster.
fn missing_setting_path(c: &Cluster, key: &str) -> Path {
    match &c.settings_path {
        Some(at) => super::join(at, key),
        None => c
            .access_config_path
            .clone()
            .unwrap_or_else(|| c.path.clone()),
    }
}

/// The effective authentication mode of a cluster and where to point at it.
fn mode_of(c: &Cluster, format: super::Format) -> (Option<String>, Path, bool) {
    match &c.authentication_mode {
        Some(f) => (f.known().cloned(), f.path.clone(), true),
        None => (
            Some(c.default_mode.to_string()),
            missing_setting_path(c, setting_keys(format).0),
            false,
        ),
    }
}

fn cluster_value(c: &Cluster, format: super::Format) -> Value {
    let mut out = vec![("path", path_value(&c.path))];
    let mut unknown = BTreeMap::new();
    if let Some(name) = &c.name {
        out.push(("namePath", path_value(&name.path)));
        match &name.val {
            Val::Known(n) => out.push(("name", Value::from(n.as_str()))),
            Val::Unknown(t) => {
                unknown.insert(Value::from("name"), Value::from(t.as_str()));
            }
        }
    }
    let (mode, mode_path, written) = mode_of(c, format);
    if let Some(mode) = mode {
        out.push(("authenticationMode", Value::from(mode)));
    } else if let Some(Val::Unknown(t)) = c.authentication_mode.as_ref().map(|f| &f.val) {
        unknown.insert(Value::from("authenticationMode"), Value::from(t.as_str()));
    }
    out.push(("authenticationModePath", path_value(&mode_path)));
    out.push(("authenticationModeWritten", Value::Bool(written)));
    match &c.bootstrap_admin {
        Some(f) => {
            match &f.val {
                Val::Known(b) => {
                    out.push(("bootstrapClusterCreatorAdminPermissions", Value::Bool(*b)))
                }
                Val::Unknown(t) => {
                    unknown.insert(
                        Value::from("bootstrapClusterCreatorAdminPermissions"),
                        Value::from(t.as_str()),
                    );
                }
            }
            out.push(("bootstrapPath", path_value(&f.path)));
            out.push(("bootstrapWritten", Value::Bool(true)));
        }
        None => {
            out.push((
                "bootstrapClusterCreatorAdminPermissions",
                Value::Bool(c.default_bootstrap),
            ));
            let at = missing_setting_path(c, setting_keys(format).1);
            out.push(("bootstrapPath", path_value(&at)));
            out.push(("bootstrapWritten", Value::Bool(false)));
        }
    }
    out.push(("unknown", Value::from(unknown)));
    obj(out)
}

/// The config's node roles (globs) that no entry of the cluster names, for a cluster
/// whose whole access is declared in one document (an eksctl ClusterConfig), in API
/// mode (where aws-auth cannot map them), and that is the config's own cluster
/// (`cluster.name`). Node roles of managed node groups and Fargate profiles get their
/// entries from EKS; the rule says so.
fn node_roles_missing(model: &Model, c: &Cluster, t: &Tenancy) -> Vec<Value> {
    let name = c.name.as_ref().and_then(Field::known);
    let ours = t.config().cluster.name.as_ref();
    if model.format != super::Format::Eksctl || name.is_none() || name != ours {
        return Vec::new();
    }
    if mode_of(c, model.format).0.as_deref() != Some("API") {
        return Vec::new();
    }
    let principals: Vec<&String> = model
        .entries
        .iter()
        .filter_map(|e| e.principal.as_ref().and_then(Field::known))
        .collect();
    t.node_roles()
        .iter()
        .filter(|p| !principals.iter().any(|arn| p.matches(arn)))
        .map(|p| {
            obj(vec![
                ("role", Value::from(p.as_str())),
                ("via", Value::from(format!("nodeRoles: {}", p.as_str()))),
            ])
        })
        .collect()
}

/// "role arn:aws:iam::…:role/x (aws_eks_access_entry.ci)" and the like.
pub(crate) fn who(e: &Entry) -> String {
    let base = match e.principal.as_ref().map(|p| &p.val) {
        Some(Val::Known(arn)) => {
            let p = Principal::parse(arn);
            match p.kind {
                Kind::Role => format!("role {arn}"),
                Kind::User => format!("user {arn}"),
                _ => format!("principal {arn}"),
            }
        }
        Some(Val::Unknown(expr)) => format!("the principal `{expr}` (known only at apply)"),
        None => "an entry without a principal".to_string(),
    };
    match &e.address {
        Some(a) => format!("{base} ({a})"),
        None => base,
    }
}

fn list_items(list: &Option<FieldList>) -> impl Iterator<Item = &Field<String>> {
    list.iter().flat_map(|l| l.items.iter().flatten())
}

fn entry_value(model: &Model, e: &Entry, tenancy: Option<&Tenancy>) -> Value {
    let mut out = vec![
        ("path", path_value(&e.path)),
        ("who", Value::from(who(e))),
        ("associationOnly", Value::Bool(e.association_only)),
    ];
    let mut unknown = BTreeMap::new();
    let mut put_unknown = |name: &str, f: &Option<Field<String>>| {
        if let Some(Field {
            val: Val::Unknown(t),
            ..
        }) = f
        {
            unknown.insert(Value::from(name), Value::from(t.as_str()));
        }
    };
    put_unknown("principalArn", &e.principal);
    put_unknown("cluster", &e.cluster);
    put_unknown("type", &e.kind);
    put_unknown("username", &e.username);
    if let Some(a) = &e.address {
        out.push(("address", Value::from(a.as_str())));
    }
    if let Some(c) = &e.cluster {
        out.push(("clusterPath", path_value(&c.path)));
        if let Val::Known(n) = &c.val {
            out.push(("cluster", Value::from(n.as_str())));
        }
    }
    let linked = e.cluster_index.and_then(|i| model.clusters.get(i));
    if let Some(c) = linked {
        let (mode, path, _) = mode_of(c, model.format);
        if let Some(mode) = mode {
            out.push(("clusterMode", Value::from(mode)));
            out.push(("clusterModePath", path_value(&path)));
        }
        if e.cluster.as_ref().and_then(Field::known).is_none() {
            if let Some(name) = c.name.as_ref().and_then(Field::known) {
                out.push(("cluster", Value::from(name.as_str())));
            }
        }
    }
    let principal = e
        .principal
        .as_ref()
        .and_then(|p| p.known().map(|a| (a, &p.path)));
    let parsed = principal.map(|(arn, _)| Principal::parse(arn));
    if let Some(p) = &e.principal {
        out.push(("principalArnPath", path_value(&p.path)));
    }
    if let (Some((arn, _)), Some(p)) = (principal, &parsed) {
        out.push(("principalArn", Value::from(arn.as_str())));
        out.push(("principal", p.to_value()));
    }

    // Type: as written, or STANDARD (the default of every format).
    let (kind, kind_path, written) = match &e.kind {
        Some(Field {
            val: Val::Known(t),
            path,
        }) => (Some(t.clone()), path.clone(), true),
        Some(Field {
            val: Val::Unknown(_),
            path,
        }) => (None, path.clone(), true),
        None => (
            (!e.association_only).then(|| "STANDARD".to_string()),
            e.principal
                .as_ref()
                .map_or_else(|| e.path.clone(), |p| p.path.clone()),
            false,
        ),
    };
    if let Some(t) = &kind {
        out.push(("type", Value::from(t.as_str())));
        if !TYPES.contains(&t.as_str()) {
            let problem = if TYPES.contains(&t.to_ascii_uppercase().as_str()) {
                "case"
            } else {
                "unknown"
            };
            out.push(("typeProblem", Value::from(problem)));
        }
    }
    let upper = kind.as_deref().map(str::to_ascii_uppercase);
    let node_type = upper.as_deref().is_some_and(|t| NODE_TYPES.contains(&t));
    let policies_allowed = !node_type || upper.as_deref() == Some("EC2");
    out.push(("typePath", path_value(&kind_path)));
    out.push(("typeWritten", Value::Bool(written)));
    out.push(("nodeType", Value::Bool(node_type)));
    out.push(("policiesAllowed", Value::Bool(policies_allowed)));

    let mut session_without_colon = false;
    let mut static_username = false;
    if let Some(Field {
        val: Val::Known(u),
        path,
    }) = &e.username
    {
        out.push(("username", Value::from(u.as_str())));
        out.push(("usernamePath", path_value(path)));
        let reserved = RESERVED_PREFIXES.iter().find(|p| u.starts_with(*p));
        if let Some(prefix) = reserved {
            out.push(("usernameReservedPrefix", Value::from(*prefix)));
        }
        if let Some(i) = u.find("{{SessionName}}") {
            session_without_colon = !u[..i].contains(':');
        } else {
            static_username = parsed.as_ref().is_some_and(|p| p.kind == Kind::Role)
                && !u.contains("{{")
                && !node_type
                && reserved.is_none();
        }
    }
    out.push((
        "sessionNameWithoutColon",
        Value::Bool(session_without_colon),
    ));
    out.push(("staticUsername", Value::Bool(static_username)));

    let product = tenancy.and_then(|t| principal.and_then(|(arn, _)| t.role_owner(arn)));
    let admin = tenancy.and_then(|t| principal.and_then(|(arn, _)| t.admin_role(arn)));

    if let Some(g) = &e.groups {
        out.push(("groupsPath", path_value(&g.path)));
        if let Some(t) = &g.unknown {
            unknown.insert(Value::from("groups"), Value::from(t.as_str()));
        }
    }
    let groups: Vec<Value> = list_items(&e.groups)
        .filter_map(|f| f.known().map(|g| (g, f)))
        .map(|(g, f)| {
            let mut item = vec![
                ("value", Value::from(g.as_str())),
                ("path", path_value(&f.path)),
                ("reserved", Value::Bool(g.starts_with("system:"))),
            ];
            if let Some(t) = tenancy {
                if let Some(owner) = t.group_owner(g) {
                    item.push(("owner", owner.to_value()));
                }
                if let Some(via) = t.admin_group(g) {
                    item.push(("admin", Value::from(via)));
                }
            }
            obj(item)
        })
        .collect();
    out.push(("groups", Value::from(groups)));

    let policies: Vec<Value> = e
        .policies
        .iter()
        .map(|p| {
            policy_value(
                p,
                tenancy,
                product.as_ref().map(|o| o.product.as_str()),
                admin.is_some(),
            )
        })
        .collect();
    out.push(("policies", Value::from(policies)));

    let keys: Vec<Value> = e
        .unknown_keys
        .iter()
        .map(|(k, p)| {
            obj(vec![
                ("key", Value::from(k.as_str())),
                ("path", path_value(p)),
            ])
        })
        .collect();
    out.push(("unknownKeys", Value::from(keys)));
    out.push(("widened", widened_value(&e.widened)));

    if let Some(t) = tenancy {
        let mut fact = Vec::new();
        if let Some(o) = &product {
            fact.push(("product", o.to_value()));
        }
        if let Some(via) = &admin {
            fact.push(("admin", Value::from(via.as_str())));
        }
        let node_role = principal.and_then(|(arn, _)| t.node_role(arn));
        if let Some(via) = &node_role {
            fact.push(("nodeRole", Value::from(via.as_str())));
        }
        fact.push((
            "declared",
            Value::Bool(product.is_some() || admin.is_some() || node_role.is_some()),
        ));
        let cluster_name = e
            .cluster
            .as_ref()
            .and_then(Field::known)
            .or_else(|| linked.and_then(|c| c.name.as_ref()).and_then(Field::known));
        if let Some(owner) = cluster_name.and_then(|n| t.cluster_owner(n)) {
            fact.push(("clusterProduct", owner.to_value()));
        }
        out.push(("tenancy", obj(fact)));
    }
    out.push(("unknown", Value::from(unknown)));
    obj(out)
}

fn widened_value(w: &[super::Widened]) -> Value {
    Value::from(
        w.iter()
            .map(|w| {
                obj(vec![
                    ("what", Value::from(w.what.as_str())),
                    ("path", path_value(&w.path)),
                ])
            })
            .collect::<Vec<_>>(),
    )
}

fn policy_value(
    p: &Policy,
    tenancy: Option<&Tenancy>,
    product: Option<&str>,
    admin: bool,
) -> Value {
    let mut out = vec![("path", path_value(&p.path))];
    if let Some(a) = &p.address {
        out.push(("address", Value::from(a.as_str())));
    }
    let scope_type = p
        .scope_type
        .as_ref()
        .and_then(Field::known)
        .map(String::as_str);
    let name = p.arn.as_ref().and_then(Field::known).and_then(|arn| {
        out.push(("arn", Value::from(arn.as_str())));
        policies::name_of(arn)
    });
    if let Some(arn) = &p.arn {
        out.push(("arnPath", path_value(&arn.path)));
    }
    let known = name.is_some_and(policies::is_known);
    let admin_grade = name.is_some_and(|n| policies::admin_grade(n, scope_type));
    if let Some(n) = name {
        out.push(("name", Value::from(n)));
    }
    out.push(("known", Value::Bool(known)));
    out.push(("adminGrade", Value::Bool(admin_grade)));
    let scope_path = p.scope_path.clone().unwrap_or_else(|| p.path.clone());
    let grade_path = match (name, &p.scope_type, &p.arn) {
        (Some(policies::CLUSTER_ADMIN), _, Some(arn)) => arn.path.clone(),
        (_, Some(t), _) => t.path.clone(),
        _ => scope_path.clone(),
    };
    out.push(("adminGradePath", path_value(&grade_path)));

    let mut scope = vec![("path", path_value(&scope_path))];
    if let Some(t) = &p.scope_type {
        scope.push(("typePath", path_value(&t.path)));
        if let Some(v) = t.known() {
            scope.push(("type", Value::from(v.as_str())));
        }
    }
    let namespaces: Vec<&Field<String>> = list_items(&p.namespaces).collect();
    let has_namespaces =
        !namespaces.is_empty() || p.namespaces.as_ref().is_some_and(|l| l.unknown.is_some());
    let problem = match scope_type {
        _ if p.scope_type.is_none() && p.scope_path.is_none() => Some("missing"),
        Some("cluster") if has_namespaces => Some("cluster-with-namespaces"),
        Some("namespace") if !has_namespaces => Some("namespace-without-namespaces"),
        Some("cluster" | "namespace") | None => None,
        Some(_) => Some("unknown-type"),
    };
    if let Some(problem) = problem {
        scope.push(("problem", Value::from(problem)));
        let at = match (problem, &p.namespaces, &p.scope_type) {
            ("cluster-with-namespaces", Some(list), _) => list.path.clone(),
            (_, _, Some(t)) => t.path.clone(),
            _ => scope_path.clone(),
        };
        scope.push(("problemPath", path_value(&at)));
    }
    let ns: Vec<Value> = namespaces
        .iter()
        .filter_map(|f| f.known().map(|n| (n, f)))
        .map(|(n, f)| {
            let mut item = vec![
                ("value", Value::from(n.as_str())),
                ("path", path_value(&f.path)),
            ];
            let mut reaches = Vec::new();
            if !admin && scope_type == Some("namespace") {
                if let Ok(glob) = Glob::parse(n, Alphabet::Namespace) {
                    reaches = reach(&glob, tenancy, product);
                    if let (Some(t), Some(own)) = (tenancy, product) {
                        let outside = glob.is_literal()
                            && !t.product_has_namespace(own, n)
                            && !t.is_shared_namespace(n)
                            && reaches.is_empty();
                        if outside {
                            item.push(("outsideProduct", Value::from(own)));
                        }
                    }
                }
            }
            item.push(("reaches", Value::from(reaches)));
            obj(item)
        })
        .collect();
    scope.push(("namespaces", Value::from(ns)));
    out.push(("scope", obj(scope)));
    out.push(("widened", widened_value(&p.widened)));
    obj(out)
}

/// The shared namespaces and other products' namespaces a namespace glob of a
/// scope can match.
fn reach(glob: &Glob, tenancy: Option<&Tenancy>, product: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    match tenancy {
        Some(t) => {
            if let Some(via) = t.shared_namespace_overlap(glob) {
                out.push(obj(vec![
                    ("shared", Value::Bool(true)),
                    ("via", Value::from(via)),
                ]));
            }
            if let Some(own) = product {
                for owner in t.namespace_overlaps(glob, Some(own)) {
                    out.push(obj(vec![
                        ("shared", Value::Bool(false)),
                        ("product", Value::from(owner.product.as_str())),
                        ("via", Value::from(owner.via.as_str())),
                    ]));
                }
            }
        }
        None => {
            if let Some(ns) = SYSTEM_NAMESPACES.iter().find(|ns| glob.matches(ns)) {
                out.push(obj(vec![
                    ("shared", Value::Bool(true)),
                    ("via", Value::from(format!("system namespace {ns}"))),
                ]));
            }
        }
    }
    out
}

fn mappings_value(model: &Model) -> Vec<Value> {
    let ignored = model
        .clusters
        .first()
        .and_then(|c| mode_of(c, model.format).0)
        .is_some_and(|m| m == "API");
    model
        .mappings
        .iter()
        .map(|m| {
            let mut out = vec![
                ("path", path_value(&m.path)),
                ("ignored", Value::Bool(ignored)),
            ];
            let groups: Vec<String> = list_items(&m.groups)
                .filter_map(|f| f.known().cloned())
                .collect();
            if let Some(g) = &m.groups {
                out.push(("groupsPath", path_value(&g.path)));
            }
            out.push(("groups", str_list(groups.iter())));
            if let Some(arn) = m.arn.as_ref().and_then(Field::known) {
                out.push(("arn", Value::from(arn.as_str())));
                let entry = model.entries.iter().find(|e| {
                    !e.association_only
                        && e.principal
                            .as_ref()
                            .and_then(Field::known)
                            .is_some_and(|p| p.eq_ignore_ascii_case(arn))
                });
                if let Some(e) = entry {
                    let mut theirs: Vec<String> = list_items(&e.groups)
                        .filter_map(|f| f.known().cloned())
                        .collect();
                    let mut mine = groups.clone();
                    theirs.sort();
                    mine.sort();
                    if theirs != mine {
                        out.push((
                            "shadowedBy",
                            obj(vec![
                                ("path", path_value(&e.path)),
                                ("groups", str_list(theirs.iter())),
                            ]),
                        ));
                    }
                }
            }
            obj(out)
        })
        .collect()
}

//! A change of access configuration: the same document before (`oldObject`: the live
//! ACK or Crossplane object at admission, the base revision's file with `lint --base`)
//! and after. What widens an entry's rights is recorded on the new model's entries
//! ([`super::Widened`], like a Terraform plan's own `before` → `after`); what the
//! change does to the clusters' authentication mode and which admin and node-role
//! entries it removes is `input.facts.accessConfigChange`:
//!
//! ```text
//! {
//!   "modes": [{"cluster"?, "from", "to", "path",      // per cluster whose mode changes
//!              "direction": "back" | "forward"}],     // back: EKS refuses it
//!   "removed": [{"who", "path", "admin"?: "<via>", "nodeRole"?: "<via>"}],
//!   "adminsBefore": n, "adminsAfter": n               // entries giving a declared admin
//!                                                     // an admin-grade policy or group
//! }
//! ```
//!
//! Entries are the same when they name the same principal (ignoring case) on the same
//! cluster. A removed entry's `path` is where its list is in the new document (or the
//! entry itself in the old one, on DELETE).

use regorus::Value;

use super::facts::obj;
use super::principal::Principal;
use super::{policies, Entry, Field, FieldList, Model, Path, Widened};
use crate::facts::tenancy::Tenancy;

/// What identifies an entry across the two sides.
fn key(model: &Model, e: &Entry) -> Option<(String, String)> {
    let principal = e.principal.as_ref()?.known()?.to_ascii_lowercase();
    let cluster = e
        .cluster
        .as_ref()
        .and_then(Field::known)
        .cloned()
        .or_else(|| {
            let c = model.clusters.get(e.cluster_index?)?;
            c.name.as_ref().and_then(Field::known).cloned()
        })
        .unwrap_or_default();
    Some((cluster, principal))
}

fn known(list: &Option<FieldList>) -> Vec<&Field<String>> {
    list.iter()
        .flat_map(|l| l.items.iter().flatten())
        .filter(|f| f.known().is_some())
        .collect()
}

fn arn_of(p: &super::Policy) -> Option<String> {
    p.arn.as_ref()?.known().map(|a| a.to_ascii_lowercase())
}

fn scope_of(p: &super::Policy) -> Option<&str> {
    p.scope_type.as_ref()?.known().map(String::as_str)
}

/// Records on `new`'s entries how they widen the same entries of `old`.
pub fn widen(new: &mut Model, old: &Model) {
    let keys: Vec<Option<(String, String)>> = new.entries.iter().map(|e| key(new, e)).collect();
    for (e, k) in new.entries.iter_mut().zip(keys) {
        let Some(k) = k else { continue };
        let Some(before) = old
            .entries
            .iter()
            .find(|o| key(old, o).as_ref() == Some(&k))
        else {
            continue;
        };
        let old_groups: Vec<&String> = known(&before.groups)
            .iter()
            .filter_map(|f| f.known())
            .collect();
        for g in known(&e.groups) {
            if let Some(name) = g.known().filter(|n| !old_groups.contains(n)) {
                e.widened.push(Widened {
                    what: format!("group {name} is added"),
                    path: g.path.clone(),
                });
            }
        }
        for p in &mut e.policies {
            let Some(arn) = arn_of(p) else { continue };
            let Some(was) = before
                .policies
                .iter()
                .find(|o| arn_of(o).as_ref() == Some(&arn))
            else {
                if let Some(f) = &p.arn {
                    let name = f
                        .known()
                        .map(|a| policies::name_of(a).unwrap_or(a).to_string());
                    p.widened.push(Widened {
                        what: format!("access policy {} is added", name.unwrap_or_default()),
                        path: f.path.clone(),
                    });
                }
                continue;
            };
            match (scope_of(was), scope_of(p)) {
                (Some("namespace"), Some("cluster")) => {
                    if let Some(t) = &p.scope_type {
                        let old_ns: Vec<String> = known(&was.namespaces)
                            .iter()
                            .filter_map(|f| f.known().cloned())
                            .collect();
                        p.widened.push(Widened {
                            what: format!(
                                "the scope widens from namespaces {} to the whole cluster",
                                old_ns.join(", ")
                            ),
                            path: t.path.clone(),
                        });
                    }
                }
                (_, Some("namespace")) => {
                    let old_ns: Vec<&String> = known(&was.namespaces)
                        .iter()
                        .filter_map(|f| f.known())
                        .collect();
                    let added: Vec<(String, Path)> = known(&p.namespaces)
                        .iter()
                        .filter_map(|f| {
                            f.known()
                                .filter(|n| !old_ns.contains(n))
                                .map(|n| (n.clone(), f.path.clone()))
                        })
                        .collect();
                    for (ns, path) in added {
                        p.widened.push(Widened {
                            what: format!("namespace {ns} is added to the scope"),
                            path,
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// The rank of an authentication mode on EKS's one-way road.
fn rank(mode: &str) -> Option<u8> {
    match mode {
        "CONFIG_MAP" => Some(0),
        "API_AND_CONFIG_MAP" => Some(1),
        "API" => Some(2),
        _ => None,
    }
}

/// Whether an entry gives a declared admin role admin rights.
fn admin_entry(e: &Entry, tenancy: Option<&Tenancy>) -> Option<String> {
    let t = tenancy?;
    let arn = e.principal.as_ref()?.known()?;
    let via = t.admin_role(arn)?;
    let grade = e.policies.iter().any(|p| {
        p.arn
            .as_ref()
            .and_then(Field::known)
            .and_then(|a| policies::name_of(a))
            .is_some_and(|n| policies::admin_grade(n, scope_of(p)))
    });
    let group = known(&e.groups).iter().any(|g| {
        g.known()
            .is_some_and(|g| t.admin_group(g).is_some() || g == "system:masters")
    });
    (grade || group).then_some(via)
}

/// `input.facts.accessConfigChange` for a change from `old` to `new` (`None`: deleted).
pub fn fact(new: Option<&Model>, old: &Model, tenancy: Option<&Tenancy>) -> Value {
    let mut modes = Vec::new();
    if let Some(new) = new {
        for c in &new.clusters {
            let name = c.name.as_ref().and_then(Field::known);
            let before = old
                .clusters
                .iter()
                .find(|o| o.name.as_ref().and_then(Field::known) == name)
                .or_else(|| {
                    (old.clusters.len() == 1 && new.clusters.len() == 1).then(|| &old.clusters[0])
                });
            let Some(before) = before else { continue };
            let mode = |c: &super::Cluster| match &c.authentication_mode {
                Some(f) => f.known().cloned(),
                None => Some(c.default_mode.to_string()),
            };
            let (Some(from), Some(to)) = (mode(before), mode(c)) else {
                continue;
            };
            let (Some(a), Some(b)) = (rank(&from), rank(&to)) else {
                continue;
            };
            if a == b {
                continue;
            }
            let path = c
                .authentication_mode
                .as_ref()
                .map(|f| f.path.clone())
                .or_else(|| c.access_config_path.clone())
                .unwrap_or_else(|| c.path.clone());
            let mut item = vec![
                ("from", Value::from(from)),
                ("to", Value::from(to)),
                ("path", Value::from(path)),
                (
                    "direction",
                    Value::from(if b < a { "back" } else { "forward" }),
                ),
            ];
            if let Some(n) = name {
                item.push(("cluster", Value::from(n.as_str())));
            }
            modes.push(obj(item));
        }
    }
    let new_keys: Vec<(String, String)> = new
        .map(|n| n.entries.iter().filter_map(|e| key(n, e)).collect())
        .unwrap_or_default();
    let mut removed = Vec::new();
    for e in &old.entries {
        let Some(k) = key(old, e) else { continue };
        if new_keys.contains(&k) {
            continue;
        }
        let admin = admin_entry(e, tenancy);
        let node = tenancy.and_then(|t| e.principal.as_ref()?.known().and_then(|a| t.node_role(a)));
        if admin.is_none() && node.is_none() {
            continue;
        }
        // On DELETE the old object is the document; on UPDATE, its list in the new one.
        let path = match new {
            None => e.path.clone(),
            Some(_) => {
                let mut p = e.path.clone();
                if matches!(p.last(), Some(Value::Number(_))) {
                    p.pop();
                }
                p
            }
        };
        let who = match e.principal.as_ref().and_then(Field::known) {
            Some(arn) => match Principal::parse(arn).kind.as_str() {
                "user" => format!("user {arn}"),
                _ => format!("role {arn}"),
            },
            None => "an entry".into(),
        };
        let mut item = vec![("who", Value::from(who)), ("path", Value::from(path))];
        if let Some(via) = admin {
            item.push(("admin", Value::from(via)));
        }
        if let Some(via) = node {
            item.push(("nodeRole", Value::from(via)));
        }
        removed.push(obj(item));
    }
    let count = |m: &Model| {
        m.entries
            .iter()
            .filter(|e| admin_entry(e, tenancy).is_some())
            .count() as u64
    };
    obj(vec![
        ("modes", Value::from(modes)),
        ("removed", Value::from(removed)),
        ("adminsBefore", Value::from(count(old))),
        ("adminsAfter", Value::from(new.map_or(0, count))),
    ])
}

//! Terraform plans as `terraform show -json PLANFILE` prints them: the
//! `resource_changes` of `aws_eks_cluster` (`access_config`), `aws_eks_access_entry`
//! and `aws_eks_access_policy_association`, read from `change.after`.
//!
//! A value Terraform will know only after apply is left out of `after` and marked
//! `true` in `after_unknown`; it is read as unknown, named by the expression the
//! configuration wrote where the plan carries it (`aws_iam_role.ci.arn`). Each
//! resource's `address` goes with its findings. A change (`before` → `after`) that
//! widens rights is recorded as [`Widened`].

use regorus::Value;

use super::{
    items, join, link_clusters, merge_associations, val_bool, val_string, Cluster, Entry, Field,
    FieldList, Format, Model, Path, Policy, Val, Widened,
};

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether `object` is a plan in Terraform's JSON output format.
pub fn is_plan(object: &Value) -> bool {
    matches!(object["format_version"], Value::String(_))
        && matches!(object["resource_changes"], Value::Array(_))
}

/// One side (`before` or `after`) of a resource change.
struct Side<'a> {
    values: &'a Value,
    path: Path,
    unknown: &'a Value,
    unknown_path: Path,
    /// `expressions` of the resource in `configuration`, when the plan has them.
    expressions: &'a Value,
}

impl Side<'_> {
    fn string(&self, key: &str) -> Option<Field<String>> {
        if let Some(val) = val_string(Format::TerraformPlan, &self.values[key]) {
            return Some(Field {
                val,
                path: join(&self.path, key),
            });
        }
        if self.unknown[key] == Value::Bool(true) {
            let expression = &self.expressions[key];
            let written = match (&expression["references"], &expression["constant_value"]) {
                (Value::Array(refs), _) if !refs.is_empty() => string(&refs[0]).map(str::to_string),
                _ => None,
            };
            return Some(Field {
                val: Val::Unknown(written.unwrap_or_else(|| "known after apply".into())),
                path: join(&self.unknown_path, key),
            });
        }
        None
    }

    fn list(&self, key: &str) -> Option<FieldList> {
        let path = join(&self.path, key);
        let Value::Array(list) = &self.values[key] else {
            return None;
        };
        let items = list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                val_string(Format::TerraformPlan, v).map(|val| Field {
                    val,
                    path: join(&path, i),
                })
            })
            .collect();
        Some(FieldList {
            path,
            items: Some(items),
            unknown: None,
        })
    }

    /// The first element of a nested block (`access_config[0]`, `access_scope[0]`).
    fn block(&self, key: &str) -> Option<Side<'_>> {
        let Value::Array(list) = &self.values[key] else {
            return None;
        };
        let first = list.first()?;
        Some(Side {
            values: first,
            path: join(&join(&self.path, key), 0),
            unknown: &self.unknown[key][0],
            unknown_path: join(&join(&self.unknown_path, key), 0),
            expressions: &self.expressions[key][0],
        })
    }
}

/// The policy association a resource's side declares.
fn policy(side: &Side, address: &str) -> Policy {
    let scope = side.block("access_scope");
    Policy {
        path: side.path.clone(),
        address: Some(address.to_string()),
        arn: side.string("policy_arn"),
        scope_type: scope.as_ref().and_then(|s| s.string("type")),
        namespaces: scope.as_ref().and_then(|s| s.list("namespaces")),
        scope_path: scope.as_ref().map(|s| s.path.clone()),
        widened: Vec::new(),
    }
}

fn known_items(list: &Option<FieldList>) -> Vec<String> {
    list.as_ref()
        .and_then(|l| l.items.as_ref())
        .map(|items| items.iter().filter_map(|f| f.known().cloned()).collect())
        .unwrap_or_default()
}

/// How the policy `after` widens `before`: cluster scope where it was namespaces,
/// namespaces added.
fn widen_policy(before: &Policy, after: &mut Policy) {
    let scope = |p: &Policy| p.scope_type.as_ref().and_then(|t| t.known()).cloned();
    let (was, now) = (scope(before), scope(after));
    if was.as_deref() == Some("namespace") && now.as_deref() == Some("cluster") {
        if let Some(t) = &after.scope_type {
            after.widened.push(Widened {
                what: format!(
                    "the scope widens from namespaces {} to the whole cluster",
                    known_items(&before.namespaces).join(", ")
                ),
                path: t.path.clone(),
            });
        }
        return;
    }
    if now.as_deref() == Some("namespace") {
        let old = known_items(&before.namespaces);
        for f in after
            .namespaces
            .iter()
            .flat_map(|l| l.items.iter().flatten())
        {
            if let Some(ns) = f.known().filter(|ns| !old.contains(ns)) {
                after.widened.push(Widened {
                    what: format!("namespace {ns} is added to the scope"),
                    path: f.path.clone(),
                });
            }
        }
    }
}

/// Reads the clusters, entries and associations a plan creates or changes.
pub fn read(plan: &Value) -> Model {
    let mut model = Model::new(Format::TerraformPlan);
    let config_resources = &plan["configuration"]["root_module"]["resources"];
    let expressions_of = |address: &str| -> &Value {
        items(config_resources)
            .map(|(_, r)| r)
            .find(|r| string(&r["address"]) == Some(address))
            .map_or(&Value::Undefined, |r| &r["expressions"])
    };
    let base: Path = vec![Value::from("resource_changes")];
    for (i, rc) in items(&plan["resource_changes"]) {
        let at = join(&base, i);
        let change = &rc["change"];
        let actions: Vec<&str> = items(&change["actions"])
            .filter_map(|(_, a)| string(a))
            .collect();
        if rc["mode"] != Value::from("managed") || actions.is_empty() || actions == ["delete"] {
            continue;
        }
        let address = string(&rc["address"]).unwrap_or_default().to_string();
        let change_path = join(&at, "change");
        let side = |name: &str| Side {
            values: &change[name],
            path: join(&change_path, name),
            unknown: if name == "after" {
                &change["after_unknown"]
            } else {
                &Value::Undefined
            },
            unknown_path: join(&change_path, "after_unknown"),
            expressions: expressions_of(&address),
        };
        let after = side("after");
        let before = side("before");
        let has_before = matches!(change["before"], Value::Object(_));
        match string(&rc["type"]) {
            Some("aws_eks_cluster") => {
                let ac = after.block("access_config");
                model.clusters.push(Cluster {
                    path: at.clone(),
                    link: None,
                    name: after.string("name"),
                    access_config_path: ac.as_ref().map(|s| s.path.clone()),
                    settings_path: None,
                    authentication_mode: ac.as_ref().and_then(|s| s.string("authentication_mode")),
                    default_mode: "CONFIG_MAP",
                    bootstrap_admin: ac.as_ref().and_then(|s| {
                        val_bool(
                            Format::TerraformPlan,
                            &s.values["bootstrap_cluster_creator_admin_permissions"],
                        )
                        .map(|val| Field {
                            val,
                            path: join(&s.path, "bootstrap_cluster_creator_admin_permissions"),
                        })
                    }),
                    default_bootstrap: true,
                });
            }
            Some("aws_eks_access_entry") => {
                let groups = after.list("kubernetes_groups");
                let mut widened = Vec::new();
                if has_before {
                    let old = known_items(&before.list("kubernetes_groups"));
                    for f in groups.iter().flat_map(|l| l.items.iter().flatten()) {
                        if let Some(g) = f.known().filter(|g| !old.contains(g)) {
                            widened.push(Widened {
                                what: format!("group {g} is added"),
                                path: f.path.clone(),
                            });
                        }
                    }
                }
                model.entries.push(Entry {
                    path: at.clone(),
                    address: Some(address),
                    cluster: after.string("cluster_name"),
                    principal: after.string("principal_arn"),
                    kind: after.string("type"),
                    username: after.string("user_name").filter(|f| f.known().is_some()),
                    groups,
                    widened,
                    ..Entry::default()
                });
            }
            Some("aws_eks_access_policy_association") => {
                let mut p = policy(&after, &address);
                if has_before {
                    widen_policy(&policy(&before, &address), &mut p);
                }
                model.entries.push(Entry {
                    path: at.clone(),
                    address: Some(address),
                    cluster: after.string("cluster_name"),
                    principal: after.string("principal_arn"),
                    association_only: true,
                    policies: vec![p],
                    ..Entry::default()
                });
            }
            _ => {}
        }
    }
    merge_associations(&mut model);
    link_clusters(&mut model, &[]);
    model
}

//! Terraform configuration (`.tf`, read by [`crate::source::hcl`] into the shape of
//! Terraform's JSON syntax, and `.tf.json` as it is): the hashicorp/aws resources
//! `aws_eks_cluster` (`access_config`), `aws_eks_access_entry` and
//! `aws_eks_access_policy_association`, and the `access_entries` input of the
//! terraform-aws-modules/eks module.
//!
//! A value written as an expression (`aws_iam_role.ci.arn`, `"${var.x}"`) is unknown.
//! References between the resources of one file are followed where they say which
//! resource is meant: `cluster_name = aws_eks_cluster.payments.name` links the entry
//! to that cluster, `principal_arn = aws_eks_access_entry.ci.principal_arn` puts the
//! association with that entry.

use regorus::Value;

use super::{
    field_bool, field_list, field_string, join, unknown_keys, Cluster, Entry, Field, Format, Model,
    Path, Policy, Val,
};

const F: Format = Format::Terraform;

/// Keys of an `access_entries` item of the EKS module (v20, v21).
const MODULE_ENTRY_KEYS: [&str; 6] = [
    "principal_arn",
    "type",
    "user_name",
    "kubernetes_groups",
    "tags",
    "policy_associations",
];

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn objects(v: &Value) -> Vec<(&str, &Value)> {
    match v {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| string(k).map(|k| (k, v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `module` is a call of terraform-aws-modules/eks (or passes `access_entries`).
fn is_eks_module(module: &Value) -> bool {
    string(&module["source"]).is_some_and(|s| s.contains("terraform-aws-modules/eks"))
        || module["access_entries"] != Value::Undefined
}

/// Whether `object` is a Terraform configuration with EKS access settings.
pub fn is_configuration(object: &Value) -> bool {
    if object["apiVersion"] != Value::Undefined || object["kind"] != Value::Undefined {
        return false;
    }
    let eks_resource = objects(&object["resource"]).iter().any(|(t, _)| {
        matches!(
            *t,
            "aws_eks_cluster" | "aws_eks_access_entry" | "aws_eks_access_policy_association"
        )
    });
    eks_resource
        || objects(&object["module"])
            .iter()
            .any(|(_, m)| is_eks_module(m))
}

/// The resource an expression names (`aws_eks_cluster.payments` of
/// `aws_eks_cluster.payments.name`), if it is a reference to a resource of `kind`.
fn reference_to(field: &Option<Field<String>>, kind: &str) -> Option<String> {
    let Val::Unknown(expr) = &field.as_ref()?.val else {
        return None;
    };
    let rest = expr.strip_prefix(kind)?.strip_prefix('.')?;
    let name = rest.split('.').next()?;
    Some(format!("{kind}.{name}"))
}

/// A nested block: an object, or the first of a list of them.
fn block<'a>(parent: &'a Value, path: &Path, key: &str) -> (&'a Value, Path) {
    match &parent[key] {
        Value::Array(items) => (
            items.first().unwrap_or(&Value::Undefined),
            join(&join(path, key), 0),
        ),
        v => (v, join(path, key)),
    }
}

fn policy(p: &Value, at: &Path, address: String, arn_key: &str) -> Policy {
    let (scope, scope_path) = block(p, at, "access_scope");
    Policy {
        path: at.clone(),
        address: Some(address),
        arn: field_string(F, p, at, arn_key),
        scope_type: field_string(F, scope, &scope_path, "type"),
        namespaces: field_list(F, scope, &scope_path, "namespaces"),
        scope_path: (*scope != Value::Undefined).then_some(scope_path),
        widened: Vec::new(),
    }
}

/// Reads the clusters, entries and associations of a configuration.
pub fn read(config: &Value) -> Model {
    let mut model = Model::new(F);
    let resources = &config["resource"];
    let base: Path = vec![Value::from("resource")];

    for (name, r) in objects(&resources["aws_eks_cluster"]) {
        let at = join(&join(&base, "aws_eks_cluster"), name);
        let (ac, ac_path) = block(r, &at, "access_config");
        let has_block = *ac != Value::Undefined;
        model.clusters.push(Cluster {
            link: Some(format!("aws_eks_cluster.{name}")),
            name: field_string(F, r, &at, "name"),
            access_config_path: has_block.then(|| ac_path.clone()),
            settings_path: Some(ac_path.clone()),
            authentication_mode: field_string(F, ac, &ac_path, "authentication_mode"),
            default_mode: "CONFIG_MAP",
            bootstrap_admin: field_bool(
                F,
                ac,
                &ac_path,
                "bootstrap_cluster_creator_admin_permissions",
            ),
            // The provider sends false when the block is there without the flag.
            default_bootstrap: !has_block,
            path: at,
        });
    }
    let cluster_of = |model: &Model, field: &Option<Field<String>>| -> Option<usize> {
        let link = reference_to(field, "aws_eks_cluster")?;
        model
            .clusters
            .iter()
            .position(|c| c.link.as_deref() == Some(link.as_str()))
    };

    for (name, r) in objects(&resources["aws_eks_access_entry"]) {
        let at = join(&join(&base, "aws_eks_access_entry"), name);
        let cluster = field_string(F, r, &at, "cluster_name");
        let cluster_index = cluster_of(&model, &cluster);
        model.entries.push(Entry {
            address: Some(format!("aws_eks_access_entry.{name}")),
            cluster,
            cluster_index,
            principal: field_string(F, r, &at, "principal_arn"),
            kind: field_string(F, r, &at, "type"),
            username: field_string(F, r, &at, "user_name"),
            groups: field_list(F, r, &at, "kubernetes_groups"),
            path: at,
            ..Entry::default()
        });
    }

    for (name, r) in objects(&resources["aws_eks_access_policy_association"]) {
        let at = join(&join(&base, "aws_eks_access_policy_association"), name);
        let address = format!("aws_eks_access_policy_association.{name}");
        let p = policy(r, &at, address.clone(), "policy_arn");
        let principal = field_string(F, r, &at, "principal_arn");
        if let Some(entry) = reference_to(&principal, "aws_eks_access_entry") {
            if let Some(e) = model
                .entries
                .iter_mut()
                .find(|e| e.address.as_deref() == Some(entry.as_str()))
            {
                e.policies.push(p);
                continue;
            }
        }
        let cluster = field_string(F, r, &at, "cluster_name");
        let cluster_index = cluster_of(&model, &cluster);
        model.entries.push(Entry {
            address: Some(address),
            cluster,
            cluster_index,
            principal,
            association_only: true,
            policies: vec![p],
            path: at,
            ..Entry::default()
        });
    }

    let modules: Path = vec![Value::from("module")];
    for (name, m) in objects(&config["module"]) {
        if !is_eks_module(m) {
            continue;
        }
        let at = join(&modules, name);
        let cluster_name =
            field_string(F, m, &at, "name").or_else(|| field_string(F, m, &at, "cluster_name"));
        // The module hard-codes bootstrap_cluster_creator_admin_permissions = false and
        // adds an admin entry for whoever runs apply with this flag instead.
        let creator = field_bool(F, m, &at, "enable_cluster_creator_admin_permissions");
        model.clusters.push(Cluster {
            path: at.clone(),
            link: None,
            name: cluster_name,
            access_config_path: None,
            settings_path: None,
            authentication_mode: field_string(F, m, &at, "authentication_mode"),
            default_mode: "API_AND_CONFIG_MAP",
            bootstrap_admin: creator,
            default_bootstrap: false,
        });
        let cluster_index = Some(model.clusters.len() - 1);
        let entries_at = join(&at, "access_entries");
        for (key, e) in objects(&m["access_entries"]) {
            let e_at = join(&entries_at, key);
            let p_at = join(&e_at, "policy_associations");
            let policies = objects(&e["policy_associations"])
                .into_iter()
                .map(|(pk, p)| {
                    policy(
                        p,
                        &join(&p_at, pk),
                        format!(
                            "module.{name}.aws_eks_access_policy_association.this[\"{key}_{pk}\"]"
                        ),
                        "policy_arn",
                    )
                })
                .collect();
            model.entries.push(Entry {
                address: Some(format!(
                    "module.{name}.aws_eks_access_entry.this[\"{key}\"]"
                )),
                cluster_index,
                principal: field_string(F, e, &e_at, "principal_arn"),
                kind: field_string(F, e, &e_at, "type"),
                username: field_string(F, e, &e_at, "user_name"),
                groups: field_list(F, e, &e_at, "kubernetes_groups"),
                policies,
                unknown_keys: unknown_keys(e, &e_at, &MODULE_ENTRY_KEYS),
                path: e_at,
                ..Entry::default()
            });
        }
    }
    model
}

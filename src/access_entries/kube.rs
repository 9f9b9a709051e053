//! Readers of the formats that are Kubernetes-shaped YAML: eksctl's `ClusterConfig`
//! (a file for the eksctl CLI) and the ACK and Crossplane objects (custom resources
//! that a controller turns into EKS API calls, so the webhook sees them too).

use regorus::Value;

use super::{
    field_bool, field_list, field_string, items, join, unknown_keys, Cluster, Entry, Field, Format,
    Mapping, Model, Path, Policy, Val,
};

/// `accessEntries[]` keys eksctl knows (`pkg/apis/eksctl.io/v1alpha5/access_entry.go`).
const EKSCTL_ENTRY_KEYS: [&str; 5] = [
    "principalARN",
    "type",
    "kubernetesGroups",
    "kubernetesUsername",
    "accessPolicies",
];

/// An inline `{policyARN, accessScope{type, namespaces}}` (eksctl and ACK).
fn inline_policies(format: Format, parent: &Value, path: &Path) -> Vec<Policy> {
    let list = join(path, "accessPolicies");
    items(&parent["accessPolicies"])
        .map(|(i, p)| {
            let at = join(&list, i);
            let scope = &p["accessScope"];
            let scope_path = join(&at, "accessScope");
            Policy {
                arn: field_string(format, p, &at, "policyARN"),
                scope_type: field_string(format, scope, &scope_path, "type"),
                namespaces: field_list(format, scope, &scope_path, "namespaces"),
                scope_path: (*scope != Value::Undefined).then_some(scope_path),
                path: at,
                address: None,
                widened: Vec::new(),
            }
        })
        .collect()
}

/// eksctl `ClusterConfig`: one cluster, its `accessConfig.accessEntries`, and its
/// `iamIdentityMappings` (aws-auth entries eksctl writes).
pub fn eksctl(object: &Value) -> Model {
    let f = Format::Eksctl;
    let mut model = Model::new(f);
    let root: Path = Vec::new();
    let ac = &object["accessConfig"];
    let ac_path = join(&root, "accessConfig");
    model.clusters.push(Cluster {
        path: root.clone(),
        link: None,
        name: field_string(f, &object["metadata"], &join(&root, "metadata"), "name"),
        access_config_path: (*ac != Value::Undefined).then(|| ac_path.clone()),
        settings_path: Some(ac_path.clone()),
        authentication_mode: field_string(f, ac, &ac_path, "authenticationMode"),
        default_mode: "API_AND_CONFIG_MAP",
        bootstrap_admin: field_bool(f, ac, &ac_path, "bootstrapClusterCreatorAdminPermissions"),
        default_bootstrap: true,
    });
    let list = join(&ac_path, "accessEntries");
    for (i, e) in items(&ac["accessEntries"]) {
        let at = join(&list, i);
        model.entries.push(Entry {
            cluster_index: Some(0),
            principal: field_string(f, e, &at, "principalARN"),
            kind: field_string(f, e, &at, "type"),
            username: field_string(f, e, &at, "kubernetesUsername"),
            groups: field_list(f, e, &at, "kubernetesGroups"),
            policies: inline_policies(f, e, &at),
            unknown_keys: unknown_keys(e, &at, &EKSCTL_ENTRY_KEYS),
            path: at,
            ..Entry::default()
        });
    }
    let list = join(&root, "iamIdentityMappings");
    for (i, m) in items(&object["iamIdentityMappings"]) {
        let at = join(&list, i);
        model.mappings.push(Mapping {
            arn: field_string(f, m, &at, "arn"),
            username: field_string(f, m, &at, "username"),
            groups: field_list(f, m, &at, "groups"),
            path: at,
        });
    }
    model
}

/// ACK `eks.services.k8s.aws/v1alpha1` `Cluster` or `AccessEntry`.
pub fn ack(object: &Value) -> Model {
    let f = Format::Ack;
    let mut model = Model::new(f);
    let spec_path: Path = vec![Value::from("spec")];
    let spec = &object["spec"];
    if object["kind"] == Value::from("Cluster") {
        let ac = &spec["accessConfig"];
        let ac_path = join(&spec_path, "accessConfig");
        model.clusters.push(Cluster {
            path: spec_path.clone(),
            link: None,
            name: field_string(f, spec, &spec_path, "name"),
            access_config_path: (*ac != Value::Undefined).then(|| ac_path.clone()),
            settings_path: Some(ac_path.clone()),
            authentication_mode: field_string(f, ac, &ac_path, "authenticationMode"),
            default_mode: "CONFIG_MAP",
            bootstrap_admin: field_bool(f, ac, &ac_path, "bootstrapClusterCreatorAdminPermissions"),
            default_bootstrap: true,
        });
        return model;
    }
    let cluster = field_string(f, spec, &spec_path, "clusterName").or_else(|| {
        let name = &spec["clusterRef"]["from"]["name"];
        super::val_string(f, name).map(|v| Field {
            // A reference to an ACK Cluster object: its EKS name is that object's spec.name.
            val: Val::Unknown(format!(
                "clusterRef {}",
                v.known().cloned().unwrap_or_default()
            )),
            path: vec![
                Value::from("spec"),
                Value::from("clusterRef"),
                Value::from("from"),
                Value::from("name"),
            ],
        })
    });
    model.entries.push(Entry {
        path: spec_path.clone(),
        cluster,
        principal: field_string(f, spec, &spec_path, "principalARN"),
        kind: field_string(f, spec, &spec_path, "type"),
        username: field_string(f, spec, &spec_path, "username"),
        groups: field_list(f, spec, &spec_path, "kubernetesGroups"),
        policies: inline_policies(f, spec, &spec_path),
        ..Entry::default()
    });
    model
}

/// `accessScope` / `accessConfig` of the Upbound provider: an object in current
/// CRDs, a one-element list in older ones. The value and its path.
fn object_or_first(parent: &Value, path: &Path, key: &str) -> (Value, Path) {
    let v = &parent[key];
    match v {
        Value::Array(items) => (
            items.first().cloned().unwrap_or(Value::Undefined),
            join(&join(path, key), 0),
        ),
        _ => (v.clone(), join(path, key)),
    }
}

/// A Crossplane reference field (`clusterNameRef`, `principalArnRef`, …) as an
/// unknown value: the name it points at is not the value.
fn reference(parent: &Value, path: &Path, keys: &[&str]) -> Option<Field<String>> {
    for key in keys {
        let v = &parent[*key];
        if *v == Value::Undefined {
            continue;
        }
        let name = match &v["name"] {
            Value::String(s) => format!(" {s}"),
            _ => String::new(),
        };
        return Some(Field {
            val: Val::Unknown(format!("{key}{name}")),
            path: join(path, *key),
        });
    }
    None
}

/// Crossplane (Upbound provider-aws) `Cluster`, `AccessEntry` or
/// `AccessPolicyAssociation`, cluster-scoped or namespaced API group alike.
pub fn crossplane(object: &Value) -> Model {
    let f = Format::Crossplane;
    let mut model = Model::new(f);
    let fp_path: Path = vec![Value::from("spec"), Value::from("forProvider")];
    let fp = &object["spec"]["forProvider"];
    let kind = &object["kind"];
    if *kind == Value::from("Cluster") {
        let (ac, ac_path) = object_or_first(fp, &fp_path, "accessConfig");
        let external = &object["metadata"]["annotations"]["crossplane.io/external-name"];
        let name = match external {
            Value::String(_) => field_string(
                f,
                &object["metadata"]["annotations"],
                &vec![Value::from("metadata"), Value::from("annotations")],
                "crossplane.io/external-name",
            ),
            _ => field_string(
                f,
                &object["metadata"],
                &vec![Value::from("metadata")],
                "name",
            ),
        };
        model.clusters.push(Cluster {
            path: fp_path.clone(),
            link: None,
            name,
            access_config_path: (ac != Value::Undefined).then(|| ac_path.clone()),
            settings_path: Some(ac_path.clone()),
            authentication_mode: field_string(f, &ac, &ac_path, "authenticationMode"),
            default_mode: "CONFIG_MAP",
            bootstrap_admin: field_bool(
                f,
                &ac,
                &ac_path,
                "bootstrapClusterCreatorAdminPermissions",
            ),
            default_bootstrap: true,
        });
        return model;
    }
    let cluster = field_string(f, fp, &fp_path, "clusterName")
        .or_else(|| reference(fp, &fp_path, &["clusterNameRef", "clusterNameSelector"]));
    if *kind == Value::from("AccessEntry") {
        let principal = field_string(f, fp, &fp_path, "principalArn").or_else(|| {
            reference(
                fp,
                &fp_path,
                &["principalArnFromRoleRef", "principalArnFromRoleSelector"],
            )
        });
        model.entries.push(Entry {
            path: fp_path.clone(),
            cluster,
            principal,
            kind: field_string(f, fp, &fp_path, "type"),
            username: field_string(f, fp, &fp_path, "userName"),
            groups: field_list(f, fp, &fp_path, "kubernetesGroups"),
            ..Entry::default()
        });
        return model;
    }
    // AccessPolicyAssociation: one policy for a principal whose entry is elsewhere.
    let principal = field_string(f, fp, &fp_path, "principalArn")
        .or_else(|| reference(fp, &fp_path, &["principalArnRef", "principalArnSelector"]));
    let (scope, scope_path) = object_or_first(fp, &fp_path, "accessScope");
    model.entries.push(Entry {
        path: fp_path.clone(),
        cluster,
        principal,
        association_only: true,
        policies: vec![Policy {
            path: fp_path.clone(),
            address: None,
            widened: Vec::new(),
            arn: field_string(f, fp, &fp_path, "policyArn"),
            scope_type: field_string(f, &scope, &scope_path, "type"),
            namespaces: field_list(f, &scope, &scope_path, "namespaces"),
            scope_path: (scope != Value::Undefined).then_some(scope_path),
        }],
        ..Entry::default()
    });
    model
}

//! What the EKS API reports about a cluster's access, as one JSON document that
//! combines the outputs of `aws eks describe-cluster`, `list-access-entries`,
//! `describe-access-entry` (one per principal) and `list-associated-access-policies`
//! (one per principal), each under the name of its operation:
//!
//! ```text
//! {"DescribeCluster": {"cluster": {"name", "accessConfig": {…}}},
//!  "ListAccessEntries": {"accessEntries": ["arn…"]},
//!  "DescribeAccessEntry": [{"accessEntry": {"clusterName", "principalArn", "type", "username", "kubernetesGroups"}}],
//!  "ListAssociatedAccessPolicies": [{"clusterName", "principalArn", "associatedAccessPolicies": [{"policyArn", "accessScope"}]}]}
//! ```
//!
//! `DescribeAccessEntry` and `ListAssociatedAccessPolicies` may also be a single
//! response instead of a list. Recognised by content: `DescribeCluster.cluster`, or
//! a `DescribeAccessEntry` holding an `accessEntry`.
//!
//! This is live state, not what someone wrote: EKS reports the username and the
//! `system:nodes` group it generates for node-type entries
//! (`system:node:{{EC2PrivateDNSName}}`); those are left out of the model, as the
//! entry's owner did not write them and EKS accepts them. An ARN that
//! `ListAccessEntries` names without a `DescribeAccessEntry` is not read: its type
//! and groups are not known.

use super::facts::NODE_TYPES;
use regorus::Value;

use super::{
    field_bool, field_list, field_string, items, join, Cluster, Entry, Field, Format, Model, Path,
    Policy,
};

/// The operations whose responses the document holds.
const OPERATIONS: [&str; 4] = [
    "DescribeCluster",
    "ListAccessEntries",
    "DescribeAccessEntry",
    "ListAssociatedAccessPolicies",
];

/// Whether `object` is EKS API output in the shape above.
pub fn is_state(object: &Value) -> bool {
    let Value::Object(map) = object else {
        return false;
    };
    let known = map.keys().all(|k| match k {
        Value::String(s) => OPERATIONS.contains(&s.as_ref()),
        _ => false,
    });
    let described = |v: &Value| match v {
        Value::Array(items) => items
            .iter()
            .any(|i| matches!(i["accessEntry"], Value::Object(_))),
        v => matches!(v["accessEntry"], Value::Object(_)),
    };
    known
        && (matches!(object["DescribeCluster"]["cluster"], Value::Object(_))
            || described(&object["DescribeAccessEntry"]))
}

/// The responses of an operation: a list of them, or one.
fn responses<'a>(object: &'a Value, op: &str) -> Vec<(Path, &'a Value)> {
    let root: Path = vec![Value::from(op)];
    match &object[op] {
        Value::Array(_) => items(&object[op])
            .map(|(i, v)| (join(&root, i), v))
            .collect(),
        Value::Object(_) => vec![(root, &object[op])],
        _ => Vec::new(),
    }
}

pub fn read(object: &Value) -> Model {
    let f = Format::EksApi;
    let mut model = Model::new(f);
    let cluster = &object["DescribeCluster"]["cluster"];
    if let Value::Object(_) = cluster {
        let path: Path = vec![Value::from("DescribeCluster"), Value::from("cluster")];
        let ac = &cluster["accessConfig"];
        let ac_path = join(&path, "accessConfig");
        model.clusters.push(Cluster {
            name: field_string(f, cluster, &path, "name"),
            access_config_path: matches!(ac, Value::Object(_)).then(|| ac_path.clone()),
            settings_path: Some(ac_path.clone()),
            authentication_mode: field_string(f, ac, &ac_path, "authenticationMode"),
            // What CreateCluster gives when nothing is said.
            default_mode: "CONFIG_MAP",
            bootstrap_admin: field_bool(f, ac, &ac_path, "bootstrapClusterCreatorAdminPermissions"),
            default_bootstrap: true,
            path,
            link: None,
        });
    }
    for (path, response) in responses(object, "DescribeAccessEntry") {
        let e = &response["accessEntry"];
        if !matches!(e, Value::Object(_)) {
            continue;
        }
        let path = join(&path, "accessEntry");
        let kind = field_string(f, e, &path, "type");
        let node = kind
            .as_ref()
            .and_then(Field::known)
            .is_some_and(|t| NODE_TYPES.contains(&t.as_str()));
        let mut username = field_string(f, e, &path, "username");
        let mut groups = field_list(f, e, &path, "kubernetesGroups");
        if node {
            // What EKS generates for nodes, not what anyone wrote.
            if username
                .as_ref()
                .and_then(Field::known)
                .is_some_and(|u| u.starts_with("system:node:"))
            {
                username = None;
            }
            let generated = groups.as_ref().is_some_and(|g| {
                g.items.as_ref().is_some_and(|items| {
                    items
                        .iter()
                        .all(|i| i.known().is_some_and(|v| v == "system:nodes"))
                })
            });
            if generated {
                groups = None;
            }
        }
        model.entries.push(Entry {
            cluster: field_string(f, e, &path, "clusterName"),
            principal: field_string(f, e, &path, "principalArn"),
            kind,
            username,
            groups,
            path,
            ..Entry::default()
        });
    }
    for (path, response) in responses(object, "ListAssociatedAccessPolicies") {
        let principal = field_string(f, response, &path, "principalArn");
        let cluster = field_string(f, response, &path, "clusterName");
        let list = join(&path, "associatedAccessPolicies");
        let policies: Vec<Policy> = items(&response["associatedAccessPolicies"])
            .map(|(i, p)| {
                let ppath = join(&list, i);
                let scope = &p["accessScope"];
                let spath = join(&ppath, "accessScope");
                Policy {
                    arn: field_string(f, p, &ppath, "policyArn"),
                    scope_path: matches!(scope, Value::Object(_)).then(|| spath.clone()),
                    scope_type: field_string(f, scope, &spath, "type"),
                    namespaces: field_list(f, scope, &spath, "namespaces"),
                    path: ppath,
                    ..Policy::default()
                }
            })
            .collect();
        let arn = principal.as_ref().and_then(Field::known);
        let target = arn.and_then(|arn| {
            model.entries.iter().position(|e| {
                e.principal
                    .as_ref()
                    .and_then(Field::known)
                    .is_some_and(|p| p.eq_ignore_ascii_case(arn))
            })
        });
        match target {
            Some(i) => model.entries[i].policies.extend(policies),
            None => model.entries.push(Entry {
                path: path.clone(),
                cluster,
                principal,
                policies,
                association_only: true,
                ..Entry::default()
            }),
        }
    }
    super::link_clusters(&mut model, &[]);
    model
}

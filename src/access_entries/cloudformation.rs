//! CloudFormation templates, YAML or JSON: `AWS::EKS::Cluster` (`AccessConfig`) and
//! `AWS::EKS::AccessEntry` (policies inline).
//!
//! Intrinsic functions are values known only when the stack is deployed. The long
//! form (`{"Ref": …}`, `{"Fn::GetAtt": …}`) is read as such; the YAML short form
//! (`!Ref X`, `!Sub …`, `!GetAtt …`) is a local tag, which Kubernetes' YAML reading
//! drops, so [`with_intrinsics`] turns each tagged node back into its long form from
//! the source text before the template is read. A `ClusterName: !Ref <Cluster>`
//! links the entry to that cluster resource of the same template.

use regorus::Value;

use super::{
    field_bool, field_list, field_string, items, join, link_clusters, Cluster, Entry, Format,
    Model, Path, Policy,
};
use crate::source::{Children, SpanNode};

/// The short-form tags CloudFormation defines, and the function each stands for.
const SHORT_FORMS: [(&str, &str); 20] = [
    ("!Ref", "Ref"),
    ("!Condition", "Condition"),
    ("!Base64", "Fn::Base64"),
    ("!Cidr", "Fn::Cidr"),
    ("!FindInMap", "Fn::FindInMap"),
    ("!GetAtt", "Fn::GetAtt"),
    ("!GetAZs", "Fn::GetAZs"),
    ("!ImportValue", "Fn::ImportValue"),
    ("!Join", "Fn::Join"),
    ("!Select", "Fn::Select"),
    ("!Split", "Fn::Split"),
    ("!Sub", "Fn::Sub"),
    ("!Transform", "Fn::Transform"),
    ("!And", "Fn::And"),
    ("!Equals", "Fn::Equals"),
    ("!If", "Fn::If"),
    ("!Not", "Fn::Not"),
    ("!Or", "Fn::Or"),
    ("!ToJsonString", "Fn::ToJsonString"),
    ("!Length", "Fn::Length"),
];

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether `object` is a CloudFormation template: `AWSTemplateFormatVersion`, or
/// `Resources` whose entries have `AWS::…` types.
pub fn is_template(object: &Value) -> bool {
    if object["apiVersion"] != Value::Undefined {
        return false;
    }
    if matches!(object["AWSTemplateFormatVersion"], Value::String(_)) {
        return true;
    }
    let Value::Object(resources) = &object["Resources"] else {
        return false;
    };
    resources
        .values()
        .any(|r| string(&r["Type"]).is_some_and(|t| t.starts_with("AWS::")))
}

/// The text of an intrinsic function (`Ref PaymentsCluster`, `Fn::GetAtt ["Role","Arn"]`),
/// if `v` is one.
pub fn intrinsic(v: &Value) -> Option<String> {
    let Value::Object(map) = v else {
        return None;
    };
    if map.len() != 1 {
        return None;
    }
    let (key, arg) = map.iter().next()?;
    let key = string(key)?;
    if key != "Ref" && key != "Condition" && !key.starts_with("Fn::") {
        return None;
    }
    let arg = match arg {
        Value::String(s) => s.to_string(),
        // One line, for messages.
        other => other
            .to_json_str()
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .map(|v| v.to_string())
            .unwrap_or_default(),
    };
    Some(format!("{key} {arg}"))
}

/// The short-form tag written just before the node at `start`, if any.
fn tag_before(text: &str, start: usize) -> Option<&'static str> {
    let head = text.get(..start)?;
    let head = head.trim_end_matches([' ', '\t', '\r', '\n']);
    let token_start = head
        .rfind(|c: char| c.is_whitespace() || matches!(c, '[' | '{' | ','))
        .map_or(0, |i| i + 1);
    let token = &head[token_start..];
    let token = if token.starts_with('!') {
        token
    } else {
        // The node's own span may start at its tag.
        let own = text.get(start..)?;
        let end = own.find(char::is_whitespace).unwrap_or(own.len());
        &own[..end]
    };
    SHORT_FORMS
        .iter()
        .find(|(tag, _)| *tag == token)
        .map(|(_, function)| *function)
}

/// `value` with every node written with a short-form tag replaced by the long form
/// (`!Ref X` → `{"Ref": "X"}`). Paths that reach such a node still resolve to it.
pub fn with_intrinsics(value: &Value, spans: &SpanNode, text: &str) -> Value {
    let wrapped = |inner: Value| match tag_before(text, spans.span.start) {
        Some(function) => {
            let mut map = std::collections::BTreeMap::new();
            map.insert(Value::from(function), inner);
            Value::from(map)
        }
        None => inner,
    };
    match (value, &spans.children) {
        (Value::Object(map), Children::Map(children)) => {
            let mut out = std::collections::BTreeMap::new();
            for (k, v) in map.iter() {
                let child = string(k).and_then(|k| {
                    children
                        .iter()
                        .rev()
                        .find(|(key, _)| key == k)
                        .map(|(_, node)| node)
                });
                let v = match child {
                    Some(node) => with_intrinsics(v, node, text),
                    None => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            wrapped(Value::from(out))
        }
        (Value::Array(list), Children::Seq(children)) => {
            let out: Vec<Value> = list
                .iter()
                .zip(children.iter())
                .map(|(v, node)| with_intrinsics(v, node, text))
                .collect();
            wrapped(Value::from(out))
        }
        (Value::Object(_) | Value::Array(_), _) => value.clone(),
        _ => wrapped(value.clone()),
    }
}

/// Reads the EKS clusters and access entries of a template.
pub fn read(template: &Value) -> Model {
    let f = Format::CloudFormation;
    let mut model = Model::new(f);
    let mut links = Vec::new();
    let Value::Object(resources) = &template["Resources"] else {
        return model;
    };
    let base: Path = vec![Value::from("Resources")];
    for (id, resource) in resources.iter() {
        let Some(id) = string(id) else { continue };
        let at = join(&base, id);
        let props = &resource["Properties"];
        let props_path = join(&at, "Properties");
        match string(&resource["Type"]) {
            Some("AWS::EKS::Cluster") => {
                let ac = &props["AccessConfig"];
                let ac_path = join(&props_path, "AccessConfig");
                model.clusters.push(Cluster {
                    path: at.clone(),
                    link: Some(id.to_string()),
                    name: field_string(f, props, &props_path, "Name"),
                    access_config_path: (*ac != Value::Undefined).then(|| ac_path.clone()),
                    settings_path: Some(ac_path.clone()),
                    authentication_mode: field_string(f, ac, &ac_path, "AuthenticationMode"),
                    default_mode: "CONFIG_MAP",
                    bootstrap_admin: field_bool(
                        f,
                        ac,
                        &ac_path,
                        "BootstrapClusterCreatorAdminPermissions",
                    ),
                    default_bootstrap: true,
                });
            }
            Some("AWS::EKS::AccessEntry") => {
                let list = join(&props_path, "AccessPolicies");
                let policies = items(&props["AccessPolicies"])
                    .map(|(i, p)| {
                        let p_at = join(&list, i);
                        let scope = &p["AccessScope"];
                        let scope_path = join(&p_at, "AccessScope");
                        Policy {
                            arn: field_string(f, p, &p_at, "PolicyArn"),
                            scope_type: field_string(f, scope, &scope_path, "Type"),
                            namespaces: field_list(f, scope, &scope_path, "Namespaces"),
                            scope_path: (*scope != Value::Undefined).then_some(scope_path),
                            path: p_at,
                            address: None,
                            widened: Vec::new(),
                        }
                    })
                    .collect();
                links.push(match &props["ClusterName"]["Ref"] {
                    Value::String(r) => Some(r.to_string()),
                    _ => None,
                });
                model.entries.push(Entry {
                    address: Some(format!("Resources.{id}")),
                    cluster: field_string(f, props, &props_path, "ClusterName"),
                    principal: field_string(f, props, &props_path, "PrincipalArn"),
                    kind: field_string(f, props, &props_path, "Type"),
                    username: field_string(f, props, &props_path, "Username"),
                    groups: field_list(f, props, &props_path, "KubernetesGroups"),
                    policies,
                    path: at.clone(),
                    ..Entry::default()
                });
            }
            _ => {}
        }
    }
    link_clusters(&mut model, &links);
    model
}

//! EKS access entries: who gets into a cluster through the cluster access management
//! API, wherever it is declared. One model ([`Model`]: clusters with their
//! `accessConfig`, entries with their principal, type, username, groups and access
//! policy associations), many readers, one per format:
//!
//! | format | recognised by | reader |
//! |---|---|---|
//! | eksctl `ClusterConfig` (`accessConfig`, `iamIdentityMappings`) | `apiVersion: eksctl.io/*` | [`kube::eksctl`] |
//! | ACK `eks.services.k8s.aws` `AccessEntry`, `Cluster` | API group | [`kube::ack`] |
//! | Crossplane `eks.aws.upbound.io` / `eks.aws.m.upbound.io` `AccessEntry`, `AccessPolicyAssociation`, `Cluster` | API group | [`kube::crossplane`] |
//! | CloudFormation template (YAML or JSON) | `AWSTemplateFormatVersion`, or `Resources` of `AWS::…` types | [`cloudformation`] |
//! | Terraform plan (`terraform show -json`) | `format_version` and `resource_changes` | [`terraform_plan`] |
//! | Terraform configuration (`.tf`, `.tf.json`): provider resources, terraform-aws-modules/eks `access_entries` | `resource` / `module` with EKS access settings | [`terraform`] |
//! | EKS API output (`DescribeCluster`, `DescribeAccessEntry`, `ListAssociatedAccessPolicies` combined) | those operation names as keys | [`eks_api`] |
//!
//! Every field keeps the path to where it is written in its document, so a finding
//! lands on the exact line. A value that cannot be known before apply (a
//! CloudFormation `!Ref`, a plan's `after_unknown`, a Terraform expression) is [`Val::Unknown`] with the
//! expression as written: it is reported as unknown, never guessed.
//!
//! Rules see the model as `input.facts.accessConfig` ([`facts`]); documents that are
//! not Kubernetes objects (templates, plans) get a synthetic review kind
//! ([`synthetic_kind`]) so that rules can declare them in `metadata.kinds`.

pub mod change;
pub mod cloudformation;
pub mod eks_api;
pub mod facts;
pub mod kube;
pub mod policies;
pub mod principal;
pub mod run;
pub mod terraform;
pub mod terraform_plan;

pub use facts::facts;

use regorus::Value;

/// A path into the document, as rules return it: keys and indexes.
pub type Path = Vec<Value>;

/// Appends `seg` to a copy of `path`.
pub fn join(path: &Path, seg: impl Into<Seg>) -> Path {
    let mut out = path.clone();
    out.push(seg.into().0);
    out
}

/// One path segment: a key or an index.
pub struct Seg(Value);

impl From<&str> for Seg {
    fn from(s: &str) -> Seg {
        Seg(Value::from(s))
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg(Value::from(i as u64))
    }
}

/// The formats access configuration is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Eksctl,
    Ack,
    Crossplane,
    CloudFormation,
    TerraformPlan,
    Terraform,
    EksApi,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Eksctl => "eksctl",
            Format::Ack => "ack",
            Format::Crossplane => "crossplane",
            Format::CloudFormation => "cloudformation",
            Format::TerraformPlan => "terraform-plan",
            Format::Terraform => "terraform",
            Format::EksApi => "eks-api",
        }
    }
}

/// A value as written, or an expression whose value is known only at apply.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<T> {
    Known(T),
    /// The expression as written (`!Ref PaymentsCluster`, `aws_iam_role.ci.arn`).
    Unknown(String),
}

impl<T> Val<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Val::Known(v) => Some(v),
            Val::Unknown(_) => None,
        }
    }
}

/// A field: its value and where it is written.
#[derive(Clone, Debug)]
pub struct Field<T> {
    pub val: Val<T>,
    pub path: Path,
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        self.val.known()
    }
}

/// An EKS cluster's access settings.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    /// Where the cluster is declared.
    pub path: Path,
    /// The key that links entries to it in the same document (a CloudFormation
    /// logical id), if any.
    pub link: Option<String>,
    pub name: Option<Field<String>>,
    /// `accessConfig` as written (for findings about a setting left out).
    pub access_config_path: Option<Path>,
    /// Where `accessConfig` is, or would be written: a setting left out is reported
    /// at its own path there (which lands on the nearest node that exists, or on a
    /// comment of that block naming the setting). `None` where settings are not
    /// written in such a block (the EKS module's inputs, plans).
    pub settings_path: Option<Path>,
    pub authentication_mode: Option<Field<String>>,
    /// What EKS (or the tool) uses when the mode is not written.
    pub default_mode: &'static str,
    pub bootstrap_admin: Option<Field<bool>>,
    /// What applies when the flag is not written.
    pub default_bootstrap: bool,
}

/// One access policy association.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub path: Path,
    /// The resource that declares it, when that is not its entry's (Terraform).
    pub address: Option<String>,
    pub arn: Option<Field<String>>,
    /// `accessScope`, where written.
    pub scope_path: Option<Path>,
    pub scope_type: Option<Field<String>>,
    pub namespaces: Option<FieldList>,
    pub widened: Vec<Widened>,
}

/// A list of strings: the list's own value may be unknown, and so may each item.
#[derive(Clone, Debug)]
pub struct FieldList {
    pub path: Path,
    /// `None` when the list as a whole is an expression (its text in `unknown`).
    pub items: Option<Vec<Field<String>>>,
    pub unknown: Option<String>,
}

/// An access entry (or, for formats that keep associations apart, an association
/// whose entry is declared elsewhere: `association_only`).
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub path: Path,
    /// A Terraform resource address or a CloudFormation logical id, for messages.
    pub address: Option<String>,
    pub cluster: Option<Field<String>>,
    /// Index into [`Model::clusters`] of the cluster it is linked to.
    pub cluster_index: Option<usize>,
    pub principal: Option<Field<String>>,
    pub kind: Option<Field<String>>,
    pub username: Option<Field<String>>,
    pub groups: Option<FieldList>,
    pub policies: Vec<Policy>,
    pub association_only: bool,
    /// Keys the format does not know, with their paths (a typo drops the setting).
    pub unknown_keys: Vec<(String, Path)>,
    /// How a change widens the entry's rights (a Terraform plan's `before` → `after`).
    pub widened: Vec<Widened>,
}

/// One way a planned change widens rights, and where.
#[derive(Clone, Debug)]
pub struct Widened {
    pub what: String,
    pub path: Path,
}

/// An eksctl `iamIdentityMappings` item: an aws-auth mapping declared beside the
/// access entries.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub path: Path,
    pub arn: Option<Field<String>>,
    pub username: Option<Field<String>>,
    pub groups: Option<FieldList>,
}

/// Everything one document declares.
#[derive(Clone, Debug)]
pub struct Model {
    pub format: Format,
    pub clusters: Vec<Cluster>,
    pub entries: Vec<Entry>,
    pub mappings: Vec<Mapping>,
}

impl Model {
    fn new(format: Format) -> Model {
        Model {
            format,
            clusters: Vec::new(),
            entries: Vec::new(),
            mappings: Vec::new(),
        }
    }
}

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// The format of `object`, by its content.
pub fn format_of(object: &Value) -> Option<Format> {
    if let (Some(api), Some(kind)) = (string(&object["apiVersion"]), string(&object["kind"])) {
        let group = api.split_once('/').map_or("", |(g, _)| g);
        return match (group, kind) {
            ("eksctl.io", "ClusterConfig") => Some(Format::Eksctl),
            ("eks.services.k8s.aws", "AccessEntry" | "Cluster") => Some(Format::Ack),
            (
                "eks.aws.upbound.io" | "eks.aws.m.upbound.io",
                "AccessEntry" | "AccessPolicyAssociation" | "Cluster",
            ) => Some(Format::Crossplane),
            _ => None,
        };
    }
    if cloudformation::is_template(object) {
        return Some(Format::CloudFormation);
    }
    if terraform_plan::is_plan(object) {
        return Some(Format::TerraformPlan);
    }
    if terraform::is_configuration(object) {
        return Some(Format::Terraform);
    }
    if eks_api::is_state(object) {
        return Some(Format::EksApi);
    }
    None
}

/// The review kind of a document that is not a Kubernetes object but a format
/// read here: `CloudFormationTemplate`, `TerraformPlan`, `TerraformConfiguration` or
/// `EksAccessState`
/// (group `blastwall.dev`).
/// Rules name these in `metadata.kinds` like any other kind.
pub fn synthetic_kind(object: &Value) -> Option<&'static str> {
    if object["kind"] != Value::Undefined {
        return None;
    }
    match format_of(object)? {
        Format::CloudFormation => Some("CloudFormationTemplate"),
        Format::TerraformPlan => Some("TerraformPlan"),
        Format::Terraform => Some("TerraformConfiguration"),
        Format::EksApi => Some("EksAccessState"),
        _ => None,
    }
}

/// The group of the synthetic review kinds.
pub const SYNTHETIC_GROUP: &str = "blastwall.dev";

/// Reads `object` into the model, if it is in one of the formats.
pub fn read(object: &Value) -> Option<Model> {
    let model = match format_of(object)? {
        Format::Eksctl => kube::eksctl(object),
        Format::Ack => kube::ack(object),
        Format::Crossplane => kube::crossplane(object),
        Format::CloudFormation => cloudformation::read(object),
        Format::TerraformPlan => terraform_plan::read(object),
        Format::Terraform => terraform::read(object),
        Format::EksApi => eks_api::read(object),
    };
    Some(model)
}

/// Reads a string-valued field: a string as written; for CloudFormation an
/// intrinsic function (`{"Ref": …}`, `{"Fn::…": …}`) is unknown, for Terraform a
/// string with an interpolation (`"${aws_iam_role.ci.arn}"`).
pub(crate) fn val_string(format: Format, v: &Value) -> Option<Val<String>> {
    match v {
        Value::String(s) if format == Format::Terraform && s.contains("${") => {
            let whole = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|r| !r.contains("${"));
            Some(Val::Unknown(whole.unwrap_or(s).to_string()))
        }
        Value::String(s) => Some(Val::Known(s.to_string())),
        Value::Bool(b) => Some(Val::Known(b.to_string())),
        Value::Number(_) => Some(Val::Known(v.to_json_str().unwrap_or_default())),
        Value::Object(_) if format == Format::CloudFormation => {
            cloudformation::intrinsic(v).map(Val::Unknown)
        }
        _ => None,
    }
}

/// Reads a boolean field; YAML/JSON booleans, and `"true"`/`"false"` strings for
/// CloudFormation (which accepts them).
pub(crate) fn val_bool(format: Format, v: &Value) -> Option<Val<bool>> {
    match v {
        Value::Bool(b) => Some(Val::Known(*b)),
        Value::String(s) if format == Format::CloudFormation => {
            match s.to_ascii_lowercase().as_str() {
                "true" => Some(Val::Known(true)),
                "false" => Some(Val::Known(false)),
                _ => None,
            }
        }
        Value::Object(_) if format == Format::CloudFormation => {
            cloudformation::intrinsic(v).map(Val::Unknown)
        }
        Value::String(s) if format == Format::Terraform && s.contains("${") => {
            Some(Val::Unknown(s.to_string()))
        }
        _ => None,
    }
}

/// The string field `key` of `parent` (at `path`).
pub(crate) fn field_string(
    format: Format,
    parent: &Value,
    path: &Path,
    key: &str,
) -> Option<Field<String>> {
    val_string(format, &parent[key]).map(|val| Field {
        val,
        path: join(path, key),
    })
}

pub(crate) fn field_bool(
    format: Format,
    parent: &Value,
    path: &Path,
    key: &str,
) -> Option<Field<bool>> {
    val_bool(format, &parent[key]).map(|val| Field {
        val,
        path: join(path, key),
    })
}

/// The list-of-strings field `key` of `parent`.
pub(crate) fn field_list(
    format: Format,
    parent: &Value,
    path: &Path,
    key: &str,
) -> Option<FieldList> {
    let v = &parent[key];
    let path = join(path, key);
    match v {
        Value::Array(items) => Some(FieldList {
            items: Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        val_string(format, item).map(|val| Field {
                            val,
                            path: join(&path, i),
                        })
                    })
                    .collect(),
            ),
            unknown: None,
            path,
        }),
        Value::String(s) if format == Format::Terraform && s.contains("${") => Some(FieldList {
            path,
            items: None,
            unknown: Some(s.to_string()),
        }),
        Value::Object(_) if format == Format::CloudFormation => {
            cloudformation::intrinsic(v).map(|text| FieldList {
                path,
                items: None,
                unknown: Some(text),
            })
        }
        _ => None,
    }
}

/// Keys of the mapping `v` that are not in `known`, with their paths.
pub(crate) fn unknown_keys(v: &Value, path: &Path, known: &[&str]) -> Vec<(String, Path)> {
    let Value::Object(map) = v else {
        return Vec::new();
    };
    map.keys()
        .filter_map(string)
        .filter(|k| !known.contains(k))
        .map(|k| (k.to_string(), join(path, k)))
        .collect()
}

/// The items of the array at `v`, with their indexes; nothing for anything else.
pub(crate) fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    let slice: &[Value] = match v {
        Value::Array(items) => items.as_slice(),
        _ => &[],
    };
    slice.iter().enumerate()
}

/// Links entries to the clusters of the same model: by link key (a
/// CloudFormation `Ref`), else by a known cluster name.
pub(crate) fn link_clusters(model: &mut Model, links: &[Option<String>]) {
    for (i, entry) in model.entries.iter_mut().enumerate() {
        if let Some(Some(link)) = links.get(i) {
            if let Some(c) = model
                .clusters
                .iter()
                .position(|c| c.link.as_deref() == Some(link))
            {
                entry.cluster_index = Some(c);
                continue;
            }
        }
        let Some(name) = entry.cluster.as_ref().and_then(|c| c.known()) else {
            continue;
        };
        entry.cluster_index = model
            .clusters
            .iter()
            .position(|c| c.name.as_ref().and_then(|n| n.known()) == Some(name));
    }
}

/// Folds associations that name the same (cluster, principal) as an entry of the
/// model into that entry; the rest stay association-only entries.
pub(crate) fn merge_associations(model: &mut Model) {
    let key = |e: &Entry| -> Option<(Option<String>, String)> {
        let principal = e.principal.as_ref()?.known()?.to_ascii_lowercase();
        let cluster = e.cluster.as_ref().and_then(|c| c.known()).cloned();
        Some((cluster, principal))
    };
    let mut kept: Vec<Entry> = Vec::new();
    let mut associations = Vec::new();
    for e in model.entries.drain(..) {
        if e.association_only {
            associations.push(e);
        } else {
            kept.push(e);
        }
    }
    for a in associations {
        let target = key(&a).and_then(|k| {
            kept.iter()
                .position(|e| !e.association_only && key(e).as_ref() == Some(&k))
        });
        match target {
            Some(i) => kept[i].policies.extend(a.policies),
            None => kept.push(a),
        }
    }
    model.entries = kept;
}

#[cfg(test)]
mod tests;

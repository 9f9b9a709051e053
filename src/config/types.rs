//! The config file's shape. Every struct rejects unknown fields, and every string
//! with a syntax (globs, ARNs, security group ids, registries) is parsed while
//! deserializing, so a `Config` that exists is well-formed; checks across fields
//! (overlapping ownership) live in [`super::validate`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use super::arn::RoleArnGlob;
pub use super::glob::{NamespaceGlob, SubjectGlob};

/// The tenancy model and rule settings of one cluster (`.blastwall.yaml`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "blastwall config")]
pub struct Config {
    pub api_version: ApiVersion,
    pub kind: ConfigKind,
    /// The cluster this config describes.
    #[serde(default)]
    pub cluster: Cluster,
    /// The products sharing the cluster, by name, and what each owns.
    #[serde(default)]
    pub products: BTreeMap<String, Product>,
    /// Principals allowed to administer the whole cluster.
    #[serde(default)]
    pub admins: Admins,
    /// IAM roles of the worker nodes; aws-auth must keep mapping each of them.
    #[serde(default)]
    pub node_roles: Vec<RoleArnGlob>,
    /// Namespaces that belong to the platform rather than to a product (objects
    /// there are never `unowned-namespace`). Defaults to the Kubernetes system namespaces.
    #[serde(default = "default_shared_namespaces")]
    pub shared_namespaces: Vec<NamespaceGlob>,
    /// Image registry prefixes any product may pull from (base images, add-ons).
    #[serde(default)]
    pub shared_registries: Vec<RegistryPrefix>,
    /// Per-rule settings, by rule id.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSettings>,
    /// Findings accepted for a while, with a reason and an owner.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Directories of extra rule modules, relative to this file; added to the
    /// built-in rules as `--rules DIR` is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_dirs: Vec<std::path::PathBuf>,
    /// Gatekeeper ConstraintTemplates and Constraints to enforce beside the rules:
    /// files or directories of their manifests, relative to this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gatekeeper: Vec<std::path::PathBuf>,
    /// Where blastwall's own webhook lives, so that `webhook-config-tamper` can guard it.
    #[serde(default)]
    pub webhook: WebhookObjects,
    /// Honour `blastwall.dev/exempt` annotations in `blastwall lint` for rules
    /// marked exemptible. Never honoured by the webhook.
    #[serde(default)]
    pub inline_exemptions: bool,
    /// Custom resources that carry a pod spec, and where: the workload and tenancy
    /// rules check their pods as they check a Deployment's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<WorkloadKind>,
    /// What `blastwall lint` reads of directories beyond Kubernetes manifests.
    #[serde(default, skip_serializing_if = "LintInputs::is_default")]
    pub lint: LintInputs,
    /// The file the config was read from, with the place of every node.
    #[serde(skip)]
    #[schemars(skip)]
    pub source: Option<std::sync::Arc<ConfigSource>>,
}

/// The text of a config file and where each of its nodes is, so that findings and
/// errors about the config can point into it.
#[derive(Debug)]
pub struct ConfigSource {
    pub file: crate::source::SourceFile,
    pub spans: crate::source::SpanNode,
}

/// What `blastwall lint` reads of directories beyond `*.yaml`, `*.yml` and
/// `*.json`: the same as its `--terraform` and `--cloudformation` flags (a flag
/// turns a reading on even when the config leaves it off).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LintInputs {
    /// Also read the Terraform files (`*.tf`) of directories, for the EKS access
    /// entries and cluster access settings they declare.
    #[serde(default)]
    pub terraform: bool,
    /// Also read the CloudFormation templates named `*.template` of directories.
    #[serde(default)]
    pub cloudformation: bool,
}

impl LintInputs {
    fn is_default(&self) -> bool {
        *self == LintInputs::default()
    }
}

/// The names of the webhook's own objects; the defaults are those of `webhook/deploy/`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebhookObjects {
    /// The namespace of its Deployment and ConfigMap.
    #[serde(default = "default_webhook_namespace")]
    pub namespace: String,
    /// The ValidatingWebhookConfiguration that registers it.
    #[serde(default = "default_webhook_configuration")]
    pub validating_webhook_configuration: String,
    /// The Deployment that runs it.
    #[serde(default = "default_webhook_deployment")]
    pub deployment: String,
    /// The ConfigMap that holds its config.
    #[serde(default = "default_webhook_config_map")]
    pub config_map: String,
}

fn default_webhook_namespace() -> String {
    "blastwall-system".into()
}
fn default_webhook_configuration() -> String {
    "blastwall".into()
}
fn default_webhook_deployment() -> String {
    "blastwall-webhook".into()
}
fn default_webhook_config_map() -> String {
    "blastwall-config".into()
}

impl Default for WebhookObjects {
    fn default() -> Self {
        WebhookObjects {
            namespace: default_webhook_namespace(),
            validating_webhook_configuration: default_webhook_configuration(),
            deployment: default_webhook_deployment(),
            config_map: default_webhook_config_map(),
        }
    }
}

fn default_shared_namespaces() -> Vec<NamespaceGlob> {
    ["kube-system", "kube-public", "kube-node-lease"]
        .iter()
        .filter_map(|n| {
            super::glob::Glob::parse(n, super::glob::Alphabet::Namespace)
                .ok()
                .map(NamespaceGlob)
        })
        .collect()
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum ApiVersion {
    #[serde(rename = "blastwall.dev/v1alpha1")]
    V1Alpha1,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum ConfigKind {
    Config,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    #[serde(default)]
    pub name: Option<String>,
    /// For a single-tenant cluster: the product that owns every namespace in it.
    #[serde(default)]
    pub product: Option<String>,
}

/// What one product owns.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Product {
    /// Namespaces (globs). A Namespace labelled `blastwall.dev/product: <name>` belongs
    /// to the product too, and the label wins over these globs.
    #[serde(default)]
    pub namespaces: Vec<NamespaceGlob>,
    /// RBAC groups (globs) the product's people and automation are in.
    #[serde(default)]
    pub groups: Vec<SubjectGlob>,
    /// RBAC user names (globs) that belong to the product.
    #[serde(default)]
    pub users: Vec<SubjectGlob>,
    /// IAM roles (ARN globs) the product's people, pipelines and IRSA pods assume.
    #[serde(default)]
    pub iam_roles: Vec<RoleArnGlob>,
    /// EKS clusters (name globs) dedicated to the product: access entries that let
    /// another product's principal into them are reported.
    #[serde(default)]
    pub clusters: Vec<SubjectGlob>,
    /// Labels that mark the node groups dedicated to the product.
    #[serde(default)]
    pub node_labels: BTreeMap<String, String>,
    /// Taints (`key: value`) that keep other products off the product's nodes.
    #[serde(default)]
    pub node_taints: BTreeMap<String, String>,
    /// EC2 security groups (`sg-…`) that belong to the product.
    #[serde(default)]
    pub security_groups: Vec<SecurityGroupId>,
    /// Image registry prefixes (`<registry>/<path>/`) that hold the product's images.
    #[serde(default)]
    pub registries: Vec<RegistryPrefix>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Admins {
    #[serde(default)]
    pub groups: Vec<SubjectGlob>,
    #[serde(default)]
    pub users: Vec<SubjectGlob>,
    #[serde(default)]
    pub iam_roles: Vec<RoleArnGlob>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSettings {
    /// What the rule's findings do in CI and at admission; each defaults to the
    /// rule's severity.
    #[serde(default)]
    pub enforcement: Option<Enforcement>,
    /// Rule parameters: the names and defaults each rule documents (`blastwall rules
    /// <id>`); a value must have the type of its default.
    #[serde(default)]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
    /// What the rule's pre-existing findings do: on an update, a finding the object
    /// already had before the change. Default `report`: shown, but they neither deny
    /// at admission nor fail CI.
    #[serde(default)]
    pub pre_existing: Option<PreExisting>,
}

/// How findings that already held before a change are treated.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PreExisting {
    /// Report them without denying or failing (the default).
    Report,
    /// Treat them like new findings.
    Enforce,
}

/// What a rule's findings do at each enforcement point.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Enforcement {
    /// `blastwall lint`: the severity its findings are reported with (and the exit
    /// code follows), or `off` to drop them.
    #[serde(default)]
    pub ci: Option<CiAction>,
    /// The admission webhook (and `blastwall review`): deny the request, allow it
    /// with a warning, record it in the audit log only, or ignore the finding.
    #[serde(default)]
    pub webhook: Option<WebhookAction>,
}

/// Enums written as lowercase words. YAML 1.1 (which Kubernetes, and so this file,
/// follows) reads an unquoted `off` as `false`: that is accepted as `off`.
macro_rules! word_enum {
    ($name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        write!(f, "one of {}", $name::WORDS.join(", "))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        match v {
                            $($word => Ok($name::$variant),)+
                            other => Err(E::custom(format!(
                                "unknown value `{other}`, expected one of {}",
                                $name::WORDS.join(", ")
                            ))),
                        }
                    }
                    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<$name, E> {
                        if v {
                            Err(E::invalid_value(serde::de::Unexpected::Bool(v), &self))
                        } else {
                            self.visit_str("off")
                        }
                    }
                }
                d.deserialize_any(Visitor)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": "Unquoted `off` is read as `false` in YAML 1.1; both mean `off`.",
                    "anyOf": [{"enum": $name::WORDS}, {"const": false}]
                })
            }
        }
    };
}

word_enum!(CiAction {
    Error => "error",
    Warning => "warning",
    Info => "info",
    Off => "off",
});

word_enum!(WebhookAction {
    Deny => "deny",
    Warn => "warn",
    Audit => "audit",
    Off => "off",
});

/// Findings of some rules accepted for some objects until a date. At least one of
/// `namespace`, `kind`, `name` and `selector` narrows it; all that are given must match.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Exemption {
    /// The rule id, or a list of them.
    pub rule: RuleIds,
    /// The object's namespace (a glob); for a Namespace, its own name.
    #[serde(default)]
    pub namespace: Option<NamespaceGlob>,
    /// The object's kind, e.g. `DaemonSet`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The object's name (a glob).
    #[serde(default)]
    pub name: Option<SubjectGlob>,
    /// The object's labels, as in a Kubernetes label selector.
    #[serde(default)]
    pub selector: Option<LabelSelector>,
    /// Why the findings are accepted.
    pub reason: String,
    /// Who answers for the exemption (a team, a person).
    pub owner: String,
    /// Last day the exemption holds (`YYYY-MM-DD`, UTC); from the next day on the
    /// findings count again and the exemption is reported as expired.
    pub expires: Date,
}

/// One rule id or several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleIds(pub Vec<String>);

impl<'de> Deserialize<'de> for RuleIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RuleIds;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a rule id or a list of rule ids")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RuleIds, E> {
                Ok(RuleIds(vec![v.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RuleIds, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(serde::de::Error::custom("the list of rule ids is empty"));
                }
                Ok(RuleIds(ids))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Serialize for RuleIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl JsonSchema for RuleIds {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleIds".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A rule id, or a list of rule ids.",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1}
            ]
        })
    }
}

/// A Kubernetes label selector: every `matchLabels` pair and every expression must hold.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub match_expressions: Vec<LabelExpression>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelExpression {
    pub key: String,
    pub operator: LabelOperator,
    /// For `In` and `NotIn`; empty for `Exists` and `DoesNotExist`.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum LabelOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// A calendar date, `YYYY-MM-DD`. Ordered as dates are.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub String);

impl Date {
    /// Parses `YYYY-MM-DD`, checking that the day exists in that month.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("bad date `{text}`: expected YYYY-MM-DD");
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return Err(bad());
        }
        let year: u32 = text[..4].parse().map_err(|_| bad())?;
        let month: u32 = text[5..7].parse().map_err(|_| bad())?;
        let day: u32 = text[8..10].parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(format!("bad date `{text}`: there is no such day"));
        }
        Ok(Date(text.to_string()))
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_unix_days(days: i64) -> Date {
        let (year, month, day) = civil_from_days(days);
        Date(format!("{year:04}-{month:02}-{day:02}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Year, month and day of the day `days` after 1970-01-01 (proleptic Gregorian;
/// Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date"})
    }
}

/// An EC2 security group id: `sg-` and 8 or 17 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecurityGroupId(pub String);

impl<'de> Deserialize<'de> for SecurityGroupId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let hex = text.strip_prefix("sg-").unwrap_or("");
        if matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(SecurityGroupId(text))
        } else {
            Err(serde::de::Error::custom(format!(
                "bad security group id `{text}`: expected sg- and 8 or 17 lowercase hex digits"
            )))
        }
    }
}

impl Serialize for SecurityGroupId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for SecurityGroupId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecurityGroupId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^sg-([0-9a-f]{8}|[0-9a-f]{17})$"})
    }
}

/// A kind of object that carries a pod spec (`workloads`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadKind {
    /// The API group (`example.com`), or a group and version (`example.com/v1`) to
    /// match that version only.
    pub api_version: ApiGroup,
    /// The kind, as written in the object (`WebApp`).
    pub kind: String,
    /// Where the pod spec is, as dotted keys (`spec.template.spec`).
    pub pod_spec: PodSpecPath,
}

impl WorkloadKind {
    /// Whether an object of `api_version` and `kind` is one of these.
    pub fn matches(&self, api_version: &str, kind: &str) -> bool {
        if kind != self.kind {
            return false;
        }
        let wanted = self.api_version.0.as_str();
        if wanted.contains('/') {
            return wanted == api_version;
        }
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        wanted == group
    }
}

/// An API group, or a group and version (`workloads[].apiVersion`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ApiGroup(pub String);

impl JsonSchema for ApiGroup {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ApiGroup".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An API group (`example.com`), or a group and version (`example.com/v1`).",
            "pattern": "^[-a-z0-9.]+(/[-a-z0-9]+)?$",
        })
    }
}

impl<'de> Deserialize<'de> for ApiGroup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (group, version) = match text.split_once('/') {
            Some((g, v)) => (g, Some(v)),
            None => (text.as_str(), None),
        };
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        };
        if !name_ok(group) || version.is_some_and(|v| !name_ok(v) || v.contains('.')) {
            return Err(serde::de::Error::custom(format!(
                "bad apiVersion `{text}`: write the custom resource's API group (`example.com`) or group and version (`example.com/v1`)"
            )));
        }
        Ok(ApiGroup(text))
    }
}

/// Dotted keys from the object to its pod spec (`spec.template.spec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSpecPath(pub Vec<String>);

impl<'de> Deserialize<'de> for PodSpecPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let keys: Vec<String> = text.split('.').map(str::to_string).collect();
        if keys
            .iter()
            .any(|k| k.is_empty() || k.chars().any(char::is_whitespace))
        {
            return Err(serde::de::Error::custom(format!(
                "bad podSpec `{text}`: write the keys from the object to its pod spec joined by dots, e.g. `spec.template.spec`"
            )));
        }
        Ok(PodSpecPath(keys))
    }
}

impl Serialize for PodSpecPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.join("."))
    }
}

impl JsonSchema for PodSpecPath {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PodSpecPath".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "The keys from the object to its pod spec, joined by dots (`spec.template.spec`).",
            "pattern": "^[^.\\s]+(\\.[^.\\s]+)*$",
        })
    }
}

/// An image reference prefix, `<registry host>[/<path>]`. It matches whole path
/// components: `ecr.example/payroll` matches `ecr.example/payroll/api:1` but not
/// `ecr.example/payroll-tools/x`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegistryPrefix(pub String);

impl RegistryPrefix {
    /// The prefix without its trailing `/`.
    pub fn trimmed(&self) -> &str {
        self.0.trim_end_matches('/')
    }

    /// Whether `image` (already normalized, see [`normalize_image`]) lies under this prefix.
    pub fn covers(&self, image: &str) -> bool {
        let prefix = self.trimmed();
        match image.strip_prefix(prefix) {
            Some(rest) => {
                rest.is_empty() || rest.starts_with(['/', ':', '@']) || prefix.ends_with(':')
            }
            None => false,
        }
    }

    /// Whether one prefix lies under the other (some image would be under both).
    pub fn overlaps(&self, other: &RegistryPrefix) -> bool {
        self.covers(other.trimmed()) || other.covers(self.trimmed())
    }
}

/// Spells out the Docker Hub defaults: `nginx:1` → `docker.io/library/nginx:1`.
pub fn normalize_image(image: &str) -> String {
    normalized_image(image).into_owned()
}

/// [`normalize_image`], borrowing `image` when it names its registry already.
pub fn normalized_image(image: &str) -> std::borrow::Cow<'_, str> {
    let first = image.split('/').next().unwrap_or("");
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        std::borrow::Cow::Borrowed(image)
    } else if image.contains('/') {
        std::borrow::Cow::Owned(format!("docker.io/{image}"))
    } else {
        std::borrow::Cow::Owned(format!("docker.io/library/{image}"))
    }
}

impl<'de> Deserialize<'de> for RegistryPrefix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let why = if text.trim_end_matches('/').is_empty() {
            Some("it is empty")
        } else if text.contains("://") {
            Some("write the registry host without a scheme")
        } else if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("it contains whitespace")
        } else if text.contains('*') {
            Some("registries are prefixes; write them without `*`")
        } else {
            None
        };
        match why {
            Some(why) => Err(serde::de::Error::custom(format!(
                "bad registry prefix `{text}`: {why}"
            ))),
            None => Ok(RegistryPrefix(text)),
        }
    }
}

impl Serialize for RegistryPrefix {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for RegistryPrefix {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RegistryPrefix".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An image prefix, `<registry host>[/<path>]`, matched on whole path components.",
            "pattern": "^[^\\s*]+$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_prefixes_match_whole_components() {
        let p = RegistryPrefix("ecr.example/payroll/".into());
        assert!(p.covers("ecr.example/payroll/api:1"));
        assert!(!p.covers("ecr.example/payroll-tools/x:1"));
        assert!(p.overlaps(&RegistryPrefix("ecr.example".into())));
        assert!(!p.overlaps(&RegistryPrefix("ecr.example/billing".into())));
    }

    #[test]
    fn dates_must_exist() {
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2100-02-29").is_err());
        assert!(Date::parse("2027-04-31").is_err());
        assert!(Date::parse("2027-4-30").is_err());
        assert!(Date::parse("2027-13-01").is_err());
    }

    #[test]
    fn unix_days_are_calendar_dates() {
        assert_eq!(Date::from_unix_days(0).as_str(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).as_str(), "2024-02-29");
        assert_eq!(Date::from_unix_days(20_819).as_str(), "2027-01-01");
        assert_eq!(Date::from_unix_days(-1).as_str(), "1969-12-31");
    }

    #[test]
    fn docker_hub_defaults_are_spelled_out() {
        assert_eq!(normalize_image("nginx:1"), "docker.io/library/nginx:1");
        assert_eq!(normalize_image("bitnami/redis"), "docker.io/bitnami/redis");
        assert_eq!(normalize_image("ghcr.io/a/b:1"), "ghcr.io/a/b:1");
        assert_eq!(normalize_image("localhost/x"), "localhost/x");
    }

    fn parse(extra: &str) -> Result<Config, String> {
        let text = format!("apiVersion: blastwall.dev/v1alpha1\nkind: Config\n{extra}");
        crate::config::parse("c.yaml", text).map_err(|e| e.to_string())
    }

    #[test]
    fn pre_existing_is_report_or_enforce() {
        let c = parse("rules:\n  run-as-root: {preExisting: enforce}\n").unwrap();
        assert_eq!(
            c.rules["run-as-root"].pre_existing,
            Some(PreExisting::Enforce)
        );
        let err = parse("rules:\n  run-as-root: {preExisting: ignore}\n").unwrap_err();
        assert!(err.starts_with("c.yaml:4:"), "{err}");
        assert!(err.contains("ignore"), "{err}");
    }

    #[test]
    fn webhook_objects_default_to_the_shipped_manifests_and_are_checked() {
        let c = parse("").unwrap();
        assert_eq!(c.webhook, WebhookObjects::default());
        assert_eq!(c.webhook.namespace, "blastwall-system");
        let c = parse("webhook: {namespace: guard}\n").unwrap();
        assert_eq!(c.webhook.namespace, "guard");
        assert_eq!(c.webhook.deployment, "blastwall-webhook");
        let err = parse("webhook:\n  deployment: Blastwall_Webhook\n").unwrap_err();
        assert_eq!(
            err,
            "c.yaml:4:15: bad name `Blastwall_Webhook` for webhook.deployment"
        );
    }
}

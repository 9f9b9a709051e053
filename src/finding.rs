//! What rules report, and what reporters and the webhook consume.

use serde::{Deserialize, Serialize};

use crate::source::{ByteRange, FileId, PathSeg};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Documentation of one rule, as declared in its module's `metadata`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable kebab-case id, e.g. `privileged-container`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    /// What it checks and why it matters.
    pub description: String,
    /// What to write instead.
    pub remediation: String,
    /// A manifest that violates the rule, and one that does not.
    #[serde(default)]
    pub example: Option<RuleExample>,
    /// Where the rule lives: `builtin:rules/workload/privileged_container.rego` or a path.
    #[serde(default)]
    pub source: String,
    /// Whether a manifest may exempt itself from the rule with the
    /// `blastwall.dev/exempt` annotation (where the config allows it). Never true
    /// for boundary rules: tenancy, aws-auth and change.
    #[serde(default)]
    pub exemptible: bool,
    /// The rule's parameters and their defaults; the config's `rules.<id>.params`
    /// sets them (same names, values of the same type).
    #[serde(default)]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
    /// The object kinds it reports on (`metadata.kinds`); `None` for every kind.
    /// Read by the engine from the module, never from serialized metadata.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// Whether the rule checks pods (its `match` requires `facts.workload`): the
    /// rules reference then lists the kinds whose pods it checks.
    #[serde(
        default,
        skip_deserializing,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub checks_pods: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RuleExample {
    #[serde(default)]
    pub bad: String,
    #[serde(default)]
    pub good: String,
}

/// Which object a finding is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectRef {
    pub fn from_value(obj: &regorus::Value) -> ObjectRef {
        let s = |v: &regorus::Value| match v {
            regorus::Value::String(s) => s.to_string(),
            _ => String::new(),
        };
        // A template or a Terraform file or plan: the kind it is reviewed under.
        if let Some(kind) = crate::access_entries::synthetic_kind(obj) {
            return ObjectRef {
                api_version: format!("{}/v1alpha1", crate::access_entries::SYNTHETIC_GROUP),
                kind: kind.to_string(),
                namespace: String::new(),
                name: String::new(),
            };
        }
        ObjectRef {
            api_version: s(&obj["apiVersion"]),
            kind: s(&obj["kind"]),
            namespace: s(&obj["metadata"]["namespace"]),
            name: s(&obj["metadata"]["name"]),
        }
    }

    /// `Deployment payroll/api`, or `ClusterRole admin` for cluster-scoped objects.
    pub fn describe(&self) -> String {
        // A document with no usable kind still names what it is.
        let kind = match (self.kind.is_empty(), self.name.is_empty()) {
            (true, false) => "object",
            _ => self.kind.as_str(),
        };
        match (self.namespace.is_empty(), self.name.is_empty()) {
            (_, true) => kind.to_string(),
            (true, false) => format!("{kind} {}", self.name),
            (false, false) => format!("{kind} {}/{}", self.namespace, self.name),
        }
    }
}

/// A second place that matters to a finding ("first defined here").
#[derive(Clone, Debug)]
pub struct Related {
    pub path: Vec<PathSeg>,
    pub span: Option<ByteRange>,
    pub message: String,
}

/// What reports and responses say about a pre-existing finding.
pub const PRE_EXISTING_NOTE: &str = "pre-existing: already present before this change";

/// One rule violation, located in a file when it came from one.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub object: ObjectRef,
    /// Path into the object of the offending field.
    pub path: Vec<PathSeg>,
    pub file: Option<FileId>,
    /// The bytes to underline; `None` when the finding has no source (webhook).
    pub span: Option<ByteRange>,
    pub related: Vec<Related>,
    /// Set when an exemption accepts the finding: it is still reported, but does not
    /// count for the exit code or the admission decision.
    pub suppression: Option<Suppression>,
    /// Already present before the change under review (see [`crate::change`]); such
    /// findings are reported but by default neither deny nor fail.
    pub pre_existing: bool,
}

/// Where an exemption was granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// An entry of the config's `exemptions`.
    Config,
    /// The object's own `blastwall.dev/exempt` annotation.
    Inline,
}

/// Why a finding is accepted, and by whom and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Last day the exemption holds (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Finding {
    /// Whether the finding counts: not accepted by an exemption.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none()
    }
}

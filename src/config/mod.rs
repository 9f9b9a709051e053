//! The tenancy config (`.blastwall.yaml`): which product owns which namespaces,
//! RBAC groups, IAM roles, nodes, security groups and registries; who the admins
//! are; per-rule settings and exemptions.
//!
//! Read with the span-aware YAML loader so that every error, from a misspelt field
//! to two products claiming one namespace, points at the config file's line and
//! column. The JSON Schema shipped in `schema/` is generated from these types
//! ([`schema_json`]).

mod arn;
mod error;
pub mod glob;
mod load;
mod policy;
mod types;
mod validate;

pub use arn::RoleArnGlob;
pub use error::{ConfigDiagnostic, ConfigError, Label};
pub use load::{discover, load, parse, resolve, FILE_NAME};
pub use policy::{check_rules, suggest_rule};
pub use types::*;

impl Config {
    /// The config as rules see it in `data.blastwall.config` (field names as in the file).
    pub fn to_value(&self) -> regorus::Value {
        serde_json::to_string(self)
            .ok()
            .and_then(|json| regorus::Value::from_json_str(&json).ok())
            .unwrap_or(regorus::Value::Null)
    }
}

/// The JSON Schema of the config file, pretty-printed, with a trailing newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

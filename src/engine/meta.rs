//! Reading each rule module's `metadata` object once, at load time.

use std::collections::BTreeMap;

use crate::finding::RuleMeta;

use super::{EngineError, RULES_PACKAGE};

/// Evaluates `data.blastwall.rules.<pkg>.metadata` for every rule package and checks it.
pub(super) fn read_all(
    engine: &mut regorus::Engine,
    packages: &[(String, String)],
) -> Result<Vec<RuleMeta>, EngineError> {
    let mut by_id: BTreeMap<String, RuleMeta> = BTreeMap::new();
    for (short, source_name) in packages {
        let err = |message: String| EngineError::Metadata {
            source_name: source_name.clone(),
            message,
        };
        let missing = || {
            err(format!(
                "package {RULES_PACKAGE}{short} has no `metadata` object (id, title, severity, category, description, remediation)"
            ))
        };
        let value = engine
            .eval_rule(format!("{RULES_PACKAGE}{short}.metadata"))
            .map_err(|e| match e.to_string().contains("not a valid rule path") {
                true => missing(),
                false => err(format!("cannot evaluate `metadata`: {e}")),
            })?;
        if value == regorus::Value::Undefined {
            return Err(missing());
        }
        let json = value
            .to_json_str()
            .map_err(|e| err(format!("`metadata` is not plain data: {e}")))?;
        let mut meta: RuleMeta =
            serde_json::from_str(&json).map_err(|e| err(format!("invalid `metadata`: {e}")))?;
        validate(&meta).map_err(err)?;
        meta.source = source_name.clone();
        if let Some(other) = by_id.get(&meta.id) {
            return Err(err(format!(
                "rule id `{}` is already defined in {}",
                meta.id, other.source
            )));
        }
        by_id.insert(meta.id.clone(), meta);
    }
    Ok(by_id.into_values().collect())
}

/// Categories whose rules guard a boundary between products or the cluster's own
/// access: a team must never be able to exempt its own manifest from them.
pub const BOUNDARY_CATEGORIES: [&str; 3] = ["tenancy", "aws-auth", "change"];

fn validate(meta: &RuleMeta) -> Result<(), String> {
    let kebab = !meta.id.is_empty()
        && meta
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !meta.id.starts_with('-')
        && !meta.id.ends_with('-');
    if !kebab {
        return Err(format!(
            "rule id `{}` must be kebab-case (lowercase letters, digits and `-`)",
            meta.id
        ));
    }
    for (field, value) in [
        ("title", &meta.title),
        ("category", &meta.category),
        ("description", &meta.description),
        ("remediation", &meta.remediation),
    ] {
        if value.trim().is_empty() {
            return Err(format!("rule `{}` has an empty `{field}`", meta.id));
        }
    }
    if meta.exemptible && BOUNDARY_CATEGORIES.contains(&meta.category.as_str()) {
        return Err(format!(
            "rule `{}` is in category `{}` and cannot be `exemptible`: a manifest must not exempt itself from a boundary rule",
            meta.id, meta.category
        ));
    }
    Ok(())
}

//! Reading each rule module's `metadata` object once, at load time.
//!
//! A rule whose metadata is missing, malformed or reuses another rule's id is an
//! error that names the module's file and the line of its `metadata` (or of the
//! offending field), so a rule author can go straight to it.

use std::collections::BTreeMap;

use crate::finding::RuleMeta;

use super::matching::Match;
use super::{native, EngineError, RuleSource, RULES_PACKAGE};

/// A rule package and the module that declares it.
pub(super) struct RulePackage<'a> {
    /// The package name after `data.blastwall.rules.`.
    pub short: String,
    pub source: &'a RuleSource,
    /// Its `metadata` as JSON, read at build time (built-in modules whose `metadata`
    /// is a plain literal, see `literal.rs`); `None`: evaluate it.
    pub literal: Option<&'static str>,
}

/// What the engine needs of a rule package beyond its metadata.
pub(super) struct PackageRule {
    /// The package name after `data.blastwall.rules.`.
    pub short: String,
    /// The id its `metadata` declares.
    pub id: String,
    /// Where it applies (`metadata.kinds` and `metadata.match`).
    pub matching: Match,
}

/// Reads `data.blastwall.rules.<pkg>.metadata` of every rule package (from its
/// literal, else by evaluating it on `engine`) and checks it. Returns every rule's
/// metadata sorted by id, and each package's id and kinds. `engine` is only used
/// for packages without a literal.
pub(super) fn read_all(
    mut engine: Option<&mut regorus::Engine>,
    packages: &[RulePackage],
) -> Result<(Vec<RuleMeta>, Vec<PackageRule>), EngineError> {
    let mut package_rules = Vec::with_capacity(packages.len());
    // Native rules, and the findings about exemptions, are rules too; with each
    // rule's module, for the message about a reused id.
    let mut by_id: BTreeMap<String, (RuleMeta, Option<&RuleSource>)> = native::rules()
        .into_iter()
        .chain(crate::exempt::rules())
        .map(|r| (r.id.clone(), (r, None)))
        .collect();
    let mut seen: BTreeMap<&str, &RuleSource> = BTreeMap::new();
    for package in packages {
        let RulePackage {
            short,
            source,
            literal,
        } = package;
        let source: &RuleSource = source;
        let text = source.text.as_str();
        let meta_line = || metadata_line(text);
        let err = |line: Option<usize>, message: String| EngineError::Metadata {
            source_name: source.name.clone(),
            line,
            message,
        };
        if let Some(first) = seen.insert(short, source) {
            return Err(err(
                package_line(text),
                format!(
                    "package {RULES_PACKAGE}{short} is also declared in {}; every rule needs a package of its own",
                    located(&first.name, package_line(&first.text))
                ),
            ));
        }
        let missing = || {
            err(
                package_line(text),
                format!(
                    "package {RULES_PACKAGE}{short} has no `metadata` object (id, title, severity, category, description, remediation)"
                ),
            )
        };
        let (value, json) = match (literal, engine.as_deref_mut()) {
            (Some(literal), _) => from_literal(literal)
                .ok_or_else(|| err(meta_line(), "`metadata` is not plain data".into()))?,
            (None, Some(engine)) => {
                let value = engine
                    .eval_rule(format!("{RULES_PACKAGE}{short}.metadata"))
                    .map_err(|e| match e.to_string().contains("not a valid rule path") {
                        true => missing(),
                        false => err(meta_line(), format!("cannot evaluate `metadata`: {e}")),
                    })?;
                if value == regorus::Value::Undefined {
                    return Err(missing());
                }
                // Through a JSON value, so that serde's errors carry no position in
                // this intermediate text.
                let json: serde_json::Value = value
                    .to_json_str()
                    .ok()
                    .and_then(|text| serde_json::from_str(&text).ok())
                    .ok_or_else(|| err(meta_line(), "`metadata` is not plain data".into()))?;
                (value, json)
            }
            (None, None) => return Err(missing()),
        };
        let mut meta: RuleMeta = serde_path_to_error::deserialize(json).map_err(|e| {
            let field = e.path().to_string();
            let line = field_line(text, meta_line(), field.split('.').next().unwrap_or(""));
            let at = if field == "." {
                String::new()
            } else {
                format!("`{field}`: ")
            };
            err(
                line.or_else(meta_line),
                format!("invalid `metadata`: {at}{}", e.inner()),
            )
        })?;
        validate(&meta).map_err(|(field, message)| {
            err(
                field_line(text, meta_line(), field).or_else(meta_line),
                message,
            )
        })?;
        let matching = Match::from_metadata(&value).map_err(|(field, message)| {
            err(
                field_line(text, meta_line(), field).or_else(meta_line),
                format!("rule `{}`: {message}", meta.id),
            )
        })?;
        meta.checks_pods = matching.requires_fact("workload");
        let mut kinds = matching.kind_names();
        if kinds.is_empty() && meta.checks_pods {
            // A rule over pods reports on the kinds that carry them: the known
            // ones here; a declared or custom kind's findings list it when found.
            for known in crate::facts::workload::KNOWN {
                if !kinds.iter().any(|k| k == known.kind) {
                    kinds.push(known.kind.to_string());
                }
            }
        }
        meta.kinds = (!kinds.is_empty()).then_some(kinds);
        package_rules.push(PackageRule {
            short: short.clone(),
            id: meta.id.clone(),
            matching,
        });
        meta.source = source.name.clone();
        if let Some((other, other_source)) = by_id.get(&meta.id) {
            let other_line = other_source.and_then(|s| metadata_line(&s.text));
            return Err(err(
                field_line(text, meta_line(), "id").or_else(meta_line),
                format!(
                    "rule id `{}` is already defined in {}",
                    meta.id,
                    located(&other.source, other_line)
                ),
            ));
        }
        by_id.insert(meta.id.clone(), (meta, Some(source)));
    }
    Ok((
        by_id.into_values().map(|(meta, _)| meta).collect(),
        package_rules,
    ))
}

/// A metadata literal's value for [`Match::from_metadata`] (only `kinds` and `match`
/// are read there: the rest is left out) and its JSON.
fn from_literal(literal: &str) -> Option<(regorus::Value, serde_json::Value)> {
    let json: serde_json::Value = serde_json::from_str(literal).ok()?;
    let value = match json.as_object() {
        Some(object) => {
            let matching: serde_json::Map<String, serde_json::Value> = ["kinds", "match"]
                .into_iter()
                .filter_map(|key| Some((key.to_string(), object.get(key)?.clone())))
                .collect();
            regorus::Value::from_json_str(&serde_json::Value::Object(matching).to_string())
        }
        None => regorus::Value::from_json_str(literal),
    };
    Some((value.ok()?, json))
}

/// Categories whose rules guard a boundary between products or the cluster's own
/// access: a team must never be able to exempt its own manifest from them.
pub const BOUNDARY_CATEGORIES: [&str; 3] = ["tenancy", "aws-auth", "change"];

/// `file:line`, or `file` when the line is unknown.
fn located(name: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{name}:{line}"),
        None => name.to_string(),
    }
}

/// 1-based line of the first line that satisfies `pred`, from line `from` on.
fn find_line(text: &str, from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| pred(line.trim_start()))
        .map(|(i, _)| i + 1)
}

fn package_line(text: &str) -> Option<usize> {
    find_line(text, 1, |l| l.starts_with("package "))
}

/// The line that defines `metadata` (`metadata := {` or `metadata = {`).
fn metadata_line(text: &str) -> Option<usize> {
    find_line(text, 1, |l| {
        l.strip_prefix("metadata")
            .map(str::trim_start)
            .is_some_and(|rest| rest.starts_with(":=") || rest.starts_with('='))
    })
    .or_else(|| package_line(text))
}

/// The line of `"field":` inside the metadata object, if it can be found.
fn field_line(text: &str, meta_line: Option<usize>, field: &str) -> Option<usize> {
    if field.is_empty() {
        return None;
    }
    let key = format!("\"{field}\"");
    find_line(text, meta_line?, |l| {
        l.contains(&key)
            && l.split_once(&key)
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(':'))
    })
}

/// Checks what serde cannot: the id's shape and non-empty texts. The error names
/// the field it is about.
fn validate(meta: &RuleMeta) -> Result<(), (&'static str, String)> {
    let kebab = !meta.id.is_empty()
        && meta
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !meta.id.starts_with('-')
        && !meta.id.ends_with('-');
    if !kebab {
        return Err((
            "id",
            format!(
                "rule id `{}` must be kebab-case (lowercase letters, digits and `-`)",
                meta.id
            ),
        ));
    }
    for (field, value) in [
        ("title", &meta.title),
        ("category", &meta.category),
        ("description", &meta.description),
        ("remediation", &meta.remediation),
    ] {
        if value.trim().is_empty() {
            return Err((field, format!("rule `{}` has an empty `{field}`", meta.id)));
        }
    }
    if meta.exemptible && BOUNDARY_CATEGORIES.contains(&meta.category.as_str()) {
        return Err((
            "exemptible",
            format!(
                "rule `{}` is in category `{}` and cannot be `exemptible`: a manifest must not exempt itself from a boundary rule",
                meta.id, meta.category
            ),
        ));
    }
    Ok(())
}

//! The `blastwall.dev/exempt` annotation: a manifest's own exemptions.
//!
//! One exemption per line, `RULE-ID: reason`; several rules may share a reason,
//! `RULE-ID, RULE-ID: reason`. Lines that are blank are skipped. Reasons may contain
//! commas and colons: only the first `:` of a line ends its rule ids.
//!
//! An inline exemption is honoured only by `blastwall lint`, only when the config
//! sets `inlineExemptions: true`, only for rules whose metadata says `exemptible`,
//! and only with a reason. The webhook never reads it: a team must not be able to
//! exempt its own change at admission.

use regorus::Value;

use crate::finding::RuleMeta;

/// The annotation's key.
pub const ANNOTATION: &str = "blastwall.dev/exempt";

/// One rule an annotation exempts, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub rule: String,
    /// `None` when the line gives none.
    pub reason: Option<String>,
}

/// The annotation's value on `object`, if it has one that is a string.
pub fn annotation(object: &Value) -> Option<&str> {
    match &object["metadata"]["annotations"][ANNOTATION] {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Every rule the annotation names, in order.
pub fn parse(value: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (ids, reason) = match line.split_once(':') {
            Some((ids, reason)) => (ids, Some(reason.trim()).filter(|r| !r.is_empty())),
            None => (line, None),
        };
        for rule in ids.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            out.push(Entry {
                rule: rule.to_string(),
                reason: reason.map(str::to_string),
            });
        }
    }
    out
}

/// Why `entry` cannot be honoured, or `None` when it can. `meta` is the rule it
/// names, if that rule exists; `allowed` is the config's `inlineExemptions`.
pub fn refusal(entry: &Entry, meta: Option<&RuleMeta>, allowed: bool) -> Option<String> {
    let Some(meta) = meta else {
        return Some(format!(
            "there is no rule `{}` (`blastwall rules` lists them)",
            entry.rule
        ));
    };
    if !meta.exemptible {
        return Some(format!(
            "rule `{}` ({}) cannot be exempted inline; only the platform's config can grant an exemption from it",
            meta.id, meta.category
        ));
    }
    if entry.reason.is_none() {
        return Some(format!(
            "it gives no reason: write `{}: <why the finding is acceptable>`",
            meta.id
        ));
    }
    if !allowed {
        return Some(
            "the config does not allow inline exemptions (`inlineExemptions: true`)".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rule: &str, reason: Option<&str>) -> Entry {
        Entry {
            rule: rule.into(),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn lines_rules_and_reasons() {
        let value = "host-path-volume, host-namespaces: node agent: reads /proc, /sys\n\n  run-as-root  \nlatest-image-tag:   \n";
        assert_eq!(
            parse(value),
            [
                entry("host-path-volume", Some("node agent: reads /proc, /sys")),
                entry("host-namespaces", Some("node agent: reads /proc, /sys")),
                entry("run-as-root", None),
                entry("latest-image-tag", None),
            ]
        );
        assert!(parse("  \n").is_empty());
    }

    #[test]
    fn refusals_say_why() {
        let mut meta = crate::exempt::rules().remove(0);
        meta.id = "host-path-volume".into();
        meta.category = "workload".into();
        meta.exemptible = true;
        let reasoned = entry("host-path-volume", Some("reads /proc"));
        assert_eq!(refusal(&reasoned, Some(&meta), true), None);
        assert!(refusal(&reasoned, Some(&meta), false)
            .unwrap()
            .contains("does not allow inline exemptions"));
        assert!(refusal(&entry("host-path-volume", None), Some(&meta), true)
            .unwrap()
            .contains("gives no reason"));
        assert!(refusal(&reasoned, None, true)
            .unwrap()
            .contains("there is no rule `host-path-volume`"));
        meta.exemptible = false;
        meta.category = "tenancy".into();
        assert!(refusal(&reasoned, Some(&meta), true)
            .unwrap()
            .contains("(tenancy) cannot be exempted inline"));
    }
}

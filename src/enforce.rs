//! `rules.<id>.enforcement.ci`: what a rule's findings are in `blastwall lint`.
//!
//! A setting replaces the severity of every finding of the rule (so the exit code
//! and every format follow it), or drops them (`off`). The webhook's counterpart,
//! `enforcement.webhook`, lives in [`crate::admission::Enforcements`].

use crate::config::{CiAction, Config};
use crate::finding::{Finding, Severity};

/// Applies the config's CI enforcement to `findings`.
pub fn apply_ci(config: &Config, findings: Vec<Finding>) -> Vec<Finding> {
    let action = |rule: &str| {
        config
            .rules
            .get(rule)
            .and_then(|s| s.enforcement.as_ref())
            .and_then(|e| e.ci)
    };
    findings
        .into_iter()
        .filter_map(|mut f| {
            match action(&f.rule) {
                Some(CiAction::Off) => return None,
                Some(CiAction::Error) => f.severity = Severity::Error,
                Some(CiAction::Warning) => f.severity = Severity::Warning,
                Some(CiAction::Info) => f.severity = Severity::Info,
                None => {}
            }
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ObjectRef;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: String::new(),
            object: ObjectRef::default(),
            path: vec![],
            file: None,
            span: None,
            related: vec![],
            suppression: None,
            pre_existing: false,
        }
    }

    #[test]
    fn severities_are_replaced_and_off_drops() {
        let config = crate::config::parse(
            "c.yaml",
            "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nrules:\n  latest-image-tag: {enforcement: {ci: error}}\n  run-as-root: {enforcement: {ci: off}}\n  host-port: {enforcement: {ci: \"off\", webhook: deny}}\n  host-path-volume: {enforcement: {webhook: warn}}\n"
                .into(),
        )
        .unwrap();
        let out = apply_ci(
            &config,
            vec![
                finding("latest-image-tag", Severity::Warning),
                finding("run-as-root", Severity::Error),
                finding("host-port", Severity::Error),
                finding("host-path-volume", Severity::Error),
            ],
        );
        let got: Vec<(&str, Severity)> =
            out.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
        assert_eq!(
            got,
            [
                ("latest-image-tag", Severity::Error),
                ("host-path-volume", Severity::Error)
            ]
        );
    }
}

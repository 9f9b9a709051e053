//! Exemptions: findings accepted for a while, for some objects, with a reason.
//!
//! Two sources. The config's `exemptions` (owned by the platform team) name rules, a
//! scope (namespace, kind, name, label selector), a reason, an owner and the last
//! day they hold; the CLI and the webhook apply them the same way. A manifest's own
//! `blastwall.dev/exempt` annotation ([`inline`]) is honoured only by the CLI, and
//! only where the config and the rule allow it.
//!
//! Matching happens after evaluation: rules never see exemptions, so a rule gives
//! the same verdict everywhere and an exempted finding is still reported, marked
//! with its [`Suppression`]. An exemption past its date no longer applies and is
//! reported itself (`exemption-expired`); in a lint run, a config exemption that
//! covers no finding, and an inline one that covers no finding of its object, are
//! reported as `exemption-unused`; an inline exemption that is not honoured is
//! reported as `exemption-refused`.

mod clock;
pub mod inline;
mod subject;

pub use clock::{Clock, TODAY_ENV};
pub use subject::Subject;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use regorus::Value;

use crate::config::{Config, Date, Exemption};
use crate::finding::{
    Finding, ObjectRef, RuleExample, RuleMeta, Severity, Suppression, SuppressionKind,
};
use crate::source::{Document, FileId, PathSeg};

pub const EXPIRED: &str = "exemption-expired";
pub const UNUSED: &str = "exemption-unused";
pub const REFUSED: &str = "exemption-refused";

/// Metadata of the findings this module reports, so that every format can describe them.
pub fn rules() -> Vec<RuleMeta> {
    let meta =
        |id: &str, title: &str, description: &str, remediation: &str, example: (&str, &str)| {
            RuleMeta {
                id: id.into(),
                title: title.into(),
                severity: Severity::Warning,
                category: "config".into(),
                description: description.into(),
                remediation: remediation.into(),
                example: Some(RuleExample {
                    bad: example.0.into(),
                    good: example.1.into(),
                }),
                source: "builtin:native".into(),
                exemptible: false,
                params: None,
                kinds: None,
                checks_pods: false,
            }
        };
    vec![
        meta(
            EXPIRED,
            "Exemption has expired",
            "An entry of the config's `exemptions` whose `expires` date has passed (it holds through that day, in UTC). It no longer applies: the findings it covered count again, in CI and at admission.",
            "Fix the exempted objects and remove the exemption, or, if the reason still holds, agree a new date with its owner.",
            (
                "exemptions:\n  - rule: host-path-volume\n    namespace: monitoring\n    reason: node-exporter reads /proc\n    owner: sre\n    expires: 2024-03-31\n",
                "exemptions:\n  - rule: host-path-volume\n    namespace: monitoring\n    reason: node-exporter reads /proc\n    owner: sre\n    expires: 2027-03-31\n",
            ),
        ),
        meta(
            UNUSED,
            "Exemption matches no finding",
            "A config exemption that covers no finding in the linted files, or a `blastwall.dev/exempt` annotation naming a rule that reports nothing for its object. A stale exemption hides the next violation that matches it; a mistyped scope hides nothing. Lint the whole repository for this check to mean something, or switch it off with `rules.exemption-unused.enforcement.ci: off`.",
            "Remove the exemption, or correct its rule ids and scope.",
            (
                "metadata:\n  annotations:\n    blastwall.dev/exempt: \"host-path-volume: reads /proc\"\n",
                "metadata:\n  annotations: {}\n",
            ),
        ),
        meta(
            REFUSED,
            "Inline exemption is not honoured",
            "A `blastwall.dev/exempt` annotation that blastwall does not honour, and why: the config does not allow inline exemptions (`inlineExemptions: true`), the rule is not exemptible (boundary rules — tenancy, aws-auth, RBAC, change — never are), the rule does not exist, or the line gives no reason. The finding it meant to exempt still counts. The admission webhook never honours inline exemptions.",
            "Ask the platform team for an exemption in the config (with an owner and an expiry date), or fix the manifest.",
            (
                "metadata:\n  annotations:\n    blastwall.dev/exempt: cross-product-binding\n",
                "metadata:\n  annotations:\n    blastwall.dev/exempt: \"host-path-volume: node-exporter reads /proc\"\n",
            ),
        ),
    ]
}

/// The config's exemptions, ready to match, and where "today" comes from.
#[derive(Clone, Debug, Default)]
pub struct Exemptions {
    entries: Vec<Exemption>,
    inline_allowed: bool,
    clock: Clock,
}

/// The exemption that covers a finding, if one does.
#[derive(Debug)]
pub enum Lookup<'a> {
    None,
    /// `index` into the config's `exemptions`.
    Live(usize, &'a Exemption),
    /// Only exemptions past their date cover the finding.
    Expired(usize, &'a Exemption),
}

impl Exemptions {
    pub fn from_config(config: &Config, clock: Clock) -> Exemptions {
        Exemptions {
            entries: config.exemptions.clone(),
            inline_allowed: config.inline_exemptions,
            clock,
        }
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn entries(&self) -> &[Exemption] {
        &self.entries
    }

    pub fn inline_allowed(&self) -> bool {
        self.inline_allowed
    }

    pub fn today(&self) -> Date {
        self.clock.today()
    }

    /// The first live exemption of `rule` whose scope covers `subject`, else the
    /// first expired one.
    pub fn lookup(&self, rule: &str, subject: &Subject, today: &Date) -> Lookup<'_> {
        let mut expired = Lookup::None;
        for (i, e) in self.entries.iter().enumerate() {
            if !e.rule.0.iter().any(|r| r == rule) || !subject.in_scope(e) {
                continue;
            }
            if is_expired(e, today) {
                if matches!(expired, Lookup::None) {
                    expired = Lookup::Expired(i, e);
                }
            } else {
                return Lookup::Live(i, e);
            }
        }
        expired
    }

    /// Indexes of the exemptions past their date.
    pub fn expired(&self, today: &Date) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| is_expired(&self.entries[i], today))
            .collect()
    }

    /// Sorts the hits of one admission review (`rule` gives a hit's rule id): those
    /// no live exemption covers, those one does (with its suppression), and the
    /// indexes of expired exemptions that would have covered some.
    /// Whether the config has no exemption at all (then [`Exemptions::split`] keeps
    /// every hit, whatever the subject).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn split<T>(&self, hits: Vec<T>, rule: impl Fn(&T) -> &str, subject: &Subject) -> Split<T> {
        let mut split = Split {
            kept: Vec::new(),
            suppressed: Vec::new(),
            expired: Vec::new(),
        };
        if self.entries.is_empty() {
            split.kept = hits;
            return split;
        }
        let today = self.today();
        for hit in hits {
            match self.lookup(rule(&hit), subject, &today) {
                Lookup::Live(_, e) => split.suppressed.push((hit, suppression(e))),
                Lookup::Expired(i, _) => {
                    if !split.expired.contains(&i) {
                        split.expired.push(i);
                    }
                    split.kept.push(hit);
                }
                Lookup::None => split.kept.push(hit),
            }
        }
        split
    }

    /// `exemptions[2] (host-path-volume; namespace monitoring) expired 2024-03-31`, for logs.
    pub fn describe(&self, index: usize) -> String {
        match self.entries.get(index) {
            Some(e) => format!(
                "exemptions[{index}] ({}; {}) expires {}",
                e.rule.0.join(", "),
                scope(e),
                e.expires
            ),
            None => format!("exemptions[{index}]"),
        }
    }
}

/// What [`Exemptions::split`] returns.
#[derive(Debug)]
pub struct Split<T> {
    pub kept: Vec<T>,
    pub suppressed: Vec<(T, Suppression)>,
    pub expired: Vec<usize>,
}

/// An exemption holds through its `expires` day.
fn is_expired(e: &Exemption, today: &Date) -> bool {
    *today > e.expires
}

fn suppression(e: &Exemption) -> Suppression {
    Suppression {
        kind: SuppressionKind::Config,
        reason: e.reason.clone(),
        owner: Some(e.owner.clone()),
        expires: Some(e.expires.to_string()),
    }
}

/// `namespace monitoring, kind DaemonSet, name node-exporter, labels app=x`.
fn scope(e: &Exemption) -> String {
    let mut parts = Vec::new();
    if let Some(ns) = &e.namespace {
        parts.push(format!("namespace {}", ns.as_str()));
    }
    if let Some(kind) = &e.kind {
        parts.push(format!("kind {kind}"));
    }
    if let Some(name) = &e.name {
        parts.push(format!("name {}", name.as_str()));
    }
    if let Some(selector) = &e.selector {
        let mut terms: Vec<String> = selector
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        terms.extend(
            selector
                .match_expressions
                .iter()
                .map(|x| format!("{} {:?} [{}]", x.key, x.operator, x.values.join(", "))),
        );
        parts.push(format!("labels {}", terms.join(", ")));
    }
    parts.join(", ")
}

/// The exemptions of one lint run: applies them document by document (from several
/// threads), remembers which config exemptions were used, and reports on the config's
/// exemptions at the end.
pub struct Run<'a> {
    exemptions: &'a Exemptions,
    rules: &'a [RuleMeta],
    today: Date,
    used: Vec<AtomicBool>,
    /// Findings each expired exemption would still have covered.
    late: Vec<AtomicUsize>,
}

impl<'a> Run<'a> {
    /// `rules`: every rule known, for the `exemptible` flag of inline exemptions.
    pub fn new(exemptions: &'a Exemptions, rules: &'a [RuleMeta]) -> Run<'a> {
        let n = exemptions.entries.len();
        Run {
            exemptions,
            rules,
            today: exemptions.today(),
            used: (0..n).map(|_| AtomicBool::new(false)).collect(),
            late: (0..n).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    /// Marks the findings `out[first..]` of the document reviewed as `review`, and
    /// appends findings about the document's inline exemptions.
    pub fn apply(
        &self,
        review: &Value,
        doc: &Document,
        object: &ObjectRef,
        out: &mut Vec<Finding>,
        first: usize,
    ) {
        let entries = match inline::annotation(&review["object"]) {
            Some(value) => inline::parse(value),
            None => Vec::new(),
        };
        // The common case, kept cheap: nothing that could exempt anything.
        if entries.is_empty() && self.exemptions.entries.is_empty() {
            return;
        }
        let subject = Subject::of_review(review);
        let verdicts: Vec<Option<String>> = entries
            .iter()
            .map(|e| {
                let meta = self.rules.iter().find(|r| r.id == e.rule);
                inline::refusal(e, meta, self.exemptions.inline_allowed)
            })
            .collect();
        let mut inline_used = vec![false; entries.len()];
        for finding in out[first..].iter_mut() {
            match self.exemptions.lookup(&finding.rule, &subject, &self.today) {
                Lookup::Live(i, e) => {
                    self.used[i].store(true, Ordering::Relaxed);
                    finding.suppression = Some(suppression(e));
                    continue;
                }
                Lookup::Expired(i, _) => {
                    self.late[i].fetch_add(1, Ordering::Relaxed);
                }
                Lookup::None => {}
            }
            let honoured = entries
                .iter()
                .zip(&verdicts)
                .position(|(e, v)| v.is_none() && e.rule == finding.rule);
            if let Some(j) = honoured {
                inline_used[j] = true;
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::Inline,
                    reason: entries[j].reason.clone().unwrap_or_default(),
                    owner: None,
                    expires: None,
                });
            }
        }
        if entries.is_empty() {
            return;
        }
        let path = vec![
            PathSeg::Key("metadata".into()),
            PathSeg::Key("annotations".into()),
            PathSeg::Key(inline::ANNOTATION.into()),
        ];
        let span = doc.spans.resolve(&path).node.label_range();
        for ((entry, refusal), used) in entries.iter().zip(verdicts).zip(inline_used) {
            let (rule, message) = match refusal {
                Some(why) => (
                    REFUSED,
                    format!(
                        "inline exemption of `{}` is not honoured: {why}",
                        entry.rule
                    ),
                ),
                None if !used => (
                    UNUSED,
                    format!(
                        "inline exemption of `{}` matches no finding of this object: remove it",
                        entry.rule
                    ),
                ),
                None => continue,
            };
            out.push(Finding {
                rule: rule.into(),
                severity: self.severity(rule),
                message,
                object: object.clone(),
                path: path.clone(),
                file: Some(doc.file),
                span: Some(span.clone()),
                related: Vec::new(),
                suppression: None,
                pre_existing: false,
            });
        }
    }

    fn severity(&self, rule: &str) -> Severity {
        self.rules
            .iter()
            .find(|r| r.id == rule)
            .map(|r| r.severity)
            .unwrap_or(Severity::Warning)
    }

    /// Findings about the config's exemptions once every document is linted: each
    /// one past its date, and each live one that covered no finding. They point into
    /// `config`'s file, which the report must list as `file`.
    pub fn config_findings(&self, config: &Config, file: Option<FileId>) -> Vec<Finding> {
        let object = ObjectRef {
            api_version: "blastwall.dev/v1alpha1".into(),
            kind: "Config".into(),
            namespace: String::new(),
            name: String::new(),
        };
        let mut out = Vec::new();
        for (i, e) in self.exemptions.entries.iter().enumerate() {
            let path = vec![PathSeg::Key("exemptions".into()), PathSeg::Index(i)];
            let rules = e.rule.0.join(", ");
            let owner = &e.owner;
            let (rule, message) = if is_expired(e, &self.today) {
                let late = self.late[i].load(Ordering::Relaxed);
                let count = match late {
                    0 => String::new(),
                    1 => "; 1 finding in this run is no longer exempted".into(),
                    n => format!("; {n} findings in this run are no longer exempted"),
                };
                (
                    EXPIRED,
                    format!(
                        "exemption of {rules} ({}) expired on {} (owner: {owner}){count}",
                        scope(e),
                        e.expires
                    ),
                )
            } else if !self.used[i].load(Ordering::Relaxed) {
                (
                    UNUSED,
                    format!(
                        "exemption of {rules} ({}) matches no finding in this run (owner: {owner})",
                        scope(e)
                    ),
                )
            } else {
                continue;
            };
            let (file, span) = match (&config.source, file) {
                (Some(source), Some(id)) => (
                    Some(id),
                    Some(source.spans.resolve(&path).node.label_range()),
                ),
                _ => (None, None),
            };
            out.push(Finding {
                rule: rule.into(),
                severity: self.severity(rule),
                message,
                object: object.clone(),
                path,
                file,
                span,
                related: Vec::new(),
                suppression: None,
                pre_existing: false,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests;

//! AdmissionReview in, AdmissionReview out: the decision shared by the webhook and
//! `blastwall review`.
//!
//! The request is passed to rules as the API server sent it (`input.review`), with
//! facts computed by [`crate::facts`] exactly as the linter computes them. Each rule
//! hit gets an [`Enforcement`] (from its severity, or a per-rule override) that decides
//! where it lands in the response: `deny` in `status`, `warn` in `warnings`, `audit`
//! in `auditAnnotations`. A finding that an exemption of the config covers neither
//! denies nor warns: it is recorded under the audit annotation `exempted`. Inline
//! `blastwall.dev/exempt` annotations are never honoured here.
//!
//! Reviews are evaluated as changes ([`crate::change::evaluate_review`]): on UPDATE, a
//! finding that `oldObject` already had is pre-existing. Unless the config says
//! `preExisting: enforce` for its rule, a pre-existing finding that would deny is
//! turned into a warning marked "pre-existing", so objects that carry old debt can
//! still be edited.
//!
//! Everything a rule writes into a response is bounded in size, and for a Secret the
//! values of `data` / `stringData` are masked wherever a message repeats them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regorus::Value;
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};
use thiserror::Error;

use crate::change::{self, ChangeHit, PreExistingPolicy, PRE_EXISTING_NOTE};
use crate::config::{Config, WebhookAction};
use crate::engine::{Engine, EngineError, RuleHit};
use crate::exempt::{Clock, Exemptions, Subject};
use crate::facts::Context;
use crate::finding::Severity;

mod fast;
mod interned;

pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

/// Upper bound of the denial message (`status.message`).
pub const MAX_DENY_MESSAGE: usize = 4096;
/// The API server may truncate single warnings over 256 characters, and ignores
/// warnings once 4096 characters of them have been added for one request (Kubernetes
/// docs, "Dynamic Admission Control" → "Response": "Individual warning messages over
/// 256 characters may be truncated by the API server before being returned to
/// clients. If more than 4096 characters of warning messages are added (from all
/// sources), additional warning messages are ignored"; `AdmissionResponse.warnings`
/// in k8s.io/api admission/v1: "Limit warnings to 120 characters if possible").
/// We cut each warning ourselves and keep room for other webhooks' warnings.
pub const MAX_WARNING: usize = 256;
pub const MAX_WARNINGS_TOTAL: usize = 2048;
/// Upper bound of one audit annotation's value.
pub const MAX_AUDIT_VALUE: usize = 1024;
/// The audit annotation that lists findings exemptions covered.
pub const EXEMPTED_ANNOTATION: &str = "exempted";
/// The API server prefixes each audit annotation key with `<webhook name>/` and drops
/// the annotation unless the result is a qualified name with exactly one `/`
/// (apiserver `checkKeyFormat`): so keys are bare names of at most 63 characters.
const MAX_AUDIT_KEY: usize = 63;

/// Why an AdmissionReview could not be answered.
#[derive(Debug, Error)]
pub enum AdmissionError {
    /// Not JSON, or JSON of the wrong shape; the message carries line and column.
    #[error("request body is not a valid AdmissionReview: {0}")]
    Malformed(String),
    #[error("apiVersion is {found}; expected \"admission.k8s.io/v1\"")]
    ApiVersion { found: String },
    #[error("kind is {found}; expected \"AdmissionReview\"")]
    Kind { found: String },
    #[error("AdmissionReview has no request")]
    MissingRequest,
    #[error("request.uid is missing or empty")]
    MissingUid,
    /// The rules could not be evaluated (a runtime error, or the time limit).
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl AdmissionError {
    /// Whether the caller sent something unusable (HTTP 400), as opposed to a failure
    /// of evaluation, which the webhook answers according to its failure mode.
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, AdmissionError::Engine(_))
    }
}

/// What a rule's findings do at admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Enforcement {
    /// Reject the request (`allowed: false`, 403).
    Deny,
    /// Allow, and tell the client (`warnings`).
    Warn,
    /// Allow, and record it in the audit log (`auditAnnotations`).
    Audit,
    /// Ignore the finding.
    Off,
}

impl Enforcement {
    /// error → deny, warning → warn, info → audit.
    pub fn for_severity(severity: Severity) -> Enforcement {
        match severity {
            Severity::Error => Enforcement::Deny,
            Severity::Warning => Enforcement::Warn,
            Severity::Info => Enforcement::Audit,
        }
    }

    pub fn from_action(action: WebhookAction) -> Enforcement {
        match action {
            WebhookAction::Deny => Enforcement::Deny,
            WebhookAction::Warn => Enforcement::Warn,
            WebhookAction::Audit => Enforcement::Audit,
            WebhookAction::Off => Enforcement::Off,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Deny => "deny",
            Enforcement::Warn => "warn",
            Enforcement::Audit => "audit",
            Enforcement::Off => "off",
        }
    }
}

/// Per-rule enforcement overrides (rules not listed follow their severity), and the
/// config's exemptions.
#[derive(Clone, Debug, Default)]
pub struct Enforcements {
    overrides: HashMap<String, Enforcement>,
    /// Which rules' pre-existing findings still deny.
    pub pre_existing: PreExistingPolicy,
    exemptions: Exemptions,
}

impl Enforcements {
    /// The `rules.<id>.enforcement.webhook` and `rules.<id>.preExisting` settings and
    /// the `exemptions` of a config, with dates compared to the system clock.
    pub fn from_config(config: &Config) -> Enforcements {
        let overrides = config
            .rules
            .iter()
            .filter_map(|(id, settings)| {
                let action = settings.enforcement.as_ref()?.webhook?;
                Some((id.clone(), Enforcement::from_action(action)))
            })
            .collect();
        Enforcements {
            overrides,
            pre_existing: PreExistingPolicy::from_config(config),
            exemptions: Exemptions::from_config(config, Clock::System),
        }
    }

    /// Where "today" comes from when exemption dates are compared.
    pub fn set_clock(&mut self, clock: Clock) {
        self.exemptions.set_clock(clock);
    }

    pub fn exemptions(&self) -> &Exemptions {
        &self.exemptions
    }

    pub fn set(&mut self, rule: &str, enforcement: Enforcement) {
        self.overrides.insert(rule.to_string(), enforcement);
    }

    pub fn of(&self, hit: &RuleHit) -> Enforcement {
        self.overrides
            .get(&hit.rule)
            .copied()
            .unwrap_or_else(|| Enforcement::for_severity(hit.severity))
    }
}

/// A decoded AdmissionRequest: the review rules see, and the fields logs need.
#[derive(Clone, Debug)]
pub struct Request {
    /// `request` exactly as sent: becomes `input.review`.
    pub review: Value,
    pub uid: String,
    pub operation: String,
    /// `group/version/Kind` of `request.kind` (`v1/Pod` for the core group).
    pub kind: String,
    pub sub_resource: String,
    pub namespace: String,
    pub name: String,
    pub username: String,
    pub dry_run: bool,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "apiVersion")]
    api_version: Option<Value>,
    kind: Option<Value>,
    request: Option<Decoded>,
}

/// A JSON value read straight into a [`Value`]: the same value as `Value`'s own
/// `Deserialize` gives, with one allocation per string instead of two.
struct Decoded(Value);

impl<'de> Deserialize<'de> for Decoded {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Decoded, D::Error> {
        deserializer.deserialize_any(DecodedVisitor).map(Decoded)
    }
}

/// An object key, read as a string value.
struct Key(Value);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(KeyVisitor).map(Key)
    }
}

/// Reads an object key; the keys Kubernetes uses over and over are shared values
/// ([`crate::facts::keys`]) rather than a new string each.
struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(crate::facts::keys::key(v))
    }
}

struct DecodedVisitor;

impl<'de> serde::de::Visitor<'de> for DecodedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        if !v.is_finite() {
            return Err(E::custom(format!(
                "invalid non-finite number in input: {v}"
            )));
        }
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v.as_str()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(DecodedVisitor)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Decoded(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::from(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((Key(key), Decoded(value))) = map.next_entry()? {
            entries.push((key, value));
        }
        Ok(Value::object_from_entries(entries))
    }
}

fn text(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn describe(value: &Option<Value>) -> String {
    match value {
        None | Some(Value::Null) | Some(Value::Undefined) => "missing".into(),
        Some(Value::String(s)) => format!("{:?}", truncate(s, 80)),
        Some(_) => "not a string".into(),
    }
}

/// The envelope of `body` as serde_json reads it.
fn serde_envelope(body: &[u8]) -> Result<fast::Envelope, AdmissionError> {
    let envelope: Envelope = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
    .map_err(|e| AdmissionError::Malformed(e.to_string()))?;
    Ok(fast::Envelope {
        api_version: envelope.api_version,
        kind: envelope.kind,
        request: envelope.request.map(|d| d.0),
    })
}

/// Reads an `admission.k8s.io/v1` AdmissionReview.
pub fn decode(body: &[u8]) -> Result<Request, AdmissionError> {
    // The common case is read without serde ([`fast`]); anything else by serde_json,
    // whose values and errors are the reference. serde_json bounds nesting depth
    // (128), so a deep body is an error, not a crash. Valid UTF-8 is checked once
    // for the whole body, not string by string; an invalid body is read as bytes,
    // for an error that says where.
    let fast = std::str::from_utf8(body).ok().and_then(fast::envelope);
    let envelope = match fast {
        Some(envelope) => envelope,
        None => serde_envelope(body)?,
    };
    if envelope.api_version.as_ref().and_then(text) != Some(API_VERSION) {
        return Err(AdmissionError::ApiVersion {
            found: describe(&envelope.api_version),
        });
    }
    if envelope.kind.as_ref().and_then(text) != Some(KIND) {
        return Err(AdmissionError::Kind {
            found: describe(&envelope.kind),
        });
    }
    let review = match envelope.request {
        Some(v @ Value::Object(_)) => v,
        Some(Value::Null) | None => return Err(AdmissionError::MissingRequest),
        Some(_) => return Err(AdmissionError::Malformed("request is not an object".into())),
    };
    // The fields logs need, from one pass over the request's fields (a lookup
    // each cost a search of its keys); a field that is not a string counts as
    // empty, as a missing one.
    let mut f = Fields::default();
    if let Value::Object(map) = &review {
        for (key, value) in map.iter() {
            let Value::String(key) = key else { continue };
            match key.as_ref() {
                "uid" => f.uid = text(value),
                "operation" => f.operation = text(value),
                "subResource" => f.sub_resource = text(value),
                "namespace" => f.namespace = text(value),
                "name" => f.name = text(value),
                "kind" => f.kind = value,
                "userInfo" => f.user_info = value,
                "dryRun" => f.dry_run = *value == Value::Bool(true),
                _ => {}
            }
        }
    }
    let text_of = |s: Option<&str>| s.unwrap_or_default().to_string();
    let uid = text_of(f.uid);
    if uid.is_empty() {
        return Err(AdmissionError::MissingUid);
    }
    fn get<'a>(v: &'a Value, key: &str) -> &'a str {
        text(crate::facts::field(v, key)).unwrap_or_default()
    }
    let (group, version, kind) = (
        get(f.kind, "group"),
        get(f.kind, "version"),
        get(f.kind, "kind"),
    );
    // `group/version/Kind`, or `version/Kind` for the core group.
    let mut gvk = String::with_capacity(group.len() + version.len() + kind.len() + 2);
    if !group.is_empty() {
        gvk.push_str(group);
        gvk.push('/');
    }
    for part in [version, "/", kind] {
        gvk.push_str(part);
    }
    let username = text_of(text(crate::facts::field(f.user_info, "username")));
    Ok(Request {
        uid,
        operation: text_of(f.operation),
        kind: gvk,
        sub_resource: text_of(f.sub_resource),
        namespace: text_of(f.namespace),
        name: text_of(f.name),
        username,
        dry_run: f.dry_run,
        review,
    })
}

/// The fields of a request [`decode`] reads for [`Request`].
struct Fields<'a> {
    uid: Option<&'a str>,
    operation: Option<&'a str>,
    sub_resource: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    kind: &'a Value,
    user_info: &'a Value,
    dry_run: bool,
}

impl Default for Fields<'_> {
    fn default() -> Self {
        Fields {
            uid: None,
            operation: None,
            sub_resource: None,
            namespace: None,
            name: None,
            kind: &Value::Undefined,
            user_info: &Value::Undefined,
            dry_run: false,
        }
    }
}

/// One finding as it appears in a response.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Verdict {
    pub rule: String,
    pub message: String,
}

/// The findings of one review, sorted into what they do.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub deny: Vec<Verdict>,
    pub warn: Vec<Verdict>,
    pub audit: Vec<Verdict>,
    /// Findings a config exemption covers: recorded, never denied or warned about.
    /// The message ends with the exemption's reason, owner and date.
    pub exempted: Vec<Verdict>,
    /// Exemptions past their date that would have covered a finding (for the log).
    pub expired_exemptions: Vec<String>,
}

impl Decision {
    /// Sorts `hits` by enforcement, with duplicates removed and Secret values masked.
    pub fn from_hits(hits: Vec<RuleHit>, enforcements: &Enforcements, mask: &Mask) -> Decision {
        let hits = hits
            .into_iter()
            .map(|hit| ChangeHit {
                hit,
                pre_existing: false,
            })
            .collect();
        Decision::from_change_hits(hits, enforcements, mask)
    }

    /// As [`Decision::from_hits`]; a pre-existing hit that would deny only warns,
    /// unless its rule enforces pre-existing findings. Pre-existing hits are marked.
    pub fn from_change_hits(
        hits: Vec<ChangeHit>,
        enforcements: &Enforcements,
        mask: &Mask,
    ) -> Decision {
        let mut sorted: [BTreeSet<Verdict>; 3] = Default::default();
        for ChangeHit { hit, pre_existing } in hits {
            let mut enforcement = enforcements.of(&hit);
            if enforcement == Enforcement::Deny
                && !enforcements.pre_existing.counts(&hit.rule, pre_existing)
            {
                enforcement = Enforcement::Warn;
            }
            let slot = match enforcement {
                Enforcement::Deny => 0,
                Enforcement::Warn => 1,
                Enforcement::Audit => 2,
                Enforcement::Off => continue,
            };
            // In front: warnings are cut at MAX_WARNING characters.
            let message = match pre_existing {
                true => format!("({PRE_EXISTING_NOTE}) {}", hit.message),
                false => hit.message,
            };
            sorted[slot].insert(Verdict {
                message: mask.apply_owned(message),
                rule: hit.rule,
            });
        }
        let [deny, warn, audit] = sorted.map(|s| s.into_iter().collect());
        Decision {
            deny,
            warn,
            audit,
            ..Decision::default()
        }
    }

    /// Like [`Decision::from_change_hits`], with the config's exemptions applied to
    /// the hits first: findings they cover go to `exempted` (unless their rule is `off`).
    pub fn with_exemptions(
        hits: Vec<ChangeHit>,
        enforcements: &Enforcements,
        mask: &Mask,
        subject: &Subject,
    ) -> Decision {
        let split = enforcements
            .exemptions
            .split(hits, |h| h.hit.rule.as_str(), subject);
        let mut decision = Decision::from_change_hits(split.kept, enforcements, mask);
        let exempted: BTreeSet<Verdict> = split
            .suppressed
            .into_iter()
            .filter(|(h, _)| enforcements.of(&h.hit) != Enforcement::Off)
            .map(|(ChangeHit { hit, .. }, s)| {
                let until = s.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                let owner = s.owner.map(|o| format!(", owner {o}")).unwrap_or_default();
                Verdict {
                    message: mask.apply(&format!(
                        "{} (exempted{until}{owner}: {})",
                        hit.message, s.reason
                    )),
                    rule: hit.rule,
                }
            })
            .collect();
        decision.exempted = exempted.into_iter().collect();
        decision.expired_exemptions = split
            .expired
            .into_iter()
            .map(|i| enforcements.exemptions.describe(i))
            .collect();
        decision
    }

    pub fn allowed(&self) -> bool {
        self.deny.is_empty()
    }

    /// `deny`, `warn` or `allow`: the decision as logs and metrics name it.
    pub fn outcome(&self) -> &'static str {
        if !self.deny.is_empty() {
            "deny"
        } else if !self.warn.is_empty() {
            "warn"
        } else {
            "allow"
        }
    }

    /// Ids of every rule that reported, each once, in order.
    pub fn rule_ids(&self) -> Vec<&str> {
        let ids: BTreeSet<&str> = self
            .deny
            .iter()
            .chain(&self.warn)
            .chain(&self.audit)
            .map(|v| v.rule.as_str())
            .collect();
        ids.into_iter().collect()
    }

    /// The AdmissionReview that answers request `uid`.
    pub fn response(&self, uid: &str) -> Json {
        let mut response = Map::new();
        response.insert("uid".into(), Json::from(uid));
        response.insert("allowed".into(), Json::Bool(self.allowed()));
        if !self.allowed() {
            response.insert(
                "status".into(),
                json!({
                    "code": 403,
                    "reason": "Forbidden",
                    "message": deny_message(&self.deny),
                }),
            );
        }
        let warnings = warnings(&self.warn);
        if !warnings.is_empty() {
            response.insert("warnings".into(), Json::from(warnings));
        }
        let mut annotations = audit_annotations(&self.audit);
        if !self.exempted.is_empty() {
            let text: Vec<String> = self
                .exempted
                .iter()
                .map(|v| format!("[{}] {}", v.rule, v.message))
                .collect();
            let entry = annotations.entry(EXEMPTED_ANNOTATION.into()).or_default();
            if !entry.is_empty() {
                entry.push_str("; ");
            }
            entry.push_str(&text.join("; "));
            *entry = truncate(entry, MAX_AUDIT_VALUE);
        }
        if !annotations.is_empty() {
            response.insert("auditAnnotations".into(), json!(annotations));
        }
        envelope(response)
    }
}

fn envelope(response: Map<String, Json>) -> Json {
    json!({"apiVersion": API_VERSION, "kind": KIND, "response": response})
}

/// The answer when the rules could not be evaluated (an error or the deadline):
/// allowed with a warning, or denied with code 500, as the failure mode says.
pub fn failure_response(uid: &str, allow: bool, reason: &str) -> Json {
    let reason = truncate(reason, 512);
    let mut response = Map::new();
    response.insert("uid".into(), Json::from(uid));
    response.insert("allowed".into(), Json::Bool(allow));
    if allow {
        response.insert(
            "warnings".into(),
            json!([truncate(
                &format!(
                    "blastwall could not check this request ({reason}); allowed by failure mode"
                ),
                MAX_WARNING
            )]),
        );
    } else {
        response.insert(
            "status".into(),
            json!({
                "code": 500,
                "reason": "InternalError",
                "message": format!("blastwall could not check this request ({reason}); denied by failure mode"),
            }),
        );
    }
    envelope(response)
}

fn deny_message(deny: &[Verdict]) -> String {
    let mut out = String::from("blastwall denied the request:");
    for (i, v) in deny.iter().enumerate() {
        let rest = deny.len() - i;
        // The lengths of `line` and `tail` below, without writing them.
        let line_len = "\n[] ".len() + v.rule.len() + v.message.len();
        let tail_len = "\n… and  more".len() + decimal_digits(rest);
        if out.len() + line_len + tail_len <= MAX_DENY_MESSAGE {
            for part in ["\n[", &v.rule, "] ", &v.message] {
                out.push_str(part);
            }
            continue;
        }
        let line = format!("\n[{}] {}", v.rule, v.message);
        let tail = format!("\n… and {} more", rest);
        // Keep at least part of the first finding so the reason is never empty.
        if i == 0 {
            let room = MAX_DENY_MESSAGE.saturating_sub(out.len() + tail.len());
            out.push_str(&truncate(&line, room));
            if rest > 1 {
                out.push_str(&format!("\n… and {} more", rest - 1));
            }
        } else {
            out.push_str(&tail);
        }
        return out;
    }
    out
}

/// How many digits `n` has in decimal.
fn decimal_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

fn warnings(warn: &[Verdict]) -> Vec<String> {
    let mut out = Vec::new();
    let mut total = 0;
    for (i, v) in warn.iter().enumerate() {
        let mut w = String::with_capacity(v.rule.len() + v.message.len() + 3);
        for part in ["[", &v.rule, "] ", &v.message] {
            w.push_str(part);
        }
        let w = truncate_owned(w, MAX_WARNING);
        let rest = warn.len() - i;
        // Always leave room to say how many were left out.
        if total + w.len() + 40 > MAX_WARNINGS_TOTAL && rest > 1 {
            out.push(format!("… and {rest} more blastwall warnings"));
            return out;
        }
        total += w.len();
        out.push(w);
    }
    out
}

fn audit_annotations(audit: &[Verdict]) -> BTreeMap<String, String> {
    let mut grouped: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for v in audit {
        grouped
            .entry(annotation_key(&v.rule))
            .or_default()
            .push(&v.message);
    }
    grouped
        .into_iter()
        .map(|(k, msgs)| (k, truncate(&msgs.join("; "), MAX_AUDIT_VALUE)))
        .collect()
}

/// A rule id as an audit annotation name: `[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]`, ≤ 63.
fn annotation_key(rule: &str) -> String {
    let mut key: String = rule
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_AUDIT_KEY)
        .collect();
    while key.ends_with(|c: char| !c.is_ascii_alphanumeric()) {
        key.pop();
    }
    while key.starts_with(|c: char| !c.is_ascii_alphanumeric()) {
        key.remove(0);
    }
    if key.is_empty() {
        key.push_str("rule");
    }
    key
}

/// [`truncate`], without a copy when `s` is short enough.
fn truncate_owned(s: String, max: usize) -> String {
    match s.len() <= max {
        true => s,
        false => truncate(&s, max),
    }
}

/// `s` cut to at most `max` bytes on a character boundary, with `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let ellipsis = "…";
    let mut end = max.saturating_sub(ellipsis.len());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &s[..end])
}

/// Secret values that must not appear in any message.
#[derive(Clone, Debug, Default)]
pub struct Mask {
    values: Vec<String>,
}

/// Values shorter than this are not masked: they would garble every message.
const MIN_MASKED: usize = 3;

impl Mask {
    /// The `data` and `stringData` values (and the decoded `data`) of a Secret under review.
    pub fn for_review(review: &Value) -> Mask {
        Mask::for_objects(&[review.field("object"), review.field("oldObject")])
    }

    /// The values of every Secret among `objects` (others are ignored).
    pub fn for_objects(objects: &[&Value]) -> Mask {
        let mut values = BTreeSet::new();
        for obj in objects {
            if !matches!(obj.field("kind"), Value::String(k) if k.as_ref() == "Secret") {
                continue;
            }
            for (field, encoded) in [("data", true), ("stringData", false)] {
                let Value::Object(map) = obj.field(field) else {
                    continue;
                };
                for v in map.values() {
                    let Some(s) = text(v) else { continue };
                    values.insert(s.to_string());
                    if encoded {
                        if let Some(decoded) = base64_decode(s) {
                            values.insert(decoded.trim().to_string());
                            values.insert(decoded);
                        }
                    }
                }
            }
        }
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| v.len() >= MIN_MASKED)
            .collect();
        // Longest first, so a value containing another is masked whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        Mask { values }
    }

    pub fn apply(&self, message: &str) -> String {
        self.apply_owned(message.to_string())
    }

    /// [`Mask::apply`] of a message already owned: unchanged, without a copy,
    /// when it holds no masked value (nearly always: only a Secret has any).
    pub fn apply_owned(&self, mut message: String) -> String {
        for v in &self.values {
            if message.contains(v.as_str()) {
                message = message.replace(v.as_str(), "<redacted>");
            }
        }
        message
    }
}

/// Standard base64 (padding optional); `None` unless it decodes to UTF-8 text.
fn base64_decode(s: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for b in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Evaluates a decoded request as a change (facts, rules, pre-existing findings) and
/// sorts the findings.
pub fn decide(
    engine: &Engine,
    request: &Request,
    ctx: &Context,
    enforcements: &Enforcements,
) -> Result<Decision, EngineError> {
    let hits = change::evaluate_review(engine, &request.review, ctx)?;
    if hits.is_empty() {
        // Nothing to mask, exempt or sort.
        return Ok(Decision::default());
    }
    let mask = Mask::for_review(&request.review);
    // What exemptions look at, when there are any.
    let subject = match enforcements.exemptions.is_empty() {
        true => Subject::default(),
        false => Subject::of_review(&request.review),
    };
    Ok(Decision::with_exemptions(
        hits,
        enforcements,
        &mask,
        &subject,
    ))
}

/// The AdmissionReview response the webhook returns for `body`.
pub fn review(
    engine: &Engine,
    body: &[u8],
    ctx: &Context,
    enforcements: &Enforcements,
) -> Result<Json, AdmissionError> {
    let request = decode(body)?;
    let decision = decide(engine, &request, ctx, enforcements)?;
    Ok(decision.response(&request.uid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(request: Json) -> Vec<u8> {
        serde_json::to_vec(&json!({"apiVersion": API_VERSION, "kind": KIND, "request": request}))
            .unwrap()
    }

    fn hit(rule: &str, severity: Severity, message: &str) -> RuleHit {
        RuleHit {
            rule: rule.into(),
            severity,
            message: message.into(),
            path: vec![],
            related: vec![],
            at_key: false,
        }
    }

    fn pod_request() -> Json {
        json!({
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "namespace": "payroll",
            "name": "api",
            "operation": "CREATE",
            "userInfo": {"username": "alice", "groups": ["payroll:dev", "system:authenticated"],
                         "extra": {"arn": ["arn:aws:sts::111122223333:assumed-role/payroll-dev/alice"]}},
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api", "namespace": "payroll"}},
            "oldObject": null,
            "dryRun": true,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        })
    }

    #[test]
    fn decoded_requests_equal_regorus_own_reading() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut bodies: Vec<Vec<u8>> = ["pod", "configmap", "service", "servicemonitor"]
            .iter()
            .map(|b| std::fs::read(root.join(format!("webhook/bench/{b}-create.json"))).unwrap())
            .collect();
        bodies.push(body(json!({
            "uid": "u", "object": {"a": [1, -2, 3.5, 1e300, 18446744073709551615u64, true, null, {}, []],
            "\u{e9}\n": "x\"y\\z\u{2028}", "dup": 1}, "empty": "", "nested": {"k": {"k": {"k": "v"}}}
        })));
        bodies.push(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","a":{"x":1,"x":2},"s":"\ud83d\ude00"}}"#.to_vec());
        for body in bodies {
            let text = std::str::from_utf8(&body).unwrap();
            let theirs = Value::from_json_str(text).unwrap();
            assert_eq!(decode(&body).unwrap().review, theirs["request"], "{text}");
        }
    }

    #[test]
    fn decode_reads_the_fields_logs_need_and_keeps_the_request_whole() {
        let req = decode(&body(pod_request())).unwrap();
        assert_eq!(req.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(req.kind, "v1/Pod");
        assert_eq!(req.operation, "CREATE");
        assert_eq!(req.namespace, "payroll");
        assert_eq!(req.username, "alice");
        assert!(req.dry_run);
        assert_eq!(
            req.review["userInfo"]["extra"]["arn"][0],
            Value::from("arn:aws:sts::111122223333:assumed-role/payroll-dev/alice")
        );
        assert_eq!(req.review["options"]["kind"], Value::from("CreateOptions"));
    }

    #[test]
    fn malformed_bodies_are_bad_requests_with_a_location() {
        let err = decode(b"{\"apiVersion\": \"admission.k8s.io/v1\",\n \"kind\": }").unwrap_err();
        assert!(err.is_bad_request());
        let text = err.to_string();
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn wrong_envelope_is_named() {
        let v1beta1 = json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": KIND, "request": pod_request()});
        let err = decode(&serde_json::to_vec(&v1beta1).unwrap()).unwrap_err();
        assert!(matches!(err, AdmissionError::ApiVersion { .. }));
        assert!(err.to_string().contains("admission.k8s.io/v1beta1"));

        let kind = json!({"apiVersion": API_VERSION, "kind": "Pod", "request": pod_request()});
        let err = decode(&serde_json::to_vec(&kind).unwrap()).unwrap_err();
        assert!(matches!(err, AdmissionError::Kind { .. }));

        let none = json!({"apiVersion": API_VERSION, "kind": KIND});
        let err = decode(&serde_json::to_vec(&none).unwrap()).unwrap_err();
        assert!(matches!(err, AdmissionError::MissingRequest));

        let mut no_uid = pod_request();
        no_uid["uid"] = json!("");
        assert!(matches!(
            decode(&body(no_uid)).unwrap_err(),
            AdmissionError::MissingUid
        ));
    }

    /// What the fast reader and serde_json make of `body`: the fast reader either
    /// gives up (false) or gives serde_json's values exactly (true).
    fn fast_agrees_with_serde(body: &[u8]) -> bool {
        let Some(fast) = std::str::from_utf8(body).ok().and_then(fast::envelope) else {
            return false;
        };
        let serde = match serde_envelope(body) {
            Ok(serde) => serde,
            Err(e) => panic!(
                "fast read what serde refuses ({e}): {}",
                String::from_utf8_lossy(body)
            ),
        };
        let same = |a: &Option<Value>, b: &Option<Value>| {
            // serde gives `None` for null.
            let a = a.clone().filter(|v| *v != Value::Null);
            let b = b.clone().filter(|v| *v != Value::Null);
            let json = |v: &Option<Value>| v.as_ref().map(|v| v.to_json_str().unwrap());
            a == b && json(&a) == json(&b)
        };
        assert!(
            same(&fast.api_version, &serde.api_version)
                && same(&fast.kind, &serde.kind)
                && same(&fast.request, &serde.request),
            "{}",
            String::from_utf8_lossy(body)
        );
        if let (Some(fast), Some(serde)) = (&fast.request, &serde.request) {
            assert!(
                found_alike(fast, serde),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        true
    }

    /// Whether every key of every object of `serde` is found in the object at the
    /// same place in `fast`, with the same value, by a lookup (which relies on the
    /// order the keys are kept in).
    fn found_alike(fast: &Value, serde: &Value) -> bool {
        match (fast, serde) {
            (Value::Object(f), Value::Object(s)) => {
                f.len() == s.len()
                    && s.iter().all(|(k, sv)| {
                        let by_str = match k {
                            Value::String(k) => f.get_str(k),
                            _ => None,
                        };
                        matches!((f.get(k), by_str), (Some(a), Some(b)) if std::ptr::eq(a, b) && found_alike(a, sv))
                    })
            }
            (Value::Array(f), Value::Array(s)) => {
                f.len() == s.len() && f.iter().zip(s.iter()).all(|(a, b)| found_alike(a, b))
            }
            _ => fast == serde,
        }
    }

    #[test]
    fn the_fast_reader_reads_the_common_bodies_as_serde_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for b in ["pod", "configmap", "service", "servicemonitor"] {
            let body = std::fs::read(root.join(format!("webhook/bench/{b}-create.json"))).unwrap();
            assert!(fast_agrees_with_serde(&body), "{b}");
        }
        let escaped = br#" { "kind" : "AdmissionReview", "apiVersion":"admission.k8s.io/v1", "other": [1, {"a": null}],
            "request": {"uid": "u", "s": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\u0000", "k\u0069nd": "x",
            "n": [0, 7, -1, -0, 1.5, 1e3, 2E-2, 123456789012345678, 12345678901234567890, 123456789012345678901234, -9223372036854775808],
            "e": {}, "a": [], "d": {"x": 1, "x": [true, false, null]}}}
        "#;
        assert!(fast_agrees_with_serde(escaped));
        // Left to serde: errors, lone surrogates, a repeated or odd envelope field.
        for body in [
            &br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"s":"\ud800"}}"#[..],
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","kind":"AdmissionReview","request":{}}"#,
            br#"{"apiVersion":5,"kind":"AdmissionReview","request":{}}"#,
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"n":01}}"#,
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"a":[1,]}}"#,
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}} x"#,
            b"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"s\":\"a\tb\"}}",
        ] {
            assert!(
                !fast_agrees_with_serde(body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        fn spaces() -> impl Strategy<Value = String> {
            prop::sample::select(vec!["", "", "", " ", "\n  ", "\t", "\r\n"]).prop_map(String::from)
        }

        /// A JSON string: its pieces are escapes (some invalid), characters that
        /// must be escaped written raw, and text.
        fn string() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                8 => prop::sample::select(vec![
                    "a", "kind", "metadata", "é", "😀", " ", r#"\""#, r"\\", r"\/", r"\n", r"\t",
                    r"\u00e9", r"\u0000", r"\ud83d\ude00", "v1", "TCP", "metadatX",
                    "system:authenticated", "ownerReferences",
                ]),
                1 => prop::sample::select(vec![
                    r"\ud800", r"\udc00x", r"\uzzzz", r"\x", "\t", "\u{1}", "\\",
                ]),
            ];
            prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
        }

        fn number() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                any::<i64>().prop_map(|n| n.to_string()),
                (0u32..1000).prop_map(|n| n.to_string()),
                any::<f64>().prop_map(|n| format!("{n:?}")),
                any::<f64>().prop_map(|n| format!("{n:e}")),
                prop::sample::select(vec![
                    "-0",
                    "1.5e-3",
                    "0.1e1",
                    "2.5E+10",
                    "1234567890123456789"
                ])
                .prop_map(String::from),
                prop::sample::select(vec![
                    "0",
                    "-0",
                    "00",
                    "01",
                    "1.",
                    ".5",
                    "1e",
                    "1e+",
                    "-",
                    "1.5e-3",
                    "1E400",
                    "-1e400",
                    "123456789012345678",
                    "1234567890123456789",
                    "99999999999999999999",
                    "0.1e1",
                    "2.5E+10",
                    "--1",
                    "1-2",
                ])
                .prop_map(String::from),
            ]
        }

        fn json() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                prop::sample::select(vec![
                    "true", "false", "null", "true", "false", "null", "tru"
                ])
                .prop_map(String::from),
                number(),
                string(),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    (
                        prop::collection::vec((spaces(), inner.clone()), 0..6),
                        spaces()
                    )
                        .prop_map(|(items, end)| {
                            let items: Vec<String> =
                                items.into_iter().map(|(s, v)| format!("{s}{v}")).collect();
                            format!("[{}{end}]", items.join(","))
                        }),
                    (
                        prop_oneof![
                            4 => prop::collection::vec((string(), spaces(), inner.clone()), 0..6),
                            // Wider than the objects put in order by insertion.
                            1 => prop::collection::vec((string(), spaces(), inner), 14..24),
                        ],
                        spaces()
                    )
                        .prop_map(|(entries, end)| {
                            let entries: Vec<String> = entries
                                .into_iter()
                                .map(|(k, s, v)| format!("{s}{k}{s}:{s}{v}"))
                                .collect();
                            format!("{{{}{end}}}", entries.join(","))
                        }),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Generated bodies, whole or with a byte cut, added or removed.
            #[test]
            fn the_fast_reader_gives_serde_values_or_gives_up(
                value in json(),
                s in spaces(),
                cut in any::<prop::sample::Index>(),
                byte in prop::sample::select(vec![
                    b'"', b'{', b'}', b'[', b']', b',', b':', b'\\', b'1', b' ', 0x01, b'e', b'-',
                ]),
                mutate in 0u8..4,
            ) {
                let mut body = format!(
                    "{s}{{{s}\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":{s}\"AdmissionReview\",\"request\":{s}{{\"uid\":\"u\",\"x\":{value}}}{s}}}{s}"
                )
                .into_bytes();
                let at = cut.index(body.len());
                match mutate {
                    0 => body.truncate(at),
                    1 => body.insert(at, byte),
                    2 => {
                        body.remove(at);
                    }
                    _ => {}
                }
                fast_agrees_with_serde(&body);
            }
        }
    }

    #[test]
    fn deeply_nested_bodies_are_rejected_not_crashed() {
        let deep = format!(
            "{{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(decode(deep.as_bytes()).unwrap_err().is_bad_request());
    }

    #[test]
    fn severities_map_to_deny_warn_audit_and_overrides_win() {
        let hits = vec![
            hit(
                "privileged-container",
                Severity::Error,
                "container app is privileged",
            ),
            hit(
                "latest-image-tag",
                Severity::Warning,
                "image nginx uses :latest",
            ),
            hit("missing-owner-label", Severity::Info, "no owner label"),
            hit("noisy", Severity::Error, "ignored"),
        ];
        let mut enf = Enforcements::default();
        enf.set("noisy", Enforcement::Off);
        let d = Decision::from_hits(hits, &enf, &Mask::default());
        let r = d.response("u1");
        assert_eq!(r["apiVersion"], API_VERSION);
        assert_eq!(r["kind"], KIND);
        assert_eq!(r["response"]["uid"], "u1");
        assert_eq!(r["response"]["allowed"], false);
        assert_eq!(r["response"]["status"]["code"], 403);
        let msg = r["response"]["status"]["message"].as_str().unwrap();
        assert!(msg.contains("[privileged-container] container app is privileged"));
        assert!(!msg.contains("ignored"));
        assert_eq!(
            r["response"]["warnings"],
            json!(["[latest-image-tag] image nginx uses :latest"])
        );
        assert_eq!(
            r["response"]["auditAnnotations"],
            json!({"missing-owner-label": "no owner label"})
        );
        assert_eq!(
            d.rule_ids(),
            vec![
                "latest-image-tag",
                "missing-owner-label",
                "privileged-container"
            ]
        );

        enf.set("privileged-container", Enforcement::Warn);
        let hits = vec![hit("privileged-container", Severity::Error, "x")];
        let d = Decision::from_hits(hits, &enf, &Mask::default());
        assert!(d.allowed());
        assert_eq!(d.outcome(), "warn");
    }

    #[test]
    fn an_allowed_response_has_no_status() {
        let r = Decision::default().response("u2");
        assert_eq!(r["response"], json!({"uid": "u2", "allowed": true}));
    }

    #[test]
    fn denial_message_is_bounded_and_counts_the_rest() {
        let hits: Vec<RuleHit> = (0..500)
            .map(|i| hit(&format!("rule-{i:03}"), Severity::Error, &"m".repeat(100)))
            .collect();
        let d = Decision::from_hits(hits, &Enforcements::default(), &Mask::default());
        let r = d.response("u");
        let msg = r["response"]["status"]["message"].as_str().unwrap();
        assert!(msg.len() <= MAX_DENY_MESSAGE, "{}", msg.len());
        assert!(msg.contains("[rule-000]"));
        assert!(msg.ends_with("more"), "{msg}");
        let shown = msg.matches("\n[rule-").count();
        assert!(msg.contains(&format!("… and {} more", 500 - shown)));

        let huge = vec![hit("one", Severity::Error, &"é".repeat(10_000))];
        let d = Decision::from_hits(huge, &Enforcements::default(), &Mask::default());
        let msg = d.response("u")["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(msg.len() <= MAX_DENY_MESSAGE && msg.contains("[one]"));
    }

    #[test]
    fn denial_messages_are_cut_where_whole_lines_stop_fitting() {
        // The message as first written: every line and tail formatted, then measured.
        fn formatted(deny: &[Verdict]) -> String {
            let mut out = String::from("blastwall denied the request:");
            for (i, v) in deny.iter().enumerate() {
                let line = format!("\n[{}] {}", v.rule, v.message);
                let rest = deny.len() - i;
                let tail = format!("\n… and {} more", rest);
                if out.len() + line.len() + tail.len() > MAX_DENY_MESSAGE {
                    if i == 0 {
                        let room = MAX_DENY_MESSAGE.saturating_sub(out.len() + tail.len());
                        out.push_str(&truncate(&line, room));
                        if rest > 1 {
                            out.push_str(&format!("\n… and {} more", rest - 1));
                        }
                    } else {
                        out.push_str(&tail);
                    }
                    return out;
                }
                out.push_str(&line);
            }
            out
        }
        for n in [0, 1, 2, 9, 10, 11, 99, 100, 101, 1000] {
            assert_eq!(decimal_digits(n), n.to_string().len());
        }
        for count in [1, 2, 3, 9, 10, 11, 12, 40, 120] {
            for len in [0, 1, 50, 300, 330, 331, 332, 333, 400, 4000, 4070, 4100] {
                let deny: Vec<Verdict> = (0..count)
                    .map(|i| Verdict {
                        rule: format!("r{i}"),
                        message: "é".repeat(len / 2) + &"m".repeat(len % 2),
                    })
                    .collect();
                assert_eq!(deny_message(&deny), formatted(&deny), "{count} × {len}");
            }
        }
    }

    #[test]
    fn warnings_stay_within_api_server_limits() {
        let hits: Vec<RuleHit> = (0..100)
            .map(|i| hit(&format!("w-{i:02}"), Severity::Warning, &"x".repeat(1000)))
            .collect();
        let d = Decision::from_hits(hits, &Enforcements::default(), &Mask::default());
        let r = d.response("u");
        let ws: Vec<&str> = r["response"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap())
            .collect();
        assert!(ws.iter().all(|w| w.len() <= MAX_WARNING));
        assert!(ws.iter().map(|w| w.len()).sum::<usize>() <= MAX_WARNINGS_TOTAL);
        let last = ws.last().unwrap();
        assert!(
            last.starts_with("… and ") && last.contains("more"),
            "{last}"
        );
    }

    #[test]
    fn audit_keys_are_valid_annotation_names() {
        assert_eq!(
            annotation_key("cross-product-binding"),
            "cross-product-binding"
        );
        assert_eq!(annotation_key("-weird/id-"), "weird-id");
        assert_eq!(annotation_key(&"a".repeat(100)).len(), 63);
    }

    #[test]
    fn secret_values_never_appear_in_messages() {
        let review = Value::from_json_str(
            r#"{"object": {"kind": "Secret", "data": {"password": "aHVudGVyMjI="},
                "stringData": {"token": "tok-123456"}},
                "oldObject": {"kind": "Secret", "data": {"password": "b2xkLXNlY3JldA=="}}}"#,
        )
        .unwrap();
        let mask = Mask::for_review(&review);
        let hits = vec![
            hit(
                "r",
                Severity::Error,
                "password aHVudGVyMjI= decodes to hunter22",
            ),
            hit(
                "r",
                Severity::Warning,
                "token tok-123456 and old old-secret",
            ),
        ];
        let d = Decision::from_hits(hits, &Enforcements::default(), &mask);
        let text = d.response("u").to_string();
        for secret in ["aHVudGVyMjI=", "hunter22", "tok-123456", "old-secret"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn failure_mode_answers() {
        let allow = failure_response("u", true, "deadline of 8s exceeded");
        assert_eq!(allow["response"]["allowed"], true);
        assert!(allow["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("deadline"));
        let deny = failure_response("u", false, "rule error");
        assert_eq!(deny["response"]["allowed"], false);
        assert_eq!(deny["response"]["status"]["code"], 500);
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some("hello"));
        assert_eq!(base64_decode("aGVsbG8").as_deref(), Some("hello"));
        assert_eq!(base64_decode("not base64!"), None);
    }

    #[test]
    fn exempted_hits_are_audited_not_denied_and_expired_exemptions_are_named() {
        let config = crate::config::parse(
            "c.yaml",
            "apiVersion: blastwall.dev/v1alpha1
kind: Config
rules:
  host-port: {enforcement: {webhook: \"off\"}}
exemptions:
  - {rule: [privileged-container, host-port], namespace: payroll, reason: load test, owner: perf, expires: 2030-01-31}
  - {rule: run-as-root, name: api, reason: old, owner: perf, expires: 2020-01-31}
"
            .into(),
        )
        .unwrap();
        let mut enf = Enforcements::from_config(&config);
        enf.set_clock(Clock::Fixed(
            crate::config::Date::parse("2025-05-05").unwrap(),
        ));
        let review = Value::from_json_str(&pod_request().to_string()).unwrap();
        let subject = Subject::of_review(&review);
        let hits = ["privileged-container", "host-port", "run-as-root"]
            .into_iter()
            .map(|rule| ChangeHit {
                hit: hit(rule, Severity::Error, "m"),
                pre_existing: false,
            })
            .collect();
        let d = Decision::with_exemptions(hits, &enf, &Mask::default(), &subject);
        assert_eq!(d.outcome(), "deny");
        assert_eq!(d.rule_ids(), ["run-as-root"]);
        assert_eq!(
            d.exempted,
            [Verdict {
                rule: "privileged-container".into(),
                message: "m (exempted until 2030-01-31, owner perf: load test)".into()
            }]
        );
        assert_eq!(
            d.expired_exemptions,
            ["exemptions[1] (run-as-root; name api) expires 2020-01-31"]
        );
        let r = d.response("u");
        assert_eq!(
            r["response"]["auditAnnotations"],
            json!({"exempted": "[privileged-container] m (exempted until 2030-01-31, owner perf: load test)"})
        );
    }

    /// The full path: a real AdmissionReview through the built-in pack and the
    /// tenancy facts, as `blastwall review` and the webhook run it.
    #[test]
    fn review_runs_the_rule_pack_with_tenancy_facts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let config = crate::config::load(&root.join("fixtures/tenancy/blastwall.yaml")).unwrap();
        let mut engine = Engine::builtin().unwrap();
        engine.set_config(config.to_value()).unwrap();
        let ctx = Context {
            tenancy: Some(std::sync::Arc::new(crate::facts::tenancy::Tenancy::new(
                config,
            ))),
            namespaces: None,
            gatekeeper: None,
            roles: None,
            access_run: None,
        };
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "reconcile", "namespace": "payroll-api"},
            "spec": {"containers": [
                {"name": "reconcile", "image": "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/close-books:1.4.0"},
                {"name": "debug", "image": "busybox:1.36"}]}
        });
        let mut request = pod_request();
        request["namespace"] = json!("payroll-api");
        request["name"] = json!("reconcile");
        request["object"] = pod;
        let out = review(
            &engine,
            &body(request.clone()),
            &ctx,
            &Enforcements::default(),
        )
        .unwrap();
        let resp = &out["response"];
        assert_eq!(resp["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(resp["allowed"], false);
        assert_eq!(resp["status"]["code"], 403);
        let msg = resp["status"]["message"].as_str().unwrap();
        assert!(
            msg.contains("[cross-product-image] image of another product"),
            "{msg}"
        );
        let warning = resp["warnings"][0].as_str().unwrap();
        assert!(
            warning.starts_with("[cross-product-image] image busybox:1.36"),
            "{warning}"
        );

        // The same request as a DELETE: no object, rules stay silent.
        request["operation"] = json!("DELETE");
        request["oldObject"] = request["object"].take();
        request["object"] = Json::Null;
        let out = review(&engine, &body(request), &ctx, &Enforcements::default()).unwrap();
        assert_eq!(out["response"]["allowed"], true, "{out}");
    }

    /// UPDATE: a violation the old object already had only warns, unless the config
    /// enforces pre-existing findings of its rule; a second violation denies.
    #[test]
    fn pre_existing_findings_warn_unless_enforced() {
        let engine = Engine::builtin().unwrap();
        let pod = |containers: Json| {
            json!({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": "api", "namespace": "payroll"},
                   "spec": {"containers": containers}})
        };
        let c = |name: &str, image: &str, privileged: bool| {
            json!({"name": name, "image": image,
                   "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                   "securityContext": {"privileged": privileged, "runAsNonRoot": true,
                                       "allowPrivilegeEscalation": false}})
        };
        let mut request = pod_request();
        request["operation"] = json!("UPDATE");
        request["oldObject"] = pod(json!([c("app", "ecr.example/api:1", true)]));
        request["object"] = pod(json!([
            c("sidecar", "ecr.example/proxy:1", false),
            c("app", "ecr.example/api:2", true)
        ]));
        let run = |enf: &Enforcements, request: &Json| {
            review(&engine, &body(request.clone()), &Context::default(), enf).unwrap()
        };
        let out = run(&Enforcements::default(), &request);
        assert_eq!(out["response"]["allowed"], true, "{out}");
        assert_eq!(
            out["response"]["warnings"],
            json!(["[privileged-container] (pre-existing: already present before this change) container 'app' runs privileged: it gets every capability and every host device, without seccomp or AppArmor confinement, so root in it can take over the node"])
        );

        let mut enforced = Enforcements::default();
        enforced.pre_existing.enforce("privileged-container");
        let out = run(&enforced, &request);
        assert_eq!(out["response"]["allowed"], false, "{out}");

        // The sidecar turns privileged too: that one is new and denies.
        request["object"]["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
        let out = run(&Enforcements::default(), &request);
        let msg = out["response"]["status"]["message"].as_str().unwrap();
        assert!(
            msg.contains("[privileged-container] container 'sidecar' runs privileged"),
            "{msg}"
        );
        assert!(!msg.contains("'app'"), "{msg}");
    }
}

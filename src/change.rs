//! Changes: one review evaluated as a transition from `oldObject` to `object`.
//!
//! Both the webhook ([`crate::admission::decide`]) and `blastwall lint --base` call
//! [`evaluate_review`], so a change gets the same verdict in CI and at admission.
//!
//! Two kinds of rules run on a review:
//!
//! - **change rules** (metadata `category: "change"`, under `rules/change/`) look at the
//!   transition itself (`operation`, `oldObject` → `object`, `userInfo`) and are never
//!   pre-existing;
//! - **ordinary rules** look at `object` alone. On UPDATE, a finding of an ordinary rule
//!   that already held for `oldObject` is *pre-existing*: reported, but by default it
//!   neither denies nor fails (see [`PreExistingPolicy`]), so teams can still edit
//!   objects that carry old debt.
//!
//! ## When a finding is pre-existing
//!
//! The old object is evaluated as if it were created now: a CREATE review of
//! `oldObject` with the same `userInfo`, `namespace`, `name`, `kind` and `resource`,
//! and facts computed for it the same way. A hit `n` of the new review is pre-existing
//! when the old evaluation has a hit `o` with
//!
//! 1. the same rule id,
//! 2. the same message, word for word (a message that shows more — another image,
//!    another capability, a wider group — is a different message, so it is new),
//! 3. a severity at least as high as `n`'s, and
//! 4. the same path once list indexes are ignored (`spec.containers[*].image`): moving
//!    a container or an aws-auth entry does not make its finding new.
//!
//! Each old hit excuses at most one new hit; exact path matches are paired first. So
//! if one privileged container becomes two with the same message, one of the two is
//! new. Only UPDATE reviews have pre-existing findings; CREATE, DELETE and CONNECT
//! have none.
//!
//! An UPDATE whose object equals its old object changes nothing: change rules are
//! not consulted and every finding is pre-existing, so an unchanged file in a pull
//! request never brings a new finding.

use regorus::Value;

use crate::config::{Config, PreExisting};
use crate::engine::{Engine, EngineError, RuleHit};
use crate::facts::{self, Context};
use crate::source::PathSeg;

/// The metadata category of change rules.
pub const CHANGE_CATEGORY: &str = "change";

pub use crate::finding::PRE_EXISTING_NOTE;

/// One rule hit of a review, and whether it already held before the change.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeHit {
    pub hit: RuleHit,
    /// An ordinary rule's finding that `oldObject` already had (UPDATE only).
    pub pre_existing: bool,
}

/// Evaluates one AdmissionRequest-shaped `review` (CREATE, UPDATE, DELETE or CONNECT,
/// as [`crate::review::build`] makes it or as the API server sends it): computes its
/// facts with `ctx`, runs every rule once, and on UPDATE marks pre-existing hits (see
/// the module docs).
///
/// Paths of hits point into `review.object`, or into `review.oldObject` when there is
/// no object (DELETE). Hits come back in the engine's order; callers sort as they
/// need. Whether a hit then denies or fails is the caller's business: ask
/// [`PreExistingPolicy::counts`] for pre-existing ones.
///
/// ```no_run
/// # use blastwall::{change, engine::Engine, facts::Context, review::{self, Operation, Requester}};
/// # let (old, new) = (regorus::Value::Null, regorus::Value::Null);
/// let engine = Engine::builtin()?;
/// let review = review::build(Operation::Update, Some(new), Some(old), &Requester::default());
/// for h in change::evaluate_review(&engine, &review, &Context::default())? {
///     println!("{} {} pre-existing={}", h.hit.rule, h.hit.message, h.pre_existing);
/// }
/// # Ok::<(), blastwall::engine::EngineError>(())
/// ```
pub fn evaluate_review(
    engine: &Engine,
    review: &Value,
    ctx: &Context,
) -> Result<Vec<ChangeHit>, EngineError> {
    let mut hits = evaluate_once(engine, review, ctx)?;
    let is_update =
        matches!(facts::field(review, "operation"), Value::String(op) if op.as_ref() == "UPDATE");
    let old = facts::field(review, "oldObject");
    let has_old = !matches!(old, Value::Null | Value::Undefined);
    let ordinary = |h: &RuleHit| !is_change_rule(engine, &h.rule);
    if is_update && has_old && facts::field(review, "object") == old {
        hits.retain(ordinary);
        return Ok(hits
            .into_iter()
            .map(|hit| ChangeHit {
                hit,
                pre_existing: true,
            })
            .collect());
    }
    // The old object is evaluated only when some ordinary rule reported on the new one.
    if !is_update || !has_old || !hits.iter().any(ordinary) {
        return Ok(hits
            .into_iter()
            .map(|hit| ChangeHit {
                hit,
                pre_existing: false,
            })
            .collect());
    }
    let before = as_created(review);
    let old_hits: Vec<RuleHit> = evaluate_once(engine, &before, ctx)?
        .into_iter()
        .filter(ordinary)
        .collect();
    let flags = pre_existing(&hits, &old_hits, |h| ordinary(h));
    Ok(hits
        .into_iter()
        .zip(flags)
        .map(|(hit, pre_existing)| ChangeHit { hit, pre_existing })
        .collect())
}

/// The hits of the rules, then of the Gatekeeper constraints of `ctx`, on `review`.
fn evaluate_once(
    engine: &Engine,
    review: &Value,
    ctx: &Context,
) -> Result<Vec<RuleHit>, EngineError> {
    let facts = facts::Lazy::new(review, ctx, None);
    let mut hits = engine.evaluate_review(review, &facts)?;
    if let Some(gatekeeper) = &ctx.gatekeeper {
        hits.extend(gatekeeper.hits(review)?);
    }
    Ok(hits)
}

/// Whether rule `id` is a change rule (its findings are never pre-existing).
pub fn is_change_rule(engine: &Engine, id: &str) -> bool {
    engine
        .rule(id)
        .is_some_and(|meta| meta.category == CHANGE_CATEGORY)
}

/// `review` with `oldObject` as a newly created object: same requester and target.
fn as_created(review: &Value) -> Value {
    let mut before = review.clone();
    if let Ok(map) = before.as_object_mut() {
        map.insert(Value::from("operation"), Value::from("CREATE"));
        let old = map
            .get(&Value::from("oldObject"))
            .cloned()
            .unwrap_or(Value::Null);
        map.insert(Value::from("object"), old);
        map.insert(Value::from("oldObject"), Value::Null);
    }
    before
}

/// For each of `new` (filtered by `eligible`), whether some hit of `old` already
/// held it; each old hit is used at most once, exact paths first.
fn pre_existing(
    new: &[RuleHit],
    old: &[RuleHit],
    eligible: impl Fn(&RuleHit) -> bool,
) -> Vec<bool> {
    let mut used = vec![false; old.len()];
    let mut flags = vec![false; new.len()];
    for exact in [true, false] {
        for (i, n) in new.iter().enumerate() {
            if flags[i] || !eligible(n) {
                continue;
            }
            let found = old.iter().enumerate().find(|(j, o)| {
                !used[*j]
                    && o.rule == n.rule
                    && o.message == n.message
                    && o.severity >= n.severity
                    && if exact {
                        o.path == n.path
                    } else {
                        same_shape(&o.path, &n.path)
                    }
            });
            if let Some((j, _)) = found {
                used[j] = true;
                flags[i] = true;
            }
        }
    }
    flags
}

/// Equal paths once list indexes are ignored.
fn same_shape(a: &[PathSeg], b: &[PathSeg]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (PathSeg::Index(_), PathSeg::Index(_)) => true,
            _ => x == y,
        })
}

/// Which rules' pre-existing findings still deny (webhook) and fail (CI): by default
/// none; `rules: {<id>: {preExisting: enforce}}` in the config makes them count.
#[derive(Clone, Debug, Default)]
pub struct PreExistingPolicy {
    enforced: std::collections::HashSet<String>,
}

impl PreExistingPolicy {
    pub fn from_config(config: &Config) -> PreExistingPolicy {
        PreExistingPolicy {
            enforced: config
                .rules
                .iter()
                .filter(|(_, s)| s.pre_existing == Some(PreExisting::Enforce))
                .map(|(id, _)| id.clone())
                .collect(),
        }
    }

    /// Makes pre-existing findings of `rule` count like new ones.
    pub fn enforce(&mut self, rule: &str) {
        self.enforced.insert(rule.to_string());
    }

    /// Whether a hit of `rule` counts towards a denial or a failing exit code.
    pub fn counts(&self, rule: &str, pre_existing: bool) -> bool {
        !pre_existing || self.enforced.contains(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn hit(rule: &str, message: &str, path: &[PathSeg]) -> RuleHit {
        RuleHit {
            rule: rule.into(),
            severity: Severity::Error,
            message: message.into(),
            path: path.to_vec(),
            related: vec![],
            at_key: false,
        }
    }

    fn k(s: &str) -> PathSeg {
        PathSeg::Key(s.into())
    }

    #[test]
    fn same_rule_message_and_path_is_pre_existing() {
        let p = [k("spec"), k("containers"), PathSeg::Index(0)];
        let new = [
            hit("r", "m", &p),
            hit("r", "worse m", &p),
            hit("s", "m", &p),
        ];
        let old = [hit("r", "m", &p), hit("s", "m", &[k("spec")])];
        assert_eq!(pre_existing(&new, &old, |_| true), [true, false, false]);
    }

    #[test]
    fn moved_list_items_stay_pre_existing_and_each_old_hit_excuses_one() {
        let at = |i| [k("spec"), k("containers"), PathSeg::Index(i)];
        let old = [hit("r", "m", &at(0))];
        let new = [hit("r", "m", &at(1)), hit("r", "m", &at(0))];
        // The exact match is paired first; the moved copy is a second, new hit.
        assert_eq!(pre_existing(&new, &old, |_| true), [false, true]);
        assert_eq!(pre_existing(&new[..1], &old, |_| true), [true]);
    }

    #[test]
    fn a_higher_severity_is_new_and_ineligible_hits_are_never_pre_existing() {
        let mut old = hit("r", "m", &[]);
        old.severity = Severity::Warning;
        assert_eq!(
            pre_existing(&[hit("r", "m", &[])], &[old], |_| true),
            [false]
        );
        let same = hit("r", "m", &[]);
        assert_eq!(
            pre_existing(
                std::slice::from_ref(&same),
                std::slice::from_ref(&same),
                |_| false
            ),
            [false]
        );
    }

    #[test]
    fn policy_counts_new_hits_and_enforced_pre_existing_ones() {
        let mut policy = PreExistingPolicy::default();
        assert!(policy.counts("r", false));
        assert!(!policy.counts("r", true));
        policy.enforce("r");
        assert!(policy.counts("r", true));
    }
}

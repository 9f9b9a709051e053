//! Facts: what Rust computes about a review before rules run, so rules stay short
//! and fast (`input.facts`). The same functions serve the CLI and the webhook.
//!
//! - `awsAuth`: the parsed `mapRoles` / `mapUsers` / `mapAccounts` of an aws-auth
//!   ConfigMap, with each entry's path and parse errors.
//! - `tenancy`: the product that owns the target namespace, the owners of the names
//!   the object mentions, and who the requester is (its products, whether it is an
//!   admin or an EKS system identity). The shape is documented in [`tenancy`].
//! - `workload`: the pod spec of any object that carries one and its containers,
//!   with paths, labels, effective security contexts and image parts ([`workload`]).
//! - `accessConfig`: the EKS access entries and cluster access settings an eksctl,
//!   ACK, Crossplane, CloudFormation or Terraform-plan document declares
//!   ([`crate::access_entries::facts`] documents the shape); `accessConfigChange`:
//!   what an UPDATE or DELETE of one does to authentication modes and admin and
//!   node-role entries ([`crate::access_entries::change`]).
//! - `awsAuthAccess`: for an aws-auth ConfigMap in a lint run, what the run's other
//!   documents declare about its cluster: the authentication mode, and the access
//!   entry of each mapped principal ([`crate::access_entries::run`]).
//! - `manifest`: `{"incomplete": true}` for an object whose `apiVersion` or `kind`
//!   is missing, empty or not a string (what manifest-missing-kind judges).
//! - `awsAuthOld` and `change`: the old side of an UPDATE or DELETE and what changed,
//!   for the change rules ([`change`]).

pub mod aws_auth;
pub mod change;
pub mod keys;
pub mod rbac;
pub mod requester;
pub mod roles;
pub mod tenancy;
pub mod workload;

use std::sync::Arc;

use regorus::Value;

/// Everything facts may depend on beyond the review itself.
#[derive(Default, Clone)]
pub struct Context {
    /// The tenancy config, compiled; `None` keeps tenancy rules silent.
    pub tenancy: Option<Arc<tenancy::Tenancy>>,
    /// Labels of Namespaces: the run's Namespace documents (CLI) or the cluster cache (webhook).
    pub namespaces: Option<Arc<dyn tenancy::NamespaceLookup>>,
    /// The Gatekeeper constraints of this place, evaluated beside the rules
    /// (see [`crate::gatekeeper`]); `None` when there are none.
    pub gatekeeper: Option<Arc<crate::gatekeeper::Run>>,
    /// The Roles and ClusterRoles of the run's input, so that a binding knows what
    /// its role grants (`None`: bindings know the built-in cluster-admin only).
    pub roles: Option<Arc<rbac::Roles>>,
    /// The access entries and cluster settings of every document of a lint run, for
    /// facts that compare documents ([`crate::access_entries::run`]); `None` in the
    /// webhook, which sees one object at a time.
    pub access_run: Option<Arc<crate::access_entries::run::RunIndex>>,
}

/// A set of facts (`input.facts.<name>`), for computing only those the rules a
/// review reaches read (see [`Names::of`] for the names); `tenancy` also by parts
/// ([`tenancy::Parts`]), for rules that read only some of its fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Names(u32);

/// Every top-level fact, by bit.
pub const NAMES: [&str; 10] = [
    "workload",
    "rbac",
    "manifest",
    "awsAuth",
    "awsAuthAccess",
    "accessConfig",
    "accessConfigChange",
    "tenancy",
    "awsAuthOld",
    "change",
];

/// Where the bits of [`tenancy::Parts`] start.
const TENANCY_PARTS: u32 = 16;

impl Names {
    pub const NONE: Names = Names(0);
    /// Every fact, whole.
    pub const ALL: Names = Names((1 << NAMES.len()) - 1);

    /// The set of what reading the fact path `name` needs: the fact `name`
    /// (`workload`), or for a dotted path the fact it starts with, except that a
    /// path under `tenancy` (`tenancy.owners.images`) needs only that part of it
    /// ([`tenancy::Parts::of`]); none for a name that is no fact.
    #[inline]
    pub fn of(name: &str) -> Names {
        match name.split_once('.') {
            None => Names::top(name),
            Some((top, rest)) => Names::of_path(top, rest),
        }
    }

    /// The one top-level fact `name`.
    #[inline]
    fn top(name: &str) -> Names {
        match NAMES.iter().position(|n| *n == name) {
            Some(bit) => Names(1 << bit),
            None => Names::NONE,
        }
    }

    #[inline(never)]
    fn of_path(top: &str, rest: &str) -> Names {
        match top {
            "tenancy" => Names(tenancy::Parts::of(rest).bits() << TENANCY_PARTS),
            _ => Names::top(top),
        }
    }

    /// Whether the top-level fact `name` is in the set whole.
    #[inline]
    pub fn contains(self, name: &str) -> bool {
        self.0 & Names::top(name).0 != 0
    }

    /// The parts of `tenancy` in the set: every part when it is there whole,
    /// `None` when no part is.
    pub fn tenancy(self) -> Option<tenancy::Parts> {
        if self.contains("tenancy") {
            return Some(tenancy::Parts::ALL);
        }
        let parts = tenancy::Parts::from_bits(self.0 >> TENANCY_PARTS);
        (!parts.is_empty()).then_some(parts)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Names) -> Names {
        Names(self.0 | other.0)
    }

    /// The set without `other` (a fact there whole takes its parts along).
    pub fn without(self, other: Names) -> Names {
        let mut drop = other.0;
        if other.contains("tenancy") {
            drop |= tenancy::Parts::ALL.bits() << TENANCY_PARTS;
        }
        Names(self.0 & !drop)
    }

    /// The names, in [`NAMES`] order, then the parts of `tenancy` when it is not
    /// there whole (`tenancy.owners.images`, [`tenancy::Parts::names`]).
    pub fn iter(self) -> impl Iterator<Item = String> {
        let top = NAMES
            .iter()
            .enumerate()
            .filter(move |(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, n)| n.to_string());
        let parts = match self.contains("tenancy") {
            true => tenancy::Parts::NONE,
            false => tenancy::Parts::from_bits(self.0 >> TENANCY_PARTS),
        };
        top.chain(parts.names().map(|p| format!("tenancy.{p}")))
    }
}

/// The facts of one review, computed on demand: what
/// [`crate::engine::Engine::evaluate_review`] asks for, first the facts rules match
/// on, then those the rules the review reaches read.
pub struct Lazy<'a> {
    pub review: &'a Value,
    pub ctx: &'a Context,
    /// The document of a lint run the review is of ([`compute_at`]).
    pub doc: Option<crate::access_entries::run::DocKey>,
    /// What of this review's facts matching and the facts the rules read both need,
    /// once computed.
    cache: Cache,
}

/// The parts of one review's facts that more than one step needs, each computed on
/// first use: the requester fact, and the base fields of `tenancy`
/// ([`tenancy::base_entries`]), which matching's light `tenancy` and the parts the
/// rules read both hold.
#[derive(Default)]
struct Cache {
    requester: std::cell::OnceCell<Option<Value>>,
    tenancy_base: std::cell::OnceCell<tenancy::Entries>,
}

impl Cache {
    /// The base fields of `tenancy` for `review` (a config is loaded).
    fn tenancy_base(
        &self,
        t: &tenancy::Tenancy,
        ctx: &Context,
        review: &Value,
    ) -> tenancy::Entries {
        self.tenancy_base
            .get_or_init(|| tenancy::base_entries(t, ctx.namespaces.as_deref(), review))
            .clone()
    }
}

impl<'a> Lazy<'a> {
    pub fn new(
        review: &'a Value,
        ctx: &'a Context,
        doc: Option<crate::access_entries::run::DocKey>,
    ) -> Lazy<'a> {
        Lazy {
            review,
            ctx,
            doc,
            cache: Cache::default(),
        }
    }

    /// Every fact, as [`compute_at`].
    pub fn all(&self) -> Value {
        Value::object_from_entries(compute_in(
            self.review,
            self.ctx,
            self.doc,
            Names::ALL,
            &self.cache,
        ))
    }

    /// The entries of [`compute_some`].
    pub fn some(&self, wanted: Names) -> Vec<(Value, Value)> {
        compute_in(self.review, self.ctx, self.doc, wanted, &self.cache)
    }

    /// The entries of [`for_matching`].
    pub fn for_matching(&self, full: Names, light: Names) -> Vec<(Value, Value)> {
        matching_in(self.review, self.ctx, self.doc, full, light, &self.cache)
    }
}

/// The requester fact of `review` when a config is loaded, computed once per `cache`.
fn requester_of(review: &Value, ctx: &Context, cache: &Cache) -> Option<Value> {
    cache
        .requester
        .get_or_init(|| {
            let t = ctx.tenancy.as_deref()?;
            Some(requester::fact(
                t,
                ctx.namespaces.as_deref(),
                field(review, "userInfo"),
            ))
        })
        .clone()
}

/// The `input.facts` object for a review.
pub fn compute(review: &Value, ctx: &Context) -> Value {
    compute_at(review, ctx, None)
}

/// [`compute`] for the document `doc` of a lint run, whose other documents
/// `ctx.access_run` indexes.
pub fn compute_at(
    review: &Value,
    ctx: &Context,
    doc: Option<crate::access_entries::run::DocKey>,
) -> Value {
    compute_some(review, ctx, doc, Names::ALL)
}

/// The facts of [`compute_at`] that `wanted` names (an object), each equal to the
/// same fact of [`compute_at`] (facts that others depend on are computed as far as
/// needed, and left out unless wanted).
pub fn compute_some(
    review: &Value,
    ctx: &Context,
    doc: Option<crate::access_entries::run::DocKey>,
    wanted: Names,
) -> Value {
    Value::object_from_entries(compute_in(review, ctx, doc, wanted, &Cache::default()))
}

/// Facts as object entries, each name once.
type Entries = Vec<(Value, Value)>;

fn compute_in(
    review: &Value,
    ctx: &Context,
    doc: Option<crate::access_entries::run::DocKey>,
    wanted: Names,
    cache: &Cache,
) -> Entries {
    let want = |name: &str| wanted.contains(name);
    let elsewhere = ctx.access_run.as_deref().zip(doc);
    let mut facts = Entries::with_capacity(4);
    let object = field(review, "object");
    if want("workload") {
        let declared = match &ctx.tenancy {
            Some(t) => t.config().workloads.as_slice(),
            None => &[],
        };
        if let Some(workload) = workload::compute(object, declared) {
            facts.push((keys::static_key!("workload"), workload));
        }
    }
    if want("rbac") {
        if let Some(rbac) = rbac::compute(review, ctx.roles.as_deref()) {
            facts.push((keys::static_key!("rbac"), rbac));
        }
    }
    if want("manifest") {
        if let Some(manifest) = manifest(object) {
            facts.push((keys::static_key!("manifest"), manifest));
        }
    }
    // `tenancy` whole, or the parts of it the rules read.
    let tenancy_parts = wanted.tenancy().filter(|_| ctx.tenancy.is_some());
    let with_tenancy = ctx.tenancy.is_some() && (tenancy_parts.is_some() || want("change"));
    let aws_auth = if want("awsAuth")
        || want("awsAuthAccess")
        || want("change")
        || tenancy_parts.is_some_and(|p| p.owners() || p.has("awsAuth"))
    {
        crate::awsauth::facts(object)
    } else {
        None
    };
    if let Some(aws_auth) = &aws_auth {
        if want("awsAuthAccess") {
            if let Some((index, doc)) = elsewhere {
                if let Some(fact) = crate::access_entries::run::aws_auth_fact(index, doc, aws_auth)
                {
                    facts.push((keys::static_key!("awsAuthAccess"), fact));
                }
            }
        }
    }
    if want("accessConfig") || want("accessConfigChange") {
        let (access, access_change) =
            crate::access_entries::facts::for_review(review, ctx.tenancy.as_deref(), elsewhere);
        if let Some(access) = access.filter(|_| want("accessConfig")) {
            facts.push((keys::static_key!("accessConfig"), access));
        }
        if let Some(change) = access_change.filter(|_| want("accessConfigChange")) {
            facts.push((keys::static_key!("accessConfigChange"), change));
        }
    }
    let requester = match with_tenancy {
        true => requester_of(review, ctx, cache),
        false => None,
    };
    if let (Some(t), Some(parts)) = (&ctx.tenancy, tenancy_parts) {
        // Only the names aws-auth maps (ARNs, usernames, groups), so that its
        // paths and flags do not use up tenancy's string budget on a large ConfigMap.
        let names = aws_auth
            .as_ref()
            .map(crate::awsauth::names)
            .unwrap_or(Value::Undefined);
        let requester = match &requester {
            Some(r) => r.clone(),
            None => requester::fact(t, ctx.namespaces.as_deref(), field(review, "userInfo")),
        };
        let mut fact = tenancy::compute_parts_from(
            t,
            ctx.namespaces.as_deref(),
            review,
            cache.tenancy_base(t, ctx, review),
            &names,
            requester,
            parts,
        );
        if let (Some(parsed), true, Ok(map)) =
            (&aws_auth, parts.has("awsAuth"), fact.as_object_mut())
        {
            map.insert(keys::static_key!("awsAuth"), aws_auth::fact(t, parsed));
        }
        facts.push((keys::static_key!("tenancy"), fact));
    }
    // The old side of a change, for the change rules (rules/change/).
    let aws_auth_old = if want("awsAuthOld") || want("change") {
        crate::awsauth::facts(field(review, "oldObject"))
    } else {
        None
    };
    if want("change") {
        let change = change::compute(
            review,
            ctx,
            requester.as_ref(),
            aws_auth.as_ref(),
            aws_auth_old.as_ref(),
        );
        facts.push((keys::static_key!("change"), change));
    }
    if let Some(old) = aws_auth_old.filter(|_| want("awsAuthOld")) {
        facts.push((keys::static_key!("awsAuthOld"), old));
    }
    if let Some(aws_auth) = aws_auth.filter(|_| want("awsAuth")) {
        facts.push((keys::static_key!("awsAuth"), aws_auth));
    }
    facts
}

/// The facts rules match on (`match.facts`), as far as those paths need: `full`
/// names facts computed whole, as [`compute_some`] does; `light` names `tenancy` or
/// `change` when only the fields [`tenancy::LIGHT_FIELDS`] or
/// [`change::LIGHT_FIELDS`] of it are matched on. Each field present equals the
/// same field of [`compute_at`], except that a light `change.requester` is the
/// tenancy requester fact (with a config), of which only
/// [`change::LIGHT_REQUESTER_FIELDS`] are equal ([`change::light`]).
pub fn for_matching(
    review: &Value,
    ctx: &Context,
    doc: Option<crate::access_entries::run::DocKey>,
    full: Names,
    light: Names,
) -> Value {
    Value::object_from_entries(matching_in(
        review,
        ctx,
        doc,
        full,
        light,
        &Cache::default(),
    ))
}

fn matching_in(
    review: &Value,
    ctx: &Context,
    doc: Option<crate::access_entries::run::DocKey>,
    full: Names,
    light: Names,
    cache: &Cache,
) -> Entries {
    let mut facts = compute_in(review, ctx, doc, full, cache);
    let light = light.without(full);
    if light.is_empty() {
        return facts;
    }
    let requester = requester_of(review, ctx, cache);
    if let (Some(t), true) = (&ctx.tenancy, light.contains("tenancy")) {
        let requester = match &requester {
            Some(r) => r.clone(),
            None => requester::fact(t, ctx.namespaces.as_deref(), field(review, "userInfo")),
        };
        let fact = tenancy::light_from(cache.tenancy_base(t, ctx, review), requester);
        facts.push((keys::static_key!("tenancy"), fact));
    }
    if light.contains("change") {
        let fact = change::light(review, ctx, requester.as_ref());
        facts.push((keys::static_key!("change"), fact));
    }
    facts
}

/// `value[key]` for an object `value`, without building a key value for the lookup
/// as regorus's `Index<&str>` does (an allocation per lookup); `Undefined` when
/// absent or when `value` is no object.
pub fn field<'a>(value: &'a Value, key: &str) -> &'a Value {
    match value {
        Value::Object(map) => map.get_str(key).unwrap_or(&Value::Undefined),
        _ => &Value::Undefined,
    }
}

/// [`field`] along `path`.
pub fn at<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(value, |v, key| field(v, key))
}

/// `{"incomplete": true}` when `object` is an object without a usable (non-empty
/// string) `apiVersion` or `kind`, else nothing.
fn manifest(object: &Value) -> Option<Value> {
    if !matches!(object, Value::Object(_)) {
        return None;
    }
    let usable = |key: &str| matches!(field(object, key), Value::String(s) if !s.is_empty());
    if usable("apiVersion") && usable("kind") {
        return None;
    }
    Some(keys::object([("incomplete", Value::Bool(true))]))
}

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
pub mod rbac;
pub mod requester;
pub mod roles;
pub mod tenancy;
pub mod workload;

use std::collections::BTreeMap;
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
    let elsewhere = ctx.access_run.as_deref().zip(doc);
    let mut facts = BTreeMap::<Value, Value>::new();
    let declared = match &ctx.tenancy {
        Some(t) => t.config().workloads.as_slice(),
        None => &[],
    };
    if let Some(workload) = workload::compute(&review["object"], declared) {
        facts.insert(Value::from("workload"), workload);
    }
    if let Some(rbac) = rbac::compute(review, ctx.roles.as_deref()) {
        facts.insert(Value::from("rbac"), rbac);
    }
    if let Some(manifest) = manifest(&review["object"]) {
        facts.insert(Value::from("manifest"), manifest);
    }
    if let Some(aws_auth) = crate::awsauth::facts(&review["object"]) {
        if let Some((index, doc)) = elsewhere {
            if let Some(fact) = crate::access_entries::run::aws_auth_fact(index, doc, &aws_auth) {
                facts.insert(Value::from("awsAuthAccess"), fact);
            }
        }
        facts.insert(Value::from("awsAuth"), aws_auth);
    }
    let (access, access_change) =
        crate::access_entries::facts::for_review(review, ctx.tenancy.as_deref(), elsewhere);
    if let Some(access) = access {
        facts.insert(Value::from("accessConfig"), access);
    }
    if let Some(change) = access_change {
        facts.insert(Value::from("accessConfigChange"), change);
    }
    if let Some(t) = &ctx.tenancy {
        // Only the names aws-auth maps (ARNs, usernames, groups), so that its
        // paths and flags do not use up tenancy's string budget on a large ConfigMap.
        let aws_auth = facts
            .get(&Value::from("awsAuth"))
            .map(crate::awsauth::names)
            .unwrap_or(Value::Undefined);
        let mut fact = tenancy::compute(t, ctx.namespaces.as_deref(), review, &aws_auth);
        if let (Some(parsed), Ok(map)) = (facts.get(&Value::from("awsAuth")), fact.as_object_mut())
        {
            map.insert(Value::from("awsAuth"), aws_auth::fact(t, parsed));
        }
        facts.insert(Value::from("tenancy"), fact);
    }
    // The old side of a change, for the change rules (rules/change/).
    if let Some(old) = crate::awsauth::facts(&review["oldObject"]) {
        facts.insert(Value::from("awsAuthOld"), old);
    }
    let change = change::compute(review, ctx, &facts);
    facts.insert(Value::from("change"), change);
    Value::from(facts)
}

/// `{"incomplete": true}` when `object` is an object without a usable (non-empty
/// string) `apiVersion` or `kind`, else nothing.
fn manifest(object: &Value) -> Option<Value> {
    let Value::Object(map) = object else {
        return None;
    };
    let usable =
        |key: &str| matches!(map.get(&Value::from(key)), Some(Value::String(s)) if !s.is_empty());
    if usable("apiVersion") && usable("kind") {
        return None;
    }
    let mut fact = BTreeMap::new();
    fact.insert(Value::from("incomplete"), Value::Bool(true));
    Some(Value::from(fact))
}

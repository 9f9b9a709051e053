//! `input.facts.tenancy`: who owns what the reviewed object names, and who asks.
//!
//! Ownership is resolved here, once per review, so that rules only compare product
//! names. The fact is present only when a config is loaded; its shape (fields marked
//! `?` may be absent):
//!
//! ```text
//! {
//!   "namespace"?: "payroll-api",          // target namespace (a Namespace's own name)
//!   "shared"?: false,                     // the target is one of sharedNamespaces
//!   "product"?: {"product": "payroll", "via": "namespaces: payroll-*"},
//!   "clusterProduct"?: "payroll",         // cluster.product of a single-tenant cluster
//!   "owners": {                           // names found in the object (and in facts.awsAuth)
//!     "namespaces":     {"<name>": {"product", "via"}},
//!     "groups":         {"<group>": {"product", "via"}},
//!     "users":          {"<user>": {"product", "via"}},
//!     "iamRoles":       {"<arn>": {"product", "via"}},
//!     "securityGroups": {"<sg-id>": {"product", "via"}},
//!     "images":         {"<image>": {"shared": bool, "product"?, "via"?}},
//!     "admins": {"groups": {"<group>": "<via>"}, "users": {...}, "iamRoles": {"<arn>": "<via>"}},
//!     "nodeRoles":      {"<arn>": "nodeRoles: <glob>"}
//!   },
//!   "requester": {                        // from review.userInfo (src/facts/requester.rs)
//!     "username": "payroll-dev:alice",
//!     "identity": "user",     // node | controller | eks | serviceaccount | anonymous | user | none
//!     "system": false,        // an EKS/Kubernetes system identity: let it through
//!     "products": ["payroll"],
//!     "via": {"payroll": "IAM role arn:aws:iam::…:role/payroll-dev (iamRoles: arn:…:role/payroll-*)"},
//!     "admin": false,
//!     "adminVia"?: "group sre:admins (admins.groups: sre:admins)",
//!     "iamRole"?: "arn:aws:iam::111122223333:role/payroll-dev",  // from userInfo.extra
//!     "serviceAccount"?: {"namespace": "payroll-api", "name": "deployer"}
//!   },
//!   "awsAuth"?: {…}   // for the aws-auth ConfigMap: node and admin roles checked
//!                     // against its entries, see src/facts/aws_auth.rs
//! }
//! ```
//!
//! - `product`: the `blastwall.dev/product` label of the Namespace decides first (the
//!   object itself for a Namespace, else the [`NamespaceLookup`]: the run's Namespace
//!   documents in the CLI, the cluster cache in the webhook); then `cluster.product`
//!   for a single-tenant cluster; then the config's namespace globs.
//! - `via` names the config entry that decided (`namespaces: payroll-*`), so messages
//!   can say why.
//! - IAM roles match with or without their IAM path ([`super::roles`]).
//! - `requester.system` is true for nodes (`system:node:*`, group `system:nodes`),
//!   control-plane components, `kube-system` service accounts and EKS's `eks:*` users;
//!   never for `system:masters` alone. `requester.products` come from the groups,
//!   the username, the IAM role EKS reports in `userInfo.extra` (`canonicalArn`, else
//!   the `arn` session) and, for a ServiceAccount, the owner of its namespace.
//! - A review computes the fact as far as the rules it reaches read it
//!   ([`Parts`], [`compute_parts`]): each owners map and `awsAuth` apart, and the
//!   other fields (`base`) with any of them; docs/facts.md, "Read by parts".

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use regorus::Value;

use super::keys::FxMap;
use super::roles::RolePattern;
use crate::config::glob::{Glob, GlobIndex};
use crate::config::{normalize_image, normalized_image, Config, RegistryPrefix};
use crate::source::Document;

/// The label that assigns a Namespace to a product.
pub const PRODUCT_LABEL: &str = "blastwall.dev/product";

/// Strings longer than this are not names of anything the config owns.
const MAX_NAME: usize = 2048;
/// Strings looked at per review, so a huge object costs bounded time.
const MAX_STRINGS: usize = 20_000;

/// Where labels of Namespaces come from: the linted files, or the cluster.
pub trait NamespaceLookup: Send + Sync {
    /// The value of label `key` on Namespace `namespace`, if known.
    fn label(&self, namespace: &str, key: &str) -> Option<String>;

    /// Every label of Namespace `namespace`, if it is known (Gatekeeper constraints'
    /// `namespaceSelector`).
    fn labels(&self, _namespace: &str) -> Option<BTreeMap<String, String>> {
        None
    }
}

/// Namespace name → its labels.
pub type NamespaceLabels = HashMap<String, BTreeMap<String, String>>;

impl NamespaceLookup for NamespaceLabels {
    fn label(&self, namespace: &str, key: &str) -> Option<String> {
        self.get(namespace)
            .and_then(|labels| labels.get(key))
            .cloned()
    }

    fn labels(&self, namespace: &str) -> Option<BTreeMap<String, String>> {
        self.get(namespace).cloned()
    }
}

/// The labels of every Namespace among `docs` (a later document wins).
pub fn namespace_labels(docs: &[Document]) -> NamespaceLabels {
    let mut out = NamespaceLabels::new();
    for doc in docs {
        let v = &doc.value;
        if v["kind"] != Value::from("Namespace") || v["apiVersion"] != Value::from("v1") {
            continue;
        }
        let Value::String(name) = &v["metadata"]["name"] else {
            continue;
        };
        let mut labels = BTreeMap::new();
        if let Value::Object(map) = &v["metadata"]["labels"] {
            for (k, val) in map.iter() {
                if let (Value::String(k), Value::String(val)) = (k, val) {
                    labels.insert(k.to_string(), val.to_string());
                }
            }
        }
        out.insert(name.to_string(), labels);
    }
    out
}

/// One config entry that gives something to a product.
struct Claim<T> {
    pattern: T,
    product: String,
    via: String,
}

impl<T> Claim<T> {
    fn owner(&self) -> Owner {
        Owner {
            product: self.product.clone(),
            via: self.via.clone(),
        }
    }
}

/// Name globs that give names to products, in config order, indexed
/// ([`GlobIndex`]), each with its owner as a fact value built once.
struct Claims {
    index: GlobIndex,
    claims: Vec<Claim<()>>,
    values: Vec<Value>,
}

impl Claims {
    fn new(claims: Vec<Claim<Glob>>) -> Claims {
        let values = claims.iter().map(|c| c.owner().to_value()).collect();
        let (globs, claims) = claims
            .into_iter()
            .map(|c| {
                let rest = Claim {
                    pattern: (),
                    product: c.product,
                    via: c.via,
                };
                (c.pattern, rest)
            })
            .unzip();
        Claims {
            index: GlobIndex::new(globs),
            claims,
            values,
        }
    }

    fn first(&self, name: &str) -> Option<usize> {
        self.index.first(name)
    }

    fn iter(&self) -> impl Iterator<Item = (&Glob, &Claim<()>)> {
        self.index.globs().iter().zip(&self.claims)
    }
}

/// Admin globs (`admins.groups`, `admins.users`), indexed, each with its `via`
/// (`admins.groups: <glob>`) as text and as a fact value.
struct AdminGlobs {
    index: GlobIndex,
    vias: Vec<(String, Value)>,
}

impl AdminGlobs {
    fn new(field: &str, globs: Vec<Glob>) -> AdminGlobs {
        let vias = globs
            .iter()
            .map(|g| {
                let via = format!("{field}: {g}");
                let value = Value::from(via.as_str());
                (via, value)
            })
            .collect();
        AdminGlobs {
            index: GlobIndex::new(globs),
            vias,
        }
    }

    fn first(&self, name: &str) -> Option<&(String, Value)> {
        self.index.first(name).map(|i| &self.vias[i])
    }
}

/// The config compiled for lookups.
pub struct Tenancy {
    config: Arc<Config>,
    namespaces: Claims,
    groups: Claims,
    users: Claims,
    roles: Vec<Claim<RolePattern>>,
    /// Security group id → product, via and the owner as a fact value.
    security_groups: FxMap<String, (String, String, Value)>,
    registries: Vec<Claim<RegistryPrefix>>,
    /// Each of `registries`' product and via, as fact values.
    registry_values: Vec<(Value, Value)>,
    shared_namespaces: GlobIndex,
    clusters: Claims,
    admin_groups: AdminGlobs,
    admin_users: AdminGlobs,
    admin_roles: Vec<RolePattern>,
    node_roles: Vec<RolePattern>,
    /// `{"product": cluster.product, "via": "cluster.product"}` when the cluster has one.
    cluster_product_owner: Option<Value>,
    /// `cluster.product` as a fact value.
    cluster_product: Option<Value>,
}

/// A product and the config entry that made it the owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub product: String,
    pub via: String,
}

impl Owner {
    pub fn to_value(&self) -> Value {
        obj(vec![
            ("product", Value::from(self.product.as_str())),
            ("via", Value::from(self.via.as_str())),
        ])
    }
}

impl Tenancy {
    pub fn new(config: Config) -> Tenancy {
        let config = Arc::new(config);
        let (mut namespaces, mut groups, mut users, mut clusters) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut roles = Vec::new();
        let mut security_groups = FxMap::default();
        let mut registries = Vec::new();
        for (product, spec) in &config.products {
            let claim = |field: &str, glob: &Glob| Claim {
                pattern: glob.clone(),
                product: product.clone(),
                via: format!("{field}: {glob}"),
            };
            namespaces.extend(spec.namespaces.iter().map(|g| claim("namespaces", g)));
            groups.extend(spec.groups.iter().map(|g| claim("groups", g)));
            users.extend(spec.users.iter().map(|g| claim("users", g)));
            clusters.extend(spec.clusters.iter().map(|g| claim("clusters", g)));
            roles.extend(spec.iam_roles.iter().map(|g| Claim {
                pattern: RolePattern::new(g),
                product: product.clone(),
                via: format!("iamRoles: {}", g.as_str()),
            }));
            for sg in &spec.security_groups {
                let owner = Owner {
                    product: product.clone(),
                    via: format!("securityGroups: {}", sg.0),
                };
                let value = owner.to_value();
                security_groups.insert(sg.0.clone(), (owner.product, owner.via, value));
            }
            registries.extend(spec.registries.iter().map(|r| Claim {
                pattern: r.clone(),
                product: product.clone(),
                via: format!("registries: {}", r.0),
            }));
        }
        let registry_values = registries
            .iter()
            .map(|c| (Value::from(c.product.as_str()), Value::from(c.via.as_str())))
            .collect();
        Tenancy {
            registry_values,
            namespaces: Claims::new(namespaces),
            groups: Claims::new(groups),
            users: Claims::new(users),
            roles,
            security_groups,
            registries,
            clusters: Claims::new(clusters),
            shared_namespaces: GlobIndex::new(
                config
                    .shared_namespaces
                    .iter()
                    .map(|g| g.0.clone())
                    .collect(),
            ),
            admin_groups: AdminGlobs::new(
                "admins.groups",
                config.admins.groups.iter().map(|g| g.0.clone()).collect(),
            ),
            admin_users: AdminGlobs::new(
                "admins.users",
                config.admins.users.iter().map(|g| g.0.clone()).collect(),
            ),
            admin_roles: config
                .admins
                .iam_roles
                .iter()
                .map(|g| RolePattern::new(g))
                .collect(),
            node_roles: config
                .node_roles
                .iter()
                .map(|g| RolePattern::new(g))
                .collect(),
            cluster_product: config.cluster.product.as_deref().map(Value::from),
            cluster_product_owner: config.cluster.product.as_ref().map(|p| {
                Owner {
                    product: p.clone(),
                    via: "cluster.product".into(),
                }
                .to_value()
            }),
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn first(claims: &Claims, name: &str) -> Option<Owner> {
        claims.first(name).map(|i| claims.claims[i].owner())
    }

    pub fn is_shared_namespace(&self, name: &str) -> bool {
        self.shared_namespaces.first(name).is_some()
    }

    /// [`Tenancy::namespace_owner`] as a fact value: `{"product", "via"}`.
    fn namespace_owner_value(
        &self,
        name: &str,
        own_label: Option<&str>,
        lookup: Option<&dyn NamespaceLookup>,
    ) -> Option<Value> {
        let label = own_label
            .map(str::to_string)
            .or_else(|| lookup.and_then(|l| l.label(name, PRODUCT_LABEL)));
        if let Some(product) = label.filter(|p| !p.is_empty()) {
            let owner = Owner {
                product,
                via: format!("label {PRODUCT_LABEL} on Namespace {name}"),
            };
            return Some(owner.to_value());
        }
        if self.is_shared_namespace(name) {
            return None;
        }
        if let Some(owner) = &self.cluster_product_owner {
            return Some(owner.clone());
        }
        let i = self.namespaces.first(name)?;
        Some(self.namespaces.values[i].clone())
    }

    /// The owner of namespace `name`. `own_label` is the label on the Namespace
    /// object under review, when the review is of that Namespace.
    pub fn namespace_owner(
        &self,
        name: &str,
        own_label: Option<&str>,
        lookup: Option<&dyn NamespaceLookup>,
    ) -> Option<Owner> {
        let label = own_label
            .map(str::to_string)
            .or_else(|| lookup.and_then(|l| l.label(name, PRODUCT_LABEL)));
        if let Some(product) = label.filter(|p| !p.is_empty()) {
            return Some(Owner {
                product,
                via: format!("label {PRODUCT_LABEL} on Namespace {name}"),
            });
        }
        if self.is_shared_namespace(name) {
            return None;
        }
        if let Some(product) = &self.config.cluster.product {
            return Some(Owner {
                product: product.clone(),
                via: "cluster.product".into(),
            });
        }
        Tenancy::first(&self.namespaces, name)
    }

    /// `sharedNamespaces: <glob>` for the first shared namespace glob that some name
    /// matching `glob` also matches.
    pub fn shared_namespace_overlap(&self, glob: &Glob) -> Option<String> {
        let g = self
            .shared_namespaces
            .globs()
            .iter()
            .find(|g| g.overlaps(glob))?;
        Some(format!("sharedNamespaces: {g}"))
    }

    /// The products other than `except` that own a namespace `glob` can match, each
    /// with the config entry that gives it (first claim per product).
    pub fn namespace_overlaps(&self, glob: &Glob, except: Option<&str>) -> Vec<Owner> {
        let mut out: Vec<Owner> = Vec::new();
        for (pattern, c) in self.namespaces.iter() {
            if Some(c.product.as_str()) == except || out.iter().any(|o| o.product == c.product) {
                continue;
            }
            if pattern.overlaps(glob) {
                out.push(Owner {
                    product: c.product.clone(),
                    via: c.via.clone(),
                });
            }
        }
        out
    }

    /// Whether `name` is one of `product`'s namespaces by the config's globs.
    pub fn product_has_namespace(&self, product: &str, name: &str) -> bool {
        self.namespaces
            .iter()
            .any(|(pattern, c)| c.product == product && pattern.matches(name))
    }

    /// The product that owns EKS cluster `name`: `products.<p>.clusters`, else
    /// `cluster.product` when `cluster.name` is `name`.
    pub fn cluster_owner(&self, name: &str) -> Option<Owner> {
        if let Some(owner) = Tenancy::first(&self.clusters, name) {
            return Some(owner);
        }
        let cluster = &self.config.cluster;
        match (&cluster.name, &cluster.product) {
            (Some(n), Some(p)) if n == name => Some(Owner {
                product: p.clone(),
                via: "cluster.product".into(),
            }),
            _ => None,
        }
    }

    pub fn group_owner(&self, name: &str) -> Option<Owner> {
        Tenancy::first(&self.groups, name)
    }

    pub fn user_owner(&self, name: &str) -> Option<Owner> {
        Tenancy::first(&self.users, name)
    }

    /// The owner of IAM role `arn`, written with or without its IAM path.
    pub fn role_owner(&self, arn: &str) -> Option<Owner> {
        self.roles
            .iter()
            .find(|c| c.pattern.matches(arn))
            .map(|c| Owner {
                product: c.product.clone(),
                via: c.via.clone(),
            })
    }

    /// `admins.groups: <glob>` when `name` is an admin group.
    pub fn admin_group(&self, name: &str) -> Option<String> {
        self.admin_groups.first(name).map(|(via, _)| via.clone())
    }

    /// `admins.users: <glob>` when `name` is an admin user.
    pub fn admin_user(&self, name: &str) -> Option<String> {
        self.admin_users.first(name).map(|(via, _)| via.clone())
    }

    /// `admins.iamRoles: <glob>` when `arn` is an admin role.
    pub fn admin_role(&self, arn: &str) -> Option<String> {
        let p = self.admin_roles.iter().find(|p| p.matches(arn))?;
        Some(format!("admins.iamRoles: {}", p.as_str()))
    }

    /// The configured node roles, in config order.
    pub fn node_roles(&self) -> &[RolePattern] {
        &self.node_roles
    }

    /// `nodeRoles: <glob>` when `arn` is a node role.
    pub fn node_role(&self, arn: &str) -> Option<String> {
        let p = self.node_roles.iter().find(|p| p.matches(arn))?;
        Some(format!("nodeRoles: {}", p.as_str()))
    }

    pub fn security_group_owner(&self, id: &str) -> Option<Owner> {
        self.security_groups.get(id).map(|(product, via, _)| Owner {
            product: product.clone(),
            via: via.clone(),
        })
    }

    /// The owner of the registry `image` comes from: the longest matching prefix.
    pub fn image_owner(&self, image: &str) -> Option<Owner> {
        self.normalized_image_owner(&normalize_image(image))
    }

    /// [`Tenancy::image_owner`] of an image already normalized ([`normalize_image`]).
    fn normalized_image_owner(&self, image: &str) -> Option<Owner> {
        self.normalized_image_claim(image).map(|i| {
            let c = &self.registries[i];
            Owner {
                product: c.product.clone(),
                via: c.via.clone(),
            }
        })
    }

    /// Which of `registries` owns the normalized `image`: the longest matching
    /// prefix (the last of equal ones).
    fn normalized_image_claim(&self, image: &str) -> Option<usize> {
        self.registries
            .iter()
            .enumerate()
            .filter(|(_, c)| c.pattern.covers(image))
            .max_by_key(|(_, c)| c.pattern.trimmed().len())
            .map(|(i, _)| i)
    }

    pub fn image_is_shared(&self, image: &str) -> bool {
        self.normalized_image_is_shared(&normalize_image(image))
    }

    /// [`Tenancy::image_is_shared`] of an image already normalized.
    fn normalized_image_is_shared(&self, image: &str) -> bool {
        self.config
            .shared_registries
            .iter()
            .any(|r| r.covers(image))
    }
}

/// Computes `facts.tenancy` for `review`; `aws_auth` is `facts.awsAuth` when present.
pub fn compute(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
    aws_auth: &Value,
) -> Value {
    let requester = super::requester::fact(tenancy, lookup, &review["userInfo"]);
    compute_with(tenancy, lookup, review, aws_auth, requester)
}

/// [`compute`] with the requester fact already computed
/// (`super::requester::fact` of the review's `userInfo`).
pub fn compute_with(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
    aws_auth: &Value,
    requester: Value,
) -> Value {
    compute_parts(tenancy, lookup, review, aws_auth, requester, Parts::ALL)
}

/// [`compute_with`] as far as `parts` ([`Parts`]): the fields of `base`, and of
/// `owners` only the maps `parts` names, each equal to the same field of
/// [`compute_with`]'s (the same strings are walked, with the same budget, and
/// each is looked up as every kind of name the maps wanted hold). `awsAuth` is
/// added by the caller ([`super::aws_auth::fact`]).
pub fn compute_parts(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
    aws_auth: &Value,
    requester: Value,
    parts: Parts,
) -> Value {
    let base = base_entries(tenancy, lookup, review);
    compute_parts_from(tenancy, lookup, review, base, aws_auth, requester, parts)
}

/// [`compute_parts`] with the base fields already computed ([`base_entries`] of
/// the same review).
pub(crate) fn compute_parts_from(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
    base: Entries,
    aws_auth: &Value,
    requester: Value,
    parts: Parts,
) -> Value {
    let subject = subject(review);
    let owners = parts.owners().then(|| {
        let mut owners = Owners::new(parts);
        let mut budget = MAX_STRINGS;
        collect(tenancy, lookup, subject, None, &mut owners, &mut budget);
        collect(tenancy, lookup, aws_auth, None, &mut owners, &mut budget);
        owners.into_value()
    });
    base.into_value(owners, requester)
}

/// Parts of `facts.tenancy` that are computed apart, for rules that read only
/// some of its fields (`input.facts.tenancy.owners.images`): each owners map
/// (`owners.admins` holds the three admin maps), `awsAuth`, and `base`, every
/// other field (the target namespace, its product, the requester), computed
/// with any part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Parts(u32);

/// The parts, by bit ([`Parts`]).
pub const PARTS: [&str; 10] = [
    "base",
    "owners.namespaces",
    "owners.groups",
    "owners.users",
    "owners.iamRoles",
    "owners.securityGroups",
    "owners.images",
    "owners.admins",
    "owners.nodeRoles",
    "awsAuth",
];

impl Parts {
    pub const NONE: Parts = Parts(0);
    pub const ALL: Parts = Parts((1 << PARTS.len()) - 1);
    /// Every owners map.
    const OWNERS: Parts = Parts(((1 << 8) - 1) << 1);

    fn named(name: &str) -> Parts {
        match PARTS.iter().position(|p| *p == name) {
            Some(bit) => Parts(1 << bit),
            None => Parts::NONE,
        }
    }

    /// What reading the path `path` under `input.facts.tenancy` needs
    /// (`owners.images`, `product.via`): `owners` whole is every owners map, a
    /// path under a part is that part, any other path is `base`.
    pub fn of(path: &str) -> Parts {
        let mut names = path.split('.');
        let part = match (names.next(), names.next()) {
            (Some("owners"), None) => Parts::OWNERS,
            (Some("owners"), Some(map)) => Parts::named(&format!("owners.{map}")),
            (Some("awsAuth"), _) => Parts::named("awsAuth"),
            _ => Parts::NONE,
        };
        Parts(part.0 | Parts::named("base").0)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn from_bits(bits: u32) -> Parts {
        Parts(bits & Parts::ALL.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the part `name` ([`PARTS`]) is in the set.
    pub fn has(self, name: &str) -> bool {
        self.0 & Parts::named(name).0 != 0
    }

    /// Whether any owners map is in the set.
    pub fn owners(self) -> bool {
        self.0 & Parts::OWNERS.0 != 0
    }

    /// The names of the parts in the set, in [`PARTS`] order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        PARTS
            .iter()
            .enumerate()
            .filter(move |(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, n)| *n)
    }
}

/// The part of `facts.tenancy` that rules match on ([`LIGHT_FIELDS`]): everything
/// but `owners` (the names the object mentions, the costly part) and `awsAuth`.
/// Each field present is equal to the same field of [`compute`]'s.
pub fn light(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
    requester: Value,
) -> Value {
    light_from(base_entries(tenancy, lookup, review), requester)
}

/// [`light`] with the base fields already computed ([`base_entries`]).
pub(crate) fn light_from(base: Entries, requester: Value) -> Value {
    base.into_value(None, requester)
}

/// The fields of `facts.tenancy` that [`light`] computes.
pub const LIGHT_FIELDS: [&str; 6] = [
    "namespace",
    "shared",
    "product",
    "unowned",
    "clusterProduct",
    "requester",
];

/// The base fields of `facts.tenancy` but `requester` ([`base_entries`]), each
/// when present.
#[derive(Clone, Default)]
pub(crate) struct Entries {
    namespace: Option<Value>,
    shared: Option<Value>,
    product: Option<Value>,
    unowned: Option<Value>,
    cluster_product: Option<Value>,
}

impl Entries {
    /// The fact: these fields, `owners` when computed, and `requester`.
    fn into_value(self, owners: Option<Value>, requester: Value) -> Value {
        static TENANCY: super::keys::Shape = super::keys::Shape::new(&[
            "namespace",
            "shared",
            "product",
            "unowned",
            "clusterProduct",
            "owners",
            "requester",
        ]);
        TENANCY.object([
            self.namespace,
            self.shared,
            self.product,
            self.unowned,
            self.cluster_product,
            owners,
            Some(requester),
        ])
    }
}

/// The object the review is about (the old one for DELETE).
fn subject(review: &Value) -> &Value {
    let object = super::field(review, "object");
    match object {
        Value::Null | Value::Undefined => super::field(review, "oldObject"),
        _ => object,
    }
}

/// The base fields of `facts.tenancy` but `requester`: those about the target
/// namespace of the object the review is about, and the cluster.
pub(crate) fn base_entries(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    review: &Value,
) -> Entries {
    let subject = subject(review);
    let meta = super::field(subject, "metadata");
    let is_namespace =
        matches!(super::field(subject, "kind"), Value::String(k) if k.as_ref() == "Namespace");
    // The name as the review's own string value, shared rather than copied.
    let named = |v: &Value| matches!(v, Value::String(_));
    let target = if is_namespace {
        Some(super::field(meta, "name")).filter(|v| named(v))
    } else {
        Some(super::field(meta, "namespace"))
            .filter(|v| named(v))
            .or_else(|| {
                Some(super::field(review, "namespace"))
                    .filter(|v| matches!(v, Value::String(s) if !s.is_empty()))
            })
    };
    let own_label = if is_namespace {
        string(super::field(super::field(meta, "labels"), PRODUCT_LABEL))
    } else {
        None
    };

    let mut entries = Entries::default();
    if let Some(value @ Value::String(ns)) = target {
        let ns: &str = ns;
        let shared = tenancy.is_shared_namespace(ns);
        entries.namespace = Some(value.clone());
        entries.shared = Some(Value::Bool(shared));
        match tenancy.namespace_owner_value(ns, own_label, lookup) {
            Some(owner) => entries.product = Some(owner),
            // No product owns it and it is not shared: what unowned-namespace
            // flags, decided here so that no other review reaches that rule.
            None if !shared => entries.unowned = Some(Value::Bool(true)),
            None => {}
        }
    }
    entries.cluster_product = tenancy.cluster_product.clone();
    entries
}

/// The owners found, each map keyed by the name as a value (the object's own string,
/// shared, wherever the name is a whole string of it), as entries in the order
/// found: an object is built of them at the end ([`Value::object_from_entries`],
/// a later entry replacing an equal earlier one). Equal names always have equal
/// owners (each is a function of the name and the config), so which of them is
/// kept does not show. `None`: a map not wanted ([`Parts`]).
struct Owners {
    namespaces: Option<Vec<(Value, Value)>>,
    groups: Option<Vec<(Value, Value)>>,
    users: Option<Vec<(Value, Value)>>,
    iam_roles: Option<Vec<(Value, Value)>>,
    security_groups: Option<Vec<(Value, Value)>>,
    images: Option<Vec<(Value, Value)>>,
    /// The three admin maps (groups, users, IAM roles).
    admins: Option<[Vec<(Value, Value)>; 3]>,
    node_roles: Option<Vec<(Value, Value)>>,
    /// Whether a map of IAM roles is wanted (`iamRoles`, `admins`, `nodeRoles`).
    arns: bool,
    /// Whether a map of other names is wanted (`namespaces`, `groups`, `users`,
    /// `securityGroups`, `admins`).
    names: bool,
}

impl Owners {
    fn new(parts: Parts) -> Owners {
        let map = |name: &str| parts.has(name).then(Vec::new);
        Owners {
            namespaces: map("owners.namespaces"),
            groups: map("owners.groups"),
            users: map("owners.users"),
            iam_roles: map("owners.iamRoles"),
            security_groups: map("owners.securityGroups"),
            images: map("owners.images"),
            admins: parts
                .has("owners.admins")
                .then(|| [Vec::new(), Vec::new(), Vec::new()]),
            node_roles: map("owners.nodeRoles"),
            arns: ["owners.iamRoles", "owners.admins", "owners.nodeRoles"]
                .iter()
                .any(|p| parts.has(p)),
            names: [
                "owners.namespaces",
                "owners.groups",
                "owners.users",
                "owners.securityGroups",
                "owners.admins",
            ]
            .iter()
            .any(|p| parts.has(p)),
        }
    }

    fn into_value(self) -> Value {
        static OWNERS: super::keys::Shape = super::keys::Shape::new(&[
            "namespaces",
            "groups",
            "users",
            "iamRoles",
            "securityGroups",
            "images",
            "nodeRoles",
            "admins",
        ]);
        let map = |entries: Vec<(Value, Value)>| match entries.is_empty() {
            true => super::keys::empty_object(),
            false => Value::object_from_entries(entries),
        };
        let admins = self.admins.map(|[groups, users, roles]| {
            obj(vec![
                ("groups", map(groups)),
                ("users", map(users)),
                ("iamRoles", map(roles)),
            ])
        });
        OWNERS.object([
            self.namespaces.map(map),
            self.groups.map(map),
            self.users.map(map),
            self.iam_roles.map(map),
            self.security_groups.map(map),
            self.images.map(map),
            self.node_roles.map(map),
            admins,
        ])
    }
}

/// Looks every string of `value` up, bounded by `budget`. Iterative: objects may nest deeply.
fn collect(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    value: &Value,
    key: Option<&str>,
    owners: &mut Owners,
    budget: &mut usize,
) {
    // Numbers, booleans and nulls hold no name: not pushed (the strings are
    // looked up in the same order, so the budget runs out at the same one).
    let holds_names =
        |v: &Value| matches!(v, Value::Object(_) | Value::Array(_) | Value::String(_));
    let mut stack: Vec<(&Value, Option<&str>)> = Vec::with_capacity(32);
    stack.push((value, key));
    while let Some((v, key)) = stack.pop() {
        if *budget == 0 {
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter() {
                    if holds_names(child) {
                        stack.push((child, string(k)));
                    }
                }
            }
            Value::Array(items) => {
                stack.extend(items.iter().filter(|i| holds_names(i)).map(|i| (i, key)))
            }
            Value::String(s) => {
                *budget -= 1;
                look_up(tenancy, lookup, v, s, key, owners);
            }
            _ => {}
        }
    }
}

/// Looks the string `s` (the value `name`) up as every kind of name the config
/// owns, for the maps of `owners` that are wanted.
fn look_up(
    tenancy: &Tenancy,
    lookup: Option<&dyn NamespaceLookup>,
    name: &Value,
    s: &str,
    key: Option<&str>,
    owners: &mut Owners,
) {
    if s.is_empty() || s.len() > MAX_NAME {
        return;
    }
    if let (Some("image"), Some(images)) = (key, &mut owners.images) {
        // Normalized once for both lookups.
        let image = normalized_image(s);
        let shared = tenancy.normalized_image_is_shared(&image);
        let (product, via) = match tenancy.normalized_image_claim(&image) {
            Some(i) => {
                let (product, via) = &tenancy.registry_values[i];
                (Some(product.clone()), Some(via.clone()))
            }
            None => (None, None),
        };
        static IMAGE: super::keys::Shape = super::keys::Shape::new(&["shared", "product", "via"]);
        images.push((
            name.clone(),
            IMAGE.object([Some(Value::Bool(shared)), product, via]),
        ));
    }
    if s.starts_with("arn:") {
        if !owners.arns {
            return;
        }
        if let Some(roles) = &mut owners.iam_roles {
            if let Some(owner) = tenancy.role_owner(s) {
                roles.push((name.clone(), owner.to_value()));
            }
        }
        if let Some([_, _, roles]) = &mut owners.admins {
            if let Some(via) = tenancy.admin_role(s) {
                roles.push((name.clone(), Value::from(via)));
            }
        }
        if let Some(roles) = &mut owners.node_roles {
            if let Some(via) = tenancy.node_role(s) {
                roles.push((name.clone(), Value::from(via)));
            }
        }
        return;
    }
    if !owners.names {
        return;
    }
    // A security group's id is no other kind of name, wanted or not.
    if !tenancy.security_groups.is_empty() {
        if let Some((_, _, owner)) = tenancy.security_groups.get(s) {
            if let Some(groups) = &mut owners.security_groups {
                groups.push((name.clone(), owner.clone()));
            }
            return;
        }
    }
    if let Some(groups) = &mut owners.groups {
        if let Some(i) = tenancy.groups.first(s) {
            groups.push((name.clone(), tenancy.groups.values[i].clone()));
        }
    }
    if let Some(users) = &mut owners.users {
        if let Some(i) = tenancy.users.first(s) {
            users.push((name.clone(), tenancy.users.values[i].clone()));
        }
    }
    if let Some([groups, users, _]) = &mut owners.admins {
        if let Some((_, via)) = tenancy.admin_groups.first(s) {
            groups.push((name.clone(), via.clone()));
        }
        if let Some((_, via)) = tenancy.admin_users.first(s) {
            users.push((name.clone(), via.clone()));
        }
    }
    // A namespace name, or one inside a service DNS name (`api.payroll.svc`).
    if let Some(namespaces) = &mut owners.namespaces {
        if is_dns_label(s) {
            if let Some(owner) = tenancy.namespace_owner_value(s, None, lookup) {
                namespaces.push((name.clone(), owner));
            }
        } else if let Some(inner) = s.split('.').nth(1).filter(|c| is_dns_label(c)) {
            if let Some(owner) = tenancy.namespace_owner_value(inner, None, lookup) {
                namespaces.push((Value::from(inner), owner));
            }
        }
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// An array of the strings `items`.
pub(crate) fn str_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
    Value::from(
        items
            .into_iter()
            .map(|s| Value::from(s.as_ref()))
            .collect::<Vec<_>>(),
    )
}

pub(crate) fn obj(entries: Vec<(&str, Value)>) -> Value {
    super::keys::object(entries)
}

/// The facts context of a CLI run: the config, if any, and the labels of the
/// Namespaces among the run's documents (so a Namespace in one file decides who owns
/// the objects of another).
pub fn run_context(config: Option<Config>, docs: &[Document]) -> super::Context {
    run_context_in(config, docs, &[])
}

/// [`run_context`], with the Roles and ClusterRoles of `docs` located in `files`
/// (so that a binding's finding can say where its role is defined).
pub fn run_context_in(
    config: Option<Config>,
    docs: &[Document],
    files: &[crate::source::SourceFile],
) -> super::Context {
    let roles = Some(Arc::new(super::rbac::Roles::new(docs, files)));
    match config {
        None => super::Context {
            roles,
            ..super::Context::default()
        },
        Some(config) => super::Context {
            tenancy: Some(Arc::new(Tenancy::new(config))),
            namespaces: Some(Arc::new(namespace_labels(docs))),
            gatekeeper: None,
            roles,
            access_run: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenancy(extra: &str) -> Tenancy {
        let text = format!(
            "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll: {{namespaces: [payroll-*], groups: [\"payroll:*\"]}}\n  billing: {{namespaces: [billing], groups: [\"billing:*\"]}}\nadmins: {{groups: [\"sre:admins\"]}}\n{extra}"
        );
        Tenancy::new(crate::config::parse("c.yaml", text).unwrap())
    }

    fn review(object: &str, groups: &[&str]) -> Value {
        let requester = crate::review::Requester {
            username: "alice".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };
        let object = Value::from_json_str(object).unwrap();
        crate::review::build(
            crate::review::Operation::Create,
            Some(object),
            None,
            &requester,
        )
    }

    /// The owners of every string, as the public lookups give them one by one.
    #[test]
    fn owners_are_those_of_each_string_by_the_plain_lookups() {
        let text = "apiVersion: blastwall.dev/v1alpha1
kind: Config
products:
  payroll: {namespaces: [payroll-*], groups: [\"payroll:*\"]}
  billing: {namespaces: [billing], groups: [\"billing:*\"]}
  ops: {namespaces: [ops, \"o?s-*\"], users: [\"payroll:bot\", \"ci-*\"], securityGroups: [sg-0123456789abcdef0]}
admins: {groups: [\"sre:admins\", \"root?\"], users: [ci-admin]}
sharedNamespaces: [kube-system, \"shared-*\"]
";
        let t = Tenancy::new(crate::config::parse("c.yaml", text.into()).unwrap());
        let mut labels = NamespaceLabels::new();
        labels.insert(
            "scratch".into(),
            BTreeMap::from([(PRODUCT_LABEL.to_string(), "ops".to_string())]),
        );
        let names = [
            "payroll",
            "payroll-api",
            "billing",
            "billing-x",
            "ops",
            "oxs-1",
            "scratch",
            "kube-system",
            "shared-x",
            "payroll:devs",
            "billing:ops",
            "sre:admins",
            "rootx",
            "payroll:bot",
            "ci-1",
            "ci-admin",
            "sg-0123456789abcdef0",
            "api.payroll-api.svc",
            "api.billing.svc.cluster.local",
            "x.kube-system",
            "Payroll",
            "",
            "v1",
            "é",
        ];
        let object = Value::from_json_str(&format!(
            r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "c", "namespace": "billing"}}, "data": {{"names": {}}}}}"#,
            serde_json::to_string(&names).unwrap()
        ))
        .unwrap();
        let fact = compute_with(
            &t,
            Some(&labels),
            &review_of(object),
            &Value::Undefined,
            Value::Null,
        );
        let owners = &fact["owners"];
        let expect = |found: &dyn Fn(&str) -> Option<Value>, names: &[&str]| {
            let mut map = BTreeMap::new();
            for n in names {
                if let Some(v) = found(n) {
                    map.insert(Value::from(*n), v);
                }
            }
            Value::from(map)
        };
        let all: Vec<&str> = names
            .iter()
            .copied()
            .chain(["v1", "ConfigMap", "c"])
            .collect();
        let plain: Vec<&str> = all
            .iter()
            .copied()
            .filter(|n| t.security_group_owner(n).is_none())
            .collect();
        assert_eq!(
            owners["groups"],
            expect(&|n| t.group_owner(n).map(|o| o.to_value()), &plain)
        );
        assert_eq!(
            owners["users"],
            expect(&|n| t.user_owner(n).map(|o| o.to_value()), &plain)
        );
        assert_eq!(
            owners["admins"]["groups"],
            expect(&|n| t.admin_group(n).map(Value::from), &plain)
        );
        assert_eq!(
            owners["admins"]["users"],
            expect(&|n| t.admin_user(n).map(Value::from), &plain)
        );
        assert_eq!(
            owners["securityGroups"],
            expect(&|n| t.security_group_owner(n).map(|o| o.to_value()), &all)
        );
        let namespace = |n: &str| {
            let candidate = if is_dns_label(n) {
                n
            } else {
                n.split('.').nth(1)?
            };
            is_dns_label(candidate).then_some(())?;
            t.namespace_owner(candidate, None, Some(&labels))
                .map(|o| o.to_value())
        };
        let mut by_candidate = BTreeMap::new();
        for n in &plain {
            if let Some(v) = namespace(n) {
                let candidate = if is_dns_label(n) {
                    *n
                } else {
                    n.split('.').nth(1).unwrap()
                };
                by_candidate.insert(Value::from(candidate), v);
            }
        }
        assert_eq!(owners["namespaces"], Value::from(by_candidate));
        assert_eq!(
            fact["product"],
            t.namespace_owner("billing", None, None).unwrap().to_value()
        );
    }

    const PROPERTY_CONFIG: &str = "apiVersion: blastwall.dev/v1alpha1
kind: Config
products:
  payroll:
    namespaces: [payroll-*]
    groups: [\"payroll:*\"]
    users: [payroll-ci]
    iamRoles: [\"arn:aws:iam::210987654321:role/payroll-*\"]
    securityGroups: [sg-0a1b2c3d4e5f60718]
    registries: [111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/]
  billing:
    namespaces: [billing, \"b?ll-*\"]
    groups: [\"billing:*\", \"sre:admins\"]
    users: [\"ci-*\"]
    iamRoles: [\"arn:aws:iam::210987654321:role/billing-*\"]
    registries: [111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/]
admins:
  groups: [\"sre:admins\"]
  users: [ci-admin]
  iamRoles: [\"arn:aws:iam::210987654321:role/payroll-admin\"]
nodeRoles: [\"arn:aws:iam::210987654321:role/eks-node-*\"]
sharedNamespaces: [kube-system, \"shared-*\"]
sharedRegistries: [public.ecr.aws/]
";

    /// Strings an object may hold: names of every kind the config gives, some
    /// twice over in other spellings, and names of nothing.
    const PROPERTY_NAMES: [&str; 25] = [
        "payroll-api",
        "billing",
        "bill-x",
        "scratch",
        "kube-system",
        "shared-1",
        "payroll:devs",
        "sre:admins",
        "payroll-ci",
        "ci-admin",
        "ci-7",
        "sg-0a1b2c3d4e5f60718",
        "arn:aws:iam::210987654321:role/payroll-dev",
        "arn:aws:iam::210987654321:role/payroll-admin",
        "arn:aws:iam::210987654321:role/eks-node-a",
        "arn:aws:iam::210987654321:role/billing-x",
        "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:1",
        "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/x:1",
        "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/other/x:1",
        "public.ecr.aws/eks-distro/envoy:v1",
        "db.payroll-api.svc",
        "db.billing.svc.cluster.local",
        "nginx",
        "",
        "Payroll",
    ];

    fn property_tenancy() -> (Tenancy, NamespaceLabels) {
        let t = Tenancy::new(crate::config::parse("c.yaml", PROPERTY_CONFIG.into()).unwrap());
        let mut labels = NamespaceLabels::new();
        labels.insert(
            "scratch".into(),
            BTreeMap::from([(PRODUCT_LABEL.to_string(), "billing".to_string())]),
        );
        (t, labels)
    }

    /// A Pod-like object whose containers' images, list items and map values
    /// are the names `picks` chooses (`key` an index into keys that matter).
    fn property_object(namespace: usize, picks: &[(usize, usize)]) -> Value {
        let name = |i: usize| PROPERTY_NAMES[i % PROPERTY_NAMES.len()];
        let keys = ["image", "name", "namespace", "serviceAccountName", "x"];
        let mut containers = Vec::new();
        let mut items = Vec::new();
        let mut map = serde_json::Map::new();
        for (n, &(key, pick)) in picks.iter().enumerate() {
            match n % 3 {
                0 => containers.push(serde_json::json!({keys[key % keys.len()]: name(pick), "image": name(pick + n)})),
                1 => items.push(serde_json::json!(name(pick))),
                _ => {
                    map.insert(format!("{}{n}", keys[key % keys.len()]), serde_json::json!(name(pick)));
                }
            }
        }
        let object = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": name(namespace)},
            "spec": {"containers": containers, "items": items, "map": map},
        });
        Value::from_json_str(&object.to_string()).unwrap()
    }

    /// The owners of every string as the maps were built before they were
    /// built from entries: a `BTreeMap` each, filled string by string (later
    /// equal names replacing earlier ones, but for images and names found inside
    /// a DNS name, where the first stays), then copied into a value.
    fn owners_built_by_btreemaps(
        t: &Tenancy,
        lookup: Option<&dyn NamespaceLookup>,
        subject: &Value,
    ) -> Value {
        let mut maps: [BTreeMap<Value, Value>; 10] = Default::default();
        let mut strings: Vec<(Value, Option<String>)> = Vec::new();
        let mut stack: Vec<(&Value, Option<String>)> = vec![(subject, None)];
        while let Some((v, key)) = stack.pop() {
            match v {
                Value::Object(map) => {
                    for (k, child) in map.iter() {
                        stack.push((child, string(k).map(str::to_string)));
                    }
                }
                Value::Array(items) => stack.extend(items.iter().map(|i| (i, key.clone()))),
                Value::String(_) => strings.push((v.clone(), key)),
                _ => {}
            }
        }
        let [namespaces, groups, users, iam_roles, security_groups, images, admin_groups, admin_users, admin_roles, node_roles] =
            &mut maps;
        for (name, key) in &strings {
            let s = string(name).unwrap();
            if s.is_empty() || s.len() > MAX_NAME {
                continue;
            }
            if key.as_deref() == Some("image") && !images.contains_key(name) {
                let mut entry = vec![("shared", Value::Bool(t.image_is_shared(s)))];
                if let Some(owner) = t.image_owner(s) {
                    entry.push(("product", Value::from(owner.product)));
                    entry.push(("via", Value::from(owner.via)));
                }
                images.insert(name.clone(), obj(entry));
            }
            if s.starts_with("arn:") {
                if let Some(owner) = t.role_owner(s) {
                    iam_roles.insert(name.clone(), owner.to_value());
                }
                if let Some(via) = t.admin_role(s) {
                    admin_roles.insert(name.clone(), Value::from(via));
                }
                if let Some(via) = t.node_role(s) {
                    node_roles.insert(name.clone(), Value::from(via));
                }
                continue;
            }
            if let Some(owner) = t.security_group_owner(s) {
                security_groups.insert(name.clone(), owner.to_value());
                continue;
            }
            if let Some(owner) = t.group_owner(s) {
                groups.insert(name.clone(), owner.to_value());
            }
            if let Some(owner) = t.user_owner(s) {
                users.insert(name.clone(), owner.to_value());
            }
            if let Some(via) = t.admin_group(s) {
                admin_groups.insert(name.clone(), Value::from(via));
            }
            if let Some(via) = t.admin_user(s) {
                admin_users.insert(name.clone(), Value::from(via));
            }
            if is_dns_label(s) {
                if let Some(owner) = t.namespace_owner(s, None, lookup) {
                    namespaces.insert(name.clone(), owner.to_value());
                }
            } else if let Some(inner) = s.split('.').nth(1).filter(|c| is_dns_label(c)) {
                if let Some(owner) = t.namespace_owner(inner, None, lookup) {
                    namespaces
                        .entry(Value::from(inner))
                        .or_insert(owner.to_value());
                }
            }
        }
        let [namespaces, groups, users, iam_roles, security_groups, images, admin_groups, admin_users, admin_roles, node_roles] =
            maps;
        obj(vec![
            ("namespaces", Value::from(namespaces)),
            ("groups", Value::from(groups)),
            ("users", Value::from(users)),
            ("iamRoles", Value::from(iam_roles)),
            ("securityGroups", Value::from(security_groups)),
            ("images", Value::from(images)),
            (
                "admins",
                obj(vec![
                    ("groups", Value::from(admin_groups)),
                    ("users", Value::from(admin_users)),
                    ("iamRoles", Value::from(admin_roles)),
                ]),
            ),
            ("nodeRoles", Value::from(node_roles)),
        ])
    }

    proptest::proptest! {
        /// The owners maps built from entries are those the `BTreeMap`s gave,
        /// duplicate names included.
        #[test]
        fn owners_are_those_the_btreemaps_gave(
            namespace in 0usize..24,
            picks in proptest::collection::vec((0usize..5, 0usize..48), 0..40),
        ) {
            let (t, labels) = property_tenancy();
            let object = property_object(namespace, &picks);
            let fact = compute_with(&t, Some(&labels), &review_of(object.clone()), &Value::Undefined, Value::Null);
            proptest::prop_assert_eq!(
                &fact["owners"],
                &owners_built_by_btreemaps(&t, Some(&labels), &object)
            );
        }

        /// Each part computed alone equals the same fields of the whole fact;
        /// `base` is every field but `owners`, and `owners` holds the maps wanted.
        #[test]
        fn parts_equal_the_same_fields_of_the_whole_fact(
            namespace in 0usize..24,
            picks in proptest::collection::vec((0usize..5, 0usize..48), 0..30),
            bits in 1u32..(1 << PARTS.len()),
        ) {
            let (t, labels) = property_tenancy();
            let review = review_of(property_object(namespace, &picks));
            let whole = compute_with(&t, Some(&labels), &review, &Value::Undefined, Value::Null);
            let parts = Parts::from_bits(bits);
            let fact = compute_parts(&t, Some(&labels), &review, &Value::Undefined, Value::Null, parts);
            let (Value::Object(whole_map), Value::Object(map)) = (&whole, &fact) else {
                panic!("not objects");
            };
            for (k, v) in whole_map.iter() {
                if k != &Value::from("owners") {
                    proptest::prop_assert_eq!(&map.get(k).cloned(), &Some(v.clone()), "{:?}", k);
                }
            }
            for (name, part) in [
                ("namespaces", "owners.namespaces"),
                ("groups", "owners.groups"),
                ("users", "owners.users"),
                ("iamRoles", "owners.iamRoles"),
                ("securityGroups", "owners.securityGroups"),
                ("images", "owners.images"),
                ("admins", "owners.admins"),
                ("nodeRoles", "owners.nodeRoles"),
            ] {
                let expected = match parts.has(part) {
                    true => whole["owners"][name].clone(),
                    false => Value::Undefined,
                };
                proptest::prop_assert_eq!(&fact["owners"][name], &expected, "{}", part);
            }
            proptest::prop_assert_eq!(parts.owners(), fact["owners"] != Value::Undefined);
            proptest::prop_assert_eq!(map.len(), whole_map.len() - usize::from(!parts.owners()));
        }
    }

    #[test]
    fn parts_of_paths() {
        let names = |path: &str| Parts::of(path).names().collect::<Vec<_>>();
        assert_eq!(names("product"), ["base"]);
        assert_eq!(names("product.via"), ["base"]);
        assert_eq!(names("owners.images"), ["base", "owners.images"]);
        assert_eq!(names("owners.admins"), ["base", "owners.admins"]);
        assert_eq!(names("owners.nothing"), ["base"]);
        assert_eq!(names("awsAuth.readable"), ["base", "awsAuth"]);
        assert_eq!(
            names("owners"),
            PARTS
                .iter()
                .filter(|p| **p != "awsAuth")
                .copied()
                .collect::<Vec<_>>()
        );
    }

    fn review_of(object: Value) -> Value {
        crate::review::build(
            crate::review::Operation::Create,
            Some(object),
            None,
            &crate::review::Requester::default(),
        )
    }

    #[test]
    fn the_namespace_label_wins_over_the_globs() {
        let t = tenancy("");
        let mut labels = NamespaceLabels::new();
        labels.insert(
            "payroll-x".into(),
            BTreeMap::from([(PRODUCT_LABEL.to_string(), "billing".to_string())]),
        );
        let owner = t.namespace_owner("payroll-x", None, Some(&labels)).unwrap();
        assert_eq!(owner.product, "billing");
        assert_eq!(
            t.namespace_owner("payroll-y", None, Some(&labels))
                .unwrap()
                .via,
            "namespaces: payroll-*"
        );
        assert_eq!(t.namespace_owner("scratch", None, Some(&labels)), None);
    }

    #[test]
    fn a_single_tenant_cluster_owns_all_but_shared_namespaces() {
        let t = tenancy("cluster: {product: payroll}\n");
        assert_eq!(
            t.namespace_owner("anything", None, None).unwrap().via,
            "cluster.product"
        );
        assert_eq!(t.namespace_owner("kube-system", None, None), None);
    }

    #[test]
    fn requester_products_and_admin_come_from_user_info() {
        let t = tenancy("");
        let object = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"billing"}}"#;
        let fact = compute(
            &t,
            None,
            &review(object, &["payroll:devs", "sre:admins"]),
            &Value::Undefined,
        );
        assert_eq!(
            fact["requester"]["products"],
            Value::from(vec![Value::from("payroll")])
        );
        assert_eq!(fact["requester"]["admin"], Value::Bool(true));
        assert_eq!(fact["product"]["product"], Value::from("billing"));
        let fact = compute(
            &t,
            None,
            &review(object, &["billing:ops"]),
            &Value::Undefined,
        );
        assert_eq!(fact["requester"]["admin"], Value::Bool(false));
    }
}

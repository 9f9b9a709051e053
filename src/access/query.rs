//! The answers `blastwall access` gives: the product matrix, a principal's reach,
//! who can act in a namespace, and what a change adds and removes. Each is plain data
//! (serialized as the JSON format) that every renderer reads.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::action::{self, Action, Scope};
use super::graph::{kind_label, Access, Graph, Holds, Step};
use super::model::{Class, PrincipalKind, Target};

/// One principal's strongest grant in a place, and the chain behind it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub principal: String,
    pub kind: PrincipalKind,
    /// The principal's row: a product, `admins`, `nodes`, `system` or `unknown`.
    pub from: String,
    /// Where: a namespace, `*` (every namespace, from a ClusterRoleBinding) or
    /// `(cluster)` for cluster-scoped resources.
    pub namespace: String,
    /// The column the place belongs to.
    pub to: String,
    pub action: Action,
    /// The config allows this reach across products (`allowedClusterRoles`).
    pub allowed: bool,
    /// How the principal is known to Kubernetes for this grant: `aws-auth mapRoles`,
    /// `access entry`, `IRSA annotation`…; absent for a subject that is itself
    /// (a ServiceAccount, a bare group or user) or that Kubernetes adds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub chain: Vec<Step>,
}

/// One cell of the matrix: what principals of `from` can do in `to`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    pub from: String,
    pub to: String,
    /// Both are products, and different.
    pub cross_product: bool,
    /// Every entry of the cell is reach the config allows (`allowedClusterRoles`).
    pub allowed: bool,
    /// The strongest action of the cell.
    pub strongest: Action,
    /// Strongest first, one per principal.
    pub entries: Vec<Entry>,
}

/// The product × product matrix.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Only cells with reach, by row then column.
    pub cells: Vec<Cell>,
    /// The principals found, by row.
    pub principals: Vec<PrincipalInfo>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalInfo {
    pub name: String,
    pub kind: PrincipalKind,
    pub class: String,
    pub via: String,
    /// Where its identities come from (`aws-auth mapRoles`, `access entry`…), each once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<&'static str>,
}

const ALL: &str = "*";
const CLUSTER: &str = "(cluster)";

impl Graph {
    fn info(&self, p: usize) -> PrincipalInfo {
        let pr = &self.principals[p];
        PrincipalInfo {
            name: pr.name.clone(),
            kind: pr.kind,
            class: pr.class.label().to_string(),
            via: pr.via.clone(),
            sources: self.sources_of(p),
        }
    }

    /// Where principal `p`'s identities come from, each once, in the order read.
    pub fn sources_of(&self, p: usize) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for &e in &self.principals[p].identities {
            let label = self.identities[e].source.label();
            if !out.contains(&label) {
                out.push(label);
            }
        }
        out
    }

    /// The identity source a grant is held through (following impersonation back
    /// to the grant that allows it).
    fn source_of(&self, a: &Access) -> Option<&'static str> {
        match (&a.through, &a.holds) {
            (Some((through, _)), _) => self.source_of(through),
            (None, Holds::Identity(e)) => Some(self.identities[*e].source.label()),
            _ => None,
        }
    }

    fn entry(&self, a: &Access, target: &Target, scope: Scope, act: action::Action) -> Entry {
        let p = &self.principals[a.principal];
        let namespace = match (self.namespace_of(a), scope) {
            (Some(ns), _) => ns.to_string(),
            (None, Scope::Namespaced) => ALL.to_string(),
            (None, Scope::ClusterScoped) => CLUSTER.to_string(),
        };
        Entry {
            principal: p.name.clone(),
            kind: p.kind,
            from: p.class.label().to_string(),
            namespace,
            to: target.label().to_string(),
            action: act,
            allowed: self.allowed(a),
            source: self.source_of(a),
            chain: self.chain(a),
        }
    }

    /// The product matrix. Grants every identity holds alike through the EKS
    /// defaults (discovery, self-reviews) are left out.
    pub fn matrix(&self) -> Matrix {
        let rows = self.classes();
        let mut columns = self.namespace_targets();
        columns.push(Target::Cluster);
        // (row, column) → principal → best entry.
        let mut best: BTreeMap<(usize, usize), BTreeMap<usize, Entry>> = BTreeMap::new();
        let row_of: BTreeMap<&Class, usize> =
            rows.iter().enumerate().map(|(i, c)| (c, i)).collect();
        let col_of: BTreeMap<&Target, usize> =
            columns.iter().enumerate().map(|(i, c)| (c, i)).collect();
        for p in 0..self.principals.len() {
            let Some(&row) = row_of.get(&self.principals[p].class) else {
                continue;
            };
            for a in self.accesses(p) {
                if a.holds == Holds::Implicit && a.through.is_none() && self.is_builtin(a.binding) {
                    continue;
                }
                self.landings(&a, |target, scope, act| {
                    let Some(&col) = col_of.get(&target) else {
                        return;
                    };
                    let cell = best.entry((row, col)).or_default();
                    let better = cell
                        .get(&p)
                        .is_none_or(|e| stronger(act, a.through.is_none(), e));
                    if better {
                        let e = self.entry(&a, &target, scope, act.clone());
                        cell.insert(p, e);
                    }
                });
            }
        }
        let mut cells = Vec::new();
        for ((row, col), entries) in best {
            let mut entries: Vec<Entry> = entries.into_values().collect();
            entries.sort_by(|a, b| {
                b.action
                    .rank
                    .cmp(&a.action.rank)
                    .then_with(|| a.principal.cmp(&b.principal))
            });
            let Some(strongest) = entries.first().map(|e| e.action.clone()) else {
                continue;
            };
            let cross_product = matches!((&rows[row], &columns[col]), (Class::Product(a), Target::Product(b)) if a != b);
            let allowed = entries.iter().all(|e| e.allowed);
            cells.push(Cell {
                from: rows[row].label().to_string(),
                to: columns[col].label().to_string(),
                cross_product,
                allowed,
                strongest,
                entries,
            });
        }
        let mut principals: Vec<PrincipalInfo> =
            (0..self.principals.len()).map(|p| self.info(p)).collect();
        let order: BTreeMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, c)| (c.label().to_string(), i))
            .collect();
        principals.sort_by(|a, b| {
            order
                .get(&a.class)
                .cmp(&order.get(&b.class))
                .then_with(|| a.name.cmp(&b.name))
        });
        Matrix {
            rows: rows.iter().map(|c| c.label().to_string()).collect(),
            columns: columns.iter().map(|c| c.label().to_string()).collect(),
            cells,
            principals,
        }
    }

    /// Where one grant lands for a principal's view: its namespace (or every
    /// namespace, or the cluster) with the strongest action there.
    fn places(&self, a: &Access) -> Vec<(Target, Scope, &Action)> {
        match self.namespace_of(a) {
            Some(ns) => self
                .action(a.rule, Scope::Namespaced)
                .map(|act| (self.target_of(ns), Scope::Namespaced, act))
                .into_iter()
                .collect(),
            None => {
                let mut v = Vec::new();
                if let Some(act) = self.action(a.rule, Scope::Namespaced) {
                    v.push((Target::Unowned, Scope::Namespaced, act));
                }
                if let Some(act) = self.action(a.rule, Scope::ClusterScoped) {
                    v.push((Target::Cluster, Scope::ClusterScoped, act));
                }
                v
            }
        }
    }

    /// Everything principal `p` can do, per place, strongest first within a place.
    pub fn reach(&self, p: usize) -> Vec<Entry> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for a in self.accesses(p) {
            for (target, scope, act) in self.places(&a) {
                let mut e = self.entry(&a, &target, scope, act.clone());
                if e.namespace == ALL {
                    e.to = "every namespace".into();
                }
                // The same grant reached twice (two groups, one binding) is one line.
                let key = (e.namespace.clone(), e.action.label.clone(), e.chain.clone());
                if seen.insert(key) {
                    out.push(e);
                }
            }
        }
        sort_entries(&mut out);
        out
    }

    /// Who can act in `namespace`, with `verb` on `resource` when given: each
    /// principal once, with its strongest matching grant.
    pub fn who_can(
        &self,
        namespace: &str,
        verb: Option<&str>,
        resource: Option<&str>,
    ) -> Vec<Entry> {
        let target = self.target_of(namespace);
        let mut out = Vec::new();
        for p in 0..self.principals.len() {
            let mut best: Option<Entry> = None;
            for a in self.accesses(p) {
                if self.namespace_of(&a).is_some_and(|ns| ns != namespace) {
                    continue;
                }
                let rule = self.rule(a.rule);
                let Some(act) = matching(rule, verb, resource) else {
                    continue;
                };
                if best
                    .as_ref()
                    .is_none_or(|b| stronger(&act, a.through.is_none(), b))
                {
                    let mut e = self.entry(&a, &target, Scope::Namespaced, act);
                    e.namespace = namespace.to_string();
                    best = Some(e);
                }
            }
            out.extend(best);
        }
        sort_entries(&mut out);
        out
    }

    /// The facts compared across a change: (principal, place, action), each with
    /// the first grant behind it (its chain is built only if the fact changed).
    pub fn reach_facts(&self) -> BTreeMap<(String, String, String), Fact> {
        let mut out = BTreeMap::new();
        for p in 0..self.principals.len() {
            let principal = &self.principals[p];
            for a in self.accesses(p) {
                for (_, scope, act) in self.places(&a) {
                    let namespace = match (self.namespace_of(&a), scope) {
                        (Some(ns), _) => ns.to_string(),
                        (None, Scope::Namespaced) => ALL.to_string(),
                        (None, Scope::ClusterScoped) => CLUSTER.to_string(),
                    };
                    let key = (principal.name.clone(), namespace, act.label.clone());
                    if out.contains_key(&key) {
                        continue;
                    }
                    let cross = match (&principal.class, self.namespace_product(&key.1)) {
                        (Class::Product(a), Some(b)) => *a != b,
                        (Class::Product(_), None) => key.1 == ALL,
                        _ => false,
                    };
                    out.insert(
                        key,
                        Fact {
                            from: principal.class.label().to_string(),
                            cross_product: cross,
                            escalation: act.escalation,
                            allowed: self.allowed(&a),
                            access: a.clone(),
                        },
                    );
                }
            }
        }
        out
    }

    fn namespace_product(&self, namespace: &str) -> Option<String> {
        if namespace == ALL || namespace == CLUSTER {
            return None;
        }
        match self.target_of(namespace) {
            Target::Product(p) => Some(p),
            _ => None,
        }
    }

    /// The principal's description for the principal view.
    pub fn principal_info(&self, p: usize) -> PrincipalInfo {
        self.info(p)
    }

    /// The identity steps of a principal: what it is known as, from where.
    pub fn identity_steps(&self, p: usize) -> Vec<Step> {
        self.principals[p]
            .identities
            .iter()
            .map(|&e| {
                let edge = &self.identities[e];
                let text = match &edge.service_account {
                    Some(sa) => format!("{}: acts as {sa}", edge.label),
                    None => format!(
                        "{}: username {}, groups [{}]",
                        edge.label,
                        edge.username.as_deref().unwrap_or("(none)"),
                        edge.groups.join(", ")
                    ),
                };
                Step {
                    step: "identity",
                    text,
                    place: edge.place.clone(),
                }
            })
            .collect()
    }
}

/// The action of `rule` that answers a `--verb`/`--resource` question in a namespace.
fn matching(
    rule: &super::model::Rule,
    verb: Option<&str>,
    resource: Option<&str>,
) -> Option<Action> {
    match (verb, resource) {
        (None, None) => action::strongest(rule, Scope::Namespaced),
        (v, r) => {
            let verbs: Vec<&str> = match v {
                Some(v) => vec![v],
                None => rule.verbs.iter().map(String::as_str).collect(),
            };
            let resources: Vec<&str> = match r {
                Some(r) => vec![r],
                None => rule
                    .resources
                    .iter()
                    .map(String::as_str)
                    .filter(|r| action::namespaced(r))
                    .collect(),
            };
            let verb = verbs
                .iter()
                .find(|v| resources.iter().any(|r| action::allows(rule, v, None, r)))?;
            let res = resources
                .iter()
                .find(|r| action::allows(rule, verb, None, r))?;
            let strongest = action::strongest(rule, Scope::Namespaced);
            let names = match rule.resource_names.is_empty() {
                true => String::new(),
                false => format!(" [{}]", rule.resource_names.join(", ")),
            };
            // A verb and a resource ask one question, which every match answers alike.
            let rank = match (v, r) {
                (Some(_), Some(_)) => 1,
                _ => strongest.as_ref().map_or(0, |s| s.rank),
            };
            Some(Action {
                rank,
                label: format!("{verb} {res}{names}"),
                escalation: action::strongest(
                    &super::model::Rule {
                        verbs: vec![verb.to_string()],
                        api_groups: rule.api_groups.clone(),
                        resources: vec![res.to_string()],
                        ..super::model::Rule::default()
                    },
                    Scope::Namespaced,
                )
                .and_then(|s| s.escalation),
            })
        }
    }
}

/// Whether `act` (direct or not) beats `than`: a stronger action, or as strong and
/// held directly where `than` needs impersonation.
fn stronger(act: &Action, direct: bool, than: &Entry) -> bool {
    act.rank > than.action.rank
        || (act.rank == than.action.rank
            && direct
            && than.chain.iter().any(|s| s.step == "impersonates"))
}

/// Named namespaces first, then every namespace, then the cluster.
fn place_order(namespace: &str) -> (u8, &str) {
    match namespace {
        ALL => (1, namespace),
        CLUSTER => (2, namespace),
        ns => (0, ns),
    }
}

fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        place_order(&a.namespace)
            .cmp(&place_order(&b.namespace))
            .then_with(|| b.action.rank.cmp(&a.action.rank))
            .then_with(|| a.principal.cmp(&b.principal))
            .then_with(|| a.action.label.cmp(&b.action.label))
    });
}

/// One reach fact, for comparing revisions.
#[derive(Clone, Debug)]
pub struct Fact {
    pub from: String,
    pub cross_product: bool,
    pub escalation: Option<action::Escalation>,
    pub allowed: bool,
    /// The first grant behind the fact.
    pub access: Access,
}

/// Reach a change adds or removes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `gains` or `loses`.
    pub change: &'static str,
    pub principal: String,
    pub from: String,
    pub namespace: String,
    pub action: String,
    pub cross_product: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<action::Escalation>,
    /// The config allows this reach across products.
    pub allowed: bool,
    /// The chain in the revision that has the reach.
    pub chain: Vec<Step>,
}

impl Change {
    /// `payroll:ci gains create pods/exec in billing`.
    pub fn sentence(&self) -> String {
        let place = match self.namespace.as_str() {
            ALL => "every namespace".to_string(),
            CLUSTER => "the cluster".to_string(),
            ns => ns.to_string(),
        };
        format!(
            "{} {} {} in {}",
            self.principal, self.change, self.action, place
        )
    }
}

/// What reach `head` has that `base` lacks (gains), and the reverse (loses).
pub fn diff(base: &Graph, head: &Graph) -> Vec<Change> {
    let before = base.reach_facts();
    let after = head.reach_facts();
    let mut out = Vec::new();
    for (change, from, to, graph) in [
        ("gains", &after, &before, head),
        ("loses", &before, &after, base),
    ] {
        for ((principal, namespace, action), fact) in from {
            if to.contains_key(&(principal.clone(), namespace.clone(), action.clone())) {
                continue;
            }
            out.push(Change {
                change,
                principal: principal.clone(),
                from: fact.from.clone(),
                namespace: namespace.clone(),
                action: action.clone(),
                cross_product: fact.cross_product,
                escalation: fact.escalation,
                allowed: fact.allowed,
                chain: graph.chain(&fact.access),
            });
        }
    }
    out
}

/// `IAM role`, `group`, ... for human output.
pub fn kind_text(kind: PrincipalKind) -> &'static str {
    kind_label(kind)
}

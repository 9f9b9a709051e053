//! The effective access graph: principals → identities (username, groups) →
//! bindings → roles (aggregation resolved) → rules, each grant with the namespace it
//! applies in and the product that owns it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::action::{self, Scope};
use super::model::{
    Binding, Class, IdentityEdge, IdentitySource, Namespace, Place, Principal, PrincipalKind, Role,
    RoleKind, Rule, ServiceAccount, Subject, Target,
};
use super::read::Inputs;
use crate::facts::tenancy::{NamespaceLabels, Tenancy, PRODUCT_LABEL};

/// Groups every authenticated identity is in.
pub const AUTHENTICATED: &str = "system:authenticated";
const MASTERS: &str = "system:masters";

/// A rule of a role, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    pub role: usize,
    pub rule: usize,
}

/// How a principal holds the subject a binding names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Through identity edge `n` (aws-auth entry, access entry, IRSA).
    Identity(usize),
    /// It is that subject (a ServiceAccount, a bare group or user).
    Itself,
    /// Every authenticated identity, or every ServiceAccount (of a namespace), is in
    /// the group.
    Implicit,
}

/// One grant a principal holds: a rule of a role, bound to a subject it holds, in a
/// namespace (`None`: a ClusterRoleBinding, everywhere).
///
/// Indices only: the subject is `subject_index` of the binding, and the namespace is
/// the binding's ([`Graph::namespace_of`]), so a large graph's grants stay cheap.
#[derive(Clone, Debug)]
pub struct Access {
    pub principal: usize,
    pub holds: Holds,
    pub binding: usize,
    pub subject_index: usize,
    pub role: usize,
    pub rule: RuleRef,
    /// For reach gained by impersonation: the grant to impersonate, and whom.
    pub through: Option<(Box<Access>, Subject)>,
}

/// One step of a chain, for every output format.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Step {
    /// `principal`, `identity`, `subject`, `binding`, `role`, `aggregated`, `rule`,
    /// `impersonates`.
    pub step: &'static str,
    pub text: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
}

/// The graph of one set of inputs.
pub struct Graph {
    pub principals: Vec<Principal>,
    pub identities: Vec<IdentityEdge>,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    pub service_accounts: Vec<ServiceAccount>,
    /// Every namespace the files or the config name, by name.
    pub namespaces: BTreeMap<String, Namespace>,
    /// The products, in config order (then those only namespace labels name).
    pub products: Vec<String>,
    /// Roles granted by bindings whose reach across products the config allows
    /// (`cross-product-binding`'s `allowedClusterRoles`).
    pub allowed_cluster_roles: BTreeSet<String>,
    /// Per role: its rules and, for an aggregated ClusterRole, those of the roles it
    /// aggregates.
    effective: Vec<Vec<RuleRef>>,
    /// Per binding: the role it refers to, if that role exists.
    bound: Vec<Option<usize>>,
    /// Per role, per rule: its strongest action inside a namespace and on
    /// cluster-scoped resources.
    actions: Vec<Vec<[Option<action::Action>; 2]>>,
    by_subject: HashMap<Subject, Vec<(usize, usize)>>,
    /// ServiceAccount subjects by namespace and by name, for impersonation.
    accounts_in: HashMap<String, Vec<Subject>>,
    accounts_named: HashMap<String, Vec<Subject>>,
    tenancy: Option<std::sync::Arc<Tenancy>>,
    labels: NamespaceLabels,
}

impl Graph {
    /// Builds the graph of `inputs`; `tenancy` (the config) decides which product owns
    /// what, namespace labels first.
    pub fn build(inputs: Inputs, tenancy: Option<std::sync::Arc<Tenancy>>) -> Graph {
        let Inputs {
            identities,
            roles,
            bindings,
            service_accounts,
            namespaces: ns_docs,
            cluster: _,
        } = inputs;
        let labels: NamespaceLabels = ns_docs
            .iter()
            .map(|(n, (l, _))| (n.clone(), l.clone()))
            .collect();
        let mut graph = Graph {
            principals: Vec::new(),
            identities,
            effective: Vec::new(),
            bound: Vec::new(),
            actions: Vec::new(),
            by_subject: HashMap::new(),
            accounts_in: HashMap::new(),
            accounts_named: HashMap::new(),
            roles,
            bindings,
            service_accounts,
            namespaces: BTreeMap::new(),
            products: Vec::new(),
            allowed_cluster_roles: BTreeSet::new(),
            tenancy,
            labels,
        };
        graph.resolve_roles();
        graph.actions = graph
            .roles
            .iter()
            .map(|r| {
                r.rules
                    .iter()
                    .map(|rule| {
                        [
                            action::strongest(rule, Scope::Namespaced),
                            action::strongest(rule, Scope::ClusterScoped),
                        ]
                    })
                    .collect()
            })
            .collect();
        graph.index_subjects();
        graph.collect_namespaces(&ns_docs);
        graph.collect_principals();
        graph
    }

    fn resolve_roles(&mut self) {
        let mut by_name: HashMap<(RoleKind, Option<&str>, &str), usize> = HashMap::new();
        for (i, r) in self.roles.iter().enumerate() {
            by_name.insert((r.kind, r.namespace.as_deref(), r.name.as_str()), i);
        }
        self.bound = self
            .bindings
            .iter()
            .map(|b| {
                let ns = match b.role_kind {
                    RoleKind::Role => b.namespace.as_deref(),
                    RoleKind::ClusterRole => None,
                };
                by_name
                    .get(&(b.role_kind, ns, b.role_name.as_str()))
                    .copied()
            })
            .collect();
        // Aggregation: the rules of every ClusterRole the selectors match, followed
        // transitively (the controller fills in aggregated roles' rules until stable).
        let mut effective = Vec::with_capacity(self.roles.len());
        let cluster_roles: Vec<usize> = (0..self.roles.len())
            .filter(|&i| self.roles[i].kind == RoleKind::ClusterRole)
            .collect();
        let matched = |i: usize| -> Vec<usize> {
            let Some(selectors) = &self.roles[i].aggregation else {
                return Vec::new();
            };
            cluster_roles
                .iter()
                .copied()
                .filter(|&j| j != i && selectors.iter().any(|s| s.matches(&self.roles[j].labels)))
                .collect()
        };
        let direct: Vec<Vec<usize>> = (0..self.roles.len()).map(matched).collect();
        for i in 0..self.roles.len() {
            let mut seen = BTreeSet::from([i]);
            let mut stack = vec![i];
            let mut rules = Vec::new();
            while let Some(r) = stack.pop() {
                if self.roles[r].aggregation.is_none() || r == i {
                    rules.extend(
                        (0..self.roles[r].rules.len()).map(|rule| RuleRef { role: r, rule }),
                    );
                }
                for &j in &direct[r] {
                    if seen.insert(j) {
                        stack.push(j);
                    }
                }
            }
            effective.push(rules);
        }
        self.effective = effective;
    }

    fn index_subjects(&mut self) {
        for (b, binding) in self.bindings.iter().enumerate() {
            for (s, (subject, _)) in binding.subjects.iter().enumerate() {
                self.by_subject
                    .entry(subject.clone())
                    .or_default()
                    .push((b, s));
            }
        }
    }

    fn collect_namespaces(
        &mut self,
        docs: &BTreeMap<String, (BTreeMap<String, String>, Option<Place>)>,
    ) {
        let mut names: BTreeMap<String, Option<Place>> = BTreeMap::new();
        for (n, (_, place)) in docs {
            names.insert(n.clone(), place.clone());
        }
        for b in &self.bindings {
            if let Some(ns) = &b.namespace {
                names.entry(ns.clone()).or_insert_with(|| b.place.clone());
            }
            for (s, place) in &b.subjects {
                if let Subject::ServiceAccount { namespace, .. } = s {
                    names
                        .entry(namespace.clone())
                        .or_insert_with(|| place.clone());
                }
            }
        }
        for r in &self.roles {
            if let Some(ns) = &r.namespace {
                names.entry(ns.clone()).or_insert_with(|| r.place.clone());
            }
        }
        for sa in &self.service_accounts {
            names
                .entry(sa.namespace.clone())
                .or_insert_with(|| sa.place.clone());
        }
        if let Some(t) = &self.tenancy {
            let config = t.config();
            for spec in config.products.values() {
                for g in spec.namespaces.iter().filter(|g| g.is_literal()) {
                    names.entry(g.as_str().to_string()).or_insert(None);
                }
            }
            self.products.extend(config.products.keys().cloned());
            if let Some(params) = config
                .rules
                .get("cross-product-binding")
                .and_then(|r| r.params.as_ref())
            {
                if let Some(serde_json::Value::Array(roles)) = params.get("allowedClusterRoles") {
                    self.allowed_cluster_roles
                        .extend(roles.iter().filter_map(|r| r.as_str().map(str::to_string)));
                }
            }
        }
        for (name, place) in names {
            let (target, via) = self.owner_of(&name);
            if let Target::Product(p) = &target {
                if !self.products.contains(p) {
                    self.products.push(p.clone());
                }
            }
            self.namespaces.insert(
                name.clone(),
                Namespace {
                    name,
                    target,
                    via,
                    place,
                },
            );
        }
    }

    /// Who owns namespace `name`, and why.
    pub fn owner_of(&self, name: &str) -> (Target, String) {
        match &self.tenancy {
            Some(t) => match t.namespace_owner(name, None, Some(&self.labels)) {
                Some(owner) => (Target::Product(owner.product), owner.via),
                None if t.is_shared_namespace(name) => {
                    (Target::Shared, "sharedNamespaces".to_string())
                }
                None => (Target::Unowned, "no product claims it".to_string()),
            },
            None => match self.labels.get(name).and_then(|l| l.get(PRODUCT_LABEL)) {
                Some(p) if !p.is_empty() => (
                    Target::Product(p.clone()),
                    format!("label {PRODUCT_LABEL} on Namespace {name}"),
                ),
                _ => (Target::Unowned, "no config".to_string()),
            },
        }
    }

    /// The target a namespace's reach lands in.
    pub fn target_of(&self, namespace: &str) -> Target {
        match self.namespaces.get(namespace) {
            Some(ns) => ns.target.clone(),
            None => self.owner_of(namespace).0,
        }
    }

    fn collect_principals(&mut self) {
        // IAM principals: one per ARN (case-insensitive), with every edge that maps it.
        let mut iam: BTreeMap<(PrincipalKind, String), Vec<usize>> = BTreeMap::new();
        for (i, e) in self.identities.iter().enumerate() {
            iam.entry((e.kind, e.arn.to_ascii_lowercase()))
                .or_default()
                .push(i);
        }
        let mut reached: BTreeSet<Subject> = BTreeSet::new();
        for ((kind, _), edges) in iam {
            let first = &self.identities[edges[0]];
            let name = first.arn.clone();
            for &e in &edges {
                let edge = &self.identities[e];
                if let Some(u) = &edge.username {
                    reached.insert(Subject::User(u.clone()));
                }
                reached.extend(edge.groups.iter().map(|g| Subject::Group(g.clone())));
                if edge.source == IdentitySource::AccessEntry {
                    reached.insert(Subject::AccessPolicies(edge.arn.to_ascii_lowercase()));
                }
            }
            let (class, via) = self.iam_class(kind, &name, &edges);
            self.principals.push(Principal {
                kind,
                name,
                class,
                via,
                identities: edges,
                subject: None,
            });
        }
        // ServiceAccounts: declared, or named by a binding.
        let mut accounts: BTreeSet<(String, String)> = self
            .service_accounts
            .iter()
            .map(|s| (s.namespace.clone(), s.name.clone()))
            .collect();
        let mut bare: BTreeSet<Subject> = BTreeSet::new();
        for b in &self.bindings {
            for (s, _) in &b.subjects {
                match s {
                    Subject::ServiceAccount { namespace, name } => {
                        accounts.insert((namespace.clone(), name.clone()));
                    }
                    _ if !reached.contains(s) => {
                        bare.insert(s.clone());
                    }
                    _ => {}
                }
            }
        }
        for (namespace, name) in accounts {
            let subject = Subject::ServiceAccount {
                namespace: namespace.clone(),
                name: name.clone(),
            };
            self.accounts_in
                .entry(namespace.clone())
                .or_default()
                .push(subject.clone());
            self.accounts_named
                .entry(name.clone())
                .or_default()
                .push(subject);
            let (class, via) = match self.target_of(&namespace) {
                _ if namespace == "kube-system" => (Class::System, "namespace kube-system".into()),
                Target::Product(p) => (Class::Product(p), format!("in namespace {namespace}")),
                Target::Shared => (Class::System, format!("in shared namespace {namespace}")),
                _ => (
                    Class::Unknown,
                    format!("namespace {namespace} has no owner"),
                ),
            };
            self.principals.push(Principal {
                kind: PrincipalKind::ServiceAccount,
                name: format!("sa:{namespace}/{name}"),
                class,
                via,
                identities: Vec::new(),
                subject: Some(Subject::ServiceAccount { namespace, name }),
            });
        }
        for s in bare {
            let (kind, name) = match &s {
                Subject::User(u) => (PrincipalKind::User, u.clone()),
                Subject::Group(g) => (PrincipalKind::Group, g.clone()),
                Subject::ServiceAccount { .. } | Subject::AccessPolicies(_) => continue,
            };
            let (class, via) = self.subject_class(&s);
            self.principals.push(Principal {
                kind,
                name,
                class,
                via,
                identities: Vec::new(),
                subject: Some(s),
            });
        }
    }

    fn iam_class(&self, kind: PrincipalKind, arn: &str, edges: &[usize]) -> (Class, String) {
        let t = self.tenancy.as_deref();
        if let Some(via) = t.and_then(|t| t.admin_role(arn)) {
            return (Class::Admins, via);
        }
        if let Some(via) = t.and_then(|t| t.node_role(arn)) {
            return (Class::Nodes, via);
        }
        if edges.iter().any(|&e| self.identities[e].node) {
            return (Class::Nodes, "mapped as a node (system:nodes)".into());
        }
        if kind == PrincipalKind::IamRole {
            if let Some(owner) = t.and_then(|t| t.role_owner(arn)) {
                return (Class::Product(owner.product), owner.via);
            }
        }
        // Otherwise by what it is mapped to.
        for &e in edges {
            let edge = &self.identities[e];
            let subjects = edge
                .groups
                .iter()
                .map(|g| Subject::Group(g.clone()))
                .chain(edge.username.iter().map(|u| Subject::User(u.clone())));
            for s in subjects {
                let (class, via) = self.subject_class(&s);
                if matches!(class, Class::Product(_) | Class::Admins) {
                    return (class, format!("{s} ({via})"));
                }
            }
        }
        (
            Class::Unknown,
            "no iamRoles entry of the config matches it".into(),
        )
    }

    fn subject_class(&self, s: &Subject) -> (Class, String) {
        let t = self.tenancy.as_deref();
        match s {
            Subject::Group(g) => {
                if g == MASTERS {
                    return (Class::Admins, "system:masters holds cluster-admin".into());
                }
                if let Some(via) = t.and_then(|t| t.admin_group(g)) {
                    return (Class::Admins, via);
                }
                if g == "system:nodes" || g == "system:bootstrappers" {
                    return (Class::Nodes, "node group".into());
                }
                if g.starts_with("system:") || g.starts_with("eks:") {
                    return (Class::System, "Kubernetes or EKS group".into());
                }
                match t.and_then(|t| t.group_owner(g)) {
                    Some(o) => (Class::Product(o.product), o.via),
                    None => (
                        Class::Unknown,
                        "no groups entry of the config matches it".into(),
                    ),
                }
            }
            Subject::User(u) => {
                if let Some(via) = t.and_then(|t| t.admin_user(u)) {
                    return (Class::Admins, via);
                }
                if u.starts_with("system:node:") {
                    return (Class::Nodes, "node user".into());
                }
                if u.starts_with("system:") || u.starts_with("eks:") {
                    return (Class::System, "Kubernetes or EKS user".into());
                }
                match t.and_then(|t| t.user_owner(u)) {
                    Some(o) => (Class::Product(o.product), o.via),
                    None => (
                        Class::Unknown,
                        "no users entry of the config matches it".into(),
                    ),
                }
            }
            Subject::ServiceAccount { namespace, .. } => match self.target_of(namespace) {
                Target::Product(p) => (Class::Product(p), format!("in namespace {namespace}")),
                _ => (Class::System, format!("in namespace {namespace}")),
            },
            Subject::AccessPolicies(arn) => (Class::Unknown, format!("access policies of {arn}")),
        }
    }

    /// The subjects principal `p` holds, and how.
    pub fn subjects_of(&self, p: usize) -> Vec<(Subject, Holds)> {
        let principal = &self.principals[p];
        let mut out: Vec<(Subject, Holds)> = Vec::new();
        let mut push = |s: Subject, h: Holds| {
            if !out.iter().any(|(have, _)| *have == s) {
                out.push((s, h));
            }
        };
        let sa_groups = |namespace: &str| {
            [
                Subject::Group("system:serviceaccounts".into()),
                Subject::Group(format!("system:serviceaccounts:{namespace}")),
            ]
        };
        for &e in &principal.identities {
            let edge = &self.identities[e];
            if let Some(sa @ Subject::ServiceAccount { namespace, .. }) = &edge.service_account {
                push(sa.clone(), Holds::Identity(e));
                for g in sa_groups(namespace) {
                    push(g, Holds::Implicit);
                }
            }
            if let Some(u) = &edge.username {
                push(Subject::User(u.clone()), Holds::Identity(e));
            }
            for g in &edge.groups {
                push(Subject::Group(g.clone()), Holds::Identity(e));
            }
            if edge.source == IdentitySource::AccessEntry {
                let policies = Subject::AccessPolicies(edge.arn.to_ascii_lowercase());
                push(policies, Holds::Identity(e));
            }
        }
        if let Some(s) = &principal.subject {
            push(s.clone(), Holds::Itself);
            if let Subject::ServiceAccount { namespace, .. } = s {
                for g in sa_groups(namespace) {
                    push(g, Holds::Implicit);
                }
            }
        }
        if principal.kind != PrincipalKind::Group {
            push(Subject::Group(AUTHENTICATED.into()), Holds::Implicit);
        }
        out
    }

    /// The grants `subject` holds directly.
    fn grants(
        &self,
        principal: usize,
        subject: &Subject,
        holds: &Holds,
        beyond: Option<&str>,
        out: &mut Vec<Access>,
    ) {
        let Some(list) = self.by_subject.get(subject) else {
            return;
        };
        for &(b, s) in list {
            let Some(role) = self.bound[b] else { continue };
            let binding = &self.bindings[b];
            if beyond.is_some() && binding.namespace.as_deref() == beyond {
                continue;
            }
            for &rule in &self.effective[role] {
                out.push(Access {
                    principal,
                    holds: holds.clone(),
                    binding: b,
                    subject_index: s,
                    role,
                    rule,
                    through: None,
                });
            }
        }
    }

    /// Every grant principal `p` holds, including those it gains by impersonating a
    /// named group or user, or a ServiceAccount of a namespace where it may
    /// (one step).
    pub fn accesses(&self, p: usize) -> Vec<Access> {
        let mut direct = Vec::new();
        for (s, holds) in self.subjects_of(p) {
            self.grants(p, &s, &holds, None, &mut direct);
        }
        let mut derived = Vec::new();
        let mut seen: BTreeSet<Subject> = BTreeSet::new();
        for a in &direct {
            let rule = self.rule(a.rule);
            if rule.verbs.is_empty() || !action::impersonates_any(rule) {
                continue;
            }
            for (target, beyond) in self.impersonation_targets(rule, self.namespace_of(a)) {
                if !seen.insert(target.clone()) {
                    continue;
                }
                let mut found = Vec::new();
                self.grants(p, &target, &Holds::Implicit, beyond, &mut found);
                for mut f in found {
                    f.through = Some((Box::new(a.clone()), target.clone()));
                    derived.push(f);
                }
            }
        }
        direct.extend(derived);
        direct
    }

    /// Whom a rule lets its holder impersonate, as far as the files name them: groups
    /// and users it names (cluster-wide only), and ServiceAccounts it names. With no
    /// names, in a RoleBinding's namespace (`edit` and `admin` have it), every
    /// ServiceAccount of that namespace, followed only to what it holds beyond that
    /// namespace (the `impersonate serviceaccounts` grant itself is the escalation
    /// shown there): the second of each pair.
    fn impersonation_targets<'a>(
        &self,
        rule: &Rule,
        namespace: Option<&'a str>,
    ) -> Vec<(Subject, Option<&'a str>)> {
        let mut out = Vec::new();
        if namespace.is_none() {
            for (what, make) in [
                ("groups", Subject::Group as fn(String) -> Subject),
                ("users", Subject::User as fn(String) -> Subject),
            ] {
                if let Some(names) = action::impersonates(rule, what) {
                    out.extend(names.iter().map(|n| (make(n.clone()), None)));
                }
            }
        }
        let Some(names) = action::impersonates(rule, "serviceaccounts") else {
            return out;
        };
        let in_scope = |s: &Subject| match (s, namespace) {
            (Subject::ServiceAccount { namespace: ns, .. }, Some(n)) => ns == n,
            _ => true,
        };
        if names.is_empty() {
            if let Some(ns) = namespace {
                let all = self.accounts_in.get(ns).map(Vec::as_slice).unwrap_or(&[]);
                out.extend(all.iter().map(|s| (s.clone(), Some(ns))));
            }
        } else {
            for n in names {
                let named = self.accounts_named.get(n).map(Vec::as_slice).unwrap_or(&[]);
                out.extend(
                    named
                        .iter()
                        .filter(|s| in_scope(s))
                        .map(|s| (s.clone(), None)),
                );
            }
        }
        out
    }

    pub fn rule(&self, r: RuleRef) -> &Rule {
        &self.roles[r.role].rules[r.rule]
    }

    /// The strongest action of a rule in a scope (computed once per rule).
    pub fn action(&self, r: RuleRef, scope: Scope) -> Option<&action::Action> {
        let i = match scope {
            Scope::Namespaced => 0,
            Scope::ClusterScoped => 1,
        };
        self.actions[r.role][r.rule][i].as_ref()
    }

    /// The namespace a grant applies in: its binding's (`None`: everywhere).
    pub fn namespace_of(&self, a: &Access) -> Option<&str> {
        self.bindings[a.binding].namespace.as_deref()
    }

    /// The subject of the binding a grant comes through.
    pub fn subject_of(&self, a: &Access) -> &Subject {
        &self.bindings[a.binding].subjects[a.subject_index].0
    }

    /// Calls `f` for each place an access lands: `(target, scope, action)`, with the
    /// strongest action of its rule there. A ClusterRoleBinding lands in every
    /// namespace target and in the cluster.
    pub fn landings<'a>(
        &'a self,
        a: &Access,
        mut f: impl FnMut(Target, Scope, &'a action::Action),
    ) {
        match self.namespace_of(a) {
            Some(ns) => {
                if let Some(act) = self.action(a.rule, Scope::Namespaced) {
                    f(self.target_of(ns), Scope::Namespaced, act);
                }
            }
            None => {
                if let Some(act) = self.action(a.rule, Scope::Namespaced) {
                    for t in self.namespace_targets() {
                        f(t, Scope::Namespaced, act);
                    }
                }
                if let Some(act) = self.action(a.rule, Scope::ClusterScoped) {
                    f(Target::Cluster, Scope::ClusterScoped, act);
                }
            }
        }
    }

    /// The matrix columns that hold namespaces.
    pub fn namespace_targets(&self) -> Vec<Target> {
        let mut out: Vec<Target> = self
            .products
            .iter()
            .map(|p| Target::Product(p.clone()))
            .collect();
        out.push(Target::Shared);
        out.push(Target::Unowned);
        out
    }

    /// The matrix rows.
    pub fn classes(&self) -> Vec<Class> {
        let mut out: Vec<Class> = self
            .products
            .iter()
            .map(|p| Class::Product(p.clone()))
            .collect();
        out.extend([Class::Admins, Class::Nodes, Class::System, Class::Unknown]);
        out
    }

    /// Whether the config allows `a`'s reach across products: it goes through a
    /// ClusterRole of `allowedClusterRoles`.
    pub fn allowed(&self, a: &Access) -> bool {
        let role = &self.roles[a.role];
        role.kind == RoleKind::ClusterRole && self.allowed_cluster_roles.contains(&role.name)
            || a.through.as_ref().is_some_and(|(t, _)| self.allowed(t))
    }

    /// The chain behind an access, principal first, each step with its place.
    pub fn chain(&self, a: &Access) -> Vec<Step> {
        let p = &self.principals[a.principal];
        let mut steps = vec![Step {
            step: "principal",
            text: format!(
                "{} {} ({}: {})",
                kind_label(p.kind),
                p.name,
                p.class.label(),
                p.via
            ),
            place: None,
        }];
        self.chain_from_subject(a, &mut steps);
        steps
    }

    fn chain_from_subject(&self, a: &Access, steps: &mut Vec<Step>) {
        if let Some((through, target)) = &a.through {
            // The impersonation grant's own chain, then the impersonated subject's.
            self.chain_from_subject(through, steps);
            steps.push(Step {
                step: "impersonates",
                text: format!("acts as {target} (impersonation)"),
                place: None,
            });
        } else {
            match &a.holds {
                Holds::Identity(e) => {
                    let edge = &self.identities[*e];
                    let mut text = edge.label.clone();
                    if let Some(sa) = &edge.service_account {
                        text.push_str(&format!(": acts as {sa}"));
                    } else {
                        text.push_str(&format!(
                            ": username {}, groups [{}]",
                            edge.username.as_deref().unwrap_or("(none)"),
                            edge.groups.join(", ")
                        ));
                    }
                    steps.push(Step {
                        step: "identity",
                        text,
                        place: edge.place.clone(),
                    });
                }
                Holds::Implicit => steps.push(Step {
                    step: "identity",
                    text: format!("in {} (Kubernetes adds it)", self.subject_of(a)),
                    place: None,
                }),
                Holds::Itself => {}
            }
        }
        let binding = &self.bindings[a.binding];
        steps.push(Step {
            step: "subject",
            text: self.subject_of(a).to_string(),
            place: binding.subjects[a.subject_index].1.clone(),
        });
        let role = &self.roles[a.role];
        steps.push(Step {
            step: "binding",
            text: format!("{} → {}", binding.label(), role.label()),
            place: binding.place.clone(),
        });
        steps.push(Step {
            step: "role",
            text: format!(
                "{}{}",
                role.label(),
                if role.builtin { " (EKS default)" } else { "" }
            ),
            place: role.place.clone(),
        });
        if a.rule.role != a.role {
            let from = &self.roles[a.rule.role];
            steps.push(Step {
                step: "aggregated",
                text: format!("aggregates {}", from.label()),
                place: from.place.clone(),
            });
        }
        let rule = self.rule(a.rule);
        steps.push(Step {
            step: "rule",
            text: rule_text(a.rule.rule, rule),
            place: rule.place.clone(),
        });
    }

    /// The principals a query names: an ARN (with or without its IAM path), `sa:ns/name`,
    /// or a username or group name.
    pub fn find_principals(&self, query: &str) -> Vec<usize> {
        let q = query.to_ascii_lowercase();
        let stripped = crate::facts::roles::strip_path(&q);
        let by_arn = |p: &Principal| {
            let name = p.name.to_ascii_lowercase();
            name == q
                || stripped.as_deref() == Some(name.as_str())
                || crate::facts::roles::strip_path(&name).as_deref() == Some(q.as_str())
        };
        (0..self.principals.len())
            .filter(|&i| {
                let p = &self.principals[i];
                match p.kind {
                    PrincipalKind::IamRole | PrincipalKind::IamUser => by_arn(p),
                    _ => p.name == query,
                }
            })
            .collect()
    }

    /// A group or user query that no principal is: the subject itself, for reach of
    /// a group that IAM principals are mapped to.
    pub fn subject_principal(&mut self, query: &str) -> Option<usize> {
        let subject = [Subject::Group(query.into()), Subject::User(query.into())]
            .into_iter()
            .find(|s| {
                self.by_subject.contains_key(s)
                    || self.identities.iter().any(|e| match s {
                        Subject::Group(g) => e.groups.contains(g),
                        Subject::User(u) => e.username.as_ref() == Some(u),
                        _ => false,
                    })
            })?;
        let (kind, name) = match &subject {
            Subject::Group(g) => (PrincipalKind::Group, g.clone()),
            Subject::User(u) => (PrincipalKind::User, u.clone()),
            Subject::ServiceAccount { .. } | Subject::AccessPolicies(_) => return None,
        };
        let (class, via) = self.subject_class(&subject);
        self.principals.push(Principal {
            kind,
            name,
            class,
            via,
            identities: Vec::new(),
            subject: Some(subject),
        });
        Some(self.principals.len() - 1)
    }

    /// Whether `binding` is a built-in default (known without being in the files).
    pub fn is_builtin(&self, binding: usize) -> bool {
        self.bindings[binding].builtin
    }
}

pub fn kind_label(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::IamRole => "IAM role",
        PrincipalKind::IamUser => "IAM user",
        PrincipalKind::ServiceAccount => "ServiceAccount",
        PrincipalKind::User => "user",
        PrincipalKind::Group => "group",
    }
}

/// `rules[2]: create, delete on pods, pods/exec` with API groups and names.
pub fn rule_text(index: usize, rule: &Rule) -> String {
    let mut text = format!("rules[{index}]: {}", rule.verbs.join(", "));
    if !rule.resources.is_empty() {
        let groups: Vec<&str> = rule
            .api_groups
            .iter()
            .map(|g| if g.is_empty() { "core" } else { g.as_str() })
            .collect();
        text.push_str(&format!(
            " on {} ({})",
            rule.resources.join(", "),
            groups.join(", ")
        ));
    }
    if !rule.resource_names.is_empty() {
        text.push_str(&format!(" named {}", rule.resource_names.join(", ")));
    }
    if !rule.non_resource_urls.is_empty() {
        text.push_str(&format!(" on URLs {}", rule.non_resource_urls.join(", ")));
    }
    text
}

//! The nodes and edges of the access graph, each with the place it was read from.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Where an edge of the graph is declared: a file and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub file: Arc<str>,
    pub line: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A Kubernetes RBAC subject: what a binding names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    User(String),
    Group(String),
    ServiceAccount {
        namespace: String,
        name: String,
    },
    /// The access policies associated with an EKS access entry: held by the entry's
    /// principal alone (the ARN, lowercased), whatever its username and groups.
    AccessPolicies(String),
}

impl Subject {
    /// The username Kubernetes gives a ServiceAccount.
    pub fn username(&self) -> Option<String> {
        match self {
            Subject::User(u) => Some(u.clone()),
            Subject::ServiceAccount { namespace, name } => {
                Some(format!("system:serviceaccount:{namespace}:{name}"))
            }
            Subject::Group(_) | Subject::AccessPolicies(_) => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::User(u) => write!(f, "user {u}"),
            Subject::Group(g) => write!(f, "group {g}"),
            Subject::ServiceAccount { namespace, name } => write!(f, "sa:{namespace}/{name}"),
            Subject::AccessPolicies(arn) => write!(f, "access policies of {arn}"),
        }
    }
}

/// Who a principal belongs to, as the rows of the product matrix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Product(String),
    /// `admins` of the config, and `system:masters`.
    Admins,
    /// Worker nodes: node roles, `system:nodes`, `system:bootstrappers`.
    Nodes,
    /// Kubernetes and EKS identities (`system:*`, `eks:*`, kube-system ServiceAccounts).
    System,
    /// Belongs to no product the config names.
    Unknown,
}

impl Class {
    pub fn label(&self) -> &str {
        match self {
            Class::Product(p) => p,
            Class::Admins => "admins",
            Class::Nodes => "nodes",
            Class::System => "system",
            Class::Unknown => "unknown",
        }
    }

    pub fn product(&self) -> Option<&str> {
        match self {
            Class::Product(p) => Some(p),
            _ => None,
        }
    }
}

/// Where reach lands, as the columns of the product matrix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Product(String),
    /// `sharedNamespaces` of the config (kube-system and the like).
    Shared,
    /// Namespaces no product owns.
    Unowned,
    /// Cluster-scoped resources (nodes, namespaces, CRDs, cluster roles, ...).
    Cluster,
}

impl Target {
    pub fn label(&self) -> &str {
        match self {
            Target::Product(p) => p,
            Target::Shared => "shared",
            Target::Unowned => "unowned",
            Target::Cluster => "cluster",
        }
    }
}

/// What kind of principal: an IAM identity, or a Kubernetes one with no IAM
/// principal in the files that reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    IamRole,
    IamUser,
    ServiceAccount,
    User,
    Group,
}

/// Someone who can act: an IAM role or user, a ServiceAccount, or an RBAC user or
/// group that no IAM principal of the files is mapped to.
#[derive(Clone, Debug)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The ARN, `sa:ns/name`, the username or the group name.
    pub name: String,
    pub class: Class,
    /// Why it belongs to its class (`iamRoles: arn:…:role/payroll-*`).
    pub via: String,
    /// The identities it is known as: username and groups, each from a source.
    pub identities: Vec<usize>,
    /// The RBAC subject it is, for ServiceAccounts and bare users and groups.
    pub subject: Option<Subject>,
}

/// Where an identity mapping comes from. Access entries (EKS API) will be another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IdentitySource {
    /// An entry of aws-auth `mapRoles`.
    AwsAuthMapRoles,
    /// An entry of aws-auth `mapUsers`.
    AwsAuthMapUsers,
    /// A node role of the config that aws-auth does not map: EKS maps managed node
    /// group roles itself.
    EksNodeRole,
    /// The `eks.amazonaws.com/role-arn` annotation of a ServiceAccount (IRSA): pods
    /// that run as the ServiceAccount hold the IAM role, and the role's workload acts
    /// in the cluster as the ServiceAccount.
    Irsa,
    /// An EKS access entry.
    AccessEntry,
}

impl IdentitySource {
    pub fn label(self) -> &'static str {
        match self {
            IdentitySource::AwsAuthMapRoles => "aws-auth mapRoles",
            IdentitySource::AwsAuthMapUsers => "aws-auth mapUsers",
            IdentitySource::EksNodeRole => "node role mapped by EKS",
            IdentitySource::Irsa => "IRSA annotation",
            IdentitySource::AccessEntry => "access entry",
        }
    }
}

/// One principal → identity edge: the IAM principal is known to Kubernetes as
/// `username` (or the ServiceAccount) in `groups`. Readers of identity formats
/// (aws-auth, access entries, a cluster) produce these; the graph needs nothing else
/// of the format.
#[derive(Clone, Debug)]
pub struct IdentityEdge {
    /// The IAM ARN as written (a glob for a config node role).
    pub arn: String,
    pub kind: PrincipalKind,
    pub source: IdentitySource,
    /// The username, templates (`{{SessionName}}`) kept as written.
    pub username: Option<String>,
    pub groups: Vec<String>,
    /// For IRSA: the ServiceAccount the role acts as.
    pub service_account: Option<Subject>,
    /// Aws-auth marks node entries by their username and groups.
    pub node: bool,
    pub place: Option<Place>,
    /// Text of the entry for chains: `mapRoles[3]`.
    pub label: String,
    /// The EKS cluster an access entry is for, when its declaration names it.
    pub cluster: Option<String>,
}

/// One rule of a Role or ClusterRole.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
    pub place: Option<Place>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

/// A Role or ClusterRole.
#[derive(Clone, Debug)]
pub struct Role {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub rules: Vec<Rule>,
    /// `aggregationRule.clusterRoleSelectors`: each a list of label requirements.
    pub aggregation: Option<Vec<Selector>>,
    pub place: Option<Place>,
    /// Known without being in the files (the defaults of a fresh EKS cluster).
    pub builtin: bool,
}

impl Role {
    pub fn label(&self) -> String {
        match (&self.kind, &self.namespace) {
            (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", self.name),
            (RoleKind::Role, None) => format!("Role {}", self.name),
            (RoleKind::ClusterRole, _) => format!("ClusterRole {}", self.name),
        }
    }
}

/// A label selector of an aggregation rule. An empty one selects every ClusterRole,
/// as Kubernetes's `LabelSelectorAsSelector` does.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    /// `(key, operator, values)`.
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        self.match_labels
            .iter()
            .all(|(k, v)| get(k).is_some_and(|have| have == v))
            && self
                .match_expressions
                .iter()
                .all(|(k, op, values)| match op.as_str() {
                    "In" => get(k).is_some_and(|v| values.contains(v)),
                    "NotIn" => get(k).is_none_or(|v| !values.contains(v)),
                    "Exists" => get(k).is_some(),
                    "DoesNotExist" => get(k).is_none(),
                    _ => false,
                })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Clone, Debug)]
pub struct Binding {
    pub kind: BindingKind,
    pub namespace: Option<String>,
    pub name: String,
    pub role_kind: RoleKind,
    pub role_name: String,
    pub subjects: Vec<(Subject, Option<Place>)>,
    pub place: Option<Place>,
    pub builtin: bool,
    /// An EKS access policy association (`AmazonEKSEditPolicy`), not an RBAC object:
    /// it grants what the ClusterRole it stands for grants, in its scope.
    pub access_policy: Option<String>,
}

impl Binding {
    pub fn label(&self) -> String {
        if let Some(policy) = &self.access_policy {
            return match &self.namespace {
                Some(ns) => format!("access policy {policy} (namespace {ns})"),
                None => format!("access policy {policy} (cluster scope)"),
            };
        }
        match (&self.kind, &self.namespace) {
            (BindingKind::RoleBinding, Some(ns)) => format!("RoleBinding {ns}/{}", self.name),
            (BindingKind::RoleBinding, None) => format!("RoleBinding {}", self.name),
            (BindingKind::ClusterRoleBinding, _) => format!("ClusterRoleBinding {}", self.name),
        }
    }
}

/// A ServiceAccount of the files.
#[derive(Clone, Debug)]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
    pub place: Option<Place>,
}

/// A namespace the files or the config name, with its owner.
#[derive(Clone, Debug)]
pub struct Namespace {
    pub name: String,
    pub target: Target,
    /// Why (`namespaces: payroll-*`, `label blastwall.dev/product on Namespace x`).
    pub via: String,
    pub place: Option<Place>,
}

//! Reading the access model out of loaded documents: aws-auth entries and IRSA
//! annotations (principal → identity), Roles, ClusterRoles and their bindings,
//! ServiceAccounts and Namespaces, each with the line it is declared on. The RBAC
//! objects of a fresh EKS cluster come from `defaults.yaml`, embedded.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use regorus::Value;

use super::model::{
    Binding, BindingKind, IdentityEdge, IdentitySource, Place, PrincipalKind, Role, RoleKind, Rule,
    Selector, ServiceAccount, Subject,
};
use crate::source::{load, Document, Limits, Loaded, PathSeg, SpanNode};

/// The name the built-in defaults are shown under.
pub const DEFAULTS_NAME: &str = "(built-in) src/access/defaults.yaml";
const DEFAULTS: &str = include_str!("defaults.yaml");

/// The annotation that gives a ServiceAccount an IAM role (IRSA).
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// Everything the graph is built from.
#[derive(Debug, Default)]
pub struct Inputs {
    pub identities: Vec<IdentityEdge>,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    pub service_accounts: Vec<ServiceAccount>,
    /// Namespace documents: name → (labels, place).
    pub namespaces: BTreeMap<String, (BTreeMap<String, String>, Option<Place>)>,
    /// The EKS cluster whose access entries count, when known.
    pub cluster: Option<String>,
}

impl Inputs {
    /// Reads `loaded`, then adds the built-in defaults that the files do not replace.
    pub fn read(loaded: &Loaded) -> Inputs {
        Inputs::read_for(loaded, None)
    }

    /// [`Inputs::read`] for the EKS cluster `cluster`: access entries declared for
    /// another cluster are left out.
    pub fn read_for(loaded: &Loaded, cluster: Option<&str>) -> Inputs {
        let mut inputs = Inputs {
            cluster: cluster.map(str::to_string),
            ..Inputs::default()
        };
        inputs.add(loaded, false);
        let defaults = load::load_str(DEFAULTS_NAME, DEFAULTS.to_string(), &Limits::default());
        let mut builtin = Inputs::default();
        builtin.add(&defaults, true);
        let roles: HashSet<(RoleKind, Option<String>, String)> = inputs
            .roles
            .iter()
            .map(|r| (r.kind, r.namespace.clone(), r.name.clone()))
            .collect();
        let bindings: HashSet<(BindingKind, Option<String>, String)> = inputs
            .bindings
            .iter()
            .map(|b| (b.kind, b.namespace.clone(), b.name.clone()))
            .collect();
        inputs.roles.extend(
            builtin
                .roles
                .into_iter()
                .filter(|r| !roles.contains(&(r.kind, r.namespace.clone(), r.name.clone()))),
        );
        inputs.bindings.extend(
            builtin
                .bindings
                .into_iter()
                .filter(|b| !bindings.contains(&(b.kind, b.namespace.clone(), b.name.clone()))),
        );
        inputs
    }

    fn add(&mut self, loaded: &Loaded, builtin: bool) {
        let mut access = Vec::new();
        for doc in &loaded.documents {
            let file: Arc<str> = Arc::from(loaded.files[doc.file.0].name.as_str());
            let lines = Lines {
                file,
                starts: loaded.files[doc.file.0].line_starts(),
            };
            let v = &doc.value;
            let kind = string(&v["kind"]).unwrap_or_default();
            let api = string(&v["apiVersion"]).unwrap_or_default();
            let rbac = api.starts_with("rbac.authorization.k8s.io/");
            if !builtin && crate::access_entries::format_of(v).is_some() {
                // After the Namespaces, which a scope's globs are matched against.
                access.push(doc);
                continue;
            }
            match kind {
                "Role" | "ClusterRole" if rbac => {
                    if let Some(r) = role(doc, &lines, builtin) {
                        self.roles.push(r);
                    }
                }
                "RoleBinding" | "ClusterRoleBinding" if rbac => {
                    if let Some(b) = binding(doc, &lines, builtin) {
                        self.bindings.push(b);
                    }
                }
                "ServiceAccount" if api == "v1" => self.service_account(doc, &lines),
                "Namespace" if api == "v1" => {
                    if let Some(name) = string(&v["metadata"]["name"]) {
                        let labels = string_map(&v["metadata"]["labels"]);
                        let place = lines.at(&doc.spans, &[key("metadata"), key("name")]);
                        self.namespaces.insert(name.to_string(), (labels, place));
                    }
                }
                "ConfigMap" if crate::awsauth::is_aws_auth(v) => {
                    let text = &loaded.files[doc.file.0].text;
                    self.aws_auth(doc, text, &lines);
                }
                _ => {}
            }
        }
        for doc in access {
            let file: Arc<str> = Arc::from(loaded.files[doc.file.0].name.as_str());
            let lines = Lines {
                file,
                starts: loaded.files[doc.file.0].line_starts(),
            };
            let doc = crate::lint::spliced(loaded, doc);
            self.access_entries(&doc, &lines);
        }
    }

    fn service_account(&mut self, doc: &Document, lines: &Lines) {
        let meta = &doc.value["metadata"];
        let Some(name) = string(&meta["name"]) else {
            return;
        };
        let namespace = string(&meta["namespace"]).unwrap_or("default").to_string();
        self.service_accounts.push(ServiceAccount {
            namespace: namespace.clone(),
            name: name.to_string(),
            place: lines.at(&doc.spans, &[key("metadata"), key("name")]),
        });
        if let Some(arn) = string(&meta["annotations"][IRSA_ANNOTATION]) {
            let path = [key("metadata"), key("annotations"), key(IRSA_ANNOTATION)];
            self.identities.push(IdentityEdge {
                arn: arn.to_string(),
                kind: PrincipalKind::IamRole,
                source: IdentitySource::Irsa,
                username: None,
                groups: Vec::new(),
                service_account: Some(Subject::ServiceAccount {
                    namespace: namespace.clone(),
                    name: name.to_string(),
                }),
                node: false,
                place: lines.at(&doc.spans, &path),
                label: format!("ServiceAccount {namespace}/{name} annotation {IRSA_ANNOTATION}"),
                cluster: None,
            });
        }
    }

    /// The access entries of an access format (eksctl, ACK, Crossplane, CloudFormation,
    /// Terraform, EKS API output): each entry's principal is known as its username and
    /// groups (what EKS generates where nothing is written), and holds its access
    /// policies, each a binding to the ClusterRole it stands for
    /// ([`access_policy_role`]) in its scope. A namespace glob of a scope binds in the
    /// namespaces of the run it matches.
    fn access_entries(&mut self, doc: &Document, lines: &Lines) {
        let Some(model) = crate::access_entries::read(&doc.value) else {
            return;
        };
        let at = |path: &crate::access_entries::Path| {
            lines.at(&doc.spans, &crate::access_entries::run::segments(path))
        };
        for e in &model.entries {
            let Some(p) = e.principal.as_ref() else {
                continue;
            };
            let Some(arn) = p.known() else { continue };
            let cluster = crate::access_entries::run::entry_cluster(&model, e);
            if let (Some(c), Some(ours)) = (&cluster, &self.cluster) {
                if c != ours {
                    continue;
                }
            }
            let identity = crate::access_entries::run::identity_of(e, arn);
            let parsed = crate::access_entries::principal::Principal::parse(arn);
            let kind = match parsed.kind {
                crate::access_entries::principal::Kind::User => PrincipalKind::IamUser,
                crate::access_entries::principal::Kind::Role => PrincipalKind::IamRole,
                _ => continue,
            };
            let what = e
                .address
                .clone()
                .or_else(|| {
                    let meta = &doc.value["metadata"];
                    let name = string(&meta["name"])?;
                    let kind = string(&doc.value["kind"])?;
                    Some(match string(&meta["namespace"]) {
                        Some(ns) => format!("{kind} {ns}/{name}"),
                        None => format!("{kind} {name}"),
                    })
                })
                .unwrap_or_else(|| "access entry".into());
            let on = cluster
                .as_deref()
                .map(|c| format!(" on cluster {c}"))
                .unwrap_or_default();
            let subject = Subject::AccessPolicies(arn.to_ascii_lowercase());
            if !e.association_only {
                self.identities.push(IdentityEdge {
                    arn: arn.to_string(),
                    kind,
                    source: IdentitySource::AccessEntry,
                    username: identity.username,
                    groups: identity.groups,
                    service_account: None,
                    node: identity.node,
                    place: at(&p.path),
                    label: format!("access entry {what}{on}"),
                    cluster: cluster.clone(),
                });
            }
            for (i, policy) in e.policies.iter().enumerate() {
                let Some(name) = policy
                    .arn
                    .as_ref()
                    .and_then(|a| a.known())
                    .and_then(|a| crate::access_entries::policies::name_of(a))
                else {
                    continue;
                };
                let Some(role) = access_policy_role(name) else {
                    continue;
                };
                let place = at(policy.arn.as_ref().map_or(&policy.path, |a| &a.path));
                let scope = policy.scope_type.as_ref().and_then(|t| t.known());
                let namespaces: Vec<String> = match scope.map(String::as_str) {
                    Some("cluster") => vec![],
                    Some("namespace") => policy
                        .namespaces
                        .iter()
                        .flat_map(|l| l.items.iter().flatten())
                        .filter_map(|f| f.known().cloned())
                        .flat_map(|n| self.scoped(&n))
                        .collect(),
                    _ => continue,
                };
                let binding = |namespace: Option<String>| Binding {
                    kind: if namespace.is_some() {
                        BindingKind::RoleBinding
                    } else {
                        BindingKind::ClusterRoleBinding
                    },
                    name: format!("access-policy:{arn}:{name}:{i}"),
                    namespace,
                    role_kind: RoleKind::ClusterRole,
                    role_name: role.to_string(),
                    subjects: vec![(subject.clone(), place.clone())],
                    place: place.clone(),
                    builtin: false,
                    access_policy: Some(name.to_string()),
                };
                if scope.map(String::as_str) == Some("cluster") {
                    self.bindings.push(binding(None));
                } else {
                    for ns in namespaces {
                        self.bindings.push(binding(Some(ns)));
                    }
                }
            }
        }
    }

    /// The namespaces a scope's namespace reaches: itself, or for a glob the
    /// Namespaces of the run it matches.
    fn scoped(&self, namespace: &str) -> Vec<String> {
        use crate::config::glob::{Alphabet, Glob};
        if !namespace.contains(['*', '?']) {
            return vec![namespace.to_string()];
        }
        match Glob::parse(namespace, Alphabet::Namespace) {
            Ok(glob) => self
                .namespaces
                .keys()
                .filter(|n| glob.matches(n))
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The entries of aws-auth the authenticator keeps (a later entry with the same
    /// ARN replaces an earlier one).
    fn aws_auth(&mut self, doc: &Document, text: &str, lines: &Lines) {
        let Some(facts) = crate::awsauth::facts(&doc.value) else {
            return;
        };
        let spans = crate::awsauth::splice(&doc.spans, &doc.value, text);
        let spans = spans.as_ref().unwrap_or(&doc.spans);
        let Value::Array(entries) = &facts["entries"] else {
            return;
        };
        let replaced: BTreeSet<(Value, Value)> = entries
            .iter()
            .filter(|e| e["duplicateOf"]["index"] != Value::Undefined)
            .map(|e| (e["section"].clone(), e["duplicateOf"]["index"].clone()))
            .collect();
        for e in entries.iter() {
            if replaced.contains(&(e["section"].clone(), e["index"].clone())) {
                continue;
            }
            let Some(arn) = string(&e["arn"]).filter(|a| !a.is_empty()) else {
                continue;
            };
            let roles = e["section"] == Value::from("mapRoles");
            let groups = match &e["groups"] {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|g| string(g).map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let path = value_path(&e["path"]);
            let index = match path.last() {
                Some(PathSeg::Index(i)) => *i,
                _ => 0,
            };
            let section = if roles { "mapRoles" } else { "mapUsers" };
            self.identities.push(IdentityEdge {
                arn: arn.to_string(),
                kind: if roles {
                    PrincipalKind::IamRole
                } else {
                    PrincipalKind::IamUser
                },
                source: if roles {
                    IdentitySource::AwsAuthMapRoles
                } else {
                    IdentitySource::AwsAuthMapUsers
                },
                username: string(&e["username"]).map(str::to_string),
                groups,
                service_account: None,
                node: e["node"] == Value::Bool(true),
                place: lines.at(spans, &path),
                label: format!("aws-auth {section}[{index}]"),
                cluster: None,
            });
        }
    }
}

/// The ClusterRole an EKS access policy grants the rights of, as AWS documents
/// them (`AmazonEKSClusterAdminPolicy` is `cluster-admin`; Admin, Edit and View are
/// `admin`, `edit`, `view`); `None` for the policies with no RBAC equivalent
/// (AdminView, the Secret, Auto Mode, capability and service policies), which the
/// reach map does not show.
pub fn access_policy_role(policy: &str) -> Option<&'static str> {
    match policy {
        "AmazonEKSClusterAdminPolicy" => Some("cluster-admin"),
        "AmazonEKSAdminPolicy" => Some("admin"),
        "AmazonEKSEditPolicy" => Some("edit"),
        "AmazonEKSViewPolicy" => Some("view"),
        _ => None,
    }
}

/// Resolves paths of one document to file:line.
struct Lines<'a> {
    file: Arc<str>,
    starts: &'a [usize],
}

impl Lines<'_> {
    fn at(&self, spans: &SpanNode, path: &[PathSeg]) -> Option<Place> {
        let node = spans.resolve(path).node;
        let byte = node.key_span.as_ref().map_or(node.span.start, |k| k.start);
        let line = self.starts.partition_point(|&s| s <= byte);
        Some(Place {
            file: Arc::clone(&self.file),
            line: line.max(1),
        })
    }
}

fn role(doc: &Document, lines: &Lines, builtin: bool) -> Option<Role> {
    let v = &doc.value;
    let meta = &v["metadata"];
    let name = string(&meta["name"])?.to_string();
    let cluster = string(&v["kind"]) == Some("ClusterRole");
    let mut rules = Vec::new();
    if let Value::Array(items) = &v["rules"] {
        for (i, r) in items.iter().enumerate() {
            if !matches!(r, Value::Object(_)) {
                continue;
            }
            rules.push(Rule {
                verbs: strings(&r["verbs"]),
                api_groups: strings(&r["apiGroups"]),
                resources: strings(&r["resources"]),
                resource_names: strings(&r["resourceNames"]),
                non_resource_urls: strings(&r["nonResourceURLs"]),
                place: lines.at(&doc.spans, &[key("rules"), PathSeg::Index(i)]),
            });
        }
    }
    let aggregation = match &v["aggregationRule"]["clusterRoleSelectors"] {
        Value::Array(items) if cluster => Some(items.iter().map(selector).collect()),
        _ => None,
    };
    Some(Role {
        kind: if cluster {
            RoleKind::ClusterRole
        } else {
            RoleKind::Role
        },
        namespace: (!cluster).then(|| string(&meta["namespace"]).unwrap_or("default").to_string()),
        name,
        labels: string_map(&meta["labels"]).into_iter().collect(),
        rules,
        aggregation,
        place: lines.at(&doc.spans, &[key("metadata"), key("name")]),
        builtin,
    })
}

fn selector(v: &Value) -> Selector {
    let match_expressions = match &v["matchExpressions"] {
        Value::Array(items) => items
            .iter()
            .filter_map(|e| {
                Some((
                    string(&e["key"])?.to_string(),
                    string(&e["operator"])?.to_string(),
                    strings(&e["values"]),
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    Selector {
        match_labels: string_map(&v["matchLabels"]).into_iter().collect(),
        match_expressions,
    }
}

fn binding(doc: &Document, lines: &Lines, builtin: bool) -> Option<Binding> {
    let v = &doc.value;
    let meta = &v["metadata"];
    let name = string(&meta["name"])?.to_string();
    let cluster = string(&v["kind"]) == Some("ClusterRoleBinding");
    let namespace = (!cluster).then(|| string(&meta["namespace"]).unwrap_or("default").to_string());
    let role_kind = match string(&v["roleRef"]["kind"])? {
        "Role" if !cluster => RoleKind::Role,
        "ClusterRole" => RoleKind::ClusterRole,
        _ => return None,
    };
    let role_name = string(&v["roleRef"]["name"])?.to_string();
    let mut subjects = Vec::new();
    if let Value::Array(items) = &v["subjects"] {
        for (i, s) in items.iter().enumerate() {
            let Some(sname) = string(&s["name"]) else {
                continue;
            };
            let subject = match string(&s["kind"]) {
                Some("User") => Subject::User(sname.to_string()),
                Some("Group") => Subject::Group(sname.to_string()),
                Some("ServiceAccount") => {
                    let Some(ns) = string(&s["namespace"]).or(namespace.as_deref()) else {
                        continue;
                    };
                    Subject::ServiceAccount {
                        namespace: ns.to_string(),
                        name: sname.to_string(),
                    }
                }
                _ => continue,
            };
            let place = lines.at(
                &doc.spans,
                &[key("subjects"), PathSeg::Index(i), key("name")],
            );
            subjects.push((subject, place));
        }
    }
    Some(Binding {
        kind: if cluster {
            BindingKind::ClusterRoleBinding
        } else {
            BindingKind::RoleBinding
        },
        namespace,
        name,
        role_kind,
        role_name,
        subjects,
        place: lines.at(&doc.spans, &[key("metadata"), key("name")]),
        builtin,
        access_policy: None,
    })
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.into())
}

fn value_path(v: &Value) -> Vec<PathSeg> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|s| match s {
                Value::String(k) => Some(PathSeg::Key(k.clone())),
                Value::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn string(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|s| string(s).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Value::Object(map) = v {
        for (k, val) in map.iter() {
            if let (Some(k), Some(val)) = (string(k), string(val)) {
                out.insert(k.to_string(), val.to_string());
            }
        }
    }
    out
}

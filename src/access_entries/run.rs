//! Access across the documents of one lint run: the access entries and cluster
//! settings every document declares, indexed once before the documents are
//! judged, so that a document's facts can say what the others declare about the
//! same cluster and principal:
//!
//! - an aws-auth ConfigMap learns which of its mappings an access entry elsewhere
//!   overrides, and whether its cluster's authentication mode (declared elsewhere)
//!   is API, which ignores aws-auth ([`aws_auth_fact`], `input.facts.awsAuthAccess`);
//! - an access entry learns of an earlier entry of the same principal on the same
//!   cluster in another document, and its cluster's mode when another document
//!   declares the cluster (`duplicateElsewhere`, `clusterMode`/`clusterModeAt` in
//!   [`super::facts`]).
//!
//! Entries belong to a cluster by its name (as written, or the name of the cluster
//! they are linked to in their document); an entry whose cluster is known only at
//! apply is left out. An aws-auth ConfigMap names no cluster: it belongs to the
//! config's `cluster.name`, else to the one cluster the run's access declarations
//! name; when they name several and the config names none, aws-auth is compared with
//! nothing. The webhook has no such index (the other objects of the cluster, and
//! its aws-auth, are not in an AdmissionReview), so there these facts are absent.

use super::facts::NODE_TYPES;
use std::collections::BTreeSet;

use regorus::Value;

use super::facts::obj;
use super::principal::{Kind, Principal};
use super::{Entry, Field, Model, Path, Val};
use crate::facts::tenancy::str_list;
use crate::source::{Document, Loaded, PathSeg};

/// Which document of the run: file, position in the file, `List` item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DocKey {
    pub file: usize,
    pub index: usize,
    pub list_item: Option<usize>,
}

impl DocKey {
    pub fn of(doc: &Document) -> DocKey {
        DocKey {
            file: doc.file.0,
            index: doc.index,
            list_item: doc.list_item,
        }
    }
}

/// An access entry of the run.
#[derive(Clone, Debug)]
struct RunEntry {
    doc: DocKey,
    /// Read from EKS API output: the live state of an entry, not a declaration.
    live: bool,
    cluster: String,
    /// The principal ARN, lowercased, without its IAM path (aws-auth has none).
    key: String,
    who: String,
    at: String,
    node_type: bool,
    /// The groups and username the entry gives: as written, else what EKS gives.
    groups: Vec<String>,
    groups_written: bool,
    username: Option<String>,
    username_written: bool,
}

/// A cluster's authentication mode as a document of the run declares it.
#[derive(Clone, Debug)]
struct RunCluster {
    doc: DocKey,
    /// Read from EKS API output, not declared.
    live: bool,
    name: String,
    mode: String,
    written: bool,
    at: String,
}

impl RunCluster {
    /// Which declaration of a cluster's mode counts when several documents give one:
    /// a written mode before a default one, a declaration before live state.
    fn preference(&self) -> (bool, bool) {
        (self.live, !self.written)
    }
}

/// What the run's documents declare about access, by document.
#[derive(Debug, Default)]
pub struct RunIndex {
    entries: Vec<RunEntry>,
    clusters: Vec<RunCluster>,
    /// Terraform clusters by module (the directory of their file) and address
    /// (`aws_eks_cluster.payments`): the name a reference from another file of the
    /// same module resolves to.
    terraform: Vec<(String, String, String)>,
    /// The directory of each file, by file index.
    dirs: Vec<String>,
    /// The cluster an aws-auth ConfigMap of the run belongs to.
    aws_auth_cluster: Option<String>,
}

/// An entry's duplicate in another document, or its cluster's mode declared in one.
pub struct Elsewhere {
    pub who: String,
    pub at: String,
}

/// The mode of an entry's cluster, declared in another document.
pub struct ModeElsewhere {
    pub mode: String,
    pub at: String,
}

/// `path` (keys and indexes as rules write them) as source path segments.
pub fn segments(path: &Path) -> Vec<PathSeg> {
    path.iter()
        .filter_map(|s| match s {
            Value::String(k) => Some(PathSeg::Key(k.clone())),
            Value::Number(n) => n.as_u64().map(|i| PathSeg::Index(i as usize)),
            _ => None,
        })
        .collect()
}

/// "file:line:column" of `path` in `doc`.
fn at(loaded: &Loaded, doc: &Document, path: &Path) -> String {
    let Some(file) = loaded.files.get(doc.file.0) else {
        return "<input>".into();
    };
    let node = doc.spans.resolve(&segments(path)).node;
    let (line, col) = file.line_col(node.label_range().start);
    format!("{}:{line}:{col}", file.name)
}

/// The key principals are compared by: lowercased, without an IAM role path.
pub fn principal_key(arn: &str) -> String {
    let lower = arn.to_ascii_lowercase();
    crate::facts::roles::strip_path(&lower).unwrap_or(lower)
}

/// The name of the cluster an entry is for, when known.
pub fn entry_cluster(model: &Model, e: &Entry) -> Option<String> {
    e.cluster
        .as_ref()
        .and_then(Field::known)
        .cloned()
        .or_else(|| {
            e.cluster_index
                .and_then(|i| model.clusters.get(i))
                .and_then(|c| c.name.as_ref())
                .and_then(Field::known)
                .cloned()
        })
}

/// The groups and username an entry gives, with whether each is written: what is
/// not written is what EKS generates (a role's `assumed-role/<name>/{{SessionName}}`,
/// a user's ARN, a node's `system:node:…` in `system:nodes`).
/// The identity an access entry gives its principal: username and groups as
/// written, else as EKS generates them.
pub struct Identity {
    pub groups: Vec<String>,
    pub username: Option<String>,
    pub node: bool,
}

pub fn identity_of(e: &Entry, arn: &str) -> Identity {
    let (groups, _, username, _, node) = identity(e, arn);
    Identity {
        groups,
        username,
        node,
    }
}

fn identity(e: &Entry, arn: &str) -> (Vec<String>, bool, Option<String>, bool, bool) {
    let kind = match e.kind.as_ref().map(|k| &k.val) {
        Some(Val::Known(t)) => t.to_ascii_uppercase(),
        _ => "STANDARD".to_string(),
    };
    let node = NODE_TYPES.contains(&kind.as_str());
    let written_groups: Option<Vec<String>> = e
        .groups
        .as_ref()
        .and_then(|l| l.items.as_ref())
        .map(|items| items.iter().filter_map(|f| f.known().cloned()).collect());
    let (groups, groups_written) = match (written_groups, node) {
        (_, true) => (vec!["system:nodes".to_string()], false),
        (Some(g), false) => (g, true),
        (None, false) => (Vec::new(), false),
    };
    let written_username = e.username.as_ref().and_then(Field::known).cloned();
    let (username, username_written) = match (written_username, node) {
        (Some(u), false) => (Some(u), true),
        (_, true) => {
            let session = matches!(kind.as_str(), "FARGATE_LINUX" | "HYBRID_LINUX");
            let u = if session {
                "system:node:{{SessionName}}"
            } else {
                "system:node:{{EC2PrivateDNSName}}"
            };
            (Some(u.to_string()), false)
        }
        (None, false) => {
            let p = Principal::parse(arn);
            let u = match p.kind {
                Kind::Role => Some(format!(
                    "arn:aws:sts::{}:assumed-role/{}/{{{{SessionName}}}}",
                    p.account, p.name
                )),
                Kind::User => Some(arn.to_string()),
                _ => None,
            };
            (u, false)
        }
    };
    (groups, groups_written, username, username_written, node)
}

impl RunIndex {
    /// Indexes the access declarations of `loaded`; `config_cluster` is the config's
    /// `cluster.name`. `None` when no document declares access: nothing to compare.
    pub fn build(loaded: &Loaded, config_cluster: Option<&str>) -> Option<RunIndex> {
        let mut index = RunIndex {
            dirs: loaded
                .files
                .iter()
                .map(|f| {
                    let path = f
                        .path
                        .clone()
                        .unwrap_or_else(|| std::path::PathBuf::from(&f.name));
                    path.parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                })
                .collect(),
            ..RunIndex::default()
        };
        // Terraform clusters first: an entry of another file may refer to one.
        for doc in &loaded.documents {
            if super::format_of(&doc.value) != Some(super::Format::Terraform) {
                continue;
            }
            let Some(model) = super::read(&doc.value) else {
                continue;
            };
            for c in &model.clusters {
                if let (Some(link), Some(name)) = (&c.link, c.name.as_ref().and_then(Field::known))
                {
                    let dir = index.dirs.get(doc.file.0).cloned().unwrap_or_default();
                    index.terraform.push((dir, link.clone(), name.clone()));
                }
            }
        }
        let mut names = BTreeSet::new();
        for doc in &loaded.documents {
            if super::format_of(&doc.value).is_none() {
                continue;
            }
            let doc = crate::lint::spliced(loaded, doc);
            let Some(model) = super::read(&doc.value) else {
                continue;
            };
            let key = DocKey::of(&doc);
            let live = model.format == super::Format::EksApi;
            for c in &model.clusters {
                let Some(name) = c.name.as_ref().and_then(Field::known) else {
                    continue;
                };
                names.insert(name.clone());
                let (mode, path, written) = match &c.authentication_mode {
                    Some(f) => match f.known() {
                        Some(m) => (m.clone(), f.path.clone(), true),
                        None => continue,
                    },
                    None => (
                        c.default_mode.to_string(),
                        c.access_config_path
                            .clone()
                            .unwrap_or_else(|| c.path.clone()),
                        false,
                    ),
                };
                index.clusters.push(RunCluster {
                    doc: key,
                    live,
                    name: name.clone(),
                    mode,
                    written,
                    at: at(loaded, &doc, &path),
                });
            }
            for e in &model.entries {
                let cluster = index.cluster_of(key, &model, e);
                if let Some(c) = &cluster {
                    names.insert(c.clone());
                }
                if e.association_only {
                    continue;
                }
                let (Some(cluster), Some(p)) = (cluster, e.principal.as_ref()) else {
                    continue;
                };
                let Some(arn) = p.known() else { continue };
                let (groups, groups_written, username, username_written, node_type) =
                    identity(e, arn);
                index.entries.push(RunEntry {
                    doc: key,
                    live,
                    cluster,
                    key: principal_key(arn),
                    who: super::facts::who(e),
                    at: at(loaded, &doc, &p.path),
                    node_type,
                    groups,
                    groups_written,
                    username,
                    username_written,
                });
            }
        }
        if index.entries.is_empty() && index.clusters.is_empty() {
            return None;
        }
        index.aws_auth_cluster = match config_cluster {
            Some(name) => Some(name.to_string()),
            None if names.len() == 1 => names.into_iter().next(),
            None => None,
        };
        Some(index)
    }

    /// The name of the cluster an entry is for: as written, or its document's
    /// cluster, or for a Terraform reference (`aws_eks_cluster.payments.name`) the
    /// cluster of that address in another file of the same directory (module).
    pub fn cluster_of(&self, doc: DocKey, model: &Model, e: &Entry) -> Option<String> {
        if let Some(name) = entry_cluster(model, e) {
            return Some(name);
        }
        if model.format != super::Format::Terraform {
            return None;
        }
        let Some(Val::Unknown(expr)) = e.cluster.as_ref().map(|c| &c.val) else {
            return None;
        };
        let rest = expr.strip_prefix("aws_eks_cluster.")?;
        let mut parts = rest.split('.');
        let name = parts.next()?;
        if !matches!(parts.next(), Some("name" | "id")) {
            return None;
        }
        let link = format!("aws_eks_cluster.{name}");
        let dir = self.dirs.get(doc.file)?;
        self.terraform
            .iter()
            .find(|(d, l, _)| d == dir && *l == link)
            .map(|(_, _, n)| n.clone())
    }

    /// The cluster the run's aws-auth belongs to: the config's `cluster.name`, else
    /// the one cluster the run's access declarations name.
    pub fn cluster(&self) -> Option<&str> {
        self.aws_auth_cluster.as_deref()
    }

    /// The authentication mode of [`Self::cluster`], when a document of the run
    /// declares it (a written mode before a default one).
    pub fn cluster_mode(&self) -> Option<&str> {
        let name = self.cluster()?;
        self.clusters
            .iter()
            .filter(|c| c.name == name)
            .min_by_key(|c| c.preference())
            .map(|c| c.mode.as_str())
    }

    /// An entry of another document, earlier in the run, for the same principal on
    /// the same cluster.
    pub fn duplicate(&self, doc: DocKey, cluster: &str, arn: &str) -> Option<Elsewhere> {
        let key = principal_key(arn);
        self.entries
            .iter()
            .find(|e| e.doc < doc && !e.live && e.cluster == cluster && e.key == key)
            .map(|e| Elsewhere {
                who: e.who.clone(),
                at: e.at.clone(),
            })
    }

    /// The entry of another document for `arn` on `cluster`, with the groups it
    /// gives (written, or what EKS gives).
    pub fn entry_elsewhere(
        &self,
        doc: DocKey,
        cluster: &str,
        arn: &str,
    ) -> Option<(Elsewhere, Vec<String>)> {
        let key = principal_key(arn);
        self.entries
            .iter()
            .find(|e| e.doc != doc && e.cluster == cluster && e.key == key)
            .map(|e| {
                (
                    Elsewhere {
                        who: e.who.clone(),
                        at: e.at.clone(),
                    },
                    e.groups.clone(),
                )
            })
    }

    /// The mode of `cluster` as another document declares it (a written mode before
    /// a default one).
    pub fn mode(&self, doc: DocKey, cluster: &str) -> Option<ModeElsewhere> {
        self.clusters
            .iter()
            .filter(|c| c.doc != doc && c.name == cluster)
            .min_by_key(|c| c.preference())
            .map(|c| ModeElsewhere {
                mode: c.mode.clone(),
                at: c.at.clone(),
            })
    }
}

/// `input.facts.awsAuthAccess` of an aws-auth ConfigMap (`aws_auth`: its
/// `input.facts.awsAuth`), when the run declares access for its cluster:
///
/// ```text
/// {
///   "cluster": "payments-prod",
///   "mode"?: "API", "modeAt"?: "file:line:col", "modeWritten"?: bool,
///   "mappings": [{                      // mapRoles and mapUsers entries with an ARN
///     "path", "groupsPath"?, "usernamePath"?, "arn", "groups", "username"?,
///     "entry"?: {                        // the access entry of the same principal
///       "path",                          // the mapping's field it makes dead (groups, else username)
///       "who", "at", "groups", "groupsWritten", "username"?, "usernameWritten",
///       "differs": ["groups", "username"]   // what the mapping says that the entry does not
///     }
///   }]
/// }
/// ```
pub fn aws_auth_fact(index: &RunIndex, doc: DocKey, aws_auth: &Value) -> Option<Value> {
    let cluster = index.aws_auth_cluster.as_deref()?;
    let mut out = vec![("cluster", Value::from(cluster))];
    if let Some(c) = index
        .clusters
        .iter()
        .filter(|c| c.doc != doc && c.name == cluster)
        .min_by_key(|c| c.preference())
    {
        out.push(("mode", Value::from(c.mode.as_str())));
        out.push(("modeAt", Value::from(c.at.as_str())));
        out.push(("modeWritten", Value::Bool(c.written)));
    }
    let mut mappings = Vec::new();
    if let Value::Array(entries) = &aws_auth["entries"] {
        for m in entries.iter() {
            let Value::String(arn) = &m["arn"] else {
                continue;
            };
            let strings = |v: &Value| -> Vec<String> {
                match v {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|g| match g {
                            Value::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let groups = strings(&m["groups"]);
            let username = match &m["username"] {
                Value::String(u) => Some(u.to_string()),
                _ => None,
            };
            let mut item = vec![
                ("path", m["path"].clone()),
                ("arn", Value::from(arn.as_ref())),
                ("groups", str_list(groups.iter())),
            ];
            if m["groupsPath"] != Value::Undefined {
                item.push(("groupsPath", m["groupsPath"].clone()));
            }
            if let Some(u) = &username {
                item.push(("username", Value::from(u.as_str())));
            }
            if m["usernamePath"] != Value::Undefined {
                item.push(("usernamePath", m["usernamePath"].clone()));
            }
            let key = principal_key(arn);
            let node_mapping = m["node"] == Value::Bool(true);
            let entry = index
                .entries
                .iter()
                .find(|e| e.cluster == cluster && e.key == key && e.doc != doc);
            if let Some(e) = entry {
                let mut differs = Vec::new();
                let mut mine = groups.clone();
                let mut theirs = e.groups.clone();
                mine.sort();
                mine.dedup();
                theirs.sort();
                theirs.dedup();
                // A node role in both: EKS gives it the node identity either way.
                let both_nodes = e.node_type && node_mapping;
                if mine != theirs && !both_nodes {
                    differs.push(Value::from("groups"));
                }
                if let (Some(u), Some(theirs)) = (&username, &e.username) {
                    if u != theirs && !both_nodes {
                        differs.push(Value::from("username"));
                    }
                }
                // The field that says what is not granted: the groups, else the username.
                let field = if differs.first() == Some(&Value::from("groups")) {
                    "groupsPath"
                } else {
                    "usernamePath"
                };
                let point = match &m[field] {
                    Value::Undefined => m["path"].clone(),
                    p => p.clone(),
                };
                let mut fact = vec![
                    ("path", point),
                    ("who", Value::from(e.who.as_str())),
                    ("at", Value::from(e.at.as_str())),
                    ("groups", str_list(e.groups.iter())),
                    ("groupsWritten", Value::Bool(e.groups_written)),
                    ("usernameWritten", Value::Bool(e.username_written)),
                    ("differs", Value::from(differs)),
                ];
                if let Some(u) = &e.username {
                    fact.push(("username", Value::from(u.as_str())));
                }
                item.push(("entry", obj(fact)));
            }
            mappings.push(obj(item));
        }
    }
    out.push(("mappings", Value::from(mappings)));
    Some(obj(out))
}

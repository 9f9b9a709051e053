//! Pairing the objects of two revisions by identity, to know what a change does to
//! each: created, updated (and how), deleted, or left alone.
//!
//! An object's identity is what the API server keys it by: API group, kind,
//! namespace (empty when the manifest names none) and name. The version is not part
//! of it (`apps/v1beta2` → `apps/v1` is an update), nor is the file: an object moved
//! to another file is the same object.
//!
//! When an identity occurs more than once on a side (one manifest tree for several
//! clusters holds several `kube-system/aws-auth`), objects are paired within the
//! same file first, then objects left over that are equal, then — when exactly one
//! is left on each side — those two. Whatever is still unpaired counts as deleted
//! (old side) or created (new side): the strict reading, which never hides a finding.
//! Within one file, a repeated identity is reported as a [`Duplicate`]: `kubectl
//! apply` keeps the last one, so the last one is paired and the others are created
//! (new side) or ignored (old side).

use std::collections::{BTreeMap, HashSet};

use regorus::Value;

use crate::source::Document;

/// The key the API server stores an object under (without its version).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identity {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Identity {
    /// The identity of `object`; `None` without a kind or a name (an object with only
    /// `generateName` is new each time it is applied).
    pub fn of(object: &Value) -> Option<Identity> {
        let text = |v: &Value| match v {
            Value::String(s) => s.to_string(),
            _ => String::new(),
        };
        let kind = text(&object["kind"]);
        let name = text(&object["metadata"]["name"]);
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        let api_version = text(&object["apiVersion"]);
        let group = api_version
            .split_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        Some(Identity {
            group,
            kind,
            namespace: text(&object["metadata"]["namespace"]),
            name,
        })
    }

    /// The identity of an entry's document: [`Identity::of`] its object; a document
    /// that is no Kubernetes object but has a kind of blastwall's own (a
    /// CloudFormation template, a Terraform file or plan) is its file.
    pub fn of_entry(entry: &Entry) -> Option<Identity> {
        Identity::of(&entry.doc.value).or_else(|| {
            let kind = crate::access_entries::synthetic_kind(&entry.doc.value)?;
            Some(Identity {
                group: crate::access_entries::SYNTHETIC_GROUP.to_string(),
                kind: kind.to_string(),
                namespace: String::new(),
                name: entry.file.to_string(),
            })
        })
    }

    /// `Deployment payroll/api`, `ClusterRole admin`.
    pub fn describe(&self) -> String {
        let kind = if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        };
        if self.namespace.is_empty() {
            format!("{kind} {}", self.name)
        } else {
            format!("{kind} {}/{}", self.namespace, self.name)
        }
    }
}

/// One document of a side, with the file it came from as a key that is the same on
/// both sides for the same file (its path in the repository).
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub file: &'a str,
    pub doc: &'a Document,
}

/// What the change does to one object. Indexes are into the `head` and `base`
/// entries given to [`pair`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Create { head: usize },
    Update { head: usize, base: usize },
    Delete { base: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Head,
    Base,
}

/// An identity that occurs twice in one file of one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub side: Side,
    pub identity: Identity,
    /// The entry `kubectl apply` would keep (the later one).
    pub kept: usize,
    /// The earlier entry, which it replaces.
    pub replaced: usize,
}

/// The outcome of [`pair`].
#[derive(Debug, Default)]
pub struct Pairing {
    /// In the order of the head entries, then deletions in the order of the base.
    pub transitions: Vec<Transition>,
    /// Objects present on both sides and semantically equal: no review at all.
    pub unchanged: usize,
    pub duplicates: Vec<Duplicate>,
    /// Identities whose objects could not be paired one to one across files (several
    /// left on both sides): they count as deleted and created.
    pub unpaired: Vec<Identity>,
}

/// Pairs `head` (the change) with `base` (before it). The same document listed twice
/// (a file named twice on the command line) counts once.
pub fn pair(head: &[Entry], base: &[Entry]) -> Pairing {
    let mut out = Pairing::default();
    let head_groups = group(head, Side::Head, &mut out);
    let base_groups = group(base, Side::Base, &mut out);
    let mut head_fate: Vec<Option<Transition>> = vec![None; head.len()];
    let mut deletes = Vec::new();

    let identities: std::collections::BTreeSet<&Identity> =
        head_groups.keys().chain(base_groups.keys()).collect();
    for identity in identities {
        let mut hs: Vec<usize> = head_groups.get(identity).cloned().unwrap_or_default();
        let mut bs: Vec<usize> = base_groups.get(identity).cloned().unwrap_or_default();
        let mut pairs = Vec::new();
        // 1. The same file.
        hs.retain(
            |&h| match bs.iter().position(|&b| base[b].file == head[h].file) {
                Some(i) => {
                    pairs.push((h, bs.remove(i)));
                    false
                }
                None => true,
            },
        );
        // 2. Equal objects, wherever they moved.
        hs.retain(|&h| {
            match bs
                .iter()
                .position(|&b| base[b].doc.value == head[h].doc.value)
            {
                Some(i) => {
                    pairs.push((h, bs.remove(i)));
                    false
                }
                None => true,
            }
        });
        // 3. One left on each side: the object moved and changed.
        if let ([h], [b]) = (hs.as_slice(), bs.as_slice()) {
            pairs.push((*h, *b));
            hs.clear();
            bs.clear();
        }
        if !hs.is_empty() && !bs.is_empty() {
            out.unpaired.push(identity.clone());
        }
        for (h, b) in pairs {
            if head[h].doc.value == base[b].doc.value {
                out.unchanged += 1;
            } else {
                head_fate[h] = Some(Transition::Update { head: h, base: b });
            }
        }
        for h in hs {
            head_fate[h] = Some(Transition::Create { head: h });
        }
        deletes.extend(bs);
    }

    // Documents without an identity, and earlier duplicates on the head side, are new.
    let seen = seen_places(head);
    for (i, fate) in head_fate.iter_mut().enumerate() {
        let listed_twice = seen[i].is_none();
        if fate.is_none() && !listed_twice && Identity::of_entry(&head[i]).is_none() {
            *fate = Some(Transition::Create { head: i });
        }
    }
    for d in &out.duplicates {
        if d.side == Side::Head {
            head_fate[d.replaced] = Some(Transition::Create { head: d.replaced });
        }
    }
    out.transitions.extend(head_fate.into_iter().flatten());
    deletes.sort_unstable();
    out.transitions
        .extend(deletes.into_iter().map(|base| Transition::Delete { base }));
    out
}

/// For each entry, `Some(())` unless the same document (file, position) came earlier.
fn seen_places(entries: &[Entry]) -> Vec<Option<()>> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .map(|e| {
            seen.insert((e.file, e.doc.index, e.doc.list_item))
                .then_some(())
        })
        .collect()
}

/// Entries by identity, one per file (the last), recording same-file duplicates.
fn group(entries: &[Entry], side: Side, out: &mut Pairing) -> BTreeMap<Identity, Vec<usize>> {
    let seen = seen_places(entries);
    let mut by_file: BTreeMap<(Identity, &str), usize> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if seen[i].is_none() {
            continue;
        }
        let Some(identity) = Identity::of_entry(entry) else {
            continue;
        };
        if let Some(earlier) = by_file.insert((identity.clone(), entry.file), i) {
            out.duplicates.push(Duplicate {
                side,
                identity,
                kept: i,
                replaced: earlier,
            });
        }
    }
    let mut groups: BTreeMap<Identity, Vec<usize>> = BTreeMap::new();
    for ((identity, _), i) in by_file {
        groups.entry(identity).or_default().push(i);
    }
    for list in groups.values_mut() {
        list.sort_unstable();
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{load::load_str, Limits, Loaded};

    fn load(text: &str) -> Loaded {
        let loaded = load_str("x.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        loaded
    }

    fn entries<'a>(loaded: &'a Loaded, files: &[&'a str]) -> Vec<Entry<'a>> {
        loaded
            .documents
            .iter()
            .zip(files)
            .map(|(doc, file)| Entry { file, doc })
            .collect()
    }

    fn cm(name: &str, ns: &str, value: &str) -> String {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\ndata: {{k: {value}}}\n---\n")
    }

    #[test]
    fn identity_ignores_the_version_and_defaults_the_namespace() {
        let v = |s: &str| Value::from_json_str(s).unwrap();
        let a = Identity::of(&v(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"}}"#,
        ))
        .unwrap();
        let b = Identity::of(&v(
            r#"{"apiVersion":"apps/v1beta2","kind":"Deployment","metadata":{"name":"api","namespace":""}}"#,
        ))
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.describe(), "Deployment.apps api");
        let core = Identity::of(&v(
            r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"p"}}"#,
        ))
        .unwrap();
        assert_eq!(
            (core.group.as_str(), core.describe()),
            ("", "Namespace p".into())
        );
        assert_eq!(
            Identity::of(&v(r#"{"kind":"Pod","metadata":{"generateName":"x-"}}"#)),
            None
        );
    }

    #[test]
    fn moved_objects_pair_by_identity_and_unchanged_ones_vanish() {
        let base = load(&(cm("a", "p", "1") + &cm("b", "p", "1") + &cm("gone", "p", "1")));
        let head = load(&(cm("b", "p", "2") + &cm("a", "p", "1") + &cm("new", "p", "1")));
        let p = pair(
            &entries(&head, &["y.yaml", "y.yaml", "y.yaml"]),
            &entries(&base, &["x.yaml", "x.yaml", "x.yaml"]),
        );
        assert_eq!(
            p.transitions,
            [
                Transition::Update { head: 0, base: 1 },
                Transition::Create { head: 2 },
                Transition::Delete { base: 2 },
            ]
        );
        assert_eq!(p.unchanged, 1);
        assert!(p.duplicates.is_empty() && p.unpaired.is_empty());
    }

    #[test]
    fn repeated_identities_pair_by_file_then_by_content() {
        // The same aws-auth in two cluster directories; one directory is renamed.
        let base = load(
            &(cm("aws-auth", "kube-system", "prod") + &cm("aws-auth", "kube-system", "stage")),
        );
        let head = load(
            &(cm("aws-auth", "kube-system", "stage2") + &cm("aws-auth", "kube-system", "prod")),
        );
        let p = pair(
            &entries(&head, &["stage/a.yaml", "production/a.yaml"]),
            &entries(&base, &["prod/a.yaml", "stage/a.yaml"]),
        );
        assert_eq!(p.transitions, [Transition::Update { head: 0, base: 1 }]);
        assert_eq!(p.unchanged, 1);

        // Two left on each side, all different: deleted and created, and said so.
        let base = load(&(cm("obj", "p", "1") + &cm("obj", "p", "2")));
        let head = load(&(cm("obj", "p", "3") + &cm("obj", "p", "4")));
        let p = pair(&entries(&head, &["c", "d"]), &entries(&base, &["a", "b"]));
        assert_eq!(
            p.transitions,
            [
                Transition::Create { head: 0 },
                Transition::Create { head: 1 },
                Transition::Delete { base: 0 },
                Transition::Delete { base: 1 },
            ]
        );
        assert_eq!(p.unpaired.len(), 1);
    }

    #[test]
    fn duplicates_in_one_file_keep_the_last_and_are_reported() {
        let base = load(&cm("obj", "p", "1"));
        let head = load(&(cm("obj", "p", "1") + &cm("obj", "p", "2")));
        let p = pair(&entries(&head, &["f", "f"]), &entries(&base, &["f"]));
        assert_eq!(
            p.transitions,
            [
                Transition::Create { head: 0 },
                Transition::Update { head: 1, base: 0 },
            ]
        );
        assert_eq!(
            p.duplicates,
            [Duplicate {
                side: Side::Head,
                identity: Identity::of(&head.documents[0].value).unwrap(),
                kept: 1,
                replaced: 0,
            }]
        );
    }

    #[test]
    fn a_document_listed_twice_counts_once_and_nameless_objects_are_new() {
        let head = load(&(cm("obj", "p", "1") + "kind: Pod\nmetadata: {generateName: x-}\n"));
        let twice = [
            Entry {
                file: "f",
                doc: &head.documents[0],
            },
            Entry {
                file: "f",
                doc: &head.documents[0],
            },
            Entry {
                file: "f",
                doc: &head.documents[1],
            },
        ];
        let p = pair(&twice, &[]);
        assert_eq!(
            p.transitions,
            [
                Transition::Create { head: 0 },
                Transition::Create { head: 2 }
            ]
        );
        assert!(p.duplicates.is_empty());
    }
}

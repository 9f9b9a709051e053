//! `input.facts.awsAuth`: the parsed sections, shaped so each rule is a few lines of
//! Rego. Every path starts at the ConfigMap (`["data", "mapRoles", 1, "groups", 0]`)
//! and continues into the embedded document; [`super::splice`] makes such paths
//! resolve to outer positions. Nothing here needs the outer file's text or spans, so
//! the webhook computes the same facts from an AdmissionReview.

use std::collections::{BTreeMap, HashMap};

use regorus::Value;

use super::section::{self, Section, ERROR_KEY};
use super::{is_aws_auth, SECTIONS};
use crate::source::{Limits, PathSeg};

/// Keys an entry of `mapRoles` / `mapUsers` may have, exactly as the lenient
/// parser needs them.
const ROLE_KEYS: [&str; 5] = ["rolearn", "username", "groups", "userid", "sso"];
const USER_KEYS: [&str; 4] = ["userarn", "username", "groups", "userid"];

/// `facts.awsAuth` for `object`, or `None` when it is not the aws-auth ConfigMap.
pub fn facts(object: &Value) -> Option<Value> {
    if !is_aws_auth(object) {
        return None;
    }
    let limits = Limits::default();
    let mut sections = BTreeMap::new();
    let mut all_entries = Vec::new();
    let mut usernames = Usernames::new();
    for name in SECTIONS {
        let (fact, entries) = section_fact(object, name, &limits, &mut usernames);
        all_entries.extend(entries);
        sections.insert(Value::from(name), fact);
    }
    Some(obj(vec![
        ("isAwsAuth", Value::Bool(true)),
        ("sections", Value::from(sections)),
        ("entries", Value::from(all_entries)),
        ("unknownKeys", Value::from(unknown_keys(object))),
    ]))
}

/// An object of `entries`; a `null` value leaves its key out, so that Rego can test
/// for it with `x.key` and `not x.key`.
/// The principals and names an aws-auth fact maps: every ARN, username, group and
/// account, once each (for ownership lookups that only need the strings).
pub fn names(facts: &Value) -> Value {
    let mut out = std::collections::BTreeSet::new();
    if let Value::Array(entries) = &facts["entries"] {
        for e in entries.iter() {
            for v in [&e["arn"], &e["username"]] {
                if let Value::String(_) = v {
                    out.insert(v.clone());
                }
            }
            if let Value::Array(groups) = &e["groups"] {
                out.extend(groups.iter().cloned());
            }
        }
    }
    if let Value::Array(accounts) = &facts["sections"]["mapAccounts"]["accounts"] {
        out.extend(accounts.iter().map(|a| a["value"].clone()));
    }
    Value::from(out.into_iter().collect::<Vec<_>>())
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::from(
        entries
            .into_iter()
            .filter(|(_, v)| *v != Value::Null)
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn path_value(path: &[PathSeg]) -> Value {
    Value::from(
        path.iter()
            .map(|seg| match seg {
                PathSeg::Key(k) => Value::String(k.clone()),
                PathSeg::Index(i) => Value::from(*i),
            })
            .collect::<Vec<_>>(),
    )
}

fn extend(base: &[PathSeg], more: impl IntoIterator<Item = PathSeg>) -> Vec<PathSeg> {
    let mut p = base.to_vec();
    p.extend(more);
    p
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.into())
}

/// The JSON type name of a value, as rules and messages say it.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null | Value::Undefined => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) | Value::Set(_) => "list",
        Value::Object(_) => "mapping",
    }
}

fn as_str(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// 1-based line numbers of byte offsets of one text.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Lines(text.match_indices('\n').map(|(i, _)| i).collect())
    }

    fn of(&self, at: usize) -> usize {
        self.0.partition_point(|&nl| nl < at) + 1
    }
}

/// The fact for one section and its role or user entries.
/// Fixed usernames seen so far (mapRoles first, then mapUsers): username → the
/// first principal's lowercased ARN, ARN and username path.
type Usernames = HashMap<String, (String, Value, Value)>;

fn section_fact(
    object: &Value,
    name: &str,
    limits: &Limits,
    usernames: &mut Usernames,
) -> (Value, Vec<Value>) {
    let base = vec![key("data"), key(name)];
    let raw = &object["data"][name];
    let mut fact = vec![
        ("name", Value::from(name)),
        ("path", path_value(&base)),
        ("present", Value::Bool(*raw != Value::Undefined)),
        ("type", Value::from(type_name(raw))),
    ];
    let mut entries = Vec::new();
    let mut accounts = Vec::new();
    let mut parse_error = Value::Null;
    let mut extra = Vec::new();
    let mut templates = Vec::new();
    let mut duplicates = Vec::new();
    let mut not_list = Value::Null;
    let mut skippable = false;

    if let Some(text) = as_str(raw) {
        let parsed = section::parse(text, limits);
        let lines = Lines::new(text);
        let line_of = |_: &str, at: usize| lines.of(at);
        skippable = parsed.skippable;
        if let Some((at, message)) = &parsed.error {
            parse_error = obj(vec![
                ("message", Value::from(message.as_str())),
                ("path", path_value(&extend(&base, [key(ERROR_KEY)]))),
                ("line", Value::from(line_of(text, at.start))),
            ]);
        }
        for at in &parsed.extra_documents {
            extra.push(obj(vec![("line", Value::from(line_of(text, at.start)))]));
        }
        let leaves = match parsed.unquoted_templates.is_empty() {
            true => Default::default(),
            false => section::leaf_paths(&parsed.spans),
        };
        for (at, t) in &parsed.unquoted_templates {
            let path = leaves
                .get(&at.start)
                .map(|p| extend(&base, p.iter().cloned()))
                .unwrap_or_else(|| base.clone());
            templates.push(obj(vec![
                ("text", Value::from(t.as_str())),
                ("path", path_value(&path)),
                ("line", Value::from(line_of(text, at.start))),
            ]));
        }
        for d in &parsed.duplicate_keys {
            let mut path = extend(&base, d.path.iter().cloned());
            path.push(key(&d.key));
            duplicates.push(obj(vec![
                ("key", Value::from(d.key.as_str())),
                ("path", path_value(&path)),
                ("firstLine", Value::from(line_of(text, d.first.start))),
                ("line", Value::from(line_of(text, d.second.start))),
            ]));
        }
        match &parsed.value {
            Some(Value::Array(items)) => {
                // Lowercased ARN → the latest entry with it, which the authenticator keeps.
                let mut arns: HashMap<String, (usize, Value)> = HashMap::new();
                for (i, item) in items.iter().enumerate() {
                    let path = extend(&base, [PathSeg::Index(i)]);
                    if name == "mapAccounts" {
                        accounts.push(account(item, &path, &parsed, text));
                    } else {
                        let extra = relations(name, i, item, &path, &mut arns, usernames);
                        entries.push(entry(name, i, item, &path, extra));
                    }
                }
            }
            Some(Value::Null) | None => {}
            Some(other) => not_list = Value::from(type_name(other)),
        }
    }
    fact.extend([
        ("skippable", Value::Bool(skippable)),
        ("parseError", parse_error),
        ("notList", not_list),
        ("extraDocuments", Value::from(extra)),
        ("unquotedTemplates", Value::from(templates)),
        ("duplicateKeys", Value::from(duplicates)),
        ("entries", Value::from(entries.clone())),
        ("accounts", Value::from(accounts)),
    ]);
    (obj(fact), entries)
}

/// A `mapAccounts` item: yaml.v2 decodes it into a Go string from its source text,
/// so an unquoted number keeps its digits.
fn account(item: &Value, path: &[PathSeg], parsed: &Section, text: &str) -> Value {
    let node = parsed.spans.resolve(&path[2..]);
    let raw = match item {
        Value::String(s) => s.to_string(),
        _ if node.matched == path.len() - 2 => text
            .get(node.node.span.clone())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    };
    obj(vec![
        ("value", Value::from(raw)),
        ("type", Value::from(type_name(item))),
        ("path", path_value(path)),
    ])
}

/// What an entry shares with earlier ones, found in one pass so that rules need no
/// pairwise comparison: `duplicateOf` (an earlier entry of the section with the same
/// ARN, which this one replaces) and `sharedUsername` (an earlier principal with the
/// same fixed username).
fn relations(
    section: &str,
    index: usize,
    item: &Value,
    path: &[PathSeg],
    arns: &mut HashMap<String, (usize, Value)>,
    usernames: &mut Usernames,
) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let arn_key = if section == "mapRoles" {
        "rolearn"
    } else {
        "userarn"
    };
    let Value::Object(map) = item else {
        return out;
    };
    let field = |canonical: &str| -> Option<(String, String)> {
        let mut found = None;
        for (k, v) in map.iter() {
            let (Some(k), Some(v)) = (as_str(k), as_str(v)) else {
                continue;
            };
            if k == canonical || (found.is_none() && k.eq_ignore_ascii_case(canonical)) {
                found = Some((k.to_string(), v.to_string()));
            }
        }
        found
    };
    let Some((arn_written, arn)) = field(arn_key).filter(|(_, a)| !a.is_empty()) else {
        return out;
    };
    let lower = arn.to_lowercase();
    let arn_path = path_value(&extend(path, [key(&arn_written)]));
    if let Some((first, first_path)) = arns.insert(lower.clone(), (index, arn_path)) {
        out.push((
            "duplicateOf",
            obj(vec![("index", Value::from(first)), ("arnPath", first_path)]),
        ));
    }
    if let Some((user_written, username)) = field("username") {
        if username.is_empty() || username.contains("{{") {
            return out;
        }
        let upath = path_value(&extend(path, [key(&user_written)]));
        match usernames.get(&username) {
            Some((first_lower, first_arn, first_path)) if *first_lower != lower => {
                out.push((
                    "sharedUsername",
                    obj(vec![
                        ("arn", first_arn.clone()),
                        ("usernamePath", first_path.clone()),
                    ]),
                ));
            }
            Some(_) => {}
            None => {
                usernames.insert(username, (lower, Value::from(arn.as_str()), upath));
            }
        }
    }
    out
}

/// One `mapRoles` / `mapUsers` entry.
fn entry(
    section: &str,
    index: usize,
    item: &Value,
    path: &[PathSeg],
    extra: Vec<(&'static str, Value)>,
) -> Value {
    let roles = section == "mapRoles";
    let arn_key = if roles { "rolearn" } else { "userarn" };
    let known: &[&str] = if roles { &ROLE_KEYS } else { &USER_KEYS };
    let mut fact = vec![
        ("section", Value::from(section)),
        ("index", Value::from(index)),
        ("path", path_value(path)),
        ("arnKey", Value::from(arn_key)),
        ("type", Value::from(type_name(item))),
    ];
    fact.extend(extra);
    let Value::Object(map) = item else {
        fact.push(("isMap", Value::Bool(false)));
        return obj(fact);
    };
    fact.push(("isMap", Value::Bool(true)));

    // Every key as written, with the canonical key the strict parser reads it as.
    let mut fields = Vec::new();
    // canonical → (key as written, value); an exact spelling wins over a variant.
    let mut read: BTreeMap<&str, (String, Value)> = BTreeMap::new();
    for (k, v) in map.iter() {
        let Some(k) = as_str(k) else { continue };
        let lower = k.to_ascii_lowercase();
        let canonical = known.iter().copied().find(|c| *c == lower);
        let suggestion = match canonical {
            Some(_) => Value::Null,
            None => suggest(&lower, arn_key, known),
        };
        fields.push(obj(vec![
            ("key", Value::from(k)),
            ("canonical", canonical.map_or(Value::Null, Value::from)),
            ("suggestion", suggestion),
            ("path", path_value(&extend(path, [key(k)]))),
            ("type", Value::from(type_name(v))),
        ]));
        if let Some(c) = canonical {
            let exact = c == k;
            if exact || !read.contains_key(c) {
                read.insert(c, (k.to_string(), v.clone()));
            }
        }
    }
    fact.push(("fields", Value::from(fields)));
    let keys: BTreeMap<Value, Value> = read
        .iter()
        .map(|(c, (k, _))| (Value::from(*c), Value::from(k.as_str())))
        .collect();
    fact.push(("keys", Value::from(keys)));

    let mut templates = Vec::new();
    let field = |c: &str| read.get(c);

    // The principal.
    if let Some((k, v)) = field(arn_key) {
        let arn_path = extend(path, [key(k)]);
        fact.push(("arnPath", path_value(&arn_path)));
        if let Some(arn) = as_str(v) {
            fact.push(("arn", Value::from(arn)));
            fact.push(("arnParts", arn_parts(arn)));
        }
    }
    // The username.
    let mut username = None;
    if let Some((k, v)) = field("username") {
        let upath = extend(path, [key(k)]);
        fact.push(("usernamePath", path_value(&upath)));
        if let Some(u) = as_str(v) {
            username = Some(u.to_string());
            fact.push(("username", Value::from(u)));
            find_templates(u, "username", &upath, &mut templates);
        }
    }
    // The groups: only string items are what both parsers read alike.
    let mut groups = Vec::new();
    let mut group_items = Vec::new();
    if let Some((k, v)) = field("groups") {
        let gpath = extend(path, [key(k)]);
        fact.push(("groupsPath", path_value(&gpath)));
        if let Value::Array(items) = v {
            for (i, g) in items.iter().enumerate() {
                let ipath = extend(&gpath, [PathSeg::Index(i)]);
                group_items.push(obj(vec![
                    ("value", as_str(g).map_or(Value::Null, Value::from)),
                    ("type", Value::from(type_name(g))),
                    ("path", path_value(&ipath)),
                ]));
                if let Some(s) = as_str(g) {
                    groups.push(Value::from(s));
                    find_templates(s, "groups", &ipath, &mut templates);
                }
            }
        }
    }
    let is_node = username
        .as_deref()
        .is_some_and(|u| u.starts_with("system:node:"))
        || groups.contains(&Value::from("system:nodes"));
    fact.push(("groups", Value::from(groups)));
    fact.push(("groupItems", Value::from(group_items)));
    fact.push(("templates", Value::from(templates)));
    fact.push(("node", Value::Bool(is_node)));
    obj(fact)
}

/// The key an unknown entry key was probably meant to be: `role_arn` → `rolearn`,
/// `group` → `groups`, `arn` → the section's ARN key, `userarn` in mapRoles →
/// `rolearn`.
fn suggest(lower: &str, arn_key: &str, known: &[&str]) -> Value {
    let squashed: String = lower.chars().filter(|c| *c != '_' && *c != '-').collect();
    if squashed == "arn" || squashed == "rolearn" || squashed == "userarn" {
        return Value::from(arn_key);
    }
    known
        .iter()
        .find(|k| **k == squashed || edit_distance(k, &squashed) <= 2)
        .map_or(Value::Null, |k| Value::from(*k))
}

/// Every `{{...}}` in `s`.
fn find_templates(s: &str, field: &str, path: &[PathSeg], out: &mut Vec<Value>) {
    let mut rest = s;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        let Some(len) = rest[open..].find("}}") else {
            break;
        };
        let text = &rest[open..open + len + 2];
        out.push(obj(vec![
            ("text", Value::from(text)),
            ("name", Value::from(&text[2..text.len() - 2])),
            ("field", Value::from(field)),
            ("prefix", Value::from(&s[..offset + open])),
            ("path", path_value(path)),
        ]));
        offset += open + len + 2;
        rest = &rest[open + len + 2..];
    }
}

/// `arn:partition:service:region:account:resource`, with the resource split into
/// type, IAM path and name (`role/a/b/name` → `role`, `/a/b/`, `name`). `null` when
/// the text does not have the six parts.
fn arn_parts(arn: &str) -> Value {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Value::Null;
    }
    let resource = parts[5];
    let (rtype, path, name) = match resource.split_once('/') {
        Some((t, rest)) => match rest.rfind('/') {
            Some(i) => (t, format!("/{}/", &rest[..i]), &rest[i + 1..]),
            None => (t, "/".to_string(), rest),
        },
        None => (resource, String::new(), ""),
    };
    obj(vec![
        ("partition", Value::from(parts[1])),
        ("service", Value::from(parts[2])),
        ("region", Value::from(parts[3])),
        ("account", Value::from(parts[4])),
        ("resource", Value::from(resource)),
        ("resourceType", Value::from(rtype)),
        ("path", Value::from(path)),
        ("name", Value::from(name)),
    ])
}

/// Keys under `data` that the authenticator does not read, and every key under
/// `binaryData` (never read), each with the section it was probably meant to be.
fn unknown_keys(object: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for place in ["data", "binaryData"] {
        let Value::Object(map) = &object[place] else {
            continue;
        };
        for k in map.keys() {
            let Some(k) = as_str(k) else { continue };
            if place == "data" && SECTIONS.contains(&k) {
                continue;
            }
            let suggestion = SECTIONS
                .iter()
                .find(|s| {
                    s.eq_ignore_ascii_case(k)
                        || edit_distance(&s.to_ascii_lowercase(), &k.to_ascii_lowercase()) <= 2
                })
                .map_or(Value::Null, |s| Value::from(*s));
            out.push(obj(vec![
                ("key", Value::from(k)),
                ("in", Value::from(place)),
                ("path", path_value(&[key(place), key(k)])),
                ("suggestion", suggestion),
            ]));
        }
    }
    out
}

/// Levenshtein distance, for short keys only.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

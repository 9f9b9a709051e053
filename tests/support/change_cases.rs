//! The shared table of change cases (`fixtures/change/cases.yaml`): reading it,
//! building the AdmissionReview of each case, and checking an AdmissionReview
//! response against a case's expectations. Included by every driver:
//! `#[path = "…/tests/support/change_cases.rs"] mod cases;` in each suite.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

/// The note a pre-existing finding carries in responses.
const PRE_EXISTING: &str = "(pre-existing: already present before this change) ";

/// `fixtures/change/` of the repository.
pub fn dir() -> PathBuf {
    // Both the root package and webhook/ include this file; find the repository root.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = if here.join("fixtures/change").is_dir() {
        here.to_path_buf()
    } else {
        here.join("..")
    };
    root.join("fixtures/change")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The config every driver runs with, relative to `fixtures/change/`.
    pub config: PathBuf,
    pub users: BTreeMap<String, User>,
    pub cases: Vec<Case>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: String,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Case {
    pub name: String,
    pub operation: String,
    /// The live object, under `objects/`.
    #[serde(default)]
    pub old: Option<PathBuf>,
    /// The requested object, under `objects/`.
    #[serde(default)]
    pub new: Option<PathBuf>,
    pub user: String,
    #[serde(default)]
    pub connect: Option<Connect>,
    pub expect: Expect,
}

/// The target of a CONNECT: the pod and the subresource.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Connect {
    pub namespace: String,
    pub name: String,
    pub sub_resource: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expect {
    pub allowed: bool,
    #[serde(default)]
    pub deny: BTreeSet<String>,
    #[serde(default)]
    pub warn: BTreeSet<String>,
    #[serde(default)]
    pub pre_existing: BTreeSet<String>,
    #[serde(default)]
    pub messages: Vec<String>,
}

/// Reads `fixtures/change/cases.yaml`.
pub fn load() -> Table {
    let path = dir().join("cases.yaml");
    let doc = yaml_file(&path);
    let table: Table =
        serde_json::from_value(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for case in &table.cases {
        assert!(
            table.users.contains_key(&case.user),
            "{}: unknown user {}",
            case.name,
            case.user
        );
    }
    table
}

/// The one YAML document of `path` (an object, or the case table), as JSON.
pub fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed =
        blastwall::source::yaml::parse_stream(&text, &blastwall::source::Limits::default());
    assert!(
        parsed.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        parsed.errors
    );
    assert_eq!(parsed.docs.len(), 1, "{}: one document", path.display());
    serde_json::to_value(&parsed.docs[0].value).unwrap()
}

impl Table {
    pub fn config_path(&self) -> PathBuf {
        dir().join(&self.config)
    }

    pub fn user(&self, case: &Case) -> &User {
        &self.users[&case.user]
    }
}

impl Case {
    pub fn old_object(&self) -> Option<Value> {
        self.old
            .as_ref()
            .map(|p| yaml_file(&dir().join("objects").join(p)))
    }

    pub fn new_object(&self) -> Option<Value> {
        self.new
            .as_ref()
            .map(|p| yaml_file(&dir().join("objects").join(p)))
    }

    /// The AdmissionReview the API server would send for this case.
    pub fn admission_review(&self, table: &Table, uid: &str) -> Value {
        let (new, old) = (self.new_object(), self.old_object());
        let subject = new.as_ref().or(old.as_ref()).expect("a case has an object");
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let api_version = s(&subject["apiVersion"]);
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let kind = s(&subject["kind"]);
        let mut resource = json!({"group": group, "version": version,
                                  "resource": blastwall::review::resource_for_kind(&kind)});
        let (mut namespace, mut name) = (
            s(&subject["metadata"]["namespace"]),
            s(&subject["metadata"]["name"]),
        );
        let mut sub_resource = None;
        if let Some(c) = &self.connect {
            // CONNECT names the pod in the request; the object is PodExecOptions etc.
            resource = json!({"group": "", "version": "v1", "resource": "pods"});
            namespace = c.namespace.clone();
            name = c.name.clone();
            sub_resource = Some(c.sub_resource.clone());
        }
        let user = table.user(self);
        let options = match self.operation.as_str() {
            "CREATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}),
            "UPDATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"}),
            "DELETE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions"}),
            _ => Value::Null,
        };
        let mut request = json!({
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": resource,
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": resource,
            "name": name,
            "operation": self.operation,
            "userInfo": {"username": user.username, "groups": user.groups},
            "object": new.unwrap_or(Value::Null),
            "oldObject": old.unwrap_or(Value::Null),
            "dryRun": false,
            "options": options,
        });
        if !namespace.is_empty() {
            request["namespace"] = json!(namespace);
        }
        if let Some(sub) = sub_resource {
            request["subResource"] = json!(sub);
        }
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
    }

    /// Whether `outcome` is what this case expects; the error says what differs.
    pub fn check(&self, outcome: &Outcome) -> Result<(), String> {
        let e = &self.expect;
        let mut problems = Vec::new();
        if outcome.allowed != e.allowed {
            problems.push(format!(
                "allowed: expected {}, got {}",
                e.allowed, outcome.allowed
            ));
        }
        if outcome.deny != e.deny {
            problems.push(format!(
                "deny: expected {:?}, got {:?}",
                e.deny, outcome.deny
            ));
        }
        if outcome.warn != e.warn {
            problems.push(format!(
                "warn: expected {:?}, got {:?}",
                e.warn, outcome.warn
            ));
        }
        if outcome.pre_existing != e.pre_existing {
            problems.push(format!(
                "pre-existing: expected {:?}, got {:?}",
                e.pre_existing, outcome.pre_existing
            ));
        }
        for m in &e.messages {
            if !outcome.lines.contains(m) {
                problems.push(format!("missing message {m:?}"));
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "{}:\n  {}\n  response lines: {:#?}",
                self.name,
                problems.join("\n  "),
                outcome.lines
            )),
        }
    }
}

/// What an AdmissionReview response decided, by rule id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub allowed: bool,
    pub deny: BTreeSet<String>,
    pub warn: BTreeSet<String>,
    pub pre_existing: BTreeSet<String>,
    /// Every `[rule] message` line of the denial and the warnings, as sent.
    pub lines: Vec<String>,
}

impl Outcome {
    pub fn from_response(review: &Value) -> Outcome {
        let r = &review["response"];
        let mut out = Outcome {
            allowed: r["allowed"].as_bool().expect("response.allowed"),
            deny: BTreeSet::new(),
            warn: BTreeSet::new(),
            pre_existing: BTreeSet::new(),
            lines: Vec::new(),
        };
        let message = r["status"]["message"].as_str().unwrap_or_default();
        for line in message.lines().filter(|l| l.starts_with('[')) {
            out.deny.insert(rule_of(line));
            out.lines.push(line.to_string());
        }
        for w in r["warnings"].as_array().into_iter().flatten() {
            let line = w.as_str().unwrap_or_default();
            let rule = rule_of(line);
            if line[rule.len() + 3..].starts_with(PRE_EXISTING) {
                out.pre_existing.insert(rule.clone());
            }
            out.warn.insert(rule);
            out.lines.push(line.to_string());
        }
        out
    }
}

/// `privileged-container` of `[privileged-container] …`.
fn rule_of(line: &str) -> String {
    line.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("not a `[rule] message` line: {line}"))
}

//! gator suites (`test.gatekeeper.sh/v1alpha1` `Suite`): each test names a template
//! and a constraint, each case an object (or an AdmissionReview), inventory files
//! and assertions (`violations: yes | no | N`, `message`: a regular expression).
//! A case passes or fails exactly as `gator verify` decides it.

use std::path::{Path, PathBuf};

use regorus::Value;

use super::load::{self, Located, Place, Read};
use super::matching::NamespaceInfo;
use super::{Gatekeeper, Point};
use crate::source::{load as source_load, Document, Limits, PathSeg};

/// The result of one case (or of a test that could not run its cases).
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// `suite.yaml:line` of the case (or test).
    pub location: String,
    /// `test/case`.
    pub name: String,
    pub passed: bool,
    /// Not run: skipped by the suite, or the template is CEL only.
    pub skipped: Option<String>,
    pub error: Option<String>,
}

/// Whether `text` is a gator Suite file.
pub fn is_suite_text(text: &str) -> bool {
    text.contains("test.gatekeeper.sh/") && text.contains("Suite")
}

/// Every gator suite under `dir`, sorted.
pub fn find(dir: &Path) -> Vec<PathBuf> {
    crate::engine::pack::files_under(dir, |p| {
        p.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && std::fs::read_to_string(p).is_ok_and(|t| is_suite_text(&t))
    })
    .unwrap_or_default()
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.into())
}

fn read_docs(path: &Path) -> Result<crate::source::Loaded, String> {
    let bytes = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let loaded = source_load::load_str(&path.display().to_string(), bytes, &Limits::default());
    if let Some(p) = loaded.problems.first() {
        return Err(format!("{}: {}", path.display(), p.message));
    }
    Ok(loaded)
}

/// Runs every case of the suite at `path`.
pub fn run(path: &Path) -> Vec<CaseResult> {
    let name = path.display().to_string();
    let loaded = match read_docs(path) {
        Ok(d) => d,
        Err(e) => return vec![failed(&name, 1, "suite", e)],
    };
    let Some(doc) = loaded.documents.first() else {
        return vec![failed(&name, 1, "suite", "the suite is empty".into())];
    };
    let Some(file) = loaded.files.first() else {
        return Vec::new();
    };
    let line_of = |p: &[PathSeg]| {
        file.line_col(doc.spans.resolve(p).node.label_range().start)
            .0
    };
    let suite = &doc.value;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    if suite["skip"] == Value::Bool(true) {
        return out;
    }
    let Value::Array(tests) = &suite["tests"] else {
        return vec![failed(&name, 1, "suite", "the suite has no tests".into())];
    };
    for (ti, test) in tests.iter().enumerate() {
        let tpath = [key("tests"), PathSeg::Index(ti)];
        let tname = text(&test["name"]).unwrap_or_default().to_string();
        let tline = line_of(&tpath);
        let cases: Vec<&Value> = match &test["cases"] {
            Value::Array(c) => c.iter().collect(),
            _ => Vec::new(),
        };
        let case_name = |c: &Value| format!("{tname}/{}", text(&c["name"]).unwrap_or_default());
        let case_line = |ci: usize| {
            let mut p = tpath.to_vec();
            p.extend([key("cases"), PathSeg::Index(ci)]);
            line_of(&p)
        };
        if test["skip"] == Value::Bool(true) {
            continue;
        }
        let prepared = prepare_test(dir, test);
        let gk = match prepared {
            Ok(Prepared::Ready(gk)) => gk,
            Ok(Prepared::InvalidAsExpected) => {
                out.push(CaseResult {
                    location: format!("{name}:{tline}"),
                    name: tname.clone(),
                    passed: true,
                    skipped: None,
                    error: None,
                });
                continue;
            }
            Ok(Prepared::CelOnly(template)) => {
                for (ci, c) in cases.iter().enumerate() {
                    out.push(CaseResult {
                        location: format!("{name}:{}", case_line(ci)),
                        name: case_name(c),
                        passed: true,
                        skipped: Some(format!(
                            "ConstraintTemplate {template} has only CEL code, which blastwall does not run"
                        )),
                        error: None,
                    });
                }
                continue;
            }
            // Every case fails with the test (gator fails the test, counting none).
            Err(e) if cases.is_empty() => {
                out.push(failed(&name, tline, &tname, e));
                continue;
            }
            Err(e) => {
                for (ci, c) in cases.iter().enumerate() {
                    out.push(failed(&name, case_line(ci), &case_name(c), e.clone()));
                }
                continue;
            }
        };
        for (ci, c) in cases.iter().enumerate() {
            if c["skip"] == Value::Bool(true) {
                continue;
            }
            // gator reads suites as YAML 1.2: `yes` and `no` are strings there.
            let raw: Vec<Option<String>> = match &c["assertions"] {
                Value::Array(items) => (0..items.len())
                    .map(|ai| {
                        let mut p = tpath.to_vec();
                        p.extend([
                            key("cases"),
                            PathSeg::Index(ci),
                            key("assertions"),
                            PathSeg::Index(ai),
                            key("violations"),
                        ]);
                        let r = doc.spans.resolve(&p);
                        (r.matched == p.len())
                            .then(|| file.text.get(r.node.span.clone()).map(str::to_string))
                            .flatten()
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let error = check_case(dir, &gk, c, &raw).err();
            out.push(CaseResult {
                location: format!("{name}:{}", case_line(ci)),
                name: case_name(c),
                passed: error.is_none(),
                skipped: None,
                error,
            });
        }
    }
    out
}

fn failed(suite: &str, line: usize, name: &str, error: String) -> CaseResult {
    CaseResult {
        location: format!("{suite}:{line}"),
        name: name.to_string(),
        passed: false,
        skipped: None,
        error: Some(error),
    }
}

enum Prepared {
    Ready(Gatekeeper),
    /// `invalid: true` and the constraint breaks the schema, as wanted.
    InvalidAsExpected,
    CelOnly(String),
}

fn located(errors: Vec<Located>) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compiles a test's template and reads its constraint.
fn prepare_test(dir: &Path, test: &Value) -> Result<Prepared, String> {
    let invalid = test["invalid"] == Value::Bool(true);
    if text(&test["expansion"]).is_some_and(|e| !e.is_empty()) {
        return Err("expansion templates (`expansion`) are not supported".into());
    }
    let template_path = text(&test["template"])
        .filter(|t| !t.is_empty())
        .ok_or("invalid suite: missing template")?;
    let constraint_path = text(&test["constraint"])
        .filter(|t| !t.is_empty())
        .ok_or("invalid suite: missing constraint")?;
    let tdocs = read_docs(&dir.join(template_path))?;
    let (Some(tdoc), Some(tfile)) = (tdocs.documents.first(), tdocs.files.first()) else {
        return Err(format!("{template_path} holds no template"));
    };
    let place = Place {
        file: tfile,
        doc: tdoc,
    };
    let mut gk = Gatekeeper::default();
    let mut kinds = std::collections::BTreeMap::new();
    match load::template(&place).map_err(|e| e.to_string())? {
        Read::Compiled(t, schema) => {
            kinds.insert(t.kind.clone(), (0, schema));
            gk.templates.push(*t);
        }
        Read::CelOnly { name, .. } => return Ok(Prepared::CelOnly(name)),
    }
    let cdocs = read_docs(&dir.join(constraint_path))?;
    let (Some(cdoc), Some(cfile)) = (cdocs.documents.first(), cdocs.files.first()) else {
        return Err(format!("{constraint_path} holds no constraint"));
    };
    let place = Place {
        file: cfile,
        doc: cdoc,
    };
    match load::constraint(&place, &kinds, &[]) {
        Ok(Some(c)) if !invalid => {
            gk.constraints.push(c);
            Ok(Prepared::Ready(gk))
        }
        Ok(_) if invalid => {
            Err("the constraint is valid, but the test says `invalid: true`".into())
        }
        Ok(_) => Err("the constraint's template is CEL only".into()),
        Err(_) if invalid => Ok(Prepared::InvalidAsExpected),
        Err(e) => Err(located(e)),
    }
}

/// The review gator builds for a plain object.
fn object_review(object: &Value) -> Value {
    let api_version = text(&object["apiVersion"]).unwrap_or_default();
    let (group, version) = match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let kind = Value::from_json_str(
        &serde_json::json!({
            "group": group, "version": version,
            "kind": text(&object["kind"]).unwrap_or_default()
        })
        .to_string(),
    )
    .unwrap_or(Value::Null);
    let mut review = std::collections::BTreeMap::new();
    let put = |r: &mut std::collections::BTreeMap<Value, Value>, k: &str, v: Value| {
        r.insert(Value::from(k), v);
    };
    put(&mut review, "uid", Value::from(""));
    put(&mut review, "kind", kind);
    put(&mut review, "resource", empty_resource());
    put(&mut review, "operation", Value::from(""));
    put(&mut review, "userInfo", Value::new_object());
    put(&mut review, "object", object.clone());
    put(&mut review, "oldObject", Value::Null);
    for (field, k) in [("name", "name"), ("namespace", "namespace")] {
        if let Some(s) = text(&object["metadata"][field]).filter(|s| !s.is_empty()) {
            put(&mut review, k, Value::from(s));
        }
    }
    Value::from(review)
}

fn empty_resource() -> Value {
    Value::from_json_str(r#"{"group":"","version":"","resource":""}"#).unwrap_or(Value::Null)
}

/// An AdmissionReview's request as gator passes it on (fields an AdmissionRequest
/// always has are filled in; on DELETE `object` is `oldObject`).
fn admission_review(doc: &Value) -> Result<Value, String> {
    let Value::Object(request) = &doc["request"] else {
        return Err("the AdmissionReview has no request".into());
    };
    let is_object = |k: &str| matches!(request.get(&Value::from(k)), Some(Value::Object(_)));
    if !is_object("object") && !is_object("oldObject") {
        return Err("the AdmissionRequest has no object or oldObject to review".into());
    }
    let mut review = doc["request"].clone();
    let r = review
        .as_object_mut()
        .map_err(|e| format!("the AdmissionReview's request: {e}"))?;
    let defaults: [(&str, Value); 6] = [
        ("uid", Value::from("")),
        ("resource", empty_resource()),
        ("operation", Value::from("")),
        ("userInfo", Value::new_object()),
        ("object", Value::Null),
        ("oldObject", Value::Null),
    ];
    for (k, v) in defaults {
        if !r.contains_key(&Value::from(k)) {
            r.insert(Value::from(k), v);
        }
    }
    let mut kind = match r.get(&Value::from("kind")) {
        Some(k @ Value::Object(_)) => k.clone(),
        _ => Value::new_object(),
    };
    if let Ok(kind) = kind.as_object_mut() {
        for k in ["group", "version", "kind"] {
            if !kind.contains_key(&Value::from(k)) {
                kind.insert(Value::from(k), Value::from(""));
            }
        }
    }
    r.insert(Value::from("kind"), kind);
    if review["operation"] == Value::from("DELETE") && !is_object("oldObject") {
        return Err("oldObject cannot be nil for DELETE operations".into());
    }
    Ok(super::gatekeeper_review(&review, None))
}

fn objects_of(dir: &Path, rel: &str) -> Result<Vec<Document>, String> {
    let documents = read_docs(&dir.join(rel))?.documents;
    if documents.is_empty() {
        return Err(format!("path {rel:?} defines no YAML objects"));
    }
    Ok(documents)
}

/// Runs one case; `Err` says why it fails.
fn check_case(
    dir: &Path,
    gk: &Gatekeeper,
    case: &Value,
    raw: &[Option<String>],
) -> Result<(), String> {
    let object_path = text(&case["object"])
        .filter(|o| !o.is_empty())
        .ok_or("invalid case: must define object")?;
    let Value::Array(assertions) = &case["assertions"] else {
        return Err("invalid case: assertions must be non-empty".into());
    };
    if assertions.is_empty() {
        return Err("invalid case: assertions must be non-empty".into());
    }
    let objects = objects_of(dir, object_path)?;
    if objects.len() != 1 {
        return Err(format!("{object_path:?} defines {} objects", objects.len()));
    }
    let object = &objects[0].value;
    let mut inventory_docs = Vec::new();
    if let Value::Array(paths) = &case["inventory"] {
        for p in paths.iter().filter_map(text) {
            inventory_docs.extend(objects_of(dir, p)?);
        }
    }
    let inventory = super::inventory(inventory_docs.iter().map(|d| &d.value));
    let labels = crate::facts::tenancy::namespace_labels(&inventory_docs);
    let is_admission_review = object["kind"] == Value::from("AdmissionReview")
        && text(&object["apiVersion"]).is_some_and(|a| a.starts_with("admission.k8s.io/"));
    let review = if is_admission_review {
        admission_review(object)?
    } else {
        object_review(object)
    };
    let ns_name = text(&review["namespace"]).unwrap_or_default().to_string();
    let ns_labels = labels.get(&ns_name);
    let info = ns_labels.map(|labels| NamespaceInfo {
        name: &ns_name,
        labels,
    });
    let prepared = gk.prepare(Some(&inventory)).map_err(|e| e.to_string())?;
    let violations = gk
        .evaluate(&prepared, &review, info.as_ref(), Point::Gator)
        .map_err(|e| e.to_string())?;
    let messages: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
    for (i, a) in assertions.iter().enumerate() {
        assert_one(a, raw.get(i).and_then(|r| r.as_deref()), &messages)?;
    }
    Ok(())
}

/// One assertion, as gator's `Assertion.Run`.
fn assert_one(assertion: &Value, raw: Option<&str>, messages: &[&str]) -> Result<(), String> {
    let regex = match text(&assertion["message"]) {
        Some(m) => Some(regex::Regex::new(m).map_err(|e| format!("invalid regex {m:?}: {e}"))?),
        None => None,
    };
    let matching = messages
        .iter()
        .filter(|m| regex.as_ref().is_none_or(|r| r.is_match(m)))
        .count();
    let containing = match text(&assertion["message"]) {
        Some(m) => format!(" containing {m:?}"),
        None => String::new(),
    };
    let got = format!("got {matching} violations{containing}");
    let violations = match (&assertion["violations"], raw) {
        (Value::Bool(_), Some(raw @ ("yes" | "no"))) => Value::from(raw),
        (v, _) => v.clone(),
    };
    let result = match &violations {
        Value::Undefined | Value::Null => want_yes(matching, &got),
        Value::String(s) if &**s == "yes" => want_yes(matching, &got),
        Value::String(s) if &**s == "no" => match matching {
            0 => Ok(()),
            _ => Err(format!("{got} but want none")),
        },
        Value::Number(n) => match n.as_u64() {
            Some(want) if want as usize == matching => Ok(()),
            Some(want) => Err(format!("{got} but want exactly {want}")),
            None => Err(
                "assertion.violations, if set, must be a nonnegative integer, \"yes\", or \"no\""
                    .into(),
            ),
        },
        _ => Err(
            "assertion.violations, if set, must be a nonnegative integer, \"yes\", or \"no\""
                .into(),
        ),
    };
    result.map_err(|e| format!("{e}: got messages {messages:?}"))
}

fn want_yes(matching: usize, got: &str) -> Result<(), String> {
    match matching {
        0 => Err(format!("{got} but want at least 1")),
        _ => Ok(()),
    }
}

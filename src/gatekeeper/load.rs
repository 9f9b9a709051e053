//! Reading ConstraintTemplates and Constraints from files: the `--rules`
//! directories (next to Rego rule modules) and the config's `gatekeeper` paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regorus::Value;

use super::matching::{Expression, Kinds, Match, Operator, Scope, Selector, Source};
use super::{schema, Action, Constraint, Enforcement, Gatekeeper, Template};
use crate::source::{load, Document, Limits, PathSeg, SourceFile};

/// A problem with a template or constraint, at its place in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Why the Gatekeeper policies of a run could not be loaded (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Gatekeeper policies are not valid:\n{}", .errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct LoadError {
    pub errors: Vec<Located>,
}

/// What a file held: templates and constraints with their places.
#[derive(Default)]
pub struct Loaded {
    pub gatekeeper: Gatekeeper,
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

/// Whether a document is a ConstraintTemplate.
pub fn is_template(v: &Value) -> bool {
    text(&v["apiVersion"]).is_some_and(|a| a.starts_with("templates.gatekeeper.sh/"))
        && v["kind"] == Value::from("ConstraintTemplate")
}

/// Whether a document is a Constraint.
pub fn is_constraint(v: &Value) -> bool {
    text(&v["apiVersion"]).is_some_and(|a| a.starts_with("constraints.gatekeeper.sh/"))
}

/// A place in a document, for errors.
pub(crate) struct Place<'a> {
    pub file: &'a SourceFile,
    pub doc: &'a Document,
}

impl Place<'_> {
    pub fn at(&self, path: &[PathSeg], message: String) -> Located {
        let span = self.doc.spans.resolve(path).node.label_range();
        let (line, column) = self.file.line_col(span.start);
        Located {
            file: self.file.name.clone(),
            line,
            column,
            message,
        }
    }

    fn location(&self) -> String {
        let (line, _) = self
            .file
            .line_col(self.doc.spans.resolve(&[]).node.label_range().start);
        format!("{}:{line}", self.file.name)
    }
}

/// A template as read: compiled, or CEL only.
pub(crate) enum Read {
    Compiled(Box<Template>, Option<Value>),
    CelOnly { name: String, kind: String },
}

/// Compiles the ConstraintTemplate of `place`.
pub(crate) fn template(place: &Place) -> Result<Read, Located> {
    let v = &place.doc.value;
    let name = text(&v["metadata"]["name"]).unwrap_or_default().to_string();
    let kind_path = [
        key("spec"),
        key("crd"),
        key("spec"),
        key("names"),
        key("kind"),
    ];
    let Some(kind) = text(&v["spec"]["crd"]["spec"]["names"]["kind"]).filter(|k| !k.is_empty())
    else {
        return Err(place.at(
            &kind_path,
            format!("ConstraintTemplate {name} has no spec.crd.spec.names.kind"),
        ));
    };
    if name != kind.to_ascii_lowercase() {
        return Err(place.at(
            &[key("metadata"), key("name")],
            format!(
                "ConstraintTemplate name {name:?} must be the lowercase of its kind {kind:?} (as Gatekeeper requires)"
            ),
        ));
    }
    let Value::Array(targets) = &v["spec"]["targets"] else {
        return Err(place.at(
            &[key("spec")],
            format!("ConstraintTemplate {name} has no spec.targets"),
        ));
    };
    let Some((index, target)) = targets
        .iter()
        .enumerate()
        .find(|(_, t)| t["target"] == Value::from(super::TARGET))
    else {
        return Err(place.at(
            &[key("spec"), key("targets")],
            format!("ConstraintTemplate {name} has no target {}", super::TARGET),
        ));
    };
    let target_path = vec![key("spec"), key("targets"), PathSeg::Index(index)];
    let code = match &target["code"] {
        Value::Array(code) => code.iter().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let rego_code = code
        .iter()
        .enumerate()
        .find(|(_, c)| c["engine"] == Value::from("Rego"));
    let (rego, libs, v1, rego_path) = match (rego_code, &target["rego"]) {
        (Some((i, c)), _) => {
            let mut path = target_path.clone();
            path.extend([key("code"), PathSeg::Index(i), key("source"), key("rego")]);
            (
                &c["source"]["rego"],
                &c["source"]["libs"],
                c["source"]["version"] == Value::from("v1"),
                path,
            )
        }
        (None, rego @ Value::String(_)) => {
            let mut path = target_path.clone();
            path.push(key("rego"));
            (rego, &target["libs"], false, path)
        }
        (None, _) if !code.is_empty() => {
            return Ok(Read::CelOnly {
                name,
                kind: kind.to_string(),
            })
        }
        (None, _) => {
            return Err(place.at(
                &target_path,
                format!("ConstraintTemplate {name} has no Rego code"),
            ))
        }
    };
    let Some(rego) = text(rego) else {
        return Err(place.at(&rego_path, "the Rego source is not a string".into()));
    };
    let libs: Vec<String> = match libs {
        Value::Array(items) => items.iter().filter_map(text).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let location = place.location();
    let rego_at = place.at(&rego_path, String::new());
    let label = format!(
        "{}:{} (ConstraintTemplate {name})",
        rego_at.file, rego_at.line
    );
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(!v1);
    // Builtin errors make the rule undefined, as in OPA.
    engine.set_strict_builtin_errors(false);
    let package = engine
        .add_policy(label.clone(), super::compat::adjust(rego))
        .map_err(|e| place.at(&rego_path, format!("the Rego does not compile:\n{e}")))?;
    for (i, lib) in libs.iter().enumerate() {
        engine
            .add_policy(format!("{label} libs[{i}]"), super::compat::adjust(lib))
            .map_err(|e| place.at(&rego_path, format!("libs[{i}] does not compile:\n{e}")))?;
    }
    let query = format!("{package}.violation");
    // Prepares the engine once (clones share it) and checks that `violation` exists.
    engine.set_input(Value::new_object());
    if let Err(e) = engine.eval_rule(query.clone()) {
        return Err(place.at(
            &rego_path,
            format!("the Rego has no usable `violation` rule: {e}"),
        ));
    }
    let needs_inventory =
        rego.contains("data.inventory") || libs.iter().any(|l| l.contains("data.inventory"));
    let annotations = &v["metadata"]["annotations"];
    let schema = match &v["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"] {
        s @ Value::Object(_) => Some(s.clone()),
        _ => None,
    };
    Ok(Read::Compiled(
        Box::new(Template {
            name,
            kind: kind.to_string(),
            title: text(&annotations["metadata.gatekeeper.sh/title"])
                .unwrap_or(kind)
                .to_string(),
            description: text(&annotations["description"])
                .unwrap_or_default()
                .trim()
                .to_string(),
            location,
            engine,
            query,
            needs_inventory,
        }),
        schema,
    ))
}

fn strings(place: &Place, path: &[PathSeg], v: &Value) -> Result<Vec<String>, Located> {
    match v {
        Value::Undefined | Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                text(item).map(str::to_string).ok_or_else(|| {
                    let mut p = path.to_vec();
                    p.push(PathSeg::Index(i));
                    place.at(&p, "must be a string".into())
                })
            })
            .collect(),
        _ => Err(place.at(path, "must be a list of strings".into())),
    }
}

fn selector(place: &Place, path: &[PathSeg], v: &Value) -> Result<Option<Selector>, Located> {
    match v {
        Value::Object(_) => {}
        Value::Undefined | Value::Null => return Ok(None),
        _ => return Err(place.at(path, "must be a label selector".into())),
    }
    let mut out = Selector::default();
    match &v["matchLabels"] {
        Value::Object(map) => {
            for (k, val) in map.iter() {
                let (Some(k), Some(val)) = (text(k), text(val)) else {
                    let mut p = path.to_vec();
                    p.push(key("matchLabels"));
                    return Err(place.at(&p, "label values must be strings".into()));
                };
                out.labels.insert(k.to_string(), val.to_string());
            }
        }
        Value::Undefined | Value::Null => {}
        _ => {
            let mut p = path.to_vec();
            p.push(key("matchLabels"));
            return Err(place.at(&p, "must be a map of labels".into()));
        }
    }
    if let Value::Array(items) = &v["matchExpressions"] {
        for (i, e) in items.iter().enumerate() {
            let mut p = path.to_vec();
            p.extend([key("matchExpressions"), PathSeg::Index(i)]);
            let operator = match text(&e["operator"]) {
                Some("In") => Operator::In,
                Some("NotIn") => Operator::NotIn,
                Some("Exists") => Operator::Exists,
                Some("DoesNotExist") => Operator::DoesNotExist,
                other => {
                    p.push(key("operator"));
                    return Err(place.at(
                        &p,
                        format!("operator {other:?} is not one of In, NotIn, Exists, DoesNotExist"),
                    ));
                }
            };
            let values = strings(place, &p, &e["values"])?;
            if matches!(operator, Operator::In | Operator::NotIn) && values.is_empty() {
                return Err(place.at(&p, "In and NotIn need at least one value".into()));
            }
            out.expressions.push(Expression {
                key: text(&e["key"]).unwrap_or_default().to_string(),
                operator,
                values,
            });
        }
    }
    Ok(Some(out))
}

fn matcher(place: &Place) -> Result<Match, Located> {
    let m = &place.doc.value["spec"]["match"];
    let base = [key("spec"), key("match")];
    let at = |k: &str| {
        let mut p = base.to_vec();
        p.push(key(k));
        p
    };
    let mut out = Match::default();
    if let Value::Array(kinds) = &m["kinds"] {
        for (i, k) in kinds.iter().enumerate() {
            let mut p = at("kinds");
            p.push(PathSeg::Index(i));
            let mut groups = p.clone();
            groups.push(key("apiGroups"));
            let mut names = p.clone();
            names.push(key("kinds"));
            out.kinds.push(Kinds {
                api_groups: strings(place, &groups, &k["apiGroups"])?,
                kinds: strings(place, &names, &k["kinds"])?,
            });
        }
    }
    out.scope = match text(&m["scope"]) {
        None | Some("*") => Scope::Any,
        Some("Cluster") => Scope::Cluster,
        Some("Namespaced") => Scope::Namespaced,
        Some(other) => {
            return Err(place.at(
                &at("scope"),
                format!("scope {other:?} is not one of *, Cluster, Namespaced"),
            ))
        }
    };
    out.namespaces = strings(place, &at("namespaces"), &m["namespaces"])?;
    out.excluded_namespaces = strings(place, &at("excludedNamespaces"), &m["excludedNamespaces"])?;
    out.label_selector = selector(place, &at("labelSelector"), &m["labelSelector"])?;
    out.namespace_selector = selector(place, &at("namespaceSelector"), &m["namespaceSelector"])?;
    out.name = text(&m["name"]).map(str::to_string);
    out.source = match text(&m["source"]) {
        None | Some("Original") => Source::Original,
        Some("Generated") => Source::Generated,
        Some("All") => Source::All,
        Some(other) => {
            return Err(place.at(
                &at("source"),
                format!("source {other:?} is not one of All, Original, Generated"),
            ))
        }
    };
    Ok(out)
}

fn enforcement(place: &Place) -> Result<Enforcement, Located> {
    let spec = &place.doc.value["spec"];
    let path = [key("spec"), key("enforcementAction")];
    match text(&spec["enforcementAction"]) {
        None | Some("") => Ok(Enforcement::All(Action::Deny)),
        Some(s) if s.eq_ignore_ascii_case("scoped") => {
            let Value::Array(items) = &spec["scopedEnforcementActions"] else {
                return Err(place.at(
                    &path,
                    "enforcementAction scoped needs spec.scopedEnforcementActions".into(),
                ));
            };
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = [
                    key("spec"),
                    key("scopedEnforcementActions"),
                    PathSeg::Index(i),
                ];
                let action = text(&item["action"])
                    .and_then(Action::parse)
                    .ok_or_else(|| {
                        place.at(&p, "action must be one of deny, warn, dryrun".into())
                    })?;
                let points: Vec<String> = match &item["enforcementPoints"] {
                    Value::Array(points) => points
                        .iter()
                        .filter_map(|p| text(&p["name"]))
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                };
                out.push((action, points));
            }
            Ok(Enforcement::Scoped(out))
        }
        Some(s) => Action::parse(s).map(Enforcement::All).ok_or_else(|| {
            place.at(
                &path,
                format!("enforcementAction {s:?} is not one of deny, warn, dryrun, scoped"),
            )
        }),
    }
}

/// Reads the Constraint of `place` against `templates` (by kind); `None` when its
/// template is CEL only.
pub(crate) fn constraint(
    place: &Place,
    kinds: &BTreeMap<String, (usize, Option<Value>)>,
    cel_only: &[String],
) -> Result<Option<Constraint>, Vec<Located>> {
    let v = &place.doc.value;
    let kind = text(&v["kind"]).unwrap_or_default().to_string();
    let name = text(&v["metadata"]["name"]).unwrap_or_default().to_string();
    if name.is_empty() {
        return Err(vec![place.at(
            &[key("metadata")],
            format!("{kind} constraint has no metadata.name"),
        )]);
    }
    let Some((template, schema)) = kinds.get(&kind) else {
        if cel_only.contains(&kind) {
            return Ok(None);
        }
        return Err(vec![place.at(
            &[key("kind")],
            format!("no ConstraintTemplate defines kind {kind} (constraint {name})"),
        )]);
    };
    let mut errors = Vec::new();
    let matcher = matcher(place)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let enforcement = enforcement(place)
        .map_err(|e| errors.push(e))
        .unwrap_or(Enforcement::All(Action::Deny));
    let parameters = match &v["spec"]["parameters"] {
        Value::Undefined | Value::Null => Value::new_object(),
        p => p.clone(),
    };
    if let Some(schema) = schema {
        for e in schema::validate(schema, &parameters) {
            let mut path = vec![key("spec"), key("parameters")];
            path.extend(e.path.iter().cloned());
            let shown = crate::source::display_path(&path);
            errors.push(place.at(
                &path,
                format!(
                    "{kind} {name}: {shown} {} (the template's openAPIV3Schema)",
                    e.message
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(Constraint {
        kind,
        name,
        template: *template,
        matcher,
        parameters,
        enforcement,
        location: place.location(),
    }))
}

/// The templates and constraints among the documents of `loaded`.
pub fn from_loaded(loaded: &crate::source::Loaded) -> Result<Gatekeeper, LoadError> {
    let mut errors = Vec::new();
    let mut gk = Gatekeeper::default();
    let mut kinds: BTreeMap<String, (usize, Option<Value>)> = BTreeMap::new();
    let mut cel_only = Vec::new();
    fn place<'a>(loaded: &'a crate::source::Loaded, doc: &'a Document) -> Option<Place<'a>> {
        loaded.files.get(doc.file.0).map(|file| Place { file, doc })
    }
    for doc in loaded.documents.iter().filter(|d| is_template(&d.value)) {
        let Some(place) = place(loaded, doc) else {
            continue;
        };
        match template(&place) {
            Ok(Read::Compiled(t, schema)) => {
                if kinds.contains_key(&t.kind) {
                    errors.push(place.at(
                        &[key("metadata"), key("name")],
                        format!("a second ConstraintTemplate defines kind {}", t.kind),
                    ));
                    continue;
                }
                kinds.insert(t.kind.clone(), (gk.templates.len(), schema));
                gk.templates.push(*t);
            }
            Ok(Read::CelOnly { name, kind }) => {
                gk.unsupported.push(format!("{name} ({kind})"));
                cel_only.push(kind);
            }
            Err(e) => errors.push(e),
        }
    }
    let mut seen = BTreeMap::new();
    for doc in loaded.documents.iter().filter(|d| is_constraint(&d.value)) {
        let Some(place) = place(loaded, doc) else {
            continue;
        };
        match constraint(&place, &kinds, &cel_only) {
            Ok(Some(c)) => {
                if let Some(first) = seen.insert(c.rule_id(), c.location.clone()) {
                    errors.push(place.at(
                        &[key("metadata"), key("name")],
                        format!("{} is defined twice (first at {first})", c.rule_id()),
                    ));
                    continue;
                }
                gk.constraints.push(c);
            }
            Ok(None) => {}
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(gk)
    } else {
        Err(LoadError { errors })
    }
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        && !crate::authoring::pack::is_suite(&path.to_string_lossy())
}

/// The templates and constraints of the `--rules` directories (YAML files beside
/// the Rego modules; a file that does not parse is skipped unless it mentions
/// `gatekeeper.sh`) and of `paths` (files or directories, the config's
/// `gatekeeper`: everything there must read).
pub fn load_dirs_and_paths(
    rule_dirs: &[PathBuf],
    paths: &[PathBuf],
) -> Result<Gatekeeper, LoadError> {
    let limits = Limits::default();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut errors = Vec::new();
    let problem = |name: String, message: String| Located {
        file: name,
        line: 1,
        column: 1,
        message,
    };
    for dir in rule_dirs {
        let found = crate::engine::pack::files_under(dir, is_yaml).unwrap_or_default();
        for path in found {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let mentions = bytes.windows(14).any(|w| w == b"gatekeeper.sh/");
            if !mentions {
                continue;
            }
            files.push((path.display().to_string(), bytes));
        }
    }
    for path in paths {
        let (found, problems) = crate::source::walk::discover(std::slice::from_ref(path));
        for p in problems {
            errors.push(problem(path.display().to_string(), p.message));
        }
        for file in found {
            match std::fs::read(&file) {
                Ok(bytes) => files.push((file.display().to_string(), bytes)),
                Err(e) => errors.push(problem(file.display().to_string(), e.to_string())),
            }
        }
    }
    // The same file named twice (a directory and a file in it) is read once.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|(name, _)| {
        let key = Path::new(name)
            .canonicalize()
            .unwrap_or_else(|_| PathBuf::from(name));
        seen.insert(key)
    });
    let loaded = load::load_named(files, &limits);
    for p in &loaded.problems {
        let (file, line, column) = match (p.file, &p.span) {
            (Some(id), span) => {
                let f = &loaded.files[id.0];
                let (l, c) = f.line_col(span.as_ref().map_or(0, |s| s.start));
                (f.name.clone(), l, c)
            }
            (None, _) => (String::new(), 1, 1),
        };
        errors.push(Located {
            file,
            line,
            column,
            message: p.message.clone(),
        });
    }
    if !errors.is_empty() {
        return Err(LoadError { errors });
    }
    from_loaded(&loaded)
}

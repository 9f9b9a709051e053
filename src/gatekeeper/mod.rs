//! Gatekeeper policies, run unchanged: ConstraintTemplates (`templates.gatekeeper.sh`
//! v1 and v1beta1) and their Constraints (`constraints.gatekeeper.sh/v1beta1`).
//!
//! This evaluator is separate from the rule-pack [`crate::engine::Engine`]: each
//! template's Rego (its `admission.k8s.gatekeeper.sh` target: `violation[{"msg",
//! "details"}]` and its `libs`, Rego v0 unless the source says `version: v1`) is
//! compiled once into its own regorus engine, because templates commonly reuse
//! package names (`data.lib.exclude_update`, or two templates with the same
//! package). An engine is prepared once and cloned per evaluation.
//!
//! What Gatekeeper does, this module does in the same order:
//!
//! 1. `spec.match` is decided in Rust ([`matching`]) against the review's object and
//!    old object, with the Namespace's labels when known;
//! 2. `spec.enforcementAction` (`deny`, `warn`, `dryrun`, or `scoped` with
//!    `scopedEnforcementActions` per enforcement point) says whether the constraint
//!    runs at this place and how much its violations weigh;
//! 3. the template's `violation` set is evaluated with `input.review` (the
//!    AdmissionRequest; on DELETE `object` is `oldObject`, and `namespaceObject` is
//!    set when the Namespace is known) and `input.parameters` (the constraint's
//!    `spec.parameters`), with `data.inventory` for templates that read it.
//!
//! Each violation becomes a [`RuleHit`] with rule id `<Kind>/<constraint name>`, so
//! that findings, reports, exemptions, `--base` and the webhook's response treat it
//! exactly like a built-in rule's.

mod compat;
mod load;
pub mod matching;
pub mod schema;
pub mod suite;

pub use load::{load_dirs_and_paths, LoadError, Loaded as LoadedPolicies};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Value;

use crate::engine::{path_from_value, EngineError, RuleHit};
use crate::facts::tenancy::NamespaceLookup;
use crate::finding::{RuleMeta, Severity};
use crate::source::{Document, PathSeg};
use matching::{Match, NamespaceInfo};

/// The target whose code runs at admission.
pub const TARGET: &str = "admission.k8s.gatekeeper.sh";
/// The category of every constraint's rule metadata.
pub const CATEGORY: &str = "gatekeeper";

/// Where a constraint is enforced: Gatekeeper's enforcement points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// `gator.gatekeeper.sh`: shift-left, `blastwall lint` and `blastwall test`.
    Gator,
    /// `validation.gatekeeper.sh`: the admission webhook and `blastwall review`.
    Validation,
}

impl Point {
    pub fn name(self) -> &'static str {
        match self {
            Point::Gator => "gator.gatekeeper.sh",
            Point::Validation => "validation.gatekeeper.sh",
        }
    }
}

/// What a constraint's violations do, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Recorded only: blastwall severity `info` (webhook: audit annotation).
    Dryrun,
    /// Blastwall severity `warning` (webhook: warning).
    Warn,
    /// Blastwall severity `error` (webhook: denied).
    Deny,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s.to_ascii_lowercase().as_str() {
            "deny" => Some(Action::Deny),
            "warn" => Some(Action::Warn),
            "dryrun" => Some(Action::Dryrun),
            _ => None,
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Action::Deny => Severity::Error,
            Action::Warn => Severity::Warning,
            Action::Dryrun => Severity::Info,
        }
    }
}

/// `spec.enforcementAction`, resolved per enforcement point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Enforcement {
    /// The same action everywhere.
    All(Action),
    /// `scoped`: `(action, points)` pairs; `*` names every point.
    Scoped(Vec<(Action, Vec<String>)>),
}

impl Enforcement {
    /// The action at `point`, or `None` when the constraint does not run there
    /// (the strongest when several are listed).
    pub fn at(&self, point: Point) -> Option<Action> {
        match self {
            Enforcement::All(action) => Some(*action),
            Enforcement::Scoped(list) => list
                .iter()
                .filter(|(_, points)| points.iter().any(|p| p == "*" || p == point.name()))
                .map(|(action, _)| *action)
                .max(),
        }
    }
}

/// One compiled ConstraintTemplate.
#[derive(Clone)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// `spec.crd.spec.names.kind`: the kind of its constraints.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// `file:line` of the template.
    pub location: String,
    engine: regorus::Engine,
    /// `data.<package>.violation`.
    query: String,
    /// Whether its Rego reads `data.inventory`.
    pub needs_inventory: bool,
}

/// One Constraint, ready to match and evaluate.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub kind: String,
    pub name: String,
    /// Index of its template.
    pub template: usize,
    pub matcher: Match,
    pub parameters: Value,
    pub enforcement: Enforcement,
    /// `file:line` of the constraint.
    pub location: String,
}

impl Constraint {
    /// The rule id of its findings: `<Kind>/<name>`.
    pub fn rule_id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// One violation of one constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Index of the constraint.
    pub constraint: usize,
    pub action: Action,
    pub message: String,
    pub details: Value,
}

/// The templates and constraints of a run.
#[derive(Clone, Default)]
pub struct Gatekeeper {
    pub templates: Vec<Template>,
    pub constraints: Vec<Constraint>,
    /// Templates blastwall cannot run (CEL only), each said once: `name (kind)`.
    pub unsupported: Vec<String>,
}

impl std::fmt::Debug for Gatekeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gatekeeper")
            .field(
                "templates",
                &self.templates.iter().map(|t| &t.name).collect::<Vec<_>>(),
            )
            .field("constraints", &self.constraints)
            .field("unsupported", &self.unsupported)
            .finish()
    }
}

/// The engines of a run's templates, with the run's `data.inventory` where a
/// template reads it; prepared, cloned per evaluation.
#[derive(Clone)]
pub struct Prepared {
    engines: Arc<Vec<regorus::Engine>>,
}

impl Gatekeeper {
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty()
    }

    /// Stops any single evaluation of a template after `limit`.
    pub fn set_time_limit(&mut self, limit: Duration) {
        let check_interval = std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN);
        for t in &mut self.templates {
            t.engine.set_execution_timer_config(ExecutionTimerConfig {
                limit,
                check_interval,
            });
        }
    }

    /// Rule metadata of every constraint, so that reports, the config's `rules` and
    /// `exemptions`, and `blastwall rules` know them. The severity is that of
    /// `blastwall lint` (the `gator.gatekeeper.sh` point).
    pub fn rules(&self) -> Vec<RuleMeta> {
        self.constraints
            .iter()
            .map(|c| {
                let t = &self.templates[c.template];
                let severity = c
                    .enforcement
                    .at(Point::Gator)
                    .map_or(Severity::Info, Action::severity);
                RuleMeta {
                    id: c.rule_id(),
                    title: t.title.clone(),
                    severity,
                    category: CATEGORY.into(),
                    description: format!(
                        "Gatekeeper constraint {} ({}) of ConstraintTemplate {} ({}). {}",
                        c.name, c.location, t.name, t.location, t.description
                    )
                    .trim_end()
                    .to_string(),
                    remediation: format!(
                        "Change the object so that the template's Rego finds no violation, narrow the constraint's `spec.match`, or exempt the object ({}).",
                        c.location
                    ),
                    example: None,
                    source: t.location.clone(),
                    exemptible: true,
                    params: None,
                    // A constraint's `spec.match` decides where it applies.
                    kinds: None,
                    checks_pods: false,
                }
            })
            .collect()
    }

    /// The templates' engines with `inventory` as `data.inventory` (for those that
    /// read it), prepared for evaluation.
    pub fn prepare(&self, inventory: Option<&Value>) -> Result<Prepared, EngineError> {
        let mut engines = Vec::with_capacity(self.templates.len());
        for t in &self.templates {
            let mut engine = t.engine.clone();
            if let (true, Some(inventory)) = (t.needs_inventory, inventory) {
                let mut data = BTreeMap::new();
                data.insert(Value::from("inventory"), inventory.clone());
                engine
                    .add_data(Value::from(data))
                    .map_err(|e| EngineError::Config(format!("inventory: {e}")))?;
                // Prepared once with the data, so that clones do not prepare again.
                engine.set_input(Value::new_object());
                let _ = engine.eval_rule(t.query.clone());
            }
            engines.push(engine);
        }
        Ok(Prepared {
            engines: Arc::new(engines),
        })
    }

    /// The violations of every constraint that runs at `point` and matches
    /// `review` (an AdmissionRequest as Gatekeeper builds it), in constraint order.
    pub fn evaluate(
        &self,
        prepared: &Prepared,
        review: &Value,
        namespace: Option<&NamespaceInfo>,
        point: Point,
    ) -> Result<Vec<Violation>, EngineError> {
        let mut out = Vec::new();
        let objects = [&review["object"], &review["oldObject"]];
        for (index, c) in self.constraints.iter().enumerate() {
            let Some(action) = c.enforcement.at(point) else {
                continue;
            };
            let matched = objects
                .iter()
                .filter(|o| matches!(o, Value::Object(_)))
                .any(|o| c.matcher.matches(o, namespace) == Ok(true));
            if !matched {
                continue;
            }
            let Some(engine) = prepared.engines.get(c.template) else {
                continue;
            };
            let mut engine = engine.clone();
            let mut input = BTreeMap::new();
            input.insert(Value::from("review"), review.clone());
            input.insert(Value::from("parameters"), c.parameters.clone());
            engine.set_input(Value::from(input));
            let query = &self.templates[c.template].query;
            let result = engine
                .eval_rule(query.clone())
                .map_err(|e| EngineError::Eval(format!("{}: {e}", c.rule_id())))?;
            let items: Vec<&Value> = match &result {
                Value::Set(set) => set.iter().collect(),
                Value::Array(items) => items.iter().collect(),
                _ => Vec::new(),
            };
            for r in items {
                // As Gatekeeper's hook: a result without `msg` is no violation.
                let message = match &r["msg"] {
                    Value::String(s) => s.to_string(),
                    Value::Undefined => continue,
                    other => other.to_json_str().unwrap_or_default(),
                };
                let details = match &r["details"] {
                    Value::Undefined => Value::new_object(),
                    d => d.clone(),
                };
                out.push(Violation {
                    constraint: index,
                    action,
                    message,
                    details,
                });
            }
        }
        Ok(out)
    }
}

/// `review` as Gatekeeper hands it to templates: on DELETE, `object` is the old
/// object; `namespaceObject` is the Namespace when its labels are known.
pub fn gatekeeper_review(review: &Value, namespace: Option<&NamespaceInfo>) -> Value {
    let mut out = review.clone();
    let delete = review["operation"] == Value::from("DELETE");
    if let Ok(map) = out.as_object_mut() {
        if delete && matches!(review["oldObject"], Value::Object(_)) {
            map.insert(Value::from("object"), review["oldObject"].clone());
        }
        if let Some(ns) = namespace {
            map.insert(Value::from("namespaceObject"), namespace_object(ns));
        }
    }
    out
}

/// A Namespace object with what is known of it: name and labels.
pub fn namespace_object(ns: &NamespaceInfo) -> Value {
    let labels: BTreeMap<Value, Value> = ns
        .labels
        .iter()
        .map(|(k, v)| (Value::from(k.as_str()), Value::from(v.as_str())))
        .collect();
    let mut metadata = BTreeMap::new();
    metadata.insert(Value::from("name"), Value::from(ns.name));
    metadata.insert(Value::from("labels"), Value::from(labels));
    let mut object = BTreeMap::new();
    object.insert(Value::from("apiVersion"), Value::from("v1"));
    object.insert(Value::from("kind"), Value::from("Namespace"));
    object.insert(Value::from("metadata"), Value::from(metadata));
    Value::from(object)
}

/// `data.inventory` as Gatekeeper's sync builds it from `objects`:
/// `cluster[<apiVersion>][<kind>][<name>]` and
/// `namespace[<namespace>][<apiVersion>][<kind>][<name>]`.
pub fn inventory<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Value {
    type Tree = BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>;
    let mut cluster: Tree = BTreeMap::new();
    let mut namespaced: BTreeMap<String, Tree> = BTreeMap::new();
    for object in objects {
        let text = |v: &Value| match v {
            Value::String(s) => s.to_string(),
            _ => String::new(),
        };
        let (api_version, kind) = (text(&object["apiVersion"]), text(&object["kind"]));
        let name = text(&object["metadata"]["name"]);
        if api_version.is_empty() || kind.is_empty() {
            continue;
        }
        let namespace = text(&object["metadata"]["namespace"]);
        let tree = if namespace.is_empty() {
            &mut cluster
        } else {
            namespaced.entry(namespace).or_default()
        };
        tree.entry(api_version)
            .or_default()
            .entry(kind)
            .or_default()
            .insert(name, object.clone());
    }
    fn to_value(tree: Tree) -> Value {
        let map: BTreeMap<Value, Value> = tree
            .into_iter()
            .map(|(gv, kinds)| {
                let kinds: BTreeMap<Value, Value> = kinds
                    .into_iter()
                    .map(|(kind, names)| {
                        let names: BTreeMap<Value, Value> = names
                            .into_iter()
                            .map(|(n, o)| (Value::from(n.as_str()), o))
                            .collect();
                        (Value::from(kind.as_str()), Value::from(names))
                    })
                    .collect();
                (Value::from(gv.as_str()), Value::from(kinds))
            })
            .collect();
        Value::from(map)
    }
    let namespaced: BTreeMap<Value, Value> = namespaced
        .into_iter()
        .map(|(ns, tree)| (Value::from(ns.as_str()), to_value(tree)))
        .collect();
    let mut out = BTreeMap::new();
    out.insert(Value::from("cluster"), to_value(cluster));
    out.insert(Value::from("namespace"), Value::from(namespaced));
    Value::from(out)
}

/// The Gatekeeper policies of one place (lint, review, webhook): what the rule
/// pipeline asks for the hits of a review.
#[derive(Clone)]
pub struct Run {
    pub policies: Arc<Gatekeeper>,
    prepared: Prepared,
    /// Namespace labels for `namespaceSelector` and `namespaceObject`.
    pub namespaces: Option<Arc<dyn NamespaceLookup>>,
    pub point: Point,
}

impl Run {
    /// `policies` at `point`, with `inventory` as `data.inventory`.
    pub fn new(
        policies: Arc<Gatekeeper>,
        inventory: Option<&Value>,
        namespaces: Option<Arc<dyn NamespaceLookup>>,
        point: Point,
    ) -> Result<Run, EngineError> {
        let prepared = policies.prepare(inventory)?;
        Ok(Run {
            policies,
            prepared,
            namespaces,
            point,
        })
    }

    /// The run of a lint: the inventory and the Namespace labels come from the
    /// linted documents.
    pub fn for_documents(
        policies: Arc<Gatekeeper>,
        documents: &[Document],
    ) -> Result<Run, EngineError> {
        let needs_inventory = policies.templates.iter().any(|t| t.needs_inventory);
        let inventory = needs_inventory.then(|| inventory(documents.iter().map(|d| &d.value)));
        let labels = crate::facts::tenancy::namespace_labels(documents);
        Run::new(
            policies,
            inventory.as_ref(),
            Some(Arc::new(labels)),
            Point::Gator,
        )
    }

    /// The hits of every constraint on `review` (blastwall's AdmissionRequest-shaped
    /// review), as built-in rules report theirs.
    pub fn hits(&self, review: &Value) -> Result<Vec<RuleHit>, EngineError> {
        if self.policies.is_empty() {
            return Ok(Vec::new());
        }
        let name = match &review["namespace"] {
            Value::String(s) if !s.is_empty() => Some(s.to_string()),
            _ => None,
        };
        let labels = match (&name, &self.namespaces) {
            (Some(name), Some(lookup)) => lookup.labels(name),
            _ => None,
        };
        let info = match (&name, &labels) {
            (Some(name), Some(labels)) => Some(NamespaceInfo { name, labels }),
            _ => None,
        };
        let review = gatekeeper_review(review, info.as_ref());
        let violations =
            self.policies
                .evaluate(&self.prepared, &review, info.as_ref(), self.point)?;
        Ok(violations
            .into_iter()
            .map(|v| {
                let c = &self.policies.constraints[v.constraint];
                RuleHit {
                    rule: c.rule_id(),
                    severity: v.action.severity(),
                    message: v.message,
                    path: details_path(&v.details),
                    related: Vec::new(),
                    at_key: false,
                }
            })
            .collect())
    }
}

/// The field a violation's `details` names, if any: `details.path` as an array of
/// keys and indexes, or as a string such as `spec.containers[0].image`.
pub fn details_path(details: &Value) -> Vec<PathSeg> {
    match &details["path"] {
        Value::Array(_) => path_from_value(&details["path"]),
        Value::String(s) => parse_path(s),
        _ => Vec::new(),
    }
}

/// `spec.containers[0].image` → `["spec", "containers", 0, "image"]`.
fn parse_path(s: &str) -> Vec<PathSeg> {
    let mut out = Vec::new();
    for part in s.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(PathSeg::Key(rest[..i].into()));
            }
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(end) = stripped.find(']') else {
                    return out;
                };
                match stripped[..end].parse::<usize>() {
                    Ok(n) => out.push(PathSeg::Index(n)),
                    Err(_) => return out,
                }
                rest = &stripped[end + 1..];
            }
        } else {
            out.push(PathSeg::Key(rest.into()));
        }
    }
    out
}

#[cfg(test)]
mod tests;

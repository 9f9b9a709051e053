//! Evaluating one case of a fixture suite the way the real entry points do: a
//! manifest as `blastwall lint` does, a change or an AdmissionReview as the webhook
//! does. The findings come back with the line they point at, where there is one.

use std::sync::Arc;

use super::pack::Pack;
use super::suite::{Case, Input, Manifest, User};
use crate::config::Config;
use crate::engine::Engine;
use crate::facts::{tenancy, Context};
use crate::finding::ObjectRef;
use crate::review::{self, Operation, Requester};
use crate::source::load::{load_named, load_str};
use crate::source::{Limits, Loaded};

/// A finding as a case sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    pub rule: String,
    /// 1-based, in the file the finding points into; none for AdmissionReviews.
    pub line: Option<usize>,
    /// 1-based, in characters, with `line`.
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Actual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{} at line {line}:{column}: {}", self.rule, self.message)
            }
            (Some(line), None) => write!(f, "{} at line {line}: {}", self.rule, self.message),
            _ => write!(f, "{}: {}", self.rule, self.message),
        }
    }
}

/// Why a case could not be evaluated: an unreadable or unparsable input.
#[derive(Debug)]
pub struct CaseError(pub String);

pub fn evaluate(
    pack: &Pack,
    suite: &str,
    case: &Case,
    engine: &Engine,
    config: Option<&Config>,
) -> Result<Vec<Actual>, CaseError> {
    let eval = |e: crate::engine::EngineError| CaseError(e.to_string());
    match &case.input {
        Input::Lint(manifest) => {
            let loaded = load(pack, suite, case, manifest)?;
            let mut ctx =
                tenancy::run_context_in(config.cloned(), &loaded.documents, &loaded.files);
            let cluster = config.and_then(|c| c.cluster.name.as_deref());
            ctx.access_run =
                crate::access_entries::run::RunIndex::build(&loaded, cluster).map(Arc::new);
            let findings = crate::lint::lint_with(engine, &loaded, &ctx, 1).map_err(eval)?;
            Ok(findings
                .into_iter()
                .map(|f| {
                    let (line, column) = position(&loaded, f.file, f.span.as_ref()).unzip();
                    Actual {
                        line,
                        column,
                        rule: f.rule,
                        message: f.message,
                    }
                })
                .collect())
        }
        Input::Change {
            operation,
            new,
            old,
            user,
        } => {
            let new = match new {
                Some(m) => Some(one(load(pack, suite, case, m)?)?),
                None => None,
            };
            let old = match old {
                Some(f) => Some(one(load(
                    pack,
                    suite,
                    case,
                    &Manifest::Files(vec![f.clone()]),
                )?)?),
                None => None,
            };
            change(operation, new, old, user, engine, config).map_err(eval)
        }
        Input::Review(file) => {
            let name = pack.join(suite, file);
            let text = pack.read(&name).map_err(CaseError)?;
            let body = if name.ends_with(".yaml") || name.ends_with(".yml") {
                let loaded = one(load_str(&name, text, &Limits::default()))?;
                serde_json::to_vec(&loaded.documents[0].value)
                    .map_err(|e| CaseError(format!("{name}: {e}")))?
            } else {
                text.into_bytes()
            };
            let request =
                crate::admission::decode(&body).map_err(|e| CaseError(format!("{name}: {e}")))?;
            let ctx = Context {
                tenancy: config.map(|c| Arc::new(tenancy::Tenancy::new(c.clone()))),
                namespaces: None,
                gatekeeper: None,
                roles: None,
                access_run: None,
            };
            let hits =
                crate::change::evaluate_review(engine, &request.review, &ctx).map_err(eval)?;
            Ok(hits
                .into_iter()
                .map(|h| Actual {
                    rule: h.hit.rule,
                    line: None,
                    column: None,
                    message: h.hit.message,
                })
                .collect())
        }
    }
}

/// Reads a manifest; a problem (unreadable, unparsable) is an error.
fn load(pack: &Pack, suite: &str, case: &Case, manifest: &Manifest) -> Result<Loaded, CaseError> {
    let limits = Limits::default();
    let loaded = match manifest {
        Manifest::Inline(text) => {
            load_str(&format!("{suite}:{}", case.line), text.clone(), &limits)
        }
        Manifest::Files(files) => {
            let mut read = Vec::with_capacity(files.len());
            for file in files {
                let name = pack.join(suite, file);
                let text = pack.read(&name).map_err(CaseError)?;
                read.push((name, text.into_bytes()));
            }
            load_named(read, &limits)
        }
    };
    if let Some(problem) = loaded.problems.first() {
        let at = match (problem.file, &problem.span) {
            (Some(file), Some(span)) => {
                let f = &loaded.files[file.0];
                let (line, col) = f.line_col(span.start);
                format!("{}:{line}:{col}: ", f.name)
            }
            _ => String::new(),
        };
        return Err(CaseError(format!("{at}{}", problem.message)));
    }
    Ok(loaded)
}

/// `loaded`, which must hold exactly one object.
fn one(loaded: Loaded) -> Result<Loaded, CaseError> {
    if loaded.documents.len() != 1 {
        let names: Vec<&str> = loaded.files.iter().map(|f| f.name.as_str()).collect();
        return Err(CaseError(format!(
            "{} holds {} objects; a change is about one",
            names.join(", "),
            loaded.documents.len()
        )));
    }
    Ok(loaded)
}

/// (line, column) where a finding points, 1-based.
fn position(
    loaded: &Loaded,
    file: Option<crate::source::FileId>,
    span: Option<&crate::source::ByteRange>,
) -> Option<(usize, usize)> {
    let file = loaded.files.get(file?.0)?;
    Some(file.line_col(span?.start))
}

/// Reviews the change from `old` to `new` by `user`, like the webhook.
fn change(
    operation: &str,
    new: Option<Loaded>,
    old: Option<Loaded>,
    user: &User,
    engine: &Engine,
    config: Option<&Config>,
) -> Result<Vec<Actual>, crate::engine::EngineError> {
    let operation = match operation {
        "UPDATE" => Operation::Update,
        "DELETE" => Operation::Delete,
        _ => Operation::Create,
    };
    let requester = Requester {
        username: user.username.clone(),
        groups: user.groups.clone(),
    };
    let value = |l: &Option<Loaded>| l.as_ref().map(|l| l.documents[0].value.clone());
    let review = review::build(operation, value(&new), value(&old), &requester);
    let docs: Vec<_> = new
        .iter()
        .chain(old.iter())
        .map(|l| l.documents[0].clone())
        .collect();
    let ctx = tenancy::run_context(config.cloned(), &docs);
    let hits = crate::change::evaluate_review(engine, &review, &ctx)?;
    // Paths point into the new object, or into the old one on DELETE.
    let Some(subject) = new.as_ref().or(old.as_ref()) else {
        return Ok(Vec::new());
    };
    let doc = crate::lint::spliced(subject, &subject.documents[0]);
    let object = ObjectRef::from_value(&doc.value);
    Ok(hits
        .into_iter()
        .map(|h| {
            let f = crate::lint::place(h.hit, &doc, &object);
            let (line, column) = position(subject, f.file, f.span.as_ref()).unzip();
            Actual {
                line,
                column,
                rule: f.rule,
                message: f.message,
            }
        })
        .collect())
}

//! `lint --base`: the change from an earlier revision to the inputs as they are now,
//! reviewed object by object as the API server would see it applied.
//!
//! Objects are paired by identity ([`pair`]): an object only in the new inputs is a
//! CREATE review; one in both that changed is an UPDATE with `oldObject`; one that is
//! gone is a DELETE (`object: null`). An object that did not change gets no review at
//! all, so an untouched file never yields a finding. Each review is evaluated by
//! [`crate::change::evaluate_review`], as the webhook evaluates it, which marks the
//! findings an UPDATE's old object already had as pre-existing.
//!
//! Findings of CREATE and UPDATE reviews are placed in the new document. A DELETE has
//! no new document: its findings are placed in the removed document as it was at the
//! base revision, in a file named `REV:path` that has no path on disk (so the human
//! format shows the removed lines, and GitHub and SARIF name `REV:path:line` in the
//! message instead of pointing into the pull request's files).

pub mod pair;

use std::collections::BTreeSet;

use crate::change;
use crate::engine::{Engine, EngineError};
use crate::exempt;
use crate::facts::Context;
use crate::finding::{Finding, ObjectRef};
use crate::review::{self, Operation, Requester};
use crate::source::{Document, FileId, Loaded, PathSeg, Problem, SourceFile};

use pair::{Entry, Side, Transition};

/// The two sides of a change. `*_keys` name each file (by [`FileId`]) so that the
/// same file has the same key on both sides: its path in the repository.
pub struct Sides<'a> {
    pub head: &'a Loaded,
    pub head_keys: &'a [String],
    pub base: &'a Loaded,
    pub base_keys: &'a [String],
}

/// What reviewing a change found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sorted as [`super::sort`] sorts. Findings of DELETE reviews point into
    /// `base_files`, numbered after the head's files.
    pub findings: Vec<Finding>,
    /// Files of the base revision that findings point into.
    pub base_files: Vec<SourceFile>,
    /// What makes the run fail to give a verdict (exit 2): an object defined twice in
    /// one new file.
    pub problems: Vec<Problem>,
    /// What the user should know but does not change the verdict: parts of the base
    /// that could not be read (their objects count as new), ambiguous pairings.
    pub warnings: Vec<String>,
    /// Objects reviewed as created, updated and deleted, and left alone.
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
}

/// Reviews every change between `sides.base` and `sides.head`, made by `requester`,
/// with `exemptions` applied to each review's findings, spreading reviews over
/// `threads` threads.
pub fn lint_change(
    engine: &Engine,
    sides: &Sides,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    requester: &Requester,
    threads: usize,
) -> Result<Outcome, EngineError> {
    let head_entries = entries(sides.head, sides.head_keys);
    let base_entries = entries(sides.base, sides.base_keys);
    let pairing = pair::pair(&head_entries, &base_entries);

    let count = |f: fn(&Transition) -> bool| pairing.transitions.iter().filter(|t| f(t)).count();
    let mut out = Outcome {
        created: count(|t| matches!(t, Transition::Create { .. })),
        updated: count(|t| matches!(t, Transition::Update { .. })),
        deleted: count(|t| matches!(t, Transition::Delete { .. })),
        unchanged: pairing.unchanged,
        ..Outcome::default()
    };
    report_ambiguities(sides, &pairing, &mut out);

    let work = &pairing.transitions;
    let threads = threads.clamp(1, 64).min(work.len().div_ceil(32).max(1));
    let chunk = work.len().div_ceil(threads).max(1);
    let mut findings = std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|slice| {
                scope.spawn(move || {
                    let mut found = Vec::new();
                    for t in slice {
                        review_one(engine, sides, ctx, exemptions, requester, *t, &mut found)?;
                    }
                    Ok::<_, EngineError>(found)
                })
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(result) => all.extend(result?),
                Err(_) => return Err(EngineError::Eval("a lint thread panicked".into())),
            }
        }
        Ok(all)
    })?;

    // Findings in base files: renumber them after the head's files, keeping only the
    // base files they need.
    let offset = sides.head.files.len();
    let used: BTreeSet<usize> = findings
        .iter()
        .filter_map(|f| f.file.filter(|id| id.0 >= offset).map(|id| id.0 - offset))
        .collect();
    let renumber: std::collections::BTreeMap<usize, usize> = used
        .iter()
        .enumerate()
        .map(|(new, old)| (*old, offset + new))
        .collect();
    for f in &mut findings {
        if let Some(id) = f.file.filter(|id| id.0 >= offset) {
            f.file = renumber.get(&(id.0 - offset)).map(|&n| FileId(n));
        }
    }
    out.base_files = used
        .iter()
        .filter_map(|&i| sides.base.files.get(i))
        .map(|f| SourceFile::new(f.name.clone(), None, f.text.clone()))
        .collect();
    super::sort(&mut findings);
    out.findings = findings;

    for problem in &sides.base.problems {
        let at = problem
            .file
            .and_then(|id| sides.base.files.get(id.0))
            .map(|file| match &problem.span {
                Some(span) => {
                    let (line, col) = file.line_col(span.start);
                    format!("{}:{line}:{col}: ", file.name)
                }
                None => format!("{}: ", file.name),
            })
            .unwrap_or_default();
        out.warnings.push(format!(
            "{at}{}; objects there are compared as if new",
            problem.message
        ));
    }
    Ok(out)
}

/// The documents of a side, each with the key of its file.
fn entries<'a>(loaded: &'a Loaded, keys: &'a [String]) -> Vec<Entry<'a>> {
    loaded
        .documents
        .iter()
        .map(|doc| Entry {
            file: keys.get(doc.file.0).map_or("", String::as_str),
            doc,
        })
        .collect()
}

/// Evaluates one transition and places its findings.
fn review_one(
    engine: &Engine,
    sides: &Sides,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    requester: &Requester,
    transition: Transition,
    out: &mut Vec<Finding>,
) -> Result<(), EngineError> {
    let head_doc = |i: usize| super::spliced(sides.head, &sides.head.documents[i]);
    let base_doc = |i: usize| super::spliced(sides.base, &sides.base.documents[i]);
    let (review, placed_in, file_offset, old) = match transition {
        Transition::Create { head } => {
            let doc = head_doc(head);
            let review = review::build(Operation::Create, Some(doc.value.clone()), None, requester);
            (review, doc, 0, None)
        }
        Transition::Update { head, base } => {
            let doc = head_doc(head);
            let old = &sides.base.documents[base];
            let review = review::build(
                Operation::Update,
                Some(doc.value.clone()),
                Some(old.value.clone()),
                requester,
            );
            (review, doc, 0, Some(old))
        }
        Transition::Delete { base } => {
            let doc = base_doc(base);
            let review = review::build(Operation::Delete, None, Some(doc.value.clone()), requester);
            (review, doc, sides.head.files.len(), None)
        }
    };
    let object = ObjectRef::from_value(&placed_in.value);
    let mut found = Vec::new();
    if file_offset == 0 {
        // Keys defined twice: pre-existing when the old document had the same one.
        for mut f in super::duplicate_keys(engine, &placed_in, &object) {
            f.pre_existing = old.is_some_and(|old| has_duplicate(old, &f.path));
            found.push(f);
        }
    }
    let files = if file_offset == 0 {
        &sides.head.files
    } else {
        &sides.base.files
    };
    let text = files.get(placed_in.file.0).map(|f| f.text.as_str());
    for hit in change::evaluate_review(engine, &review, ctx)? {
        let mut f = super::place(hit.hit, &placed_in, &object);
        if let Some(at) =
            text.and_then(|t| super::comment_naming_missing_key(t, &placed_in.spans, &f.path))
        {
            f.span = Some(at);
        }
        f.pre_existing = hit.pre_existing;
        found.push(f);
    }
    if let Some(run) = exemptions {
        run.apply(&review, &placed_in, &object, &mut found, 0);
    }
    for f in &mut found {
        f.file = f.file.map(|id| FileId(id.0 + file_offset));
    }
    out.extend(found);
    Ok(())
}

/// Whether `doc` defines the key at `path` twice.
fn has_duplicate(doc: &Document, path: &[PathSeg]) -> bool {
    doc.duplicate_keys.iter().any(|d| {
        path.split_last().is_some_and(|(key, parent)| {
            parent == d.path && *key == PathSeg::Key(d.key.as_str().into())
        })
    })
}

/// Same-file duplicates and unpairable identities, as problems and warnings.
fn report_ambiguities(sides: &Sides, pairing: &pair::Pairing, out: &mut Outcome) {
    let place = |loaded: &Loaded, doc: &Document| -> String {
        let file = &loaded.files[doc.file.0];
        let (line, col) = file.line_col(doc.spans.span.start);
        format!("{}:{line}:{col}", file.name)
    };
    for d in &pairing.duplicates {
        match d.side {
            Side::Head => {
                let kept = &sides.head.documents[d.kept];
                let replaced = &sides.head.documents[d.replaced];
                let name = kept
                    .spans
                    .resolve(&[PathSeg::Key("metadata".into()), PathSeg::Key("name".into())]);
                out.problems.push(Problem {
                    file: Some(kept.file),
                    span: Some(name.node.label_range()),
                    message: format!(
                        "{} is defined again in this file (first at {}); `kubectl apply` keeps only the last, so it cannot be compared with the base unambiguously",
                        d.identity.describe(),
                        place(sides.head, replaced)
                    ),
                });
            }
            Side::Base => {
                let kept = &sides.base.documents[d.kept];
                out.warnings.push(format!(
                    "{}: {} is defined more than once in this file; compared with the last one",
                    place(sides.base, kept),
                    d.identity.describe()
                ));
            }
        }
    }
    for identity in &pairing.unpaired {
        out.warnings.push(format!(
            "{} is in several files before and after the change, and the files differ; each old one is reviewed as deleted and each new one as created",
            identity.describe()
        ));
    }
}

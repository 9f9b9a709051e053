//! The lint pipeline: documents → reviews → engine → findings placed in their files.

pub mod base;

use std::borrow::Cow;

use regorus::Value;

use crate::awsauth;
use crate::engine::{native, Engine, EngineError, RuleHit};
use crate::exempt;
use crate::facts::{self, Context};
use crate::finding::{Finding, ObjectRef, Related};
use crate::review::{self, Operation, Requester};
use crate::source::{Document, Loaded, PathSeg, SpanNode};

/// Facts computed natively for one review before its rules run.
pub fn facts_for(review: &Value, ctx: &Context) -> Value {
    facts::compute(review, ctx)
}

/// Lints every document of `loaded` without a tenancy config.
pub fn lint(engine: &Engine, loaded: &Loaded, threads: usize) -> Result<Vec<Finding>, EngineError> {
    lint_with(engine, loaded, &Context::default(), threads)
}

/// Lints every document of `loaded` with the facts context `ctx`, spreading documents
/// over `threads` threads. Findings come back sorted by file, position and rule.
pub fn lint_with(
    engine: &Engine,
    loaded: &Loaded,
    ctx: &Context,
    threads: usize,
) -> Result<Vec<Finding>, EngineError> {
    lint_with_exemptions(engine, loaded, ctx, None, threads)
}

/// [`lint_with`], with `exemptions` marking the findings they accept and adding
/// findings about each document's inline exemptions.
pub fn lint_with_exemptions(
    engine: &Engine,
    loaded: &Loaded,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    threads: usize,
) -> Result<Vec<Finding>, EngineError> {
    lint_as(
        engine,
        loaded,
        ctx,
        exemptions,
        &Requester::default(),
        threads,
    )
}

/// [`lint_with_exemptions`], with every document created by `requester` (`userInfo`).
pub fn lint_as(
    engine: &Engine,
    loaded: &Loaded,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    requester: &Requester,
    threads: usize,
) -> Result<Vec<Finding>, EngineError> {
    let docs = &loaded.documents;
    let threads = threads.clamp(1, 64).min(docs.len().div_ceil(32).max(1));
    let mut findings = if threads == 1 {
        lint_slice(engine, loaded, ctx, exemptions, requester, docs)?
    } else {
        let chunk = docs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = docs
                .chunks(chunk)
                .map(|slice| {
                    scope.spawn(move || {
                        lint_slice(engine, loaded, ctx, exemptions, requester, slice)
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
        })?
    };
    sort(&mut findings);
    Ok(findings)
}

/// The order reports list findings in: by file, position, rule and message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.file,
            a.span.as_ref().map(|s| s.start),
            &a.rule,
            &a.message,
        )
            .cmp(&(
                b.file,
                b.span.as_ref().map(|s| s.start),
                &b.rule,
                &b.message,
            ))
    });
}

fn lint_slice(
    engine: &Engine,
    loaded: &Loaded,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    requester: &Requester,
    docs: &[Document],
) -> Result<Vec<Finding>, EngineError> {
    let mut findings = Vec::new();
    for doc in docs {
        lint_document(
            engine,
            loaded,
            ctx,
            exemptions,
            requester,
            doc,
            &mut findings,
        )?;
    }
    Ok(findings)
}

/// Evaluates one document as a CREATE review by `requester` and appends its findings.
pub fn lint_document(
    engine: &Engine,
    loaded: &Loaded,
    ctx: &Context,
    exemptions: Option<&exempt::Run>,
    requester: &Requester,
    doc: &Document,
    out: &mut Vec<Finding>,
) -> Result<(), EngineError> {
    let first = out.len();
    let doc = spliced(loaded, doc);
    let object = ObjectRef::from_value(&doc.value);
    out.extend(duplicate_keys(engine, &doc, &object));
    let review = review::build(Operation::Create, Some(doc.value.clone()), None, requester);
    let key = crate::access_entries::run::DocKey::of(&doc);
    // Facts are computed as far as the rules the document reaches read them.
    let facts = facts::Lazy::new(&review, ctx, Some(key));
    // Say which document a runaway rule or template, or a runtime error, was on.
    let on_document = |e: EngineError| match e {
        EngineError::Eval(message) => EngineError::Eval(format!(
            "{} (document {}): {message}",
            loaded
                .files
                .get(doc.file.0)
                .map_or("<input>", |f| f.name.as_str()),
            doc.index + 1
        )),
        other => other,
    };
    let hits = engine
        .evaluate_review(&review, &facts)
        .map_err(on_document)?;
    let text = loaded.files.get(doc.file.0).map(|f| f.text.as_str());
    for hit in hits {
        let mut finding = place(hit, &doc, &object);
        if let Some(text) = text {
            if let Some(at) = comment_naming_missing_key(text, &doc.spans, &finding.path) {
                finding.span = Some(at);
            }
        }
        out.push(finding);
    }
    if let Some(gatekeeper) = &ctx.gatekeeper {
        for hit in gatekeeper.hits(&review).map_err(on_document)? {
            out.push(place(hit, &doc, &object));
        }
    }
    if let Some(run) = exemptions {
        run.apply(&review, &doc, &object, out, first);
    }
    Ok(())
}

/// `doc` with spans that reach inside the YAML embedded in aws-auth's `data.mapRoles`
/// etc., so findings there land on the right line; a CloudFormation template with its
/// short-form intrinsics (`!Ref X`) read as the functions they are; other documents
/// as they are.
pub fn spliced<'a>(loaded: &Loaded, doc: &'a Document) -> Cow<'a, Document> {
    let file = loaded.files.get(doc.file.0);
    if let Some(file) = file {
        if crate::access_entries::cloudformation::is_template(&doc.value) {
            let value = crate::access_entries::cloudformation::with_intrinsics(
                &doc.value, &doc.spans, &file.text,
            );
            return Cow::Owned(Document {
                value,
                ..doc.clone()
            });
        }
    }
    match file.and_then(|file| awsauth::splice_with_tags(&doc.spans, &doc.value, &file.text)) {
        Some((spans, tagged)) => Cow::Owned(Document {
            spans,
            tagged: doc.tagged.iter().cloned().chain(tagged).collect(),
            ..doc.clone()
        }),
        None => Cow::Borrowed(doc),
    }
}

/// A finding for each key `doc` defines twice.
pub fn duplicate_keys(engine: &Engine, doc: &Document, object: &ObjectRef) -> Vec<Finding> {
    let severity = engine
        .rule(native::DUPLICATE_KEY)
        .map(|r| r.severity)
        .unwrap_or(crate::finding::Severity::Error);
    doc.duplicate_keys
        .iter()
        .map(|dup| {
            let mut path = dup.path.clone();
            path.push(PathSeg::Key(dup.key.as_str().into()));
            Finding {
                rule: native::DUPLICATE_KEY.into(),
                severity,
                message: format!(
                    "key `{}` is defined twice; Kubernetes keeps only the last value",
                    dup.key
                ),
                object: object.clone(),
                path: path.clone(),
                file: Some(doc.file),
                span: Some(dup.second.clone()),
                related: vec![Related {
                    path,
                    span: Some(dup.first.clone()),
                    message: "first defined here, and ignored".into(),
                }],
                suppression: None,
                pre_existing: false,
            }
        })
        .collect()
}

/// For a finding about a key that is not written (its path goes past the nodes that
/// exist), a comment line of the enclosing block that names the key: where the
/// author noted the setting left out (`# bootstrapClusterCreatorAdminPermissions not
/// set`, `# no access_config block`), so the finding lands where the setting
/// belongs rather than on the block's first line. Only whole-line comments (`#`, or
/// `//` in Terraform) inside the block's own span count, and the key must appear as
/// a word of its own.
pub fn comment_naming_missing_key(
    text: &str,
    spans: &SpanNode,
    path: &[PathSeg],
) -> Option<std::ops::Range<usize>> {
    let resolved = spans.resolve(path);
    let PathSeg::Key(key) = path.get(resolved.matched)? else {
        return None;
    };
    // Short keys (`name`, `type`) are words of ordinary comments.
    if key.len() < 8 {
        return None;
    }
    let block = extent(resolved.node);
    let region = text.get(block.clone())?;
    let mut offset = block.start;
    for line in region.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        if is_comment && names_word(trimmed, key) {
            let body = trimmed.trim_end();
            return Some(offset + indent..offset + indent + body.len());
        }
        offset += line.len();
    }
    None
}

/// The bytes a node covers: from its key (or itself) to the end of its last
/// descendant (a YAML collection's own span is its first token only).
fn extent(node: &SpanNode) -> std::ops::Range<usize> {
    fn end(node: &SpanNode, depth: usize) -> usize {
        let own = node.span.end;
        if depth > 256 {
            return own;
        }
        let children: Vec<&SpanNode> = match &node.children {
            crate::source::span::Children::Seq(items) => items.iter().collect(),
            crate::source::span::Children::Map(entries) => entries.iter().map(|(_, n)| n).collect(),
            crate::source::span::Children::Embedded(_) | crate::source::span::Children::Leaf => {
                Vec::new()
            }
        };
        children
            .into_iter()
            .map(|c| end(c, depth + 1))
            .fold(own, usize::max)
    }
    let start = node.key_span.as_ref().map_or(node.span.start, |k| k.start);
    start.min(node.span.start)..end(node, 0)
}

/// Whether `word` appears in `text` with no identifier character on either side.
fn names_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Turns a rule's hit into a finding located in the document's file.
pub fn place(mut hit: RuleHit, doc: &Document, object: &ObjectRef) -> Finding {
    // A rule's message never repeats a Secret's values.
    if object.kind == "Secret" {
        let mask = crate::admission::Mask::for_objects(&[&doc.value]);
        hit.message = mask.apply(&hit.message);
        for (_, message) in &mut hit.related {
            *message = mask.apply(message);
        }
    }
    let locate = |spans: &SpanNode, path: &[PathSeg]| spans.resolve(path).node.label_range();
    let mut related: Vec<Related> = hit
        .related
        .into_iter()
        .map(|(path, message)| Related {
            span: Some(locate(&doc.spans, &path)),
            path,
            message,
        })
        .collect();
    // A field written with a tag that changes what it says may be hiding something.
    related.extend(
        doc.tagged
            .iter()
            .filter(|t| hit.path.starts_with(&t.path))
            .map(|t| Related {
                path: t.path.clone(),
                span: Some(t.span.clone()),
                message: t.note(),
            }),
    );
    // A finding about a key is shown at the key, when the path reaches it.
    let resolved = doc.spans.resolve(&hit.path);
    let span = match (&resolved.node.key_span, hit.at_key) {
        (Some(key), true) if resolved.matched == hit.path.len() => key.clone(),
        _ => resolved.node.label_range(),
    };
    Finding {
        span: Some(span),
        rule: hit.rule,
        severity: hit.severity,
        message: hit.message,
        object: object.clone(),
        path: hit.path,
        file: Some(doc.file),
        related,
        suppression: None,
        pre_existing: false,
    }
}

#[cfg(test)]
mod comment_tests {
    use super::comment_naming_missing_key;
    use crate::source::load::load_str;
    use crate::source::{Limits, PathSeg};

    fn at(text: &str, path: &[&str]) -> Option<(usize, usize)> {
        let loaded = load_str("x.yaml", text.to_string(), &Limits::default());
        let doc = &loaded.documents[0];
        let path: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key((*k).into())).collect();
        comment_naming_missing_key(text, &doc.spans, &path)
            .map(|r| loaded.files[0].line_col(r.start))
    }

    #[test]
    fn a_setting_left_out_lands_on_the_comment_of_its_block_that_names_it() {
        let text = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\naccessConfig:\n  authenticationMode: API\n  # bootstrapClusterCreatorAdminPermissions not set\n  accessEntries: []\n";
        assert_eq!(
            at(
                text,
                &["accessConfig", "bootstrapClusterCreatorAdminPermissions"]
            ),
            Some((5, 3))
        );
        // A key that is written is no missing key; a comment elsewhere, or one that
        // only contains the key inside a longer word, does not count.
        assert_eq!(at(text, &["accessConfig", "authenticationMode"]), None);
        let outside = "# bootstrapClusterCreatorAdminPermissions\napiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\naccessConfig:\n  authenticationMode: API\n";
        assert_eq!(
            at(
                outside,
                &["accessConfig", "bootstrapClusterCreatorAdminPermissions"]
            ),
            None
        );
        let longer = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\naccessConfig:\n  # bootstrapClusterCreatorAdminPermissionsX\n  authenticationMode: API\n";
        assert_eq!(
            at(
                longer,
                &["accessConfig", "bootstrapClusterCreatorAdminPermissions"]
            ),
            None
        );
        // Short keys are words of ordinary comments.
        let short = "apiVersion: v1\nkind: Service\nspec:\n  # no type here\n  name: x\n";
        assert_eq!(at(short, &["spec", "type"]), None);
    }
}

//! EKS `aws-auth`: the `mapRoles`, `mapUsers` and `mapAccounts` strings of the
//! `kube-system/aws-auth` ConfigMap are YAML documents of their own. This module
//! parses them as aws-iam-authenticator does and gives rules the result as
//! `input.facts.awsAuth` ([`facts`]); [`splice`] maps the inner spans into the outer
//! file so findings inside those strings land on the right line and column.
//!
//! Upstream has shipped two parsers for these sections (a strict one that reads keys
//! case-insensitively through JSON, and a lenient one that reads exact lowercase
//! keys straight from YAML), and EKS has behaved like each. The facts therefore
//! describe what both read alike and mark everything else.

pub mod offsets;
pub mod section;

mod facts;

pub use facts::{facts, names};

use std::sync::Arc;

use regorus::Value;

use crate::source::{Children, Limits, PathSeg, SpanNode, TaggedField};
use offsets::ScalarMap;

/// The sections the authenticator reads, in the order it reads them.
pub const SECTIONS: [&str; 3] = ["mapRoles", "mapUsers", "mapAccounts"];

/// Whether `object` is the aws-auth ConfigMap: named `aws-auth`, in `kube-system`
/// or with no namespace (a file that `kubectl apply -n kube-system` will place).
pub fn is_aws_auth(object: &Value) -> bool {
    use crate::facts::field;
    let is = |v: &Value, text: &str| matches!(v, Value::String(s) if s.as_ref() == text);
    let meta = field(object, "metadata");
    let namespace_ok = match field(meta, "namespace") {
        Value::Undefined | Value::Null => true,
        ns => is(ns, "kube-system"),
    };
    is(field(object, "kind"), "ConfigMap") && is(field(meta, "name"), "aws-auth") && namespace_ok
}

/// The string value of section `name`, if the object has one.
fn section_text<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    match &object["data"][name] {
        Value::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// The document's span tree with each aws-auth section's inner spans attached to
/// its string as [`Children::Embedded`], mapped to offsets in `outer` (the file's
/// text). `None` when `object` is not aws-auth or has no string section.
pub fn splice(spans: &SpanNode, object: &Value, outer: &str) -> Option<SpanNode> {
    splice_with_tags(spans, object, outer).map(|(spans, _)| spans)
}

/// [`splice`], and the values inside the sections written with a tag that changes
/// what they say, with paths from the document (`data.mapRoles[0].rolearn`) and
/// spans in `outer`.
pub fn splice_with_tags(
    spans: &SpanNode,
    object: &Value,
    outer: &str,
) -> Option<(SpanNode, Vec<TaggedField>)> {
    if !is_aws_auth(object) {
        return None;
    }
    let data_key = PathSeg::Key("data".into());
    let data = spans.child(&data_key)?;
    let mut new_data = data.clone();
    let mut changed = false;
    let mut tagged = Vec::new();
    for name in SECTIONS {
        let Some(text) = section_text(object, name) else {
            continue;
        };
        let Children::Map(entries) = &mut new_data.children else {
            return None;
        };
        let entries = Arc::make_mut(entries);
        // On duplicate keys Kubernetes keeps the last value; so does lookup.
        let Some((_, node)) = entries.iter_mut().rev().find(|(k, _)| k == name) else {
            continue;
        };
        if !matches!(node.children, Children::Leaf) {
            continue;
        }
        let map = ScalarMap::new(outer, node.span.clone(), text);
        let inner = section::parse(text, &Limits::default());
        let mapped = section::map_tree(&inner.spans, &|r| map.map(r));
        tagged.extend(inner.tagged.into_iter().map(|t| {
            let mut path = vec![data_key.clone(), PathSeg::Key(name.into())];
            path.extend(t.path);
            TaggedField {
                path,
                span: map.map(t.span),
                tag: t.tag,
            }
        }));
        node.children = Children::Embedded(Arc::new(mapped));
        changed = true;
    }
    if !changed {
        return None;
    }
    let mut root = spans.clone();
    if let Children::Map(entries) = &mut root.children {
        let entries = Arc::make_mut(entries);
        if let Some((_, node)) = entries.iter_mut().rev().find(|(k, _)| k == "data") {
            *node = new_data;
        }
    }
    Some((root, tagged))
}

#[cfg(test)]
mod tests;

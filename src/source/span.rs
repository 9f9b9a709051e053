//! Byte spans for every node of a parsed document, and lookup by path.

use std::ops::Range;
use std::sync::Arc;

/// A half-open range of byte offsets into a source file's text.
pub type ByteRange = Range<usize>;

/// One step of a path into a document: a mapping key or a sequence index.
///
/// A key is shared text (`Arc<str>`, as regorus holds its strings), so that a
/// finding's path takes the keys of the rule's result without copying them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSeg {
    Key(Arc<str>),
    Index(usize),
}

/// Where one node of a document sits in its source file.
#[derive(Clone, Debug, Default)]
pub struct SpanNode {
    /// The node itself: a scalar's text, or the first token of a collection.
    pub span: ByteRange,
    /// The key this node is the value of, when its parent is a mapping.
    pub key_span: Option<ByteRange>,
    pub children: Children,
}

#[derive(Clone, Debug, Default)]
pub enum Children {
    #[default]
    Leaf,
    Seq(Arc<Vec<SpanNode>>),
    /// Keys as Kubernetes sees them (resolved, then stringified).
    Map(Arc<Vec<(String, SpanNode)>>),
    /// A string scalar whose text is itself a YAML document (aws-auth `mapRoles`);
    /// the inner spans are already mapped to offsets in the outer file.
    Embedded(Arc<SpanNode>),
}

/// The deepest node a path reaches, and how many segments it consumed.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub node: &'a SpanNode,
    pub matched: usize,
}

impl SpanNode {
    pub fn leaf(span: ByteRange) -> Self {
        SpanNode {
            span,
            key_span: None,
            children: Children::Leaf,
        }
    }

    /// The child reached by one path step, if it exists.
    pub fn child(&self, seg: &PathSeg) -> Option<&SpanNode> {
        match (&self.children, seg) {
            (Children::Seq(items), PathSeg::Index(i)) => items.get(*i),
            (Children::Map(entries), PathSeg::Key(k)) => entries
                .iter()
                .rev() // on duplicate keys the last one wins, as in Kubernetes
                .find(|(key, _)| key.as_str() == &**k)
                .map(|(_, node)| node),
            (Children::Embedded(inner), _) => inner.child(seg),
            _ => None,
        }
    }

    /// Follows `path` as far as the document goes. A finding about a field that is
    /// missing is thereby reported at the nearest enclosing node that exists.
    pub fn resolve(&self, path: &[PathSeg]) -> Resolved<'_> {
        let mut node = self;
        let mut matched = 0;
        for seg in path {
            match node.child(seg) {
                Some(next) => {
                    node = next;
                    matched += 1;
                }
                None => break,
            }
        }
        Resolved { node, matched }
    }

    /// The range a diagnostic should underline for this node: a scalar's text; for a
    /// collection, its key when it has one (the value may span many lines).
    pub fn label_range(&self) -> ByteRange {
        match (&self.children, &self.key_span) {
            (Children::Leaf | Children::Embedded(_), _) => self.span.clone(),
            (_, Some(key)) => key.clone(),
            (_, None) => self.span.clone(),
        }
    }
}

/// A copy of `node` with every span passed through `f` (nesting is bounded by
/// [`super::Limits::max_depth`]).
pub fn map_spans(node: &SpanNode, f: &dyn Fn(ByteRange) -> ByteRange) -> SpanNode {
    let children = match &node.children {
        Children::Leaf => Children::Leaf,
        Children::Seq(items) => {
            Children::Seq(Arc::new(items.iter().map(|n| map_spans(n, f)).collect()))
        }
        Children::Map(entries) => Children::Map(Arc::new(
            entries
                .iter()
                .map(|(k, n)| (k.clone(), map_spans(n, f)))
                .collect(),
        )),
        Children::Embedded(inner) => Children::Embedded(Arc::new(map_spans(inner, f))),
    };
    SpanNode {
        span: f(node.span.clone()),
        key_span: node.key_span.clone().map(f),
        children,
    }
}

/// Renders a path as `spec.containers[0].securityContext.privileged`; keys that are not
/// plain identifiers are quoted: `metadata.annotations["eks.amazonaws.com/role-arn"]`.
pub fn display_path(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            PathSeg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push('[');
                    out.push_str(&serde_json::to_string(k).unwrap_or_default());
                    out.push(']');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_path_quotes_unusual_keys() {
        let path = vec![
            PathSeg::Key("metadata".into()),
            PathSeg::Key("annotations".into()),
            PathSeg::Key("eks.amazonaws.com/role-arn".into()),
        ];
        assert_eq!(
            display_path(&path),
            r#"metadata.annotations["eks.amazonaws.com/role-arn"]"#
        );
        let path = vec![
            PathSeg::Key("spec".into()),
            PathSeg::Key("containers".into()),
            PathSeg::Index(0),
            PathSeg::Key("image".into()),
        ];
        assert_eq!(display_path(&path), "spec.containers[0].image");
    }
}

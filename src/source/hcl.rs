//! Terraform `.tf` files (HCL native syntax) read into the shape of Terraform's JSON
//! configuration syntax (`.tf.json`), with a [`SpanNode`] for every node, so that
//! they become documents like any other and findings land on their line.
//!
//! - `resource "aws_eks_access_entry" "ci" { … }` → `{"resource": {"aws_eks_access_entry": {"ci": {…}}}}`;
//!   every block nests under its type and labels, as in the JSON syntax.
//! - A nested block (`access_config { … }`) is an object; a block type repeated in
//!   one body is a list of them.
//! - Literal strings, numbers, booleans, null, tuples and objects are values. Every
//!   other expression (a reference, a function call, a template with `${…}`) is the
//!   string `${<expression as written>}`, which is how the JSON syntax writes an
//!   expression: its value is known only to Terraform, and readers treat it so.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use regorus::Value;

use super::{ByteRange, Children, SpanNode};

/// A file that is not valid HCL: the parser's message and where.
#[derive(Debug)]
pub struct HclError {
    pub message: String,
    pub span: ByteRange,
}

/// The value and span tree of a `.tf` file whose brackets nest at most `max_depth`
/// deep (the parser recurses: a hostile file must not exhaust the stack).
pub fn parse(text: &str, max_depth: usize) -> Result<(Value, SpanNode), HclError> {
    if let Some(at) = too_deep(text, max_depth) {
        return Err(HclError {
            message: format!("brackets nest more than {max_depth} deep; the file is not read"),
            span: at..at + 1,
        });
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location().offset().min(text.len());
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        HclError {
            message: format!("not valid HCL: {}", e.message()),
            span: at..end,
        }
    })?;
    let whole = 0..text.len().min(1);
    Ok(body_value(&body, text, whole))
}

/// The offset of the first bracket that opens deeper than `max_depth`, counting
/// `{`, `[` and `(` wherever they are (a bound, not a parse).
fn too_deep(text: &str, max_depth: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > max_depth {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn span_of(s: Option<ByteRange>) -> ByteRange {
    s.unwrap_or(0..0)
}

/// A node of the tree being built, before it becomes a value and a span tree.
enum Tree {
    Done(Value, SpanNode),
    Map(TreeMap),
    List(Vec<Tree>, ByteRange, Option<ByteRange>),
}

/// A mapping being built: keys in order, a later one replacing an earlier one.
struct TreeMap {
    entries: Vec<(String, Tree)>,
    span: ByteRange,
    key_span: Option<ByteRange>,
}

impl TreeMap {
    fn new(span: ByteRange, key_span: Option<ByteRange>) -> TreeMap {
        TreeMap {
            entries: Vec::new(),
            span,
            key_span,
        }
    }

    fn insert(&mut self, key: &str, tree: Tree) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_string(), tree));
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Tree> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t)
    }
}

impl Tree {
    fn finish(self) -> (Value, SpanNode) {
        match self {
            Tree::Done(v, n) => (v, n),
            Tree::Map(m) => {
                let mut values = BTreeMap::new();
                let mut spans = Vec::with_capacity(m.entries.len());
                for (k, t) in m.entries {
                    let (v, n) = t.finish();
                    values.insert(Value::from(k.as_str()), v);
                    spans.push((k, n));
                }
                (
                    Value::from(values),
                    SpanNode {
                        span: m.span,
                        key_span: m.key_span,
                        children: Children::Map(Arc::new(spans)),
                    },
                )
            }
            Tree::List(items, span, key_span) => {
                let (values, nodes): (Vec<Value>, Vec<SpanNode>) = items
                    .into_iter()
                    .map(|t| {
                        let (v, mut n) = t.finish();
                        n.key_span = None;
                        (v, n)
                    })
                    .unzip();
                (
                    Value::from(values),
                    SpanNode {
                        span,
                        key_span,
                        children: Children::Seq(Arc::new(nodes)),
                    },
                )
            }
        }
    }
}

fn body_value(body: &Body, text: &str, span: ByteRange) -> (Value, SpanNode) {
    Tree::Map(body_tree(body, text, span, None)).finish()
}

fn body_tree(body: &Body, text: &str, span: ByteRange, key_span: Option<ByteRange>) -> TreeMap {
    let mut map = TreeMap::new(span, key_span);
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let (value, mut node) = expr_value(&attr.value, text);
                node.key_span = attr.key.span();
                map.insert(attr.key.as_str(), Tree::Done(value, node));
            }
            Structure::Block(block) => {
                let block_span = span_of(block.span());
                let ident = block.ident.as_str();
                if block.labels.is_empty() {
                    let inner =
                        body_tree(&block.body, text, block_span.clone(), block.ident.span());
                    match map.get_mut(ident) {
                        Some(Tree::List(items, _, _)) => items.push(Tree::Map(inner)),
                        Some(existing) => {
                            let (span, key_span) = match existing {
                                Tree::Map(m) => (m.span.clone(), m.key_span.clone()),
                                _ => (block_span.clone(), block.ident.span()),
                            };
                            let first = std::mem::replace(
                                existing,
                                Tree::List(Vec::new(), span.clone(), key_span.clone()),
                            );
                            *existing = Tree::List(vec![first, Tree::Map(inner)], span, key_span);
                        }
                        None => map.insert(ident, Tree::Map(inner)),
                    }
                    continue;
                }
                // resource "t" "n" { … } → resource.t.n: create the levels as needed.
                let mut keys: Vec<(&str, Option<ByteRange>)> = vec![(ident, block.ident.span())];
                keys.extend(block.labels.iter().map(|l| (l.as_str(), l.span())));
                let last_key_span = keys.last().and_then(|k| k.1.clone());
                let inner = body_tree(&block.body, text, block_span.clone(), last_key_span);
                insert_at(&mut map, &keys, inner, &block_span);
            }
        }
    }
    map
}

/// Puts `inner` at the path `keys` under `map`, creating the mappings on the way.
fn insert_at(
    map: &mut TreeMap,
    keys: &[(&str, Option<ByteRange>)],
    inner: TreeMap,
    span: &ByteRange,
) {
    let Some(((key, key_span), rest)) = keys.split_first() else {
        return;
    };
    if rest.is_empty() {
        map.insert(key, Tree::Map(inner));
        return;
    }
    if !matches!(map.get_mut(key), Some(Tree::Map(_))) {
        map.insert(key, Tree::Map(TreeMap::new(span.clone(), key_span.clone())));
    }
    if let Some(Tree::Map(next)) = map.get_mut(key) {
        insert_at(next, rest, inner, span);
    }
}

fn expr_value(expr: &Expression, text: &str) -> (Value, SpanNode) {
    let span = span_of(expr.span());
    let leaf = |v: Value| (v, SpanNode::leaf(span.clone()));
    match expr {
        Expression::Null(_) => leaf(Value::Null),
        Expression::Bool(b) => leaf(Value::Bool(*b.value())),
        Expression::Number(n) => {
            let written = n.value().to_string();
            leaf(Value::from_json_str(&written).unwrap_or_else(|_| Value::from(written)))
        }
        Expression::String(s) => leaf(Value::from(s.value().as_str())),
        Expression::Array(items) => {
            let (values, nodes): (Vec<Value>, Vec<SpanNode>) =
                items.iter().map(|e| expr_value(e, text)).unzip();
            (
                Value::from(values),
                SpanNode {
                    span,
                    key_span: None,
                    children: Children::Seq(Arc::new(nodes)),
                },
            )
        }
        Expression::Object(object) => {
            let mut map = TreeMap::new(span, None);
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(e) => format!("${{{}}}", written(e, text)),
                };
                let (v, mut node) = expr_value(value.expr(), text);
                node.key_span = key.span();
                map.insert(&name, Tree::Done(v, node));
            }
            Tree::Map(map).finish()
        }
        other => leaf(Value::from(format!("${{{}}}", written(other, text)))),
    }
}

/// The expression as written in the file, on one line.
fn written(expr: &Expression, text: &str) -> String {
    let raw = expr
        .span()
        .and_then(|s| text.get(s))
        .map(str::to_string)
        .unwrap_or_else(|| expr.to_string());
    let raw = raw.trim();
    // A template's own `${…}` keeps its text; a reference gets one.
    let raw = raw
        .strip_prefix("\"${")
        .and_then(|r| r.strip_suffix("}\""))
        .unwrap_or(raw);
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::PathSeg;

    fn key(k: &str) -> PathSeg {
        PathSeg::Key(k.into())
    }

    #[test]
    fn resources_nest_under_type_and_name_with_spans() {
        let text = "resource \"aws_eks_access_entry\" \"ci\" {\n  cluster_name  = aws_eks_cluster.main.name\n  principal_arn = \"arn:aws:iam::111122223333:role/ci\"\n  kubernetes_groups = [\"a\", \"b\"]\n}\n\nresource \"aws_eks_access_entry\" \"dev\" {\n  type = \"STANDARD\"\n}\n";
        let (value, spans) = parse(text, 256).unwrap();
        let ci = &value["resource"]["aws_eks_access_entry"]["ci"];
        assert_eq!(
            ci["principal_arn"],
            Value::from("arn:aws:iam::111122223333:role/ci")
        );
        assert_eq!(
            ci["cluster_name"],
            Value::from("${aws_eks_cluster.main.name}")
        );
        assert_eq!(
            value["resource"]["aws_eks_access_entry"]["dev"]["type"],
            Value::from("STANDARD")
        );
        let path = [
            key("resource"),
            key("aws_eks_access_entry"),
            key("ci"),
            key("kubernetes_groups"),
            PathSeg::Index(1),
        ];
        let r = spans.resolve(&path);
        assert_eq!(r.matched, 5);
        assert_eq!(&text[r.node.span.clone()], "\"b\"");
        let dev = spans.resolve(&[
            key("resource"),
            key("aws_eks_access_entry"),
            key("dev"),
            key("type"),
        ]);
        assert_eq!(dev.matched, 4);
        assert_eq!(&text[dev.node.span.clone()], "\"STANDARD\"");
    }

    #[test]
    fn nested_blocks_are_objects_and_repeated_ones_lists() {
        let text = "resource \"aws_eks_cluster\" \"x\" {\n  access_config {\n    authentication_mode = \"API\"\n  }\n  tag { a = 1 }\n  tag { a = 2 }\n}\n";
        let (value, _) = parse(text, 256).unwrap();
        let x = &value["resource"]["aws_eks_cluster"]["x"];
        assert_eq!(
            x["access_config"]["authentication_mode"],
            Value::from("API")
        );
        assert_eq!(x["tag"][1]["a"], Value::from(2u64));
    }

    #[test]
    fn invalid_hcl_is_an_error_with_a_place() {
        let err = parse("resource \"a\" {\n  x = \n}\n", 256).unwrap_err();
        assert!(err.message.starts_with("not valid HCL"), "{err:?}");
        assert!(err.span.start > 0);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse(&text, 256).unwrap_err();
        assert!(err.message.contains("more than 256 deep"), "{err:?}");
        assert_eq!(err.span.start, 4 + 256);
    }
}

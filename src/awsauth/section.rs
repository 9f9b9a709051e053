//! Parsing one embedded section (`mapRoles`, `mapUsers`, `mapAccounts`) the way
//! aws-iam-authenticator does: go-yaml v2 scalar rules, first document only.
//!
//! An unquoted `{{SessionName}}` is a YAML flow mapping: the strict (JSON) parser
//! then drops the whole section and the lenient one reads an empty string. Both
//! are wrong, so such templates are reported, and the section is parsed a second
//! time with them quoted so the rest of it can still be checked.

use regorus::Value;

use crate::source::yaml::parse_stream;
use crate::source::{ByteRange, Children, DuplicateKey, Limits, PathSeg, SpanNode, TaggedField};

/// The key under which a section's parse error is addressed in its span tree.
pub const ERROR_KEY: &str = "@error";

/// A section as the authenticator would read it. Offsets are bytes of the text.
#[derive(Debug)]
pub struct Section {
    /// The first document, when the section parsed.
    pub value: Option<Value>,
    /// Spans of the first document; for a section that failed to parse, a mapping
    /// with one key, [`ERROR_KEY`], at the error.
    pub spans: SpanNode,
    pub error: Option<(ByteRange, String)>,
    /// Where each later document starts; the authenticator ignores them.
    pub extra_documents: Vec<ByteRange>,
    /// Unquoted `{{...}}` values: where, and their text.
    pub unquoted_templates: Vec<(ByteRange, String)>,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Values written with a tag that changes what they say (`!!binary`, `!foo`).
    pub tagged: Vec<TaggedField>,
    /// Only blank, `""` or `''`: the authenticator skips it.
    pub skippable: bool,
}

/// Parses a section's text.
pub fn parse(text: &str, limits: &Limits) -> Section {
    let trimmed = text.trim();
    let skippable = matches!(trimmed, "" | "\"\"" | "''" | "``");
    let mut section = Section {
        value: None,
        spans: SpanNode::default(),
        error: None,
        extra_documents: Vec::new(),
        unquoted_templates: Vec::new(),
        duplicate_keys: Vec::new(),
        tagged: Vec::new(),
        skippable,
    };
    if skippable {
        return section;
    }
    let templates = find_unquoted_templates(text);
    let patch = Patch::new(text, &templates);
    let stream = parse_stream(&patch.text, limits);
    section.unquoted_templates = templates
        .iter()
        .map(|t| (t.clone(), text[t.clone()].to_string()))
        .collect();

    let later = stream
        .docs
        .iter()
        .filter(|d| d.index > 0)
        .map(|d| d.span.start)
        .min();
    let first_error = stream
        .errors
        .iter()
        .find(|e| later.is_none_or(|l| e.span.as_ref().is_none_or(|s| s.start < l)));
    let first = stream.docs.iter().find(|d| d.index == 0);
    section.extra_documents = stream
        .docs
        .iter()
        .filter(|d| d.index > 0)
        .map(|d| patch.unmap(d.span.clone()))
        .collect();
    match (first, first_error) {
        (_, Some(e)) => {
            let at = e.span.clone().map_or(0..0, |s| patch.unmap(s));
            section.error = Some((at.clone(), e.message.clone()));
            section.spans = SpanNode {
                span: at.clone(),
                key_span: None,
                children: Children::Map(std::sync::Arc::new(vec![(
                    ERROR_KEY.to_string(),
                    SpanNode::leaf(at),
                )])),
            };
        }
        (Some(doc), None) => {
            section.value = Some(doc.value.clone());
            let trimmed = map_tree_text(&doc.spans, &patch.text);
            section.spans = patch.unmap_tree(&trimmed);
            section.duplicate_keys = doc
                .duplicate_keys
                .iter()
                .map(|d| DuplicateKey {
                    key: d.key.clone(),
                    path: d.path.clone(),
                    first: patch.unmap(d.first.clone()),
                    second: patch.unmap(d.second.clone()),
                })
                .collect();
            section.tagged = doc
                .tagged
                .iter()
                .map(|t| TaggedField {
                    span: patch.unmap(t.span.clone()),
                    ..t.clone()
                })
                .collect();
        }
        (None, None) => section.value = Some(Value::Null),
    }
    section
}

/// The text with unquoted templates wrapped in double quotes, and the way back.
struct Patch {
    text: String,
    /// Offsets in the patched text where a quote was inserted, ascending.
    inserted: Vec<usize>,
}

impl Patch {
    fn new(text: &str, templates: &[ByteRange]) -> Patch {
        let mut out = String::with_capacity(text.len() + 2 * templates.len());
        let mut inserted = Vec::new();
        let mut at = 0;
        for t in templates {
            out.push_str(&text[at..t.start]);
            inserted.push(out.len());
            out.push('"');
            out.push_str(&text[t.clone()]);
            inserted.push(out.len());
            out.push('"');
            at = t.end;
        }
        out.push_str(&text[at..]);
        Patch {
            text: out,
            inserted,
        }
    }

    /// The original offset of patched offset `x` (an inserted quote maps to the
    /// template it wraps).
    fn unmap_point(&self, x: usize) -> usize {
        let before = self.inserted.partition_point(|&q| q < x);
        x - before
    }

    fn unmap(&self, r: ByteRange) -> ByteRange {
        if self.inserted.is_empty() {
            return r;
        }
        let start = self.unmap_point(r.start);
        let end = self.unmap_point(r.end).max(start);
        start..end
    }

    fn unmap_tree(&self, node: &SpanNode) -> SpanNode {
        if self.inserted.is_empty() {
            return node.clone();
        }
        map_tree(node, &|r| self.unmap(r))
    }
}

/// A copy of `node` with every span passed through `f`.
pub fn map_tree(node: &SpanNode, f: &dyn Fn(ByteRange) -> ByteRange) -> SpanNode {
    let children = match &node.children {
        Children::Leaf => Children::Leaf,
        Children::Seq(items) => Children::Seq(std::sync::Arc::new(
            items.iter().map(|n| map_tree(n, f)).collect(),
        )),
        Children::Map(entries) => Children::Map(std::sync::Arc::new(
            entries
                .iter()
                .map(|(k, n)| (k.clone(), map_tree(n, f)))
                .collect(),
        )),
        Children::Embedded(inner) => Children::Embedded(std::sync::Arc::new(map_tree(inner, f))),
    };
    SpanNode {
        span: f(node.span.clone()),
        key_span: node.key_span.clone().map(f),
        children,
    }
}

/// A copy of `node` whose quoted scalars end at their closing quote (the parser's
/// span of a quoted scalar runs on over a trailing comment).
fn map_tree_text(node: &SpanNode, text: &str) -> SpanNode {
    map_tree(node, &|r| quoted_end(text, r))
}

fn quoted_end(text: &str, r: ByteRange) -> ByteRange {
    let bytes = text.as_bytes();
    let Some(&q) = bytes.get(r.start) else {
        return r;
    };
    if q != b'"' && q != b'\'' {
        return r;
    }
    let mut i = r.start + 1;
    while i < r.end.min(bytes.len()) {
        match bytes[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == q => return r.start..i + 1,
            _ => i += 1,
        }
    }
    r
}

/// The path of every leaf, by the offset its span starts at (one walk, so that
/// looking up many offsets stays linear).
pub fn leaf_paths(root: &SpanNode) -> std::collections::HashMap<usize, Vec<PathSeg>> {
    let mut out = std::collections::HashMap::new();
    let mut stack: Vec<(&SpanNode, Vec<PathSeg>)> = vec![(root, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.children {
            Children::Leaf => {
                out.entry(node.span.start).or_insert(path);
            }
            Children::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(PathSeg::Index(i));
                    stack.push((n, p));
                }
            }
            Children::Map(entries) => {
                for (k, n) in entries.iter() {
                    let mut p = path.clone();
                    p.push(PathSeg::Key(k.as_str().into()));
                    stack.push((n, p));
                }
            }
            Children::Embedded(_) => {}
        }
    }
    out
}

/// Plain (unquoted) values that start with `{{`: after `key: `, `- `, `[`, `,` or at
/// the start of a line, outside quotes and comments.
pub fn find_unquoted_templates(text: &str) -> Vec<ByteRange> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        scan_line(line, line_start, &mut found);
        line_start += line.len();
    }
    found
}

fn scan_line(line: &str, base: usize, found: &mut Vec<ByteRange>) {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => {
                if (b == b'"' || b == b'\'') && starts_value(bytes, i) {
                    quote = Some(b);
                } else if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) {
                    return;
                } else if b == b'{' && bytes.get(i + 1) == Some(&b'{') && starts_value(bytes, i) {
                    let Some(close) = line[i..].find("}}").map(|c| i + c + 2) else {
                        return;
                    };
                    let end = value_end(line, close);
                    found.push(base + i..base + end);
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// Whether a value may start at `i`: at the start of the line after indentation,
/// after `: ` / `- `, or after `[` / `,` / `{` in a flow collection.
fn starts_value(bytes: &[u8], i: usize) -> bool {
    let before = &bytes[..i];
    let Some(p) = before.iter().rposition(|b| !matches!(b, b' ' | b'\t')) else {
        return true;
    };
    let spaced = p + 1 < i;
    match before[p] {
        b':' | b'-' | b'?' => spaced,
        b'[' | b',' | b'{' => true,
        _ => false,
    }
}

/// Where a plain value starting at `i` ends, given the `}}` it holds ends at `close`:
/// in a flow collection at the next `,` `]` `}`, otherwise at the end of the line
/// (before a comment and trailing white space).
fn value_end(line: &str, close: usize) -> usize {
    let rest = &line[close..];
    let next = rest.trim_start_matches([' ', '\t']);
    if next.starts_with([',', ']', '}']) {
        return close;
    }
    let content = rest.trim_end_matches(['\n', '\r']);
    let content = match content.find(" #").or_else(|| content.find("\t#")) {
        Some(c) => &content[..c],
        None => content,
    };
    close + content.trim_end_matches([' ', '\t']).len()
}

//! YAML (and JSON) text → `regorus::Value` plus a [`SpanNode`] tree, in one pass over
//! saphyr-parser events.
//!
//! - Scalars resolve as Kubernetes resolves them ([`super::resolve`]).
//! - The stream is cut into documents at column-0 `---` / `...` lines before parsing,
//!   because saphyr cannot resume after a syntax error: a broken document then costs
//!   only itself. A column-0 marker ends every construct (block scalars and quoted
//!   scalars included), so the cut never changes what a valid stream means.
//! - The tree is built with an explicit stack and nesting is bounded by
//!   [`Limits::max_depth`], so neither building nor dropping recurses deeply.
//! - Aliases are expanded (values are reference counted, so a copy is cheap) while the
//!   nodes they add are counted against [`Limits`]: a billion-laughs document stops
//!   at the first alias that goes over.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use regorus::Value;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::resolve::{self, CoreTag, Resolved};
use super::{ByteRange, Children, DuplicateKey, Limits, PathSeg, SpanNode};

/// Every document of one text that could be read, and what went wrong in the others.
#[derive(Debug, Default)]
pub struct ParsedStream {
    pub docs: Vec<ParsedDoc>,
    pub errors: Vec<ParseError>,
}

/// One non-empty YAML document.
#[derive(Debug)]
pub struct ParsedDoc {
    /// 0-based position of the document in the stream (empty documents count too).
    pub index: usize,
    pub value: Value,
    pub spans: SpanNode,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// From the document's first token to its last.
    pub span: ByteRange,
}

/// A syntax error or a tripped limit; the document it happened in is dropped.
#[derive(Clone, Debug)]
pub struct ParseError {
    pub span: Option<ByteRange>,
    pub message: String,
}

/// Parses every document of `text`. Offsets in the result are bytes into `text`; a
/// leading UTF-8 byte order mark is skipped.
pub fn parse_stream(text: &str, limits: &Limits) -> ParsedStream {
    let mut out = ParsedStream::default();
    if text.len() > limits.max_file_bytes {
        out.errors.push(ParseError {
            span: Some(0..0),
            message: format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                limits.max_file_bytes
            ),
        });
        return out;
    }
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut next_index = 0;
    for chunk in split_documents(text, start) {
        let flow = parse_chunk(text, chunk, limits, &mut next_index, &mut out);
        if let Flow::Stop = flow {
            break;
        }
    }
    out
}

/// Byte ranges of `text[start..]`, each holding at most one document. A chunk starts
/// at a column-0 `---` line (unless only directives and comments came before it in
/// the chunk) and ends after a column-0 `...` line.
fn split_documents(text: &str, start: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut chunk_start = start;
    let mut has_content = false;
    let mut line = start;
    while line < bytes.len() {
        let end = memchr_newline(bytes, line).map_or(bytes.len(), |i| i + 1);
        let rest = &bytes[line..end];
        if is_marker(rest, b'-') {
            if has_content && line > chunk_start {
                chunks.push(chunk_start..line);
                chunk_start = line;
            }
            has_content = true;
        } else if is_marker(rest, b'.') {
            chunks.push(chunk_start..end);
            chunk_start = end;
            has_content = false;
        } else if !has_content {
            let first = rest
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            has_content = !matches!(first, None | Some(b'#') | Some(b'%'));
        }
        line = end;
    }
    if chunk_start < bytes.len() || chunks.is_empty() {
        chunks.push(chunk_start..bytes.len());
    }
    chunks
}

fn memchr_newline(bytes: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i)
}

/// `---` or `...` at column 0, followed by white space or the end of the line.
fn is_marker(line: &[u8], c: u8) -> bool {
    line.len() >= 3
        && line[..3].iter().all(|&b| b == c)
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

enum Flow {
    Continue,
    Stop,
}

/// Character index (what saphyr reports) → byte offset into the whole text.
struct Offsets<'a> {
    base: usize,
    chunk: &'a str,
    /// Byte offset of every `STRIDE`-th character; empty for ASCII text.
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'a> Offsets<'a> {
    fn new(chunk: &'a str, base: usize) -> Self {
        let checkpoints = if chunk.is_ascii() {
            Vec::new()
        } else {
            chunk
                .char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        Offsets {
            base,
            chunk,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return self.base + char_index.min(self.chunk.len());
        }
        let k = (char_index / STRIDE).min(self.checkpoints.len() - 1);
        let mut byte = self.checkpoints[k];
        let mut left = char_index - k * STRIDE;
        let bytes = self.chunk.as_bytes();
        while left > 0 && byte < bytes.len() {
            byte += 1;
            while byte < bytes.len() && (bytes[byte] & 0xC0) == 0x80 {
                byte += 1;
            }
            left -= 1;
        }
        self.base + byte
    }

    fn range(&self, span: &Span) -> ByteRange {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        start..end
    }
}

fn parse_chunk(
    text: &str,
    range: Range<usize>,
    limits: &Limits,
    next_index: &mut usize,
    out: &mut ParsedStream,
) -> Flow {
    let chunk = &text[range.clone()];
    let offsets = Offsets::new(chunk, range.start);
    let mut doc: Option<DocBuilder> = None;
    let mut seen_document = false;
    for item in Parser::new_from_str(chunk) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                let message = match e.info() {
                    // saphyr counts flow levels in a u8.
                    "recursion limit exceeded" => {
                        "flow collections ([ ] and { }) nest more than 255 deep; the document is not read".to_string()
                    }
                    info => format!("invalid YAML: {info}"),
                };
                out.errors.push(ParseError {
                    span: Some(at..at),
                    message,
                });
                if !seen_document {
                    *next_index += 1; // the broken document still has its place
                }
                return Flow::Continue;
            }
        };
        let result = match event {
            Event::DocumentStart(_) => {
                seen_document = true;
                let at = offsets.range(&span);
                if *next_index >= limits.max_documents {
                    out.errors.push(ParseError {
                        span: Some(at),
                        message: format!(
                            "more than {} documents in one input; the rest is not read",
                            limits.max_documents
                        ),
                    });
                    return Flow::Stop;
                }
                doc = Some(DocBuilder::new(text, *next_index, at.start, limits));
                *next_index += 1;
                Ok(())
            }
            Event::DocumentEnd => {
                if let Some(d) = doc.take() {
                    let end = offsets.range(&span).end;
                    if let Some(parsed) = d.finish(end) {
                        out.docs.push(parsed);
                    }
                }
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
            other => match doc.as_mut() {
                Some(d) => d.event(other, offsets.range(&span)),
                None => Ok(()),
            },
        };
        if let Err(e) = result {
            out.errors.push(e);
            return Flow::Continue;
        }
    }
    Flow::Continue
}

/// A finished node waiting to be attached to its parent.
struct Node {
    value: Value,
    span: SpanNode,
    /// Nodes in this subtree, itself included.
    count: usize,
    /// Collections nested in this subtree, itself included (0 for a scalar).
    height: usize,
    /// The key sigs.k8s.io/yaml makes of it, if it is a scalar.
    key: Option<Result<String, String>>,
}

struct Anchored {
    value: Value,
    span: SpanNode,
    count: usize,
    height: usize,
    key: Option<Result<String, String>>,
}

struct PendingKey {
    text: String,
    span: ByteRange,
    merge: bool,
}

enum Kind {
    Seq {
        items: Vec<Value>,
        spans: Vec<SpanNode>,
    },
    Map {
        map: BTreeMap<Value, Value>,
        spans: Vec<(String, SpanNode)>,
        key: Option<PendingKey>,
        /// Mappings named by `<<`, earliest first; applied at the end so explicit keys win.
        merges: Vec<(Value, SpanNode)>,
    },
}

struct Frame {
    kind: Kind,
    span: ByteRange,
    anchor: usize,
    count: usize,
    height: usize,
}

struct DocBuilder<'l> {
    text: &'l str,
    index: usize,
    start: usize,
    limits: &'l Limits,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: Vec<Option<Anchored>>,
    nodes: usize,
    alias_nodes: usize,
    dups: Vec<DuplicateKey>,
}

fn err(span: &ByteRange, message: String) -> ParseError {
    ParseError {
        span: Some(span.clone()),
        message,
    }
}

impl<'l> DocBuilder<'l> {
    fn new(text: &'l str, index: usize, start: usize, limits: &'l Limits) -> Self {
        DocBuilder {
            text,
            index,
            start,
            limits,
            stack: Vec::new(),
            root: None,
            anchors: Vec::new(),
            nodes: 0,
            alias_nodes: 0,
            dups: Vec::new(),
        }
    }

    fn finish(self, end: usize) -> Option<ParsedDoc> {
        let root = self.root?;
        // kubectl skips documents that are empty or `null`.
        if root.value == Value::Null {
            return None;
        }
        Some(ParsedDoc {
            index: self.index,
            value: root.value,
            spans: root.span,
            duplicate_keys: self.dups,
            span: self.start..end.max(self.start),
        })
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map { key: None, .. },
                ..
            })
        )
    }

    fn count(&mut self, n: usize, span: &ByteRange) -> Result<(), ParseError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(err(
                span,
                format!(
                    "document has more than {} nodes; it is not read",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, span: ByteRange) -> Result<(), ParseError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, &span)?;
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                let span = if block {
                    // The span starts at the content; leave out the final line breaks.
                    let body = self.text[span.clone()].trim_end_matches(['\r', '\n', ' ']);
                    span.start..span.start + body.len()
                } else if anchor > 0 || tag.is_some() {
                    skip_properties(self.text, span.start, span.end)..span.end
                } else {
                    span
                };
                let tag = tag.map(|t| CoreTag::from_parts(&t.handle, &t.suffix));
                let resolved = match (style, tag) {
                    (_, Some(tag)) => resolve::resolve_tagged(&text, tag)
                        .map_err(|m| err(&span, format!("{m} (explicit tag)")))?,
                    (ScalarStyle::Plain, None) => resolve::resolve_plain(&text),
                    _ => Resolved::Str,
                };
                if self.expects_key() {
                    let merge = (style == ScalarStyle::Plain && tag.is_none() && text == "<<")
                        || tag == Some(CoreTag::Merge);
                    let key = resolve::to_key(resolved, &text)
                        .map_err(|m| err(&span, m))?
                        .into_owned();
                    if anchor > 0 {
                        self.anchor(
                            anchor,
                            Node {
                                value: resolve::to_value(resolved, &text),
                                span: SpanNode::leaf(span.clone()),
                                count: 1,
                                height: 0,
                                key: Some(Ok(key.clone())),
                            },
                        );
                    }
                    self.set_key(key, span, merge);
                    return Ok(());
                }
                let value = resolve::to_value(resolved, &text);
                let key = (anchor > 0)
                    .then(|| resolve::to_key(resolved, &text).map(std::borrow::Cow::into_owned));
                let node = Node {
                    value,
                    span: SpanNode::leaf(span),
                    count: 1,
                    height: 0,
                    key,
                };
                if anchor > 0 {
                    self.anchor(anchor, node.clone_shallow());
                }
                self.attach(node)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                self.count(1, &span)?;
                let is_seq = matches!(event, Event::SequenceStart(..));
                let span = self.collection_span(span, anchor > 0 || tag.is_some(), is_seq);
                if self.expects_key() {
                    return Err(err(
                        &span,
                        "a mapping key is a collection; Kubernetes only accepts scalar keys".into(),
                    ));
                }
                if self.stack.len() >= self.limits.max_depth {
                    return Err(err(
                        &span,
                        format!(
                            "collections nest more than {} deep; the document is not read",
                            self.limits.max_depth
                        ),
                    ));
                }
                let kind = if is_seq {
                    Kind::Seq {
                        items: Vec::new(),
                        spans: Vec::new(),
                    }
                } else {
                    Kind::Map {
                        map: BTreeMap::new(),
                        spans: Vec::new(),
                        key: None,
                        merges: Vec::new(),
                    }
                };
                self.stack.push(Frame {
                    kind,
                    span,
                    anchor,
                    count: 1,
                    height: 0,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let node = self.close(frame)?;
                self.attach(node)
            }
            Event::Alias(id) => self.alias(id, span),
            _ => Ok(()),
        }
    }

    fn anchor(&mut self, id: usize, node: Node) {
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        self.anchors[id] = Some(Anchored {
            value: node.value,
            span: node.span,
            count: node.count,
            height: node.height,
            key: node.key,
        });
    }

    fn alias(&mut self, id: usize, span: ByteRange) -> Result<(), ParseError> {
        let Some(Some(a)) = self.anchors.get(id) else {
            return Err(err(&span, "alias to an unknown anchor".into()));
        };
        let (count, height) = (a.count, a.height);
        let (value, mut node_span, key) = (a.value.clone(), a.span.clone(), a.key.clone());
        self.alias_nodes += count;
        if self.alias_nodes > self.limits.max_alias_nodes {
            return Err(err(
                &span,
                format!(
                    "aliases expand to more than {} nodes (a YAML bomb?); the document is not read",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        self.count(count, &span)?;
        if self.stack.len() + height > self.limits.max_depth {
            return Err(err(
                &span,
                format!(
                    "this alias makes collections nest more than {} deep; the document is not read",
                    self.limits.max_depth
                ),
            ));
        }
        if self.expects_key() {
            let key = match key {
                Some(Ok(k)) => k,
                Some(Err(m)) => return Err(err(&span, m)),
                None => {
                    return Err(err(
                        &span,
                        "a mapping key is a collection; Kubernetes only accepts scalar keys".into(),
                    ))
                }
            };
            self.set_key(key, span, false);
            return Ok(());
        }
        node_span.span = span;
        node_span.key_span = None;
        let node = Node {
            value,
            span: node_span,
            count,
            height,
            key: None,
        };
        self.attach(node)
    }

    fn set_key(&mut self, text: String, span: ByteRange, merge: bool) {
        if let Some(Frame {
            kind: Kind::Map { key, .. },
            span: map_span,
            ..
        }) = self.stack.last_mut()
        {
            // A block mapping has no token of its own: show its first key.
            if map_span.start == map_span.end {
                *map_span = span.clone();
            }
            *key = Some(PendingKey { text, span, merge });
        }
    }

    /// The first token of a collection: `[`, `{`, a block sequence's first `-`; a block
    /// mapping gets its first key later (empty here).
    fn collection_span(&self, span: ByteRange, has_properties: bool, is_seq: bool) -> ByteRange {
        let bytes = self.text.as_bytes();
        let mut start = span.start;
        if has_properties {
            start = skip_properties(self.text, start, bytes.len());
        }
        if span.start != span.end && !has_properties {
            return span;
        }
        if is_seq {
            // saphyr may point past the `- ` of the first entry.
            let mut back = start;
            while back > 0 && bytes[back - 1] == b' ' {
                back -= 1;
            }
            if back > 0 && bytes[back - 1] == b'-' {
                return back - 1..back;
            }
        }
        match bytes.get(start) {
            Some(b'[' | b'{' | b'-') => start..start + 1,
            _ => start..start,
        }
    }

    fn close(&mut self, frame: Frame) -> Result<Node, ParseError> {
        let Frame {
            kind,
            span,
            anchor,
            count,
            height,
        } = frame;
        let (value, children) = match kind {
            Kind::Seq { items, spans } => (Value::from(items), Children::Seq(Arc::new(spans))),
            Kind::Map {
                mut map,
                mut spans,
                merges,
                ..
            } => {
                for (source, source_spans) in merges {
                    merge_into(&mut map, &mut spans, &source, &source_spans);
                }
                (Value::from(map), Children::Map(Arc::new(spans)))
            }
        };
        let node = Node {
            value,
            span: SpanNode {
                span,
                key_span: None,
                children,
            },
            count,
            height: height + 1,
            key: None,
        };
        if anchor > 0 {
            self.anchor(anchor, node.clone_shallow());
        }
        Ok(node)
    }

    fn attach(&mut self, mut node: Node) -> Result<(), ParseError> {
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        top.count += node.count;
        top.height = top.height.max(node.height);
        let duplicate = match &mut top.kind {
            Kind::Seq { items, spans } => {
                items.push(node.value);
                spans.push(node.span);
                None
            }
            Kind::Map {
                map,
                spans,
                key,
                merges,
            } => {
                let Some(k) = key.take() else {
                    return Ok(());
                };
                if k.merge {
                    return push_merge(merges, node, &k.span);
                }
                node.span.key_span = Some(k.span.clone());
                let replaced = map.insert(Value::from(k.text.as_str()), node.value);
                let duplicate = replaced.map(|_| {
                    let first = spans
                        .iter()
                        .rev()
                        .find(|(name, _)| *name == k.text)
                        .and_then(|(_, n)| n.key_span.clone())
                        .unwrap_or_else(|| k.span.clone());
                    (k.text.clone(), first, k.span.clone())
                });
                spans.push((k.text, node.span));
                duplicate
            }
        };
        if let Some((key, first, second)) = duplicate {
            let path = self.path_of_top();
            self.dups.push(DuplicateKey {
                key,
                path,
                first,
                second,
            });
        }
        Ok(())
    }

    /// Path of the collection on top of the stack (only built for duplicate keys).
    fn path_of_top(&self) -> Vec<PathSeg> {
        let mut path = Vec::new();
        for frame in &self.stack[..self.stack.len().saturating_sub(1)] {
            match &frame.kind {
                Kind::Seq { items, .. } => path.push(PathSeg::Index(items.len())),
                Kind::Map { key, .. } => {
                    if let Some(k) = key {
                        path.push(PathSeg::Key(k.text.clone()));
                    }
                }
            }
        }
        path
    }
}

impl Node {
    fn clone_shallow(&self) -> Node {
        Node {
            value: self.value.clone(),
            span: self.span.clone(),
            count: self.count,
            height: self.height,
            key: self.key.clone(),
        }
    }
}

/// Skips a node's anchor (`&a`) and tag (`!t`) and the white space after them.
fn skip_properties(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    while at < end && matches!(bytes[at], b'&' | b'!') {
        while at < end && !matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        while at < end && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
    }
    at
}

const MERGE_ERROR: &str =
    "the value of a merge key `<<` must be a mapping or a sequence of mappings";

fn push_merge(
    merges: &mut Vec<(Value, SpanNode)>,
    node: Node,
    key_span: &ByteRange,
) -> Result<(), ParseError> {
    match (&node.value, &node.span.children) {
        (Value::Object(_), _) => merges.push((node.value, node.span)),
        (Value::Array(items), Children::Seq(spans)) => {
            for (item, span) in items.iter().zip(spans.iter()) {
                if !matches!(item, Value::Object(_)) {
                    return Err(err(&span.span, MERGE_ERROR.into()));
                }
                merges.push((item.clone(), span.clone()));
            }
        }
        _ => return Err(err(key_span, MERGE_ERROR.into())),
    }
    Ok(())
}

/// Adds the keys of `source` that `map` does not have yet (explicit keys and earlier
/// merges win, as go-yaml does when `<<` comes first).
fn merge_into(
    map: &mut BTreeMap<Value, Value>,
    spans: &mut Vec<(String, SpanNode)>,
    source: &Value,
    source_spans: &SpanNode,
) {
    let (Value::Object(source), Children::Map(entries)) = (source, &source_spans.children) else {
        return;
    };
    for (name, span) in entries.iter().rev() {
        let key = Value::from(name.as_str());
        if map.contains_key(&key) {
            continue;
        }
        if let Some(v) = source.get(&key) {
            map.insert(key, v.clone());
            spans.push((name.clone(), span.clone()));
        }
    }
}

#[cfg(test)]
mod tests;

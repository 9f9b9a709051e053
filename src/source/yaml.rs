//! YAML (and JSON) text → `regorus::Value` plus a [`SpanNode`] tree, in one pass over
//! saphyr-parser events.
//!
//! - Scalars resolve as Kubernetes resolves them ([`super::resolve`]).
//! - One parser reads the stream. saphyr cannot resume after a syntax error, so after
//!   one a new parser starts at the next column-0 `---` / `...` line: a broken
//!   document costs only itself. A column-0 marker ends every construct (block and
//!   quoted scalars included), so restarting there never changes what a valid stream
//!   means.
//! - The tree is built with an explicit stack and nesting is bounded by
//!   [`Limits::max_depth`], so neither building nor dropping recurses deeply.
//! - Aliases are expanded (values are reference counted, so a copy is cheap) while the
//!   nodes they add are counted against [`Limits`]: a billion-laughs document stops
//!   at the first alias that goes over.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
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
    let offsets = Offsets::new(text);
    let mut builder = Builder::new(text, limits);
    let mut next_index = 0;
    let mut from = start;
    while from < text.len() {
        match parse_from(
            text,
            from,
            &offsets,
            &mut builder,
            &mut next_index,
            &mut out,
        ) {
            Outcome::Done | Outcome::Stop => break,
            Outcome::Failed(at) => from = restart_after(text, from, at),
        }
    }
    out
}

enum Outcome {
    /// The end of the text was reached.
    Done,
    /// A limit says stop reading this text.
    Stop,
    /// The document around this byte is broken; resume after it.
    Failed(usize),
}

/// Parses `text[from..]` with one parser until the end or the first error. Offsets
/// in events are characters from `from`.
fn parse_from(
    text: &str,
    from: usize,
    offsets: &Offsets<'_>,
    builder: &mut Builder<'_>,
    next_index: &mut usize,
    out: &mut ParsedStream,
) -> Outcome {
    let base = offsets.char_index(from);
    let range = |span: &Span| {
        let start = offsets.byte(base + span.start.index());
        let end = offsets.byte(base + span.end.index()).max(start);
        start..end
    };
    let mut in_document = false;
    for item in Parser::new_from_str(&text[from..]) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let at = offsets.byte(base + e.marker().index());
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
                if !in_document {
                    *next_index += 1; // the broken document still has its place
                }
                return Outcome::Failed(at);
            }
        };
        let result = match event {
            Event::DocumentStart(_) => {
                let at = range(&span);
                if *next_index >= builder.limits.max_documents {
                    out.errors.push(ParseError {
                        span: Some(at),
                        message: format!(
                            "more than {} documents in one input; the rest is not read",
                            builder.limits.max_documents
                        ),
                    });
                    return Outcome::Stop;
                }
                in_document = true;
                builder.begin(*next_index, at.start);
                *next_index += 1;
                Ok(())
            }
            Event::DocumentEnd => {
                in_document = false;
                // An implicit end spans the next `---`, which is not part of this document.
                let r = range(&span);
                let end = match text[r.clone()].starts_with("...") {
                    true => r.end,
                    false => r.start,
                };
                if let Some(parsed) = builder.finish(end) {
                    out.docs.push(parsed);
                }
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
            other if in_document => builder.event(other, range(&span)),
            _ => Ok(()),
        };
        if let Err(e) = result {
            let at = e.span.as_ref().map_or(from, |s| s.start);
            out.errors.push(e);
            builder.abandon();
            return Outcome::Failed(at);
        }
    }
    Outcome::Done
}

/// Where to resume after a failure at byte `at` of a parse that started at `from`:
/// the first document boundary at or after `at` that makes progress.
fn restart_after(text: &str, from: usize, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut has_content = false;
    let mut line = from;
    while line < bytes.len() {
        let end = memchr_newline(bytes, line).map_or(bytes.len(), |i| i + 1);
        let rest = &bytes[line..end];
        if is_marker(rest, b'-') {
            if has_content && line > from && line >= at {
                return line;
            }
            has_content = true;
        } else if is_marker(rest, b'.') {
            if end > at {
                return end;
            }
            has_content = false;
        } else if !has_content {
            let first = rest
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            has_content = !matches!(first, None | Some(b'#') | Some(b'%'));
        }
        line = end;
    }
    bytes.len()
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

/// Character index (what saphyr reports) ↔ byte offset, for the whole text.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of every `STRIDE`-th character; empty for ASCII text.
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        Offsets { text, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return char_index.min(self.text.len());
        }
        let k = (char_index / STRIDE).min(self.checkpoints.len() - 1);
        let mut byte = self.checkpoints[k];
        let mut left = char_index - k * STRIDE;
        let bytes = self.text.as_bytes();
        while left > 0 && byte < bytes.len() {
            byte += 1;
            while byte < bytes.len() && (bytes[byte] & 0xC0) == 0x80 {
                byte += 1;
            }
            left -= 1;
        }
        byte
    }

    /// The character index of a byte offset on a character boundary.
    fn char_index(&self, byte: usize) -> usize {
        if self.checkpoints.is_empty() {
            return byte;
        }
        let k = match self.checkpoints.binary_search(&byte) {
            Ok(k) => return k * STRIDE,
            Err(k) => k - 1,
        };
        let between = &self.text.as_bytes()[self.checkpoints[k]..byte];
        k * STRIDE + between.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
    }
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

/// Children of open collections live in the builder's shared scratch vectors from
/// `start` on, so each finished collection is one exactly sized allocation.
enum Kind {
    Seq {
        start: usize,
        len: usize,
    },
    Map {
        map: BTreeMap<Value, Value>,
        start: usize,
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

/// Builds one document at a time; reused across the documents of a stream.
struct Builder<'l> {
    text: &'l str,
    limits: &'l Limits,
    index: usize,
    start: usize,
    stack: Vec<Frame>,
    items: Vec<Value>,
    item_spans: Vec<SpanNode>,
    entries: Vec<(String, SpanNode)>,
    root: Option<Node>,
    /// By saphyr's anchor id, which keeps growing over a stream.
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    alias_nodes: usize,
    dups: Vec<DuplicateKey>,
    keys: KeyCache,
}

/// Mapping keys repeat across the documents of a stream (`apiVersion`, `metadata`,
/// `name`): share one string per key instead of allocating each time.
#[derive(Default)]
struct KeyCache(HashMap<Box<str>, Value, BuildHasherDefault<FxHasher>>);

impl KeyCache {
    const MAX_KEYS: usize = 4096;
    const MAX_LEN: usize = 64;

    fn get(&mut self, key: &str) -> Value {
        if let Some(v) = self.0.get(key) {
            return v.clone();
        }
        let v = Value::from(key);
        if key.len() <= Self::MAX_LEN && self.0.len() < Self::MAX_KEYS {
            self.0.insert(key.into(), v.clone());
        }
        v
    }
}

/// A small multiplicative hash (as in rustc's FxHasher): keys are short and not
/// attacker-sensitive here, since the cache is bounded.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn err(span: &ByteRange, message: String) -> ParseError {
    ParseError {
        span: Some(span.clone()),
        message,
    }
}

impl<'l> Builder<'l> {
    fn new(text: &'l str, limits: &'l Limits) -> Self {
        Builder {
            text,
            limits,
            index: 0,
            start: 0,
            stack: Vec::new(),
            items: Vec::new(),
            item_spans: Vec::new(),
            entries: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            dups: Vec::new(),
            keys: KeyCache::default(),
        }
    }

    fn begin(&mut self, index: usize, start: usize) {
        self.abandon();
        self.index = index;
        self.start = start;
    }

    /// Forgets the document being built (after an error).
    fn abandon(&mut self) {
        self.stack.clear();
        self.items.clear();
        self.item_spans.clear();
        self.entries.clear();
        self.root = None;
        self.anchors.clear();
        self.nodes = 0;
        self.alias_nodes = 0;
        self.dups.clear();
    }

    fn finish(&mut self, end: usize) -> Option<ParsedDoc> {
        let root = self.root.take()?;
        self.anchors.clear();
        // kubectl skips documents that are empty or `null`.
        if root.value == Value::Null {
            return None;
        }
        Some(ParsedDoc {
            index: self.index,
            value: root.value,
            spans: root.span,
            duplicate_keys: std::mem::take(&mut self.dups),
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
                        start: self.items.len(),
                        len: 0,
                    }
                } else {
                    Kind::Map {
                        map: BTreeMap::new(),
                        start: self.entries.len(),
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
        self.anchors.insert(
            id,
            Anchored {
                value: node.value,
                span: node.span,
                count: node.count,
                height: node.height,
                key: node.key,
            },
        );
    }

    fn alias(&mut self, id: usize, span: ByteRange) -> Result<(), ParseError> {
        let Some(a) = self.anchors.get(&id) else {
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
            Kind::Seq { start, .. } => {
                let items = self.items.split_off(start);
                let spans = self.item_spans.split_off(start);
                (Value::from(items), Children::Seq(Arc::new(spans)))
            }
            Kind::Map {
                mut map,
                start,
                merges,
                ..
            } => {
                let mut spans = self.entries.split_off(start);
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
            Kind::Seq { len, .. } => {
                *len += 1;
                self.items.push(node.value);
                self.item_spans.push(node.span);
                None
            }
            Kind::Map {
                map,
                start,
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
                let replaced = map.insert(self.keys.get(&k.text), node.value);
                let duplicate = replaced.map(|_| {
                    let first = self.entries[*start..]
                        .iter()
                        .rev()
                        .find(|(name, _)| *name == k.text)
                        .and_then(|(_, n)| n.key_span.clone())
                        .unwrap_or_else(|| k.span.clone());
                    (k.text.clone(), first, k.span.clone())
                });
                self.entries.push((k.text, node.span));
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
                Kind::Seq { len, .. } => path.push(PathSeg::Index(*len)),
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

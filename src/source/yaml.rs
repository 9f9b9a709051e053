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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use regorus::Value;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::resolve::{self, CoreTag, Resolved};
use super::{ByteRange, Children, DuplicateKey, Limits, PathSeg, SpanNode, TaggedField};

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
    /// Scalars written with a tag that changes what they say.
    pub tagged: Vec<TaggedField>,
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
///
/// saphyr refuses two things in quoted scalars that go-yaml reads, and so Kubernetes:
/// continuation lines indented no deeper than the key (go-yaml does not check their
/// indentation; the value is the same at any indentation), and the escape `\'`.
/// A document that fails on one of these is read again from a copy of the text with
/// the scalar's continuation lines indented and `\'` written `\x27`, which means
/// the same; offsets are mapped back to `text`.
pub fn parse_stream(text: &str, limits: &Limits) -> ParsedStream {
    let mut out = parse_text(text, limits);
    let mut edits = Edits::default();
    for _ in 0..MAX_REREADS {
        let mut found = false;
        for e in &out.errors {
            let Some(span) = &e.span else { continue };
            if !(e.message.contains("invalid indentation in quoted scalar")
                || e.message.contains("found unknown escape character"))
            {
                continue;
            }
            // Offsets in `out` are already offsets in `text`.
            if edits.add_quoted(text, span.start) {
                found = true;
            }
        }
        if !found {
            break;
        }
        let patched = edits.apply(text);
        out = parse_text(&patched, limits);
        edits.unmap_stream(&mut out);
    }
    out
}

/// How many times a text is read again for quoted scalars saphyr refuses (each round
/// fixes at least one scalar of every document that failed on one).
const MAX_REREADS: usize = 16;

/// Insertions and replacements in a text, by offset in the original.
#[derive(Default)]
struct Edits {
    /// (offset in the original, bytes replaced, replacement), disjoint; ascending
    /// once [`Edits::apply`] has run.
    list: Vec<(usize, usize, String)>,
    /// Quoted scalars already handled, by the offset of their opening quote.
    done: std::collections::HashSet<usize>,
    /// For each edit, ascending: its start and end in the edited text, its offset in
    /// the original, and the length difference of all edits up to it included.
    index: Vec<(usize, usize, usize, isize)>,
}

impl Edits {
    /// Adds the edits for the quoted scalar whose opening quote is at `quote`.
    fn add_quoted(&mut self, text: &str, quote: usize) -> bool {
        let bytes = text.as_bytes();
        // The error may point at the scalar's anchor or tag.
        let quote = skip_properties(text, quote, text.len());
        let q = match bytes.get(quote) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return false,
        };
        if !self.done.insert(quote) {
            return false;
        }
        let line_start = text[..quote].rfind('\n').map_or(0, |i| i + 1);
        let indent = " ".repeat(text[line_start..quote].chars().count() + 1);
        let mut i = quote + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if q == b'"' => match bytes.get(i + 1) {
                    Some(b'\'') => {
                        self.list.push((i, 2, "\\x27".into()));
                        i += 2;
                    }
                    // An escaped line break: the next line is a continuation line too.
                    Some(b'\r' | b'\n') => i += 1,
                    _ => i += 2,
                },
                b'\'' if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b if b == q => break,
                b'\n' => {
                    i += 1;
                    let rest = &bytes[i..];
                    if is_marker(rest, b'-') || is_marker(rest, b'.') {
                        break; // go-yaml refuses a document marker in a quoted scalar too
                    }
                    self.list.push((i, 0, indent.clone()));
                }
                _ => i += 1,
            }
        }
        true
    }

    /// The edited text; also indexes the edits for [`Edits::unmap`].
    fn apply(&mut self, text: &str) -> String {
        self.list.sort_by_key(|e| e.0);
        self.list.dedup_by_key(|e| e.0);
        self.index.clear();
        let mut out = String::with_capacity(text.len() + 64);
        let mut at = 0;
        let mut shift: isize = 0;
        for (pos, len, with) in &self.list {
            out.push_str(&text[at..*pos]);
            let start = out.len();
            out.push_str(with);
            shift += with.len() as isize - *len as isize;
            self.index.push((start, out.len(), *pos, shift));
            at = pos + len;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The original offset of an offset in the edited text (inside an edit: its start).
    fn unmap(&self, x: usize) -> usize {
        let k = self.index.partition_point(|e| e.0 <= x);
        let Some(&(_, end, pos, shift)) = k.checked_sub(1).and_then(|k| self.index.get(k)) else {
            return x;
        };
        if x < end {
            return pos;
        }
        (x as isize - shift).max(0) as usize
    }

    fn unmap_range(&self, r: &ByteRange) -> ByteRange {
        let start = self.unmap(r.start);
        start..self.unmap(r.end).max(start)
    }

    fn unmap_stream(&self, out: &mut ParsedStream) {
        for e in &mut out.errors {
            if let Some(r) = &mut e.span {
                *r = self.unmap_range(r);
            }
        }
        for d in &mut out.docs {
            d.span = self.unmap_range(&d.span);
            for dup in &mut d.duplicate_keys {
                dup.first = self.unmap_range(&dup.first);
                dup.second = self.unmap_range(&dup.second);
            }
            for t in &mut d.tagged {
                t.span = self.unmap_range(&t.span);
            }
            d.spans = super::span::map_spans(&d.spans, &|r| self.unmap_range(&r));
        }
    }
}

fn parse_text(text: &str, limits: &Limits) -> ParsedStream {
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
                match builder.finish(end) {
                    Ok(Some(parsed)) => out.docs.push(parsed),
                    Ok(None) => {}
                    // Kubernetes cannot turn the document into JSON; the next one is fine.
                    Err(e) => out.errors.push(e),
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
    key: Option<KeyOf>,
    /// Whether it was written as an alias (`*name`).
    alias: bool,
}

struct Anchored {
    value: Value,
    span: SpanNode,
    count: usize,
    height: usize,
    key: Option<KeyOf>,
}

/// What sigs.k8s.io/yaml makes of a scalar key: the string and the Go type it had
/// (keys of different types that make the same string are two keys to go-yaml), or
/// why it cannot make a key of it.
type KeyOf = Result<(String, GoKind), String>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GoKind {
    Str,
    Bool,
    Int,
    Float,
    /// NaN is not equal to itself: two `.nan` keys are two keys to go-yaml.
    NaN,
    /// Set by a merge key: its type is not kept.
    Merged,
}

fn key_of(resolved: Resolved, text: &str) -> KeyOf {
    let kind = match resolved {
        Resolved::Bool(_) => GoKind::Bool,
        Resolved::Int(_) | Resolved::UInt(_) => GoKind::Int,
        Resolved::Float(f) if f.is_nan() => GoKind::NaN,
        Resolved::Float(_) => GoKind::Float,
        Resolved::Null | Resolved::Str => GoKind::Str,
    };
    resolve::to_key(resolved, text).map(|k| (k.into_owned(), kind))
}

struct PendingKey {
    text: String,
    kind: GoKind,
    /// The key in the object: the text, or a [`Builder::poison`] when Kubernetes
    /// cannot have such a key (null, an integer above 2^63).
    key: Option<Value>,
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
        /// Keys last set by a merge (`<<`): setting one again is not a duplicate.
        merged: Vec<String>,
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
    /// The Go type of each key in `entries`.
    entry_kinds: Vec<GoKind>,
    root: Option<Node>,
    /// By saphyr's anchor id, which keeps growing over a stream.
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    alias_nodes: usize,
    dups: Vec<DuplicateKey>,
    keys: KeyCache,
    /// Why each poison value of this document is one (see [`Builder::poison`]).
    poisons: Vec<ParseError>,
    tagged: Vec<TaggedField>,
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
            entry_kinds: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            dups: Vec::new(),
            keys: KeyCache::default(),
            poisons: Vec::new(),
            tagged: Vec::new(),
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
        self.entry_kinds.clear();
        self.root = None;
        self.anchors.clear();
        self.nodes = 0;
        self.alias_nodes = 0;
        self.dups.clear();
        self.poisons.clear();
        self.tagged.clear();
    }

    fn finish(&mut self, end: usize) -> Result<Option<ParsedDoc>, ParseError> {
        let Some(root) = self.root.take() else {
            return Ok(None);
        };
        self.anchors.clear();
        // kubectl skips documents that are empty or `null`.
        if root.value == Value::Null {
            return Ok(None);
        }
        if !self.poisons.is_empty() {
            if let Some(id) = find_poison(&root.value) {
                let e = self.poisons.get(id).cloned();
                self.abandon();
                return Err(e.unwrap_or_else(|| err(&root.span.span, POISON.into())));
            }
            self.poisons.clear();
        }
        Ok(Some(ParsedDoc {
            index: self.index,
            value: root.value,
            spans: root.span,
            duplicate_keys: std::mem::take(&mut self.dups),
            tagged: std::mem::take(&mut self.tagged),
            span: self.start..end.max(self.start),
        }))
    }

    /// A value that stands for something Kubernetes cannot turn into JSON (a float
    /// that is infinite or not a number, a null key). It is reported only if it is
    /// still in the document at its end, as sigs.k8s.io/yaml converts the decoded
    /// document: a later duplicate key or a merge may have replaced it.
    fn poison(&mut self, span: &ByteRange, message: String) -> Value {
        let id = self.poisons.len();
        self.poisons.push(err(span, message));
        Value::from(std::collections::BTreeSet::from([Value::from(id as u64)]))
    }

    /// The value of a scalar that is not a key.
    fn scalar_value(&mut self, resolved: Resolved, text: &str, span: &ByteRange) -> Value {
        match resolved {
            Resolved::Float(f) if !f.is_finite() => self.poison(
                span,
                format!(
                    "`{}` is not a number JSON can hold: Kubernetes cannot read this document (quote it to make it a string)",
                    text.trim()
                ),
            ),
            _ => resolve::to_value(resolved, text),
        }
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
                let written = span.clone();
                let tag_text = tag.as_ref().map(|t| format!("{}{}", t.handle, t.suffix));
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
                // A block scalar whose last line ends the text without a line break:
                // go-yaml adds none (chomping keeps only line breaks that are there),
                // saphyr adds one.
                let text = match text {
                    Cow::Owned(mut t)
                        if block && t.ends_with('\n') && !self.text[span.end..].contains('\n') =>
                    {
                        t.pop();
                        Cow::Owned(t)
                    }
                    Cow::Borrowed(t)
                        if block && t.ends_with('\n') && !self.text[span.end..].contains('\n') =>
                    {
                        Cow::Borrowed(&t[..t.len() - 1])
                    }
                    t => t,
                };
                // `\/` reads as `/`: only a value with one can have it.
                if style == ScalarStyle::DoubleQuoted && text.contains('/') {
                    if let Some(at) = slash_escape(self.text, span.start) {
                        return Err(err(
                            &(at..at + 2),
                            "go-yaml does not know the escape `\\/` (write `/`): Kubernetes rejects this document".into(),
                        ));
                    }
                }
                let tag = tag.map(|t| CoreTag::from_parts(&t.handle, &t.suffix));
                if matches!(tag, Some(CoreTag::Binary | CoreTag::Other)) {
                    self.note_tag(written, tag_text.as_deref(), &span);
                }
                let decoded;
                let (text, resolved) = match (style, tag) {
                    (_, Some(CoreTag::Binary)) => {
                        decoded = resolve::decode_binary(&text).map_err(|m| err(&span, m))?;
                        (decoded.as_str(), Resolved::Str)
                    }
                    (_, Some(tag)) => (
                        &*text,
                        resolve::resolve_tagged(&text, tag)
                            .map_err(|m| err(&span, format!("{m} (explicit tag)")))?,
                    ),
                    (ScalarStyle::Plain, None) => (&*text, resolve::resolve_plain(&text)),
                    _ => (&*text, Resolved::Str),
                };
                if self.expects_key() {
                    if text.is_empty()
                        && style == ScalarStyle::Plain
                        && tag.is_none()
                        && anchor == 0
                    {
                        check_missing_key(self.text, span.start)?;
                    }
                    // go-yaml merges on `<<` written plain, or tagged `!!merge`.
                    let merge = text == "<<"
                        && match tag {
                            None => style == ScalarStyle::Plain,
                            Some(t) => t == CoreTag::Merge,
                        };
                    let key = key_of(resolved, text);
                    if anchor > 0 {
                        let value = self.scalar_value(resolved, text, &span);
                        self.anchor(
                            anchor,
                            Node {
                                value,
                                span: SpanNode::leaf(span.clone()),
                                count: 1,
                                height: 0,
                                key: Some(key.clone()),
                                alias: false,
                            },
                        );
                    }
                    self.set_key(key, text, span, merge);
                    return Ok(());
                }
                let value = self.scalar_value(resolved, text, &span);
                let key = (anchor > 0).then(|| key_of(resolved, text));
                let node = Node {
                    value,
                    span: SpanNode::leaf(span),
                    count: 1,
                    height: 0,
                    key,
                    alias: false,
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
                        merged: Vec::new(),
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
            let Some(key) = key else {
                return Err(err(
                    &span,
                    "a mapping key is a collection; Kubernetes only accepts scalar keys".into(),
                ));
            };
            let text = key.clone().map(|(k, _)| k).unwrap_or_default();
            self.set_key(key, &text, span, false);
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
            alias: true,
        };
        self.attach(node)
    }

    /// Sets the pending key of the mapping on top: `key` is what sigs.k8s.io/yaml makes
    /// of it, or why it cannot make a key of it; `text` is what was written.
    fn set_key(&mut self, key: KeyOf, text: &str, span: ByteRange, merge: bool) {
        let (text, kind, key_value) = match key {
            Ok((k, kind)) => (k, kind, None),
            Err(m) => (text.to_string(), GoKind::Str, Some(self.poison(&span, m))),
        };
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
            *key = Some(PendingKey {
                text,
                kind,
                key: key_value,
                span,
                merge,
            });
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
            Kind::Map { map, start, .. } => {
                let spans = self.entries.split_off(start);
                self.entry_kinds.truncate(start);
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
            alias: false,
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
                merged,
            } => {
                let Some(k) = key.take() else {
                    return Ok(());
                };
                if k.merge {
                    let before = self.entries.len();
                    merge(map, &mut self.entries, merged, node, &k.span)?;
                    let added = self.entries.len() - before;
                    self.entry_kinds
                        .extend(std::iter::repeat_n(GoKind::Merged, added));
                    return Ok(());
                }
                node.span.key_span = Some(k.span.clone());
                let name = k.key.unwrap_or_else(|| self.keys.get(&k.text));
                let mut replaced = map.insert(name, node.value);
                if replaced.is_some() && !merged.is_empty() {
                    if let Some(i) = merged.iter().position(|m| *m == k.text) {
                        merged.swap_remove(i);
                        replaced = None;
                    }
                }
                let duplicate = replaced.map(|old| {
                    let earlier = self.entries[*start..]
                        .iter()
                        .rposition(|(name, _)| *name == k.text)
                        .map(|i| *start + i);
                    let first = earlier
                        .and_then(|i| self.entries[i].1.key_span.clone())
                        .unwrap_or_else(|| k.span.clone());
                    // Keys that only collide once made strings (`yes` and `'true'`)
                    // are two keys to go-yaml, and sigs.k8s.io/yaml converts both
                    // values: a poison in the replaced one stays, as a key of this map.
                    let first_kind = earlier.and_then(|i| self.entry_kinds.get(i).copied());
                    let two_keys = first_kind
                        .is_some_and(|f| f != GoKind::Merged && (f != k.kind || f == GoKind::NaN));
                    if two_keys && !self.poisons.is_empty() {
                        if let Some(poison) = first_poison(&old) {
                            map.insert(poison, Value::Null);
                        }
                    }
                    (k.text.clone(), first, k.span.clone())
                });
                self.entries.push((k.text, node.span));
                self.entry_kinds.push(k.kind);
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

    /// Records a scalar written with a tag that changes what it says, at the path of
    /// the node being read (a key: the path of its value).
    fn note_tag(&mut self, written: ByteRange, tag: Option<&str>, span: &ByteRange) {
        let Some(tag) = tag else { return };
        let mut path = self.path_of_top();
        match self.stack.last() {
            Some(Frame {
                kind: Kind::Seq { len, .. },
                ..
            }) => path.push(PathSeg::Index(*len)),
            Some(Frame {
                kind: Kind::Map { key: Some(k), .. },
                ..
            }) => path.push(PathSeg::Key(k.text.as_str().into())),
            Some(_) => {
                // A key: its path is known once the key is resolved; use the text.
                let key = self.text.get(span.clone()).unwrap_or_default();
                path.push(PathSeg::Key(key.into()));
            }
            None => {}
        }
        // `!!binary` written as `!!binary`, or `!<tag:yaml.org,2002:binary>`.
        let tag = match tag.strip_prefix("tag:yaml.org,2002:") {
            Some(name) => format!("!!{name}"),
            None => tag.to_string(),
        };
        self.tagged.push(TaggedField {
            path,
            span: written.start..span.end.max(written.start),
            tag,
        });
    }

    /// Path of the collection on top of the stack (only built for duplicate keys).
    fn path_of_top(&self) -> Vec<PathSeg> {
        let mut path = Vec::new();
        for frame in &self.stack[..self.stack.len().saturating_sub(1)] {
            match &frame.kind {
                Kind::Seq { len, .. } => path.push(PathSeg::Index(*len)),
                Kind::Map { key, .. } => {
                    if let Some(k) = key {
                        path.push(PathSeg::Key(k.text.as_str().into()));
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
            alias: self.alias,
        }
    }
}

/// saphyr reads `: value` with no key before the `:` as a null key; go-yaml refuses
/// it (an explicit `? ` key with nothing after it is fine).
fn check_missing_key(text: &str, at: usize) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b':') {
        return Ok(());
    }
    let before = text[..at].trim_end_matches([' ', '\t', '\r', '\n']);
    if before.ends_with('?') {
        return Ok(());
    }
    Err(err(
        &(at..at + 1),
        "`:` with no key before it: go-yaml refuses it, so Kubernetes cannot read this document"
            .into(),
    ))
}

/// Where a double-quoted scalar starting at `quote` has the escape `\/`, which YAML
/// 1.2 added and go-yaml (YAML 1.1) refuses.
fn slash_escape(text: &str, quote: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(quote) != Some(&b'"') {
        return None;
    }
    let mut i = quote + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'/') => return Some(i),
            b'\\' => i += 2,
            b'"' => return None,
            _ => i += 1,
        }
    }
    None
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
    "the value of a merge key `<<` must be a mapping or a sequence of mappings; Kubernetes rejects this document";

const POISON: &str = "Kubernetes cannot turn this document into JSON";

/// Applies a merge key (`<<`) as go-yaml v2 does: at its place among the keys, the
/// merged mappings overwrite the keys set before it (for a sequence, earlier mappings
/// win), and keys after it overwrite them. The value must be a mapping, an alias to
/// one, or a sequence written in place whose items are mappings or aliases to them.
fn merge(
    map: &mut BTreeMap<Value, Value>,
    entries: &mut Vec<(String, SpanNode)>,
    merged: &mut Vec<String>,
    node: Node,
    key_span: &ByteRange,
) -> Result<(), ParseError> {
    match (&node.value, &node.span.children) {
        (Value::Object(_), _) => merge_one(map, entries, merged, &node.value, &node.span),
        (Value::Array(items), Children::Seq(spans)) if !node.alias => {
            for (item, span) in items.iter().zip(spans.iter()) {
                if !matches!(item, Value::Object(_)) {
                    return Err(err(&span.span, MERGE_ERROR.into()));
                }
            }
            for (item, span) in items.iter().zip(spans.iter()).rev() {
                merge_one(map, entries, merged, item, span);
            }
        }
        _ => return Err(err(key_span, MERGE_ERROR.into())),
    }
    Ok(())
}

/// Sets every key of `source` in `map`, overwriting.
fn merge_one(
    map: &mut BTreeMap<Value, Value>,
    entries: &mut Vec<(String, SpanNode)>,
    merged: &mut Vec<String>,
    source: &Value,
    source_spans: &SpanNode,
) {
    let (Value::Object(source), Children::Map(spans)) = (source, &source_spans.children) else {
        return;
    };
    for (key, value) in source.iter() {
        map.insert(key.clone(), value.clone());
    }
    for (name, span) in spans.iter() {
        entries.push((name.clone(), span.clone()));
        if !merged.contains(name) {
            merged.push(name.clone());
        }
    }
}

/// The first poison value (see `Builder::poison`) in `value`.
fn first_poison(value: &Value) -> Option<Value> {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Set(_) => return Some(v.clone()),
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    None
}

/// The id of the first poison value (see `Builder::poison`) left in `value`.
fn find_poison(value: &Value) -> Option<usize> {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Set(set) => {
                let id = set.iter().next().and_then(|n| match n {
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                });
                return Some(id.unwrap_or(u64::MAX) as usize);
            }
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;

//! Reading inputs into [`Loaded`]: files, directories and stdin (`-`) become
//! [`Document`]s; whatever cannot be read becomes a [`Problem`].

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use regorus::Value;

use super::yaml::{self, ParseError, ParsedDoc, ParsedStream};
use super::{
    span, walk, ByteRange, Children, Document, DuplicateKey, FileId, Limits, Loaded, PathSeg,
    Problem, SkipReason, Skipped, SourceFile, SpanNode,
};

/// Reads every input: `-` is stdin (read at most once), a directory is walked, a file
/// is read whatever its extension. A file reached twice (`dir dir/sub`) is read once.
pub fn load(inputs: &[String], limits: &Limits, stdin: &mut dyn Read) -> Loaded {
    load_with(inputs, limits, stdin, &[])
}

/// [`load`], walking directories for the files with the extensions in `extra` too
/// (`tf`: Terraform files, read as HCL). Files are read and parsed on
/// [`Limits::threads`] threads; the result is the same, in the same order, as if
/// they were read one after the other.
pub fn load_with(
    inputs: &[String],
    limits: &Limits,
    stdin: &mut dyn Read,
    extra: &[&str],
) -> Loaded {
    let mut jobs = Vec::new();
    let mut stdin_read = false;
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        if input == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            jobs.push(match read_limited(stdin, limits.max_file_bytes, 0) {
                Ok(bytes) => Job::Bytes {
                    name: "<stdin>".into(),
                    bytes,
                    named: true,
                },
                Err(message) => Job::Problem(Problem {
                    file: None,
                    span: None,
                    message: format!("<stdin>: {message}"),
                }),
            });
            continue;
        }
        let root = PathBuf::from(input);
        let (files, problems) = walk::discover_with(std::slice::from_ref(&root), extra);
        jobs.extend(problems.into_iter().map(Job::Problem));
        for path in files {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(key) {
                continue;
            }
            let named = path == root;
            jobs.push(Job::File { path, named });
        }
    }
    run(jobs, limits)
}

/// Parses files already in memory, such as those read from a git revision: each
/// `(name, bytes)` is one input shown as `name`, with no path on disk.
pub fn load_named(files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Loaded {
    let jobs = files
        .into_iter()
        .map(|(name, bytes)| {
            if bytes.len() > limits.max_file_bytes {
                let message = format!(
                    "{name}: {}",
                    too_big(bytes.len() as u64, limits.max_file_bytes)
                );
                return Job::Problem(Problem {
                    file: None,
                    span: None,
                    message,
                });
            }
            Job::Bytes {
                name,
                bytes,
                named: false,
            }
        })
        .collect();
    run(jobs, limits)
}

/// Parses `text` as one input named `name`.
pub fn load_str(name: &str, text: String, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    add_text(&mut loaded, name.to_string(), None, text, limits, true);
    loaded
}

/// One input, in the order of the command line.
enum Job {
    /// A file to read from disk; `named` on the command line, or found in a directory.
    File { path: PathBuf, named: bool },
    /// An input already read (stdin, a file of a git revision).
    Bytes {
        name: String,
        bytes: Vec<u8>,
        named: bool,
    },
    /// An input that could not be found or read.
    Problem(Problem),
}

impl Job {
    /// Reads and parses the input, on its own: its file, if any, is `FileId(0)`.
    fn run(self, limits: &Limits) -> Loaded {
        let mut part = Loaded::default();
        match self {
            Job::File { path, named } => {
                let name = path.display().to_string();
                match read_file(&path, limits.max_file_bytes) {
                    Ok(bytes) => add_bytes(&mut part, name, Some(path), bytes, limits, named),
                    Err(message) => part.problems.push(Problem {
                        file: None,
                        span: None,
                        message: format!("{name}: {message}"),
                    }),
                }
            }
            Job::Bytes { name, bytes, named } => {
                add_bytes(&mut part, name, None, bytes, limits, named)
            }
            Job::Problem(problem) => part.problems.push(problem),
        }
        part
    }
}

/// Runs `jobs` on up to [`Limits::threads`] threads (each takes the next input not
/// taken yet), then puts their parts together in the order of `jobs`.
fn run(jobs: Vec<Job>, limits: &Limits) -> Loaded {
    let files = jobs
        .iter()
        .filter(|j| !matches!(j, Job::Problem(_)))
        .count();
    let threads = match limits.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(files);
    let mut loaded = Loaded::default();
    if threads <= 1 {
        for job in jobs {
            append(&mut loaded, job.run(limits));
        }
        return loaded;
    }
    let count = jobs.len();
    let jobs: Vec<Mutex<Option<Job>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let parts: Vec<Mutex<Option<Loaded>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i).and_then(take) else {
            break;
        };
        let part = job.run(limits);
        if let Some(slot) = parts.get(i) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(part);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    for part in parts {
        if let Some(part) = part.into_inner().unwrap_or_else(|e| e.into_inner()) {
            append(&mut loaded, part);
        }
    }
    loaded
}

fn take<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Adds a part read on its own (its files numbered from 0) after what `loaded` holds.
fn append(loaded: &mut Loaded, part: Loaded) {
    let base = loaded.files.len();
    let shift = |file: FileId| FileId(file.0 + base);
    loaded.files.extend(part.files);
    loaded
        .documents
        .extend(part.documents.into_iter().map(|d| Document {
            file: shift(d.file),
            ..d
        }));
    loaded
        .problems
        .extend(part.problems.into_iter().map(|p| Problem {
            file: p.file.map(shift),
            ..p
        }));
    loaded
        .skipped
        .extend(part.skipped.into_iter().map(|s| Skipped {
            file: shift(s.file),
            ..s
        }));
}

fn read_file(path: &std::path::Path, max: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut size = 0;
    if let Ok(meta) = file.metadata() {
        if meta.len() > max as u64 {
            return Err(too_big(meta.len(), max));
        }
        size = meta.len() as usize;
    }
    read_limited(&mut &file, max, size)
}

/// Reads at most `max` bytes; more is an error, not a silent cut. `size` is what
/// the reader is expected to hold (0 if not known).
fn read_limited(reader: &mut dyn Read, max: usize, size: usize) -> Result<Vec<u8>, String> {
    // One more byte than expected, so that reaching the end needs no second buffer.
    let mut bytes = Vec::with_capacity(size.min(max).saturating_add(1));
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() > max {
        return Err(format!("is larger than the limit of {max} bytes; not read"));
    }
    Ok(bytes)
}

fn too_big(len: u64, max: usize) -> String {
    format!("is {len} bytes, larger than the limit of {max} bytes; not read")
}

fn add_bytes(
    loaded: &mut Loaded,
    name: String,
    path: Option<PathBuf>,
    bytes: Vec<u8>,
    limits: &Limits,
    named: bool,
) {
    match String::from_utf8(bytes) {
        Ok(text) => add_text(loaded, name, path, text, limits, named),
        Err(e) => {
            // Keep the file (bad bytes shown as U+FFFD) so the error has a line and
            // column: offsets before the first bad byte are unchanged.
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let file = FileId(loaded.files.len());
            loaded.files.push(SourceFile::new(name, path, text));
            loaded.problems.push(Problem {
                file: Some(file),
                span: Some(at..end),
                message: format!("not UTF-8 text (invalid byte at offset {at}); not read"),
            });
        }
    }
}

fn add_text(
    loaded: &mut Loaded,
    name: String,
    path: Option<PathBuf>,
    text: String,
    limits: &Limits,
    named: bool,
) {
    let file = FileId(loaded.files.len());
    if is_terraform(&name) {
        add_terraform(loaded, file, name, path, text, limits);
        return;
    }
    // The text keeps its byte order mark, if any; the parser skips it, so every
    // offset stays an offset into this text.
    let parsed = parse_as_kubectl(&text, limits);
    let skip = |reason| Skipped {
        file,
        named,
        reason,
    };
    if !parsed.errors.is_empty() {
        // Not a manifest that is broken, but a file that is no manifest at all:
        // said once, not as a YAML error.
        let reason = match helm_template(&text) {
            Some(at) => Some(SkipReason::HelmTemplate { at }),
            None if is_json(&name) && !names_a_kind(&text) => Some(SkipReason::NotManifestJson),
            None => None,
        };
        if let Some(reason) = reason {
            loaded.files.push(SourceFile::new(name, path, text));
            loaded.skipped.push(skip(reason));
            return;
        }
    }
    loaded.files.push(SourceFile::new(name, path, text));
    let empty = parsed.errors.is_empty() && parsed.docs.is_empty();
    for error in parsed.errors {
        let span = match error.span {
            Some(span) if error.message.contains("tab") => {
                Some(tab_near(&loaded.files[file.0].text, span))
            }
            other => other,
        };
        loaded.problems.push(Problem {
            file: Some(file),
            span,
            message: error.message,
        });
    }
    let mut not_objects = 0;
    let mut first = None;
    for doc in parsed.docs {
        if let Some(span) = add_document(loaded, file, doc) {
            not_objects += 1;
            first.get_or_insert(span);
        }
    }
    if empty {
        loaded.skipped.push(skip(SkipReason::Empty));
    } else if let Some(first) = first {
        loaded.skipped.push(skip(SkipReason::NotObjects {
            count: not_objects,
            first,
        }));
    }
}

/// Whether a file is Terraform's native syntax (`*.tf`), read as HCL.
pub fn is_terraform(name: &str) -> bool {
    name.ends_with(".tf")
}

/// A `.tf` file: one document in the shape of Terraform's JSON syntax ([`super::hcl`]).
fn add_terraform(
    loaded: &mut Loaded,
    file: FileId,
    name: String,
    path: Option<PathBuf>,
    text: String,
    limits: &Limits,
) {
    let parsed = super::hcl::parse(&text, limits.max_depth);
    loaded.files.push(SourceFile::new(name, path, text));
    match parsed {
        Ok((value, spans)) => loaded.documents.push(Document {
            file,
            index: 0,
            list_item: None,
            value,
            spans,
            duplicate_keys: Vec::new(),
            tagged: Vec::new(),
        }),
        Err(e) => loaded.problems.push(Problem {
            file: Some(file),
            span: Some(e.span),
            message: e.message,
        }),
    }
}

/// The tab a tab error is about: the parser places some where it noticed the tab
/// (past it, or at the end of the line before); the first tab from the start of
/// the error's line, over at most three lines, else the error's place as it is.
fn tab_near(text: &str, span: ByteRange) -> ByteRange {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let window: usize = text[line_start..]
        .split_inclusive('\n')
        .take(3)
        .map(str::len)
        .sum();
    match text[line_start..line_start + window].find('\t') {
        Some(i) => line_start + i..line_start + i + 1,
        None => span,
    }
}

/// Where `{{ … }}` first appears on one line of `text`: Helm template syntax.
fn helm_template(text: &str) -> Option<ByteRange> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(open) = line.find("{{") {
            if let Some(close) = line[open..].find("}}") {
                return Some(offset + open..offset + open + close + 2);
            }
        }
        offset += line.len();
    }
    None
}

fn is_json(name: &str) -> bool {
    name.len() > 5 && name[name.len() - 5..].eq_ignore_ascii_case(".json")
}

/// Whether JSON text names an `apiVersion` or a `kind` key anywhere.
fn names_a_kind(text: &str) -> bool {
    text.contains("\"kind\"") || text.contains("\"apiVersion\"")
}

/// Reads a manifest file as kubectl (and Flux, Argo CD, which share its reader) does.
/// The reader cuts the file at every line that starts with `---` and hands each piece,
/// every line ending with a line break (the last one too), to go-yaml, which reads
/// the piece's first document only. So:
/// - a block scalar that ends the file keeps its final line break;
/// - after a `...` line, the rest of the piece is ignored (documents there are dropped);
/// - a `---` line with more than a comment after it, and a directive (`%YAML`) before
///   the first document of a piece, make kubectl refuse the file (reported here).
pub fn parse_as_kubectl(text: &str, limits: &Limits) -> ParsedStream {
    let mut parsed = if text.is_empty() || text.ends_with('\n') {
        yaml::parse_stream(text, limits)
    } else {
        let mut terminated = String::with_capacity(text.len() + 1);
        terminated.push_str(text);
        terminated.push('\n');
        let mut parsed = yaml::parse_stream(&terminated, limits);
        clamp(&mut parsed, text.len());
        parsed
    };
    let pieces = KubectlPieces::scan(text);
    if !pieces.ignored.is_empty() {
        let ignored = |at: usize| pieces.ignored.iter().any(|r| r.contains(&at));
        parsed.docs.retain(|d| !ignored(d.spans.span.start));
        parsed
            .errors
            .retain(|e| e.span.as_ref().is_none_or(|r| !ignored(r.start)));
    }
    parsed.errors.extend(pieces.errors);
    parsed
}

/// How kubectl's reader cuts a file: what it ignores, and why it would refuse it.
#[derive(Default)]
struct KubectlPieces {
    /// After a `...` line, up to the next `---` line.
    ignored: Vec<ByteRange>,
    errors: Vec<ParseError>,
}

impl KubectlPieces {
    fn scan(text: &str) -> KubectlPieces {
        let mut out = KubectlPieces::default();
        let mut markers = Markers::new(text);
        // Whether the current piece has had content yet, and where its ignored tail began.
        let mut content = false;
        let mut ignoring: Option<usize> = None;
        let mut bad_separator = false;
        let mut next = 0;
        while next < text.len() {
            let start = next;
            let at = memchr::memchr(b'\n', &text.as_bytes()[start..])
                .map_or(text.len(), |i| start + i + 1);
            let Some(line) = text.get(start..at) else {
                break;
            };
            next = at;
            if let Some(rest) = line.strip_prefix("---") {
                if let Some(from) = ignoring.take() {
                    // An error the ignored text causes may be placed on the `---` line.
                    out.ignored.push(from..at);
                }
                content = false;
                let after = rest.trim();
                if !after.is_empty() && !after.starts_with('#') && !bad_separator {
                    // kubectl stops at the first one.
                    bad_separator = true;
                    let skip = rest.len() - rest.trim_start().len();
                    out.errors.push(ParseError {
                        span: Some(start + 3 + skip..start + 3 + skip + after.len()),
                        message: format!(
                            "kubectl cannot read this file: only a comment may follow `---` on its line, not `{}`",
                            shorten(after)
                        ),
                    });
                }
                continue;
            }
            if ignoring.is_some() {
                // Only a `---` line ends what is ignored.
                next = markers.next(at, Marker::Dashes);
                continue;
            }
            if content {
                // Once a piece has content only a `...` line changes anything (a blank
                // or comment line never starts with `...`), until the next `---`.
                if is_document_end(line) {
                    ignoring = Some(at);
                    next = markers.next(at, Marker::Dashes);
                } else {
                    next = markers.next_of_both(at);
                }
                continue;
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
                continue;
            }
            if is_document_end(line) {
                continue;
            }
            if line.starts_with('%') {
                out.errors.push(ParseError {
                    span: Some(start..start + trimmed.len()),
                    message: "kubectl cannot read this file: it cuts the file at `---` lines, which leaves this directive without a document".into(),
                });
            }
            content = true;
            next = markers.next_of_both(at);
        }
        if let Some(from) = ignoring {
            // An error at the very end of the text belongs to the last piece too.
            out.ignored.push(from..text.len() + 1);
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Marker {
    /// A line that starts with `---`.
    Dashes,
    /// A line that starts with `...`.
    Dots,
}

/// Finds the lines that start with `---` or `...` without looking at every line.
struct Markers<'t> {
    text: &'t str,
    dashes: memchr::memmem::Finder<'static>,
    dots: memchr::memmem::Finder<'static>,
    /// The last line found of each kind (`text.len()`: none left): the answer to
    /// any later search from at or before it (searches only move forward).
    found: [Option<usize>; 2],
}

impl<'t> Markers<'t> {
    fn new(text: &'t str) -> Self {
        Markers {
            text,
            dashes: memchr::memmem::Finder::new(b"\n---"),
            dots: memchr::memmem::Finder::new(b"\n..."),
            found: [None; 2],
        }
    }

    /// The start of the first line at or after `from` (a line start) that starts
    /// with `marker`, else the end of the text.
    fn next(&mut self, from: usize, marker: Marker) -> usize {
        let (finder, prefix, k) = match marker {
            Marker::Dashes => (&self.dashes, "---", 0),
            Marker::Dots => (&self.dots, "...", 1),
        };
        match self.found[k] {
            Some(line) if line >= from => line,
            _ => {
                let rest = self.text.get(from..).unwrap_or_default();
                let line = if rest.starts_with(prefix) {
                    from
                } else {
                    finder
                        .find(rest.as_bytes())
                        .map_or(self.text.len(), |i| from + i + 1)
                };
                self.found[k] = Some(line);
                line
            }
        }
    }

    fn next_of_both(&mut self, from: usize) -> usize {
        self.next(from, Marker::Dashes)
            .min(self.next(from, Marker::Dots))
    }
}

/// A `...` line: the document end marker, then white space or the end of the line.
fn is_document_end(line: &str) -> bool {
    line.starts_with("...")
        && matches!(
            line.as_bytes().get(3),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
}

fn shorten(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Keeps every offset within the first `len` bytes (the text before a line break
/// was added to it).
fn clamp(parsed: &mut ParsedStream, len: usize) {
    let fix = |r: &mut ByteRange| {
        r.start = r.start.min(len);
        r.end = r.end.min(len);
    };
    for e in &mut parsed.errors {
        if let Some(r) = &mut e.span {
            fix(r);
        }
    }
    for d in &mut parsed.docs {
        fix(&mut d.span);
        for dup in &mut d.duplicate_keys {
            fix(&mut dup.first);
            fix(&mut dup.second);
        }
        for t in &mut d.tagged {
            fix(&mut t.span);
        }
        if max_end(&d.spans) > len {
            d.spans = span::map_spans(&d.spans, &|mut r| {
                fix(&mut r);
                r
            });
        }
    }
}

/// The largest end offset in a span tree.
fn max_end(node: &SpanNode) -> usize {
    let mut max = node.span.end;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        max = max.max(n.span.end);
        if let Some(k) = &n.key_span {
            max = max.max(k.end);
        }
        match &n.children {
            Children::Seq(items) => stack.extend(items.iter()),
            Children::Map(entries) => stack.extend(entries.iter().map(|(_, n)| n)),
            Children::Embedded(inner) => stack.push(inner),
            Children::Leaf => {}
        }
    }
    max
}

/// Whether a mapping is meant as a Kubernetes object: it has a `kind` (in any
/// letter case), or an `apiVersion` (in any spelling) beside `metadata`. A Helm
/// `values.yaml`, a `Chart.yaml` or a CI workflow is not; a manifest whose `kind`
/// is misspelt or missing still is, and the `manifest-missing-kind` rule says so.
pub fn meant_as_object(value: &Value) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    let mut kind = false;
    let mut api_version = false;
    for key in map.keys() {
        if let Value::String(k) = key {
            kind |= spelt_as(k, "kind");
            api_version |= spelt_as(k, "apiversion");
        }
    }
    kind || (api_version && map.contains_key(&Value::from("metadata")))
}

/// Adds the object `doc` holds (or its items, for a `List`); returns the place of
/// a document that is not meant as a Kubernetes object and so is skipped. A
/// CloudFormation template or a Terraform plan (EKS access settings) is kept: it is
/// reviewed under a kind of its own ([`crate::access_entries::synthetic_kind`]).
fn add_document(loaded: &mut Loaded, file: FileId, doc: ParsedDoc) -> Option<ByteRange> {
    if !meant_as_object(&doc.value) && crate::access_entries::synthetic_kind(&doc.value).is_none() {
        return Some(doc.spans.label_range());
    }
    if let Some((items, item_spans)) = list_items(&doc) {
        expand_list(loaded, file, &doc, items, item_spans);
        return None;
    }
    loaded.documents.push(Document {
        file,
        index: doc.index,
        list_item: None,
        value: doc.value,
        spans: doc.spans,
        duplicate_keys: doc.duplicate_keys,
        tagged: doc.tagged,
    });
    None
}

/// Whether `key` is `word` (lowercase ASCII) in any letter case, with any `_` and
/// `-` in it left out.
fn spelt_as(key: &str, word: &str) -> bool {
    let mut word = word.bytes();
    key.bytes()
        .filter(|b| !matches!(b, b'_' | b'-'))
        .all(|b| word.next() == Some(b.to_ascii_lowercase()))
        && word.next().is_none()
}

type ListParts<'a> = (&'a [Value], &'a [super::SpanNode]);

/// The `items` of a `*List` object (v1/List, ConfigMapList, ...), with their spans.
fn list_items(doc: &ParsedDoc) -> Option<ListParts<'_>> {
    let Value::String(kind) = &doc.value["kind"] else {
        return None;
    };
    if !kind.ends_with("List") {
        return None;
    }
    let Value::Array(items) = &doc.value["items"] else {
        return None;
    };
    let spans = doc.spans.child(&PathSeg::Key("items".into()))?;
    let Children::Seq(item_spans) = &spans.children else {
        return None;
    };
    Some((items.as_slice(), item_spans.as_slice()))
}

fn expand_list(
    loaded: &mut Loaded,
    file: FileId,
    doc: &ParsedDoc,
    items: &[Value],
    item_spans: &[super::SpanNode],
) {
    // Duplicate keys inside an item go with that item, relative to it; any outside
    // the items go with the first item, with their path from the List.
    let mut per_item: Vec<Vec<DuplicateKey>> = vec![Vec::new(); items.len()];
    let mut outside = Vec::new();
    for dup in &doc.duplicate_keys {
        match dup.path.as_slice() {
            [PathSeg::Key(k), PathSeg::Index(i), rest @ ..]
                if &**k == "items" && *i < items.len() =>
            {
                let mut dup = dup.clone();
                dup.path = rest.to_vec();
                per_item[*i].push(dup);
            }
            _ => outside.push(dup.clone()),
        }
    }
    if let Some(first) = per_item.first_mut() {
        first.extend(outside);
    }
    for (i, ((item, spans), dups)) in items.iter().zip(item_spans).zip(per_item).enumerate() {
        if !matches!(item, Value::Object(_)) {
            loaded.problems.push(Problem {
                file: Some(file),
                span: Some(spans.label_range()),
                message: format!(
                    "item {i} of the list in document {} is not a Kubernetes object",
                    doc.index + 1
                ),
            });
            continue;
        }
        loaded.documents.push(Document {
            file,
            index: doc.index,
            list_item: Some(i),
            value: item.clone(),
            spans: spans.clone(),
            duplicate_keys: dups,
            tagged: item_tagged(&doc.tagged, i),
        });
    }
}

/// The tagged fields of item `i` of a List, with paths relative to the item.
fn item_tagged(tagged: &[super::TaggedField], i: usize) -> Vec<super::TaggedField> {
    tagged
        .iter()
        .filter_map(|t| match t.path.as_slice() {
            [PathSeg::Key(k), PathSeg::Index(j), rest @ ..] if &**k == "items" && *j == i => {
                Some(super::TaggedField {
                    path: rest.to_vec(),
                    ..t.clone()
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How kubectl cuts a file, looking at every line: what [`KubectlPieces::scan`]
    /// computes while skipping the lines that cannot matter.
    fn pieces_line_by_line(text: &str) -> (Vec<ByteRange>, Vec<(Option<ByteRange>, String)>) {
        let mut out = KubectlPieces::default();
        let mut at = 0;
        let mut content = false;
        let mut ignoring: Option<usize> = None;
        let mut bad_separator = false;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            if let Some(rest) = line.strip_prefix("---") {
                if let Some(from) = ignoring.take() {
                    out.ignored.push(from..at);
                }
                content = false;
                let after = rest.trim();
                if !after.is_empty() && !after.starts_with('#') && !bad_separator {
                    bad_separator = true;
                    let skip = rest.len() - rest.trim_start().len();
                    out.errors.push(ParseError {
                        span: Some(start + 3 + skip..start + 3 + skip + after.len()),
                        message: after.to_string(),
                    });
                }
                continue;
            }
            if ignoring.is_some() {
                continue;
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
                continue;
            }
            if is_document_end(line) {
                if content {
                    ignoring = Some(at);
                }
                continue;
            }
            if !content && line.starts_with('%') {
                out.errors.push(ParseError {
                    span: Some(start..start + trimmed.len()),
                    message: "directive".into(),
                });
            }
            content = true;
        }
        if let Some(from) = ignoring {
            out.ignored.push(from..text.len() + 1);
        }
        let errors = out
            .errors
            .into_iter()
            .map(|e| (e.span, e.message))
            .collect();
        (out.ignored, errors)
    }

    fn scanned(text: &str) -> (Vec<ByteRange>, Vec<Option<ByteRange>>) {
        let pieces = KubectlPieces::scan(text);
        (
            pieces.ignored,
            pieces.errors.into_iter().map(|e| e.span).collect(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_kubectl_cut_skips_only_lines_that_cannot_change_it(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("---"), Just("--- # c"), Just("--- {a: 1}"), Just("----"),
                    Just("..."), Just("... # c"), Just("...x"), Just("...\r"),
                    Just("%YAML 1.1"), Just("# c"), Just(""), Just("  "), Just("\t"),
                    Just("a: 1"), Just("  b: ..."), Just(" ---"), Just("x: |"),
                    Just("  --- in a block"), Just("é: ü"),
                ],
                0..24,
            ),
            crlf in any::<bool>(),
            final_break in any::<bool>(),
        ) {
            let mut text = lines.join(if crlf { "\r\n" } else { "\n" });
            if final_break {
                text.push('\n');
            }
            let (ignored, errors) = pieces_line_by_line(&text);
            let errors: Vec<_> = errors.into_iter().map(|(span, _)| span).collect();
            prop_assert_eq!(scanned(&text), (ignored, errors));
        }
    }

    fn key(k: &str) -> PathSeg {
        PathSeg::Key(k.into())
    }

    fn text_at<'a>(loaded: &'a Loaded, doc: &Document, path: &[PathSeg]) -> &'a str {
        let r = doc.spans.resolve(path);
        assert_eq!(r.matched, path.len(), "path {path:?} not found");
        &loaded.files[doc.file.0].text[r.node.span.clone()]
    }

    #[test]
    fn list_is_expanded_into_items_with_their_own_spans() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n    name: c\n";
        let loaded = load_str("list.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.documents.len(), 2);
        let second = &loaded.documents[1];
        assert_eq!(second.list_item, Some(1));
        assert_eq!(text_at(&loaded, second, &[key("kind")]), "Secret");
        assert_eq!(
            text_at(&loaded, second, &[key("metadata"), key("name")]),
            "c"
        );
        assert_eq!(second.duplicate_keys.len(), 1);
        assert_eq!(second.duplicate_keys[0].path, [key("metadata")]);
        assert_eq!(
            text_at(
                &loaded,
                &loaded.documents[0],
                &[key("metadata"), key("name")]
            ),
            "a"
        );
        assert!(loaded.documents[0].duplicate_keys.is_empty());
    }

    #[test]
    fn typed_lists_expand_too() {
        let text = "kind: RoleBindingList\napiVersion: rbac.authorization.k8s.io/v1\nitems:\n- kind: RoleBinding\n  metadata: {name: x}\n";
        let loaded = load_str("l.yaml", text.into(), &Limits::default());
        assert_eq!(loaded.documents.len(), 1);
        assert_eq!(loaded.documents[0].list_item, Some(0));
    }

    #[test]
    fn documents_that_are_not_objects_are_skipped_and_counted() {
        let text = "kind: A\n---\n- a\n- b\n---\njust text\n---\nreplicaCount: 2\n---\napiVersion: v2\nname: chart\n---\nKind: Pod\n";
        let loaded = load_str("x.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        // `kind: A` and `Kind: Pod` (misspelt, reported by manifest-missing-kind).
        assert_eq!(loaded.documents.len(), 2);
        assert_eq!(loaded.skipped.len(), 1);
        let SkipReason::NotObjects { count, first } = &loaded.skipped[0].reason else {
            panic!("{:?}", loaded.skipped);
        };
        assert_eq!(*count, 4);
        assert_eq!(first.start, text.find("- a").unwrap());
        assert!(loaded.skipped[0].named);
    }

    #[test]
    fn an_empty_or_comment_only_file_is_skipped_as_empty() {
        for text in ["", "# nothing here\n", "---\n"] {
            let loaded = load_str("e.yaml", text.into(), &Limits::default());
            let reasons: Vec<_> = loaded.skipped.iter().map(|s| s.reason.clone()).collect();
            // `---` alone is one empty (null) document, not a mapping.
            assert!(
                reasons == [SkipReason::Empty]
                    || matches!(
                        reasons.as_slice(),
                        [SkipReason::NotObjects { count: 1, .. }]
                    ),
                "{text:?}: {reasons:?}"
            );
            assert!(loaded.documents.is_empty() && loaded.problems.is_empty());
        }
    }

    #[test]
    fn raw_helm_templates_and_broken_non_manifest_json_are_skipped_once() {
        let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"x\" . | nindent 4 }}\n";
        let loaded = load_str("templates/cm.yaml", template.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert!(loaded.documents.is_empty());
        let SkipReason::HelmTemplate { at } = &loaded.skipped[0].reason else {
            panic!("{:?}", loaded.skipped);
        };
        assert_eq!(&template[at.clone()], "{{ .Release.Name }}");

        let tsconfig = "{\n  // the project\n  \"compilerOptions\": {\"strict\": true},\n  \"include\": [\"src\"] /* all */\n}\n";
        let loaded = load_str("tsconfig.json", tsconfig.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.skipped[0].reason, SkipReason::NotManifestJson);
        // With a trailing comma it is still YAML: a mapping that is no object.
        let loaded = load_str("tsconfig.json", "{\"a\": 1,}".into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert!(matches!(
            loaded.skipped[0].reason,
            SkipReason::NotObjects { .. }
        ));

        // A broken JSON manifest stays a syntax error.
        let broken = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\" \"metadata\": {}}";
        let loaded = load_str("pod.json", broken.into(), &Limits::default());
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.skipped.is_empty());
    }

    #[test]
    fn a_tab_error_points_at_the_tab() {
        for text in [
            "apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n",
            "kind: Pod\nmetadata:\n  labels:\n    a: b\n\t\tc: d\n",
        ] {
            let loaded = load_str("t.yaml", text.into(), &Limits::default());
            let span = loaded.problems[0].span.clone().expect("placed");
            assert_eq!(&text[span.clone()], "\t", "{:?}", loaded.problems);
            let tab_line = text[..span.start].matches('\n').count() + 1;
            let (line, column) = loaded.files[0].line_col(span.start);
            assert_eq!((line, column), (tab_line, 1));
        }
    }

    /// What a load found, file ids included, in order.
    fn summary(loaded: &Loaded) -> Vec<String> {
        let mut out: Vec<String> = loaded.files.iter().map(|f| f.name.clone()).collect();
        out.extend(loaded.documents.iter().map(|d| {
            format!(
                "doc {:?} {} {:?} {} {:?}",
                d.file, d.index, d.list_item, d.value, d.spans.span
            )
        }));
        out.extend(
            loaded
                .problems
                .iter()
                .map(|p| format!("problem {:?} {:?} {}", p.file, p.span, p.message)),
        );
        out.extend(
            loaded
                .skipped
                .iter()
                .map(|s| format!("skipped {:?} {} {:?}", s.file, s.named, s.reason)),
        );
        out
    }

    #[test]
    fn files_read_on_several_threads_load_as_read_one_after_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let texts: [&[u8]; 8] = [
            b"kind: A\n---\nkind: B\n",
            b"kind: [\n---\nkind: C\n",
            b"",
            b"apiVersion: v1\nkind: List\nitems:\n- kind: D\n- 3\n",
            b"name: {{ .Values.x }}\n",
            b"kind: E\nname: \xff\n",
            b"replicaCount: 2\n",
            b"kind: F\nmetadata: {a: 1, a: 2}\n",
        ];
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate() {
                std::fs::write(dir.path().join(format!("{round}{i}.yaml")), text).unwrap();
            }
        }
        let root = dir.path().display().to_string();
        let inputs = vec![
            format!("{root}/11.yaml"),
            "/definitely/not/here.yaml".to_string(),
            root.clone(),
            "-".to_string(),
            format!("{root}/24.yaml"),
        ];
        let load_on = |threads| {
            let limits = Limits {
                threads,
                ..Limits::default()
            };
            let mut stdin: &[u8] = b"kind: G\n";
            load(&inputs, &limits, &mut stdin)
        };
        let one = summary(&load_on(1));
        assert_eq!(one.iter().filter(|l| l.starts_with("doc")).count(), 16);
        for threads in [2, 3, 8] {
            assert_eq!(summary(&load_on(threads)), one, "{threads} threads");
        }
    }

    #[test]
    fn overlapping_inputs_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bad")).unwrap();
        std::fs::write(dir.path().join("bad/a.yaml"), "kind: A\n").unwrap();
        std::fs::write(dir.path().join("b.yaml"), "kind: B\n").unwrap();
        let root = dir.path().display().to_string();
        let inputs = vec![
            root.clone(),
            format!("{root}/bad"),
            format!("{root}/b.yaml"),
        ];
        let loaded = load(&inputs, &Limits::default(), &mut std::io::empty());
        assert_eq!(loaded.files.len(), 2);
        assert_eq!(loaded.documents.len(), 2);
    }

    #[test]
    fn bom_is_skipped_and_offsets_stay_right() {
        let text = "\u{feff}kind: Pod\nmetadata:\n  name: é-x\n";
        let loaded = load_str("bom.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let doc = &loaded.documents[0];
        assert_eq!(text_at(&loaded, doc, &[key("kind")]), "Pod");
        assert_eq!(
            text_at(&loaded, doc, &[key("metadata"), key("name")]),
            "é-x"
        );
        assert_eq!(doc.value["kind"], Value::from("Pod"));
    }

    #[test]
    fn stdin_files_and_directories_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "kind: A\n").unwrap();
        std::fs::write(dir.path().join("b.json"), "{\"kind\": \"B\"}").unwrap();
        let explicit = dir.path().join("c.txt");
        std::fs::write(&explicit, "kind: C\n").unwrap();
        let inputs = vec![
            dir.path().display().to_string(),
            explicit.display().to_string(),
            "-".to_string(),
        ];
        let mut stdin: &[u8] = b"kind: D\n";
        let loaded = load(&inputs, &Limits::default(), &mut stdin);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let kinds: Vec<_> = loaded
            .documents
            .iter()
            .map(|d| d.value["kind"].clone())
            .collect();
        assert_eq!(kinds, ["A", "B", "C", "D"].map(Value::from));
        assert_eq!(loaded.files[3].name, "<stdin>");
        assert!(loaded.files[3].path.is_none());
    }

    #[test]
    fn invalid_utf8_names_the_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.yaml");
        std::fs::write(&file, b"kind: A\nname: \xff\xfe\n").unwrap();
        let loaded = load(
            &[file.display().to_string()],
            &Limits::default(),
            &mut std::io::empty(),
        );
        assert!(loaded.documents.is_empty());
        assert_eq!(loaded.problems.len(), 1);
        let problem = &loaded.problems[0];
        assert!(problem.message.contains("offset 14"), "{problem:?}");
        // Placed at line 2, column 7 of the file.
        let file = &loaded.files[problem.file.unwrap().0];
        assert_eq!(problem.span, Some(14..17));
        assert_eq!(file.line_col(14), (2, 7));
    }

    #[test]
    fn files_over_the_size_limit_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.yaml");
        std::fs::write(&file, "kind: A\n".repeat(100)).unwrap();
        let limits = Limits {
            max_file_bytes: 100,
            ..Limits::default()
        };
        let loaded = load(
            &[file.display().to_string()],
            &limits,
            &mut std::io::empty(),
        );
        assert!(loaded.documents.is_empty());
        assert!(loaded.problems[0].message.contains("limit of 100 bytes"));
        let mut stdin: &[u8] = &[b' '; 200];
        let loaded = load(&["-".into()], &limits, &mut stdin);
        assert!(loaded.problems[0].message.contains("<stdin>"));
    }

    #[test]
    fn named_files_load_like_read_ones_without_a_path() {
        let files = vec![
            (
                "main:a.yaml".to_string(),
                b"kind: A\n---\nkind: B\n".to_vec(),
            ),
            ("main:b.yaml".to_string(), b"kind: [\n".to_vec()),
            ("main:c.yaml".to_string(), b"kind: C\n".repeat(20)),
        ];
        let limits = Limits {
            max_file_bytes: 100,
            ..Limits::default()
        };
        let loaded = load_named(files, &limits);
        assert_eq!(loaded.files.len(), 2);
        assert_eq!(loaded.files[0].name, "main:a.yaml");
        assert!(loaded.files[0].path.is_none());
        assert_eq!(loaded.documents.len(), 2);
        assert_eq!(loaded.problems.len(), 2, "{:?}", loaded.problems);
        assert_eq!(loaded.problems[0].file, Some(FileId(1)));
        assert!(loaded.problems[1]
            .message
            .starts_with("main:c.yaml: is 160 bytes"));
    }

    #[test]
    fn block_scalar_at_the_end_of_a_file_without_a_final_newline_reads_as_kubectl_reads_it() {
        // kubectl's reader ends the last line with a line break, so clip chomping
        // keeps one; YAML read as it is (an aws-auth section) has none.
        let text = "kind: ConfigMap\ndata:\n  script: |\n    echo hi";
        let loaded = load_str("cm.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let doc = &loaded.documents[0];
        assert_eq!(doc.value["data"]["script"], Value::from("echo hi\n"));
        assert_eq!(
            text_at(&loaded, doc, &[key("data"), key("script")]),
            "echo hi"
        );
        let raw = yaml::parse_stream(text, &Limits::default());
        assert_eq!(raw.docs[0].value["data"]["script"], Value::from("echo hi"));
    }

    #[test]
    fn the_file_is_cut_into_documents_as_kubectl_cuts_it() {
        // After `...` kubectl ignores the rest of the piece, broken or not.
        let text = "kind: A\n...\nkind: Ignored\n---\nkind: B\n...\nkind: [\n";
        let loaded = load_str("x.yaml", text.into(), &Limits::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let kinds: Vec<_> = loaded
            .documents
            .iter()
            .map(|d| d.value["kind"].clone())
            .collect();
        assert_eq!(kinds, [Value::from("A"), Value::from("B")]);

        // A `---` line with content after it, or a directive that the cut leaves alone.
        for (text, at) in [
            ("kind: A\n--- {kind: B}\n--- {kind: C}\n", "{kind: B}"),
            ("%YAML 1.1\n---\nkind: A\n", "%YAML 1.1"),
        ] {
            let loaded = load_str("x.yaml", text.into(), &Limits::default());
            assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
            let span = loaded.problems[0].span.clone().unwrap();
            assert_eq!(&text[span], at);
            assert!(loaded.problems[0].message.contains("kubectl"));
        }
    }

    #[test]
    fn missing_input_is_a_problem() {
        let loaded = load(
            &["/definitely/not/here.yaml".into()],
            &Limits::default(),
            &mut std::io::empty(),
        );
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].message.contains("not/here.yaml"));
    }
}

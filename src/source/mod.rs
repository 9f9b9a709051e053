//! Reading inputs: files, directories and stdin become [`Document`]s, each a
//! Kubernetes object as a `regorus::Value` plus a [`SpanNode`] tree that maps any
//! path in it back to bytes of the source file.
//!
//! This module knows nothing of rules.

pub mod git;
pub mod hcl;
pub mod helm;
pub mod load;
pub mod redact;
pub mod resolve;
pub mod revision;
pub mod span;
pub mod walk;
pub mod yaml;

pub use span::{display_path, ByteRange, Children, PathSeg, SpanNode};

use std::path::PathBuf;

/// Index of a file in [`Loaded::files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// Bounds that keep a hostile input from taking unbounded time or memory.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of collections in one document.
    pub max_depth: usize,
    /// Most nodes one document may have after alias expansion.
    pub max_nodes: usize,
    /// Most nodes that alias references may add to one document (billion laughs).
    pub max_alias_nodes: usize,
    /// Most documents in one file.
    pub max_documents: usize,
    /// Files read and parsed at once (0: one per core). Not a bound on the input:
    /// what is read is the same whatever the number.
    pub threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_depth: 256,
            max_nodes: 2_000_000,
            max_alias_nodes: 100_000,
            max_documents: 200_000,
            threads: 0,
        }
    }
}

/// A file as read, with a line index for byte → line/column.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown to users: the path as given, or `<stdin>`.
    pub name: String,
    /// Where it was read from; `None` for stdin.
    pub path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
    /// The Helm templates its documents were rendered from (`# Source:` comments).
    pub templates: helm::Templates,
}

impl SourceFile {
    pub fn new(name: String, path: Option<PathBuf>, text: String) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let templates = helm::Templates::scan(&text);
        SourceFile {
            name,
            path,
            text,
            line_starts,
            templates,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..byte)
            .map(|s| s.chars().count())
            .unwrap_or(byte - start);
        (line + 1, col + 1)
    }

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// The Helm template (`# Source:` comment) of the document that holds `byte`.
    pub fn template_at(&self, byte: usize) -> Option<&str> {
        self.templates.at(byte)
    }
}

/// Two occurrences of one key in one mapping: Kubernetes keeps the last silently.
#[derive(Clone, Debug)]
pub struct DuplicateKey {
    pub key: String,
    /// Path of the mapping that holds the key, relative to the document.
    pub path: Vec<PathSeg>,
    pub first: ByteRange,
    pub second: ByteRange,
}

/// A scalar written with a tag that changes what it says: `!!binary` (Kubernetes
/// reads the decoded text) or a local or unknown tag such as `!foo` (Kubernetes reads
/// the text as a string, whatever it looks like). A reviewer sees the text as
/// written, so findings on such a field say so.
#[derive(Clone, Debug)]
pub struct TaggedField {
    /// Path of the field (for a tagged key: of its value) in the document.
    pub path: Vec<PathSeg>,
    /// The tagged scalar as written, tag included.
    pub span: ByteRange,
    /// The tag as written (`!!binary`, `!foo`).
    pub tag: String,
}

impl TaggedField {
    /// The note a finding on this field carries.
    pub fn note(&self) -> String {
        match self.tag.as_str() {
            "!!binary" | "!<tag:yaml.org,2002:binary>" => format!(
                "this field is written `{}`: Kubernetes reads the base64-decoded text, not the text as written; a tag like this can hide a value from review",
                self.tag
            ),
            tag => format!(
                "this field is written with the tag `{tag}`: Kubernetes ignores it and reads the text as a string; a tag like this can hide a value from review"
            ),
        }
    }
}

/// One object read from a file. A `List` is expanded into one document per item.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: FileId,
    /// 0-based position of the YAML document in its file.
    pub index: usize,
    /// Position in the `items` of the `List` it came from, if it did.
    pub list_item: Option<usize>,
    pub value: regorus::Value,
    pub spans: SpanNode,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Fields written with a tag that changes what they say.
    pub tagged: Vec<TaggedField>,
}

/// Why an input, or part of it, could not be read. Any problem makes `lint` exit 2.
#[derive(Clone, Debug)]
pub struct Problem {
    pub file: Option<FileId>,
    /// Where in the file, if the problem has a place.
    pub span: Option<ByteRange>,
    pub message: String,
}

/// A file, or documents of one, read but not linted because they hold no
/// Kubernetes object. The command line says so: an error for an input named
/// explicitly that yields nothing, a note otherwise.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub file: FileId,
    /// Named on the command line (or stdin), rather than found in a directory.
    pub named: bool,
    pub reason: SkipReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The file holds no YAML document: it is empty or has only comments.
    Empty,
    /// `count` documents are not Kubernetes objects (no `apiVersion` and `kind`),
    /// the first of them at `first`.
    NotObjects { count: usize, first: ByteRange },
    /// An unrendered Helm chart template: it does not parse as YAML, and `{{ … }}`
    /// is at `at`.
    HelmTemplate { at: ByteRange },
    /// A JSON file that does not parse and names no `apiVersion` or `kind`
    /// (`tsconfig.json` with a trailing comma).
    NotManifestJson,
}

impl SkipReason {
    /// Why nothing of the file (or part of it) was linted, for a note or an error.
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Empty => "holds no YAML document (it is empty or has only comments)".into(),
            SkipReason::NotObjects { count: 1, .. } => {
                "1 document is not a Kubernetes object (it has no apiVersion and kind)".into()
            }
            SkipReason::NotObjects { count, .. } => format!(
                "{count} documents are not Kubernetes objects (they have no apiVersion and kind)"
            ),
            SkipReason::HelmTemplate { .. } => "is an unrendered Helm template (`{{ … }}` does not parse as YAML); lint what it renders: `helm template CHART | blastwall lint -`".into(),
            SkipReason::NotManifestJson => {
                "is JSON that does not parse and names no apiVersion or kind: not a manifest".into()
            }
        }
    }
}

/// Everything one run read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub documents: Vec<Document>,
    pub problems: Vec<Problem>,
    /// What was read but holds no Kubernetes object, and so was not linted.
    pub skipped: Vec<Skipped>,
}

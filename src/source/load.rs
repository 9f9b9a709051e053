//! Reading inputs into [`Loaded`]: files, directories and stdin (`-`) become
//! [`Document`]s; whatever cannot be read becomes a [`Problem`].

use std::io::Read;
use std::path::PathBuf;

use regorus::Value;

use super::yaml::{self, ParsedDoc};
use super::{
    walk, Children, Document, DuplicateKey, FileId, Limits, Loaded, PathSeg, Problem, SourceFile,
};

/// Reads every input: `-` is stdin (read at most once), a directory is walked, a file
/// is read whatever its extension.
pub fn load(inputs: &[String], limits: &Limits, stdin: &mut dyn Read) -> Loaded {
    let mut loaded = Loaded::default();
    let mut stdin_read = false;
    for input in inputs {
        if input == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            match read_limited(stdin, limits.max_file_bytes) {
                Ok(bytes) => add_bytes(&mut loaded, "<stdin>".into(), None, bytes, limits),
                Err(message) => loaded.problems.push(Problem {
                    file: None,
                    span: None,
                    message: format!("<stdin>: {message}"),
                }),
            }
            continue;
        }
        let (files, problems) = walk::discover(&[PathBuf::from(input)]);
        loaded.problems.extend(problems);
        for path in files {
            let name = path.display().to_string();
            match read_file(&path, limits.max_file_bytes) {
                Ok(bytes) => add_bytes(&mut loaded, name, Some(path), bytes, limits),
                Err(message) => loaded.problems.push(Problem {
                    file: None,
                    span: None,
                    message: format!("{name}: {message}"),
                }),
            }
        }
    }
    loaded
}

/// Parses files already in memory, such as those read from a git revision: each
/// `(name, bytes)` is one input shown as `name`, with no path on disk.
pub fn load_named(files: Vec<(String, Vec<u8>)>, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    for (name, bytes) in files {
        if bytes.len() > limits.max_file_bytes {
            let problem = format!(
                "{name}: {}",
                too_big(bytes.len() as u64, limits.max_file_bytes)
            );
            loaded.problems.push(Problem {
                file: None,
                span: None,
                message: problem,
            });
            continue;
        }
        add_bytes(&mut loaded, name, None, bytes, limits);
    }
    loaded
}

/// Parses `text` as one input named `name`.
pub fn load_str(name: &str, text: String, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    add_text(&mut loaded, name.to_string(), None, text, limits);
    loaded
}

fn read_file(path: &std::path::Path, max: usize) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    if let Ok(meta) = file.metadata() {
        if meta.len() > max as u64 {
            return Err(too_big(meta.len(), max));
        }
    }
    read_limited(&mut &file, max)
}

/// Reads at most `max` bytes; more is an error, not a silent cut.
fn read_limited(reader: &mut dyn Read, max: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
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
) {
    match String::from_utf8(bytes) {
        Ok(text) => add_text(loaded, name, path, text, limits),
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
) {
    let file = FileId(loaded.files.len());
    // The text keeps its byte order mark, if any; the parser skips it, so every
    // offset stays an offset into this text.
    let parsed = yaml::parse_stream(&text, limits);
    loaded.files.push(SourceFile::new(name, path, text));
    for error in parsed.errors {
        loaded.problems.push(Problem {
            file: Some(file),
            span: error.span,
            message: error.message,
        });
    }
    for doc in parsed.docs {
        add_document(loaded, file, doc);
    }
}

fn add_document(loaded: &mut Loaded, file: FileId, doc: ParsedDoc) {
    let not_object = |what: &str| Problem {
        file: Some(file),
        span: Some(doc.spans.label_range()),
        message: format!(
            "document {} is not a Kubernetes object (it is {what}, not a mapping)",
            doc.index + 1
        ),
    };
    let Value::Object(_) = &doc.value else {
        let what = match &doc.value {
            Value::Array(_) => "a sequence",
            _ => "a scalar",
        };
        let problem = not_object(what);
        loaded.problems.push(problem);
        return;
    };
    if let Some((items, item_spans)) = list_items(&doc) {
        expand_list(loaded, file, &doc, items, item_spans);
        return;
    }
    loaded.documents.push(Document {
        file,
        index: doc.index,
        list_item: None,
        value: doc.value,
        spans: doc.spans,
        duplicate_keys: doc.duplicate_keys,
    });
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
            [PathSeg::Key(k), PathSeg::Index(i), rest @ ..] if k == "items" && *i < items.len() => {
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
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn documents_that_are_not_mappings_are_problems() {
        let text = "kind: A\n---\n- a\n- b\n---\njust text\n";
        let loaded = load_str("x.yaml", text.into(), &Limits::default());
        assert_eq!(loaded.documents.len(), 1);
        assert_eq!(loaded.problems.len(), 2);
        assert!(loaded.problems[0]
            .message
            .contains("document 2 is not a Kubernetes object"));
        let span = loaded.problems[1].span.clone().unwrap();
        assert_eq!(&text[span], "just text");
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

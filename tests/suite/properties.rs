//! Property tests of everything that reads untrusted text: the YAML loader, the span
//! mapper, the aws-auth section parser, the config loader and AdmissionReview
//! decoding. Each property: no panic, an answer within a generous time, and every
//! location in an error or a finding lies inside the input, on character boundaries.
//!
//! Inputs are small (bounded token counts and byte lengths) and case counts modest
//! so the suite stays fast; `fuzz/` has cargo-fuzz targets for longer runs.

use std::ops::Range;
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use blastwall::admission::{self, AdmissionError, Enforcements};
use blastwall::awsauth;
use blastwall::config::{self, ConfigError};
use blastwall::engine::Engine;
use blastwall::facts::Context;
use blastwall::source::{load, yaml, Children, Limits, Loaded, PathSeg, SpanNode};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// Far above what any case needs (milliseconds): only a hang or a blow-up trips it.
const BOUND: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and fails if it has not answered within [`BOUND`]. A
/// panic inside `f` is a failure too (the channel closes without an answer).
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    match rx.recv_timeout(BOUND) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer within {BOUND:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().expect("built-in rules compile"))
}

/// `r` is a range of `text` that starts and ends on character boundaries.
fn inside(text: &str, r: &Range<usize>) -> Result<(), TestCaseError> {
    prop_assert!(
        r.start <= r.end && text.get(r.clone()).is_some(),
        "{r:?} is not a range of the {}-byte input",
        text.len()
    );
    Ok(())
}

fn spans_inside(text: &str, node: &SpanNode) -> Result<(), TestCaseError> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        inside(text, &n.span)?;
        if let Some(k) = &n.key_span {
            inside(text, k)?;
        }
        match &n.children {
            Children::Leaf => {}
            Children::Seq(items) => stack.extend(items.iter()),
            Children::Map(entries) => stack.extend(entries.iter().map(|(_, n)| n)),
            Children::Embedded(inner) => stack.push(inner),
        }
    }
    Ok(())
}

/// Every problem with a place, and every document span, lies inside its file.
fn loaded_is_sound(loaded: &Loaded) -> Result<(), TestCaseError> {
    for p in &loaded.problems {
        prop_assert!(!p.message.is_empty());
        if let (Some(file), Some(span)) = (p.file, &p.span) {
            inside(&loaded.files[file.0].text, span)?;
        }
    }
    for d in &loaded.documents {
        let text = &loaded.files[d.file.0].text;
        spans_inside(text, &d.spans)?;
        for dup in &d.duplicate_keys {
            inside(text, &dup.first)?;
            inside(text, &dup.second)?;
        }
    }
    Ok(())
}

/// Fragments that exercise YAML's corners and what hostile files contain.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "apiVersion: v1\n",
        "kind: Pod\n",
        "kind: List\nitems:\n",
        "metadata:\n  name: x\n",
        "a",
        "b: ",
        ": ",
        "- ",
        "\n",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&x ",
        "*x",
        "<<: ",
        "<<: *x\n",
        "\"q\"",
        "'s'",
        "|\n",
        ">-\n",
        "|2+\n",
        "---\n",
        "...\n",
        "#c",
        "é",
        "☃",
        "\r\n",
        "\r",
        "!!int ",
        "!!binary ",
        "!custom ",
        "yes",
        "0777",
        "~",
        "? ",
        "%YAML 1.1\n",
        "%TAG ! tag:x,2000:\n",
        "\t",
        "\"\\u00e9",
        "\"\\x",
        "\u{feff}",
        "\u{0}",
        "\u{85}",
        "\u{2028}",
        "日本",
        "😀",
    ]);
    prop::collection::vec(token, 0..80).prop_map(|v| v.concat())
}

/// A small tree of mappings, sequences and scalars, for the span mapper.
#[derive(Clone, Debug)]
enum Tree {
    Scalar(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let scalar = prop_oneof![
        "v[a-z0-9]{0,5}",
        any::<i16>().prop_map(|i| i.to_string()),
        "[a-zé☃ ]{0,6}".prop_map(|s| format!("\"{s}\"")),
        "[a-z ]{0,6}".prop_map(|s| format!("'{s}'")),
    ]
    .prop_map(Tree::Scalar);
    scalar.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Tree::Seq),
            prop::collection::btree_map("k[a-z0-9]{0,4}", inner, 0..5)
                .prop_map(|m| Tree::Map(m.into_iter().collect())),
        ]
    })
}

/// Block style; empty collections as `{}` / `[]`.
fn render_block(t: &Tree, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match t {
        Tree::Scalar(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Tree::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Tree::Map(entries) if entries.is_empty() => out.push_str("{}\n"),
        Tree::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                render_block(item, indent + 2, out);
            }
        }
        Tree::Map(entries) => {
            out.push('\n');
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push_str(": ");
                render_block(v, indent + 2, out);
            }
        }
    }
}

fn render_flow(t: &Tree, out: &mut String) {
    match t {
        Tree::Scalar(s) => out.push_str(s),
        Tree::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_flow(item, out);
            }
            out.push(']');
        }
        Tree::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                render_flow(v, out);
            }
            out.push('}');
        }
    }
}

/// Every path that exists in `t`, with the scalar text or key it ends at.
fn paths(t: &Tree, prefix: &mut Vec<PathSeg>, out: &mut Vec<(Vec<PathSeg>, Option<String>)>) {
    match t {
        Tree::Scalar(s) => out.push((prefix.clone(), Some(s.clone()))),
        Tree::Seq(items) => {
            out.push((prefix.clone(), None));
            for (i, item) in items.iter().enumerate() {
                prefix.push(PathSeg::Index(i));
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        Tree::Map(entries) => {
            out.push((prefix.clone(), None));
            for (k, v) in entries {
                prefix.push(PathSeg::Key(k.as_str().into()));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
    }
}

fn arbitrary_path() -> impl Strategy<Value = Vec<PathSeg>> {
    let seg = prop_oneof![
        (0usize..6).prop_map(PathSeg::Index),
        prop::sample::select(vec!["root", "k", "ka", "kb", "k0", "", "@error", "é"])
            .prop_map(|k| PathSeg::Key(k.to_string().into())),
        "k[a-z0-9]{0,2}".prop_map(|k| PathSeg::Key(k.into())),
    ];
    prop::collection::vec(seg, 0..8)
}

/// A JSON value of bounded depth and size, for objects under review.
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Json::from),
        "[a-zA-Z0-9:/._ é-]{0,12}".prop_map(Json::from),
        prop::sample::select(vec![
            "Pod",
            "Secret",
            "ConfigMap",
            "aws-auth",
            "kube-system",
            "system:masters",
            "hostPath",
            "true",
            ":latest",
        ])
        .prop_map(Json::from),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "apiVersion",
                    "kind",
                    "metadata",
                    "name",
                    "namespace",
                    "spec",
                    "containers",
                    "securityContext",
                    "privileged",
                    "image",
                    "data",
                    "stringData",
                    "mapRoles",
                    "rules",
                    "subjects",
                    "roleRef",
                    "volumes",
                    "x",
                ])
                .prop_map(str::to_string),
                inner,
                0..6,
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn review_body(object: Json, operation: &str) -> Json {
    json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "prop-0001", "operation": operation,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "payroll", "name": "p",
            "userInfo": {"username": "alice", "groups": ["payroll:dev"]},
            "object": object, "oldObject": null, "dryRun": false
        }
    })
}

/// `line L column C` in a serde_json message names a place inside `body`.
fn json_location_inside(message: &str, body: &[u8]) -> Result<(), TestCaseError> {
    let Some(at) = message.rfind(" at line ") else {
        return Ok(());
    };
    let mut words = message[at..].split_whitespace().skip(2);
    let line: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
    let column: usize = words.nth(1).and_then(|w| w.parse().ok()).unwrap_or(0);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    prop_assert!(
        line >= 1 && line <= lines.len(),
        "line {line} of {}: {message}",
        lines.len()
    );
    prop_assert!(
        column <= lines[line - 1].len() + 1,
        "column {column} past the end of line {line} ({} bytes): {message}",
        lines[line - 1].len()
    );
    Ok(())
}

fn insert_at(text: &str, at: usize, what: &str) -> String {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = text.to_string();
    out.insert_str(at, what);
    out
}

const VALID_CONFIG: &str = "apiVersion: blastwall.dev/v1alpha1
kind: Config
cluster: {name: prod, product: null}
products:
  payroll:
    namespaces: [\"payroll\", \"payroll-*\"]
    groups: [\"payroll:*\"]
    iamRoles: [\"arn:aws:iam::111122223333:role/payroll-*\"]
    nodeLabels: {blastwall.dev/product: payroll}
  billing:
    namespaces: [billing]
    groups: [\"billing:*\"]
admins: {groups: [\"sre:admin\"]}
rules: {latest-image-tag: {enforcement: {ci: error, webhook: warn}}}
";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The loader on YAML-ish text: documents and problems stay inside the file.
    #[test]
    fn loader_problems_and_spans_point_inside_the_input(text in yamlish()) {
        let loaded = bounded("load_str", move || {
            load::load_str("p.yaml", text, &Limits::default())
        });
        loaded_is_sound(&loaded)?;
    }

    /// Arbitrary bytes through the same path as stdin: not UTF-8 is a problem
    /// with its offset, never a panic.
    #[test]
    fn loader_reads_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let loaded = bounded("load bytes", move || {
            let mut input: &[u8] = &bytes;
            load::load(&["-".into()], &Limits::default(), &mut input)
        });
        loaded_is_sound(&loaded)?;
        // Every problem here has a place: a syntax error, or the first byte that
        // is not UTF-8.
        for p in &loaded.problems {
            prop_assert!(p.file.is_some() && p.span.is_some(), "{p:?}");
        }
    }

    /// Tight limits trip cleanly wherever they trip.
    #[test]
    fn loader_limits_trip_cleanly(
        text in yamlish(),
        depth in 1usize..6,
        nodes in 1usize..40,
        docs in 1usize..4,
    ) {
        let limits = Limits {
            max_depth: depth,
            max_nodes: nodes,
            max_alias_nodes: nodes,
            max_documents: docs,
            ..Limits::default()
        };
        let loaded = bounded("limits", move || load::load_str("l.yaml", text, &limits));
        loaded_is_sound(&loaded)?;
    }

    /// The aws-auth section parser on arbitrary section text.
    #[test]
    fn aws_auth_sections_parse_inside_their_text(text in yamlish(), extra in "[-a-zA-Z:{}\\[\\] \n]{0,40}") {
        let text = format!("{text}{extra}");
        let t = text.clone();
        let section = bounded("section::parse", move || {
            awsauth::section::parse(&t, &Limits::default())
        });
        spans_inside(&text, &section.spans)?;
        if let Some((r, m)) = &section.error {
            inside(&text, r)?;
            prop_assert!(!m.is_empty());
        }
        for r in &section.extra_documents {
            inside(&text, r)?;
        }
        for (r, t) in &section.unquoted_templates {
            inside(&text, r)?;
            prop_assert_eq!(&text[r.clone()], t.as_str());
        }
    }

    /// The config loader: every diagnostic points inside the file, at the line and
    /// column its span starts at.
    #[test]
    fn config_errors_point_inside_the_file(
        text in prop_oneof![
            yamlish(),
            (0usize..VALID_CONFIG.len(), prop::sample::select(vec![
                "[", "{", "\"", ": ", "- ", "&a ", "*a", "\n  ", "é", "---\n", "|\n", "x: 1\n",
                "<<: {a: 1}\n", "\t", "products: 3\n", "~", "!!int ",
            ])).prop_map(|(at, what)| insert_at(VALID_CONFIG, at, what)),
        ],
    ) {
        let t = text.clone();
        let result = bounded("config::parse", move || config::parse("c.yaml", t));
        if let Err(e) = result {
            let ConfigError::Invalid { text: shown, diagnostics, .. } = &e else {
                return Err(TestCaseError::fail(format!("unexpected error kind: {e}")));
            };
            prop_assert_eq!(shown, &text);
            prop_assert!(!diagnostics.is_empty());
            let lines: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            for d in diagnostics {
                for label in std::iter::once(&d.primary).chain(&d.secondary) {
                    inside(&text, &label.span)?;
                    prop_assert!(label.line >= 1 && label.line <= lines.len());
                    prop_assert!(lines[label.line - 1] <= label.span.start);
                    prop_assert!(label.column >= 1);
                }
            }
            // Rendering with source snippets never panics either.
            prop_assert!(!e.render(false).is_empty());
        }
    }

    /// AdmissionReview decoding of arbitrary bytes: an error, with a place inside
    /// the body when it names one.
    #[test]
    fn admission_decode_of_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let b = bytes.clone();
        let result = bounded("decode", move || admission::decode(&b).map(|_| ()));
        if let Err(e) = result {
            prop_assert!(e.is_bad_request());
            json_location_inside(&e.to_string(), &bytes)?;
        }
    }

    /// A valid review with one fragment inserted anywhere.
    #[test]
    fn admission_decode_of_mutated_reviews(
        at in 0usize..600,
        what in prop::sample::select(vec![
            "{", "}", "[", "]", "\"", ",", ":", "\\", "\\u12", "\\ud800", "null", "1e999",
            "-", "\n", "é", "\u{0}", "{\"a\":", "[[[[[[", "0x10",
        ]),
    ) {
        let body = review_body(json!({"apiVersion": "v1", "kind": "Pod"}), "CREATE").to_string();
        let body = insert_at(&body, at, what).into_bytes();
        let b = body.clone();
        let result = bounded("decode", move || admission::decode(&b).map(|r| r.uid));
        match result {
            Ok(uid) => prop_assert!(!uid.is_empty()),
            Err(e) => {
                prop_assert!(e.is_bad_request());
                json_location_inside(&e.to_string(), &body)?;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The span mapper: every path that exists resolves in full to its key and
    /// scalar text; any other path resolves to a prefix, and whatever it reaches
    /// underlines text inside the file.
    #[test]
    fn span_mapper_resolves_every_path(
        t in tree(),
        flow in any::<bool>(),
        probes in prop::collection::vec(arbitrary_path(), 1..16),
    ) {
        let root = Tree::Map(vec![("root".to_string(), t)]);
        let mut text = String::new();
        if flow {
            render_flow(&root, &mut text);
            text.push('\n');
        } else if let Tree::Map(entries) = &root {
            for (k, v) in entries {
                text.push_str(k);
                text.push_str(": ");
                render_block(v, 2, &mut text);
            }
        }
        let stream = yaml::parse_stream(&text, &Limits::default());
        prop_assert!(stream.errors.is_empty(), "{:?}\n{}", stream.errors, text);
        let doc = &stream.docs[0];
        let mut known = Vec::new();
        paths(&root, &mut Vec::new(), &mut known);
        for (path, scalar) in &known {
            let r = doc.spans.resolve(path);
            prop_assert_eq!(r.matched, path.len(), "{:?} in\n{}", path, text);
            inside(&text, &r.node.label_range())?;
            if let Some(s) = scalar {
                prop_assert_eq!(&text[r.node.span.clone()], s.as_str());
            }
            if let Some(PathSeg::Key(k)) = path.last() {
                let key = r.node.key_span.clone().expect("a map value has its key's span");
                prop_assert_eq!(&text[key], &**k);
            }
        }
        for path in &probes {
            let r = doc.spans.resolve(path);
            prop_assert!(r.matched <= path.len());
            // What matched is a path that exists.
            let prefix = &path[..r.matched];
            prop_assert!(known.iter().any(|(p, _)| p.as_slice() == prefix), "{prefix:?}");
            inside(&text, &r.node.label_range())?;
        }
    }
}

/// One mapRoles line: mostly plausible entries, sometimes junk.
fn aws_auth_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("- rolearn: arn:aws:iam::111122223333:role/payroll-dev".to_string()),
        Just("  username: payroll:{{SessionName}}".to_string()),
        Just("  username: \"{{EC2PrivateDNSName}}\"".to_string()),
        Just("  groups:".to_string()),
        Just("    - system:masters".to_string()),
        Just("    - payroll:dev".to_string()),
        Just("  groups: [system:bootstrappers, system:nodes]".to_string()),
        Just("- userarn: arn:aws:iam::111122223333:user/alice".to_string()),
        Just("  rolearn: arn:aws:iam::111122223333:role/x".to_string()),
        Just("---".to_string()),
        "[ -~]{0,30}",
        "[a-z:{}\\[\\]\" -]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// aws-auth end to end: findings inside the embedded sections land inside the
    /// outer file, whatever the sections hold and however they are quoted.
    #[test]
    fn aws_auth_findings_land_inside_the_file(
        lines in prop::collection::vec(aws_auth_line(), 0..12),
        style in 0u8..3,
        crlf in any::<bool>(),
    ) {
        let body = lines.join("\n");
        let section = match style {
            0 => {
                let mut s = String::from("|\n");
                for l in body.lines() {
                    s.push_str("    ");
                    s.push_str(l);
                    s.push('\n');
                }
                s
            }
            1 => serde_json::to_string(&body).unwrap_or_default() + "\n",
            _ => format!("'{}'\n", body.replace('\'', "''").replace('\n', "\n\n    ")),
        };
        let mut text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: {section}  mapUsers: {section}"
        );
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let t = text.clone();
        let (loaded, findings) = bounded("lint aws-auth", move || {
            let loaded = load::load_str("aws-auth.yaml", t, &Limits::default());
            let findings = blastwall::lint::lint(engine(), &loaded, 1);
            (loaded, findings)
        });
        loaded_is_sound(&loaded)?;
        let findings = findings.map_err(|e| TestCaseError::fail(e.to_string()))?;
        for f in &findings {
            if let Some(span) = &f.span {
                inside(&text, span)?;
            }
            for r in &f.related {
                if let Some(span) = &r.span {
                    inside(&text, span)?;
                }
            }
        }
    }

    /// A review end to end with arbitrary objects: an answer that echoes the uid,
    /// or an evaluation error; never a panic.
    #[test]
    fn admission_review_of_arbitrary_objects(
        object in json_value(),
        operation in prop::sample::select(vec!["CREATE", "UPDATE", "DELETE", "CONNECT", ""]),
    ) {
        let body = serde_json::to_vec(&review_body(object, operation)).unwrap_or_default();
        let result = bounded("review", move || {
            admission::review(engine(), &body, &Context::default(), &Enforcements::default())
        });
        match result {
            Ok(response) => prop_assert_eq!(&response["response"]["uid"], "prop-0001"),
            Err(AdmissionError::Engine(_)) => {}
            Err(e) => return Err(TestCaseError::fail(format!("decode failed: {e}"))),
        }
    }
}

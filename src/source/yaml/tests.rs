use super::*;
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn parse(text: &str) -> ParsedStream {
    parse_stream(text, &Limits::default())
}

fn one(text: &str) -> ParsedDoc {
    let mut s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.docs.len(), 1);
    s.docs.remove(0)
}

fn path(p: &str) -> Vec<PathSeg> {
    p.split('.')
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Key(s.into()),
        })
        .collect()
}

/// The text a diagnostic would underline for the node at `p`.
fn at<'t>(text: &'t str, doc: &ParsedDoc, p: &str) -> &'t str {
    let p = path(p);
    let r = doc.spans.resolve(&p);
    assert_eq!(r.matched, p.len(), "path {p:?} not found");
    &text[r.node.span.clone()]
}

fn key_at<'t>(text: &'t str, doc: &ParsedDoc, p: &str) -> &'t str {
    let p = path(p);
    let r = doc.spans.resolve(&p);
    assert_eq!(r.matched, p.len(), "path {p:?} not found");
    &text[r.node.key_span.clone().expect("a key span")]
}

fn get(v: &Value, p: &str) -> Value {
    let mut v = v.clone();
    for seg in path(p) {
        v = match seg {
            PathSeg::Key(k) => v[k.as_ref()].clone(),
            PathSeg::Index(i) => v[i as u64].clone(),
        };
    }
    v
}

#[test]
fn privileged_yes_is_boolean_and_numbers_resolve_as_kubernetes_does() {
    let text = "securityContext:\n  privileged: yes\n  readOnly: Off\nmode: 0777\nhex: 0x1F\nquoted: \"yes\"\nsingle: 'on'\nversion: 1.20\ntag: !!str 0777\nforced: !!int \"12\"\nblock: |\n  yes\nnothing: ~\nempty:\n";
    let d = one(text);
    assert_eq!(
        get(&d.value, "securityContext.privileged"),
        Value::Bool(true)
    );
    assert_eq!(
        get(&d.value, "securityContext.readOnly"),
        Value::Bool(false)
    );
    assert_eq!(get(&d.value, "mode"), Value::from(511));
    assert_eq!(get(&d.value, "hex"), Value::from(31));
    assert_eq!(get(&d.value, "quoted"), Value::from("yes"));
    assert_eq!(get(&d.value, "single"), Value::from("on"));
    assert_eq!(get(&d.value, "version"), Value::from(1.2));
    assert_eq!(get(&d.value, "tag"), Value::from("0777"));
    assert_eq!(get(&d.value, "forced"), Value::from(12));
    assert_eq!(get(&d.value, "block"), Value::from("yes\n"));
    assert_eq!(get(&d.value, "nothing"), Value::Null);
    assert_eq!(get(&d.value, "empty"), Value::Null);
    assert_eq!(at(text, &d, "securityContext.privileged"), "yes");
    assert_eq!(at(text, &d, "tag"), "0777");
    assert_eq!(at(text, &d, "forced"), "\"12\"");
}

#[test]
fn keys_are_resolved_then_stringified() {
    let text = "on: a\n0777: b\n1.5: c\n\"on\": d\nnull_key_is_fine: e\n";
    let d = one(text);
    assert_eq!(get(&d.value, "true"), Value::from("a"));
    assert_eq!(d.value["511"], Value::from("b"));
    assert_eq!(d.value["1.5"], Value::from("c"));
    assert_eq!(get(&d.value, "on"), Value::from("d"));
    let r = d.spans.resolve(&[PathSeg::Key("511".into())]);
    assert_eq!(&text[r.node.key_span.clone().unwrap()], "0777");
    assert_eq!(key_at(text, &d, "true"), "on");
}

#[test]
fn null_and_collection_keys_are_errors_with_a_location() {
    for (text, bad) in [
        ("a: 1\n~: 2\n", "~"),
        ("a: 1\nnull: 2\n", "null"),
        ("a: 1\n? [x]\n: 2\n", "["),
        ("{a: 1, {b: c}: 2}", "{"),
    ] {
        let s = parse(text);
        assert!(s.docs.is_empty(), "{text:?}");
        assert_eq!(s.errors.len(), 1, "{text:?}");
        let span = s.errors[0].span.clone().unwrap();
        assert_eq!(&text[span], bad, "{text:?}: {}", s.errors[0].message);
    }
}

#[test]
fn duplicate_keys_keep_the_last_value_and_both_spans() {
    let text = "metadata:\n  name: first\n  labels: {}\n  name: second\n";
    let d = one(text);
    assert_eq!(get(&d.value, "metadata.name"), Value::from("second"));
    assert_eq!(at(text, &d, "metadata.name"), "second");
    assert_eq!(d.duplicate_keys.len(), 1);
    let dup = &d.duplicate_keys[0];
    assert_eq!(dup.key, "name");
    assert_eq!(dup.path, path("metadata"));
    assert_eq!(dup.first, 12..16);
    assert_eq!(&text[dup.second.clone()], "name");
    assert!(dup.second.start > dup.first.start);

    let text = "items:\n- a: 1\n  a: 2\n";
    let d = one(text);
    assert_eq!(d.duplicate_keys[0].path, path("items.0"));
}

#[test]
fn syntax_error_in_one_document_keeps_the_others() {
    let text = "kind: A\n---\nkind: [B\nname: x\n---\nkind: C\n";
    let s = parse(text);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    let kinds: Vec<_> = s.docs.iter().map(|d| get(&d.value, "kind")).collect();
    assert_eq!(kinds, [Value::from("A"), Value::from("C")]);
    assert_eq!(s.docs[0].index, 0);
    assert_eq!(s.docs[1].index, 2);
    let at = s.errors[0].span.clone().unwrap().start;
    assert!((12..=33).contains(&at), "error at {at}");
    assert!(s.errors[0].message.starts_with("invalid YAML"));
}

#[test]
fn recovery_resumes_at_the_next_document_whatever_broke() {
    let text =
        "a: [1\n---\nb: 1\n---\n: : :\n---\n]\n---\nc: \"open\n---\nd: 1\n...\ne: {\n...\nf: 1\n";
    let s = parse(text);
    let keys: Vec<_> = s
        .docs
        .iter()
        .map(|d| match &d.spans.children {
            Children::Map(m) => m[0].0.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(keys, ["b", "d", "f"], "{:?}", s.errors);
    assert_eq!(s.errors.len(), 5, "{:?}", s.errors);
    let idx: Vec<_> = s.docs.iter().map(|d| d.index).collect();
    assert_eq!(idx, [1, 5, 7]);
}

#[test]
fn many_broken_documents_cost_linear_time() {
    let text = "a: [\n---\n".repeat(20_000);
    let start = Instant::now();
    let s = parse(&text);
    assert_eq!(s.errors.len(), 20_000);
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn many_quoted_scalars_read_again_cost_linear_time() {
    // Each document has two quoted scalars that saphyr refuses and go-yaml reads.
    let text = "a:\n  b: \"x\n  y\"\n  c: 'p\n  q'\n---\n".repeat(20_000);
    let start = Instant::now();
    let s = parse(&text);
    assert!(s.errors.is_empty(), "{:?}", s.errors.first());
    assert_eq!(s.docs.len(), 20_000);
    assert_eq!(get(&s.docs[19_999].value, "a.c"), Value::from("p q"));
    let last = &s.docs[19_999];
    assert_eq!(at(&text, last, "a.c"), "'p\n  q'");
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn empty_documents_are_skipped_but_counted() {
    let text = "# only a comment\n---\na: 1\n---\n---\n# nothing\n---\nb: 2\n---\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let idx: Vec<_> = s.docs.iter().map(|d| d.index).collect();
    assert_eq!(idx, [0, 3]);
    assert_eq!(&text[s.docs[1].span.clone()], "---\nb: 2\n");
}

#[test]
fn directives_and_document_end_markers_work() {
    let text = "%YAML 1.1\n---\na: 1\n...\n%YAML 1.1\n---\nb: yes\n...\nc: 3\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.docs.len(), 3);
    assert_eq!(get(&s.docs[1].value, "b"), Value::Bool(true));
    assert_eq!(at(text, &s.docs[2], "c"), "3");
}

#[test]
fn block_scalar_ends_at_a_document_marker() {
    let text = "a: |\n  text\n---\nb: 2\n";
    let s = parse(text);
    assert!(s.errors.is_empty());
    assert_eq!(get(&s.docs[0].value, "a"), Value::from("text\n"));
    assert_eq!(at(text, &s.docs[0], "a"), "text");
    assert_eq!(get(&s.docs[1].value, "b"), Value::from(2));
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    text.push_str("---\nkind: Fine\n");
    let start = Instant::now();
    let s = parse(&text);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0].message.contains("aliases expand"),
        "{}",
        s.errors[0].message
    );
    let span = s.errors[0].span.clone().unwrap();
    assert!(text[span].starts_with('*'));
    assert_eq!(s.docs.len(), 1, "the next document is still read");
}

#[test]
fn aliases_expand_and_point_at_the_alias() {
    let text = "base: &b {cpu: 1}\nuse: *b\nname: &n web\nkey: {*n : x}\n";
    let d = one(text);
    assert_eq!(get(&d.value, "use.cpu"), Value::from(1));
    assert_eq!(at(text, &d, "use"), "*b");
    assert_eq!(at(text, &d, "use.cpu"), "1");
    assert_eq!(get(&d.value, "key.web"), Value::from("x"));
    assert_eq!(at(text, &d, "name"), "web");
}

#[test]
fn deep_flow_nesting_is_a_depth_error_without_overflow() {
    let text = "[".repeat(100_000);
    let s = parse(&text);
    assert!(s.docs.is_empty());
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0].message.contains("nest more than"),
        "{}",
        s.errors[0].message
    );
    let at = s.errors[0].span.clone().unwrap().start;
    assert!((250..=256).contains(&at), "{at}");
}

#[test]
fn deep_block_nesting_is_a_depth_error_without_overflow() {
    let mut text = "- ".repeat(100_000);
    text.push_str("x\n");
    let s = parse(&text);
    assert!(s.docs.is_empty());
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].message.contains("nest more than"));
}

#[test]
fn nesting_up_to_the_limit_is_fine() {
    let limits = Limits {
        max_depth: 10,
        ..Limits::default()
    };
    let ok = format!("{}{}", "[".repeat(10), "]".repeat(10));
    assert!(parse_stream(&ok, &limits).errors.is_empty());
    let deep = format!("{}{}", "[".repeat(11), "]".repeat(11));
    assert_eq!(parse_stream(&deep, &limits).errors.len(), 1);
    // An alias cannot be used to get past the limit.
    let text = format!("a: &x {}{}\nb: [[*x]]\n", "[".repeat(8), "]".repeat(8));
    let s = parse_stream(&text, &limits);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    assert!(s.errors[0].message.contains("alias"));
}

#[test]
fn node_and_document_limits_have_a_place() {
    let limits = Limits {
        max_nodes: 5,
        ..Limits::default()
    };
    let s = parse_stream("a: [1, 2, 3, 4]\n", &limits);
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].message.contains("more than 5 nodes"));
    assert!(s.errors[0].span.is_some());

    let limits = Limits {
        max_documents: 2,
        ..Limits::default()
    };
    let text = "a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n";
    let s = parse_stream(text, &limits);
    assert_eq!(s.docs.len(), 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].span.clone().unwrap().start, 14);

    let limits = Limits {
        max_file_bytes: 4,
        ..Limits::default()
    };
    let s = parse_stream("a: 12345\n", &limits);
    assert!(s.docs.is_empty());
    assert!(s.errors[0].message.contains("limit of 4 bytes"));
}

#[test]
fn crlf_spans_are_right() {
    let text = "kind: Pod\r\nmetadata:\r\n  name: web\r\n  note: |\r\n    line one\r\n    line two\r\nspec:\r\n  - x\r\n";
    let d = one(text);
    assert_eq!(at(text, &d, "metadata.name"), "web");
    assert_eq!(key_at(text, &d, "metadata.name"), "name");
    assert_eq!(at(text, &d, "metadata.note"), "line one\r\n    line two");
    assert_eq!(at(text, &d, "spec.0"), "x");
    assert_eq!(at(text, &d, "spec"), "-");
}

#[test]
fn non_ascii_text_has_byte_spans() {
    let text =
        "# ünïcödé ☃ comment\nname: \"日本語\"\nemoji: 🎉 party\nlist: [α, β]\nnext: plain\n";
    let d = one(text);
    assert_eq!(at(text, &d, "name"), "\"日本語\"");
    assert_eq!(at(text, &d, "emoji"), "🎉 party");
    assert_eq!(at(text, &d, "list.1"), "β");
    assert_eq!(at(text, &d, "next"), "plain");
    assert_eq!(key_at(text, &d, "next"), "next");
}

#[test]
fn long_non_ascii_documents_map_offsets_across_checkpoints() {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!("k{i}: \"é{i}ü\"\n"));
    }
    let d = one(&text);
    for i in [0, 63, 64, 65, 200, 299] {
        assert_eq!(at(&text, &d, &format!("k{i}")), format!("\"é{i}ü\""));
    }
}

#[test]
fn bom_is_skipped() {
    let text = "\u{feff}a: 1\n---\nb: 2\n";
    let s = parse(text);
    assert!(s.errors.is_empty());
    assert_eq!(at(text, &s.docs[0], "a"), "1");
    assert_eq!(key_at(text, &s.docs[1], "b"), "b");
}

#[test]
fn merge_keys_follow_go_yaml() {
    let text = "defaults: &d {cpu: 1, mem: 2}\nextra: &e {mem: 3, gpu: 4}\none:\n  <<: *d\n  cpu: 9\ntwo:\n  cpu: 9\n  <<: [*d, *e]\nthree:\n  <<: {x: 1}\n";
    let d = one(text);
    // Keys after `<<` overwrite the merged ones ...
    assert_eq!(get(&d.value, "one.cpu"), Value::from(9));
    assert_eq!(get(&d.value, "one.mem"), Value::from(2));
    // ... and `<<` overwrites the keys before it; in a list, earlier mappings win.
    assert_eq!(get(&d.value, "two.cpu"), Value::from(1));
    assert_eq!(get(&d.value, "two.mem"), Value::from(2));
    assert_eq!(get(&d.value, "two.gpu"), Value::from(4));
    assert_eq!(get(&d.value, "three.x"), Value::from(1));
    assert_eq!(get(&d.value, "one.<<"), Value::Undefined);
    assert!(d.duplicate_keys.is_empty());
    assert_eq!(at(text, &d, "one.cpu"), "9");
    assert_eq!(at(text, &d, "one.mem"), "2");
    assert_eq!(at(text, &d, "two.cpu"), "1");

    // Only a plain `<<` (or one tagged `!!merge`) merges.
    let d = one("a: {x: 1}\nb:\n  \"<<\": {x: 1}\n  !!merge x: 2\n  !!merge <<: {z: 3}\n");
    assert_eq!(get(&d.value, "b.<<.x"), Value::from(1));
    assert_eq!(get(&d.value, "b.x"), Value::from(2));
    assert_eq!(get(&d.value, "b.z"), Value::from(3));
}

#[test]
fn merge_key_whose_value_is_not_a_mapping_makes_the_document_unreadable() {
    for (text, at) in [
        ("a:\n  <<: 5\n", "<<"),
        ("a:\n  <<:\n", "<<"),
        ("a:\n  <<: [[{x: 1}]]\n", "["),
        ("a:\n  <<: [{x: 1}, 2]\n", "2"),
        // go-yaml takes a list of mappings only when it is written in place.
        ("l: &l [{x: 1}]\na:\n  <<: *l\n", "<<"),
    ] {
        let s = parse(text);
        assert!(s.docs.is_empty(), "{text:?}");
        assert_eq!(s.errors.len(), 1, "{text:?}");
        assert!(s.errors[0].message.contains("merge key"), "{:?}", s.errors);
        let span = s.errors[0].span.clone().unwrap();
        assert_eq!(&text[span.start..span.start + at.len()], at, "{text:?}");
    }
}

#[test]
fn binary_scalars_are_decoded_as_kubernetes_decodes_them() {
    let text = "metadata:\n  namespace: !!binary YmlsbGluZw==\n  name: !!binary |\n    bmdpbng6\n    bGF0ZXN0\nodd: !!binary /w==\n!!binary a2V5: v\n";
    let d = one(text);
    assert_eq!(get(&d.value, "metadata.namespace"), Value::from("billing"));
    assert_eq!(get(&d.value, "metadata.name"), Value::from("nginx:latest"));
    // Bytes that are not UTF-8 become U+FFFD, as Go's JSON encoder writes them.
    assert_eq!(get(&d.value, "odd"), Value::from("\u{FFFD}"));
    assert_eq!(get(&d.value, "key"), Value::from("v"));
    assert_eq!(at(text, &d, "metadata.namespace"), "YmlsbGluZw==");

    for bad in [
        "a: !!binary YQ\n",
        "a: !!binary 'Y Q=='\n",
        "a: !!binary YQ=a\n",
    ] {
        let s = parse(bad);
        assert!(s.docs.is_empty(), "{bad:?}");
        assert!(s.errors[0].message.contains("base64"), "{:?}", s.errors);
    }
}

#[test]
fn quoted_continuation_lines_at_the_key_indentation_are_read() {
    // gatekeeper-library's general/httpsonly/template.yaml, which kubectl applies.
    let text = "spec:\n  schema:\n    tlsOptional:\n      description: \"When set to `true` the TLS {} is optional, defaults\n      to false.\"\n      type: boolean\n    single: 'a\n    b'\n    escaped: \"x\\\n    y\"\n";
    let d = one(text);
    assert_eq!(
        get(&d.value, "spec.schema.tlsOptional.description"),
        Value::from("When set to `true` the TLS {} is optional, defaults to false.")
    );
    assert_eq!(
        get(&d.value, "spec.schema.tlsOptional.type"),
        Value::from("boolean")
    );
    assert_eq!(get(&d.value, "spec.schema.single"), Value::from("a b"));
    assert_eq!(get(&d.value, "spec.schema.escaped"), Value::from("xy"));
    // Spans are offsets in the text as written.
    assert_eq!(at(text, &d, "spec.schema.tlsOptional.type"), "boolean");
    assert!(at(text, &d, "spec.schema.tlsOptional.description").starts_with("\"When set"));
    assert_eq!(key_at(text, &d, "spec.schema.escaped"), "escaped");

    // `\'` is an escape go-yaml knows; `\/` is one it does not.
    assert_eq!(get(&one("a: \"it\\'s\"\n").value, "a"), Value::from("it's"));
    let text = "a: 1\nb: \"x\\/y\"\n";
    let s = parse(text);
    assert!(s.docs.is_empty());
    assert_eq!(&text[s.errors[0].span.clone().unwrap()], "\\/");
}

#[test]
fn infinity_and_nan_values_make_the_document_unreadable_at_their_place() {
    for (text, bad) in [
        ("a: 1\nb: .inf\n", ".inf"),
        ("a: [1, -.Inf]\n", "-.Inf"),
        ("a: {b: .nan}\n", ".nan"),
        ("a: !!float .INF\n", ".INF"),
    ] {
        let s = parse(text);
        assert!(s.docs.is_empty(), "{text:?}");
        assert_eq!(s.errors.len(), 1, "{text:?}");
        assert!(s.errors[0].message.contains("JSON"), "{:?}", s.errors);
        assert_eq!(&text[s.errors[0].span.clone().unwrap()], bad, "{text:?}");
    }
    // As keys they are strings; quoted they are strings; replaced, they are gone.
    let d = one(".inf: a\nb: '.nan'\nc: .inf\nc: 1\n");
    assert_eq!(d.value[".inf"], Value::from("a"));
    assert_eq!(get(&d.value, "b"), Value::from(".nan"));
    assert_eq!(get(&d.value, "c"), Value::from(1));
    // The next document is still read.
    let s = parse("a: .nan\n---\nb: 1\n");
    assert_eq!(s.docs.len(), 1);
    assert_eq!(s.errors.len(), 1);
}

#[test]
fn null_keys_are_errors_only_if_they_stay_in_the_document() {
    let d = one("a:\n  ~: 1\na: 2\n");
    assert_eq!(get(&d.value, "a"), Value::from(2));
    let s = parse("a:\n  ~: 1\n");
    assert!(s.docs.is_empty());
    let s = parse("a: 1\n: x\n");
    assert!(s.errors[0].message.contains("no key"), "{:?}", s.errors);
    // `yes` and `'true'` are two keys to go-yaml until they become strings: both
    // values are converted, so the null key in the replaced one still counts.
    let s = parse("yes:\n  ~: 1\n'true': 2\n");
    assert!(s.docs.is_empty(), "{:?}", s.docs);
    assert!(s.errors[0].message.contains("null"), "{:?}", s.errors);
    // So are two `.nan` keys (NaN is not equal to itself).
    assert!(parse(".nan: {~: 1}\n.nan: 2\n").docs.is_empty());
}

#[test]
fn every_tag_is_read_as_go_yaml_reads_it() {
    let text = "ts: !!timestamp 2001-12-14\nts2: !!timestamp 2001-12-14t21:59:43.10-05:00\nset: !!set {a, b}\nomap: !!omap [{a: 1}, {b: 2}]\npairs: !!pairs [{a: 1}]\nlocal: !foo 12\nlocalmap: !foo {a: 1}\nverbatim: !<tag:yaml.org,2002:int> \"12\"\nstr: !!str yes\nnothing: !!null ~\nfloat: !!float 1\nbool: !!bool \"on\"\n";
    let d = one(text);
    assert_eq!(get(&d.value, "ts"), Value::from("2001-12-14"));
    assert_eq!(
        get(&d.value, "ts2"),
        Value::from("2001-12-14t21:59:43.10-05:00")
    );
    assert_eq!(get(&d.value, "set.a"), Value::Null);
    assert_eq!(get(&d.value, "omap.1.b"), Value::from(2));
    assert_eq!(get(&d.value, "pairs.0.a"), Value::from(1));
    assert_eq!(get(&d.value, "local"), Value::from("12"));
    assert_eq!(get(&d.value, "localmap.a"), Value::from(1));
    assert_eq!(get(&d.value, "verbatim"), Value::from(12));
    assert_eq!(get(&d.value, "str"), Value::from("yes"));
    assert_eq!(get(&d.value, "nothing"), Value::Null);
    assert_eq!(get(&d.value, "float"), Value::from(1.0));
    assert_eq!(get(&d.value, "bool"), Value::Bool(true));
    for bad in [
        "a: !!timestamp 2001-13-14\n",
        "a: !!timestamp 12\n",
        "a: !!float 18446744073709551615\n",
        "a: !<tag:yaml.org,2002:int> x\n",
    ] {
        let s = parse(bad);
        assert!(s.docs.is_empty(), "{bad:?}");
        assert!(
            s.errors[0].message.contains("explicit tag"),
            "{:?}",
            s.errors
        );
    }
}

#[test]
fn json_input_has_right_spans() {
    let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"spec\": {\"containers\": [{\"name\": \"a\", \"securityContext\": {\"privileged\": true}}]},\n  \"n\": 0777\n}\n";
    let d = one(text);
    assert_eq!(get(&d.value, "kind"), Value::from("Pod"));
    assert_eq!(at(text, &d, "kind"), "\"Pod\"");
    assert_eq!(key_at(text, &d, "kind"), "\"kind\"");
    assert_eq!(
        at(text, &d, "spec.containers.0.securityContext.privileged"),
        "true"
    );
    assert_eq!(at(text, &d, "spec.containers"), "[");
    assert_eq!(at(text, &d, "spec.containers.0"), "{");
    assert_eq!(at(text, &d, ""), "{");
}

#[test]
fn collections_span_their_first_token() {
    let text = "a:\n  b: 1\nc:\n- x\nd: &anc\n  e: 1\nf: !!seq [1]\n";
    let d = one(text);
    assert_eq!(at(text, &d, ""), "a");
    assert_eq!(at(text, &d, "a"), "b");
    assert_eq!(at(text, &d, "c"), "-");
    assert_eq!(at(text, &d, "d"), "e");
    assert_eq!(at(text, &d, "f"), "[");
}

#[test]
fn tagged_and_anchored_scalars_span_their_text() {
    let text = "a: !!int 5\nb: &x  hello\nc: !custom 7\nd: !!bool \"yes\"\ne: !!int nope\n";
    let s = parse(text);
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].message.contains("!!int"));
    assert_eq!(&text[s.errors[0].span.clone().unwrap()], "nope");
    let text = "a: !!int 5\nb: &x  hello\nc: !custom 7\nd: !!bool \"yes\"\n";
    let d = one(text);
    assert_eq!(at(text, &d, "a"), "5");
    assert_eq!(at(text, &d, "b"), "hello");
    assert_eq!(get(&d.value, "c"), Value::from("7"));
    assert_eq!(get(&d.value, "d"), Value::Bool(true));
}

#[test]
fn root_scalars_and_sequences_are_documents_too() {
    let s = parse("- a\n---\nhello\n");
    assert_eq!(s.docs.len(), 2);
    assert_eq!(s.docs[1].value, Value::from("hello"));
}

/// Every span lies within the text and on character boundaries.
fn check_spans(text: &str, node: &SpanNode) -> Result<(), TestCaseError> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        for r in std::iter::once(&n.span).chain(n.key_span.as_ref()) {
            prop_assert!(r.start <= r.end && r.end <= text.len(), "{r:?}");
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
        match &n.children {
            Children::Seq(v) => stack.extend(v.iter()),
            Children::Map(v) => stack.extend(v.iter().map(|(_, c)| c)),
            Children::Embedded(inner) => stack.push(inner),
            Children::Leaf => {}
        }
    }
    Ok(())
}

fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
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
        "\"q\"",
        "'s'",
        "|\n",
        ">-\n",
        "---\n",
        "...\n",
        "#c",
        "é",
        "☃",
        "\r\n",
        "!!int ",
        "yes",
        "0777",
        "~",
        "? ",
        "%YAML 1.1\n",
        "\t",
        "\"\\u00e9",
        "日本",
    ]);
    prop::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_input_never_panics_and_spans_are_sound(text in yamlish()) {
        let s = parse(&text);
        for d in &s.docs {
            check_spans(&text, &d.spans)?;
            prop_assert!(d.span.end <= text.len());
            for dup in &d.duplicate_keys {
                prop_assert!(text.get(dup.first.clone()).is_some());
                prop_assert!(text.get(dup.second.clone()).is_some());
            }
        }
        for e in &s.errors {
            if let Some(r) = &e.span {
                prop_assert!(text.get(r.clone()).is_some(), "{r:?} {}", e.message);
            }
        }
    }

    #[test]
    fn mutated_manifests_never_panic(
        cut in 0usize..400,
        insert in prop::sample::select(vec!["[", "{", "\"", "'", ": ", "- ", "&a ", "*a", "\n  ", "é", "---\n", "|\n"]),
    ) {
        let base = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web # c\n  labels: {app: web, tier: \"front\"}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.2\n    securityContext:\n      privileged: yes\n    args: [\"--x\", '--y']\n    env:\n    - name: X\n      value: |\n        multi\n        line\n";
        let mut text = base.to_string();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, insert);
        let s = parse(&text);
        for d in &s.docs {
            check_spans(&text, &d.spans)?;
        }
    }

    #[test]
    fn scalar_values_span_their_rendering(
        entries in prop::collection::btree_map(
            "k[a-z0-9]{0,6}",
            prop_oneof![
                "[a-zA-Z][a-zA-Z0-9 ._/-]{0,10}[a-zA-Z0-9]".prop_map(|s| s),
                any::<i32>().prop_map(|i| i.to_string()),
                "[a-zé☃ ]{0,8}".prop_map(|s| format!("\"{s}\"")),
                "[a-z ]{0,8}".prop_map(|s| format!("'{s}'")),
                Just("yes".to_string()),
                Just("0777".to_string()),
            ],
            1..12,
        ),
        indent in 0usize..3,
        flow in any::<bool>(),
    ) {
        let pad = " ".repeat(indent);
        let text = if flow {
            let body: Vec<_> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("root: {{{}}}\n", body.join(", "))
        } else {
            let mut t = String::from("root:\n");
            for (k, v) in &entries {
                t.push_str(&format!("{pad} {k}: {v}\n"));
            }
            t
        };
        let s = parse(&text);
        prop_assert!(s.errors.is_empty(), "{:?}\n{}", s.errors, text);
        let d = &s.docs[0];
        for (k, v) in &entries {
            let p = vec![PathSeg::Key("root".into()), PathSeg::Key(k.as_str().into())];
            let r = d.spans.resolve(&p);
            prop_assert_eq!(r.matched, 2);
            prop_assert_eq!(&text[r.node.span.clone()], v.trim_end());
            prop_assert_eq!(&text[r.node.key_span.clone().unwrap()], k.as_str());
        }
    }
}

/// Every event of `text`, with its span, or the error that stopped the parser.
fn events<T: saphyr_parser::Input>(
    parser: saphyr_parser::Parser<'_, T>,
) -> Vec<Result<(String, Span), String>> {
    let mut out = Vec::new();
    for item in parser {
        match item {
            Ok((event, span)) => out.push(Ok((format!("{event:?}"), span))),
            Err(e) => {
                out.push(Err(format!("{e:?}")));
                break;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The vendored saphyr-parser reads a block scalar's content lines at once from a
    /// text (vendor/README.md); reading the same text character by character, as
    /// saphyr does for any other input, must give the same events, values and marks.
    #[test]
    fn block_scalars_read_at_once_read_as_character_by_character(
        header in prop::sample::select(vec!["|", ">", "|-", ">+", "|2", ">-1", "|+"]),
        lines in prop::collection::vec(
            prop_oneof![
                "[ a-z0-9:{}\",\\[\\]#-]{0,30}",
                "[a-zé☃日 ]{0,12}",
                Just("\u{feff}x".to_string()),
                Just("a\tb ".to_string()),
                Just("x\0y".to_string()),
                Just(String::new()),
                Just("---".to_string()),
                Just("...".to_string()),
            ],
            0..12,
        ),
        indents in prop::collection::vec(0usize..6, 12),
        crlf in any::<bool>(),
        nested in any::<bool>(),
    ) {
        let brk = if crlf { "\r\n" } else { "\n" };
        let base = if nested { "  " } else { "" };
        let mut text = format!("a:{brk}{base}b: {header}{brk}");
        for (line, indent) in lines.iter().zip(&indents) {
            text.push_str(base);
            text.push_str(&" ".repeat(*indent));
            text.push_str(line);
            text.push_str(brk);
        }
        text.push_str("c: d");
        text.push_str(brk);
        let at_once = events(saphyr_parser::Parser::new_from_str(&text));
        let by_char = events(saphyr_parser::Parser::new_from_iter(text.chars()));
        prop_assert_eq!(at_once, by_char, "{:?}", text);
    }
}

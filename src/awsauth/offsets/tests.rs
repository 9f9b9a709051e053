use super::*;
use crate::source::yaml::parse_stream;
use crate::source::{Limits, PathSeg, SpanNode};

/// The outer span and decoded value of `data.mapRoles` in `outer`.
fn scalar(outer: &str) -> (ByteRange, String) {
    let stream = parse_stream(outer, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let doc = &stream.docs[0];
    let path = [PathSeg::Key("data".into()), PathSeg::Key("mapRoles".into())];
    let node: &SpanNode = doc.spans.resolve(&path).node;
    let value = match &doc.value["data"]["mapRoles"] {
        regorus::Value::String(s) => s.to_string(),
        other => panic!("not a string: {other:?}"),
    };
    (node.span.clone(), value)
}

/// Maps every occurrence of `needle` in the value and returns the outer text.
fn mapped(outer: &str, needle: &str) -> Vec<String> {
    let (span, value) = scalar(outer);
    let map = ScalarMap::new(outer, span, &value);
    assert!(map.is_exact(), "not exact for {outer:?}");
    value
        .match_indices(needle)
        .map(|(i, _)| outer[map.map(i..i + needle.len())].to_string())
        .collect()
}

#[test]
fn literal_block_maps_exactly() {
    let outer = "data:\n  mapRoles: |\n    - rolearn: a\n      groups:\n        - system:masters\n";
    assert_eq!(mapped(outer, "system:masters"), ["system:masters"]);
    let (span, value) = scalar(outer);
    let map = ScalarMap::new(outer, span, &value);
    let at = value.find("system").unwrap();
    assert_eq!(map.map(at..at + 6).start, outer.find("system").unwrap());
}

#[test]
fn strip_keep_and_blank_lines() {
    for header in ["|-", "|+", "| # comment", "|"] {
        let outer =
            format!("data:\n  mapRoles: {header}\n\n    - rolearn: a\n\n\n      username: b\n\n");
        assert_eq!(mapped(&outer, "username: b"), ["username: b"], "{header}");
    }
}

#[test]
fn explicit_indentation_indicator_keeps_leading_spaces() {
    let outer = "data:\n  mapRoles: |4\n        - rolearn: a\n          groups: [x]\n";
    let (_, value) = scalar(outer);
    assert!(value.starts_with("  - rolearn"), "{value:?}");
    assert_eq!(mapped(outer, "groups: [x]"), ["groups: [x]"]);
}

#[test]
fn crlf_line_breaks() {
    let outer = "data:\r\n  mapRoles: |\r\n    - rolearn: a\r\n      username: bob\r\n";
    let (span, value) = scalar(outer);
    let map = ScalarMap::new(outer, span, &value);
    assert!(map.is_exact());
    let at = value.find("bob").unwrap();
    assert_eq!(&outer[map.map(at..at + 3)], "bob");
    // The break after `a` is one decoded byte and two source bytes.
    let nl = value.find('\n').unwrap();
    assert_eq!(&outer[map.map(nl..nl + 1)], "\r\n");
}

#[test]
fn double_quoted_with_escapes() {
    let outer =
        "data:\n  mapRoles: \"- rolearn: a\\n  username: \\\"bob\\\"\\n  groups: [x]\\n\"\n";
    let (span, value) = scalar(outer);
    assert_eq!(value, "- rolearn: a\n  username: \"bob\"\n  groups: [x]\n");
    let map = ScalarMap::new(outer, span, &value);
    assert!(map.is_exact());
    let at = value.find("groups").unwrap();
    assert_eq!(&outer[map.map(at..at + 11)], "groups: [x]");
    let q = value.find("\"bob\"").unwrap();
    assert_eq!(&outer[map.map(q..q + 5)], "\\\"bob\\\"");
}

#[test]
fn double_quoted_folded_over_lines() {
    let outer = "data:\n  mapRoles: \"- rolearn: a\\n\n    \\  username: b\\n\"\n";
    let (span, value) = scalar(outer);
    assert_eq!(value, "- rolearn: a\n   username: b\n");
    let map = ScalarMap::new(outer, span, &value);
    assert!(map.is_exact());
    let at = value.find("username").unwrap();
    assert_eq!(&outer[map.map(at..at + 11)], "username: b");
}

#[test]
fn single_quoted_and_folded() {
    let outer = "data:\n  mapRoles: '- rolearn: ''a''\n\n    - rolearn: b'\n";
    let (span, value) = scalar(outer);
    assert_eq!(value, "- rolearn: 'a'\n- rolearn: b");
    let map = ScalarMap::new(outer, span, &value);
    let at = value.find("b").unwrap();
    assert_eq!(&outer[map.map(at..at + 1)], "b");
    let outer = "data:\n  mapRoles: >\n    one\n    two\n\n    three\n";
    assert_eq!(mapped(outer, "three"), ["three"]);
    assert_eq!(mapped(outer, "two"), ["two"]);
}

#[test]
fn json_string_maps_through_unicode_escapes() {
    let outer = "{\"data\": {\"mapRoles\": \"- rolearn: \\u0061rn\\n- username: caf\\u00e9\"}}";
    let (span, value) = scalar(outer);
    assert_eq!(value, "- rolearn: arn\n- username: café");
    let map = ScalarMap::new(outer, span, &value);
    let at = value.find("café").unwrap();
    assert_eq!(&outer[map.map(at..at + "café".len())], "caf\\u00e9");
}

#[test]
fn unmappable_scalar_falls_back_to_the_whole_scalar() {
    let outer = "data:\n  mapRoles: plain\n    text\n";
    let (span, value) = scalar(outer);
    let map = ScalarMap::new(outer, span.clone(), &value);
    assert!(!map.is_exact());
    assert_eq!(map.map(0..3), span);
}

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

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A content line: extra leading spaces (kept in the value only with an
    /// indentation indicator), then text that does not start with white space.
    fn line() -> impl Strategy<Value = (usize, String)> {
        (0usize..3, "[a-z0-9]", "[a-z0-9:#{}\\[\\],\"' \t|>-]{0,16}")
            .prop_map(|(lead, first, rest)| (lead, format!("{first}{rest}")))
    }

    /// An outer document whose `data.mapRoles` is a literal block scalar holding
    /// `lines` (`None` is an empty line), and the block's header.
    fn outer_text(
        lines: &[Option<(usize, String)>],
        indicator: Option<usize>,
        chomp: &str,
        crlf: bool,
        trailing_blank: usize,
    ) -> String {
        let nl = if crlf { "\r\n" } else { "\n" };
        let indent = 2 + indicator.unwrap_or(4);
        let header = match indicator {
            Some(n) => format!("|{n}{chomp}"),
            None => format!("|{chomp}"),
        };
        let mut out = format!("kind: ConfigMap{nl}data:{nl}  mapRoles: {header}{nl}");
        for l in lines {
            if let Some((lead, text)) = l {
                let lead = if indicator.is_some() { *lead } else { 0 };
                out.push_str(&" ".repeat(indent + lead));
                out.push_str(text);
            }
            out.push_str(nl);
        }
        for _ in 0..trailing_blank {
            out.push_str(nl);
        }
        out.push_str(&format!("  other: x{nl}"));
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every line of a literal block scalar, and every character in it, maps back
        /// to exactly the same text in the outer file.
        #[test]
        fn literal_blocks_map_back_exactly(
            mut lines in proptest::collection::vec(proptest::option::weighted(0.85, line()), 1..8),
            indicator in proptest::option::of(1usize..7),
            chomp in prop_oneof![Just(""), Just("-"), Just("+")],
            crlf in any::<bool>(),
            trailing_blank in 0usize..3,
        ) {
            // The first line holds text: leading blank lines are fine in YAML but
            // with `|+` they make the test's expected value harder to state.
            if lines[0].is_none() {
                lines[0] = Some((0, "a".into()));
            }
            let outer = outer_text(&lines, indicator, chomp, crlf, trailing_blank);
            let (span, value) = scalar(&outer);
            let map = ScalarMap::new(&outer, span, &value);
            prop_assert!(map.is_exact(), "not exact: {outer:?} value {value:?}");
            let mut at = 0;
            for text in value.split('\n') {
                let r = at..at + text.len();
                prop_assert_eq!(&outer[map.map(r.clone())], text, "line {:?} of {:?}", r, outer);
                for (i, c) in text.char_indices() {
                    let r = at + i..at + i + c.len_utf8();
                    prop_assert_eq!(&outer[map.map(r)], &text[i..i + c.len_utf8()]);
                }
                at += text.len() + 1;
            }
        }

        /// A double-quoted scalar maps each decoded character to itself or to the
        /// escape that produced it.
        #[test]
        fn double_quoted_scalars_map_through_escapes(value in "[a-z\"\\\\\n\t é-]{1,40}") {
            let mut quoted = String::from("\"");
            for c in value.chars() {
                match c {
                    '"' => quoted.push_str("\\\""),
                    '\\' => quoted.push_str("\\\\"),
                    '\n' => quoted.push_str("\\n"),
                    '\t' => quoted.push_str("\\t"),
                    'é' => quoted.push_str("\\u00e9"),
                    c => quoted.push(c),
                }
            }
            quoted.push('"');
            let outer = format!("data:\n  mapRoles: {quoted}\n");
            let (span, parsed) = scalar(&outer);
            prop_assert_eq!(&parsed, &value);
            let map = ScalarMap::new(&outer, span, &parsed);
            prop_assert!(map.is_exact());
            for (i, c) in value.char_indices() {
                let got = &outer[map.map(i..i + c.len_utf8())];
                let ok = got == c.to_string() || (got.starts_with('\\') && got.len() >= 2);
                prop_assert!(ok, "{:?} maps to {:?} in {:?}", c, got, outer);
            }
        }
    }
}

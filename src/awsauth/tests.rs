use super::*;
use crate::source::yaml::parse_stream;

fn doc(text: &str) -> (Value, SpanNode) {
    let stream = parse_stream(text, &Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let d = stream.docs.into_iter().next().unwrap();
    (d.value, d.spans)
}

fn path(segs: &[&str]) -> Vec<PathSeg> {
    segs.iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Key((*s).into()),
        })
        .collect()
}

/// The outer text a path lands on after splicing.
fn lands_on(text: &str, segs: &[&str]) -> String {
    let (value, spans) = doc(text);
    let spliced = splice(&spans, &value, text).expect("aws-auth");
    let r = spliced.resolve(&path(segs));
    assert_eq!(r.matched, segs.len(), "path {segs:?} not fully resolved");
    text[r.node.label_range()].to_string()
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n";

#[test]
fn detects_aws_auth_by_name_and_namespace() {
    let (v, _) = doc(CM);
    assert!(is_aws_auth(&v));
    let (v, _) = doc("kind: ConfigMap\nmetadata:\n  name: aws-auth\n");
    assert!(is_aws_auth(&v));
    let (v, _) = doc("kind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: default\n");
    assert!(!is_aws_auth(&v));
    let (v, _) = doc("kind: Secret\nmetadata:\n  name: aws-auth\n");
    assert!(!is_aws_auth(&v));
}

#[test]
fn splice_points_inside_literal_block() {
    let text = format!(
        "{CM}  mapRoles: |\n    - rolearn: arn:aws:iam::123456789012:role/a\n      groups:\n        - system:masters\n"
    );
    assert_eq!(
        lands_on(&text, &["data", "mapRoles", "0", "groups", "0"]),
        "system:masters"
    );
    assert_eq!(
        lands_on(&text, &["data", "mapRoles", "0", "rolearn"]),
        "arn:aws:iam::123456789012:role/a"
    );
}

#[test]
fn splice_points_inside_flow_entries() {
    let text = format!(
        "{CM}  mapUsers: |\n    - {{userarn: \"arn:aws:iam::123456789012:user/bob\", username: bob, groups: [a, b]}}\n"
    );
    assert_eq!(
        lands_on(&text, &["data", "mapUsers", "0", "groups", "1"]),
        "b"
    );
    assert_eq!(
        lands_on(&text, &["data", "mapUsers", "0", "userarn"]),
        "\"arn:aws:iam::123456789012:user/bob\""
    );
}

#[test]
fn parse_error_is_addressed_at_its_position() {
    let text = format!(
        "{CM}  mapRoles: |\n    - rolearn: a\n      groups:\n    - system:masters\n     bad: [\n"
    );
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    let err = &f["sections"]["mapRoles"]["parseError"];
    assert!(matches!(err["message"], Value::String(_)), "{f:?}");
    let (value, spans) = doc(&text);
    let spliced = splice(&spans, &value, &text).unwrap();
    let r = spliced.resolve(&path(&["data", "mapRoles", section::ERROR_KEY]));
    assert_eq!(r.matched, 3);
    let at = r.node.label_range().start;
    assert!(
        at > text.find("mapRoles").unwrap(),
        "error inside the block"
    );
}

#[test]
fn unquoted_template_is_found_and_the_rest_still_parses() {
    let text = format!(
        "{CM}  mapRoles: |\n    - rolearn: arn:aws:iam::123456789012:role/a\n      username: {{{{SessionName}}}}  # who\n      groups: [system:masters]\n"
    );
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    let s = &f["sections"]["mapRoles"];
    assert_eq!(s["parseError"], Value::Undefined, "{s:?}");
    assert_eq!(
        s["unquotedTemplates"][0]["text"],
        Value::from("{{SessionName}}")
    );
    assert_eq!(
        s["unquotedTemplates"][0]["path"],
        Value::from(vec![
            Value::from("data"),
            Value::from("mapRoles"),
            Value::from(0u64),
            Value::from("username")
        ])
    );
    assert_eq!(s["entries"][0]["groups"][0], Value::from("system:masters"));
    assert_eq!(
        lands_on(&text, &["data", "mapRoles", "0", "username"]),
        "{{SessionName}}"
    );
}

#[test]
fn facts_describe_entries() {
    let text = format!(
        "{CM}  mapRoles: |\n    - roleARN: arn:aws:iam::123456789012:role/team/dev\n      username: 12345\n      groups: [yes, ok]\n  maproles: x\nbinaryData:\n  mapUsers: eA==\n"
    );
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    let e = &f["sections"]["mapRoles"]["entries"][0];
    assert_eq!(e["keys"]["rolearn"], Value::from("roleARN"));
    assert_eq!(e["arnParts"]["path"], Value::from("/team/"));
    assert_eq!(e["arnParts"]["name"], Value::from("dev"));
    assert_eq!(e["username"], Value::Undefined);
    assert_eq!(e["groupItems"][0]["type"], Value::from("boolean"));
    assert_eq!(e["groups"], Value::from(vec![Value::from("ok")]));
    let unknown = &f["unknownKeys"];
    assert_eq!(unknown[0]["key"], Value::from("maproles"));
    assert_eq!(unknown[0]["suggestion"], Value::from("mapRoles"));
    assert_eq!(unknown[1]["in"], Value::from("binaryData"));
}

#[test]
fn mapaccounts_keep_source_digits() {
    let text = format!("{CM}  mapAccounts: |\n    - 012345678901\n    - \"111122223333\"\n");
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    let a = &f["sections"]["mapAccounts"]["accounts"];
    assert_eq!(a[0]["value"], Value::from("012345678901"));
    assert_eq!(a[1]["value"], Value::from("111122223333"));
}

#[test]
fn relations_between_entries_are_found_in_one_pass() {
    let text = format!(
        "{CM}  mapRoles: |\n    - {{rolearn: arn:aws:iam::1:role/A, username: ci}}\n    - {{rolearn: arn:aws:iam::1:role/b, username: ci}}\n    - {{rolearn: arn:aws:iam::1:role/a, username: ci}}\n    - {{rolearn: arn:aws:iam::1:role/c, username: 'x:{{{{SessionName}}}}'}}\n    - {{rolearn: arn:aws:iam::1:role/d, username: 'x:{{{{SessionName}}}}'}}\n"
    );
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    let e = &f["sections"]["mapRoles"]["entries"];
    assert_eq!(e[0]["duplicateOf"], Value::Undefined);
    assert_eq!(e[2]["duplicateOf"]["index"], Value::from(0u64));
    assert_eq!(
        e[1]["sharedUsername"]["arn"],
        Value::from("arn:aws:iam::1:role/A")
    );
    // The same principal again is a duplicate, not a second user of the name.
    assert_eq!(e[2]["sharedUsername"], Value::Undefined);
    // Templated usernames differ per session.
    assert_eq!(e[4]["sharedUsername"], Value::Undefined);
}

#[test]
fn names_lists_each_mapped_string_once() {
    let text = format!(
        "{CM}  mapRoles: |\n    - {{rolearn: arn:aws:iam::1:role/a, username: 'a:{{{{SessionName}}}}', groups: [g1, g2]}}\n    - {{rolearn: arn:aws:iam::1:role/b, username: b, groups: [g1]}}\n"
    );
    let (value, _) = doc(&text);
    let names = names(&facts(&value).unwrap());
    let expected: Vec<Value> = [
        "a:{{SessionName}}",
        "arn:aws:iam::1:role/a",
        "arn:aws:iam::1:role/b",
        "b",
        "g1",
        "g2",
    ]
    .into_iter()
    .map(Value::from)
    .collect();
    assert_eq!(names, Value::from(expected));
}

#[test]
fn empty_and_skippable_sections_have_no_error_and_no_entries() {
    for section in [
        "mapRoles: \"\"",
        "mapRoles: |\n    \"\"",
        "mapRoles: |\n    # nothing yet\n",
        "mapRoles: \"[]\"",
    ] {
        let text = format!("{CM}  {section}\n");
        let (value, _) = doc(&text);
        let f = facts(&value).unwrap();
        let s = &f["sections"]["mapRoles"];
        assert_eq!(s["parseError"], Value::Undefined, "{section}");
        assert_eq!(s["notList"], Value::Undefined, "{section}");
        assert_eq!(s["entries"], Value::from(Vec::<Value>::new()), "{section}");
    }
}

#[test]
fn a_mapping_instead_of_a_list_is_reported() {
    let text = format!("{CM}  mapRoles: |\n    rolearn: arn:aws:iam::1:role/a\n");
    let (value, _) = doc(&text);
    let f = facts(&value).unwrap();
    assert_eq!(f["sections"]["mapRoles"]["notList"], Value::from("mapping"));
}

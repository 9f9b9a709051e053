//! The compiled evaluator (regorus's VM, the default) against the interpreter (the
//! reference): on every fixture case of the built-in pack, and on generated
//! workloads, RBAC objects, aws-auth ConfigMaps and UPDATE/DELETE pairs, both find
//! exactly the same (rule, path, message, severity, related). Every fixture document
//! is compared in `kinds.rs`, with the matching against every rule.

use std::path::PathBuf;
use std::sync::OnceLock;

use blastwall::authoring::runner::{self, Options};
use blastwall::engine::{Engine, Evaluator, RuleHit, RuleSource, Strategy as Via};
use blastwall::facts::{self, tenancy::Tenancy, Context};
use blastwall::review::{self, Operation, Requester};
use proptest::prelude::*;
use regorus::Value;
use serde_json::{json, Value as Json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sorted(mut hits: Vec<RuleHit>) -> Vec<RuleHit> {
    hits.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    hits
}

/// The messages of `input`'s findings, sorted, from the VM then the interpreter.
fn sorted_messages_by_both(engine: &mut Engine, input: &Value) -> [Vec<String>; 2] {
    [Evaluator::Compiled, Evaluator::Interpreter].map(|evaluator| {
        engine.set_evaluator(evaluator);
        let mut messages: Vec<String> = engine
            .evaluate(input.clone())
            .unwrap()
            .into_iter()
            .map(|h| h.message)
            .collect();
        messages.sort();
        messages
    })
}

/// regorus 0.14.1's VM did not try `else` after a first body that iterated and
/// found nothing (vendor/README.md): the patched VM does, as the interpreter does.
/// When this fails after an upgrade of regorus, the vendored patch is missing and
/// upstream still has the bug.
#[test]
fn the_vm_tries_else_after_a_first_body_that_finds_nothing() {
    let rule = r#"package blastwall.rules.else_after_loop
metadata := {"id": "else-after-loop", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
f(r) := 1 if { some n in r.names; n == "x" } else := 2
g := 1 if { some n in input.review.object.names; n == "x" } else := 2
deny contains {"msg": sprintf("f %v g %v", [f(input.review.object), g])} if input.review.object
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "else.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    for (names, expected) in [
        ("[]", "f 2 g 2"),
        (r#"["y"]"#, "f 2 g 2"),
        (r#"["x"]"#, "f 1 g 1"),
    ] {
        let object =
            Value::from_json_str(&format!(r#"{{"kind": "X", "names": {names}}}"#)).unwrap();
        let input = review::input(review::create(object), Value::new_object());
        for evaluator in [Evaluator::Compiled, Evaluator::Interpreter] {
            engine.set_evaluator(evaluator);
            let hits = engine.evaluate(input.clone()).unwrap();
            let messages: Vec<&str> = hits.iter().map(|h| h.message.as_str()).collect();
            assert_eq!(messages, [expected], "{evaluator:?} on names {names}");
        }
    }
}

/// The vendored VM finds the first 16 elements of a set by position and the rest by
/// a range search from the last one (vendor/README.md): iterating sets of objects
/// on both sides of that boundary, and a set built by a rule, yields every element
/// once, as the interpreter does.
#[test]
fn the_vm_iterates_every_element_of_small_and_large_sets() {
    let rule = r#"package blastwall.rules.set_iteration
metadata := {"id": "set-iteration", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
items contains {"name": n, "at": i} if some i, n in input.review.object.names
deny contains {"msg": sprintf("%v of %v: %v", [count(seen), count(items), sort(seen)])} if {
    seen := [x.name | some x in items]
}
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "sets.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    for n in [1, 15, 16, 17, 40] {
        let names: Vec<String> = (0..n).map(|i| format!("\"n{i:02}\"")).collect();
        let object = Value::from_json_str(&format!(
            r#"{{"kind": "X", "names": [{}]}}"#,
            names.join(", ")
        ))
        .unwrap();
        let input = review::input(review::create(object), Value::new_object());
        let mut found = Vec::new();
        for evaluator in [Evaluator::Compiled, Evaluator::Interpreter] {
            engine.set_evaluator(evaluator);
            let hits = engine.evaluate(input.clone()).unwrap();
            assert_eq!(hits.len(), 1, "{evaluator:?} with {n} elements");
            assert!(
                hits[0].message.starts_with(&format!("{n} of {n}: ")),
                "{evaluator:?}: {}",
                hits[0].message
            );
            found.push(hits[0].message.clone());
        }
        assert_eq!(found[0], found[1], "{n} elements");
    }
}

/// The vendored VM walks a chain of lookups (`a.b[k].c`) by reference, and the
/// vendored regorus looks a string key up in an object by its text (a scan of up to
/// 8 keys, else a binary search in `Value` order) instead of through `Value::cmp`
/// (vendor/README.md): chains through objects of every size, with literal and
/// variable keys, keys that share a first byte or are prefixes of others, non-string
/// keys beside string ones, array positions, sets and missing steps find what the
/// interpreter finds.
#[test]
fn the_vm_looks_up_chains_as_the_interpreter_does() {
    let rule = r#"package blastwall.rules.chained_lookup
metadata := {"id": "chained-lookup", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
mixed := {1: "number", "1": "string", null: "null", false: "false", "a": {"b": ["x", {"c": "deep"}]},
  "ab": "ab", "": "empty", "\u00e9": "e-acute", ["k"]: "array"}
names := {"x", "y"}
deny contains {"msg": sprintf("%v %v", [k, v])} if {
    some k in input.review.object.lookups
    v := input.review.object.objects[_][k].v
}
deny contains {"msg": sprintf("mixed %v %v", [k, v])} if {
    some k in input.review.object.lookups
    v := mixed[k]
}
deny contains {"msg": sprintf("fixed %v", [[mixed.a.b[1].c, mixed[1], mixed["1"], mixed[null],
    mixed[false], mixed[""], mixed.ab, mixed["\u00e9"], mixed[["k"]], names["x"]]])} if true
deny contains {"msg": "missing step"} if input.review.object.objects[0].nothing.v
deny contains {"msg": "missing set element"} if names["z"]
deny contains {"msg": "string on array"} if mixed.a.b.c
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "chains.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    let keys = [
        "",
        "a",
        "ab",
        "abc",
        "b",
        "ba",
        "é",
        "z",
        "name",
        "names",
        "namespace",
        "kind",
        "k0",
        "k1",
        "k10",
        "k2",
        "spec",
        "status",
        "x",
        "y",
    ];
    let lookups = [
        "",
        "a",
        "ab",
        "nam",
        "names",
        "namespacez",
        "k1",
        "k11",
        "é",
        "zz",
        "1",
    ];
    for size in [0, 1, 2, 7, 8, 9, 16, 17, keys.len()] {
        // Objects of `size` keys taken from `keys` at two strides, so that each
        // size has keys around every lookup.
        let objects: Vec<String> = [1, 7]
            .iter()
            .map(|stride| {
                let fields: Vec<String> = (0..size)
                    .map(|i| keys[(i * stride) % keys.len()])
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .map(|k| format!(r#""{k}": {{"v": "{k}!"}}"#))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            })
            .collect();
        let object = Value::from_json_str(&format!(
            r#"{{"kind": "X", "objects": [{}], "lookups": {}}}"#,
            objects.join(", "),
            serde_json::to_string(&lookups).unwrap()
        ))
        .unwrap();
        let input = review::input(review::create(object), Value::new_object());
        let found = sorted_messages_by_both(&mut engine, &input);
        assert_eq!(found[0], found[1], "objects of {size} keys");
        assert!(
            found[0].contains(
                &r#"fixed ["deep", "number", "string", "null", "false", "empty", "ab", "e-acute", "array", "x"]"#
                    .to_string()
            ),
            "{:?}",
            found[0]
        );
        assert!(
            found[0].contains(&"mixed ab ab".to_string()),
            "{:?}",
            found[0]
        );
        if size == keys.len() {
            assert!(
                found[0].contains(&"names names!".to_string()),
                "{:?}",
                found[0]
            );
            assert!(found[0].contains(&"é é!".to_string()), "{:?}", found[0]);
        }
        assert!(!found[0]
            .iter()
            .any(|m| m.starts_with("missing") || m == "string on array"));
    }
}

/// `regorus::Value::field` and `Object::get_str` (vendored, vendor/README.md) find
/// what a lookup by `Value` finds, in objects built both ways regorus stores them
/// (sorted and frozen, or a `BTreeMap`), of every size around the scan/binary-search
/// boundary, with keys of every type.
/// `Value::object_from_entries` (vendored change 11) against inserting the same
/// entries one by one: any order, duplicate keys (the later one wins), keys of
/// every type; the result is then looked up, compared and iterated as usual.
#[test]
fn regorus_objects_from_entries_equal_objects_built_by_insertion() {
    let keys: Vec<Value> = vec![
        Value::from("metadata"),
        Value::from("name"),
        Value::from("names"),
        Value::from(""),
        Value::from("é"),
        Value::from("a"),
        Value::from(3u64),
        Value::Bool(true),
        Value::Null,
        Value::from_json_str(r#"["k"]"#).unwrap(),
    ];
    let mut seed = 99u64;
    for round in 0..400 {
        let mut entries = Vec::new();
        let count = round % 24;
        for i in 0..count {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = keys[(seed >> 33) as usize % keys.len()].clone();
            entries.push((key, Value::from(i as u64)));
        }
        let mut inserted = Value::new_object();
        for (k, v) in &entries {
            inserted
                .as_object_mut()
                .unwrap()
                .insert(k.clone(), v.clone());
        }
        let built = Value::object_from_entries(entries.clone());
        assert_eq!(built, inserted, "round {round}: {entries:?}");
        assert_eq!(
            built.to_json_str().unwrap(),
            inserted.to_json_str().unwrap()
        );
        for key in &keys {
            assert_eq!(built[key], inserted[key], "round {round}: {key}");
            if let Value::String(name) = key {
                assert_eq!(built.field(name), inserted.field(name), "round {round}");
            }
        }
    }
}

#[test]
fn regorus_lookups_by_str_find_what_lookups_by_value_find() {
    let strings = [
        "",
        "a",
        "ab",
        "abc",
        "b",
        "ba",
        "é",
        "z",
        "name",
        "names",
        "namespace",
        "k1",
        "k10",
        "k2",
        "spec",
        "\u{0}",
        "zz",
    ];
    let mut all: Vec<Value> = vec![
        Value::Null,
        Value::Bool(false),
        Value::Bool(true),
        Value::from(0u64),
        Value::from(7u64),
        Value::from_json_str(r#"["k"]"#).unwrap(),
        Value::from_json_str(r#"{"k": 1}"#).unwrap(),
        Value::Undefined,
    ];
    all.extend(strings.iter().map(|s| Value::from(*s)));
    let probes = [
        "",
        "a",
        "ab",
        "abd",
        "nam",
        "names",
        "namespaces",
        "k1",
        "z",
        "zz",
        "zzz",
        "é",
    ];
    let mut seed = 12345u64;
    for round in 0..400 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let size = (seed >> 33) as usize % (all.len() + 1);
        let chosen: Vec<&Value> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| (seed >> (i % 32)) & 1 == 1 || *i < size.min(4))
            .map(|(_, v)| v)
            .take(size)
            .collect();
        let entries: std::collections::BTreeMap<Value, Value> = chosen
            .iter()
            .enumerate()
            .map(|(i, k)| ((*k).clone(), Value::from(i as u64)))
            .collect();
        let frozen = Value::from(entries.clone());
        let built = built_by_inserts(&entries);
        for object in [&frozen, &built] {
            let Value::Object(map) = object else {
                panic!("not an object")
            };
            for probe in probes.iter().chain(strings.iter()) {
                let by_value = map.get(&Value::from(*probe));
                assert_eq!(
                    map.get_str(probe),
                    by_value,
                    "round {round}: {probe:?} in {object}"
                );
                assert_eq!(
                    object.field(probe),
                    by_value.unwrap_or(&Value::Undefined),
                    "round {round}: {probe:?}"
                );
                assert_eq!(
                    object.field(probe),
                    &object[*probe],
                    "round {round}: {probe:?}"
                );
            }
        }
    }
    let set = Value::from_json_str(r#"["x", "y"]"#).unwrap();
    let set = Value::from(
        set.as_array()
            .unwrap()
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
    );
    assert_eq!(set.field("x"), &Value::from("x"));
    assert_eq!(set.field("z"), &Value::Undefined);
    assert_eq!(Value::Null.field("x"), &Value::Undefined);
    assert_eq!(Value::from("x").field("x"), &Value::Undefined);
}

/// The vendored `Object::get_str` scans frozen objects of up to 32 keys, comparing
/// keys of up to 16 bytes by two overlapping loads each instead of `memcmp`, and
/// binary-searches larger ones (changes 9, 15 and 17 in vendor/README.md): on
/// objects of every size around those bounds, with string keys of every length
/// from 0 to 40 bytes that differ from the key looked up in one byte only (each
/// position in turn) or in their length, and keys of other types, it finds what
/// `get(&Value)` finds, in both storages.
#[test]
fn regorus_lookups_by_str_compare_every_byte_of_every_key_length() {
    let base: Vec<u8> = (0..40u8).map(|i| b'a' + (i % 26)).collect();
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
    for len in 0..=40usize {
        let key = text(&base[..len]);
        // Same length, one byte different (every position), and one shorter and
        // one longer key sharing the prefix.
        let mut near: Vec<String> = (0..len)
            .map(|at| {
                let mut bytes = base[..len].to_vec();
                bytes[at] = b'Z';
                text(&bytes)
            })
            .collect();
        if len > 0 {
            near.push(text(&base[..len - 1]));
        }
        near.push(text(&base[..(len + 1).min(40)]));
        near.retain(|k| *k != key);
        for size in [0usize, 1, 2, 7, 8, 9, 16, 31, 32, 33, 40, 64] {
            for with_key in [false, true] {
                let mut entries: Vec<(Value, Value)> = near
                    .iter()
                    .cycle()
                    .take(size.min(near.len()))
                    .enumerate()
                    .map(|(i, k)| (Value::from(k.as_str()), Value::from(i as u64)))
                    .collect();
                // Fill up to `size` with keys of other lengths and types.
                let mut filler = 0u64;
                while entries.len() < size {
                    entries.push(match filler % 3 {
                        0 => (Value::from(format!("f{filler:03}").as_str()), Value::Null),
                        1 => (Value::from(filler), Value::Bool(true)),
                        _ => (Value::from(format!("{filler:0>20}").as_str()), Value::Null),
                    });
                    filler += 1;
                }
                if with_key {
                    entries.push((Value::from(key.as_str()), Value::from("found")));
                }
                let frozen = Value::object_from_entries(entries.clone());
                let built = built_by_inserts(entries.iter().map(|(k, v)| (k, v)));
                for object in [&frozen, &built] {
                    let Value::Object(map) = object else {
                        panic!("not an object")
                    };
                    for probe in near.iter().chain(std::iter::once(&key)) {
                        let by_value = map.get(&Value::from(probe.as_str()));
                        assert_eq!(
                            map.get_str(probe),
                            by_value,
                            "{probe:?} in an object of {} keys",
                            entries.len()
                        );
                    }
                    let expected = with_key.then(|| Value::from("found"));
                    assert_eq!(map.get_str(&key).cloned(), expected, "{key:?}");
                }
            }
        }
    }
}

/// regorus 0.14.1's VM bound `x := <undefined>` and went on, so that a later
/// `not x.field` held (vendor/README.md): the patched VM fails the body there, as
/// the interpreter does. cross-product-image reported images of every pod without
/// a tenancy config this way.
/// The vendored `sprintf` copies the text between verbs a run at a time (change 14
/// in vendor/README.md): the same messages as character by character, with
/// multi-byte text, `%%`, widths and every kind of argument, on the VM and the
/// interpreter (which share the builtin: the expected texts are Go's `fmt`).
#[test]
fn regorus_sprintf_copies_the_text_between_verbs() {
    let rule = r#"package blastwall.rules.sprintf_text
metadata := {"id": "sprintf-text", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
deny contains {"msg": sprintf(input.review.object.format, input.review.object.args)} if input.review.object
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "sprintf.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    let cases: [(&str, Json, Option<&str>); 12] = [
        (
            "no verbs at all — ok",
            json!([]),
            Some("no verbs at all — ok"),
        ),
        ("%s", json!(["x"]), Some("x")),
        ("%s%s%s", json!(["a", "b", "c"]), Some("abc")),
        (
            "héllo %s → %d ✓",
            json!(["wörld", 5]),
            Some("héllo wörld → 5 ✓"),
        ),
        ("100%% sure: %s", json!(["ok"]), Some("100% sure: ok")),
        ("%d%%", json!([7]), Some("7%")),
        (
            "[%5d|%05d|%10d]",
            json!([42, 42, 42]),
            Some("[   42|00042|        42]"),
        ),
        (
            "%v %v %v %v",
            json!([null, true, [1, "b"], {"k": "v"}]),
            Some(r#"null true [1, "b"] {"k": "v"}"#),
        ),
        (
            "text after the last verb %s: ünïcödé %%",
            json!(["x"]),
            Some("text after the last verb x: ünïcödé %"),
        ),
        ("a %s and a %s", json!(["one"]), None),
        ("one %s", json!(["a", "b"]), None),
        ("ends in %", json!([]), None),
    ];
    for (format, args, expected) in cases {
        let object = to_value(&json!({"kind": "X", "format": format, "args": args}));
        let input = review::input(review::create(object), Value::new_object());
        for evaluator in [Evaluator::Compiled, Evaluator::Interpreter] {
            engine.set_evaluator(evaluator);
            let hits = engine.evaluate(input.clone()).unwrap();
            let messages: Vec<&str> = hits.iter().map(|h| h.message.as_str()).collect();
            let expected: Vec<&str> = expected.into_iter().collect();
            assert_eq!(messages, expected, "{evaluator:?} on {format:?}");
        }
    }
}

/// The VM builds an object literal from its template's entries into the compact
/// storage (change 16 in vendor/README.md): constant and variable values, variable
/// keys before, between and after the constant ones, nested literals, an empty one,
/// and objects gathered into a set (findings), as the interpreter does. (A variable
/// key equal to a constant one is left out: there the VM keeps the variable's value
/// and the interpreter the constant's, before this change as after it.)
#[test]
fn the_vm_builds_object_literals_as_the_interpreter_does() {
    let rule = r#"package blastwall.rules.object_literals
metadata := {"id": "object-literals", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
objects contains {"b": x, "a": 1, "c": {"n": x, "m": []}} if some x in input.review.object.xs
objects contains {k: x, "m": "const", "n": k} if some k, x in input.review.object.kv
objects contains {"z": x, "a": x} if some x in input.review.object.xs
objects contains {} if input.review.object.empty
deny contains {"msg": sprintf("%v", [o]), "o": o} if some o in objects
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "objects.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    for object in [
        json!({"kind": "X", "xs": [], "kv": {}}),
        json!({"kind": "X", "xs": [1, "one", 1, null], "kv": {"a": 1, "zz": 3, "": 4}, "empty": true}),
        json!({"kind": "X", "xs": [{"k": [1]}, true], "kv": {"q": "x", "b": [1, 2]}}),
    ] {
        let input = review::input(review::create(to_value(&object)), Value::new_object());
        let found = sorted_messages_by_both(&mut engine, &input);
        assert_eq!(found[0], found[1], "on {object}");
        assert!(
            !found[0].is_empty() || object["xs"] == json!([]),
            "on {object}"
        );
    }
}

/// Objects compare as the sequences of their sorted entries (`Value::Ord`): two
/// objects of the compact storage compare their entries as slices, strings inline
/// (change 15 in vendor/README.md); the same objects built by insertion (the other
/// storage) compare through regorus's own iterators. Both orders must agree, on
/// generated objects with keys and values of every type, shared and distinct equal
/// strings, prefixes and nested objects.
#[test]
fn regorus_objects_compare_as_their_sorted_entries() {
    let shared = Value::from("name");
    let pool: Vec<Value> = vec![
        shared.clone(),
        shared.clone(),
        Value::from("name"),
        Value::from("names"),
        Value::from("nam"),
        Value::from(""),
        Value::from("é"),
        Value::from("z"),
        Value::from(3u64),
        Value::from(2.5f64),
        Value::Bool(false),
        Value::Null,
        Value::from_json_str(r#"["k"]"#).unwrap(),
        Value::from_json_str(r#"{"a": "x", "b": 1}"#).unwrap(),
        Value::from_json_str(r#"{"a": "y"}"#).unwrap(),
    ];
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut built = Vec::new();
    let mut inserted = Vec::new();
    for round in 0..120 {
        let mut entries = Vec::new();
        for _ in 0..round % 7 {
            entries.push((
                pool[next(pool.len())].clone(),
                pool[next(pool.len())].clone(),
            ));
        }
        let mut object = Value::new_object();
        for (k, v) in &entries {
            object.as_object_mut().unwrap().insert(k.clone(), v.clone());
        }
        built.push(Value::object_from_entries(entries));
        inserted.push(object);
    }
    let entries = |v: &Value| -> Vec<(Value, Value)> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    for i in 0..built.len() {
        for j in 0..built.len() {
            let expected = entries(&built[i]).cmp(&entries(&built[j]));
            assert_eq!(
                built[i].cmp(&built[j]),
                expected,
                "{} vs {}",
                built[i],
                built[j]
            );
            assert_eq!(inserted[i].cmp(&inserted[j]), expected);
            assert_eq!(built[i].cmp(&inserted[j]), expected);
            assert_eq!(built[i] == built[j], expected.is_eq());
        }
    }
}

#[test]
fn the_vm_fails_a_body_that_assigns_an_undefined_value() {
    let rule = r#"package blastwall.rules.assign_undefined
metadata := {"id": "assign-undefined", "title": "t", "severity": "error", "category": "test",
  "description": "d", "remediation": "r"}
deny contains {"msg": "unowned"} if {
    some c in input.review.object.containers
    info := input.facts.owners[c.image]
    not info.product
}
"#;
    let mut engine = Engine::from_sources(vec![RuleSource {
        name: "assign.rego".into(),
        text: rule.into(),
    }])
    .unwrap();
    let object =
        Value::from_json_str(r#"{"kind": "Pod", "containers": [{"image": "x"}]}"#).unwrap();
    for (facts, expected) in [("{}", 0), (r#"{"owners": {"x": {}}}"#, 1)] {
        let input = review::input(
            review::create(object.clone()),
            Value::from_json_str(facts).unwrap(),
        );
        for evaluator in [Evaluator::Compiled, Evaluator::Interpreter] {
            engine.set_evaluator(evaluator);
            let hits = engine.evaluate(input.clone()).unwrap();
            assert_eq!(hits.len(), expected, "{evaluator:?} with facts {facts}");
        }
    }
}

#[test]
fn every_fixture_case_finds_the_same_compiled_and_interpreted() {
    let run = |evaluator| {
        runner::run(
            &[],
            Options {
                coverage: false,
                evaluator,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let compiled = run(Evaluator::Compiled);
    let interpreted = run(Evaluator::Interpreter);
    assert_eq!(compiled.results.len(), interpreted.results.len());
    let mut findings = 0;
    for (c, i) in compiled.results.iter().zip(&interpreted.results) {
        assert_eq!(c.location, i.location);
        assert_eq!(c.findings, i.findings, "{} ({})", c.name, c.location);
        assert_eq!(c.passed, i.passed, "{} ({})", c.name, c.location);
        findings += c.findings.len();
    }
    assert!(findings > 100, "only {findings} findings");
}

struct Setup {
    engine: Engine,
    ctx: Context,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let config =
            blastwall::config::load(&root().join("fixtures/tenancy/blastwall.yaml")).unwrap();
        let mut engine = Engine::builtin().unwrap();
        engine.set_config(config.to_value()).unwrap();
        let roles = blastwall::source::load::load_str(
            "roles.yaml",
            ROLES.to_string(),
            &blastwall::source::Limits::default(),
        );
        let ctx = Context {
            tenancy: Some(std::sync::Arc::new(Tenancy::new(config))),
            roles: Some(std::sync::Arc::new(blastwall::facts::rbac::Roles::new(
                &roles.documents,
                &roles.files,
            ))),
            ..Context::default()
        };
        Setup { engine, ctx }
    })
}

/// Both evaluators on one review: the same hits, or both an error.
fn same_findings(review: Value) -> Result<(), TestCaseError> {
    let s = setup();
    let input = review::input(review.clone(), facts::compute(&review, &s.ctx));
    let compiled = s.engine.evaluate_with(input.clone(), Via::Compiled);
    let interpreted = s.engine.evaluate_with(input, Via::Interpreted);
    // Facts computed as far as the reached rules read them: the same hits.
    let lazy = s
        .engine
        .evaluate_review(&review, &facts::Lazy::new(&review, &s.ctx, None));
    match (&compiled, lazy) {
        (Ok(c), Ok(l)) => prop_assert_eq!(
            sorted(c.clone()),
            sorted(l),
            "every fact vs the facts read: {}",
            review.to_json_str().unwrap_or_default()
        ),
        (Err(_), Err(_)) => {}
        (c, l) => prop_assert!(
            false,
            "with every fact {:?} but with the facts read {:?} on {}",
            c,
            l,
            review.to_json_str().unwrap_or_default()
        ),
    }
    match (compiled, interpreted) {
        (Ok(c), Ok(i)) => prop_assert_eq!(
            sorted(c),
            sorted(i),
            "{}",
            review.to_json_str().unwrap_or_default()
        ),
        (Err(_), Err(_)) => {}
        (c, i) => prop_assert!(
            false,
            "compiled {:?} but interpreted {:?} on {}",
            c,
            i,
            review.to_json_str().unwrap_or_default()
        ),
    }
    Ok(())
}

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &[T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items.to_vec())
}

fn maybe(value: impl Strategy<Value = Json>) -> impl Strategy<Value = Option<Json>> {
    proptest::option::of(value)
}

fn security_context() -> impl Strategy<Value = Json> {
    (
        maybe(pick(&[json!(true), json!(false), json!("yes"), Json::Null])),
        maybe(pick(&[json!(true), json!(false), Json::Null])),
        maybe(pick(&[json!(0), json!(1000), Json::Null, json!("0")])),
        maybe(pick(&[json!(true), json!(false), Json::Null])),
        maybe(pick(&[
            json!({"add": ["NET_ADMIN", "CHOWN"]}),
            json!({"add": ["cap_sys_admin"], "drop": ["ALL"]}),
            json!({"drop": ["ALL"]}),
            json!({"add": "ALL"}),
        ])),
    )
        .prop_map(|(privileged, ape, uid, non_root, caps)| {
            let mut sc = serde_json::Map::new();
            for (k, v) in [
                ("privileged", privileged),
                ("allowPrivilegeEscalation", ape),
                ("runAsUser", uid),
                ("runAsNonRoot", non_root),
                ("capabilities", caps),
            ] {
                if let Some(v) = v {
                    sc.insert(k.into(), v);
                }
            }
            Json::Object(sc)
        })
}

fn container() -> impl Strategy<Value = Json> {
    (
        maybe(pick(&[json!("app"), json!("sidecar"), json!(5)])),
        maybe(pick(&[
            json!("nginx"),
            json!("nginx:latest"),
            json!("registry:5000/team/app"),
            json!("111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:1.2"),
            json!("222233334444.dkr.ecr.ap-northeast-1.amazonaws.com/billing/api:3@sha256:ab"),
            json!(""),
        ])),
        maybe(security_context()),
        maybe(pick(&[
            json!([{"containerPort": 80, "hostPort": 80}]),
            json!([{"containerPort": 80}]),
            json!("x"),
        ])),
        maybe(pick(&[
            json!({"limits": {"cpu": "1", "memory": "1Gi"}}),
            json!({"limits": {"memory": "1Gi"}}),
            json!({"requests": {"cpu": "1"}}),
        ])),
        maybe(pick(&[
            json!([{"name": "host", "mountPath": "/host"}]),
            json!([{"name": "tmp", "mountPath": "/tmp"}]),
        ])),
    )
        .prop_map(|(name, image, sc, ports, resources, mounts)| {
            let mut c = serde_json::Map::new();
            for (k, v) in [
                ("name", name),
                ("image", image),
                ("securityContext", sc),
                ("ports", ports),
                ("resources", resources),
                ("volumeMounts", mounts),
            ] {
                if let Some(v) = v {
                    c.insert(k.into(), v);
                }
            }
            Json::Object(c)
        })
}

fn pod_spec() -> impl Strategy<Value = Json> {
    (
        proptest::collection::vec(container(), 0..3),
        proptest::collection::vec(container(), 0..2),
        maybe(security_context()),
        maybe(pick(&[json!(true), json!(false)])),
        maybe(pick(&[
            json!([{"name": "host", "hostPath": {"path": "/var/run"}}]),
            json!([{"name": "tmp", "emptyDir": {}}]),
        ])),
        maybe(pick(&[
            json!({"blastwall.dev/product": "billing"}),
            json!({"blastwall.dev/product": "payroll"}),
        ])),
        maybe(pick(&[
            json!({"name": "windows"}),
            json!({"name": "linux"}),
        ])),
    )
        .prop_map(|(containers, init, sc, host_net, volumes, selector, os)| {
            let mut spec = serde_json::Map::new();
            spec.insert("containers".into(), Json::Array(containers));
            if !init.is_empty() {
                spec.insert("initContainers".into(), Json::Array(init));
            }
            for (k, v) in [
                ("securityContext", sc),
                ("hostNetwork", host_net),
                ("volumes", volumes),
                ("nodeSelector", selector),
                ("os", os),
            ] {
                if let Some(v) = v {
                    spec.insert(k.into(), v);
                }
            }
            Json::Object(spec)
        })
}

fn metadata() -> impl Strategy<Value = Json> {
    (
        pick(&["app", "aws-auth", "blastwall-webhook"]),
        maybe(pick(&[
            json!("payroll-api"),
            json!("billing"),
            json!("kube-system"),
            json!("scratch"),
        ])),
    )
        .prop_map(|(name, ns)| match ns {
            Some(ns) => json!({"name": name, "namespace": ns}),
            None => json!({"name": name}),
        })
}

fn workload() -> impl Strategy<Value = Json> {
    (
        pick(&["Pod", "Deployment", "CronJob", "Job", "PodTemplate"]),
        metadata(),
        pod_spec(),
    )
        .prop_map(|(kind, meta, spec)| match kind {
            "Pod" => json!({"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}),
            "CronJob" => json!({"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
                "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}),
            "PodTemplate" => {
                json!({"apiVersion": "v1", "kind": kind, "metadata": meta, "template": {"spec": spec}})
            }
            _ => json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
                "spec": {"template": {"spec": spec}}}),
        })
}

fn rbac() -> impl Strategy<Value = Json> {
    let rule = (
        proptest::collection::vec(
            pick(&[
                "get",
                "list",
                "watch",
                "create",
                "update",
                "patch",
                "delete",
                "*",
                "escalate",
                "bind",
                "impersonate",
            ]),
            0..4,
        ),
        proptest::collection::vec(
            pick(&[
                "configmaps",
                "secrets",
                "pods",
                "pods/exec",
                "*",
                "*/scale",
                "roles",
                "clusterroles",
                "rolebindings",
                "users",
                "groups",
                "serviceaccounts",
                "widgets",
            ]),
            0..3,
        ),
        proptest::collection::vec(
            pick(&[
                "",
                "rbac.authorization.k8s.io",
                "*",
                "apps",
                "crd.projectcalico.org",
                "metrics.k8s.io",
            ]),
            0..2,
        ),
        maybe(pick(&[json!(["aws-auth"]), json!(["other"])])),
        maybe(pick(&[json!(["*"]), json!(["/healthz"])])),
    )
        .prop_map(|(verbs, resources, groups, names, urls)| {
            let mut r = json!({"verbs": verbs, "resources": resources, "apiGroups": groups});
            if let Some(names) = names {
                r["resourceNames"] = names;
            }
            if let Some(urls) = urls {
                r["nonResourceURLs"] = urls;
            }
            r
        });
    let subject = pick(&[
        json!({"kind": "Group", "name": "system:masters"}),
        json!({"kind": "Group", "name": "system:authenticated"}),
        json!({"kind": "User", "name": "system:anonymous"}),
        json!({"kind": "Group", "name": "system:anonymous"}),
        json!({"kind": "Group", "name": "billing:devs"}),
        json!({"kind": "User", "name": "alice"}),
        json!({"kind": "ServiceAccount", "name": "deployer", "namespace": "billing"}),
    ]);
    (
        pick(&["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]),
        metadata(),
        proptest::collection::vec(rule, 0..3),
        proptest::collection::vec(subject, 0..3),
        pick(&[
            ("ClusterRole", "cluster-admin"),
            ("ClusterRole", "edit"),
            ("ClusterRole", "view"),
            // Defined in the generated reviews' context (ROLES below).
            ("ClusterRole", "god"),
            ("ClusterRole", "aggregated"),
            ("Role", "ops"),
            ("Role", "reader"),
        ]),
    )
        .prop_map(|(kind, meta, rules, subjects, (role_kind, role))| {
            let api = "rbac.authorization.k8s.io/v1";
            if kind.ends_with("Binding") {
                json!({"apiVersion": api, "kind": kind, "metadata": meta, "subjects": subjects,
                    "roleRef": {"kind": role_kind, "name": role, "apiGroup": "rbac.authorization.k8s.io"}})
            } else {
                json!({"apiVersion": api, "kind": kind, "metadata": meta, "rules": rules})
            }
        })
}

/// The roles the generated bindings may refer to, as if linted in the same run.
const ROLES: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregated}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {tier: admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: writer, labels: {tier: admin}}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: [create, update, patch, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ops, namespace: billing}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: billing}
rules:
- {apiGroups: [''], resources: [pods], verbs: [get]}
";

fn aws_auth() -> impl Strategy<Value = Json> {
    let role = (
        pick(&[
            "arn:aws:iam::111122223333:role/payroll-dev",
            "arn:aws:iam::111122223333:role/sre-admin",
            "arn:aws:iam::111122223333:role/eks-node-payroll",
            "arn:aws:iam::111122223333:role/path/x",
            "not-an-arn",
        ]),
        pick(&[
            "payroll:{{SessionName}}",
            "admin",
            "system:node:{{EC2PrivateDNSName}}",
            "",
        ]),
        proptest::collection::vec(
            pick(&[
                "system:masters",
                "payroll:devs",
                "billing:devs",
                "system:nodes",
                "sre:admin",
            ]),
            0..3,
        ),
    )
        .prop_map(|(arn, user, groups)| {
            let mut text = format!("- rolearn: {arn}\n");
            if !user.is_empty() {
                text.push_str(&format!("  username: \"{user}\"\n"));
            }
            if !groups.is_empty() {
                text.push_str("  groups:\n");
                for g in groups {
                    text.push_str(&format!("    - {g}\n"));
                }
            }
            text
        });
    (
        proptest::collection::vec(role, 0..4),
        maybe(pick(&[
            json!("- userarn: arn:aws:iam::111122223333:user/alice\n  groups: [system:masters]\n"),
            json!("- userarn: arn:aws:iam::111122223333:root\n"),
        ])),
        maybe(pick(&[json!("kube-system"), json!("default")])),
    )
        .prop_map(|(roles, users, ns)| {
            let mut meta = json!({"name": "aws-auth"});
            if let Some(ns) = ns {
                meta["namespace"] = ns;
            }
            let mut data = json!({"mapRoles": roles.concat()});
            if let Some(users) = users {
                data["mapUsers"] = users;
            }
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})
        })
}

fn object() -> impl Strategy<Value = Json> {
    prop_oneof![
        2 => workload(),
        3 => rbac(),
        2 => aws_auth(),
        1 => Just(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "billing"}, "data": {"a": "b"}})
        ),
        1 => Just(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "payroll-api"}, "spec": {"type": "LoadBalancer"}})
        ),
        1 => Just(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "billing", "labels": {"blastwall.dev/product": "billing"}}})
        ),
    ]
}

fn requester() -> impl Strategy<Value = Requester> {
    pick(&[
        ("jane", vec!["payroll:developers"]),
        ("admin", vec!["sre:admin"]),
        ("system:node:ip-10-0-0-1", vec!["system:nodes"]),
        ("", vec![]),
    ])
    .prop_map(|(user, groups)| Requester {
        username: user.to_string(),
        groups: groups.into_iter().map(str::to_string).collect(),
    })
}

fn to_value(json: &Json) -> Value {
    Value::from_json_str(&json.to_string()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// Generated objects, created, updated from another (or the same) object of
    /// the same kind, and deleted: compiled and interpreted find the same.
    #[test]
    fn generated_reviews_find_the_same_compiled_and_interpreted(
        new in object(),
        other in object(),
        who in requester(),
        op in 0..4u8,
    ) {
        let old = if other["kind"] == new["kind"] { other } else { new.clone() };
        let review = match op {
            0 => review::build(Operation::Create, Some(to_value(&new)), None, &who),
            1 | 2 => review::build(Operation::Update, Some(to_value(&new)), Some(to_value(&old)), &who),
            _ => review::build(Operation::Delete, None, Some(to_value(&old)), &who),
        };
        same_findings(review)?;
    }
}

/// `entries` in an object built up by inserts: the storage that is not frozen.
fn built_by_inserts<'a>(entries: impl IntoIterator<Item = (&'a Value, &'a Value)>) -> Value {
    let mut built = Value::new_object();
    for (k, v) in entries {
        built.as_object_mut().unwrap().insert(k.clone(), v.clone());
    }
    built
}

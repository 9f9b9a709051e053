//! Secret values out of the source text that reports quote: the human format prints
//! the lines around each finding, and a finding in a Secret (a duplicate key under
//! `data`, say) would otherwise print the value beside it.

use regorus::Value;

use super::{Children, Loaded, PathSeg, SpanNode};

/// Overwrites, in each file's text, the values of `data` and `stringData` of every
/// Secret document with `*`, byte for byte: offsets, lines and spans stay valid; and
/// every value of a Secret document that could not be parsed (see
/// [`unreadable_secrets`]). Call it after linting and before reporting.
pub fn secret_values(loaded: &mut Loaded) {
    unreadable_secrets(loaded);
    let mut ranges: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for doc in &loaded.documents {
        if doc.value["kind"] != Value::from("Secret") {
            continue;
        }
        for field in ["data", "stringData"] {
            let Some(node) = doc.spans.child(&PathSeg::Key(field.into())) else {
                continue;
            };
            let Children::Map(entries) = &node.children else {
                continue;
            };
            // Every entry, duplicates included; every scalar under it.
            let mut stack: Vec<&SpanNode> = entries.iter().map(|(_, n)| n).collect();
            while let Some(n) = stack.pop() {
                match &n.children {
                    Children::Leaf | Children::Embedded(_) => {
                        ranges.push((doc.file.0, n.span.clone()))
                    }
                    Children::Seq(items) => stack.extend(items.iter()),
                    Children::Map(entries) => stack.extend(entries.iter().map(|(_, n)| n)),
                }
            }
        }
    }
    for (file, range) in ranges {
        let Some(file) = loaded.files.get_mut(file) else {
            continue;
        };
        mask(&mut file.text, range);
    }
}

/// A syntax error's snippet quotes the lines around it, and in a Secret those may
/// hold its values. A document that could not be parsed has no tree to find its
/// `data` in, so when its text declares `kind: Secret` (YAML or JSON) everything
/// after the first `:` of each of its lines, and every line without one (block
/// scalar text, list items), is masked. Keys stay, so the snippet still shows where.
fn unreadable_secrets(loaded: &mut Loaded) {
    // Per file, the offsets of its problems: one pass over each file, however many.
    let mut offsets: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for p in &loaded.problems {
        if let (Some(file), Some(span)) = (p.file, p.span.as_ref()) {
            offsets.entry(file.0).or_default().push(span.start);
        }
    }
    for (file, offsets) in offsets {
        let Some(file) = loaded.files.get_mut(file) else {
            continue;
        };
        if !file.text.contains("Secret") {
            continue;
        }
        let documents = documents(&file.text);
        let broken: std::collections::BTreeSet<usize> = offsets
            .iter()
            .map(|&o| documents.partition_point(|d| d.end <= o))
            .collect();
        for range in broken.into_iter().filter_map(|i| documents.get(i).cloned()) {
            let Some(text) = file.text.get(range.clone()) else {
                continue;
            };
            if !text.lines().any(declares_secret) {
                continue;
            }
            let mut values = Vec::new();
            let mut at = range.start;
            for line in text.split_inclusive('\n') {
                // The value, after the key's colon (if any) and the blanks that follow.
                let value = line.find(':').map_or(0, |colon| colon + 1);
                let rest = &line[value..];
                let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                values.push(at + value + blanks..at + line.len());
                at += line.len();
            }
            for value in values {
                mask(&mut file.text, value);
            }
        }
    }
}

/// The byte ranges of the YAML documents of `text`, in order: what lies between
/// `---` lines, which belong to none.
fn documents(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut at) = (0, 0);
    for line in text.split_inclusive('\n') {
        at += line.len();
        if line.starts_with("---") {
            out.push(start..at - line.len());
            start = at;
        }
    }
    out.push(start..text.len());
    out
}

/// `kind: Secret`, `"kind": "Secret",` and the like, also inside a one-line JSON object.
fn declares_secret(line: &str) -> bool {
    let bare: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect();
    bare.match_indices("kind:Secret").any(|(i, m)| {
        let before = bare[..i].chars().last();
        let after = bare[i + m.len()..].chars().next();
        matches!(before, None | Some('{' | ',')) && matches!(after, None | Some(',' | '}'))
    })
}

/// Every byte of `range` but line breaks becomes `*`: same length, same lines.
fn mask(text: &mut String, range: std::ops::Range<usize>) {
    let Some(part) = text.get(range.clone()) else {
        return;
    };
    let masked: String = part
        .bytes()
        .map(|b| match b {
            b'\n' | b'\r' => b as char,
            _ => '*',
        })
        .collect();
    text.replace_range(range, &masked);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{load::load_str, Limits};

    #[test]
    fn values_of_a_secret_that_cannot_be_parsed_are_masked() {
        let text = "kind: ConfigMap\ndata: {a: visible}\n---\napiVersion: v1\nkind: Secret\ndata:\n  password: \"hunter2-open\n  key: |\n    block-secret\n  - list-secret\n---\nkind: Secret\nstringData: {parsed: fine}\n";
        let mut loaded = load_str("s.yaml", text.into(), &Limits::default());
        assert!(!loaded.problems.is_empty());
        secret_values(&mut loaded);
        let out = &loaded.files[0].text;
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        for secret in ["hunter2-open", "block-secret", "list-secret", "fine"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for kept in ["a: visible", "  password:", "kind:", "\n---\napiVersion:"] {
            assert!(out.contains(kept), "{kept} lost in {out}");
        }
    }

    #[test]
    fn secret_declarations_are_told_apart() {
        for yes in [
            "kind: Secret",
            "  \"kind\": \"Secret\",",
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{}}",
        ] {
            assert!(declares_secret(yes), "{yes}");
        }
        for no in ["kind: SecretStore", "secretKind: Secret", "# a Secret"] {
            assert!(!declares_secret(no), "{no}");
        }
    }

    #[test]
    fn secret_values_are_masked_in_place_and_nothing_else() {
        let text = "kind: ConfigMap\ndata: {a: visible}\n---\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: c2VjcmV0LXZhbHVl\n  k: c2VjcmV0LXZhbHVl\nstringData:\n  s: |\n    multi\n    line é\n  f: {x: [deep-secret]}\n";
        let mut loaded = load_str("s.yaml", text.into(), &Limits::default());
        secret_values(&mut loaded);
        let out = &loaded.files[0].text;
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        for secret in ["c2VjcmV0LXZhbHVl", "multi", "line é", "deep-secret"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for kept in ["visible", "metadata: {name: s}", "  k: ", "stringData:"] {
            assert!(out.contains(kept), "{kept} lost in {out}");
        }
    }
}

//! Secret values out of the source text that reports quote: the human format prints
//! the lines around each finding, and a finding in a Secret (a duplicate key under
//! `data`, say) would otherwise print the value beside it.

use regorus::Value;

use super::{Children, Loaded, PathSeg, SpanNode};

/// Overwrites, in each file's text, the values of `data` and `stringData` of every
/// Secret document with `*`, byte for byte: offsets, lines and spans stay valid.
/// Call it after linting and before reporting.
pub fn secret_values(loaded: &mut Loaded) {
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
        let Some(text) = file.text.get(range.clone()) else {
            continue;
        };
        // Same length in bytes; line breaks kept so lines do not move.
        let masked: String = text
            .bytes()
            .map(|b| match b {
                b'\n' | b'\r' => b as char,
                _ => '*',
            })
            .collect();
        file.text.replace_range(range, &masked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{load::load_str, Limits};

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

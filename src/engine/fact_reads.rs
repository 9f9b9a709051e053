//! Which facts (`input.facts.<name>`) each rule may read, told from the text of
//! its module and of the modules it refers to, so that a review computes only the
//! facts of the rules it reaches ([`crate::facts::Names`]).
//!
//! Conservative: a module that reads `input` or `input.facts` whole (`x := input`,
//! `input.facts[k]`, `import input`) reads every fact, and one that refers to `data`
//! in a way that names no package (`data[k]`) takes every module's reads along.
//! Strings and comments do not count.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::Names;

use super::RuleSource;

/// What one module's text refers to.
#[derive(Debug, Default, PartialEq, Eq)]
struct Module {
    /// `package` path, without `data.`.
    package: String,
    facts: Names,
    /// `data.` paths it refers to, without `data.`; `None`: any module.
    refs: Option<BTreeSet<String>>,
}

/// The facts each rule package of `packages` (short name → index of its module in
/// `sources`) may read, through its module and every module it refers to.
pub(super) fn by_package(
    sources: &[RuleSource],
    packages: &BTreeMap<String, usize>,
) -> BTreeMap<String, Names> {
    let modules: Vec<Module> = sources.iter().map(|s| scan(&s.text)).collect();
    let graph = Graph::new(&modules);
    let rules = &super::RULES_PACKAGE["data.".len()..];
    packages
        .keys()
        .map(|short| {
            let start = graph.targets(&format!("{rules}{short}"));
            (short.clone(), graph.reads_from(&modules, start))
        })
        .collect()
}

/// Which modules each module refers to.
struct Graph<'a> {
    /// Package → its modules.
    packages: BTreeMap<&'a str, Vec<usize>>,
    /// Module → the modules it refers to.
    edges: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(modules: &'a [Module]) -> Graph<'a> {
        let mut packages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, m) in modules.iter().enumerate() {
            packages.entry(m.package.as_str()).or_default().push(i);
        }
        let mut graph = Graph {
            packages,
            edges: Vec::with_capacity(modules.len()),
        };
        for m in modules {
            let mut edges: Vec<usize> = match &m.refs {
                None => (0..modules.len()).collect(),
                Some(refs) => refs.iter().flat_map(|r| graph.targets(r)).collect(),
            };
            edges.sort_unstable();
            edges.dedup();
            graph.edges.push(edges);
        }
        graph
    }

    /// The modules whose package `reference` names, is under, or holds.
    fn targets(&self, reference: &str) -> Vec<usize> {
        let mut out = Vec::new();
        // The package itself, or one that holds it.
        let ends = reference
            .match_indices('.')
            .map(|(at, _)| at)
            .chain([reference.len()]);
        for end in ends {
            if let Some(modules) = self.packages.get(&reference[..end]) {
                out.extend_from_slice(modules);
            }
        }
        // Packages under it.
        let under = format!("{reference}.");
        for (package, modules) in self.packages.range(under.as_str()..) {
            if !package.starts_with(&under) {
                break;
            }
            out.extend_from_slice(modules);
        }
        out
    }

    /// The facts read by `start` and every module they refer to in turn.
    fn reads_from(&self, modules: &[Module], start: Vec<usize>) -> Names {
        let mut seen = vec![false; modules.len()];
        let mut pending = start;
        let mut facts = Names::NONE;
        while let Some(i) = pending.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            facts = facts.union(modules[i].facts);
            pending.extend(self.edges[i].iter().filter(|&&j| !seen[j]));
        }
        facts
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The identifier at `at` (which starts one).
fn ident(bytes: &[u8], at: usize) -> &[u8] {
    let end = bytes[at..]
        .iter()
        .position(|&b| !is_ident(b))
        .map_or(bytes.len(), |n| at + n);
    &bytes[at..end]
}

/// `.a.b.c` from `at`: the names, and the index after them.
fn dotted(bytes: &[u8], mut at: usize) -> (Vec<&[u8]>, usize) {
    let mut names = Vec::new();
    while bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(|&b| is_ident_start(b)) {
        let name = ident(bytes, at + 1);
        at += 1 + name.len();
        names.push(name);
    }
    (names, at)
}

/// The package, fact reads and `data` references of one module's text.
fn scan(text: &str) -> Module {
    let bytes = text.as_bytes();
    let mut module = Module {
        refs: Some(BTreeSet::new()),
        ..Module::default()
    };
    let mut package_seen = false;
    let mut at = 0;
    // Only comments, strings and words that start with i, d or p matter: jump
    // from one such byte to the next.
    let interesting = |c: &u8| matches!(c, b'#' | b'"' | b'`' | b'i' | b'd' | b'p');
    while let Some(n) = bytes[at..].iter().position(interesting) {
        at += n;
        let b = bytes[at];
        match b {
            b'#' => {
                at = bytes[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| at + n);
            }
            b'"' => {
                at += 1;
                while let Some(n) = bytes[at..].iter().position(|&c| c == b'"' || c == b'\\') {
                    at += n;
                    if bytes[at] == b'"' {
                        break;
                    }
                    at += 2;
                    if at >= bytes.len() {
                        break;
                    }
                }
                at = (at + 1).min(bytes.len());
            }
            b'`' => {
                at = bytes[at + 1..]
                    .iter()
                    .position(|&c| c == b'`')
                    .map_or(bytes.len(), |n| at + 1 + n + 1);
            }
            _ => {
                // A word of its own, not the end of a longer one or a field (`x.input`).
                if at > 0 && (is_ident(bytes[at - 1]) || bytes[at - 1] == b'.') {
                    at += 1;
                    continue;
                }
                let word = ident(bytes, at);
                let after = at + word.len();
                match word {
                    b"input" => {
                        let (names, _) = dotted(bytes, after);
                        match names.as_slice() {
                            [review, ..] if *review == b"review" => {}
                            [facts, name, ..] if *facts == b"facts" => {
                                let name = std::str::from_utf8(name).unwrap_or("");
                                module.facts = module.facts.union(Names::of(name));
                            }
                            // A field of input that is no fact, read by name.
                            [other, ..] if *other != b"facts" => {}
                            _ => module.facts = Names::ALL,
                        }
                    }
                    b"data" => {
                        let (names, _) = dotted(bytes, after);
                        if names.is_empty() {
                            module.refs = None;
                        } else if let Some(refs) = &mut module.refs {
                            let path: Vec<&str> = names
                                .iter()
                                .map(|n| std::str::from_utf8(n).unwrap_or(""))
                                .collect();
                            refs.insert(path.join("."));
                        }
                    }
                    b"package" if !package_seen => {
                        package_seen = true;
                        let mut start = after;
                        while bytes.get(start).is_some_and(|b| b.is_ascii_whitespace()) {
                            start += 1;
                        }
                        if bytes.get(start).is_some_and(|&b| is_ident_start(b)) {
                            let first = ident(bytes, start);
                            let (rest, end) = dotted(bytes, start + first.len());
                            let mut names = vec![first];
                            names.extend(rest);
                            let path: Vec<&str> = names
                                .iter()
                                .map(|n| std::str::from_utf8(n).unwrap_or(""))
                                .collect();
                            module.package = path.join(".");
                            at = end;
                            continue;
                        }
                    }
                    _ => {}
                }
                at = after;
            }
        }
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> RuleSource {
        RuleSource {
            name: "m.rego".into(),
            text: text.into(),
        }
    }

    fn reads(texts: &[&str]) -> BTreeMap<String, Vec<&'static str>> {
        let sources: Vec<RuleSource> = texts.iter().map(|t| source(t)).collect();
        let packages: BTreeMap<String, usize> = sources
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let package = scan(&s.text).package;
                let short = package.strip_prefix("blastwall.rules.")?.to_string();
                Some((short, i))
            })
            .collect();
        by_package(&sources, &packages)
            .into_iter()
            .map(|(short, names)| (short, names.iter().collect()))
            .collect()
    }

    #[test]
    fn a_rule_reads_its_own_facts_and_those_of_what_it_imports() {
        let r = reads(&[
            "package blastwall.lib.tenancy\n\ntarget := input.facts.tenancy.product\n",
            "package blastwall.lib.other\n\nx := input.facts.rbac\n",
            "package blastwall.rules.a\n\nimport data.blastwall.lib.tenancy as t\n\ndeny contains f if {\n\tinput.facts.workload.containers[_]\n\tt.target\n\tf := input.review.object\n}\n",
            "package blastwall.rules.b\n\n# input.facts.change, in a comment\nmetadata := {\"description\": \"the data of input.facts.awsAuth\"}\ndeny contains x if x := data.blastwall.rules.a.deny[_]\n",
        ]);
        assert_eq!(r["a"], ["workload", "tenancy"]);
        assert_eq!(r["b"], ["workload", "tenancy"]);
    }

    #[test]
    fn reads_that_cannot_be_told_read_every_fact() {
        for text in [
            "package blastwall.rules.a\nx := input",
            "package blastwall.rules.a\nx := input.facts",
            "package blastwall.rules.a\nx := input.facts[k]",
            "package blastwall.rules.a\nimport input\n",
            "package blastwall.rules.a\nx := data[k]",
        ] {
            let r = reads(&[
                "package blastwall.lib.x\ny := input.facts.change\nz := input.facts",
                text,
            ]);
            assert_eq!(r["a"].len(), crate::facts::NAMES.len(), "{text}");
        }
        // Broken text is read to its end without a panic.
        for text in [
            "x := \"abc",
            "x := \"a\\",
            "x := `abc",
            "# input",
            "input",
            "p",
            "\"\\",
        ] {
            scan(text);
        }
        // A field of input other than facts, or a string, reads none.
        let r = reads(&["package blastwall.rules.a\nx := input.parameters\ny := `input`\nmetadata := {\"input\": 1}\n"]);
        assert!(r["a"].is_empty());
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn builtin_rules_read_facts_that_can_be_told() {
        let sources = super::super::pack::builtin();
        let mut packages = BTreeMap::new();
        for (i, s) in sources.iter().enumerate() {
            if let Some(short) = scan(&s.text).package.strip_prefix("blastwall.rules.") {
                packages.insert(short.to_string(), i);
            }
        }
        let reads = by_package(&sources, &packages);
        let of = |short: &str| reads[short].iter().collect::<Vec<_>>();
        for (short, names) in &reads {
            assert_ne!(*names, Names::ALL, "{short} reads every fact");
        }
        assert_eq!(of("privileged_container"), ["workload"]);
        assert_eq!(of("unowned_namespace"), ["tenancy"]);
        assert!(of("manifest_missing_kind").is_empty());
        // Through the tenancy library: `t.target`.
        assert_eq!(
            of("cross_product_image"),
            ["workload", "awsAuth", "tenancy"]
        );
        assert_eq!(of("aws_auth_delete"), ["awsAuthOld", "change"]);
    }
}

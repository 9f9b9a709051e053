//! What each module refers to ([`Module`]: its package, the facts it reads, the
//! `data` paths it names), told from its text in one pass (`literal::refs`), and
//! from that which facts (`input.facts.<name>`) each rule may read, through its
//! module and the modules it refers to, so that a review computes only the facts of
//! the rules it reaches ([`crate::facts::Names`]). The class engines take the
//! modules each class loads from the same [`Module`]s.
//!
//! The built-in pack's modules were read by `build.rs` (a test holds that equal to
//! reading them now); other modules are read at start.
//!
//! Conservative: a module that reads `input` or `input.facts` whole (`x := input`,
//! `input.facts[k]`, `import input`) reads every fact, and one that refers to `data`
//! in a way that names no package (`data[k]`) takes every module's reads along.
//! Strings and comments do not count.
//!
//! `tenancy` is read by parts ([`crate::facts::tenancy::Parts`]): a module that
//! reads only `input.facts.tenancy.owners.images` and `input.facts.tenancy.product`
//! gets the owners of images and the base fields, not the owners of every string
//! of the object. A read is everything under the dotted path written
//! (`input.facts.tenancy.owners[k]` is every owners map; `input.facts.tenancy`
//! followed by anything but `.name`, as in `x := input.facts.tenancy`,
//! `object.get(input.facts.tenancy, …)` or `walk(input.facts.tenancy, …)`, is the
//! whole fact).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::facts::Names;

use super::literal::Refs;
use super::RuleSource;

/// What one module's text refers to.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Module {
    /// `package` path, without `data.`; empty when the text declares none.
    pub package: Cow<'static, str>,
    pub facts: Names,
    /// `data.` paths it refers to, without `data.`, sorted; `None`: any module.
    pub refs: Option<Vec<Cow<'static, str>>>,
}

impl Module {
    fn owned(refs: Refs) -> Module {
        Module {
            package: Cow::Owned(refs.package),
            facts: facts(refs.facts.as_deref()),
            refs: refs
                .data
                .map(|paths| paths.into_iter().map(Cow::Owned).collect()),
        }
    }

    fn built_in(refs: &super::pack::BuiltinRefs) -> Module {
        let &(package, facts_read, data) = refs;
        Module {
            package: Cow::Borrowed(package),
            facts: facts(facts_read),
            refs: data.map(|paths| paths.iter().map(|&p| Cow::Borrowed(p)).collect()),
        }
    }
}

fn facts<S: AsRef<str>>(names: Option<&[S]>) -> Names {
    match names {
        None => Names::ALL,
        Some(names) => names
            .iter()
            .fold(Names::NONE, |all, name| all.union(Names::of(name.as_ref()))),
    }
}

/// What each of `sources` refers to: a module of the built-in pack as `build.rs`
/// read it, any other read now.
pub(super) fn modules(sources: &[RuleSource]) -> Vec<Module> {
    let builtin = super::pack::builtin_refs();
    sources
        .iter()
        .enumerate()
        .map(|(i, source)| match builtin.get(i) {
            Some(refs) if super::pack::is_builtin_module(i, source) => Module::built_in(refs),
            _ => Module::owned(super::literal::refs(&source.text)),
        })
        .collect()
}

/// The facts each rule package of `packages` (short name → index of its module in
/// `modules`) may read, through its module and every module it refers to.
pub(super) fn by_package(
    modules: &[Module],
    packages: &BTreeMap<String, usize>,
) -> BTreeMap<String, Names> {
    let graph = Graph::new(modules);
    let rules = &super::RULES_PACKAGE["data.".len()..];
    packages
        .keys()
        .map(|short| {
            let start = graph.targets(&format!("{rules}{short}"));
            (short.clone(), graph.reads_from(modules, start))
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
            packages.entry(m.package.as_ref()).or_default().push(i);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> RuleSource {
        RuleSource {
            name: "m.rego".into(),
            text: text.into(),
        }
    }

    fn reads(texts: &[&str]) -> BTreeMap<String, Vec<String>> {
        let sources: Vec<RuleSource> = texts.iter().map(|t| source(t)).collect();
        let packages: BTreeMap<String, usize> = sources
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let package = super::super::literal::refs(&s.text).package;
                let short = package.strip_prefix("blastwall.rules.")?.to_string();
                Some((short, i))
            })
            .collect();
        by_package(&modules(&sources), &packages)
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
        assert_eq!(r["a"], ["workload", "tenancy.base"]);
        assert_eq!(r["b"], ["workload", "tenancy.base"]);
    }

    /// `tenancy` by parts: what is under the dotted path written, and the whole
    /// fact wherever the text reads it any other way.
    #[test]
    fn tenancy_is_read_by_parts_as_far_as_the_text_tells() {
        let read = |body: &str| {
            reads(&[&format!("package blastwall.rules.a\n{body}\n")])
                .remove("a")
                .unwrap_or_default()
        };
        let owners: Vec<String> = crate::facts::tenancy::PARTS
            .iter()
            .filter(|p| *p != &"awsAuth")
            .map(|p| format!("tenancy.{p}"))
            .collect();
        for (body, expected) in [
            (
                "x := input.facts.tenancy.owners.images[c]",
                vec!["tenancy.base", "tenancy.owners.images"],
            ),
            (
                "x := input.facts.tenancy.owners.admins.iamRoles[c]",
                vec!["tenancy.base", "tenancy.owners.admins"],
            ),
            ("x := input.facts.tenancy.product.via", vec!["tenancy.base"]),
            ("x := input.facts.tenancy.requester", vec!["tenancy.base"]),
            ("x := input.facts.tenancy.nonsense", vec!["tenancy.base"]),
            (
                "x := input.facts.tenancy.awsAuth.readable",
                vec!["tenancy.base", "tenancy.awsAuth"],
            ),
            (
                "x := input.facts.tenancy.owners.namespaces[n]\ny := input.facts.tenancy.owners.groups",
                vec!["tenancy.base", "tenancy.owners.namespaces", "tenancy.owners.groups"],
            ),
        ] {
            assert_eq!(read(body), expected, "{body}");
        }
        // The owners whole, by a computed key or through a variable: every map.
        for body in [
            "x := input.facts.tenancy.owners",
            "x := input.facts.tenancy.owners[k]",
            "x := input.facts.tenancy.owners[\"images\"]",
            "o := input.facts.tenancy.owners\ny := o.images",
        ] {
            assert_eq!(read(body), owners, "{body}");
        }
        // The fact whole: every part.
        for body in [
            "x := input.facts.tenancy",
            "x := input.facts.tenancy[k]",
            "x := input.facts.tenancy[\"owners\"]",
            "x := object.get(input.facts.tenancy, \"clusterProduct\", \"\")",
            "x := [p | walk(input.facts.tenancy, p)]",
            "t := input.facts.tenancy\ny := t.owners.images",
            "y := input.facts.tenancy.owners.images\nx := input.facts.tenancy",
        ] {
            assert_eq!(read(body), ["tenancy"], "{body}");
        }
        // Everything, as before.
        assert_eq!(
            read("x := input.facts[\"tenancy\"].owners.images").len(),
            crate::facts::NAMES.len()
        );
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
            super::super::literal::refs(text);
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
        let modules = modules(&sources);
        let mut packages = BTreeMap::new();
        for (i, m) in modules.iter().enumerate() {
            if let Some(short) = m.package.strip_prefix("blastwall.rules.") {
                packages.insert(short.to_string(), i);
            }
        }
        let reads = by_package(&modules, &packages);
        let of = |short: &str| reads[short].iter().collect::<Vec<String>>();
        for (short, names) in &reads {
            assert_ne!(*names, Names::ALL, "{short} reads every fact");
        }
        assert_eq!(of("privileged_container"), ["workload"]);
        assert_eq!(of("unowned_namespace"), ["tenancy.base"]);
        assert!(of("manifest_missing_kind").is_empty());
        // Through the tenancy library: `t.target`, and the owners of images.
        assert_eq!(
            of("cross_product_image"),
            [
                "workload",
                "awsAuth",
                "tenancy.base",
                "tenancy.owners.images"
            ]
        );
        // No built-in rule reads `tenancy` whole: each reads the parts it needs.
        for (short, names) in &reads {
            assert!(!names.contains("tenancy"), "{short} reads tenancy whole");
        }
        assert_eq!(
            of("cross_product_service_reference"),
            ["awsAuth", "tenancy.base", "tenancy.owners.namespaces"]
        );
        assert_eq!(of("aws_auth_delete"), ["awsAuthOld", "change"]);
    }

    /// `build.rs` read the built-in modules with the same code: what it recorded is
    /// what reading each module's text now gives.
    #[test]
    fn builtin_modules_as_build_rs_read_them_are_as_read_now() {
        let sources = super::super::pack::builtin();
        let recorded = super::super::pack::builtin_refs();
        assert_eq!(recorded.len(), sources.len());
        for (i, (source, refs)) in sources.iter().zip(recorded).enumerate() {
            assert!(
                super::super::pack::is_builtin_module(i, source),
                "{}",
                source.name
            );
            let now = Module::owned(super::super::literal::refs(&source.text));
            assert_eq!(Module::built_in(refs), now, "{}", source.name);
            assert!(!now.package.is_empty(), "{}", source.name);
        }
        // Another module at a built-in module's place is read from its text.
        let mut changed = sources.clone();
        assert_ne!(modules(&changed)[0].facts, Names::ALL);
        changed[0].text.push_str("\nx := input\n");
        assert!(!super::super::pack::is_builtin_module(0, &changed[0]));
        assert_eq!(modules(&changed)[0].facts, Names::ALL);
    }
}

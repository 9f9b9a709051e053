//! A review only runs the rules it reaches (`metadata.kinds` and `metadata.match`):
//! on every fixture document and every rule example, created, updated and deleted,
//! with the tenancy config, that finds exactly what running every rule finds; and
//! the compiled evaluator (regorus's VM) finds exactly what the interpreter finds.

use std::path::{Path, PathBuf};

use blastwall::engine::{Engine, RuleHit, Strategy};
use blastwall::facts;
use blastwall::review::{self, Operation, Requester};
use blastwall::source::load::load_str;
use blastwall::source::{Document, Limits};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Configs that are wrong on purpose are not manifests; hostile inputs
            // (invalid UTF-8, bombs) have tests of their own; gatekeeper-library's
            // samples are the data of its gator suites (tests/suite/gatekeeper.rs).
            if !path.ends_with("config-errors")
                && !path.ends_with("hostile")
                && !path.ends_with("gatekeeper-library")
            {
                files(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            && !path.ends_with("blastwall.yaml")
        {
            out.push(path);
        }
    }
}

fn documents(name: &str, text: &str) -> Vec<Document> {
    load_str(name, text.to_string(), &Limits::default()).documents
}

fn sorted(mut hits: Vec<RuleHit>) -> Vec<RuleHit> {
    hits.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    hits
}

#[test]
fn rules_of_other_kinds_never_find_anything() {
    let config = blastwall::config::load(&root().join("fixtures/tenancy/blastwall.yaml")).unwrap();
    let mut engine = Engine::builtin().unwrap();
    engine.set_config(config.to_value()).unwrap();

    let mut docs = Vec::new();
    let mut paths = Vec::new();
    files(&root().join("fixtures"), &mut paths);
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        docs.extend(
            documents(&name, &text)
                .into_iter()
                .map(|d| (name.clone(), d)),
        );
    }
    for rule in engine.rules() {
        if let Some(example) = &rule.example {
            for text in [&example.bad, &example.good] {
                let name = format!("example of {}", rule.id);
                docs.extend(
                    documents(&name, text)
                        .into_iter()
                        .map(|d| (name.clone(), d)),
                );
            }
        }
    }
    let all_docs: Vec<Document> = docs.iter().map(|(_, d)| d.clone()).collect();
    let ctx = facts::tenancy::run_context(Some(config), &all_docs);
    let requester = Requester {
        username: "jane".into(),
        groups: vec!["payroll:developers".into()],
    };

    let mut found = 0;
    for (name, doc) in &docs {
        for review in [
            review::create(doc.value.clone()),
            review::build(
                Operation::Update,
                Some(doc.value.clone()),
                Some(doc.value.clone()),
                &requester,
            ),
            review::build(Operation::Delete, None, Some(doc.value.clone()), &requester),
        ] {
            let input = review::input(review.clone(), facts::compute(&review, &ctx));
            let interpreted = engine.evaluate_with(input.clone(), Strategy::Interpreted);
            let compiled = engine.evaluate_with(input.clone(), Strategy::Compiled);
            // Facts computed as far as the reached rules read them: the same hits.
            let lazy = engine.evaluate_review(&review, &facts::Lazy::new(&review, &ctx, None));
            match (&compiled, &lazy) {
                (Ok(c), Ok(l)) => assert_eq!(
                    sorted(c.clone()),
                    sorted(l.clone()),
                    "every fact vs the facts read: {} (document {}): {}",
                    name,
                    doc.index,
                    review["operation"]
                ),
                (Err(_), Err(_)) => {}
                (c, l) => panic!(
                    "{name} (document {}): with every fact {c:?} but with the facts read {l:?}",
                    doc.index
                ),
            }
            match (&compiled, &interpreted) {
                (Ok(c), Ok(i)) => assert_eq!(
                    sorted(c.clone()),
                    sorted(i.clone()),
                    "compiled vs interpreted: {} (document {}): {}",
                    name,
                    doc.index,
                    review["operation"]
                ),
                (Err(_), Err(_)) => {}
                (c, i) => panic!(
                    "{name} (document {}): compiled {c:?} but interpreted {i:?}",
                    doc.index
                ),
            }
            let fast = interpreted;
            let all = engine.evaluate_with(input, Strategy::Reference);
            match (fast, all) {
                (Ok(fast), Ok(all)) => {
                    found += all.len();
                    assert_eq!(
                        sorted(fast),
                        sorted(all),
                        "{} (document {}): {}",
                        name,
                        doc.index,
                        review["operation"]
                    );
                }
                (Err(_), Err(_)) => {}
                (fast, all) => panic!(
                    "{name} (document {}): {fast:?} but every rule gives {all:?}",
                    doc.index
                ),
            }
        }
    }
    // The corpus does exercise the rules.
    assert!(found > 100, "only {found} findings");
}

//! blastwall reads YAML as Kubernetes does: the same texts go through blastwall and
//! through the real decoder (gopkg.in/yaml.v2 via sigs.k8s.io/yaml, in the Go program
//! `tests/goyaml/main.go`), and the decoded objects (JSON-equal, numbers as numbers)
//! and the accept/reject verdicts must agree. Inputs: every YAML fixture of the
//! repository, the aws-auth sections in them, and generated documents.
//!
//! The generated documents come from a fixed seed, so that a run of CI fails only on
//! a change; `BLASTWALL_YAML_SEED=<n>` or `=random` and `BLASTWALL_YAML_CASES` (default
//! 5000) explore further or repeat a run; `BLASTWALL_YAML_EXTRA_DIR` adds a directory of real manifests to the fixtures. Needs Go and Debian's golang-gopkg-yaml.v2-dev and golang-k8s-sigs-yaml-dev
//! (`.ci/run` installs them); without them the test fails under CI and is skipped,
//! saying so, elsewhere.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::goyaml::{self, Choices, GoYaml, Mode, Outcome, Rng};

/// The built Go program, or `None` (skipped) outside CI when it cannot be built.
fn go() -> Option<GoYaml> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(goyaml::build) {
        Ok(binary) => Some(GoYaml::start(binary).expect("start the Go decoder")),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "the differential YAML test cannot run: {why}. .ci/run installs {}",
                goyaml::PACKAGES
            );
            eprintln!("SKIPPED: the differential YAML test needs Go: {why}");
            None
        }
    }
}

/// Tallies outcomes and keeps the first few unexplained differences.
#[derive(Default)]
struct Tally {
    same: usize,
    known: BTreeMap<&'static str, usize>,
    differs: Vec<String>,
    different: usize,
}

impl Tally {
    fn add(&mut self, what: &str, text: &str, outcome: Outcome) {
        match outcome {
            Outcome::Same => self.same += 1,
            Outcome::Known(why) => {
                if std::env::var_os("BLASTWALL_YAML_SHOW_KNOWN").is_some() {
                    eprintln!("{what}: known difference ({why}):\n{text}\n---");
                }
                *self.known.entry(why).or_default() += 1
            }
            Outcome::Differs(d) => {
                self.different += 1;
                if self.differs.len() < shown() {
                    self.differs.push(format!(
                        "{what}: {d}\n--- document ({text:?}):\n{text}\n---"
                    ));
                }
            }
        }
    }

    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} compared, {} the same, {} known differences, {} unexplained",
            self.same + self.known.values().sum::<usize>() + self.different,
            self.same,
            self.known.values().sum::<usize>(),
            self.different
        );
        for (why, n) in &self.known {
            eprintln!("  known ({n}): {why}");
        }
        assert!(
            self.differs.is_empty(),
            "{} unexplained differences; the first ones:\n\n{}",
            self.different,
            self.differs.join("\n\n")
        );
    }
}

/// How many differences to print (`BLASTWALL_YAML_SHOW`, default 5).
fn shown() -> usize {
    std::env::var("BLASTWALL_YAML_SHOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_reads_as_kubernetes_reads_it() {
    let Some(mut go) = go() else { return };
    let mut files = Vec::new();
    yaml_files(&goyaml::root().join("fixtures"), &mut files);
    yaml_files(&goyaml::root().join("rules"), &mut files);
    // More real manifests to compare, such as a checkout of a policy library.
    if let Some(extra) = std::env::var_os("BLASTWALL_YAML_EXTRA_DIR") {
        yaml_files(std::path::Path::new(&extra), &mut files);
    }
    // Files that are not UTF-8 (a hostile fixture) blastwall refuses before parsing.
    files.retain(|f| std::fs::read_to_string(f).is_ok());
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("read fixture"))
        .collect();
    assert!(texts.len() > 100, "fixtures found: {}", texts.len());
    let answers = go.decode_all(Mode::Stream, &texts);
    let mut tally = Tally::default();
    let mut sections = Vec::new();
    for ((file, text), answer) in files.iter().zip(&texts).zip(&answers) {
        let name = file.strip_prefix(goyaml::root()).unwrap_or(file).display();
        tally.add(
            &name.to_string(),
            text,
            goyaml::compare_again(&mut go, Mode::Stream, text, answer),
        );
        sections.extend(aws_auth_sections(text));
    }
    tally.report("fixtures");

    assert!(
        !sections.is_empty(),
        "the fixtures have aws-auth ConfigMaps"
    );
    let answers = go.decode_all(Mode::Section, &sections);
    let mut tally = Tally::default();
    for (text, answer) in sections.iter().zip(&answers) {
        tally.add(
            "aws-auth section",
            text,
            goyaml::compare_again(&mut go, Mode::Section, text, answer),
        );
    }
    tally.report("aws-auth sections of the fixtures");
}

/// The mapRoles/mapUsers/mapAccounts strings of every aws-auth ConfigMap in `text`.
fn aws_auth_sections(text: &str) -> Vec<String> {
    let loaded = blastwall::source::load::load_str("x.yaml", text.to_string(), &Default::default());
    let mut out = Vec::new();
    for doc in &loaded.documents {
        if !blastwall::awsauth::is_aws_auth(&doc.value) {
            continue;
        }
        for name in blastwall::awsauth::SECTIONS {
            if let regorus::Value::String(s) = &doc.value["data"][name] {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// The seed CI uses, so that the generated documents are the same in every run.
const FIXED_SEED: u64 = 0x00B1_A57A_11C0_FFEE;

fn seed() -> u64 {
    match std::env::var("BLASTWALL_YAML_SEED").as_deref() {
        Ok("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        Ok(s) => s
            .parse()
            .expect("BLASTWALL_YAML_SEED is a number or `random`"),
        Err(_) => FIXED_SEED,
    }
}

fn cases() -> usize {
    std::env::var("BLASTWALL_YAML_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5000)
}

#[test]
fn generated_documents_read_as_kubernetes_reads_them() {
    let Some(mut go) = go() else { return };
    let (seed, count) = (seed(), cases());
    eprintln!("generated documents: seed {seed}, {count} documents (BLASTWALL_YAML_SEED={seed} repeats this run)");
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let batch = 2000;
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        let texts: Vec<String> = (0..n).map(|_| goyaml::document(&mut rng)).collect();
        let answers = go.decode_all(Mode::Stream, &texts);
        for (text, answer) in texts.iter().zip(&answers) {
            tally.add(
                "generated",
                text,
                goyaml::compare_again(&mut go, Mode::Stream, text, answer),
            );
        }
        done += n;
    }
    tally.report(&format!("generated documents (seed {seed})"));
}

#[test]
fn generated_aws_auth_sections_read_as_the_authenticator_reads_them() {
    let Some(mut go) = go() else { return };
    let seed = seed();
    let count = cases() / 5;
    eprintln!("generated aws-auth sections: seed {seed}, {count} sections");
    let mut rng = Rng(seed ^ 0x5EC7);
    let texts: Vec<String> = (0..count).map(|_| goyaml::section(&mut rng)).collect();
    let answers = go.decode_all(Mode::Section, &texts);
    let mut tally = Tally::default();
    for (text, answer) in texts.iter().zip(&answers) {
        tally.add(
            "section",
            text,
            goyaml::compare_again(&mut go, Mode::Section, text, answer),
        );
    }
    tally.report(&format!("generated aws-auth sections (seed {seed})"));
}

#[test]
fn the_generator_writes_the_corners_it_promises() {
    // Cheap and independent of Go: the generated text covers what the issue lists.
    let mut rng = Rng(7);
    let all: String = (0..3000).map(|_| goyaml::document(&mut rng)).collect();
    for needle in [
        "!!binary",
        "!!timestamp",
        "!!set",
        "!!omap",
        "!!pairs",
        "!foo",
        "<<: *",
        "<<: [",
        "&a",
        ": *a",
        "|-",
        "|+",
        ">",
        "yes",
        "0777",
        "0x1F",
        "0b1010",
        "1:20",
        "1_000",
        "18446744073709551616",
        ".inf",
        "2001-12-14",
        "~: x",
        "[",
        "{",
    ] {
        assert!(all.contains(needle), "no generated document has {needle:?}");
    }
    let _ = rng.below(1);
}

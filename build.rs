//! Embeds the built-in rule pack (`rules/**/*.rego`, tests excluded) into the binary,
//! and, for `blastwall test` without a directory, the pack's Rego unit tests, its
//! fixture suites (`rules/**/*.cases.yaml`) and the example inputs they read
//! (`fixtures/`: YAML, JSON and Terraform files, hostile inputs excepted).
//!
//! For each module of the pack it also records the package it declares and its
//! `metadata` as JSON when that is plain data, so that start-up reads the
//! rules' metadata without parsing or evaluating the pack; and what its text refers
//! to (package, facts read, `data` paths: `literal::refs`), from which start-up
//! tells which facts each rule reads and which modules each class loads.

use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/engine/literal.rs"]
mod literal;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn is_test(path: &Path) -> bool {
    path.file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with("_test"))
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .is_some_and(|e| exts.iter().any(|x| e == *x))
}

/// `pub static NAME: &[(&str, &str)]` of `files` (relative to `root`) and their text.
fn table(name: &str, root: &Path, files: &[PathBuf]) -> String {
    let mut code = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel.to_string_lossy().replace('\\', "/"),
            file.to_string_lossy()
        ));
    }
    code.push_str("];\n");
    code
}

/// `pub static BUILTIN_METADATA: &[(Option<&str>, Option<&str>)]`: for each of
/// `files`, its package (`data.…`) and its `metadata` as JSON, when they can be read
/// from its text.
fn metadata_table(files: &[PathBuf]) -> String {
    let mut code =
        String::from("pub static BUILTIN_METADATA: &[(Option<&str>, Option<&str>)] = &[\n");
    let texts: Vec<String> = files
        .iter()
        .map(|file| fs::read_to_string(file).unwrap_or_default())
        .collect();
    let modules: Vec<&str> = texts.iter().map(String::as_str).collect();
    for text in &modules {
        code.push_str(&format!(
            "    ({:?}, {:?}),\n",
            literal::package_of(text),
            literal::metadata_json(text, &modules)
        ));
    }
    code.push_str("];\n");
    code
}

/// `pub static BUILTIN_REFS: &[BuiltinRefs]` (`pack.rs`: package, facts read,
/// `data` paths): for each of `files`, what its text refers to (`literal::refs`).
fn refs_table(files: &[PathBuf]) -> String {
    let list = |names: &Option<Vec<String>>| match names {
        None => "None".to_string(),
        Some(names) => format!("Some(&{names:?})"),
    };
    let mut code = String::from("pub static BUILTIN_REFS: &[BuiltinRefs] = &[\n");
    for file in files {
        let refs = literal::refs(&fs::read_to_string(file).unwrap_or_default());
        code.push_str(&format!(
            "    ({:?}, {}, {}),\n",
            refs.package,
            list(&refs.facts),
            list(&refs.data)
        ));
    }
    code.push_str("];\n");
    code
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=fixtures");
    println!("cargo:rerun-if-changed=src/engine/literal.rs");
    let mut files = Vec::new();
    collect(&root.join("rules"), &mut files);
    files.sort();
    let rego = |test: bool| -> Vec<PathBuf> {
        files
            .iter()
            .filter(|p| has_ext(p, &["rego"]) && is_test(p) == test)
            .cloned()
            .collect()
    };
    let (rules, tests) = (rego(false), rego(true));
    let mut data: Vec<PathBuf> = files
        .iter()
        .filter(|p| has_ext(p, &["yaml", "yml", "json"]))
        .cloned()
        .collect();
    let mut fixtures = Vec::new();
    collect(&root.join("fixtures"), &mut fixtures);
    fixtures.sort();
    let hostile = root.join("fixtures").join("hostile");
    data.extend(fixtures.into_iter().filter(|p| {
        !p.starts_with(&hostile)
            && has_ext(p, &["yaml", "yml", "json", "tf"])
            // include_str! needs UTF-8.
            && fs::read(p).is_ok_and(|bytes| std::str::from_utf8(&bytes).is_ok())
    }));
    let mut code = table("BUILTIN_RULES", &root, &rules);
    code.push_str(&metadata_table(&rules));
    code.push_str(&refs_table(&rules));
    code.push_str(&table("BUILTIN_TESTS", &root, &tests));
    code.push_str(&table("BUILTIN_FILES", &root, &data));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("builtin_rules.rs");
    if let Err(e) = fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}

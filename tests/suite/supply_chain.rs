//! What `cargo deny check bans sources` checks, read straight from Cargo.lock so it
//! holds even where cargo-deny is not installed: every dependency comes from
//! crates.io, and ring is the only crypto provider.

use std::path::Path;

/// (name, source) of every package in Cargo.lock.
fn packages() -> Vec<(String, Option<String>)> {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("Cargo.lock is committed");
    let mut out = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(key)?
                    .strip_prefix(" = \"")?
                    .strip_suffix('"')
                    .map(str::to_string)
            })
        };
        out.push((field("name").expect("name"), field("source")));
    }
    out
}

#[test]
fn every_dependency_comes_from_crates_io() {
    let packages = packages();
    assert!(
        packages.len() > 100,
        "Cargo.lock not parsed: {} packages",
        packages.len()
    );
    let elsewhere: Vec<_> = packages
        .iter()
        .filter_map(|(name, source)| {
            let source = source.as_deref()?;
            (source != "registry+https://github.com/rust-lang/crates.io-index")
                .then(|| format!("{name}: {source}"))
        })
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:#?}");
    // Only the workspace's own crates, regorus with its VM fixes and saphyr-parser
    // reading block scalar lines at once (vendor/README.md), have no source.
    let local: Vec<_> = packages
        .iter()
        .filter(|(_, s)| s.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        local,
        ["blastwall", "blastwall-webhook", "regorus", "saphyr-parser"]
    );
}

#[test]
fn ring_is_the_only_crypto_provider() {
    let names: Vec<String> = packages().into_iter().map(|(n, _)| n).collect();
    assert!(names.iter().any(|n| n == "ring"), "rustls should use ring");
    for banned in [
        "aws-lc-rs",
        "aws-lc-sys",
        "openssl",
        "openssl-sys",
        "native-tls",
        "serde_yaml",
    ] {
        assert!(
            !names.iter().any(|n| n == banned),
            "{banned} is in Cargo.lock"
        );
    }
}

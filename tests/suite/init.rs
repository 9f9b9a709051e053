//! `blastwall init`: the starter config it writes loads, lints the fixtures, and is
//! never written over without `--force`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn blastwall(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("blastwall").expect("binary");
    cmd.current_dir(cwd);
    cmd
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn init_writes_a_config_the_loader_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = blastwall(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let path = dir.path().join(".blastwall.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# blastwall config"), "commented: {text}");
    let config = blastwall::config::load(&path).unwrap_or_else(|e| panic!("{}", e.render(false)));
    assert_eq!(config.cluster.product.as_deref(), Some("shop"));
    // Also as `lint` finds it by itself, rule ids and params checked against the rules.
    let out = blastwall(dir.path())
        .args(["rules", "latest-image-tag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn starter_config_lints_the_good_fixtures_clean_and_the_bad_ones_not() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("starter.yaml");
    let out = blastwall(dir.path())
        .args(["init", "--path"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lint = |what: &str| {
        blastwall(dir.path())
            .args(["lint", "-f", "json", "--config"])
            .arg(&config)
            .arg(fixtures().join(what))
            .output()
            .unwrap()
    };
    let good = lint("manifests/good");
    let json: serde_json::Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(good.status.code(), Some(0), "{json:#}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let bad = lint("manifests/bad");
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".blastwall.yaml");
    std::fs::write(&path, "# mine\n").unwrap();
    let out = blastwall(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");

    let out = blastwall(dir.path())
        .args(["init", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("kind: Config"));
}

#[test]
fn init_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = blastwall(dir.path())
        .args(["init", "--path", "no/such/dir/.blastwall.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

//! The README's local try-out of the webhook, run as written: a self-signed
//! certificate from openssl, the webhook in the background with `--no-kube`, one
//! AdmissionReview sent with curl. Only the binary's path (the one cargo built for
//! this test), the fixture's directory and the two ports (free ones, so parallel
//! runs do not collide) are put in.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const MARKER: &str = "<!-- readme-webhook-try-out -->";

/// The lines of the fenced block after the marker.
fn try_out_block(readme: &str) -> String {
    let after = &readme[readme
        .find(MARKER)
        .expect("the README marks its try-out block")..];
    let start = after.find("```sh\n").expect("a sh block after the marker") + "```sh\n".len();
    let end = after[start..].find("```").expect("the block ends");
    after[start..start + end].to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
        || Command::new(tool).arg("version").output().is_ok()
}

#[test]
fn the_readme_try_out_denies_a_privileged_pod() {
    for tool in ["bash", "openssl", "curl"] {
        assert!(have(tool), "{tool} is needed (.ci/run installs it)");
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let block = try_out_block(&readme);
    for expected in [
        "openssl req -x509",
        "target/release/blastwall-webhook --no-kube",
        "curl ",
        "fixtures/admission/privileged-pod.json",
    ] {
        assert!(
            block.contains(expected),
            "{expected} missing from:\n{block}"
        );
    }
    let (https, ops) = (free_port(), free_port());
    let script = block
        .replace(
            "target/release/blastwall-webhook",
            env!("CARGO_BIN_EXE_blastwall-webhook"),
        )
        .replace(
            "@fixtures/",
            &format!("@{}/fixtures/", repo.canonicalize().unwrap().display()),
        )
        .replace("127.0.0.1:8443", &format!("127.0.0.1:{https}"))
        .replace("localhost:8443", &format!("localhost:{https}"))
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{ops}"));
    let dir = tempfile::tempdir().unwrap();
    // Whatever happens, the background webhook does not outlive the script.
    let script = format!("set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}\n{stdout}\n{stderr}");
    assert!(dir.path().join("tls.crt").is_file() && dir.path().join("tls.key").is_file());
    let review: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not an AdmissionReview ({e}): {stdout}\n{stderr}"));
    assert_eq!(review["kind"], "AdmissionReview");
    let response = &review["response"];
    assert_eq!(response["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(response["allowed"], false, "{review:#}");
    assert_eq!(response["status"]["code"], 403);
    let message = response["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("[privileged-container] container 'shell' runs privileged"),
        "{message}"
    );
    let warnings = response["warnings"].to_string();
    assert!(warnings.contains("[missing-resource-limits]") && warnings.contains("[run-as-root]"));
}

#[test]
fn the_readme_names_the_build_and_deploy_commands_that_exist() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    assert!(readme.contains("cargo build --release -p blastwall-webhook"));
    assert!(readme.contains("kubectl apply -k webhook/deploy"));
    // The package and the kustomization it names are there.
    let manifest = std::fs::read_to_string(repo.join("webhook/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"blastwall-webhook\""));
    let kustomization =
        std::fs::read_to_string(repo.join("webhook/deploy/kustomization.yaml")).unwrap();
    for line in kustomization.lines() {
        if let Some(file) = line
            .trim()
            .strip_prefix("- ")
            .filter(|f| f.ends_with(".yaml"))
        {
            assert!(
                repo.join("webhook/deploy").join(file).is_file(),
                "{file} listed but missing"
            );
        }
    }
    assert!(readme.contains("cert-manager"));
    assert!(readme.contains("`Fail` rejects the request, `Ignore`"));
}

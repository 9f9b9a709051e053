//! What is generated from the program's own definitions: `docs/rules.md` from the
//! rules' metadata, shell completions and man pages from the command line.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::Command as Cmd;

fn blastwall() -> Cmd {
    let mut cmd = Cmd::cargo_bin("blastwall").expect("binary");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = blastwall().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "blastwall {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

const SUBCOMMANDS: [&str; 6] = ["lint", "rules", "review", "init", "completions", "man"];

#[test]
fn checked_in_rules_reference_is_current() {
    let generated = stdout_of(&["rules", "--format", "markdown", "--no-config"]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/rules.md is stale: it is not what `blastwall rules --format markdown` prints \
         for the current rules. Regenerate it with:\n    \
         cargo run -- rules --format markdown --no-config > docs/rules.md"
    );
}

#[test]
fn rules_reference_documents_every_rule_with_both_examples() {
    let md = stdout_of(&["rules", "--format", "markdown", "--no-config"]);
    let list = stdout_of(&["rules", "--no-config"]);
    let ids: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() > 50, "{list}");
    for id in ids {
        let start = md
            .find(&format!("\n### {id}\n"))
            .unwrap_or_else(|| panic!("no section for {id}"));
        let section = &md[start + 1..];
        let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
        for part in [
            "· severity `",
            "· category `",
            "**How to fix:**",
            "Reported:\n\n```yaml\n",
            "Instead:\n\n```yaml\n",
        ] {
            assert!(section.contains(part), "{id} lacks {part:?}:\n{section}");
        }
    }
    // A rule with parameters lists them with their defaults.
    assert!(md.contains(
        "**Parameters** (`rules.aws-auth-placeholder.params`):\n\n| name | default |\n|---|---|\n| `accounts` |"
    ));
}

#[test]
fn rules_markdown_and_an_id_conflict() {
    let out = blastwall()
        .args([
            "rules",
            "privileged-container",
            "--format",
            "markdown",
            "--no-config",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.len() > 500, "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        // Options of a subcommand are completed too.
        assert!(script.contains("severity-threshold"), "{shell}");
    }
}

#[test]
fn bash_completion_is_valid_bash() {
    if Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let script = stdout_of(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blastwall.bash");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p blastwall",
            file.display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("blastwall"));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = blastwall().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Runs groff on `page` with warnings on; `None` when groff is not installed.
fn groff_warnings(page: &str) -> Option<(String, String)> {
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-P-cbou"])
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("groff");
    assert!(out.status.success());
    Some((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn man_page_is_roff_naming_the_subcommands() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH blastwall 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("blastwall\\-{sub}")),
            "man page lacks {sub}"
        );
    }
    if let Some((text, warnings)) = groff_warnings(&page) {
        assert_eq!(warnings, "", "groff warns about the man page");
        assert!(
            text.contains("SUBCOMMANDS") && text.contains("blastwall-lint(1)"),
            "{text}"
        );
    }
}

#[test]
fn man_pages_for_every_subcommand_go_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    let out = blastwall()
        .args(["man", "--out-dir"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for page in std::iter::once("blastwall.1".to_string())
        .chain(SUBCOMMANDS.iter().map(|s| format!("blastwall-{s}.1")))
    {
        let text =
            std::fs::read_to_string(out_dir.join(&page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH "), "{page}");
        if let Some((_, warnings)) = groff_warnings(&text) {
            assert_eq!(warnings, "", "groff warns about {page}");
        }
    }
    let lint = std::fs::read_to_string(out_dir.join("blastwall-lint.1")).unwrap();
    assert!(lint.contains("severity\\-threshold"), "{lint}");
}

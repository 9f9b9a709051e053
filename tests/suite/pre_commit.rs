//! `.pre-commit-hooks.yaml` against a real git repository with staged files: with
//! the real pre-commit (installed by `.ci/run`; `BLASTWALL_PRE_COMMIT` names it, or
//! `pre-commit` on PATH), and by building the exact command line pre-commit runs
//! (entry + args + the staged files its `files` pattern keeps) for machines without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hooks() -> Vec<Value> {
    super::github_action::yaml(".pre-commit-hooks.yaml")
        .as_array()
        .expect("a list of hooks")
        .clone()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook {id}"))
}

const BAD_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: payroll
spec:
  containers:
  - name: shell
    image: registry.example.com/payroll/shell:1.0
    securityContext:
      privileged: yes
";

const CLEAN_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: payroll
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: api
    image: registry.example.com/payroll/api:1.4.2@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    securityContext:
      allowPrivilegeEscalation: false
    resources:
      limits: {cpu: 100m, memory: 64Mi}
";

/// The directory of the built binary first on PATH, as `language: system` needs.
fn path_with_blastwall() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_blastwall"));
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The environment that isolates git (and what pre-commit runs of it) from the
/// machine's and the user's config, with a fixed identity.
const ISOLATED_GIT: [(&str, &str); 6] = [
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_AUTHOR_NAME", "Test"),
    ("GIT_AUTHOR_EMAIL", "test@example.com"),
    ("GIT_COMMITTER_NAME", "Test"),
    ("GIT_COMMITTER_EMAIL", "test@example.com"),
];

/// git, isolated from the machine's and the user's config.
fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(ISOLATED_GIT)
        .output()
        .expect("git runs");
    out
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with a clean manifest committed, then: a bad manifest and a README
/// staged, the committed manifest made bad on disk but not staged, and a clean
/// manifest never added. Only `k8s/bad.yaml` is a staged file the hook must lint.
fn repository(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git_ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join("k8s")).unwrap();
    std::fs::write(repo.join("k8s/tracked.yaml"), CLEAN_POD).unwrap();
    if let Some(config) = config {
        std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    }
    git_ok(repo, &["add", "-A"]);
    git_ok(repo, &["commit", "-q", "-m", "initial"]);
    std::fs::write(repo.join("k8s/bad.yaml"), BAD_POD).unwrap();
    std::fs::write(repo.join("README.md"), "privileged: true\n").unwrap();
    git_ok(repo, &["add", "k8s/bad.yaml", "README.md"]);
    std::fs::write(
        repo.join("k8s/tracked.yaml"),
        BAD_POD.replace("debug", "other"),
    )
    .unwrap();
    std::fs::write(repo.join("k8s/untracked.yaml"), CLEAN_POD).unwrap();
    dir
}

#[test]
fn both_hooks_run_the_same_command_on_the_same_files() {
    let rust = hook("blastwall");
    let system = hook("blastwall-system");
    assert_eq!(rust["language"], "rust");
    assert_eq!(system["language"], "system");
    for key in ["entry", "args", "files", "types", "require_serial"] {
        assert_eq!(rust[key], system[key], "{key}");
    }
    // Staged YAML that is not a manifest (a CI workflow, Helm values) is noted,
    // not an error: pre-commit names every staged file explicitly.
    assert_eq!(system["entry"], "blastwall lint --allow-empty");
    assert_eq!(system["files"], "\\.(ya?ml|json)$");
    assert_eq!(system["require_serial"], true);
}

/// The command pre-commit runs for `hook` on the staged files of `repo`.
fn pre_commit_command_line(hook: &Value, repo: &Path) -> Vec<String> {
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    let exclude = hook["exclude"]
        .as_str()
        .map(|e| regex::Regex::new(e).unwrap());
    let mut argv: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if let Some(args) = hook["args"].as_array() {
        argv.extend(args.iter().map(|a| a.as_str().unwrap().to_string()));
    }
    // `types: [text]`: every file here is text.
    let staged = git_ok(
        repo,
        &["diff", "--cached", "--name-only", "--diff-filter=ACMRTUXB"],
    );
    argv.extend(
        staged
            .lines()
            .filter(|f| files.is_match(f))
            .filter(|f| exclude.as_ref().is_none_or(|e| !e.is_match(f)))
            .map(str::to_string),
    );
    argv
}

#[test]
fn hook_command_line_lints_only_the_staged_manifests() {
    let dir = repository(None);
    let repo = dir.path();
    let argv = pre_commit_command_line(&hook("blastwall-system"), repo);
    assert_eq!(argv, ["blastwall", "lint", "--allow-empty", "k8s/bad.yaml"]);
    // As pre-commit runs it: the index's content in the work tree (pre-commit
    // stashes unstaged changes first), so put the tracked file back meanwhile.
    let edited = std::fs::read_to_string(repo.join("k8s/tracked.yaml")).unwrap();
    git_ok(repo, &["checkout", "--", "k8s/tracked.yaml"]);
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(repo)
        .env("PATH", path_with_blastwall())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    std::fs::write(repo.join("k8s/tracked.yaml"), edited).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("--> k8s/bad.yaml:11:19"), "{stdout}");
    assert!(stdout.contains("error[privileged-container]"), "{stdout}");
    assert!(!stdout.contains("tracked.yaml"), "{stdout}");
}

/// The pre-commit to run: `BLASTWALL_PRE_COMMIT`, else `pre-commit` on PATH.
fn pre_commit() -> Option<PathBuf> {
    let candidate = std::env::var_os("BLASTWALL_PRE_COMMIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("pre-commit"));
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(candidate)
}

fn run_pre_commit(pre_commit: &Path, repo: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(pre_commit)
        .args(args)
        .current_dir(repo)
        .env("PATH", path_with_blastwall())
        .env("PRE_COMMIT_HOME", home)
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .envs(ISOLATED_GIT)
        .output()
        .expect("pre-commit runs")
}

#[test]
fn real_pre_commit_runs_the_hook_on_staged_files_and_blocks_the_commit() {
    let Some(pre_commit) = pre_commit() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed: .ci/run installs it and sets BLASTWALL_PRE_COMMIT"
        );
        eprintln!("pre-commit not installed: skipped (the command-line test still runs)");
        return;
    };
    // The hooks repository: this repository's hook definitions, committed.
    let hooks_dir = tempfile::tempdir().unwrap();
    let hooks_repo = hooks_dir.path();
    git_ok(hooks_repo, &["init", "-q", "-b", "main"]);
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks_repo.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git_ok(hooks_repo, &["add", "-A"]);
    git_ok(hooks_repo, &["commit", "-q", "-m", "hooks"]);
    let rev = git_ok(hooks_repo, &["rev-parse", "HEAD"])
        .trim()
        .to_string();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: blastwall-system\n",
        hooks_repo.display()
    );
    let dir = repository(Some(&config));
    let repo = dir.path();
    let home = tempfile::tempdir().unwrap();

    let out = run_pre_commit(&pre_commit, repo, home.path(), &["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Failed"), "{stdout}");
    assert!(stdout.contains("- exit code: 1"), "{stdout}");
    assert!(stdout.contains("--> k8s/bad.yaml:11:19"), "{stdout}");
    assert!(!stdout.contains("tracked.yaml"), "{stdout}");
    // The unstaged edit is back in the work tree after the run.
    let tracked = std::fs::read_to_string(repo.join("k8s/tracked.yaml")).unwrap();
    assert!(tracked.contains("privileged: yes"));

    // Installed as the git hook, it blocks the commit.
    let out = run_pre_commit(&pre_commit, repo, home.path(), &["install"]);
    assert!(out.status.success(), "{out:?}");
    let head = git_ok(repo, &["rev-parse", "HEAD"]);
    let commit = Command::new("git")
        .args(["commit", "-q", "-m", "add a pod"])
        .current_dir(repo)
        .env("PATH", path_with_blastwall())
        .env("PRE_COMMIT_HOME", home.path())
        .envs(ISOLATED_GIT)
        .output()
        .unwrap();
    assert!(!commit.status.success(), "{commit:?}");
    assert_eq!(git_ok(repo, &["rev-parse", "HEAD"]), head);

    // Fixed and staged, the hook passes.
    std::fs::write(repo.join("k8s/bad.yaml"), CLEAN_POD).unwrap();
    git_ok(repo, &["add", "k8s/bad.yaml"]);
    let out = run_pre_commit(&pre_commit, repo, home.path(), &["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Passed"), "{stdout}");
}

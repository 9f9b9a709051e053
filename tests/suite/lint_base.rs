//! `blastwall lint --base REF` on real git repositories: base and head commits built
//! in a temporary directory, the real binary run from inside it.
//!
//! These tests need `git`; without it they fail (they never skip).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

/// A throwaway repository whose git commands ignore the machine's configuration.
struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        match Process::new("git").arg("--version").output() {
            Ok(out) if out.status.success() => {}
            other => panic!(
                "these tests need `git` on PATH (lint --base reads revisions with it): {other:?}"
            ),
        }
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Environment that isolates git from system and user configuration.
    fn env(&self) -> Vec<(&'static str, Option<PathBuf>)> {
        let home = self.home.path();
        vec![
            ("GIT_CONFIG_NOSYSTEM", Some(PathBuf::from("1"))),
            ("GIT_CONFIG_GLOBAL", Some(home.join("gitconfig"))),
            ("HOME", Some(home.to_path_buf())),
            ("XDG_CONFIG_HOME", Some(home.to_path_buf())),
            ("GIT_DIR", None),
            ("GIT_WORK_TREE", None),
            ("GIT_INDEX_FILE", None),
        ]
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = Process::new("git");
        for (k, v) in self.env() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(self.root())
            .args([
                "-c",
                "user.name=Blastwall Test",
                "-c",
                "user.email=test@blastwall.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args);
        let out = cmd.output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn remove(&self, path: &str) {
        fs::remove_file(self.root().join(path)).unwrap();
    }

    /// Commits everything in the working tree.
    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn blastwall(&self) -> Command {
        let mut cmd = Command::cargo_bin("blastwall").expect("binary");
        for (k, v) in self.env() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(self.root()).env_remove("NO_COLOR");
        cmd
    }

    /// `lint --format json --no-config ARGS` in the repository: (exit code, report).
    fn lint(&self, args: &[&str]) -> (i32, Value) {
        let out = self
            .blastwall()
            .args(["lint", "--format", "json", "--no-config"])
            .args(args)
            .output()
            .expect("run");
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), report)
    }
}

fn relative(root: &Path, files: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
    let root = fs::canonicalize(root).unwrap();
    files
        .into_iter()
        .map(|f| {
            let f = fs::canonicalize(f.parent().unwrap())
                .unwrap()
                .join(f.file_name().unwrap());
            f.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn the_revision_is_walked_like_the_working_tree() {
    let repo = Repo::new();
    let yaml = "kind: A\n";
    for f in [
        "outside.yaml",
        "k8s/app.yaml",
        "k8s/b.yml",
        "k8s/c.json",
        "k8s/readme.md",
        "k8s/UPPER.YAML",
        "k8s/.hidden.yaml",
        "k8s/.hid/x.yaml",
        "k8s/build/out.yaml",
        "k8s/sub/secret.yaml",
        "k8s/sub/keep.yaml",
        "k8s/sub/deep/secret.yaml",
        "k8s/ign.yaml",
        "k8s/sub/ign.yaml",
        "k8s/logs/a.yaml",
        "k8s/logs/important.yaml",
    ] {
        repo.write(f, yaml);
    }
    repo.write(".gitignore", "build/\nlogs/*\n!logs/important.yaml\n");
    repo.write("k8s/.gitignore", "secret.yaml\n");
    repo.write("k8s/.ignore", "ign.yaml\n");
    repo.write("k8s/sub/.gitignore", "!ign.yaml\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("app.yaml", repo.root().join("k8s/link.yaml")).unwrap();
        symlink("../outside.yaml", repo.root().join("k8s/out-link.yaml")).unwrap();
        symlink("sub", repo.root().join("k8s/dirlink")).unwrap();
        symlink("nowhere.yaml", repo.root().join("k8s/broken.yaml")).unwrap();
    }
    // Everything tracked, ignored files too: the walk of the revision must still
    // leave out what the walk of the working tree leaves out.
    repo.git(&["add", "-f", "."]);
    repo.commit("tree");

    for input in ["k8s", "k8s/sub", "."] {
        let path = repo.root().join(input);
        let (walked, problems) = blastwall::source::walk::discover(std::slice::from_ref(&path));
        assert!(problems.is_empty(), "{problems:?}");
        let walked = relative(repo.root(), walked);
        let read =
            blastwall::source::revision::read(&[path.display().to_string()], "HEAD", 1 << 20)
                .unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let at_head: Vec<String> = read.files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(at_head, walked, "input {input}");
        assert!(read
            .files
            .iter()
            .all(|f| f.name == format!("HEAD:{}", f.path)));
        assert!(read.files.iter().all(|f| f.bytes == yaml.as_bytes()));
    }

    // A file named explicitly is read even when ignored.
    let secret = repo
        .root()
        .join("k8s/sub/secret.yaml")
        .display()
        .to_string();
    let read = blastwall::source::revision::read(&[secret], "HEAD", 1 << 20).unwrap();
    let paths: Vec<&str> = read.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["k8s/sub/secret.yaml"]);
}

/// A pod with no finding; `privileged: true` adds one at line 14, column 19.
fn pod(name: &str, tag: &str, privileged: bool) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: payroll
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: api
    image: registry.example.com/payroll/api:{tag}
    securityContext:
      allowPrivilegeEscalation: false
{}    resources:
      limits:
        cpu: 500m
        memory: 128Mi
",
        if privileged {
            "      privileged: true\n"
        } else {
            ""
        }
    )
}

/// (rule, file, line, column, preExisting) of every finding.
fn findings(report: &Value) -> Vec<(String, String, u64, u64, bool)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or("<none>").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["preExisting"].as_bool().expect("preExisting"),
            )
        })
        .collect()
}

fn finding(
    rule: &str,
    file: &str,
    line: u64,
    column: u64,
    pre: bool,
) -> (String, String, u64, u64, bool) {
    (rule.into(), file.into(), line, column, pre)
}

/// Runs `lint --base ARGS` and returns (exit code, report, stderr).
fn lint_base(repo: &Repo, args: &[&str]) -> (i32, Value, String) {
    let out = repo
        .blastwall()
        .args(["lint", "--format", "json", "--no-config"])
        .args(args)
        .output()
        .expect("run");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_rename_across_files_yields_nothing() {
    let repo = Repo::new();
    repo.write("k8s/a.yaml", &pod("api", "1.0", true));
    repo.commit("base");
    repo.git(&["mv", "k8s/a.yaml", "k8s/moved.yaml"]);
    repo.commit("rename");
    // The object is privileged, and linting without --base says so.
    let (code, report) = repo.lint(&["k8s"]);
    assert_eq!((code, findings(&report).len()), (1, 1));

    let (code, report, stderr) = lint_base(&repo, &["--base", "HEAD~1", "k8s"]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("0 created, 0 changed, 0 deleted, 1 unchanged"),
        "{stderr}"
    );
}

#[test]
fn an_unchanged_file_never_produces_a_new_finding() {
    let repo = Repo::new();
    repo.write("k8s/legacy.yaml", &pod("legacy", "1.0", true));
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    repo.commit("base");
    // The pull request touches another file, and only reformats this one: comments,
    // key order and quoting change, the object does not.
    repo.write("k8s/app.yaml", &pod("api", "1.1", false));
    let legacy = pod("legacy", "1.0", true)
        .replace("kind: Pod\n", "# the old debug pod\nkind: \"Pod\"\n")
        .replace("apiVersion: v1\n", "")
        + "apiVersion: 'v1'\n";
    repo.write("k8s/legacy.yaml", &legacy);

    let (code, report, stderr) = lint_base(&repo, &["--base", "main", "k8s"]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("0 created, 1 changed, 0 deleted, 1 unchanged"),
        "{stderr}"
    );
}

#[test]
fn a_change_that_only_fixes_a_violation_passes() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", true));
    repo.commit("base");
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    let (code, report, _) = lint_base(&repo, &["--base", "main", "k8s"]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn a_change_that_adds_a_violation_fails_with_it_at_its_line() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    repo.write("k8s/other.yaml", &pod("other", "1.0", false));
    repo.commit("base");
    // An existing object made privileged, and a new privileged one further down a file.
    repo.write("k8s/app.yaml", &pod("api", "1.0", true));
    repo.write(
        "k8s/other.yaml",
        &format!(
            "{}---\n{}",
            pod("other", "1.0", false),
            pod("debug", "1.0", true)
        ),
    );
    for extra in [&[][..], &["--new-only"][..]] {
        let mut args = vec!["--base", "main"];
        args.extend_from_slice(extra);
        args.push("k8s");
        let (code, report, stderr) = lint_base(&repo, &args);
        assert_eq!(
            findings(&report),
            [
                finding("privileged-container", "k8s/app.yaml", 14, 19, false),
                finding("privileged-container", "k8s/other.yaml", 32, 19, false),
            ],
            "{args:?}"
        );
        assert_eq!(code, 1, "{args:?}");
        assert!(
            stderr.contains("1 created, 1 changed, 0 deleted, 1 unchanged"),
            "{stderr}"
        );
    }
}

#[test]
fn pre_existing_findings_are_marked_and_fail_only_where_the_config_says() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", true));
    repo.write(
        "strict.yaml",
        "apiVersion: blastwall.dev/v1alpha1
kind: Config
products:
  payroll:
    namespaces: [payroll]
    registries: [registry.example.com/payroll/]
rules:
  privileged-container: {preExisting: enforce}
",
    );
    repo.commit("base");
    // Only the image changes: the privileged container was already there.
    repo.write("k8s/app.yaml", &pod("api", "1.1", true));
    let expected = [finding(
        "privileged-container",
        "k8s/app.yaml",
        14,
        19,
        true,
    )];

    let (code, report, _) = lint_base(&repo, &["--base", "main", "k8s"]);
    assert_eq!((code, findings(&report)), (0, expected.to_vec()));
    let (code, _, _) = lint_base(&repo, &["--base", "main", "--new-only", "k8s"]);
    assert_eq!(code, 0);

    // A rule whose old debt must go fails the change, unless only new findings count.
    let strict = |extra: &[&str]| {
        let out = repo
            .blastwall()
            .args([
                "lint",
                "--format",
                "json",
                "--config",
                "strict.yaml",
                "--base",
                "main",
            ])
            .args(extra)
            .arg("k8s")
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap_or(-1), findings(&report))
    };
    assert_eq!(strict(&[]), (1, expected.to_vec()));
    assert_eq!(strict(&["--new-only"]), (0, expected.to_vec()));
}

/// A pre-existing finding that does not fail the run is counted apart in every
/// format's summary and shown as a notice, not as an error; one the config
/// enforces stays an error.
#[test]
fn pre_existing_findings_that_do_not_fail_the_run_are_notices_in_every_format() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", true));
    repo.write(
        "strict.yaml",
        "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll:\n    namespaces: [payroll]\n    registries: [registry.example.com/payroll/]\nrules:\n  privileged-container: {preExisting: enforce}\n",
    );
    repo.commit("base");
    repo.write("k8s/app.yaml", &pod("api", "1.1", true));
    let run = |config: &[&str], format: &str| {
        let out = repo
            .blastwall()
            .args(["lint", "--color", "never", "-f", format])
            .args(config)
            .args(["--base", "main", "k8s"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let lenient: &[&str] = &["--no-config"];
    let (code, human) = run(lenient, "human");
    assert_eq!(code, 0, "{human}");
    assert!(
        human.contains("note[privileged-container]: container 'api' runs privileged"),
        "{human}"
    );
    assert!(
        human.contains("= note: an error that does not fail the run"),
        "{human}"
    );
    assert!(
        human.ends_with(
            "0 errors, 0 warnings in 1 file (1 document); 1 pre-existing, not failing the run\n"
        ),
        "{human}"
    );
    let (_, compact) = run(lenient, "compact");
    assert!(
        compact.starts_with("k8s/app.yaml:14:19: note[privileged-container] "),
        "{compact}"
    );
    let (_, github) = run(lenient, "github");
    assert!(
        github.starts_with("::notice file=k8s/app.yaml,line=14,"),
        "{github}"
    );
    assert!(!github.contains("::error"), "{github}");
    let (_, json) = run(lenient, "json");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["preExisting"], 1);
    assert_eq!(json["findings"][0]["preExisting"], true);
    let (_, junit) = run(lenient, "junit");
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(
        junit.contains("<skipped message=\"pre-existing: already present before this change, not failing the run (1)\"/>"),
        "{junit}"
    );
    let (_, gitlab) = run(lenient, "gitlab");
    let gitlab: Value = serde_json::from_str(&gitlab).unwrap();
    assert_eq!(gitlab[0]["severity"], "info");
    let (_, sarif) = run(lenient, "sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        (&result["level"], &result["baselineState"]),
        (&"note".into(), &"unchanged".into())
    );
    assert_eq!(sarif["runs"][0]["properties"]["preExisting"], 1);

    // Enforced by the config: it fails the run, and every format says error.
    let strict: &[&str] = &["--config", "strict.yaml"];
    let (code, human) = run(strict, "human");
    assert_eq!(code, 1, "{human}");
    assert!(human.contains("error[privileged-container]"), "{human}");
    assert!(
        human.ends_with("1 error, 0 warnings in 1 file (1 document)\n"),
        "{human}"
    );
    let (_, github) = run(strict, "github");
    assert!(
        github.starts_with("::error file=k8s/app.yaml,line=14,"),
        "{github}"
    );
    let (_, json) = run(strict, "json");
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap()["summary"]["preExisting"],
        0
    );
    // --new-only: only what the change introduces fails it.
    let (code, github) = run(&["--config", "strict.yaml", "--new-only"], "github");
    assert_eq!(code, 0);
    assert!(github.starts_with("::notice "), "{github}");
}

/// A team rule on who may change ConfigMaps, and one on deleting them.
fn team_rules(repo: &Repo) {
    repo.write(
        "policy/deployers_only.rego",
        r#"package blastwall.rules.deployers_only

metadata := {
	"id": "deployers-only",
	"title": "Only deployers change ConfigMaps",
	"severity": "error",
	"category": "team",
	"description": "ConfigMaps are changed by the deploy pipeline only.",
	"remediation": "Let the pipeline apply it.",
}

deny contains {"msg": msg, "path": ["metadata", "name"]} if {
	input.review.kind.kind == "ConfigMap"
	not "deployers" in input.review.userInfo.groups
	msg := sprintf("%q is not a deployer", [input.review.userInfo.username])
}
"#,
    );
    repo.write(
        "policy/configmap_delete.rego",
        r#"package blastwall.rules.configmap_delete

metadata := {
	"id": "configmap-delete",
	"title": "ConfigMap deleted",
	"severity": "error",
	"category": "team",
	"description": "Deleting a ConfigMap breaks the pods that mount it.",
	"remediation": "Keep it until nothing mounts it.",
}

deny contains {"msg": msg, "path": ["data", "mode"]} if {
	input.review.operation == "DELETE"
	input.review.oldObject.kind == "ConfigMap"
	msg := sprintf("ConfigMap %s deleted", [input.review.oldObject.metadata.name])
}
"#,
    );
}

fn config_map(name: &str, mode: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: payroll\ndata:\n  mode: {mode}\n")
}

#[test]
fn as_and_as_group_set_who_makes_the_change() {
    let repo = Repo::new();
    team_rules(&repo);
    repo.commit("base");
    repo.write("k8s/settings.yaml", &config_map("settings", "fast"));
    let run = |extra: &[&str]| {
        let mut args = vec!["--rules", "policy", "--base", "main"];
        args.extend_from_slice(extra);
        args.push("k8s");
        let (code, report, _) = lint_base(&repo, &args);
        let messages: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect();
        (code, messages)
    };
    assert_eq!(
        run(&[]),
        (1, vec!["deployers-only \"\" is not a deployer".to_string()])
    );
    assert_eq!(
        run(&["--as", "alice", "--as-group", "payroll:devs"]),
        (
            1,
            vec!["deployers-only \"alice\" is not a deployer".to_string()]
        )
    );
    assert_eq!(
        run(&[
            "--as",
            "ci",
            "--as-group",
            "payroll:devs",
            "--as-group",
            "deployers"
        ]),
        (0, vec![])
    );
    // Plain lint takes them too.
    let (code, _) = repo.lint(&[
        "--rules",
        "policy",
        "--as",
        "ci",
        "--as-group",
        "deployers",
        "k8s",
    ]);
    assert_eq!(code, 0);
    let (code, _) = repo.lint(&["--rules", "policy", "--as", "ci", "k8s"]);
    assert_eq!(code, 1);
}

#[test]
fn a_deleted_object_is_reported_where_it_was_at_the_base() {
    let repo = Repo::new();
    team_rules(&repo);
    repo.write("k8s/gone.yaml", &config_map("gone", "fast"));
    repo.write(
        "k8s/both.yaml",
        &format!(
            "{}---\n{}",
            config_map("kept", "a"),
            config_map("dropped", "b")
        ),
    );
    repo.commit("base");
    repo.remove("k8s/gone.yaml");
    repo.write("k8s/both.yaml", &config_map("kept", "a"));
    let args = [
        "--rules",
        "policy",
        "--as",
        "ci",
        "--as-group",
        "deployers",
        "--base",
        "main",
        "k8s",
    ];
    let (code, report, stderr) = lint_base(&repo, &args);
    assert_eq!(
        findings(&report),
        [
            finding("configmap-delete", "main:k8s/both.yaml", 15, 9, false),
            finding("configmap-delete", "main:k8s/gone.yaml", 7, 9, false),
        ]
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("0 created, 0 changed, 2 deleted, 1 unchanged"),
        "{stderr}"
    );
    assert_eq!(report["findings"][1]["message"], "ConfigMap gone deleted");

    // The human format shows the removed lines; GitHub, which can only annotate the
    // pull request's files, names the place in the message.
    let human = repo
        .blastwall()
        .args(["lint", "--no-config", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("--> main:k8s/gone.yaml:7:9"), "{human}");
    assert!(human.contains("7 |   mode: fast"), "{human}");
    let github = repo
        .blastwall()
        .args(["lint", "--no-config", "--format", "github"])
        .args(args)
        .output()
        .unwrap();
    let github = String::from_utf8_lossy(&github.stdout);
    assert!(
        github.contains(
            "::error title=configmap-delete::main:k8s/gone.yaml:7:9: ConfigMap gone deleted"
        ),
        "{github}"
    );
}

#[test]
fn an_object_defined_twice_in_one_new_file_is_an_error() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    repo.commit("base");
    repo.write(
        "k8s/app.yaml",
        &format!(
            "{}---\n{}",
            pod("api", "1.0", false),
            pod("api", "2.0", false)
        ),
    );
    let (code, report, _) = lint_base(&repo, &["--base", "main", "k8s"]);
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "k8s/app.yaml");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(22), Some(9))
    );
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Pod payroll/api is defined again in this file (first at k8s/app.yaml:1:1)"
        ),
        "{message}"
    );
}

#[test]
fn an_unreadable_base_file_makes_its_objects_count_as_new() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", "apiVersion: v1\nkind: [\n");
    repo.commit("base");
    repo.write("k8s/app.yaml", &pod("api", "1.0", true));
    let (code, report, stderr) = lint_base(&repo, &["--base", "main", "k8s"]);
    assert_eq!(
        findings(&report),
        [finding(
            "privileged-container",
            "k8s/app.yaml",
            14,
            19,
            false
        )]
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("warning: main:k8s/app.yaml:"), "{stderr}");
    assert!(
        stderr.contains("objects there are compared as if new"),
        "{stderr}"
    );
}

#[test]
fn usage_and_git_errors_exit_2_with_a_clear_message() {
    let repo = Repo::new();
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    repo.commit("base");
    let run = |args: &[&str]| {
        let out = repo
            .blastwall()
            .arg("lint")
            .arg("--no-config")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let cases: [(&[&str], &str); 6] = [
        (
            &["--base", "no-such-branch", "k8s"],
            "unknown revision `no-such-branch`",
        ),
        // Never passed to git as an option.
        (
            &["--base=--output=x", "k8s"],
            "unknown revision `--output=x`",
        ),
        (
            &["--base", "main", "-"],
            "standard input (`-`) has no earlier revision",
        ),
        (
            &["--base", "main", ".git"],
            "is not inside a git working tree",
        ),
        (&["--new-only", "k8s"], "--base"),
        (&["--as-group", "deployers", "k8s"], "--as"),
    ];
    for (args, message) in cases {
        let (code, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }

    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("a.yaml"), pod("api", "1.0", false)).unwrap();
    let out = repo
        .blastwall()
        .current_dir(elsewhere.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            elsewhere.path().parent().unwrap(),
        )
        .args(["lint", "--no-config", "--base", "main", "a.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a.yaml is not inside a git working tree"),
        "{stderr}"
    );

    let no_git = tempfile::tempdir().unwrap();
    let out = repo
        .blastwall()
        .env("PATH", no_git.path())
        .args(["lint", "--no-config", "--base", "main", "k8s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot run `git`"), "{stderr}");
}

#[test]
fn triple_dot_compares_with_the_merge_base() {
    let repo = Repo::new();
    team_rules(&repo);
    repo.write("k8s/app.yaml", &config_map("app", "a"));
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("k8s/app.yaml", &config_map("app", "b"));
    repo.commit("feature");
    // main moves on after the branch was cut.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("k8s/later.yaml", &config_map("later", "a"));
    repo.commit("later on main");
    repo.git(&["checkout", "-q", "feature"]);

    let args = |base: &'static str| {
        [
            "--rules",
            "policy",
            "--as",
            "ci",
            "--as-group",
            "deployers",
            "--base",
            base,
            "k8s",
        ]
    };
    // Against the tip of main, what main gained looks deleted by the branch.
    let (code, report, stderr) = lint_base(&repo, &args("main"));
    assert!(
        stderr.contains("0 created, 1 changed, 1 deleted, 0 unchanged"),
        "{stderr}"
    );
    assert_eq!(code, 1);
    assert_eq!(findings(&report)[0].1, "main:k8s/later.yaml");
    // Against the merge-base, only the branch's own change is reviewed.
    let (code, report, stderr) = lint_base(&repo, &args("main..."));
    assert!(
        stderr.contains("0 created, 1 changed, 0 deleted, 0 unchanged"),
        "{stderr}"
    );
    assert_eq!((code, findings(&report)), (0, vec![]));
}

#[test]
fn exemptions_apply_to_reviews_and_untouched_ones_are_not_called_unused() {
    let repo = Repo::new();
    repo.write("k8s/legacy.yaml", &pod("legacy", "1.0", true));
    repo.write(
        "exempt.yaml",
        "apiVersion: blastwall.dev/v1alpha1
kind: Config
products:
  payroll:
    namespaces: [payroll]
    registries: [registry.example.com/payroll/]
exemptions:
- {rule: privileged-container, namespace: payroll, name: debug, reason: needs the GPU driver, owner: sre, expires: 2030-01-31}
- {rule: privileged-container, namespace: payroll, name: legacy, reason: being retired, owner: sre, expires: 2030-01-31}
",
    );
    repo.commit("base");
    repo.write("k8s/debug.yaml", &pod("debug", "1.0", true));
    let out = repo
        .blastwall()
        .env("BLASTWALL_TODAY", "2029-06-01")
        .args([
            "lint",
            "--format",
            "json",
            "--config",
            "exempt.yaml",
            "--base",
            "main",
            "k8s",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The new pod's finding is exempted; the legacy pod is not reviewed, and its
    // exemption is not reported as matching nothing.
    let rules: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["suppression"].is_object()))
        .collect();
    assert_eq!(rules, [("privileged-container", true)]);
    assert_eq!(out.status.code(), Some(0));
}

use crate::cases as change_cases;

/// The shared change cases (fixtures/change/cases.yaml), the third driver: the old
/// object committed at the base, the new one in the working tree (under another file
/// name, so the pairing by identity is exercised too), `--as`/`--as-group` for the
/// case's user. CONNECT cases have no manifest to lint and are left to the other two
/// drivers.
#[test]
fn lint_base_decides_every_change_case() {
    let table = change_cases::load();
    let cases: Vec<&change_cases::Case> = table
        .cases
        .iter()
        .filter(|c| c.operation != "CONNECT")
        .collect();
    assert!(cases.len() >= 20, "the table lost cases");
    // Each case is its own repository: a few at a time.
    let chunk = cases.len().div_ceil(3);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let table = &table;
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|case| drive_case(table, case).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("case thread"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// One change case through `lint --base`, checked against its expectations.
fn drive_case(table: &change_cases::Table, case: &change_cases::Case) -> Result<(), String> {
    let objects = change_cases::dir().join("objects");
    let repo = Repo::new();
    let config = fs::read_to_string(table.config_path()).unwrap();
    repo.write("blastwall.yaml", &config);
    // Never reviewed (unchanged); keeps the directory non-empty after a DELETE.
    repo.write(
        "k8s/untouched.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: untouched, namespace: kube-system}\n",
    );
    if let Some(old) = &case.old {
        repo.write(
            "k8s/before.yaml",
            &fs::read_to_string(objects.join(old)).unwrap(),
        );
    }
    repo.commit("base");
    if case.old.is_some() {
        repo.remove("k8s/before.yaml");
    }
    if let Some(new) = &case.new {
        repo.write(
            "k8s/after.yaml",
            &fs::read_to_string(objects.join(new)).unwrap(),
        );
    }
    let user = table.user(case);
    let mut cmd = repo.blastwall();
    cmd.args([
        "lint",
        "--format",
        "json",
        "--config",
        "blastwall.yaml",
        "--base",
        "main",
    ])
    .args(["--as", &user.username]);
    for g in &user.groups {
        cmd.args(["--as-group", g]);
    }
    let out = cmd.arg("k8s").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{}: exit code {:?}: {stderr}",
            case.name,
            out.status.code()
        ));
    }
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{}: no report ({e}): {stderr}", case.name))?;
    let mut outcome = change_cases::Outcome {
        allowed: out.status.code() == Some(0),
        deny: Default::default(),
        warn: Default::default(),
        pre_existing: Default::default(),
        lines: Vec::new(),
    };
    // As the webhook sorts them: errors deny, warnings and pre-existing errors warn.
    for f in report["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap().to_string();
        outcome
            .lines
            .push(format!("[{rule}] {}", f["message"].as_str().unwrap()));
        if f["preExisting"] == true {
            outcome.pre_existing.insert(rule.clone());
            outcome.warn.insert(rule);
        } else if f["severity"] == "error" {
            outcome.deny.insert(rule);
        } else if f["severity"] == "warning" {
            outcome.warn.insert(rule);
        }
    }
    case.check(&outcome)
}

#[test]
fn change_rules_fire_through_base_at_their_places() {
    let repo = Repo::new();
    let fixtures = change_cases::dir();
    let copy = |from: &str, to: &str| {
        repo.write(to, &fs::read_to_string(fixtures.join(from)).unwrap());
    };
    copy("blastwall.yaml", "blastwall.yaml");
    copy("objects/namespaces/payroll-api.yaml", "k8s/namespaces.yaml");
    copy("objects/aws-auth/base.yaml", "k8s/aws-auth.yaml");
    repo.commit("base");
    // The pull request deletes a product namespace and drops a node role.
    repo.remove("k8s/namespaces.yaml");
    copy(
        "objects/aws-auth/node-role-removed.yaml",
        "k8s/aws-auth.yaml",
    );
    let run = |user: &[&str]| {
        let out = repo
            .blastwall()
            .args([
                "lint",
                "--format",
                "json",
                "--config",
                "blastwall.yaml",
                "--base",
                "main",
                "--new-only",
            ])
            .args(user)
            .arg("k8s")
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap_or(-1), findings(&report))
    };
    let (code, found) = run(&["--as", "sre-admin:jo", "--as-group", "sre:admins"]);
    assert_eq!(
        found,
        [
            finding(
                "aws-auth-node-role-missing",
                "k8s/aws-auth.yaml",
                9,
                5,
                false
            ),
            finding(
                "aws-auth-node-role-removed",
                "k8s/aws-auth.yaml",
                9,
                5,
                false
            ),
            finding("namespace-delete", "main:k8s/namespaces.yaml", 1, 1, false),
        ]
    );
    assert_eq!(code, 1);
    // EKS removing the mapping of a node group it deletes is not a removal by a person.
    let (_, found) = run(&["--as", "eks:node-manager"]);
    let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(!rules.contains(&"aws-auth-node-role-removed"), "{rules:?}");
}

/// A finding on a deleted Secret points into the base revision's file, and the
/// snippet quoted from it masks the Secret's values as the head's are masked.
#[test]
fn a_deleted_secret_is_quoted_from_the_base_with_its_values_masked() {
    let repo = Repo::new();
    repo.write(
        "policy/secret_delete.rego",
        r#"package blastwall.rules.secret_delete

metadata := {
	"id": "secret-delete",
	"title": "Secret deleted",
	"severity": "error",
	"category": "team",
	"description": "Deleting a Secret breaks the pods that mount it.",
	"remediation": "Keep it until nothing mounts it.",
}

deny contains {"msg": "Secret deleted", "path": ["stringData", "token"]} if {
	input.review.operation == "DELETE"
	input.review.oldObject.kind == "Secret"
}
"#,
    );
    repo.write(
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: payroll\nstringData:\n  token: BASE-SECRET-8812\n",
    );
    repo.write("k8s/kept.yaml", &config_map("kept", "a"));
    repo.commit("base");
    repo.remove("k8s/secret.yaml");
    let out = repo
        .blastwall()
        .args(["lint", "--no-config", "--color", "never"])
        .args(["--rules", "policy", "--base", "main", "k8s"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{human}");
    assert!(human.contains("--> main:k8s/secret.yaml:7:10"), "{human}");
    assert!(human.contains("7 |   token: ****"), "{human}");
    assert!(!human.contains("BASE-SECRET-8812"), "{human}");
}

/// A Terraform file is the same document at both revisions (its path is its
/// identity): a change that widens an access policy's scope is reported as such.
#[test]
fn a_terraform_change_that_widens_an_access_scope_is_reported() {
    let repo = Repo::new();
    let tf = |scope: &str| {
        format!(
            "resource \"aws_eks_access_policy_association\" \"dev_edit\" {{\n  cluster_name  = \"payments-prod\"\n  principal_arn = \"arn:aws:iam::111122223333:role/payments-dev\"\n  policy_arn    = \"arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\"\n\n  access_scope {{\n{scope}  }}\n}}\n"
        )
    };
    repo.write(
        "infra/access.tf",
        &tf("    type       = \"namespace\"\n    namespaces = [\"payments-api\"]\n"),
    );
    repo.write("k8s/app.yaml", &pod("api", "1.0", false));
    repo.commit("base");
    repo.write("infra/access.tf", &tf("    type = \"cluster\"\n"));
    repo.commit("widen");

    let (code, report, stderr) =
        lint_base(&repo, &["--base", "HEAD~1", "--terraform", "infra", "k8s"]);
    // A warning: the run passes at the default threshold.
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    let widened: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.0 == "access-entry-widened")
        .collect();
    assert_eq!(
        widened,
        [finding(
            "access-entry-widened",
            "infra/access.tf",
            7,
            12,
            false
        )],
        "{report:#}"
    );
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "access-entry-widened")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("from namespaces payments-api to the whole cluster"),
        "{message}"
    );

    // Without --terraform the .tf files of the directories are read at neither revision.
    let (_, report, _) = lint_base(&repo, &["--base", "HEAD~1", "infra", "k8s"]);
    assert!(
        findings(&report)
            .iter()
            .all(|f| f.0 != "access-entry-widened"),
        "{report:#}"
    );
}

/// A pod template under `kind`: privileged or not, with image tag `tag`.
fn template(api_version: &str, kind: &str, tag: &str, privileged: bool) -> String {
    format!(
        "apiVersion: {api_version}
kind: {kind}
metadata:
  name: api
  namespace: payroll
spec:
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
      - name: api
        image: registry.example.com/payroll/api:{tag}
        securityContext:
          allowPrivilegeEscalation: false
{}        resources:
          limits: {{cpu: 500m, memory: 128Mi}}
",
        if privileged {
            "          privileged: true\n"
        } else {
            ""
        }
    )
}

#[test]
fn a_rollout_update_is_judged_as_the_same_deployment_update_is() {
    let repo = Repo::new();
    let kinds = [
        ("k8s/rollout.yaml", "argoproj.io/v1alpha1", "Rollout"),
        ("k8s/deployment.yaml", "apps/v1", "Deployment"),
    ];
    for (file, api_version, kind) in kinds {
        repo.write(file, &template(api_version, kind, "latest", false));
    }
    repo.commit("base");
    // The mutable tag was there already; the privileged container is new.
    for (file, api_version, kind) in kinds {
        repo.write(file, &template(api_version, kind, "latest", true));
    }
    let (code, report, stderr) = lint_base(&repo, &["--base", "main", "k8s"]);
    let all = findings(&report);
    for (file, _, _) in kinds {
        let of_file: Vec<_> = all.iter().filter(|f| f.1 == file).cloned().collect();
        assert_eq!(
            of_file,
            [
                finding("latest-image-tag", file, 17, 16, true),
                finding("privileged-container", file, 20, 23, false),
            ],
            "{file}: {all:#?}"
        );
    }
    assert_eq!(code, 1);
    assert!(
        stderr.contains("0 created, 2 changed, 0 deleted, 0 unchanged"),
        "{stderr}"
    );
}

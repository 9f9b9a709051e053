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
            f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/")
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
        let read = blastwall::source::revision::read(
            &[path.display().to_string()],
            "HEAD",
            1 << 20,
        )
        .unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let at_head: Vec<String> = read.files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(at_head, walked, "input {input}");
        assert!(read.files.iter().all(|f| f.name == format!("HEAD:{}", f.path)));
        assert!(read.files.iter().all(|f| f.bytes == yaml.as_bytes()));
    }

    // A file named explicitly is read even when ignored.
    let secret = repo.root().join("k8s/sub/secret.yaml").display().to_string();
    let read = blastwall::source::revision::read(&[secret], "HEAD", 1 << 20).unwrap();
    let paths: Vec<&str> = read.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["k8s/sub/secret.yaml"]);
}

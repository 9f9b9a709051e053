//! What `lint` does to and with its inputs: it never writes to them, never follows
//! a symlink out of a directory it walks, and reports what it cannot read (exit 2)
//! instead of hanging on it or skipping it silently.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{run, run_as};

const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: payroll
spec:
  containers:
  - name: app
    image: busybox:1.36
    securityContext:
      privileged: true
";

fn privileged(name: &str) -> String {
    PRIVILEGED.replace("{name}", name)
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Every entry under `root` (symlinks not followed): kind, permissions, mtime and
/// content.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (String, u32, SystemTime, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let kind = if meta.is_symlink() {
                format!("link -> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                pending.push(path.clone());
                "dir".to_string()
            } else {
                "file".to_string()
            };
            let content = if meta.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            let mode = meta.permissions().mode();
            out.insert(path, (kind, mode, meta.modified().unwrap(), content));
        }
    }
    out
}

fn names(report: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "privileged-container")
        .map(|f| f["object"]["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Lint a read-only tree in every format, from inside it: no file is created,
/// changed, touched or re-permissioned.
#[test]
fn lint_never_writes_to_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(&root.join("deploy/api.yaml"), &privileged("api"));
    write(
        &root.join("deploy/aws-auth.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/x\n      groups: [system:masters]\n",
    );
    write(&root.join("deploy/broken.yaml"), "a: [\n");
    write(
        &root.join("deploy/dup.yaml"),
        "kind: ConfigMap\nkind: Secret\n",
    );
    write(&root.join(".gitignore"), "ignored/\n");
    write(&root.join("ignored/x.yaml"), &privileged("ignored"));
    write(
        &root.join(".blastwall.yaml"),
        "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll: {namespaces: [payroll]}\n",
    );
    // Read-only files and directories (root ignores the bits; the snapshot does not).
    for (path, _) in snapshot(&root) {
        let mode = if path.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(&root);
    // mtimes have a granularity: make any write after this point visible.
    std::thread::sleep(std::time::Duration::from_millis(20));

    for format in ["human", "json", "sarif", "github", "junit"] {
        let r = run(&root, &["lint", "--format", format, "deploy", "-"], None);
        r.within_bounds(format);
        assert_eq!(
            r.code, 2,
            "{format}: the broken file makes it 2\n{}",
            r.stderr
        );
        assert!(!r.stdout.is_empty(), "{format}");
    }
    let r = run(&root, &["lint", "--format", "json", "."], None);
    assert_eq!(
        names(&r.json()),
        ["api"],
        "the .gitignored file is not read"
    );

    let after = snapshot(&root);
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files appeared or vanished"
    );
    for (path, state) in &before {
        assert_eq!(Some(state), after.get(path), "{} changed", path.display());
    }
}

/// A walked directory's symlinks are followed only to files inside it: a link to a
/// file outside, a link to a directory outside and a link loop are all skipped; a
/// link to a file inside is followed, and that file still read only once. A
/// link named on the command line is read: that is asking for it.
#[test]
fn walking_never_follows_symlinks_out_of_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    write(&outside.join("secret.yaml"), &privileged("outside"));
    let root = dir.path().join("root");
    write(&root.join("inside.yaml"), &privileged("inside"));
    std::os::unix::fs::symlink(root.join("inside.yaml"), root.join("alias.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), root.join("escape.yaml")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("escape-dir")).unwrap();
    std::os::unix::fs::symlink("../root", root.join("sub-loop")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", root.join("dangling.yaml")).unwrap();

    let r = run(
        dir.path(),
        &["lint", "--no-config", "--format", "json", "root"],
        None,
    );
    r.within_bounds("walk");
    let report = r.json();
    assert_eq!(r.code, 1, "{report:#}");
    // inside.yaml, once: the link that stays inside leads to the same file, which
    // is read once however many ways lead to it.
    assert_eq!(names(&report), ["inside"], "{report:#}");
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
    assert!(!r.stdout.contains("outside"), "{}", r.stdout);

    let r = run(
        dir.path(),
        &[
            "lint",
            "--no-config",
            "--format",
            "json",
            "root/escape.yaml",
        ],
        None,
    );
    assert_eq!(names(&r.json()), ["outside"]);
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Unreadable inputs are errors (exit 2) naming the input, whether named on the
/// command line or met while walking a directory.
#[test]
fn unreadable_inputs_are_errors_naming_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    write(&good, &privileged("good"));

    // A FIFO named like a manifest: reading it would block forever.
    let fifo = dir.path().join("pipe.yaml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    // A directory named like a manifest, holding none.
    std::fs::create_dir(dir.path().join("dir.yaml")).unwrap();
    // A missing file.
    let cases = [
        ("pipe.yaml", "is neither a file nor a directory"),
        ("dir.yaml", "is a directory, not a manifest file"),
        ("missing.yaml", "cannot read"),
    ];
    for (name, says) in cases {
        let r = run(
            dir.path(),
            &["lint", "--no-config", "--format", "json", name, "good.yaml"],
            None,
        );
        r.within_bounds(name);
        let report = r.json();
        assert_eq!(r.code, 2, "{name}: {report:#}");
        let message = report["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(name) && message.contains(says),
            "{name}: {message}"
        );
        // The readable input is still linted.
        assert_eq!(names(&report), ["good"], "{name}");
        // And the human format says it on stdout with the input's name.
        let r = run(dir.path(), &["lint", "--no-config", name], None);
        assert_eq!(r.code, 2);
        assert!(r.stdout.contains(name), "{name}: {}", r.stdout);
    }

    // Permission denied, named and walked. Root reads a mode-000 file anyway, so
    // as root the binary runs as `nobody`.
    let locked = dir.path().join("walked/locked.yaml");
    write(&locked, &privileged("locked"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let nobody = running_as_root().then_some(NOBODY);
    if nobody.is_some() && !nobody_can_run_the_binary() {
        eprintln!(
            "skipped: running as root and `nobody` cannot execute the test binary here \
             (a parent directory is private), so permission errors cannot be produced"
        );
        return;
    }
    if nobody.is_some() {
        for d in [dir.path(), &dir.path().join("walked")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    for input in ["walked/locked.yaml", "walked"] {
        let r = run_as(
            dir.path(),
            &[
                "lint",
                "--no-config",
                "--format",
                "json",
                input,
                "good.yaml",
            ],
            None,
            nobody,
        );
        r.within_bounds(input);
        let report = r.json();
        assert_eq!(r.code, 2, "{input}: {report:#}");
        let message = report["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("locked.yaml") && message.contains("ermission denied"),
            "{input}: {message}"
        );
        assert_eq!(names(&report), ["good"], "{input}");
    }
}

fn nobody_can_run_the_binary() -> bool {
    use std::os::unix::process::CommandExt;
    std::process::Command::new(env!("CARGO_BIN_EXE_blastwall"))
        .arg("--version")
        .uid(NOBODY)
        .gid(NOBODY)
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `nobody` user and group on Linux.
const NOBODY: u32 = 65534;

//! The few git plumbing commands `lint --base` needs, run as `git` subprocesses with
//! explicit arguments (no shell): find the repository of a path, resolve a revision
//! to a commit, list a tree, read blobs.
//!
//! Nothing here writes to the repository.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use thiserror::Error;

/// Why git could not give us what we asked.
#[derive(Debug, Error)]
pub enum GitError {
    #[error("cannot run `git` ({0}); --base needs git installed and on PATH")]
    Missing(String),
    #[error("{} is not inside a git working tree", path.display())]
    NotARepository { path: PathBuf },
    #[error("{} is outside the git repository at {}", path.display(), root.display())]
    OutsideRepository { path: PathBuf, root: PathBuf },
    #[error("unknown revision `{rev}` in the git repository at {}", root.display())]
    UnknownRevision { rev: String, root: PathBuf },
    #[error("`{rev}`: the two revisions have no common ancestor")]
    NoMergeBase { rev: String },
    #[error("`git {command}` failed: {message}")]
    Failed { command: String, message: String },
}

/// A git working tree, named by its top-level directory (canonical).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Repo {
    pub root: PathBuf,
}

/// One blob of a tree listing (`ls-tree -r -l`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// Path from the top of the repository, `/`-separated.
    pub path: String,
    pub oid: String,
    pub kind: EntryKind,
    pub size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Symlink,
    /// A submodule (gitlink): never read.
    Submodule,
}

fn git() -> Command {
    let mut cmd = Command::new("git");
    // No pager, no prompt: these are plumbing commands run non-interactively.
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .stdin(Stdio::null());
    cmd
}

fn spawn_error(e: std::io::Error) -> GitError {
    GitError::Missing(e.to_string())
}

/// Runs `git args` in `dir` and returns its stdout, or its stderr as the error.
fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, (String, GitError)> {
    let output = git()
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| (String::new(), spawn_error(e)))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        let err = GitError::Failed {
            command: args.join(" "),
            message: if stderr.is_empty() {
                output.status.to_string()
            } else {
                stderr.clone()
            },
        };
        Err((stderr, err))
    }
}

fn line(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

impl Repo {
    /// The repository that contains `path` (a file or directory that need not exist;
    /// its nearest existing ancestor decides), and `path` relative to its top level.
    pub fn containing(path: &Path) -> Result<(Repo, String), GitError> {
        let absolute = absolute(path);
        let (existing, rest) = split_existing(&absolute);
        let dir = if existing.is_dir() {
            existing.clone()
        } else {
            existing.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let top = match run(&dir, &["rev-parse", "--show-toplevel"]) {
            Ok(out) => line(out),
            Err((stderr, _))
                if stderr.contains("not a git repository")
                    || stderr.contains("must be run in a work tree") =>
            {
                return Err(GitError::NotARepository {
                    path: path.to_path_buf(),
                })
            }
            Err((_, e)) => return Err(e),
        };
        if top.is_empty() {
            // Inside `.git` or a bare repository: no working tree to compare with.
            return Err(GitError::NotARepository {
                path: path.to_path_buf(),
            });
        }
        let root = std::fs::canonicalize(&top).unwrap_or_else(|_| PathBuf::from(&top));
        let canonical = std::fs::canonicalize(&existing).unwrap_or(existing);
        let full = rest.iter().fold(canonical, |p, c| p.join(c));
        let outside = || GitError::OutsideRepository {
            path: path.to_path_buf(),
            root: root.clone(),
        };
        let relative = full.strip_prefix(&root).map_err(|_| outside())?;
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                std::path::Component::Normal(c) => parts.push(c.to_str().ok_or_else(outside)?),
                _ => return Err(outside()),
            }
        }
        let relative = parts.join("/");
        if relative == ".git" || relative.starts_with(".git/") {
            return Err(outside());
        }
        Ok((Repo { root }, relative))
    }

    /// The commit that `rev` names (a branch, tag, `origin/main`, a hash, `HEAD~1`…).
    /// `A...B` names their merge-base, as in `git diff A...B`; either side defaults
    /// to `HEAD`, so `origin/main...` is where the current branch left `origin/main`.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let unknown = || GitError::UnknownRevision {
            rev: rev.to_string(),
            root: self.root.clone(),
        };
        if let Some((a, b)) = rev.split_once("...") {
            let side = |s: &str| match s {
                "" => self.resolve("HEAD"),
                s if s.contains("...") => Err(unknown()),
                s => self.resolve(s),
            };
            let (a, b) = (side(a)?, side(b)?);
            return match run(&self.root, &["merge-base", &a, &b]) {
                Ok(out) => Ok(line(out)),
                Err((_, GitError::Missing(m))) => Err(GitError::Missing(m)),
                Err(_) => Err(GitError::NoMergeBase {
                    rev: rev.to_string(),
                }),
            };
        }
        // A leading `-` would be read as an option; no ref name starts with one.
        if rev.is_empty() || rev.starts_with('-') {
            return Err(unknown());
        }
        let spec = format!("{rev}^{{commit}}");
        match run(&self.root, &["rev-parse", "--verify", "--quiet", &spec]) {
            Ok(out) => {
                let oid = line(out);
                if oid.is_empty() {
                    Err(unknown())
                } else {
                    Ok(oid)
                }
            }
            Err((_, GitError::Missing(m))) => Err(GitError::Missing(m)),
            Err(_) => Err(unknown()),
        }
    }

    /// Every blob of `commit` at or under each of `paths` (repository-relative; an
    /// empty path is the whole tree).
    pub fn ls_tree(&self, commit: &str, paths: &[String]) -> Result<Vec<TreeEntry>, GitError> {
        let mut args = vec![
            "--literal-pathspecs",
            "ls-tree",
            "-r",
            "-z",
            "-l",
            "--full-tree",
            commit,
            "--",
        ];
        if !paths.iter().any(String::is_empty) {
            args.extend(paths.iter().map(String::as_str));
        }
        let out = run(&self.root, &args).map_err(|(_, e)| e)?;
        let mut entries = Vec::new();
        for record in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let text = String::from_utf8_lossy(record);
            let parsed = text.split_once('\t').and_then(|(meta, path)| {
                let mut fields = meta.split_whitespace();
                let (mode, _type, oid) = (fields.next()?, fields.next()?, fields.next()?);
                let size = fields.next()?.parse::<u64>().unwrap_or(0);
                let kind = match mode {
                    "120000" => EntryKind::Symlink,
                    "160000" => EntryKind::Submodule,
                    _ => EntryKind::File,
                };
                Some(TreeEntry {
                    path: path.to_string(),
                    oid: oid.to_string(),
                    kind,
                    size,
                })
            });
            match parsed {
                Some(entry) => entries.push(entry),
                None => {
                    return Err(GitError::Failed {
                        command: "ls-tree".into(),
                        message: format!("unexpected output line {text:?}"),
                    })
                }
            }
        }
        Ok(entries)
    }

    /// Where git keeps this working tree's `info/exclude`.
    pub fn info_exclude(&self) -> Option<PathBuf> {
        let out = run(&self.root, &["rev-parse", "--git-path", "info/exclude"]).ok()?;
        Some(self.root.join(line(out)))
    }

    /// A reader of blobs by object id (one `git cat-file --batch` process).
    pub fn blobs(&self) -> Result<BlobReader, GitError> {
        let mut child = git()
            .arg("-C")
            .arg(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let failed = || GitError::Failed {
            command: "cat-file --batch".into(),
            message: "no pipe to the process".into(),
        };
        let stdin = child.stdin.take().ok_or_else(failed)?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(failed)?);
        Ok(BlobReader {
            child,
            stdin: Some(stdin),
            stdout,
        })
    }
}

/// Reads blobs one at a time: `cat-file --batch` answers each request before the next
/// is written, so the pipes never fill up both ways.
pub struct BlobReader {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl BlobReader {
    /// The content of blob `oid`.
    pub fn read(&mut self, oid: &str) -> Result<Vec<u8>, GitError> {
        let failed = |message: String| GitError::Failed {
            command: "cat-file --batch".into(),
            message,
        };
        let stdin = self.stdin.as_mut().ok_or_else(|| failed("closed".into()))?;
        writeln!(stdin, "{oid}")
            .and_then(|_| stdin.flush())
            .map_err(|e| failed(e.to_string()))?;
        let mut header = String::new();
        self.stdout
            .read_line(&mut header)
            .map_err(|e| failed(e.to_string()))?;
        // `<oid> blob <size>`, or `<oid> missing`.
        let mut fields = header.split_whitespace();
        let size = match (fields.next(), fields.next(), fields.next()) {
            (Some(_), Some("blob"), Some(size)) => size.parse::<usize>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            return Err(failed(format!(
                "cannot read object {oid}: {}",
                header.trim()
            )));
        };
        let mut content = vec![0; size];
        self.stdout
            .read_exact(&mut content)
            .map_err(|e| failed(e.to_string()))?;
        let mut newline = [0u8; 1];
        self.stdout
            .read_exact(&mut newline)
            .map_err(|e| failed(e.to_string()))?;
        Ok(content)
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        // Closing stdin ends the process.
        self.stdin.take();
        self.child.wait().ok();
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// The longest prefix of `path` that exists, and the normal components after it.
/// `..` after the existing part is applied lexically.
fn split_existing(path: &Path) -> (PathBuf, Vec<std::ffi::OsString>) {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    rest.reverse();
    (existing, rest)
}

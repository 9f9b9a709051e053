//! The inputs as they were at a git revision: for each path, the files that
//! [`super::walk`] would pick in that revision's tree (`*.yaml`, `*.yml`, `*.json`;
//! `.gitignore` and `.ignore` as committed there, plus the repository's
//! `info/exclude` and the global excludes file; hidden directories skipped; a file
//! named explicitly read whatever its name).
//!
//! Files are named `REV:path`, with the path from the top of the repository, as
//! `git show REV:path` takes it; for a merge-base (`A...B`) REV is the commit's
//! abbreviated hash.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::git::{BlobReader, EntryKind, GitError, Repo, TreeEntry};
use super::Problem;

/// A file read from the revision.
#[derive(Debug)]
pub struct RevisionFile {
    /// `REV:path`, the name shown to users.
    pub name: String,
    pub repo: Repo,
    /// From the top of the repository, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Everything read from one revision.
#[derive(Debug, Default)]
pub struct Revision {
    pub files: Vec<RevisionFile>,
    /// The repositories the inputs lie in.
    pub repos: Vec<Repo>,
    /// Files that exist at the revision but could not be read (too large, a broken
    /// symlink named explicitly).
    pub problems: Vec<Problem>,
}

/// Reads `inputs` (paths as given on the command line) at revision `rev` of the
/// repository that contains each of them.
pub fn read(inputs: &[String], rev: &str, max_file_bytes: usize) -> Result<Revision, GitError> {
    read_with(inputs, rev, max_file_bytes, &[])
}

/// [`read`], picking the files with the extensions in `extra` too (`tf`), as
/// [`super::walk::discover_with`] does.
pub fn read_with(
    inputs: &[String],
    rev: &str,
    max_file_bytes: usize,
    extra: &[&str],
) -> Result<Revision, GitError> {
    let mut out = Revision::default();
    let mut commits: BTreeMap<Repo, String> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let global = Gitignore::global().0;
    for input in inputs {
        let (repo, rel) = Repo::containing(Path::new(input))?;
        let commit = match commits.get(&repo) {
            Some(c) => c.clone(),
            None => {
                let c = repo.resolve(rev)?;
                commits.insert(repo.clone(), c.clone());
                out.repos.push(repo.clone());
                c
            }
        };
        let tree = Tree::list(&repo, &commit, &rel)?;
        let mut blobs = repo.blobs()?;
        let picked = if tree.entry(&rel).is_some() {
            // A file named explicitly: read whatever its name, even when ignored.
            let mut one = Vec::new();
            match tree.follow(&repo, &commit, &rel)? {
                Some(target) => one.push((rel.clone(), target)),
                None => out.problems.push(problem(format!(
                    "{}:{rel}: a symbolic link to nothing readable",
                    shown(rev, &commit)
                ))),
            }
            one
        } else if rel.is_empty() || tree.has_dir(&rel) {
            let ignores = Ignores::load(&repo, &tree, &mut blobs, global.clone())?;
            let mut picked = Vec::new();
            for entry in tree.under(&rel) {
                if !ignores.walk_keeps(&rel, &entry.path, extra) {
                    continue;
                }
                let target = match entry.kind {
                    EntryKind::File => Some(entry.clone()),
                    // A link is read only when it names a manifest under the walked
                    // directory, as the file walk does.
                    EntryKind::Symlink => tree.follow(&repo, &commit, &entry.path)?.filter(|t| {
                        is_under(&t.path, &rel) && has_manifest_extension(&t.path, extra)
                    }),
                    EntryKind::Submodule => None,
                };
                if let Some(target) = target {
                    picked.push((entry.path.clone(), target));
                }
            }
            picked
        } else {
            // Absent at the revision: everything there now is new.
            Vec::new()
        };
        for (path, target) in picked {
            if !seen.insert((repo.clone(), path.clone())) {
                continue;
            }
            let name = format!("{}:{path}", shown(rev, &commit));
            if target.size > max_file_bytes as u64 {
                out.problems.push(problem(format!(
                    "{name}: is {} bytes, larger than the limit of {max_file_bytes} bytes; not read",
                    target.size
                )));
                continue;
            }
            let bytes = blobs.read(&target.oid)?;
            out.files.push(RevisionFile {
                name,
                repo: repo.clone(),
                path,
                bytes,
            });
        }
    }
    Ok(out)
}

impl Revision {
    /// The key of a file on disk that [`key`] gives the same file at the revision:
    /// its repository and its path there. `None` outside the repositories read.
    pub fn key_of(&self, path: &Path) -> Option<String> {
        let name = path.file_name()?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // The directory is resolved, not the file: a link is keyed by its own name.
        let full = std::fs::canonicalize(dir).ok()?.join(name);
        let repo = self
            .repos
            .iter()
            .filter(|r| full.starts_with(&r.root))
            .max_by_key(|r| r.root.as_os_str().len())?;
        let rel = full.strip_prefix(&repo.root).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        Some(key(repo, &parts?.join("/")))
    }
}

/// A key naming file `path` of repository `repo`, the same at every revision.
pub fn key(repo: &Repo, path: &str) -> String {
    format!("{}\u{0}{path}", repo.root.display())
}

/// How files of revision `rev` (commit `commit`) are named.
fn shown<'a>(rev: &'a str, commit: &'a str) -> &'a str {
    if rev.contains("...") {
        commit.get(..12).unwrap_or(commit)
    } else {
        rev
    }
}

fn problem(message: String) -> Problem {
    Problem {
        file: None,
        span: None,
        message,
    }
}

/// Whether the walk's file types (`*.yaml`, `*.yml`, `*.json`) select this name.
fn is_manifest_name(path: &str, extra: &[&str]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
        || extra
            .iter()
            .any(|ext| name.len() > ext.len() + 1 && name.ends_with(&format!(".{ext}")))
}

/// Whether a link's target has a manifest extension, as the walk checks it.
fn has_manifest_extension(path: &str, extra: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json") || extra.contains(&e))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether `path` is `dir` or lies under it.
fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// The blobs of one revision at and under an input path, with the ignore files of
/// the directories above it.
struct Tree {
    entries: Vec<TreeEntry>,
    index: HashMap<String, usize>,
}

impl Tree {
    fn list(repo: &Repo, commit: &str, rel: &str) -> Result<Tree, GitError> {
        let mut paths = vec![rel.to_string()];
        let mut dir = rel;
        while !dir.is_empty() {
            dir = parent(dir);
            for name in [".gitignore", ".ignore"] {
                paths.push(join(dir, name));
            }
        }
        Ok(Tree::new(repo.ls_tree(commit, &paths)?))
    }

    fn new(mut entries: Vec<TreeEntry>) -> Tree {
        // The order the file walk uses: by path, component by component.
        entries.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        Tree { entries, index }
    }

    fn entry(&self, path: &str) -> Option<&TreeEntry> {
        self.index.get(path).map(|&i| &self.entries[i])
    }

    fn has_dir(&self, dir: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.path.len() > dir.len() && is_under(&e.path, dir))
    }

    fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a TreeEntry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.path != dir && is_under(&e.path, dir))
    }

    /// The regular file `path` names, following symbolic links within the repository.
    fn follow(&self, repo: &Repo, commit: &str, path: &str) -> Result<Option<TreeEntry>, GitError> {
        let mut current = match self.entry(path) {
            Some(e) => e.clone(),
            None => return Ok(None),
        };
        let mut blobs: Option<BlobReader> = None;
        for _ in 0..40 {
            match current.kind {
                EntryKind::File => return Ok(Some(current)),
                EntryKind::Submodule => return Ok(None),
                EntryKind::Symlink => {}
            }
            let reader = match &mut blobs {
                Some(r) => r,
                None => blobs.insert(repo.blobs()?),
            };
            let target = String::from_utf8_lossy(&reader.read(&current.oid)?).into_owned();
            let Some(resolved) = resolve_link(parent(&current.path), &target) else {
                return Ok(None);
            };
            current = match self.entry(&resolved) {
                Some(e) => e.clone(),
                None => match repo
                    .ls_tree(commit, std::slice::from_ref(&resolved))?
                    .as_slice()
                {
                    [one] if one.path == resolved => one.clone(),
                    _ => return Ok(None),
                },
            };
        }
        Ok(None)
    }
}

/// `target` of a link in directory `dir`, as a path from the top of the repository;
/// `None` when it is absolute or leaves the repository.
fn resolve_link(dir: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The ignore rules of a revision, applied the way the file walk applies them: in
/// each directory, `.ignore` before `.gitignore`, the deepest file first, then
/// `info/exclude`, then the global excludes file.
struct Ignores {
    /// Directory → (`.ignore`, `.gitignore`) matchers.
    dirs: HashMap<String, [Option<Gitignore>; 2]>,
    exclude: Option<Gitignore>,
    global: Gitignore,
}

impl Ignores {
    fn load(
        repo: &Repo,
        tree: &Tree,
        blobs: &mut BlobReader,
        global: Gitignore,
    ) -> Result<Ignores, GitError> {
        let mut dirs: HashMap<String, [Option<Gitignore>; 2]> = HashMap::new();
        for entry in &tree.entries {
            let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
            let slot = match name {
                ".ignore" => 0,
                ".gitignore" => 1,
                _ => continue,
            };
            if entry.kind != EntryKind::File {
                continue;
            }
            let text = String::from_utf8_lossy(&blobs.read(&entry.oid)?).into_owned();
            let matcher = matcher(&text);
            dirs.entry(parent(&entry.path).to_string()).or_default()[slot] = Some(matcher);
        }
        let exclude = repo
            .info_exclude()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|text| matcher(&text));
        Ok(Ignores {
            dirs,
            exclude,
            global,
        })
    }

    /// Whether the walk of directory `root` keeps file `path`: no directory on the way
    /// is ignored or hidden, and the file is a manifest that is not ignored.
    fn walk_keeps(&self, root: &str, path: &str, extra: &[&str]) -> bool {
        let rest = if root.is_empty() {
            path
        } else {
            &path[root.len() + 1..]
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let mut current = root.to_string();
        for (i, part) in parts.iter().enumerate() {
            current = join(&current, part);
            let is_dir = i + 1 < parts.len();
            let m = self.matched(&current, is_dir);
            if m.is_ignore() {
                return false;
            }
            if is_dir {
                if m.is_none() && part.starts_with('.') {
                    return false;
                }
            } else if !is_manifest_name(part, extra) {
                return false;
            }
        }
        true
    }

    fn matched(&self, path: &str, is_dir: bool) -> Match<()> {
        let mut found: [Match<()>; 2] = [Match::None, Match::None];
        let mut dir = parent(path);
        loop {
            if let Some(matchers) = self.dirs.get(dir) {
                for (slot, matcher) in matchers.iter().enumerate() {
                    if let (Match::None, Some(m)) = (&found[slot], matcher) {
                        let relative = if dir.is_empty() {
                            path
                        } else {
                            &path[dir.len() + 1..]
                        };
                        found[slot] = m.matched(relative, is_dir).map(|_| ());
                    }
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = parent(dir);
        }
        let [ignore, gitignore] = found;
        let exclude = self
            .exclude
            .as_ref()
            .map_or(Match::None, |m| m.matched(path, is_dir).map(|_| ()));
        let global = self.global.matched(path, is_dir).map(|_| ());
        ignore.or(gitignore).or(exclude).or(global)
    }
}

fn matcher(text: &str) -> Gitignore {
    let mut builder = GitignoreBuilder::new(".");
    for (i, line) in text.lines().enumerate() {
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        // A line that is not a valid glob is skipped, as the file walk skips it.
        builder.add_line(None, line).ok();
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_within_the_repository() {
        assert_eq!(
            resolve_link("k8s/a", "../b/x.yaml").as_deref(),
            Some("k8s/b/x.yaml")
        );
        assert_eq!(resolve_link("", "./x.yaml").as_deref(), Some("x.yaml"));
        assert_eq!(resolve_link("k8s", "../../x.yaml"), None);
        assert_eq!(resolve_link("k8s", "/etc/passwd"), None);
    }

    #[test]
    fn under_means_the_directory_or_below_it() {
        assert!(is_under("k8s/a.yaml", "k8s"));
        assert!(!is_under("k8s2/a.yaml", "k8s"));
        assert!(is_under("anything", ""));
        assert!(is_manifest_name("a/b.yml", &[]));
        assert!(is_manifest_name("a/main.tf", &["tf"]));
        assert!(!is_manifest_name("a/main.tf", &[]));
        assert!(!is_manifest_name("a/.yaml.txt", &[]));
    }
}

//! Which files to read: explicit files always, directories walked for `*.yaml`,
//! `*.yml` and `*.json`, honouring `.gitignore`, `.ignore` and hidden files.

use std::path::{Path, PathBuf};

use ignore::types::TypesBuilder;
use ignore::WalkBuilder;

use super::Problem;

/// Files to read under `roots`, in a stable order, and the roots or entries that
/// could not be used. A file named explicitly is read whatever its extension.
pub fn discover(roots: &[PathBuf]) -> (Vec<PathBuf>, Vec<Problem>) {
    discover_with(roots, &[])
}

/// [`discover`], walking directories for the files with the extensions in `extra`
/// too (`tf` for Terraform).
pub fn discover_with(roots: &[PathBuf], extra: &[&str]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Err(e) => problems.push(problem(root, &format!("cannot read: {e}"))),
            Ok(meta) if meta.is_file() => files.push(root.clone()),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                walk_dir(root, extra, &mut files, &mut problems);
                // A path that yields nothing is a misconfigured CI step, not a clean run.
                if files.len() == before {
                    let what = if has_manifest_extension(root) {
                        "is a directory, not a manifest file, and holds no *.yaml, *.yml or *.json files (after .gitignore)"
                    } else {
                        "no *.yaml, *.yml or *.json files in this directory (after .gitignore)"
                    };
                    problems.push(problem(root, what));
                }
            }
            Ok(_) => problems.push(problem(root, "is neither a file nor a directory")),
        }
    }
    (files, problems)
}

fn walk_dir(root: &Path, extra: &[&str], files: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let mut types = TypesBuilder::new();
    // File types, not override globs: an override whitelist would beat .gitignore.
    let mut added = types
        .add("manifest", "*.yaml")
        .and_then(|_| types.add("manifest", "*.yml"))
        .and_then(|_| types.add("manifest", "*.json"));
    for ext in extra {
        added = added.and_then(|_| types.add("manifest", &format!("*.{ext}")));
    }
    let types = added.and_then(|_| types.select("manifest").build());
    let types = match types {
        Ok(t) => t,
        Err(e) => {
            problems.push(problem(root, &format!("cannot set up the file walk: {e}")));
            return;
        }
    };
    let walker = WalkBuilder::new(root)
        .types(types)
        .require_git(false) // a plain directory's .gitignore counts too
        .follow_links(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file {
                    files.push(entry.into_path());
                } else if entry.path_is_symlink() && entry.depth() > 0 {
                    // Symlinks are not followed, so a tree cannot send us outside itself;
                    // a link to a file inside the walked directory is read, others skipped.
                    if let Some(path) = symlink_inside(root, entry.path()) {
                        files.push(path);
                    }
                }
            }
            Err(e) => problems.push(Problem {
                file: None,
                span: None,
                message: format!("{}: cannot read: {e}", root.display()),
            }),
        }
    }
}

fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// The link's path if it names a manifest file that lies under `root`.
fn symlink_inside(root: &Path, link: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(link).ok()?;
    let root = std::fs::canonicalize(root).ok()?;
    let manifest = has_manifest_extension(&target);
    (manifest && target.is_file() && target.starts_with(&root)).then(|| link.to_path_buf())
}

fn problem(path: &Path, what: &str) -> Problem {
    Problem {
        file: None,
        span: None,
        message: format!("{}: {what}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(root: &Path, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.strip_prefix(root)
                    .unwrap_or(f)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walk_selects_manifests_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("app/sub")).unwrap();
        fs::create_dir_all(root.join("build")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        for f in [
            "app/b.yaml",
            "app/a.yml",
            "app/c.json",
            "app/readme.md",
            "app/sub/d.yaml",
            "app/secret.yaml",
            "build/out.yaml",
            ".hidden/x.yaml",
        ] {
            fs::write(root.join(f), "a: 1\n").unwrap();
        }
        fs::write(root.join(".gitignore"), "build/\nsecret.yaml\n").unwrap();
        let (files, problems) = discover(&[root.to_path_buf()]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            names(root, &files),
            ["app/a.yml", "app/b.yaml", "app/c.json", "app/sub/d.yaml"]
        );
    }

    #[test]
    fn a_directory_without_manifests_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("README.md"), "not a manifest").unwrap();
        let (files, problems) = discover(&[dir.path().to_path_buf()]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("no *.yaml"),
            "{:?}",
            problems[0]
        );
    }

    #[test]
    fn explicit_files_are_read_whatever_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("manifest.txt");
        fs::write(&file, "a: 1\n").unwrap();
        let ignored = dir.path().join("ignored.yaml");
        fs::write(&ignored, "a: 1\n").unwrap();
        fs::write(dir.path().join(".gitignore"), "ignored.yaml\n").unwrap();
        let (files, problems) = discover(&[file.clone(), ignored.clone()]);
        assert!(problems.is_empty());
        assert_eq!(files, [file, ignored]);
    }

    #[test]
    fn missing_path_and_directory_named_like_a_file_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.yaml");
        let (files, problems) = discover(&[missing]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("nope.yaml"), "{problems:?}");

        // A directory named x.yaml is walked (it is a directory), never read as a
        // file; holding no manifests, it is a problem that says what it is.
        let odd = dir.path().join("x.yaml");
        fs::create_dir(&odd).unwrap();
        let (files, problems) = discover(std::slice::from_ref(&odd));
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("x.yaml: is a directory"),
            "{problems:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("elsewhere.yaml"), "a: 1\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("real.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(root.join("real.yaml"), root.join("link.yaml")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("elsewhere.yaml"),
            root.join("escape.yaml"),
        )
        .unwrap();
        let (files, problems) = discover(&[root.to_path_buf()]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(names(root, &files), ["link.yaml", "real.yaml"]);
    }
}

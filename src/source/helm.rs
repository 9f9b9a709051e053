//! The `# Source: <chart>/templates/<file>` comments that `helm template` writes at
//! the top of every document it renders, so that a finding in the rendered stream
//! can also name the template it came from.
//!
//! Helm writes each rendered manifest as
//!
//! ```text
//! ---
//! # Source: payroll/templates/deployment.yaml
//! apiVersion: apps/v1
//! ```
//!
//! (`payroll/charts/redis/templates/...` for a subchart). A comment counts only among
//! the comment and blank lines that open a YAML document, before its first content
//! line; a document without one (written by hand, or by another tool into the same
//! stream) has no template, and never inherits the previous document's.

/// Where each YAML document of a file begins and the template it was rendered from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates {
    /// `(first byte of the document, template)`, sorted by byte; empty when the
    /// file has no `# Source:` comment at all.
    segments: Vec<(usize, Option<String>)>,
}

impl Templates {
    /// Finds the documents and their `# Source:` comments in `text`.
    pub fn scan(text: &str) -> Templates {
        if !text.contains("# Source:") {
            return Templates::default();
        }
        let mut segments = vec![(0, None)];
        // Whether the current document's content has begun (no more `# Source:`).
        let mut in_content = false;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let bare = line.trim_end_matches(['\n', '\r']);
            if is_marker(bare, "---") {
                segments.push((start, None));
                // `--- {kind: Pod}`: content on the marker line itself.
                in_content = !bare[3..].trim().is_empty() && !bare[3..].trim().starts_with('#');
                continue;
            }
            if is_marker(bare, "...") {
                segments.push((offset, None));
                in_content = false;
                continue;
            }
            if in_content {
                continue;
            }
            let trimmed = bare.trim();
            if let Some(comment) = trimmed.strip_prefix('#') {
                if let Some(path) = comment.trim_start().strip_prefix("Source:") {
                    let path = path.trim();
                    if let (false, Some(last)) = (path.is_empty(), segments.last_mut()) {
                        last.1 = Some(path.to_string());
                    }
                }
            } else if !trimmed.is_empty() && !trimmed.starts_with('%') {
                in_content = true;
            }
        }
        segments.dedup_by(|later, earlier| later.0 == earlier.0 && later.1.is_none());
        Templates { segments }
    }

    /// The template of the document that holds `byte`, if Helm named one.
    pub fn at(&self, byte: usize) -> Option<&str> {
        let i = self.segments.partition_point(|(start, _)| *start <= byte);
        self.segments.get(i.checked_sub(1)?)?.1.as_deref()
    }

    /// Whether any document of the file names a template.
    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(|(_, t)| t.is_none())
    }

    /// Puts `root` in front of every template path: `# Source:` paths start with the
    /// chart's name, so `root` is the directory that holds the chart directories.
    pub fn rebase(&mut self, root: &str) {
        let root = root.trim_end_matches('/');
        let root = root.strip_prefix("./").unwrap_or(root);
        if root.is_empty() || root == "." {
            return;
        }
        for (_, template) in &mut self.segments {
            if let Some(t) = template {
                *t = format!("{root}/{t}");
            }
        }
    }
}

/// `---` or `...` at the start of a line, alone or followed by white space.
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDERED: &str = "---\n# Source: payroll/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# Source: payroll/charts/redis/templates/sts.yaml\n# another comment\n\napiVersion: apps/v1\n# Source: not/a/header.yaml\nkind: StatefulSet\n---\napiVersion: v1\nkind: ConfigMap\n";

    fn at(text: &str, needle: &str) -> Option<String> {
        let t = Templates::scan(text);
        t.at(text.find(needle).unwrap()).map(str::to_string)
    }

    #[test]
    fn each_document_gets_the_template_named_at_its_top() {
        assert_eq!(
            at(RENDERED, "ServiceAccount").as_deref(),
            Some("payroll/templates/sa.yaml")
        );
        assert_eq!(
            at(RENDERED, "StatefulSet").as_deref(),
            Some("payroll/charts/redis/templates/sts.yaml")
        );
    }

    #[test]
    fn a_document_without_source_has_none_and_inherits_nothing() {
        assert_eq!(at(RENDERED, "ConfigMap"), None);
    }

    #[test]
    fn a_source_comment_inside_content_does_not_count() {
        let text = "apiVersion: v1\n# Source: x/templates/a.yaml\nkind: Pod\n";
        assert_eq!(at(text, "Pod"), None);
    }

    #[test]
    fn first_document_without_marker_and_document_end_markers() {
        let text = "# Source: a/templates/one.yaml\nkind: A\n...\n# Source: a/templates/two.yaml\nkind: B\n";
        assert_eq!(at(text, "A\n").as_deref(), Some("a/templates/one.yaml"));
        assert_eq!(at(text, "B\n").as_deref(), Some("a/templates/two.yaml"));
    }

    #[test]
    fn files_without_source_comments_cost_nothing() {
        let t = Templates::scan("kind: A\n---\nkind: B\n");
        assert!(t.is_empty());
        assert_eq!(t.at(5), None);
    }

    #[test]
    fn crlf_and_markers_with_comments() {
        let text = "--- # first\r\n# Source: c/templates/x.yaml\r\nkind: A\r\n";
        assert_eq!(at(text, "A\r").as_deref(), Some("c/templates/x.yaml"));
        // `---x` is not a marker.
        assert!(!is_marker("---x", "---"));
    }

    #[test]
    fn rebase_prefixes_the_charts_directory() {
        let mut t = Templates::scan(RENDERED);
        t.rebase("./charts/");
        let byte = RENDERED.find("ServiceAccount").unwrap();
        assert_eq!(t.at(byte), Some("charts/payroll/templates/sa.yaml"));
        let mut t = Templates::scan(RENDERED);
        t.rebase(".");
        assert_eq!(t.at(byte), Some("payroll/templates/sa.yaml"));
    }
}

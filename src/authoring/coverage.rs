//! Line coverage of rule modules, per file: which lines the tests went through.
//!
//! A rule's `metadata` is data, not logic: its lines are left out so that the
//! percentage says how much of the rule's logic was exercised.

use serde::Serialize;

use crate::engine::coverage::Coverage;
use crate::engine::RuleSource;

#[derive(Debug, Clone, Serialize)]
pub struct FileCoverage {
    pub file: String,
    /// Lines evaluated at least once.
    pub covered: Vec<u32>,
    /// Lines never evaluated.
    #[serde(rename = "notCovered")]
    pub not_covered: Vec<u32>,
    /// `covered / (covered + notCovered)`, in percent; 0 for a module never evaluated.
    pub percent: f64,
    /// Whether any test evaluated the module at all.
    pub evaluated: bool,
}

/// The coverage of each of `modules`, in their order.
pub fn report(gathered: &Coverage, modules: &[&RuleSource]) -> Vec<FileCoverage> {
    modules
        .iter()
        .map(|m| {
            let skip = metadata_lines(&m.text);
            let lines = gathered.modules.get(&m.name);
            let keep = |l: &&u32| !skip.contains(&(**l as usize));
            let (covered, not_covered): (Vec<u32>, Vec<u32>) = match lines {
                Some(lines) => (
                    lines.covered.iter().filter(keep).copied().collect(),
                    lines.not_covered.iter().filter(keep).copied().collect(),
                ),
                None => (Vec::new(), Vec::new()),
            };
            let total = covered.len() + not_covered.len();
            let percent = if total == 0 {
                if lines.is_some() {
                    100.0
                } else {
                    0.0
                }
            } else {
                100.0 * covered.len() as f64 / total as f64
            };
            FileCoverage {
                file: super::runner::display_name(&m.name).to_string(),
                covered,
                not_covered,
                percent,
                evaluated: lines.is_some(),
            }
        })
        .collect()
}

/// Lines of the `metadata := {` … `}` block (the closing brace at the start of a line).
fn metadata_lines(text: &str) -> std::ops::Range<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| {
        l.strip_prefix("metadata")
            .map(str::trim_start)
            .is_some_and(|r| r.starts_with(":=") || r.starts_with('='))
    }) else {
        return 0..0;
    };
    let end = (start..lines.len())
        .find(|&i| lines[i].starts_with('}'))
        .unwrap_or(start);
    start + 1..end + 2
}

/// `3-5, 9` for lines 3, 4, 5 and 9.
pub fn ranges(lines: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_collapse_consecutive_lines() {
        assert_eq!(ranges(&[3, 4, 5, 9, 11, 12]), "3-5, 9, 11-12");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn the_metadata_block_is_found() {
        let text = "package x\n\nmetadata := {\n\t\"id\": \"x\",\n}\n\ndeny contains 1 if true\n";
        assert_eq!(metadata_lines(text), 3..6);
    }
}

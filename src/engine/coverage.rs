//! Which lines of which modules evaluations went through (regorus's `coverage`),
//! gathered over many evaluations.

use std::collections::{BTreeMap, BTreeSet};

/// Lines of one module: those evaluated at least once, and those never evaluated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleLines {
    pub covered: BTreeSet<u32>,
    pub not_covered: BTreeSet<u32>,
}

/// Coverage by module (source name, as in [`super::RuleSource::name`]).
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub modules: BTreeMap<String, ModuleLines>,
}

impl Coverage {
    /// Adds one regorus report: a line is covered once any evaluation covered it.
    pub fn merge(&mut self, report: &regorus::coverage::Report) {
        for file in &report.files {
            let lines = self.modules.entry(file.path.clone()).or_default();
            lines.covered.extend(file.covered.iter().copied());
            lines.not_covered.extend(file.not_covered.iter().copied());
            let covered = lines.covered.clone();
            lines.not_covered.retain(|l| !covered.contains(l));
        }
    }

    /// Adds what `engine` gathered since coverage was enabled on it.
    pub fn merge_from(&mut self, engine: &regorus::Engine) {
        if let Ok(report) = engine.get_coverage_report() {
            self.merge(&report);
        }
    }

    /// Adds another gathering.
    pub fn extend(&mut self, other: &Coverage) {
        for (name, theirs) in &other.modules {
            let lines = self.modules.entry(name.clone()).or_default();
            lines.covered.extend(theirs.covered.iter().copied());
            lines.not_covered.extend(theirs.not_covered.iter().copied());
            let covered = lines.covered.clone();
            lines.not_covered.retain(|l| !covered.contains(l));
        }
    }
}

//! `blastwall test`: the Rego unit tests and fixture suites of rule directories,
//! with per-file line coverage on request.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::ValueEnum;
use serde_json::json;

use super::exit;
use crate::authoring::coverage::{ranges, FileCoverage};
use crate::authoring::runner::{self, DiffLine, Kind, Options, Outcome, RunError, TestResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Rule directories to test, each loaded with the built-in pack; none: the
    /// config's `ruleDirs` (as `lint` loads them), or without those the built-in
    /// pack itself.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub config: super::ConfigArgs,
    /// Report, per rule file, which lines the tests went through.
    #[arg(long)]
    pub coverage: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: TestFormat,
    /// Print only failures and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: TestArgs) -> anyhow::Result<u8> {
    let options = Options {
        coverage: args.coverage,
        evaluator: crate::engine::Evaluator::Interpreter,
    };
    let config = args.config.load()?;
    let dirs = super::engine::rule_dirs(&args.dirs, config.as_ref());
    let outcome = match runner::run(&dirs, options) {
        Ok(outcome) => outcome,
        Err(RunError::Config { suite, error }) => {
            let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none();
            eprintln!("error: in the config of {suite}");
            eprint!("{}", error.render(color));
            return Ok(exit::ERROR);
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        TestFormat::Human => human(&outcome, args.quiet, &mut out),
        TestFormat::Json => json(&outcome, &mut out),
    }
    .context("cannot write the results")?;
    out.flush().ok();
    Ok(if outcome.passed() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

fn human(outcome: &Outcome, quiet: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for r in &outcome.results {
        if r.passed && quiet {
            continue;
        }
        let status = match (&r.skipped, r.passed) {
            (Some(_), _) => "skip",
            (None, true) => "ok  ",
            (None, false) => "FAIL",
        };
        writeln!(out, "{status} {}: {}", r.location, r.name)?;
        if let Some(why) = &r.skipped {
            writeln!(out, "     {why}")?;
        }
        if let Some(error) = &r.error {
            for line in error.lines().filter(|l| !l.trim().is_empty()) {
                writeln!(out, "     {line}")?;
            }
        }
        if !r.diff.is_empty() {
            writeln!(out, "     expected (-) vs actual (+) findings:")?;
            for line in &r.diff {
                let (mark, text, note) = match line {
                    DiffLine::Found(t) => (' ', t, ""),
                    DiffLine::Missing(t) => ('-', t, "   (not found)"),
                    DiffLine::Forbidden(t) => ('+', t, "   (must be absent)"),
                    DiffLine::Other(t) => ('+', t, ""),
                };
                writeln!(out, "     {mark} {text}{note}")?;
            }
        }
    }
    if let Some(coverage) = &outcome.coverage {
        writeln!(out)?;
        writeln!(out, "coverage (lines of rule logic evaluated):")?;
        let width = coverage.iter().map(|c| c.file.len()).max().unwrap_or(0);
        for c in coverage {
            let detail = coverage_detail(c);
            writeln!(out, "  {:<width$}  {:>5.1}%  {detail}", c.file, c.percent)?;
        }
        let (covered, total) = totals(coverage);
        if total > 0 {
            writeln!(
                out,
                "  total: {covered} of {total} lines ({:.1}%)",
                100.0 * covered as f64 / total as f64
            )?;
        }
    }
    let count = |kind: Kind| {
        let of: Vec<&TestResult> = outcome.results.iter().filter(|r| r.kind == kind).collect();
        (of.len(), of.iter().filter(|r| !r.passed).count())
    };
    let (units, units_failed) = count(Kind::Unit);
    let (cases, cases_failed) = count(Kind::Case);
    let (gator, gator_failed) = count(Kind::Gator);
    let skipped = outcome
        .results
        .iter()
        .filter(|r| r.skipped.is_some())
        .count();
    let failed = units_failed + cases_failed + gator_failed;
    let gator = match gator {
        0 => String::new(),
        n => format!(", {n} gator cases"),
    };
    let skipped_note = match skipped {
        0 => String::new(),
        n => format!("; {n} skipped"),
    };
    writeln!(out)?;
    writeln!(
        out,
        "test result: {}. {} passed; {failed} failed{skipped_note} ({units} Rego tests, {cases} fixture cases{gator})",
        if failed == 0 { "ok" } else { "FAILED" },
        outcome.results.len() - failed - skipped,
    )?;
    Ok(())
}

fn coverage_detail(c: &FileCoverage) -> String {
    if !c.evaluated {
        return "never evaluated".into();
    }
    let total = c.covered.len() + c.not_covered.len();
    if c.not_covered.is_empty() {
        format!("{total}/{total} lines")
    } else {
        format!(
            "{}/{total} lines, not covered: {}",
            c.covered.len(),
            ranges(&c.not_covered)
        )
    }
}

fn totals(coverage: &[FileCoverage]) -> (usize, usize) {
    coverage.iter().fold((0, 0), |(c, t), f| {
        (
            c + f.covered.len(),
            t + f.covered.len() + f.not_covered.len(),
        )
    })
}

fn json(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    let results: Vec<_> = outcome
        .results
        .iter()
        .map(|r| {
            let diff: Vec<_> = r
                .diff
                .iter()
                .map(|d| match d {
                    DiffLine::Found(t) => json!({"found": t}),
                    DiffLine::Missing(t) => json!({"missing": t}),
                    DiffLine::Forbidden(t) => json!({"forbidden": t}),
                    DiffLine::Other(t) => json!({"other": t}),
                })
                .collect();
            json!({
                "kind": match r.kind { Kind::Unit => "rego", Kind::Case => "case", Kind::Gator => "gator" },
                "skipped": r.skipped,
                "location": r.location,
                "name": r.name,
                "passed": r.passed,
                "error": r.error,
                "diff": diff,
                "expect": r.hits,
                "absent": r.misses,
            })
        })
        .collect();
    let failed = outcome.results.iter().filter(|r| !r.passed).count();
    let mut report = json!({
        "version": 1,
        "results": results,
        "rules": outcome.rules,
        "summary": {"passed": outcome.results.len() - failed, "failed": failed},
    });
    if let Some(coverage) = &outcome.coverage {
        let (covered, total) = totals(coverage);
        report["coverage"] = json!({"files": coverage, "covered": covered, "total": total});
    }
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

use std::io::{IsTerminal, Write};

use anyhow::Context;

use super::{exit, ColorChoice, LintArgs};
use crate::report::{self, Format, Report};
use crate::source::{load, Limits};

pub fn run(args: LintArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let engine = super::engine::build(&args.rule_dirs, config.as_ref())?;
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };
    let loaded = load::load(&args.paths, &limits, &mut std::io::stdin().lock());
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let ctx = crate::facts::tenancy::run_context(config, &loaded.documents);
    let findings = crate::lint::lint_with(&engine, &loaded, &ctx, threads)?;

    let stdout = std::io::stdout();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.format == Format::Human
                && stdout.is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let report = Report {
        files: &loaded.files,
        findings: &findings,
        problems: &loaded.problems,
        rules: engine.rules(),
        documents: loaded.documents.len(),
        color,
    };
    let mut out = stdout.lock();
    report::write(&report, args.format, &mut out).context("cannot write the report")?;
    out.flush().ok();

    let threshold = args.severity_threshold.severity();
    Ok(if !loaded.problems.is_empty() {
        exit::ERROR
    } else if findings
        .iter()
        .any(|f| f.is_active() && f.severity >= threshold)
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

use std::io::{IsTerminal, Write};

use anyhow::Context;

use super::{exit, ColorChoice, LintArgs};
use crate::exempt::{self, Exemptions};
use crate::report::{self, Format, Report};
use crate::source::{load, FileId, Limits, SourceFile};

pub fn run(args: LintArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let engine = super::engine::build(&args.rule_dirs, config.as_ref())?;
    let clock = exempt::Clock::from_env().map_err(anyhow::Error::msg)?;
    let exemptions = match &config {
        Some(config) => Exemptions::from_config(config, clock),
        None => Exemptions::default(),
    };
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };
    let mut loaded = load::load(&args.paths, &limits, &mut std::io::stdin().lock());
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let ctx = crate::facts::tenancy::run_context(config.clone(), &loaded.documents);
    let run = exempt::Run::new(&exemptions, engine.rules());
    let mut findings =
        crate::lint::lint_with_exemptions(&engine, &loaded, &ctx, Some(&run), threads)?;
    if let Some(config) = &config {
        // Findings about the config's own exemptions point into the config file,
        // which then becomes one of the report's files.
        let about_config = run.config_findings(config, Some(FileId(loaded.files.len())));
        if let (false, Some(source)) = (about_config.is_empty(), &config.source) {
            loaded.files.push(SourceFile::new(
                source.file.name.clone(),
                source.file.path.clone(),
                source.file.text.clone(),
            ));
        }
        findings.extend(about_config);
        findings = crate::enforce::apply_ci(config, findings);
    }

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

use std::io::{IsTerminal, Write};

use anyhow::Context;

use super::{exit, ColorChoice, LintArgs};
use crate::config::Config;
use crate::engine::Engine;
use crate::exempt::{self, Exemptions};
use crate::finding::{Finding, RuleMeta};
use crate::report::{self, Format, Report};
use crate::source::{load, FileId, Limits, Problem, SourceFile};

pub fn run(args: LintArgs) -> anyhow::Result<u8> {
    let setup = Setup::new(&args)?;
    if let Some(rev) = &args.change.base {
        return super::base::run(&args, rev, setup);
    }
    let Setup {
        config,
        engine,
        gatekeeper,
        rules,
        exemptions,
        limits,
        threads,
    } = setup;
    let mut loaded = load::load(&args.paths, &limits, &mut std::io::stdin().lock());
    rebase_templates(&args, &mut loaded.files);
    let mut ctx = crate::facts::tenancy::run_context(config.clone(), &loaded.documents);
    if !gatekeeper.is_empty() {
        // data.inventory and the Namespaces of constraints: the linted documents.
        let run = crate::gatekeeper::Run::for_documents(gatekeeper, &loaded.documents)?;
        ctx.gatekeeper = Some(std::sync::Arc::new(run));
    }
    let run = exempt::Run::new(&exemptions, &rules);
    let requester = args.change.requester();
    let mut findings =
        crate::lint::lint_as(&engine, &loaded, &ctx, Some(&run), &requester, threads)?;
    if let Some(config) = &config {
        findings = about_config(config, &run, &mut loaded.files, findings, |_| true);
    }
    crate::source::redact::secret_values(&mut loaded);
    let output = Output {
        files: &loaded.files,
        findings: &findings,
        problems: &loaded.problems,
        documents: loaded.documents.len(),
    };
    emit(&args, &rules, &output, |f| f.is_active())
}

/// Puts `--helm-root` in front of the Helm template paths of `files`.
pub(super) fn rebase_templates(args: &LintArgs, files: &mut [SourceFile]) {
    if let Some(root) = &args.helm_root {
        for file in files {
            file.templates.rebase(root);
        }
    }
}

/// What every lint run needs before reading inputs.
pub(super) struct Setup {
    pub config: Option<Config>,
    pub engine: Engine,
    /// The Gatekeeper constraints of the run (`--rules` and the config's `gatekeeper`).
    pub gatekeeper: std::sync::Arc<crate::gatekeeper::Gatekeeper>,
    /// Metadata of the rules and of the constraints.
    pub rules: Vec<RuleMeta>,
    pub exemptions: Exemptions,
    pub limits: Limits,
    pub threads: usize,
}

impl Setup {
    fn new(args: &LintArgs) -> anyhow::Result<Setup> {
        let config = args.config.load()?;
        let super::engine::Policies {
            engine,
            gatekeeper,
            rules,
        } = super::engine::build_all(&args.rule_dirs, config.as_ref())?;
        let clock = exempt::Clock::from_env().map_err(anyhow::Error::msg)?;
        let exemptions = match &config {
            Some(config) => Exemptions::from_config(config, clock),
            None => Exemptions::default(),
        };
        let limits = Limits {
            max_file_bytes: args.max_file_size,
            ..Limits::default()
        };
        let threads = match args.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        Ok(Setup {
            config,
            engine,
            gatekeeper,
            rules,
            exemptions,
            limits,
            threads,
        })
    }
}

/// Adds the findings about the config's own exemptions that `keep` keeps (they point
/// into the config file, which then becomes one of `files`), and applies the config's
/// CI enforcement to all.
pub(super) fn about_config(
    config: &Config,
    run: &exempt::Run,
    files: &mut Vec<SourceFile>,
    mut findings: Vec<Finding>,
    keep: impl Fn(&Finding) -> bool,
) -> Vec<Finding> {
    let mut about: Vec<Finding> = run.config_findings(config, Some(FileId(files.len())));
    about.retain(keep);
    if let (false, Some(source)) = (about.is_empty(), &config.source) {
        files.push(SourceFile::new(
            source.file.name.clone(),
            source.file.path.clone(),
            source.file.text.clone(),
        ));
    }
    findings.extend(about);
    crate::enforce::apply_ci(config, findings)
}

/// What one lint run reports.
pub(super) struct Output<'a> {
    pub files: &'a [SourceFile],
    pub findings: &'a [Finding],
    pub problems: &'a [Problem],
    pub documents: usize,
}

/// Writes the report and returns the exit code: 2 on any problem, else 1 when a
/// finding at or above the threshold `counts`, else 0.
pub(super) fn emit(
    args: &LintArgs,
    rules: &[RuleMeta],
    output: &Output,
    counts: impl Fn(&Finding) -> bool,
) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.format == Format::Human
                && args.output.is_none()
                && stdout.is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let report = Report {
        files: output.files,
        findings: output.findings,
        problems: output.problems,
        rules,
        documents: output.documents,
        color,
    };
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                report::write(&report, args.format, &mut out)?;
                out.flush()
            });
            written.with_context(|| format!("cannot write the report to {}", path.display()))?;
        }
        None => {
            let mut out = stdout.lock();
            report::write(&report, args.format, &mut out).context("cannot write the report")?;
            out.flush().ok();
        }
    }

    let threshold = args.severity_threshold.severity();
    Ok(if !output.problems.is_empty() {
        exit::ERROR
    } else if output
        .findings
        .iter()
        .any(|f| f.severity >= threshold && counts(f))
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

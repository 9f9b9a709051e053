use std::io::{IsTerminal, Write};

use anyhow::Context;

use super::{exit, ColorChoice, LintArgs};
use crate::config::Config;
use crate::engine::Engine;
use crate::exempt::{self, Exemptions};
use crate::finding::{Finding, RuleMeta};
use crate::report::{self, escape, Format, Report};
use crate::source::{load, FileId, Limits, Loaded, Problem, SkipReason, Skipped, SourceFile};

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
    let mut loaded = load::load_with(
        &args.paths,
        &limits,
        &mut std::io::stdin().lock(),
        extra_extensions(&args, config.as_ref()),
    );
    account_for_skipped(&mut loaded, args.allow_empty);
    rebase_templates(&args, &mut loaded.files);
    let mut ctx =
        crate::facts::tenancy::run_context_in(config.clone(), &loaded.documents, &loaded.files);
    ctx.access_run = access_run(&loaded, config.as_ref());
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
    exclude(&args, &mut findings);
    crate::source::redact::secret_values(&mut loaded);
    let kinds = kinds_of(&loaded.documents);
    let output = Output {
        files: &loaded.files,
        findings: &findings,
        problems: &loaded.problems,
        documents: loaded.documents.len(),
        kinds: &kinds,
    };
    emit(&args, &rules, &output, &report::none_tolerated)
}

/// The access declarations of the run, for the rules that compare documents
/// (aws-auth in one file, access entries in another).
pub(super) fn access_run(
    loaded: &Loaded,
    config: Option<&Config>,
) -> Option<std::sync::Arc<crate::access_entries::run::RunIndex>> {
    let cluster = config.and_then(|c| c.cluster.name.as_deref());
    crate::access_entries::run::RunIndex::build(loaded, cluster).map(std::sync::Arc::new)
}

/// Drops the findings of the rules `--exclude` names.
pub(super) fn exclude(args: &LintArgs, findings: &mut Vec<Finding>) {
    if !args.exclude.is_empty() {
        findings.retain(|f| !args.exclude.contains(&f.rule));
    }
}

/// Checks that every `--exclude` names a rule, with the rule meant for a typo.
fn check_excluded(args: &LintArgs, rules: &[RuleMeta]) -> anyhow::Result<()> {
    for id in &args.exclude {
        if !rules.iter().any(|r| r.id == *id) {
            let id = escape::line(id);
            match crate::config::suggest_rule(&id, rules) {
                Some(near) => anyhow::bail!(
                    "--exclude {id}: no such rule; did you mean `{near}`? `blastwall rules` lists them"
                ),
                None => {
                    anyhow::bail!("--exclude {id}: no such rule; `blastwall rules` lists them")
                }
            }
        }
    }
    Ok(())
}

/// Says what was read but not linted. An input named explicitly (or stdin) that
/// yields no Kubernetes object is a problem, unless `allow_empty`; so is a run that
/// lints nothing at all. Everything else skipped is one note per reason on stderr.
pub(super) fn account_for_skipped(loaded: &mut Loaded, allow_empty: bool) {
    let with_objects: std::collections::HashSet<FileId> =
        loaded.documents.iter().map(|d| d.file).collect();
    let with_problems: std::collections::HashSet<FileId> =
        loaded.problems.iter().filter_map(|p| p.file).collect();
    let objects_in = |file: FileId| with_objects.contains(&file);
    let troubled = |file: FileId| with_problems.contains(&file);
    let mut problems = Vec::new();
    let mut notes: Vec<&Skipped> = Vec::new();
    for skipped in &loaded.skipped {
        let yields_nothing = !objects_in(skipped.file) && !troubled(skipped.file);
        if skipped.named && yields_nothing && !allow_empty {
            let span = match &skipped.reason {
                SkipReason::NotObjects { first, .. } => Some(first.clone()),
                SkipReason::HelmTemplate { at } => Some(at.clone()),
                _ => None,
            };
            problems.push(Problem {
                file: Some(skipped.file),
                span,
                // The file is the problem's place: every format names it.
                message: format!(
                    "nothing to lint: it {}{}",
                    reason_for_named(&skipped.reason),
                    ALLOW_EMPTY
                ),
            });
        } else {
            notes.push(skipped);
        }
    }
    let nothing_linted = loaded.documents.is_empty();
    for note in skip_notes(&loaded.files, &notes) {
        eprintln!("note: {note}");
    }
    let quiet = !problems.is_empty() || !loaded.problems.is_empty();
    loaded.problems.extend(problems);
    if nothing_linted && !quiet && !allow_empty {
        loaded.problems.push(Problem {
            file: None,
            span: None,
            message: format!("no Kubernetes object in the input: nothing was linted{ALLOW_EMPTY}"),
        });
    }
}

const ALLOW_EMPTY: &str = " (--allow-empty accepts this)";

/// The reason of a skip, as the rest of "it …".
fn reason_for_named(reason: &SkipReason) -> String {
    match reason {
        SkipReason::NotObjects { count: 1, .. } => {
            "holds no Kubernetes object: its document has no apiVersion and kind".into()
        }
        SkipReason::NotObjects { count, .. } => format!(
            "holds no Kubernetes object: none of its {count} documents has an apiVersion and kind"
        ),
        other => other.describe(),
    }
}

/// One line per kind of skip: how many, and where (the first few places).
fn skip_notes(files: &[SourceFile], skipped: &[&Skipped]) -> Vec<String> {
    let place = |s: &Skipped| {
        let Some(file) = files.get(s.file.0) else {
            return String::new();
        };
        let name = escape::line(&file.name);
        match &s.reason {
            SkipReason::NotObjects { first, .. } | SkipReason::HelmTemplate { at: first } => {
                let (line, column) = file.line_col(first.start);
                format!("{name}:{line}:{column}")
            }
            _ => name.into_owned(),
        }
    };
    let list = |of: &[&&Skipped]| {
        let mut places: Vec<String> = of.iter().take(3).map(|s| place(s)).collect();
        if of.len() > 3 {
            places.push(format!("and {} more", of.len() - 3));
        }
        places.join(", ")
    };
    let mut notes = Vec::new();
    let objects: Vec<&&Skipped> = skipped
        .iter()
        .filter(|s| matches!(s.reason, SkipReason::NotObjects { .. }))
        .collect();
    if !objects.is_empty() {
        let count: usize = objects
            .iter()
            .map(|s| match s.reason {
                SkipReason::NotObjects { count, .. } => count,
                _ => 0,
            })
            .sum();
        let what = if count == 1 {
            "1 document is not a Kubernetes object (no apiVersion and kind) and was".to_string()
        } else {
            format!(
                "{count} documents are not Kubernetes objects (no apiVersion and kind) and were"
            )
        };
        notes.push(format!("{what} not linted: {}", list(&objects)));
    }
    let templates: Vec<&&Skipped> = skipped
        .iter()
        .filter(|s| matches!(s.reason, SkipReason::HelmTemplate { .. }))
        .collect();
    if !templates.is_empty() {
        notes.push(format!(
            "{} not linted: {}; lint what they render: `helm template CHART | blastwall lint -`",
            plural_of(templates.len(), "unrendered Helm template"),
            list(&templates)
        ));
    }
    let json: Vec<&&Skipped> = skipped
        .iter()
        .filter(|s| s.reason == SkipReason::NotManifestJson)
        .collect();
    if !json.is_empty() {
        let what = if json.len() == 1 {
            "1 JSON file that does not parse and names no apiVersion or kind (not a manifest) was"
                .to_string()
        } else {
            format!("{} JSON files that do not parse and name no apiVersion or kind (not manifests) were", json.len())
        };
        notes.push(format!("{what} not linted: {}", list(&json)));
    }
    let empty: Vec<&&Skipped> = skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Empty)
        .collect();
    if !empty.is_empty() {
        let what = if empty.len() == 1 {
            "1 file holds".to_string()
        } else {
            format!("{} files hold", empty.len())
        };
        notes.push(format!(
            "{what} no YAML document (empty or only comments): {}",
            list(&empty)
        ));
    }
    notes
}

fn plural_of(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Once per run, on stderr: without a tenancy config, the tenancy rules (the ones
/// that keep each product inside its blast radius) cannot run.
fn tenancy_notice(args: &LintArgs, config: Option<&Config>, rules: &[RuleMeta]) {
    if config.is_some() || args.config.no_config {
        return;
    }
    let off: Vec<&str> = rules
        .iter()
        .filter(|r| r.category == "tenancy")
        .map(|r| r.id.as_str())
        .collect();
    if off.is_empty() {
        return;
    }
    eprintln!(
        "note: no tenancy config (.blastwall.yaml here or in a parent directory, or --config FILE): \
         the {} tenancy rules are off ({}); `blastwall init` writes a starter config, \
         --no-config runs without one and without this note",
        off.len(),
        off.join(", ")
    );
}

/// The extensions directories are walked for beyond `*.yaml`, `*.yml`, `*.json`:
/// the flags, or the config's `lint` settings.
pub(super) fn extra_extensions(
    args: &LintArgs,
    config: Option<&Config>,
) -> &'static [&'static str] {
    let settings = config.map(|c| &c.lint);
    let terraform = args.terraform || settings.is_some_and(|s| s.terraform);
    let cloudformation = args.cloudformation || settings.is_some_and(|s| s.cloudformation);
    match (terraform, cloudformation) {
        (true, true) => &["tf", "template"],
        (true, false) => &["tf"],
        (false, true) => &["template"],
        (false, false) => &[],
    }
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
            mut engine,
            mut gatekeeper,
            rules,
        } = super::engine::build_all(&args.rule_dirs, config.as_ref())?;
        check_excluded(args, &rules)?;
        tenancy_notice(args, config.as_ref(), &rules);
        engine.set_evaluator(args.engine.into());
        let limit = std::time::Duration::try_from_secs_f64(args.time_limit)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--time-limit {}: give a positive number of seconds",
                    args.time_limit
                )
            })?;
        engine.set_time_limit(limit)?;
        // The same limit for each Gatekeeper template's evaluation of a document.
        std::sync::Arc::make_mut(&mut gatekeeper).set_time_limit(limit);
        let clock = exempt::Clock::from_env().map_err(anyhow::Error::msg)?;
        let exemptions = match &config {
            Some(config) => Exemptions::from_config(config, clock),
            None => Exemptions::default(),
        };
        let threads = match args.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let limits = Limits {
            max_file_bytes: args.max_file_size,
            threads,
            ..Limits::default()
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
    pub kinds: &'a [(FileId, String)],
}

/// The kind of each document, with its file.
pub(super) fn kinds_of(documents: &[crate::source::Document]) -> Vec<(FileId, String)> {
    documents
        .iter()
        .map(|d| (d.file, crate::finding::ObjectRef::from_value(&d.value).kind))
        .collect()
}

/// Writes the report and returns the exit code: 2 on any problem, else 1 when an
/// active finding at or above the threshold is not `tolerated` (pre-existing and
/// not failing the run), else 0. A reader that stops reading (`lint … | head`) ends
/// the report quietly, with the same exit code.
pub(super) fn emit(
    args: &LintArgs,
    rules: &[RuleMeta],
    output: &Output,
    tolerated: &dyn Fn(&Finding) -> bool,
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
        kinds: output.kinds,
        color,
        tolerated,
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
            let written = report::write(&report, args.format, &mut out).and_then(|_| out.flush());
            match written {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write the report")?,
            }
        }
    }

    let threshold = args.severity_threshold.severity();
    Ok(if !output.problems.is_empty() {
        exit::ERROR
    } else if output
        .findings
        .iter()
        .any(|f| f.severity >= threshold && f.is_active() && !tolerated(f))
    {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

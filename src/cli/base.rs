//! `blastwall lint --base REF`: review the change from git revision REF to the inputs
//! as they are now; `--as`/`--as-group` for who makes it.

use std::collections::HashMap;
use std::sync::Arc;

use super::lint::{about_config, emit, Output, Setup};
use super::LintArgs;
use crate::change::PreExistingPolicy;
use crate::exempt;
use crate::facts::tenancy::{namespace_labels, Tenancy};
use crate::facts::Context;
use crate::finding::Finding;
use crate::lint::base::{lint_change, Sides};
use crate::report::escape;
use crate::review::Requester;
use crate::source::{load, revision};

/// Comparing with a git revision, and who makes the change.
#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// Review the change from git revision REF (e.g. the pull request's merge-base) to
    /// the inputs as they are: objects added, changed (with their old version) and
    /// removed are reviewed as CREATE, UPDATE and DELETE; unchanged objects are not.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// With --base: exit 1 only for findings the change introduces. Pre-existing
    /// findings (already on the old version of an object) are still reported, marked.
    #[arg(long, requires = "base")]
    pub new_only: bool,
    /// The user the change is made by (`userInfo.username`), to try requester rules.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// A group of that user (`userInfo.groups`; repeatable).
    #[arg(long = "as-group", value_name = "GROUP", requires = "as_user")]
    pub as_groups: Vec<String>,
}

impl ChangeArgs {
    /// `userInfo` of every review: `--as` and `--as-group`, or nobody.
    pub fn requester(&self) -> Requester {
        match &self.as_user {
            Some(user) => Requester {
                username: user.clone(),
                groups: self.as_groups.clone(),
            },
            None => Requester::default(),
        }
    }
}

pub(super) fn run(args: &LintArgs, rev: &str, setup: Setup) -> anyhow::Result<u8> {
    if args.paths.iter().any(|p| p == "-") {
        anyhow::bail!(
            "--base compares files with git revision {rev}; standard input (`-`) has no earlier revision: name the files or directories instead"
        );
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
    let revision = revision::read_with(
        &args.paths,
        rev,
        limits.max_file_bytes,
        super::lint::extra_extensions(args, config.as_ref()),
    )?;
    let mut head = load::load_with(
        &args.paths,
        &limits,
        &mut std::io::empty(),
        super::lint::extra_extensions(args, config.as_ref()),
    );
    // A change may remove every object: an empty head is no error here.
    super::lint::account_for_skipped(&mut head, true);
    super::lint::rebase_templates(args, &mut head.files);

    let keys: HashMap<&str, String> = revision
        .files
        .iter()
        .map(|f| (f.name.as_str(), revision::key(&f.repo, &f.path)))
        .collect();
    let base_files = revision
        .files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.clone()))
        .collect();
    let mut base = load::load_named(base_files, &limits);
    let base_keys: Vec<String> = base
        .files
        .iter()
        .map(|f| keys.get(f.name.as_str()).cloned().unwrap_or_default())
        .collect();
    let head_keys: Vec<String> = head
        .files
        .iter()
        .map(|f| {
            f.path
                .as_deref()
                .and_then(|p| revision.key_of(p))
                .unwrap_or_else(|| format!("\u{1}{}", f.name))
        })
        .collect();

    let policy = config
        .as_ref()
        .map(PreExistingPolicy::from_config)
        .unwrap_or_default();
    let mut ctx = match config.clone() {
        None => Context::default(),
        Some(config) => {
            // The namespaces as the cluster knows them before the change, updated by it.
            let mut labels = namespace_labels(&base.documents);
            labels.extend(namespace_labels(&head.documents));
            Context {
                tenancy: Some(Arc::new(Tenancy::new(config))),
                namespaces: Some(Arc::new(labels)),
                gatekeeper: None,
                roles: None,
                access_run: None,
            }
        }
    };
    // The roles as they are after the change, for the bindings of either side.
    ctx.roles = Some(Arc::new(crate::facts::rbac::Roles::new(
        &head.documents,
        &head.files,
    )));
    if !gatekeeper.is_empty() {
        // data.inventory and the Namespaces: the inputs as they are after the change.
        let run = crate::gatekeeper::Run::for_documents(gatekeeper, &head.documents)?;
        ctx.gatekeeper = Some(Arc::new(run));
    }
    let sides = Sides {
        head: &head,
        head_keys: &head_keys,
        base: &base,
        base_keys: &base_keys,
    };
    let run = exempt::Run::new(&exemptions, &rules);
    let requester = args.change.requester();
    let outcome = lint_change(&engine, &sides, &ctx, Some(&run), &requester, threads)?;

    for problem in &revision.problems {
        eprintln!(
            "warning: {}; objects there are compared as if new",
            escape::line(&problem.message)
        );
    }
    for warning in &outcome.warnings {
        eprintln!("warning: {}", escape::line(warning));
    }
    eprintln!(
        "compared with {rev}: {} created, {} changed, {} deleted, {} unchanged",
        outcome.created, outcome.updated, outcome.deleted, outcome.unchanged
    );

    crate::source::redact::secret_values(&mut head);
    // The base files that findings point into, as masked as the head's: same
    // length and lines, so only the text changes.
    crate::source::redact::secret_values(&mut base);
    let mut base_files = outcome.base_files;
    for file in &mut base_files {
        if let Some(masked) = base.files.iter().find(|b| b.name == file.name) {
            file.text.clone_from(&masked.text);
        }
    }
    let mut files = std::mem::take(&mut head.files);
    files.extend(base_files);
    let mut problems = std::mem::take(&mut head.problems);
    problems.extend(outcome.problems);
    let mut findings = outcome.findings;
    if let Some(config) = &config {
        // An exemption of an object the change leaves alone is not reviewed, so
        // "matches no finding" would be noise here; expired ones are still reported.
        findings = about_config(config, &run, &mut files, findings, |f| {
            f.rule != exempt::UNUSED
        });
    }
    super::lint::exclude(args, &mut findings);
    let kinds = super::lint::kinds_of(&head.documents);
    let output = Output {
        files: &files,
        findings: &findings,
        problems: &problems,
        documents: head.documents.len(),
        kinds: &kinds,
    };
    let new_only = args.change.new_only;
    // Pre-existing findings fail the run only where the config enforces them, and
    // never with --new-only; the others are reported apart, as notices.
    let tolerated = |f: &Finding| f.pre_existing && (new_only || !policy.counts(&f.rule, true));
    emit(args, &rules, &output, &tolerated)
}

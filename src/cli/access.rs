//! `blastwall access`: who can reach which product.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::{exit, ConfigArgs};
use crate::access::query::Change;
use crate::access::render::{
    self, AccessFormat, Answer, CrossProduct, NamespaceAnswer, PrincipalReach, Query,
};
use crate::access::{self, Graph};
use crate::source::{load, revision, Limits, Loaded};

/// What makes `access` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// A principal of one product can act in another product's namespaces, and the
    /// config does not allow it (with --base: the change adds such reach).
    CrossProduct,
}

#[derive(Debug, clap::Args)]
pub struct AccessArgs {
    /// Files, directories, or `-` for standard input (as `lint` reads them).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: AccessFormat,
    /// Write the answer to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Everything this principal can do, per namespace: an IAM ARN, a username, a
    /// group, or `sa:NAMESPACE/NAME`.
    #[arg(long, value_name = "PRINCIPAL", conflicts_with = "namespace")]
    pub principal: Option<String>,
    /// Who can act in this namespace (narrowed by --verb and --resource).
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// With --namespace: only this verb (`create`, `get`, ...).
    #[arg(long, requires = "namespace")]
    pub verb: Option<String>,
    /// With --namespace: only this resource (`pods`, `pods/exec`, `secrets`, ...).
    #[arg(long, requires = "namespace")]
    pub resource: Option<String>,
    /// Exit 1 when this kind of reach exists.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Report the reach the change from git revision REF adds and removes.
    #[arg(long, value_name = "REF", conflicts_with_all = ["principal", "namespace"])]
    pub base: Option<String>,
    /// Largest input file read, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: usize,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: AccessArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };
    let extra = extra_extensions(config.as_ref());
    let loaded = load::load_with(&args.paths, &limits, &mut std::io::stdin().lock(), extra);
    report_problems(&loaded);
    let mut graph = access::build(&loaded, config.as_ref());
    // A principal's or a namespace's view needs the matrix only for the page and the
    // verdict.
    let single = args.principal.is_some() || args.namespace.is_some();
    let needs_matrix = !single || args.format == AccessFormat::Html || args.fail_on.is_some();
    let matrix = needs_matrix.then(|| graph.matrix());
    let cross = matrix.as_ref().map(|m| {
        let mut cross = CrossProduct::default();
        for cell in m.cells.iter().filter(|c| c.cross_product) {
            cross.total += cell.entries.len();
            cross.not_allowed += cell.entries.iter().filter(|e| !e.allowed).count();
        }
        cross
    });
    let mut answer = Answer {
        version: render::VERSION,
        query: Query {
            kind: "matrix",
            ..Query::default()
        },
        matrix: None,
        principals: None,
        namespace: None,
        changes: None,
        cross_product: cross,
        cluster: config.as_ref().and_then(|c| c.cluster.name.clone()),
    };
    let mut failed =
        args.fail_on == Some(FailOn::CrossProduct) && cross.is_some_and(|c| c.not_allowed > 0);
    if let Some(rev) = &args.base {
        let changes = changes(&args, rev, &limits, config.as_ref(), &graph)?;
        answer.query.kind = "diff";
        answer.query.base = Some(rev.clone());
        if args.fail_on == Some(FailOn::CrossProduct) {
            failed = changes
                .iter()
                .any(|c| c.change == "gains" && c.cross_product && !c.allowed);
        }
        answer.changes = Some(changes);
        if matches!(args.format, AccessFormat::Html | AccessFormat::Json) {
            answer.matrix = matrix;
        }
    } else if let Some(query) = &args.principal {
        answer.query.kind = "principal";
        answer.query.principal = Some(query.clone());
        let mut found = graph.find_principals(query);
        if found.is_empty() {
            found.extend(graph.subject_principal(query));
        }
        if found.is_empty() {
            anyhow::bail!(
                "no principal {query} in the inputs: give an IAM ARN that aws-auth or an IRSA annotation names, a username or group that a binding or aws-auth names, or sa:NAMESPACE/NAME"
            );
        }
        let reach = found
            .into_iter()
            .map(|p| PrincipalReach {
                principal: graph.principal_info(p),
                identities: graph.identity_steps(p),
                reach: graph.reach(p),
            })
            .collect();
        answer.principals = Some(reach);
        if args.format == AccessFormat::Html {
            answer.matrix = matrix;
        }
    } else if let Some(ns) = &args.namespace {
        answer.query.kind = "namespace";
        answer.query.namespace = Some(ns.clone());
        answer.query.verb.clone_from(&args.verb);
        answer.query.resource.clone_from(&args.resource);
        let (target, via) = match graph.namespaces.get(ns) {
            Some(n) => (n.target.clone(), n.via.clone()),
            None => graph.owner_of(ns),
        };
        answer.namespace = Some(NamespaceAnswer {
            name: ns.clone(),
            owner: target.label().to_string(),
            via,
            entries: graph.who_can(ns, args.verb.as_deref(), args.resource.as_deref()),
        });
        if args.format == AccessFormat::Html {
            answer.matrix = matrix;
        }
    } else {
        answer.matrix = matrix;
    }
    write(&args, &answer)?;
    Ok(if !loaded.problems.is_empty() {
        exit::ERROR
    } else if failed {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// Terraform files and `*.template`s of directories, when the config's `lint`
/// settings ask for them (access entries may be declared there).
fn extra_extensions(config: Option<&crate::config::Config>) -> &'static [&'static str] {
    match config.map(|c| &c.lint) {
        Some(l) if l.terraform && l.cloudformation => &["tf", "template"],
        Some(l) if l.terraform => &["tf"],
        Some(l) if l.cloudformation => &["template"],
        _ => &[],
    }
}

/// The reach the change from `rev` adds and removes.
fn changes(
    args: &AccessArgs,
    rev: &str,
    limits: &Limits,
    config: Option<&crate::config::Config>,
    head: &Graph,
) -> anyhow::Result<Vec<Change>> {
    if args.paths.iter().any(|p| p == "-") {
        anyhow::bail!(
            "--base compares files with git revision {rev}; standard input (`-`) has no earlier revision: name the files or directories instead"
        );
    }
    let extra = extra_extensions(config);
    let revision = revision::read_with(&args.paths, rev, limits.max_file_bytes, extra)?;
    for problem in &revision.problems {
        eprintln!("warning: {}", problem.message);
    }
    let files = revision
        .files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.clone()))
        .collect();
    let base = load::load_named(files, limits);
    for problem in &base.problems {
        eprintln!("warning: {rev}: {}", problem_text(&base, problem));
    }
    let base = access::build(&base, config);
    Ok(crate::access::query::diff(&base, head))
}

fn write(args: &AccessArgs, answer: &Answer) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                render::write(answer, args.format, &mut out)?;
                out.flush()
            });
            written.with_context(|| format!("cannot write the answer to {}", path.display()))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            render::write(answer, args.format, &mut out).context("cannot write the answer")?;
            out.flush().ok();
            Ok(())
        }
    }
}

fn problem_text(loaded: &Loaded, p: &crate::source::Problem) -> String {
    match (p.file, &p.span) {
        (Some(f), Some(span)) => {
            let file = &loaded.files[f.0];
            let (line, col) = file.line_col(span.start);
            format!("{}:{line}:{col}: {}", file.name, p.message)
        }
        (Some(f), None) => format!("{}: {}", loaded.files[f.0].name, p.message),
        _ => p.message.clone(),
    }
}

/// Unreadable inputs go to stderr; the answer covers what was read, and the exit
/// code is 2.
fn report_problems(loaded: &Loaded) {
    for p in &loaded.problems {
        eprintln!("error: {}", problem_text(loaded, p));
    }
}

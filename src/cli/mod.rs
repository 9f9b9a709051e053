//! The `blastwall` command line.

mod access;
#[cfg(feature = "audit")]
mod audit;
mod base;
mod engine;
mod generate;
mod init;
mod lint;
mod new_rule;
mod review;
mod rules;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use base::ChangeArgs;

use crate::finding::Severity;
use crate::report::Format;

/// Exit codes CI can trust.
pub mod exit {
    /// No finding at or above the threshold.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the threshold.
    pub const FINDINGS: u8 = 1;
    /// Usage, configuration, rule compilation or unreadable input.
    pub const ERROR: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "blastwall",
    version,
    about = "Keep each product inside its own blast radius: lint Kubernetes manifests and aws-auth with the rules the admission webhook enforces",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint manifests from files, directories (recursively, honouring .gitignore) or `-` for stdin.
    Lint(LintArgs),
    /// List every rule, or explain one.
    Rules(RulesArgs),
    /// Decide an AdmissionReview (JSON, from a file or `-`) exactly as the webhook
    /// would, and print the AdmissionReview response.
    Review(ReviewArgs),
    /// Write a commented starter config (`.blastwall.yaml`) for one cluster per product.
    Init(init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with `--out-dir`.
    Man(generate::ManArgs),
    /// Run the Rego unit tests and fixture suites of rule directories (default: the
    /// built-in pack).
    Test(test::TestArgs),
    /// Scaffold a rule: its module with metadata, a Rego unit test and a fixture suite.
    NewRule(new_rule::NewRuleArgs),
    /// Who can reach which product: IAM principal -> groups -> bindings -> roles ->
    /// verbs per namespace, as a product matrix, a principal's or a namespace's view,
    /// a graph (Mermaid, DOT) or an HTML page.
    Access(access::AccessArgs),
    /// Judge what a live cluster already holds with the same rules, config and
    /// exemptions (read-only); report as lint does, or as PolicyReports.
    #[cfg(feature = "audit")]
    Audit(audit::AuditArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Error,
    Warning,
    Info,
}

impl Threshold {
    pub fn severity(self) -> Severity {
        match self {
            Threshold::Error => Severity::Error,
            Threshold::Warning => Severity::Warning,
            Threshold::Info => Severity::Info,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Files, directories, or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output (the exit code is the same).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub severity_threshold: Threshold,
    /// A directory of extra rule modules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Largest input file read, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: usize,
    /// Also read the Terraform files (`*.tf`) of directories, for the EKS access
    /// entries and cluster access settings they declare. A `.tf` file named on the
    /// command line is always read.
    #[arg(long)]
    pub terraform: bool,
    /// Also read the CloudFormation templates named `*.template` of directories.
    /// Templates in `*.yaml`, `*.yml` and `*.json` files are always read, and
    /// recognised by their content.
    #[arg(long)]
    pub cloudformation: bool,
    /// Threads used to read files and evaluate documents (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Longest time the rules may take on one document, in seconds: a rule that
    /// runs longer (a runaway user rule) fails the run with an error naming the
    /// document, instead of hanging CI.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub time_limit: f64,
    /// What evaluates the rules: `compiled` (regorus's VM, programs compiled once per
    /// run) or `interpreter` (the reference; slower, same findings).
    #[arg(long, value_enum, default_value = "compiled")]
    pub engine: EngineChoice,
    /// The directory holding the charts whose `helm template` output is linted: a
    /// document headed `# Source: payroll/templates/x.yaml` is then reported as
    /// rendered from DIR/payroll/templates/x.yaml (GitHub annotations and SARIF
    /// point at that file for stdin).
    #[arg(long, value_name = "DIR")]
    pub helm_root: Option<String>,
    /// Do not report RULE (repeatable): its findings are dropped before the report.
    #[arg(long, value_name = "RULE")]
    pub exclude: Vec<String>,
    /// Accept inputs that hold no Kubernetes object: an empty stdin, an empty or
    /// non-manifest file named explicitly (e.g. by pre-commit), a run that lints
    /// nothing. Without it each is an error (exit 2), said with the reason.
    #[arg(long)]
    pub allow_empty: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// Where the tenancy config comes from.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// The tenancy config; default: `.blastwall.yaml` in the working directory or
    /// its nearest parent that has one.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Run without a tenancy config even if `.blastwall.yaml` exists (tenancy rules stay silent).
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// An AdmissionReview JSON file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub input: String,
    /// A directory of extra rule modules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// What evaluates the rules: `compiled` (regorus's VM, as the webhook) or
    /// `interpreter` (the reference; slower, same findings).
    #[arg(long, value_enum, default_value = "compiled")]
    pub engine: EngineChoice,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Explain this rule: description, remediation and an example.
    pub id: Option<String>,
    /// `text`: one line per rule; `markdown`: the full reference of every rule
    /// (what `docs/rules.md` holds); `json`: every rule's metadata.
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value = "text",
        conflicts_with = "id"
    )]
    pub format: rules::RulesFormat,
    /// A directory of extra rule modules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

impl ConfigArgs {
    /// The config of this run, if any; an invalid config is an error rendered with its
    /// location.
    pub fn load(&self) -> anyhow::Result<Option<crate::config::Config>> {
        if self.no_config {
            return Ok(None);
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        crate::config::resolve(self.config.as_deref(), &cwd).map_err(|e| {
            let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", e.render(color));
            anyhow::Error::new(Reported)
        })
    }
}

/// Checks the rule ids and parameters `config` names against `rules` (the rules and
/// the Gatekeeper constraints of a run); a problem is rendered with its place in the
/// config file.
pub fn check_rules(
    config: &crate::config::Config,
    rules: &[crate::finding::RuleMeta],
) -> anyhow::Result<()> {
    crate::config::check_rules(config, rules).map_err(|e| {
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
            && std::env::var_os("NO_COLOR").is_none();
        eprint!("{}", e.render(color));
        anyhow::Error::new(Reported)
    })
}

/// An error already written to stderr in full (with its source snippet).
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reported above")
    }
}

impl std::error::Error for Reported {}

/// Parses the command line, runs it, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Review(args) => review::run(args),
        Command::Init(args) => init::run(args),
        Command::Completions(args) => generate::completions(args),
        Command::Man(args) => generate::man(args),
        Command::Test(args) => test::run(args),
        Command::NewRule(args) => new_rule::run(args),
        Command::Access(args) => access::run(args),
        #[cfg(feature = "audit")]
        Command::Audit(args) => audit::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if err.is::<Reported>() => ExitCode::from(exit::ERROR),
        // The reader went away (`blastwall rules | head`): nothing left to say.
        Err(err)
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(exit::CLEAN)
        }
        Err(err) => {
            // File names and rule ids come from the user: no raw control characters.
            eprintln!(
                "error: {}",
                crate::report::escape::block(&format!("{err:#}"))
            );
            ExitCode::from(exit::ERROR)
        }
    }
}

/// `--engine`: what evaluates the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    Compiled,
    Interpreter,
}

impl From<EngineChoice> for crate::engine::Evaluator {
    fn from(choice: EngineChoice) -> Self {
        match choice {
            EngineChoice::Compiled => crate::engine::Evaluator::Compiled,
            EngineChoice::Interpreter => crate::engine::Evaluator::Interpreter,
        }
    }
}

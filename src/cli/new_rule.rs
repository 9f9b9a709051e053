//! `blastwall new-rule`: scaffolds a rule that passes `blastwall test` as written.

use std::path::PathBuf;

use super::exit;
use crate::authoring::scaffold::{self, Request};

#[derive(Debug, clap::Args)]
pub struct NewRuleArgs {
    /// The rule id (kebab-case, e.g. `require-team-label`).
    pub id: String,
    /// The rule directory to write into (what `--rules` or `ruleDirs` names).
    #[arg(long, default_value = "policy")]
    pub dir: PathBuf,
    /// The rule's category: its subdirectory of DIR.
    #[arg(long, default_value = "custom")]
    pub category: String,
    /// The rule's severity: error, warning or info.
    #[arg(long, default_value = "error")]
    pub severity: String,
}

pub fn run(args: NewRuleArgs) -> anyhow::Result<u8> {
    let req = Request {
        id: args.id,
        dir: args.dir,
        category: args.category,
        severity: args.severity,
    };
    // The new id must clash with no built-in rule, nor with a rule already in DIR.
    let engine = if req.dir.is_dir() {
        crate::engine::Engine::with_rule_dirs(std::slice::from_ref(&req.dir))?
    } else {
        crate::engine::Engine::builtin()?
    };
    let taken: Vec<(String, String)> = engine
        .rules()
        .iter()
        .map(|r| {
            let at = if r.source.is_empty() {
                "a rule of blastwall itself".to_string()
            } else {
                r.source.clone()
            };
            (r.id.clone(), at)
        })
        .collect();
    let files = match scaffold::plan(&req, &taken) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::ERROR);
        }
    };
    scaffold::write(&files)?;
    for (path, _) in &files {
        println!("created {}", path.display());
    }
    println!(
        "\nnext: edit {}, then run `blastwall test {}`; lint with `blastwall lint --rules {} …`",
        scaffold::rule_path(&req).display(),
        req.dir.display(),
        req.dir.display()
    );
    Ok(exit::CLEAN)
}

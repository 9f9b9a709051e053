use std::io::Write;

use anyhow::bail;

use super::{exit, RulesArgs};

pub fn run(args: RulesArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let engine = super::engine::build(&args.rule_dirs, config.as_ref())?;
    let mut out = std::io::stdout().lock();
    match args.id {
        None => {
            let width = engine.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in engine.rules() {
                writeln!(
                    out,
                    "{:<width$}  {:<7}  {:<9}  {}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.category,
                    rule.title
                )?;
            }
        }
        Some(id) => {
            let Some(rule) = engine.rule(&id) else {
                bail!("no rule `{id}`; `blastwall rules` lists them");
            };
            writeln!(
                out,
                "{} ({}, {})",
                rule.id,
                rule.severity.as_str(),
                rule.category
            )?;
            writeln!(out, "{}\n", rule.title)?;
            writeln!(out, "{}\n", rule.description)?;
            writeln!(out, "How to fix: {}", rule.remediation)?;
            if let Some(params) = rule.params.as_ref().filter(|p| !p.is_empty()) {
                writeln!(out, "\nParameters (rules.{}.params):", rule.id)?;
                for (name, default) in params {
                    writeln!(out, "    {name}: default {default}")?;
                }
            }
            if rule.exemptible {
                writeln!(
                    out,
                    "\nExemptible inline (blastwall.dev/exempt) where the config sets inlineExemptions: true."
                )?;
            }
            if let Some(example) = &rule.example {
                if !example.bad.is_empty() {
                    writeln!(out, "\nExample that is reported:\n")?;
                    for line in example.bad.lines() {
                        writeln!(out, "    {line}")?;
                    }
                }
                if !example.good.is_empty() {
                    writeln!(out, "\nInstead:\n")?;
                    for line in example.good.lines() {
                        writeln!(out, "    {line}")?;
                    }
                }
            }
        }
    }
    Ok(exit::CLEAN)
}

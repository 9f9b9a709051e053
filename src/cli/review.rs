//! `blastwall review`: the webhook's decision for one AdmissionReview, offline.
//!
//! Same decoder, facts, rules and response as the webhook, so a denial seen in the
//! cluster can be replayed (and a fix checked) from a saved request.

use std::io::{Read, Write};

use anyhow::Context as _;

use super::{exit, ReviewArgs};
use crate::admission::{self, Enforcements};
use crate::exempt::Clock;
use crate::facts::{tenancy::Tenancy, Context};

/// AdmissionReview bodies the API server sends are bounded (3 MiB objects); allow
/// some room for oldObject and envelope.
const MAX_BODY: u64 = 16 * 1024 * 1024;

pub fn run(args: ReviewArgs) -> anyhow::Result<u8> {
    let config = args.config.load()?;
    let super::engine::Policies {
        mut engine,
        gatekeeper,
        ..
    } = super::engine::build_all(&args.rule_dirs, config.as_ref())?;
    engine.set_evaluator(args.engine.into());
    let mut ctx = Context::default();
    if !gatekeeper.is_empty() {
        // The webhook's enforcement point; no cluster, so no inventory or Namespaces.
        let run = crate::gatekeeper::Run::new(
            gatekeeper,
            None,
            None,
            crate::gatekeeper::Point::Validation,
        )?;
        ctx.gatekeeper = Some(std::sync::Arc::new(run));
    }
    let mut enforcements = Enforcements::default();
    if let Some(config) = config {
        enforcements = Enforcements::from_config(&config);
        enforcements.set_clock(Clock::from_env().map_err(anyhow::Error::msg)?);
        ctx.tenancy = Some(std::sync::Arc::new(Tenancy::new(config)));
    }

    let body = read_body(&args.input)?;
    not_a_manifest(&args.input, &body)?;
    let response = admission::review(&engine, &body, &ctx, &enforcements)
        .with_context(|| format!("cannot review {}", args.input))?;
    let allowed = response["response"]["allowed"].as_bool().unwrap_or(false);

    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &response).context("cannot write the response")?;
    writeln!(out).ok();
    Ok(if allowed { exit::CLEAN } else { exit::FINDINGS })
}

/// A manifest given to `review` by mistake is said to be one, with the command
/// that lints it; an AdmissionReview with a fault gets the decoder's own error.
fn not_a_manifest(input: &str, body: &[u8]) -> anyhow::Result<()> {
    let kind = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string));
    if kind.as_deref() == Some("AdmissionReview") {
        return Ok(());
    }
    let what = match kind {
        Some(kind) => format!(
            "is a {} object, not an AdmissionReview",
            crate::report::escape::line(&kind)
        ),
        None => "is not an AdmissionReview (JSON with `kind: AdmissionReview` and a `request`, as the API server sends the webhook)".into(),
    };
    let lint = if input == "-" { "-" } else { input };
    anyhow::bail!(
        "{input} {what}: to check a manifest, run `blastwall lint {lint}`; `blastwall review` replays what the webhook was asked"
    )
}

fn read_body(input: &str) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    let limited = |reader: Box<dyn Read>| reader.take(MAX_BODY + 1);
    let reader: Box<dyn Read> = if input == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(input).with_context(|| format!("cannot read {input}"))?)
    };
    limited(reader)
        .read_to_end(&mut body)
        .with_context(|| format!("cannot read {input}"))?;
    if body.len() as u64 > MAX_BODY {
        anyhow::bail!("{input} is larger than {MAX_BODY} bytes");
    }
    Ok(body)
}

//! `mem eval placement [FILE]`: placement accuracy (existing topic or new)
//! on a scenario set (default: the shipped dev set in fixtures/placement),
//! for the full pipeline, without the generator, and with no models.

use super::eval_curation::{EvalModels, progress_line};
use crate::curate::Mode;
use crate::eval::placement::{self as eval, ModeResult};
use crate::output::{Ctx, out_line};
use anyhow::{Result, bail};
use std::path::PathBuf;

/// The shipped tree and scenario sets.
pub const DEFAULT_TREE: &str = include_str!("../../fixtures/placement/tree.jsonl");
pub const DEFAULT_CASES: &str = include_str!("../../fixtures/placement/dev.jsonl");

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The existing tree (one entry per line: {\"at\",\"text\"}) is written to a temporary tree and \
indexed once per mode; then every input goes through the same code as `mem add` as a dry run (nothing is \
written, so every case sees the same tree) and the topic it lands in is compared with the expected one (an \
existing domain/topic, or \"new\": any topic not in the tree). Modes: full (scores + the generator for unclear \
cases), no-model (scores only, embedder still used), lexical (no embedder, no generator). Latency is the \
in-process time of the dry-run add (curation included; models already loaded).\n\n\
Examples:\n  mem eval placement\n  mem eval placement fixtures/placement/holdout.jsonl --modes no-model,lexical\n  \
mem eval placement --mistakes --json"
)]
pub struct Args {
    /// Case file (JSON Lines: {"id","category","input","expect"}, optional "domain" of a new topic and
    /// "tree" file name); default: the shipped dev set
    pub file: Option<PathBuf>,
    /// Existing entries (JSON Lines: {"at","text"}); default: the shipped tree
    #[arg(long, value_name = "FILE")]
    pub tree: Option<PathBuf>,
    /// Comma-separated: full, no-model, lexical
    #[arg(long, default_value = "full,no-model,lexical", value_delimiter = ',')]
    pub modes: Vec<String>,
    /// List every wrong placement
    #[arg(long)]
    pub mistakes: bool,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<()> {
    let cases = match &a.file {
        Some(p) => eval::load_cases(&eval::read(p)?, &p.display().to_string())?,
        None => eval::load_cases(DEFAULT_CASES, "fixtures/placement/dev.jsonl")?,
    };
    let tree = match &a.tree {
        Some(p) => eval::load_tree(&eval::read(p)?, &p.display().to_string())?,
        None => eval::load_tree(DEFAULT_TREE, "fixtures/placement/tree.jsonl")?,
    };
    // Cases written for another tree (their `tree` field) are skipped.
    let tree_name = a
        .tree
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tree.jsonl".into());
    let cases: Vec<eval::Case> = cases
        .into_iter()
        .filter(|c| c.tree.as_deref().is_none_or(|t| t == tree_name))
        .collect();
    if cases.is_empty() {
        bail!("no case of the file is for the tree {tree_name}");
    }
    let EvalModels {
        models,
        lexical,
        emb,
        emb_ms,
        gen_id,
        gen_ms,
    } = EvalModels::load()?;
    let progress = |s: &str| progress_line(ctx, s);
    let mut results: Vec<ModeResult> = Vec::new();
    for m in &a.modes {
        let (mode, ms) = match m.as_str() {
            "full" => (Mode::Full, &models),
            "no-model" => (Mode::NoModel, &models),
            "lexical" => (Mode::NoModel, &lexical),
            other => bail!("unknown mode `{other}`: use full, no-model or lexical"),
        };
        results.push(eval::run_mode(&tree, &cases, ms, mode, m, &progress)?);
    }
    if ctx.interactive && !ctx.quiet {
        eprint!("\r\x1b[2K");
    }
    let topics: std::collections::BTreeSet<&str> = tree.iter().map(|e| e.at.as_str()).collect();
    if ctx.json {
        ctx.json_line(&serde_json::json!({
            "cases": cases.len(), "tree_entries": tree.len(), "tree_topics": topics.len(),
            "embedder": emb, "generator": gen_id, "embedder_load_ms": emb_ms,
            "generator_load_ms": gen_ms, "threads": models.threads(), "results": results,
        }))?;
        return Ok(());
    }
    out_line(&format!(
        "{} cases in a tree of {} entries / {} topics; embedder {} (load {:.0} ms), generator {} (load {:.0} ms), {} threads",
        cases.len(),
        tree.len(),
        topics.len(),
        emb.as_deref().unwrap_or("none"),
        emb_ms,
        gen_id.as_deref().unwrap_or("none"),
        gen_ms,
        models.threads()
    ))?;
    out_line(
        "mode        accuracy        existing topic  new topic   model calls  p50 ms  p95 ms",
    )?;
    for r in &results {
        out_line(&format!(
            "{:<11} {:>5.1}% ({:>2}/{:<2})  {:>6}/{:<6}   {:>3}/{:<3}    {:>11}  {:>6.0}  {:>6.0}",
            r.mode,
            r.accuracy * 100.0,
            r.correct,
            r.cases,
            r.existing.0,
            r.existing.1,
            r.new.0,
            r.new.1,
            r.model_calls,
            r.latency_ms_p50,
            r.latency_ms_p95
        ))?;
    }
    for r in &results {
        let per: Vec<String> = r
            .per_category
            .iter()
            .map(|(c, (ok, n))| format!("{c} {ok}/{n}"))
            .collect();
        let by: Vec<String> = r
            .placed_by
            .iter()
            .map(|(b, n)| format!("{b} {n}"))
            .collect();
        out_line(&format!(
            "{}: {}; placed by {}",
            r.mode,
            per.join(", "),
            by.join(", ")
        ))?;
        if r.new_domain.1 > 0 {
            out_line(&format!(
                "{}: new topic in the expected domain {}/{}",
                r.mode, r.new_domain.0, r.new_domain.1
            ))?;
        }
        if a.mistakes {
            for m in &r.mistakes {
                out_line(&format!("  {m}"))?;
            }
        }
    }
    Ok(())
}

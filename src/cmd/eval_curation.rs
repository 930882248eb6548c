//! `mem eval curation [FILE]`: decision accuracy of curated writes on a
//! scenario set (default: the one shipped in fixtures/curation), for the
//! full pipeline, without the generator, with the model alone deciding,
//! and with no models at all; distillation support; latency per add.

use crate::curate::Mode;
use crate::eval::curation::{self as eval, ModeResult};
use crate::model::select::Models;
use crate::output::{Ctx, out_line};
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::time::Instant;

/// The shipped scenario set, used when no FILE is given.
pub const DEFAULT_SCENARIOS: &str = include_str!("../../fixtures/curation/scenarios.jsonl");

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each case runs in a fresh temporary tree: its existing entries are written, the index \
catches up, then the input goes through the same code as `mem add` and the operation and target of each \
statement are compared with the expected ones. Modes: full (rules + the generator for unclear cases), \
no-model (rules + thresholds, embedder still used), model-only (the generator picks the operation for the most \
related candidate), lexical (no embedder, no generator). Latency is the in-process time of the curated add \
(models already loaded; their load time is reported separately).\n\n\
Examples:\n  mem eval curation\n  mem eval curation my-scenarios.jsonl --modes full,no-model --json\n  \
mem eval curation --mistakes"
)]
pub struct Args {
    /// Scenario file (JSON Lines); default: the shipped set
    pub file: Option<PathBuf>,
    /// Comma-separated: full, no-model, model-only, lexical
    #[arg(
        long,
        default_value = "full,no-model,model-only,lexical",
        value_delimiter = ','
    )]
    pub modes: Vec<String>,
    /// List every wrong decision
    #[arg(long)]
    pub mistakes: bool,
    /// Only cases whose id starts with this
    #[arg(long, value_name = "PREFIX")]
    pub only: Option<String>,
}

/// The models of a decision eval, loaded once and timed, so per-add
/// latency is the warm cost: the configured ones, and a set with neither
/// embedder nor generator for the `lexical` mode.
pub(crate) struct EvalModels {
    pub models: Models,
    pub lexical: Models,
    pub emb: Option<String>,
    pub emb_ms: f64,
    pub gen_id: Option<String>,
    pub gen_ms: f64,
}

impl EvalModels {
    pub fn load() -> Result<Self> {
        let mut cfg = crate::config::Config::load(None)?;
        // The full mode measures everything the models can do, placement
        // included (off for `mem add` by default), unless the environment
        // says otherwise (`MEM_PLACE_WITH_GENERATOR=0` measures curation's
        // model alone).
        if std::env::var_os("MEM_PLACE_WITH_GENERATOR").is_none() {
            cfg.models.place_with_generator = true;
        }
        if std::env::var_os("MEM_CURATE_WITH_GENERATOR").is_none() {
            cfg.models.curate_with_generator = true;
        }
        let models = Models::new(&cfg.models);
        let mut lexical_cfg = cfg.models.clone();
        lexical_cfg.embedder = "none".into();
        lexical_cfg.generator = "none".into();
        let lexical = Models::new(&lexical_cfg);
        let t = Instant::now();
        let emb = models.embedder()?.map(|e| e.id().to_string());
        let emb_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let gen_id = match models.generator() {
            Ok(g) => g.map(|g| g.id().to_string()),
            Err(e) => bail!("the generator cannot be loaded: {e:#}"),
        };
        let gen_ms = t.elapsed().as_secs_f64() * 1e3;
        Ok(Self {
            models,
            lexical,
            emb,
            emb_ms,
            gen_id,
            gen_ms,
        })
    }
}

/// One status line on an interactive stderr, overwritten by the next.
pub(crate) fn progress_line(ctx: &Ctx, s: &str) {
    if ctx.interactive && !ctx.quiet {
        eprint!("\r\x1b[2K{s}");
    }
}

pub fn run(a: Args, ctx: &Ctx) -> Result<()> {
    let cases = match &a.file {
        Some(p) => eval::load(p)?,
        None => {
            let tmp = tempfile::NamedTempFile::new()?;
            std::fs::write(tmp.path(), DEFAULT_SCENARIOS)?;
            eval::load(tmp.path())?
        }
    };
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| a.only.as_ref().is_none_or(|p| c.id.starts_with(p.as_str())))
        .collect();
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
            "model-only" => {
                if gen_id.is_none() {
                    ctx.note("model-only skipped: no generator (run `mem model pull` or set MEM_GENERATOR)");
                    continue;
                }
                (Mode::ModelOnly, &models)
            }
            "lexical" => (Mode::NoModel, &lexical),
            other => bail!("unknown mode `{other}`: use full, no-model, model-only or lexical"),
        };
        results.push(eval::run_mode(&cases, ms, mode, m, &progress));
    }
    if ctx.interactive && !ctx.quiet {
        eprint!("\r\x1b[2K");
    }
    let decisions: usize = cases.iter().map(|c| c.expect.len()).sum();
    if ctx.json {
        ctx.json_line(&serde_json::json!({
            "cases": cases.len(), "decisions": decisions, "embedder": emb, "generator": gen_id,
            "embedder_load_ms": emb_ms, "generator_load_ms": gen_ms, "threads": models.threads(),
            "results": results,
        }))?;
        return Ok(());
    }
    out_line(&format!(
        "{} cases, {} decisions; embedder {} (load {:.0} ms), generator {} (load {:.0} ms), {} threads",
        cases.len(),
        decisions,
        emb.as_deref().unwrap_or("none"),
        emb_ms,
        gen_id.as_deref().unwrap_or("none"),
        gen_ms,
        models.threads()
    ))?;
    out_line(
        "mode        accuracy        cases ok   model calls  unsupported  rejected  lost  pending  p50 ms  p95 ms",
    )?;
    for r in &results {
        out_line(&format!(
            "{:<11} {:>5.1}% ({:>2}/{:<2})  {:>3}/{:<3}   {:>11}  {:>11}  {:>8}  {:>4}  {:>7}  {:>6.0}  {:>6.0}",
            r.mode,
            r.accuracy * 100.0,
            r.correct,
            r.decisions,
            r.cases_correct,
            r.cases,
            r.model_calls,
            r.unsupported_stored,
            r.rejected,
            r.lost,
            r.pending,
            r.latency_ms_p50,
            r.latency_ms_p95
        ))?;
    }
    for r in &results {
        let per: Vec<String> = r
            .per_op
            .iter()
            .map(|(op, (c, t))| format!("{op} {c}/{t}"))
            .collect();
        out_line(&format!("{}: {}", r.mode, per.join(", ")))?;
        if a.mistakes {
            for m in &r.mistakes {
                out_line(&format!("  {m}"))?;
            }
        }
    }
    Ok(())
}

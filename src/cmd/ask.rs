//! `mem ask`: an answer with citations (tier 5).

use crate::answer::{self, Answer};
use crate::error::not_found;
use crate::model::select::Models;
use crate::output::{Ctx, out_line};
use crate::recall::{Query, recall};
use crate::time;
use crate::tree::Tree;
use anyhow::Result;
use std::io::{IsTerminal, Write};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Retrieves the best entries (tiers ≤ 3; a question in two parts, such as \
\"where does Ana live and what does she do\", is retrieved part by part), packs them as numbered notes \
with their days, and the answer model (models.answerer, `qwen2.5-coder-0.5b` by default; `mem model pull` \
fetches it) writes a short answer citing them as [n]. Every sentence is checked against the notes it cites: \
citations of notes that were not in the prompt are dropped, a sentence no note supports (its names and \
numbers absent, or its negation reversed) is removed, and when nothing stands the answer is \"not in memory\". \
Without a model the answer is the note sentence that shares most words with the question.\n\n\
On a terminal, sentences print as the model finishes them. With --json: one object (answer, abstained, \
sentences, citations with path, id and quote, removed sentences and why, notes in the prompt, mode, tiers, \
timings). Exit code 1 when the answer is \"not in memory\".\n\n\
Examples:\n  mem ask \"what did we decide about the billing database, and why?\"\n  \
mem ask \"when did Caroline go to the support group?\" --json\n  \
mem ask \"what was the standup time\" --as-of 2026-03-01"
)]
pub struct Args {
    /// The question, in plain words
    #[arg(required = true)]
    pub question: Vec<String>,
    /// Entries to retrieve as notes (at most)
    #[arg(short = 'k', long, default_value_t = 6, value_parser = clap::value_parser!(u64).range(1..=40))]
    pub k: u64,
    /// Highest retrieval tier (0-3)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub tier: u8,
    /// Only entries under this prefix (domain or domain/topic)
    #[arg(long, value_name = "PREFIX")]
    pub at: Option<String>,
    /// Answer as of DATE: what was current then
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The time of asking (relative dates in the question resolve against it; default: now)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Token budget of the notes in the prompt (estimated)
    #[arg(long, value_name = "TOKENS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(100..=3000))]
    pub budget: u64,
    /// Tokens the model may write
    #[arg(long, value_name = "TOKENS", default_value_t = 80, value_parser = clap::value_parser!(u64).range(16..=1000))]
    pub max_tokens: u64,
    /// Answer from the notes' sentences, without a model
    #[arg(long)]
    pub extractive: bool,
    /// Print the model's raw text, removed sentences and timings on stderr
    #[arg(long)]
    pub explain: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let models = Models::new(&tree.config.models);
    let question = args.question.join(" ");
    if question.trim().is_empty() {
        anyhow::bail!("the question is empty");
    }
    let scope = args
        .at
        .as_deref()
        .map(|s| s.trim_end_matches('/').to_string());
    let base = Query {
        text: question.clone(),
        k: args.k as usize,
        max_tier: args.tier,
        scope,
        as_of: time::opt_secs(args.as_of.as_deref(), time::parse_until)?,
        now: time::opt_secs(args.now.as_deref(), time::parse)?,
        ..Default::default()
    };
    let opts = answer::Options {
        budget: args.budget as usize,
        max_tokens: args.max_tokens as usize,
        now: base.now.or(base.as_of),
    };
    respond(
        ctx,
        &tree,
        &models,
        &question,
        &base,
        &opts,
        args.extractive,
        args.explain,
    )
}

/// Answers and prints (shared with `mem recall --answer`).
#[allow(clippy::too_many_arguments)]
pub fn respond(
    ctx: &Ctx,
    tree: &Tree,
    models: &Models,
    question: &str,
    base: &Query,
    opts: &answer::Options,
    extractive: bool,
    explain: bool,
) -> Result<()> {
    let answerer = if extractive {
        Default::default()
    } else {
        models.answerer()?
    };
    if let Some(n) = &answerer.notice {
        ctx.note(&format!("note: {n}"));
    }
    if base.max_tier >= 2
        && let Some(n) = models.embedder_notice()
    {
        ctx.note(&format!("note: {n}"));
    }
    let stream = !ctx.json && std::io::stdout().is_terminal();
    let mut first = true;
    let mut show = |s: &answer::Sentence| {
        if stream {
            let text = answer::render(std::slice::from_ref(s));
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{}{text}", if first { "" } else { " " });
            let _ = out.flush();
            first = false;
        }
    };
    let a = answer::ask(
        tree,
        question,
        base,
        &mut |q| recall(tree, models, q),
        answerer.model.as_deref(),
        opts,
        &mut show,
    )?;
    let ids: Vec<&str> = a.citations.iter().map(|c| c.id.as_str()).collect();
    crate::signals::record_cited(tree, &ids);
    if explain {
        explain_answer(&a);
    }
    if ctx.json {
        ctx.json_line(&a)?;
    } else {
        print_answer(ctx, &a, stream && !first)?;
    }
    if a.abstained {
        return Err(not_found(if a.notes.is_empty() {
            format!("nothing found for \"{question}\"")
        } else {
            format!(
                "the {} note(s) found do not hold the answer to \"{question}\"",
                a.notes.len()
            )
        }));
    }
    Ok(())
}

fn explain_answer(a: &Answer) {
    eprintln!(
        "mode {}{}; tiers {:?}; retrieve {:.0} ms, first token {}, generate {:.0} ms, total {:.0} ms",
        a.mode,
        a.generator
            .as_deref()
            .map(|g| format!(" ({g})"))
            .unwrap_or_default(),
        a.tiers,
        a.timings.retrieve_ms,
        a.timings
            .first_token_ms
            .map_or("-".into(), |t| format!("{t:.0} ms")),
        a.timings.generate_ms,
        a.timings.total_ms
    );
    if !a.subqueries.is_empty() {
        eprintln!("sub-questions: {}", a.subqueries.join(" | "));
    }
    if !a.raw.is_empty() {
        eprintln!("model: {}", a.raw.trim());
    }
    for r in &a.removed {
        eprintln!("removed: \"{}\" ({})", r.text, r.why);
    }
}

fn print_answer(ctx: &Ctx, a: &Answer, streamed: bool) -> Result<()> {
    if streamed {
        out_line("")?;
    } else {
        out_line(&a.answer)?;
    }
    if a.abstained {
        return Ok(());
    }
    out_line("")?;
    for c in &a.citations {
        out_line(&format!(
            "[{}] {} {}",
            c.n,
            ctx.bold(&c.path),
            ctx.dim(&format!("({})", c.date))
        ))?;
        if !c.quote.is_empty() {
            out_line(&format!("    \"{}\"", c.quote))?;
        }
    }
    Ok(())
}

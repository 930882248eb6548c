//! `mem eval`: measurement. `synth` makes large synthetic trees; the
//! benchmark runners (`locomo`, `longmemeval`) join here as more variants.

use crate::output::{Ctx, out_line};
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: EvalCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum EvalCmd {
    /// Create a tree of N synthetic entries (realistic sizes and vocabulary, deterministic by seed)
    Synth(SynthArgs),
    /// Curated writes: decision accuracy, distillation support and latency per add on a scenario set
    Curation(super::eval_curation::Args),
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Creates DIR (mem init) and adds N entries through the normal write path in batches \
(one commit per batch), then prints the ingest rate. Content depends only on N and --seed. Four needles are \
planted (see the JSON `needles`): `zanzibar` and `pool_config.rs` (lexical), `automobile upkeep` and \
`notebook power drain` (semantic only: no shared words). `queries` lists benchmark queries.\n\n\
Examples:\n  mem eval synth --entries 10000 /tmp/t10k\n  mem eval synth --entries 100000 --seed 7 --json /tmp/t100k")]
pub struct SynthArgs {
    /// Number of entries
    #[arg(long, short = 'n', default_value_t = 10_000)]
    pub entries: usize,
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Entries per batch (one commit each)
    #[arg(long, default_value_t = 25_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
    /// Benchmark queries to list in the report
    #[arg(long, default_value_t = 30)]
    pub queries: usize,
    /// Folder for the new tree (must not exist or be empty)
    pub dir: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    match args.cmd {
        EvalCmd::Synth(a) => synth(a, ctx),
        EvalCmd::Curation(a) => super::eval_curation::run(a, ctx),
    }
}

fn synth(a: SynthArgs, ctx: &Ctx) -> Result<()> {
    let opts = crate::synth::SynthOptions { entries: a.entries, seed: a.seed, batch: a.batch as usize, queries: a.queries };
    let r = crate::synth::synthesize(&a.dir, &opts)?;
    if ctx.json {
        ctx.json_line(&r)?;
    } else {
        out_line(&format!(
            "synthesized {} entries ({} domains, {} topics, {} commit(s)) into {} in {:.2}s: {:.0} entries/s",
            r.added, r.domains, r.topics, r.commits, r.root, r.ingest_seconds, r.entries_per_s
        ))?;
        for n in &r.needles {
            out_line(&format!("  needle ({}): {:?} -> {}", n.kind, n.query, n.path))?;
        }
    }
    Ok(())
}

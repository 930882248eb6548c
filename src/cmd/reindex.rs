use crate::model::select::Models;
use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Rarely needed: every read catches the index up with the files by itself. \
Rebuilds .mem/index/ from the files (embeddings come from the cache where the text is unchanged).\n\n\
Examples:\n  mem reindex\n  mem reindex --json"
)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let models = Models::new(&tree.config.models);
    if let Some(n) = models.embedder_notice() {
        ctx.note(&format!("note: {n}"));
    }
    let t = std::time::Instant::now();
    let (idx, report) = crate::index::open(&tree, &models, !ctx.quiet, true)?;
    let secs = t.elapsed().as_secs_f64();
    let docs = idx.text.num_docs();
    let vectors = idx.vectors.as_ref().map_or(0, |v| v.len());
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "reindexed", "documents": docs, "vectors": vectors, "broken": report.broken, "seconds": secs, "generation": report.generation}))?;
    } else {
        out_line(&format!(
            "reindexed {docs} entries ({vectors} vectors) in {secs:.2}s"
        ))?;
        if report.broken > 0 {
            ctx.note(&format!(
                "{} file(s) could not be read; run `mem doctor`",
                report.broken
            ));
        }
    }
    Ok(())
}

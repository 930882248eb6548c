use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Takes back one commit: every file it changed in the tree is put back as it was \
before it, in one new commit (`mem: undo …`). A curated add, update, merge or supersede, a move, \
a forget, an ingest: the superseded entry is live again, a merged entry has its old text. Refused, \
with nothing changed, when one of those files was changed again since.\n\nExamples:\n  \
mem undo                 # the last commit; again: the one before\n  mem undo 3f2a9c1 --dry-run\n  mem log -n 5           # find the commit"
)]
pub struct Args {
    /// The commit to undo (an id or prefix from `mem log`); default: the last one not undone yet (undos themselves are skipped, so repeated undos step back)
    pub commit: Option<String>,
    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let out = crate::ops::undo(&tree, args.commit.as_deref(), args.dry_run, "cli")?;
    if ctx.json {
        return ctx.json_line(&out);
    }
    for d in &out.diff {
        out_line(d.trim_end())?;
    }
    let mut what = Vec::new();
    if !out.restored.is_empty() {
        what.push(format!("restored {}", out.restored.join(", ")));
    }
    if !out.removed.is_empty() {
        what.push(format!("removed {}", out.removed.join(", ")));
    }
    out_line(&format!(
        "{} {} ({}): {}",
        out.op,
        out.undone,
        out.summary,
        what.join("; ")
    ))
}

use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Forgotten entries move to _archive/ (one commit), stay in git, are listed with \
`mem ls --archived`, and come back with `mem restore`.\n\nExamples:\n  mem forget engineering/build/old-note --reason \"obsolete since v2\""
)]
pub struct Args {
    /// Entry paths, ids, or id prefixes
    #[arg(required = true)]
    pub entries: Vec<String>,
    /// Why (recorded in the commit message)
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem restore engineering/build/old-note\n  mem restore _archive/engineering/build/old-note\n  \
mem restore --unsupersede engineering/review/code-reviews-need-one-approval   # a wrong supersede: keep both"
)]
pub struct RestoreArgs {
    /// Archived entry paths (with or without _archive/), ids, or id prefixes
    #[arg(required = true)]
    pub entries: Vec<String>,
    /// The entries are superseded ones to make live again, each kept beside the entry that
    /// superseded it (both stay: the supersede was wrong)
    #[arg(long)]
    pub unsupersede: bool,
}

fn report(ctx: &Ctx, out: &crate::ops::ArchiveOutcome) -> Result<()> {
    if ctx.json {
        ctx.json_line(out)
    } else if out.op == "forgotten" {
        out_line(&format!(
            "forgotten {} (now {})",
            out.path, out.archived_path
        ))
    } else {
        out_line(&format!("restored {}", out.path))
    }
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    for e in &args.entries {
        let out = crate::ops::forget(&tree, e, args.reason.as_deref(), "cli")?;
        report(ctx, &out)?;
    }
    Ok(())
}

pub fn run_restore(args: RestoreArgs, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    for e in &args.entries {
        if args.unsupersede {
            let out = crate::ops::unsupersede(&tree, e, "cli")?;
            if ctx.json {
                ctx.json_line(&out)?;
            } else {
                out_line(&format!(
                    "{} is live again; kept beside it: {}",
                    out.path,
                    out.kept.join(", ")
                ))?;
            }
            continue;
        }
        let out = crate::ops::restore(&tree, e, "cli")?;
        report(ctx, &out)?;
    }
    Ok(())
}

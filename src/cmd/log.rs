use crate::git::Git;
use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem log                        # the tree's history\n  mem log engineering/build/cmake-needed\n  mem log 01JDZ8Q3 --json"
)]
pub struct Args {
    /// Entry path, id, or id prefix (default: the whole tree)
    pub entry: Option<String>,
    /// At most this many commits
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let git = Git::open(&tree.root)?;
    let items = match &args.entry {
        Some(spec) => {
            let l = tree.resolve_read(spec, true, &|id| crate::index::rels_by_id(&tree, id))?;
            git.log_path(&l.file.rel_file(), args.limit)?
        }
        None => git.log_tree(args.limit)?,
    };
    if items.is_empty() {
        return Err(crate::error::not_found(
            "no history yet (nothing committed)",
        ));
    }
    for it in &items {
        if ctx.json {
            ctx.json_line(it)?;
        } else {
            let first = it.message.lines().next().unwrap_or("");
            out_line(&format!(
                "{} {} {}  {}",
                ctx.dim(&it.commit[..10]),
                it.time,
                it.author,
                first
            ))?;
        }
    }
    Ok(())
}

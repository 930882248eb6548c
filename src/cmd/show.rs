use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem show engineering/build/cmake-needed\n  mem show 01JDZ8Q3 --json"
)]
pub struct Args {
    /// Entry path (domain/topic/entry), id, or id prefix (6+ characters)
    pub entry: String,
    /// Also look in _archive/
    #[arg(long)]
    pub archived: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let l = tree.resolve_read(&args.entry, args.archived, &|id| {
        crate::index::rels_by_id(&tree, id)
    })?;
    if ctx.json {
        ctx.json_line(&entry_json(&l))?;
    } else {
        let text = l.entry.render();
        out_line(text.trim_end())?;
    }
    Ok(())
}

/// The JSON shape of one entry, shared by show and ls.
pub fn entry_json(l: &crate::tree::Loaded) -> serde_json::Value {
    let fm = serde_json::to_value(l.entry.front_matter()).unwrap_or_default();
    serde_json::json!({
        "path": l.file.display(),
        "archived": l.file.archived,
        "id": l.entry.meta.id,
        "title": l.entry.meta.title,
        "kind": l.entry.meta.kind,
        "tags": l.entry.meta.tags,
        "front_matter": fm,
        "body": l.entry.body(),
    })
}

use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "DEST is a topic (domain/topic, or an existing domain/topic/subtopic): the entry keeps its name; \
or a full entry path domain/topic[/subtopic]/new-name. Relations in other entries are updated.\n\n\
ENTRY may also be a topic (domain/topic): every entry under it moves under DEST, keeping its name, in one \
commit; nothing moves when a destination file exists already.\n\n\
Examples:\n  mem mv engineering/build/cmake-needed engineering/ci\n  mem mv 01JDZ8Q3 engineering/ci/cmake-and-libclang\n  \
mem mv engineering/build engineering/ci-builds"
)]
pub struct Args {
    /// Entry path, id, or id prefix; or a topic (all its entries move)
    pub entry: String,
    /// Destination topic or entry path
    pub dest: String,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    // A topic folder (no entry by that name): the whole topic moves.
    let spec = args.entry.trim_end_matches('/');
    if crate::paths::TopicPath::parse(spec).is_ok()
        && tree.abs(spec).is_dir()
        && !tree.abs(&format!("{spec}.md")).is_file()
    {
        let out = crate::ops::move_topic(&tree, spec, &args.dest, "cli")?;
        if ctx.json {
            ctx.json_line(&out)?;
        } else {
            out_line(&format!(
                "moved topic {} -> {} ({} entries)",
                out.from,
                out.to,
                out.moved.len()
            ))?;
            for r in &out.relinked {
                ctx.note(&format!("updated relations in {r}"));
            }
        }
        return Ok(());
    }
    let out = crate::ops::move_entry(&tree, &args.entry, &args.dest, "cli")?;
    if ctx.json {
        ctx.json_line(&out)?;
    } else if out.op == "noop" {
        out_line(&format!("{} is already there; nothing moved", out.from))?;
    } else {
        out_line(&format!("moved {} -> {}", out.from, out.to))?;
        for r in &out.relinked {
            ctx.note(&format!("updated relation in {r}"));
        }
    }
    Ok(())
}

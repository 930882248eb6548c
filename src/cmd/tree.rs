use crate::output::{Ctx, out_line};
use anyhow::Result;
use std::collections::BTreeMap;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  mem tree\n  mem tree --json")]
pub struct Args {
    /// Include archived entries (counted separately)
    #[arg(long)]
    pub archived: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let (files, _) = tree.scan(args.archived);
    // domain -> topic -> (live, archived)
    let mut map: BTreeMap<String, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    for f in &files {
        let topic = f.path.topic();
        let rest = topic.segments()[1..].join("/");
        let slot = map
            .entry(topic.domain().to_string())
            .or_default()
            .entry(rest)
            .or_default();
        if f.archived { slot.1 += 1 } else { slot.0 += 1 }
    }
    let total: usize = files.iter().filter(|f| !f.archived).count();
    if ctx.json {
        let domains: Vec<_> = map
            .iter()
            .map(|(d, topics)| {
                let ts: Vec<_> = topics
                    .iter()
                    .map(|(t, (l, a))| serde_json::json!({"topic": t, "path": format!("{d}/{t}"), "entries": l, "archived": a}))
                    .collect();
                serde_json::json!({"domain": d, "entries": topics.values().map(|v| v.0).sum::<usize>(), "topics": ts})
            })
            .collect();
        ctx.json_line(&serde_json::json!({"root": tree.root.display().to_string(), "entries": total, "domains": domains}))?;
        return Ok(());
    }
    out_line(&format!("{} ({} entries)", tree.root.display(), total))?;
    for (d, topics) in &map {
        let n: usize = topics.values().map(|v| v.0).sum();
        out_line(&format!("{}/ {}", ctx.bold(d), ctx.dim(&n.to_string())))?;
        for (t, (l, a)) in topics {
            let arch = if *a > 0 {
                format!(" (+{a} archived)")
            } else {
                String::new()
            };
            out_line(&format!("  {t}/ {}{}", ctx.dim(&l.to_string()), arch))?;
        }
    }
    Ok(())
}

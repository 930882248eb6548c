use crate::error::not_found;
use crate::output::{Ctx, out_line};
use crate::tree::Loaded;
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem ls\n  mem ls engineering/build\n  mem ls --archived --json | jq -r .path"
)]
pub struct Args {
    /// Only entries whose path starts with this prefix (domain, domain/topic, …)
    pub prefix: Option<String>,
    /// Include archived entries (shown as _archive/…)
    #[arg(long)]
    pub archived: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let prefix = args
        .prefix
        .as_deref()
        .map(|p| p.trim_end_matches('/').to_string());
    let (files, _) = tree.scan(args.archived);
    let mut n = 0;
    for f in files {
        let shown = f.display();
        if let Some(p) = &prefix {
            let plain = f.path.to_string();
            let ok = |s: &str| s == p || s.starts_with(&format!("{p}/"));
            if !ok(&shown) && !ok(&plain) {
                continue;
            }
        }
        n += 1;
        match tree.read(&f) {
            Ok(entry) => {
                if ctx.json {
                    let l = Loaded { file: f, entry };
                    let mut v = super::show::entry_json(&l);
                    v.as_object_mut().unwrap().remove("body");
                    ctx.json_line(&v)?;
                } else {
                    out_line(&format!(
                        "{}  {}",
                        ctx.bold(&shown),
                        ctx.dim(&entry.meta.title)
                    ))?;
                }
            }
            Err(e) => {
                if ctx.json {
                    ctx.json_line(&serde_json::json!({"path": shown, "archived": f.archived, "error": e.to_string()}))?;
                } else {
                    out_line(&format!("{shown}  (unreadable: run `mem doctor`)"))?;
                }
            }
        }
    }
    if n == 0 {
        return Err(not_found(match prefix {
            Some(p) => format!("no entries under {p}"),
            None => "the tree has no entries yet; add one with `mem add`".into(),
        }));
    }
    Ok(())
}

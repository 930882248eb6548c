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
                let marks = marks(&entry);
                if ctx.json {
                    let l = Loaded { file: f, entry };
                    let mut v = super::show::entry_json(&l);
                    let o = v.as_object_mut().unwrap();
                    o.remove("body");
                    o.insert("status".into(), serde_json::json!(marks));
                    ctx.json_line(&v)?;
                } else {
                    let shown_marks: String = marks.iter().map(|m| format!(" [{m}]")).collect();
                    out_line(&format!(
                        "{}  {}{}",
                        ctx.bold(&shown),
                        ctx.dim(&entry.meta.title),
                        shown_marks
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

/// What sets an entry apart from a live one: `ended` (its `valid_to`, as a
/// supersede writes it, is past), `quarantined`, `review` (held for a
/// person).
fn marks(e: &crate::entry::Entry) -> Vec<&'static str> {
    let mut out = Vec::new();
    if e.meta
        .valid_to
        .as_deref()
        .and_then(crate::time::secs)
        .is_some_and(|t| t <= crate::time::now().as_second())
    {
        out.push("ended");
    }
    if crate::quarantine::is_quarantined(e) {
        out.push("quarantined");
    } else if crate::quarantine::in_review(e) {
        out.push("review");
    }
    out
}

//! `mem review`: what waits for a person. Quarantined entries (instruction-
//! like text from an agent or an import, kept out of every agent's
//! context) and entries held for review (an agent's change to an entry a
//! person wrote, kept beside it). Approving clears the flag (the entry then
//! reaches agents like any other); rejecting forgets it (archived,
//! restorable).

use crate::entry::Entry;
use crate::output::{Ctx, out_line};
use anyhow::{Result, bail};
use serde::Serialize;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without options: lists the entries waiting (path, why). An approved entry keeps \
`curation: approved` and is found and packed for agents like any other; for a held change, approving keeps both \
entries (forget the old one, or `mem edit` it, to take the change).\n\n\
Examples:\n  mem review\n  mem review --approve general/notes/deploy-notes\n  mem review --reject 01JDZ8Q3M6"
)]
pub struct Args {
    /// Approve these entries (path or id): the flag goes, the entry stays
    #[arg(long, value_name = "ENTRY", num_args = 1..)]
    pub approve: Vec<String>,
    /// Reject these entries (path or id): archived with `mem forget`
    #[arg(long, value_name = "ENTRY", num_args = 1..)]
    pub reject: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Waiting {
    path: String,
    id: String,
    /// `quarantined` or `review`.
    status: String,
    why: String,
    title: String,
}

fn why(e: &Entry) -> String {
    let fm = e.front_matter();
    fm.get("quarantine")
        .or_else(|| fm.get("review"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    if args.approve.is_empty() && args.reject.is_empty() {
        let (files, _) = tree.scan(false);
        let mut n = 0;
        for f in files {
            let Ok(e) = tree.read(&f) else { continue };
            let status = if crate::quarantine::is_quarantined(&e) {
                "quarantined"
            } else if crate::quarantine::in_review(&e) {
                "review"
            } else {
                continue;
            };
            n += 1;
            let w = Waiting {
                path: f.path.to_string(),
                id: e.meta.id.clone(),
                status: status.into(),
                why: why(&e),
                title: e.meta.title.clone(),
            };
            if ctx.json {
                ctx.json_line(&w)?;
            } else {
                out_line(&format!(
                    "{:<11} {}  {}",
                    w.status,
                    ctx.bold(&w.path),
                    w.why
                ))?;
            }
        }
        if n == 0 {
            ctx.note("nothing waits for review");
        }
        return Ok(());
    }
    for spec in &args.approve {
        let l = tree.resolve(spec, false)?;
        let text = std::fs::read_to_string(tree.abs(&l.file.rel_file()))?;
        let mut e = l.entry.clone();
        if !crate::quarantine::is_quarantined(&e) && !crate::quarantine::in_review(&e) {
            bail!("{} is not waiting for review", l.file.display());
        }
        e.set("curation", serde_yaml::Value::String("approved".into()))?;
        e.remove("quarantine")?;
        e.remove("review")?;
        let commit = crate::ops::replace(&tree, &l.file, &text, &e.render(), "cli", "approve")?;
        if ctx.json {
            ctx.json_line(&serde_json::json!({"op": "approved", "path": l.file.display(), "id": e.meta.id, "commit": commit}))?;
        } else {
            out_line(&format!("approved {}", l.file.display()))?;
        }
    }
    for spec in &args.reject {
        let l = tree.resolve(spec, false)?;
        if !crate::quarantine::is_quarantined(&l.entry) && !crate::quarantine::in_review(&l.entry) {
            bail!(
                "{} is not waiting for review (use `mem forget` to retire an entry)",
                l.file.display()
            );
        }
        let o = crate::ops::forget(&tree, spec, Some("rejected in review"), "cli")?;
        if ctx.json {
            ctx.json_line(&serde_json::json!({"op": "rejected", "path": o.path, "archived_path": o.archived_path, "commit": o.commit}))?;
        } else {
            out_line(&format!(
                "rejected {} (archived: {})",
                o.path, o.archived_path
            ))?;
        }
    }
    Ok(())
}

//! `mem review`: one queue for what waits for a person. Quarantined entries
//! (instruction-like text from an agent or an import, kept out of every
//! agent's context), entries held for review (an agent's change to an entry
//! a person wrote, kept beside it; both sides of a sync conflict, related
//! `contradicts`), and entries curation could not decide (`curation:
//! pending`: the model failed, the input was written as it came).
//! Approving clears the flag (the entry then reaches agents like any
//! other); rejecting forgets it (archived, restorable). Last come `mem
//! dream`'s archive proposals for stale entries: approving one archives the
//! entry, rejecting keeps it (and dream does not propose it again). On a
//! terminal, without options, each is put to the person in turn.

use crate::entry::Entry;
use crate::output::{Ctx, out_line};
use anyhow::{Result, bail};
use serde::Serialize;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without options: on a terminal, each entry waiting is shown and you choose approve, reject, \
edit (opens it in $EDITOR, then asks again), skip or quit; each decision is its own commit. Otherwise (a pipe, \
--json, --list) the entries waiting are listed: status (quarantined, review, pending, stale), path, why. An approved \
entry keeps `curation: approved` and is found and packed for agents like any other; approving a held supersede \
applies it (the entry it would replace is superseded, in the same commit); for a held merge or update, or a sync \
conflict, approving keeps both entries (forget the one you do not want, or `mem edit` it). A stale entry is one \
`mem dream` proposes to archive: approving archives it (restorable), rejecting keeps it and it is not proposed \
again.\n\n\
Examples:\n  mem review\n  mem review --approve general/notes/deploy-notes\n  mem review --reject 01JDZ8Q3M6"
)]
pub struct Args {
    /// Approve these entries (path or id): the flag goes, the entry stays (a stale proposal: archived)
    #[arg(long, value_name = "ENTRY", num_args = 1..)]
    pub approve: Vec<String>,
    /// Reject these entries (path or id): archived with `mem forget` (a stale proposal: kept)
    #[arg(long, value_name = "ENTRY", num_args = 1..)]
    pub reject: Vec<String>,
    /// List the queue even on a terminal (no questions)
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Serialize)]
struct Waiting {
    path: String,
    id: String,
    /// `quarantined`, `review`, `pending` or `stale` (a dream proposal).
    status: String,
    why: String,
    title: String,
}

fn why(e: &Entry) -> String {
    let fm = e.front_matter();
    if crate::quarantine::is_pending(e) {
        return "curation could not decide (the model failed); kept as written".into();
    }
    fm.get("quarantine")
        .or_else(|| fm.get("review"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

/// The queue's status of an entry, if it waits.
fn status(e: &Entry) -> Option<&'static str> {
    if crate::quarantine::is_quarantined(e) {
        Some("quarantined")
    } else if crate::quarantine::in_review(e) {
        Some("review")
    } else if crate::quarantine::is_pending(e) {
        Some("pending")
    } else {
        None
    }
}

/// Every entry waiting, in path order, then `mem dream`'s archive
/// proposals (the least used first) for entries still live.
fn queue(tree: &crate::tree::Tree) -> Vec<Waiting> {
    let (mut files, _) = tree.scan(false);
    files.sort_by_key(|f| f.path.to_string());
    let mut out: Vec<Waiting> = files
        .into_iter()
        .filter_map(|f| {
            let e = tree.read(&f).ok()?;
            Some(Waiting {
                path: f.path.to_string(),
                id: e.meta.id.clone(),
                status: status(&e)?.into(),
                why: why(&e),
                title: e.meta.title.clone(),
            })
        })
        .collect();
    let signals = crate::signals::Signals::load(tree);
    let now = crate::time::now().as_second();
    for p in crate::lifecycle::Queue::load(tree).archive {
        let Ok(l) = tree.resolve(&p.path, false) else {
            continue;
        };
        if out.iter().any(|w| w.path == p.path)
            || l.entry.meta.id != p.id
            || crate::lifecycle::stale_reason(&l.entry, signals.get(&p.id), false, now).is_none()
        {
            continue;
        }
        out.push(Waiting {
            path: p.path,
            id: p.id,
            status: "stale".into(),
            why: format!("mem dream proposes to archive it: {}", p.reason),
            title: l.entry.meta.title.clone(),
        });
    }
    out
}

/// The archive proposal for an entry, if `mem dream` made one.
fn proposal(tree: &crate::tree::Tree, l: &crate::tree::Loaded) -> bool {
    crate::lifecycle::Queue::load(tree)
        .find(&l.file.path.to_string(), &l.entry.meta.id)
        .is_some()
}

/// Takes a proposal out of the queue when its entry is no longer stale
/// (edited, shown or raised since); whether it did.
fn dropped_if_fresh(tree: &crate::tree::Tree, l: &crate::tree::Loaded) -> Result<bool> {
    if crate::lifecycle::stale_now(tree, &l.entry).is_some() {
        return Ok(false);
    }
    let mut q = crate::lifecycle::Queue::load(tree);
    q.settle(&l.file.path.to_string(), &l.entry.meta.id, false);
    q.save(tree)?;
    Ok(true)
}

/// Settles a dream proposal: accepted archives the entry; declined keeps
/// it, and dream does not propose it again.
fn settle(
    tree: &crate::tree::Tree,
    l: &crate::tree::Loaded,
    accept: bool,
    ctx: &Ctx,
) -> Result<()> {
    let path = l.file.path.to_string();
    let mut q = crate::lifecycle::Queue::load(tree);
    let reason = q
        .find(&path, &l.entry.meta.id)
        .map(|p| p.reason.clone())
        .unwrap_or_default();
    if accept && dropped_if_fresh(tree, l)? {
        bail!(
            "{path} is no longer stale (edited, recalled or raised since dream proposed it); kept"
        );
    }
    if accept {
        let o = crate::ops::forget(tree, &path, Some(&format!("stale: {reason}")), "cli")?;
        q.settle(&path, &l.entry.meta.id, false);
        q.save(tree)?;
        if ctx.json {
            return ctx.json_line(&serde_json::json!({"op": "archived", "path": o.path, "archived_path": o.archived_path, "commit": o.commit}));
        }
        return out_line(&format!("archived {} ({})", o.path, o.archived_path));
    }
    q.settle(&path, &l.entry.meta.id, true);
    q.save(tree)?;
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "kept", "path": path, "id": l.entry.meta.id}))
    } else {
        out_line(&format!("kept {path} (not proposed again)"))
    }
}

fn approve(tree: &crate::tree::Tree, spec: &str, ctx: &Ctx) -> Result<()> {
    let l = tree.resolve(spec, false)?;
    let text = std::fs::read_to_string(tree.abs(&l.file.rel_file()))?;
    let mut e = l.entry.clone();
    if status(&e).is_none() {
        if proposal(tree, &l) {
            return settle(tree, &l, true, ctx);
        }
        bail!("{} is not waiting for review", l.file.display());
    }
    let held = held_supersede(&e);
    e.set("curation", serde_yaml::Value::String("approved".into()))?;
    e.remove("quarantine")?;
    e.remove("review")?;
    let (commit, superseded) = match held {
        // A supersede held for review: approving it is the supersede.
        Some(target) => (
            approve_supersede(tree, &l.file, &text, e.clone(), &target)?,
            Some(target),
        ),
        None => (
            crate::ops::replace(tree, &l.file, &text, &e.render(), "cli", "approve")?,
            None,
        ),
    };
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "approved", "path": l.file.display(), "id": e.meta.id, "commit": commit, "superseded": superseded}))
    } else {
        match &superseded {
            Some(t) => out_line(&format!(
                "approved {} (it supersedes {t})",
                l.file.display()
            )),
            None => out_line(&format!("approved {}", l.file.display())),
        }
    }
}

/// The entry a held write would have superseded: its review note says
/// so and it `contradicts` that entry.
fn held_supersede(e: &crate::entry::Entry) -> Option<String> {
    let why = e.front_matter().get("review")?.as_str()?.to_string();
    if !why.starts_with("held for review: would supersede") {
        return None;
    }
    e.meta
        .relations
        .iter()
        .find(|r| r.rel == "contradicts")
        .map(|r| r.to.clone())
}

/// Writes the approval of `e` and the supersede it was held for, in one
/// commit: `e` supersedes `target` (its relation becomes `supersedes`,
/// the old entry's `valid_to` is the new one's start).
fn approve_supersede(
    tree: &crate::tree::Tree,
    file: &crate::tree::EntryFile,
    expected: &str,
    mut e: crate::entry::Entry,
    target: &str,
) -> Result<Option<String>> {
    let t = tree.resolve(target, false)?;
    let t_text = std::fs::read_to_string(tree.abs(&t.file.rel_file()))?;
    let mut old = t.entry.clone();
    let mut rels = e.meta.relations.clone();
    for r in rels
        .iter_mut()
        .filter(|r| r.rel == "contradicts" && r.to == target)
    {
        r.rel = "supersedes".into();
    }
    e.set_serialized("relations", &rels)?;
    crate::dream::set_validity(&mut e, &mut old)?;
    let mut writer = crate::write::Writer::lock(tree)?;
    let mut cs = crate::write::Changeset::new(format!(
        "mem: approve {} (via cli)\n\nit supersedes {target}",
        file.display()
    ));
    cs.replace(file.rel_file(), expected, e.render());
    cs.replace(t.file.rel_file(), &t_text, old.render());
    Ok(writer.apply(cs)?.map(|c| c.to_string()))
}

fn reject(tree: &crate::tree::Tree, spec: &str, ctx: &Ctx) -> Result<()> {
    let l = tree.resolve(spec, false)?;
    if status(&l.entry).is_none() {
        if proposal(tree, &l) {
            return settle(tree, &l, false, ctx);
        }
        bail!(
            "{} is not waiting for review (use `mem forget` to retire an entry)",
            l.file.display()
        );
    }
    let o = crate::ops::forget(tree, spec, Some("rejected in review"), "cli")?;
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "rejected", "path": o.path, "archived_path": o.archived_path, "commit": o.commit}))
    } else {
        out_line(&format!(
            "rejected {} (archived: {})",
            o.path, o.archived_path
        ))
    }
}

/// On a terminal: each waiting entry in turn, a decision per entry.
fn interactive(tree: &crate::tree::Tree, waiting: Vec<Waiting>, ctx: &Ctx) -> Result<()> {
    let total = waiting.len();
    for (i, w) in waiting.into_iter().enumerate() {
        loop {
            let Ok(l) = tree.resolve(&w.path, false) else {
                break;
            };
            // Edited (validated) or shown since it was listed: not stale.
            if w.status == "stale" && dropped_if_fresh(tree, &l)? {
                eprintln!("{} is no longer stale; kept", w.path);
                break;
            }
            eprintln!(
                "\n[{}/{total}] {}  {}\n  why: {}\n",
                i + 1,
                w.status,
                ctx.bold(&w.path),
                w.why
            );
            eprintln!("{}\n", l.entry.render().trim_end());
            let items = if w.status == "stale" {
                ["archive (accept)", "keep (decline)", "edit", "skip", "quit"]
            } else {
                ["approve", "reject (archive)", "edit", "skip", "quit"]
            };
            let choice = dialoguer::Select::new()
                .with_prompt("decision")
                .items(items)
                .default(3)
                .interact_opt()?;
            match choice {
                Some(0) => approve(tree, &w.path, ctx)?,
                Some(1) => reject(tree, &w.path, ctx)?,
                Some(2) => {
                    super::edit::run(
                        super::edit::Args {
                            entry: w.path.clone(),
                        },
                        ctx,
                    )?;
                    continue;
                }
                Some(3) => {}
                _ => return Ok(()),
            }
            break;
        }
    }
    Ok(())
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    if args.approve.is_empty() && args.reject.is_empty() {
        let waiting = queue(&tree);
        if waiting.is_empty() {
            ctx.note("nothing waits for review");
            return Ok(());
        }
        if ctx.interactive && !ctx.json && !args.list {
            return interactive(&tree, waiting, ctx);
        }
        for w in &waiting {
            if ctx.json {
                ctx.json_line(w)?;
            } else {
                out_line(&format!(
                    "{:<11} {}  {}",
                    w.status,
                    ctx.bold(&w.path),
                    w.why
                ))?;
            }
        }
        return Ok(());
    }
    for spec in &args.approve {
        approve(&tree, spec, ctx)?;
    }
    for spec in &args.reject {
        reject(&tree, spec, ctx)?;
    }
    Ok(())
}

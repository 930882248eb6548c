use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "With --history: every entry linked to this one by `supersedes` relations (what it replaced \
and what replaced it, also forgotten ones), oldest first, each with the span it held (from valid_from, \
observed or created, to the time the next one began).\n\n\
Examples:\n  mem show engineering/build/cmake-needed\n  mem show 01JDZ8Q3 --json\n  \
mem show --history work/standup/the-team-standup-is-at-11-00"
)]
pub struct Args {
    /// Entry path (domain/topic/entry), id, or id prefix (6+ characters)
    pub entry: String,
    /// Also look in _archive/
    #[arg(long)]
    pub archived: bool,
    /// Show the entry's history instead: the chain of entries it superseded and that superseded it
    #[arg(long)]
    pub history: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let l = tree.resolve_read(&args.entry, args.archived, &|id| {
        crate::index::rels_by_id(&tree, id)
    })?;
    if args.history {
        return history(&tree, &l, ctx);
    }
    // The signals as they were before this read, then the read counted.
    let mut signals = crate::signals::Signals::load(&tree);
    let now = crate::time::now().as_second();
    let before = crate::signals::describe(&l.entry, &signals, now);
    signals.touch(&[l.entry.meta.id.as_str()], now);
    let _ = signals.save(&tree);
    if ctx.json {
        let mut v = entry_json(&l);
        v["signals"] = before;
        ctx.json_line(&v)?;
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

/// One entry of a history chain.
#[derive(Debug, serde::Serialize)]
struct Step {
    path: String,
    id: String,
    title: String,
    /// When it began to hold and, unless it is current, stopped.
    from: Option<String>,
    to: Option<String>,
    /// `current`, `superseded`, or `archived` (forgotten).
    status: &'static str,
    /// The entry asked about.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    this: bool,
}

/// `mem show --history`: the entries connected to `l` by `supersedes`
/// relations, both ways (the relations name older entries; the index finds
/// the newer ones), oldest first.
fn history(tree: &crate::tree::Tree, l: &crate::tree::Loaded, ctx: &Ctx) -> Result<()> {
    let models = crate::model::select::Models::new(&tree.config.models);
    let (idx, _) = crate::index::open(tree, &models, false, false)?;
    let path_of = |f: &crate::tree::EntryFile| f.path.to_string();
    let start = path_of(&l.file);
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![start.clone()];
    let mut steps = Vec::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) || seen.len() > 500 {
            continue;
        }
        let Ok(got) = tree.resolve(&p, true) else {
            continue;
        };
        let e = &got.entry;
        for r in e.meta.relations.iter().filter(|r| r.rel == "supersedes") {
            todo.push(r.to.clone());
        }
        for (rel, _) in idx.text.superseders(&p, &e.meta.id, false)? {
            let rel = rel.trim_end_matches(".md");
            todo.push(rel.strip_prefix("_archive/").unwrap_or(rel).to_string());
        }
        let end = crate::recall::ended(&idx.text, &p, e, Some(i64::MAX))?;
        steps.push((
            e.start().unwrap_or(i64::MIN),
            Step {
                path: got.file.display(),
                id: e.meta.id.clone(),
                title: crate::guard::hidden(&e.meta.title).into_owned(),
                from: e.start().map(crate::time::format_secs),
                to: end.map(crate::time::format_secs),
                status: if got.file.archived {
                    "archived"
                } else if end.is_some() {
                    "superseded"
                } else {
                    "current"
                },
                this: p == start,
            },
        ));
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
    for (_, s) in &steps {
        if ctx.json {
            ctx.json_line(s)?;
        } else {
            let span = format!(
                "{} .. {}",
                s.from.as_deref().map_or("?", |t| t.get(..10).unwrap_or(t)),
                s.to.as_deref().map_or("", |t| t.get(..10).unwrap_or(t))
            );
            out_line(&format!(
                "{} {span:<24} {:<10} {}  {}",
                if s.this { "*" } else { " " },
                s.status,
                s.path,
                s.title
            ))?;
        }
    }
    Ok(())
}

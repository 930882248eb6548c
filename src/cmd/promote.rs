//! `mem promote ENTRY --to TREE`: a copy of an entry of this tree (say,
//! the personal one) in another (the team's), with its provenance.

use crate::entry::Relation;
use crate::output::{Ctx, out_line};
use crate::write::{Changeset, Writer};
use anyhow::{Result, bail};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The copy gets a new id, the same topic (or --at), kind, tags and text, `source.via: cli`, \
`source.ref: TREE:PATH`, and a `derived-from` relation naming the original as `TREE:PATH` with its id (a relation \
to another tree: `mem doctor` does not look for it in this one). One commit in the target tree; the original is \
unchanged.\n\nExamples:\n  mem promote engineering/build/needs-cmake --to team\n  mem promote 01JDZ8Q3 --to ~/team-memory --at eng/build"
)]
pub struct Args {
    /// The entry (path or id) in the current tree
    pub entry: String,
    /// The target tree (a name from [trees] in the config, or a folder)
    #[arg(long, value_name = "TREE")]
    pub to: String,
    /// Topic in the target tree (default: the entry's own topic)
    #[arg(long, value_name = "DOMAIN/TOPIC")]
    pub at: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let here = ctx.tree()?;
    let target = ctx.named_tree(&args.to)?;
    if target.root == here.root {
        bail!("{} is this tree: promote copies into another one", args.to);
    }
    let idx = |id: &str| crate::index::rels_by_id(&here, id);
    let src = here.resolve_read(&args.entry, false, &idx)?;
    if crate::quarantine::is_quarantined(&src.entry) {
        bail!(
            "{} is quarantined: approve it first (mem review)",
            src.file.display()
        );
    }
    let topic = match &args.at {
        Some(a) => crate::paths::TopicPath::parse(a.trim_end_matches('/'))?,
        None => src.file.path.topic(),
    };
    let origin_name = here
        .root
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "tree".into());
    let origin = format!("{origin_name}:{}", src.file.path);
    let req = crate::ops::AddRequest {
        text: src.entry.body().to_string(),
        at: Some(topic.clone()),
        title: Some(src.entry.meta.title.clone()),
        tags: src.entry.meta.tags.clone(),
        kind: Some(src.entry.meta.kind.clone()),
        source: crate::entry::Source {
            via: Some("cli".into()),
            reference: Some(origin.clone()),
            ..Default::default()
        },
        observed: src.entry.meta.observed.clone(),
        importance: Some(src.entry.meta.importance),
    };
    let mut writer = Writer::lock(&target)?;
    let mut slugs = crate::ops::Slugs::default();
    let now = crate::time::format(crate::time::now());
    let (path, mut e) = crate::ops::new_entry(
        &target,
        &req,
        &topic,
        src.entry.body(),
        None,
        &mut slugs,
        &now,
    );
    e.set_serialized(
        "relations",
        &vec![Relation {
            rel: "derived-from".into(),
            to: origin.clone(),
            id: Some(src.entry.meta.id.clone()),
        }],
    )?;
    let mut cs = Changeset::new(format!("mem: promote {origin} to {path} (via cli)"));
    cs.put(path.rel_file(), e.render());
    let commit = writer.apply(cs)?;
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "promoted", "from": origin, "path": path.to_string(), "tree": target.root.display().to_string(), "id": e.meta.id, "commit": commit.map(|c| c.to_string())}))?;
    } else {
        out_line(&format!(
            "promoted {origin} to {} in {}",
            path,
            target.root.display()
        ))?;
    }
    Ok(())
}

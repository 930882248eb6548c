use crate::entry::Entry;
use crate::output::{Ctx, out_line};
use crate::paths::EntryPath;
use crate::tree::{EntryFile, entry_error};
use anyhow::{Context, Result, bail};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The entry opens in $VISUAL or $EDITOR (default vi). When you save, the file is \
validated; if it is invalid, the old version stays and your attempt is kept under .mem/state/rejected/.\n\n\
Examples:\n  mem edit engineering/build/cmake-needed\n  EDITOR=nano mem edit 01JDZ8Q3"
)]
pub struct Args {
    /// Entry path, id, or id prefix
    pub entry: String,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    // An entry that does not parse can still be opened by path, to fix it.
    let (file, original) = match tree.resolve(&args.entry, false) {
        Ok(l) => {
            let rel = l.file.rel_file();
            (l.file, std::fs::read_to_string(tree.abs(&rel))?)
        }
        Err(e) => {
            let path = EntryPath::parse(&args.entry).map_err(|_| e)?;
            let f = EntryFile {
                path,
                archived: false,
            };
            let text = std::fs::read_to_string(tree.abs(&f.rel_file()))
                .map_err(|_| crate::error::not_found(format!("no entry at {}", f.path)))?;
            (f, text)
        }
    };
    let old_id = Entry::parse(&original).ok().map(|e| e.meta.id);
    let edit_dir = tree.state_dir().join("edit");
    std::fs::create_dir_all(&edit_dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{}-", file.path.slug()))
        .suffix(".md")
        .tempfile_in(&edit_dir)?;
    std::fs::write(tmp.path(), &original)?;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(tmp.path())
        .status()
        .with_context(|| format!("starting the editor `{editor}`"))?;
    if !status.success() {
        bail!(
            "the editor `{editor}` exited with {status}; {} is unchanged",
            file.display()
        );
    }
    let edited = std::fs::read_to_string(tmp.path())
        .context("reading the edited file (is it still UTF-8 text?)")?;
    if edited == original {
        if ctx.json {
            ctx.json_line(&serde_json::json!({"op": "unchanged", "path": file.display()}))?;
        } else {
            out_line(&format!("unchanged {}", file.display()))?;
        }
        return Ok(());
    }
    let keep_rejected = |why: String| -> anyhow::Error {
        let dir = tree.state_dir().join("rejected");
        let _ = std::fs::create_dir_all(&dir);
        // A name not taken yet: two rejected edits in the same second both stay.
        let stem = format!("{}-{}", file.path.slug(), crate::time::now().as_second());
        let saved = (1..=1000)
            .map(|n| {
                if n == 1 {
                    dir.join(format!("{stem}.md"))
                } else {
                    dir.join(format!("{stem}-{n}.md"))
                }
            })
            .find(|p| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(p)
                    .is_ok()
            })
            .unwrap_or_else(|| dir.join(format!("{stem}.md")));
        let _ = std::fs::write(&saved, &edited);
        anyhow::anyhow!(
            "{why}\nthe entry is unchanged; your edit is saved in {}",
            saved.display()
        )
    };
    let mut entry = match Entry::parse(&edited) {
        Ok(e) => e,
        Err(e) => return Err(keep_rejected(entry_error(&file.rel_file(), &e).to_string())),
    };
    if let Some(old) = &old_id
        && &entry.meta.id != old
    {
        return Err(keep_rejected(format!(
            "the id changed ({old} -> {}); ids are permanent, put it back",
            entry.meta.id
        )));
    }
    let (body, red) = crate::guard::redact(entry.body());
    if !red.is_empty() {
        entry.set_body(&body);
        for r in &red {
            ctx.note(&format!(
                "redacted {} {} secret(s) before writing",
                r.count, r.kind
            ));
        }
    }
    entry.set(
        "updated",
        serde_yaml::Value::String(crate::time::format(crate::time::now())),
    )?;
    // A person's edit validates a draft (the lifecycle's rule), unless the
    // person set the maturity themselves.
    let was = Entry::parse(&original).map(|e| e.meta.maturity).ok();
    if entry.meta.maturity == "draft" && was.as_deref() == Some("draft") {
        entry.set("maturity", serde_yaml::Value::String("validated".into()))?;
    } else if was.is_some_and(|w| w != entry.meta.maturity) {
        // Set by hand: `mem dream` counts only standing earned from now on.
        let st = crate::lifecycle::standing(&entry, &crate::signals::Signals::load(&tree));
        entry.set(
            crate::lifecycle::SET_KEY,
            serde_yaml::Value::Number(st.into()),
        )?;
    }
    let commit = crate::ops::replace(&tree, &file, &original, &entry.render(), "cli", "edit")?;
    if ctx.json {
        ctx.json_line(&serde_json::json!({"op": "edited", "path": file.display(), "id": entry.meta.id, "commit": commit}))?;
    } else {
        out_line(&format!("edited {}", file.display()))?;
    }
    Ok(())
}

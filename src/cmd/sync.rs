//! `mem sync` and `mem merge-file` (the git merge driver).

use crate::output::{Ctx, out_line};
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Commits what is pending in the tree (hand edits, new notes), fetches the branch from the remote \
(the branch's upstream, else `origin`), merges entry by entry (no conflict markers: overlapping edits keep your \
version and add theirs as a sibling entry related `contradicts`, both flagged for `mem review`), and pushes. \
Uses the repository's remotes and your git credentials (ssh-agent, credential helpers; file:// and plain paths). \
A failed fetch or a rejected push changes nothing and keeps your commits: run `mem sync` again. Also registers \
the merge driver (`mem merge-file`) so a plain `git pull` merges entries the same way, and finishes a `git pull` \
(merge or rebase) that stopped on a conflict no driver sees (an entry edited on one side and moved or forgotten \
on the other, or moved on both): git's half-done work is undone and the same commits are merged by mem's rules.\n\n\
Examples:\n  git remote add origin git@example.com:team/memory.git && mem sync\n  mem sync --no-push --json"
)]
pub struct Args {
    /// The remote to sync with (default: the branch's upstream remote, else origin)
    #[arg(long)]
    pub remote: Option<String>,
    /// Fetch and merge, do not push
    #[arg(long)]
    pub no_push: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let r = crate::sync::sync(
        &tree,
        &crate::sync::Options {
            remote: args.remote,
            no_push: args.no_push,
            progress: ctx.interactive && !ctx.quiet,
        },
    )?;
    if ctx.json {
        return ctx.json_line(&r);
    }
    let c = &r.came_in;
    out_line(&format!(
        "synced with {}/{}: {}; in: {} added, {} updated, {} moved, {} archived, {} restored, {} removed; out: {} commit(s){}",
        r.remote,
        r.branch,
        r.merge,
        c.added.len(),
        c.updated.len(),
        c.moved.len(),
        c.archived.len(),
        c.restored.len(),
        c.removed.len(),
        r.went_out,
        if r.pushed { " pushed" } else { "" }
    ))?;
    if r.committed_pending > 0 {
        ctx.note(&format!(
            "committed {} pending file(s) first",
            r.committed_pending
        ));
    }
    for s in &r.siblings {
        ctx.note(&format!(
            "overlapping edits: the other version is {s} (see `mem review`)"
        ));
    }
    for n in &r.notes {
        ctx.note(&format!("note: {n}"));
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Registered by `mem init` and `mem sync` as the merge driver of *.md files (`merge.mem.driver` in \
.git/config, `*.md merge=mem` in .gitattributes), so `git pull`, `git merge` and `git rebase` merge entries field \
by field and line by line. Overlapping edits never leave conflict markers: the file keeps ours and theirs is \
written beside it as a new entry (commit it, or run `mem sync`). A file that is not an entry is merged by git's \
own rules (`git merge-file`), markers included, and the driver says it needs a hand."
)]
pub struct MergeFileArgs {
    /// The common ancestor's version (%O)
    pub base: PathBuf,
    /// Ours (%A): the result is written here
    pub ours: PathBuf,
    /// Theirs (%B)
    pub theirs: PathBuf,
    /// The file's path in the repository (%P)
    pub path: String,
}

pub fn merge_file(a: MergeFileArgs, _ctx: &Ctx) -> Result<()> {
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
    };
    let (base, ours, theirs) = (read(&a.base)?, read(&a.ours)?, read(&a.theirs)?);
    let base = (!base.trim().is_empty()).then_some(base.as_str());
    match crate::merge::merge_entry(&a.path, base, &ours, &theirs) {
        Ok(m) => {
            crate::fsutil::replace_tree_file(&a.ours, m.text.as_bytes())?;
            for n in &m.notes {
                eprintln!("mem: {n}");
            }
            if let Some(s) = m.sibling {
                // Beside the file, in the work tree (git runs drivers at
                // the repository's root).
                // Named by the sibling's own id: two clones that resolve the
                // same conflict cannot pick the same new path.
                let stem = a.path.trim_end_matches(".md");
                let tag = crate::entry::Entry::parse(&s)
                    .map(|e| e.meta.id[e.meta.id.len() - 6..].to_ascii_lowercase())
                    .unwrap_or_else(|_| "theirs".into());
                let p = format!("{stem}-{tag}.md");
                std::fs::write(&p, s).with_context(|| format!("writing {p}"))?;
                eprintln!(
                    "mem: {}: overlapping edits; theirs is the new entry {p} (commit it, or run `mem sync`)",
                    a.path
                );
            }
            Ok(())
        }
        Err(crate::merge::NotAnEntry(why)) => {
            // Not an entry: git's own three-way merge, markers and all.
            let st = std::process::Command::new("git")
                .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
                .arg(&a.ours)
                .arg(&a.base)
                .arg(&a.theirs)
                .status()
                .context("running git merge-file")?;
            if !st.success() {
                eprintln!(
                    "mem: {} is not an entry ({why}); merged by git's rules: it needs a hand",
                    a.path
                );
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The tree's git remotes (the same as `git remote`): `mem sync` uses the branch's upstream, else \
`origin`.\n\nExamples:\n  mem remote add origin git@example.com:team/memory.git\n  mem remote ls --json"
)]
pub struct RemoteArgs {
    #[command(subcommand)]
    pub cmd: RemoteCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum RemoteCmd {
    /// Add a remote (a URL: ssh, https, file://, or a plain path)
    Add { name: String, url: String },
    /// List the remotes with their URLs
    Ls,
}

pub fn remote(a: RemoteArgs, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let repo =
        git2::Repository::discover(&tree.root).context("opening the tree's git repository")?;
    match a.cmd {
        RemoteCmd::Add { name, url } => {
            if repo.find_remote(&name).is_ok() {
                anyhow::bail!("a remote named {name} exists already (see `mem remote ls`)");
            }
            // A plain path (there or not yet: `mem sync` then says it is
            // missing) is taken from the current folder, `..` resolved;
            // `host:path` and URLs are left as they are.
            let url = if !url.contains("://")
                && !url.contains('@')
                && (!url.contains(':') || std::path::Path::new(&url).exists())
            {
                tidy(&std::path::absolute(&url)?).display().to_string()
            } else {
                url
            };
            repo.remote(&name, &url)
                .with_context(|| format!("adding the remote {name} ({url})"))?;
            if let Some(p) = crate::sync::missing_local_remote(&url) {
                ctx.note(&format!(
                    "warning: {} does not exist yet; `mem sync` needs a git repository there (`git init --bare {}`)",
                    p.display(),
                    p.display()
                ));
            }
            if ctx.json {
                ctx.json_line(&serde_json::json!({"op": "added", "name": name, "url": url}))?;
            } else {
                out_line(&format!(
                    "added remote {name} {url}; `mem sync` pushes and pulls through it"
                ))?;
            }
        }
        RemoteCmd::Ls => {
            let names = repo.remotes()?;
            for name in names.iter().flatten() {
                let r = repo.find_remote(name)?;
                let url = r.url().unwrap_or("").to_string();
                if ctx.json {
                    ctx.json_line(&serde_json::json!({"name": name, "url": url}))?;
                } else {
                    out_line(&format!("{name}\t{url}"))?;
                }
            }
        }
    }
    Ok(())
}

/// `path` with `.` and `..` resolved as written (not through links).
fn tidy(path: &std::path::Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

//! `mem sync`: team memory over a git remote. Commits what is pending (hand
//! edits, new hand-written notes), fetches, merges with the entry-level
//! merge (`crate::merge`: never conflict markers in an entry), and pushes,
//! all through git2 and the repository's own remotes and credentials
//! (ssh-agent, git's credential helpers, `file://` and plain paths).
//!
//! Nothing is lost on failure: a fetch or push that fails leaves the local
//! commits as they are (a second `mem sync` finishes the job), and a merge
//! is built in memory and only checked out once every file is resolved; a
//! file that is not an entry and conflicts stops the sync before anything
//! changes, naming it.

use crate::tree::Tree;
use anyhow::{Context, Result, bail};
use git2::{
    BranchType, Cred, CredentialType, FetchOptions, IndexEntry, Oid, PushOptions, RemoteCallbacks,
    Repository,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct Options {
    /// The remote (default: the branch's upstream remote, else `origin`).
    pub remote: Option<String>,
    /// Fetch and merge only.
    pub no_push: bool,
    /// A progress bar for the fetch (on a terminal).
    pub progress: bool,
}

/// What came in, by entry path (relative to the tree, without `.md`).
#[derive(Debug, Default, Serialize)]
pub struct Incoming {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub moved: Vec<String>,
    pub archived: Vec<String>,
    pub restored: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub remote: String,
    pub branch: String,
    /// `up-to-date`, `fast-forward`, `merged`, or `nothing to fetch`.
    pub merge: &'static str,
    /// A `git pull` that had stopped on a conflict and that this sync
    /// finished: `merge` or `rebase` (the rebase is undone and merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_pull: Option<&'static str>,
    /// Files of hand edits committed before syncing.
    pub committed_pending: usize,
    pub came_in: Incoming,
    /// Commits pushed.
    pub went_out: usize,
    pub pushed: bool,
    /// Sibling entries written for overlapping edits (`contradicts`).
    pub siblings: Vec<String>,
    /// Merge decisions a person may want to know.
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

fn callbacks<'a>(
    repo: &'a Repository,
    bar: Option<&'a indicatif::ProgressBar>,
) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    let mut tries = 0;
    cb.credentials(move |url, username, allowed| {
        tries += 1;
        if tries > 4 {
            return Err(git2::Error::from_str(
                "authentication failed (ssh-agent, git's credential helpers and the default credentials were tried)",
            ));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Ok(cfg) = repo.config()
        {
            return Cred::credential_helper(&cfg, url, username);
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        Cred::default()
    });
    if let Some(b) = bar {
        cb.transfer_progress(move |p| {
            b.set_length(p.total_objects() as u64);
            b.set_position(p.received_objects() as u64);
            true
        });
    }
    cb
}

/// The tree's paths in the repository start with this prefix ("" or
/// "sub/dir/").
fn prefix_of(repo: &Repository, root: &Path) -> Result<String> {
    let p = crate::git::tree_prefix(repo, root)?;
    Ok(if p.is_empty() { p } else { format!("{p}/") })
}

/// Commits every change under the tree (hand edits, new notes, the
/// attributes file) that is not committed yet. Returns the file count.
fn commit_pending(
    repo: &Repository,
    prefix: &str,
    cfg: &crate::config::GitConfig,
) -> Result<usize> {
    let mut so = git2::StatusOptions::new();
    so.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    if !prefix.is_empty() {
        so.pathspec(prefix.trim_end_matches('/'));
    }
    let statuses = repo.statuses(Some(&mut so))?;
    let mut paths: Vec<(String, bool)> = Vec::new();
    for s in statuses.iter() {
        let Some(p) = s.path() else { continue };
        let st = s.status();
        if st.is_ignored() || st == git2::Status::CURRENT {
            continue;
        }
        let gone = st.intersects(git2::Status::WT_DELETED | git2::Status::INDEX_DELETED);
        paths.push((p.to_string(), gone));
    }
    if paths.is_empty() {
        return Ok(0);
    }
    let mut index = repo.index()?;
    for (p, gone) in &paths {
        if *gone {
            let _ = index.remove_path(Path::new(p));
        } else {
            index.add_path(Path::new(p))?;
        }
    }
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let sig = crate::git::signature(repo, cfg)?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let names: Vec<&str> = paths.iter().take(5).map(|(p, _)| p.as_str()).collect();
    let msg = format!(
        "mem: sync: commit {} pending file(s) (via sync)\n\n{}",
        paths.len(),
        names.join("\n")
    );
    repo.commit(Some("HEAD"), &sig, &sig, &msg, &tree, &parents)?;
    Ok(paths.len())
}

/// A free path beside `path` (`stem-2.md`, `stem-3.md`…) in `taken`.
fn free_path(path: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let stem = path.trim_end_matches(".md");
    (2..)
        .map(|n| format!("{stem}-{n}.md"))
        .find(|p| !taken(p))
        .unwrap_or_default()
}

pub fn sync(tree: &Tree, opts: &Options) -> Result<Report> {
    run(tree, opts).map_err(|e| {
        // libgit2 says "the index is locked" without naming the file.
        let locked = e.chain().any(|c| {
            c.downcast_ref::<git2::Error>()
                .is_some_and(|g| g.code() == git2::ErrorCode::Locked && !g.message().contains(".lock"))
        });
        match Repository::discover(&tree.root) {
            Ok(repo) if locked => e.context(format!(
                "{} exists: another git command is running, or one crashed (delete the file if none is running); \
                 nothing was lost, run `mem sync` again",
                repo.path().join("index.lock").display()
            )),
            _ => e,
        }
    })
}

fn run(tree: &Tree, opts: &Options) -> Result<Report> {
    // One writer at a time: no mem write interleaves with the merge.
    let _writer = crate::write::Writer::lock(tree)?;
    let repo = Repository::discover(&tree.root).context("opening the tree's git repository")?;
    // Git's lock files left by a sync killed mid-write are removed; this
    // one's are, if it is killed.
    let _marker = crate::git::CommitMarker::set(&repo)?;
    let prefix = prefix_of(&repo, &tree.root)?;
    crate::git::ensure_merge_driver(&repo, &tree.root)?;
    // A sync killed while it wrote the incoming files: those files are put
    // back as HEAD has them (they are not hand edits), then this sync
    // merges again.
    let recovered = recover(&repo, tree)?;
    if recovered > 0 {
        eprintln!(
            "mem: an interrupted sync was rolled back ({recovered} file(s) put back as committed); syncing again"
        );
    }
    // A plain `git pull` that stopped on a conflict no merge driver sees
    // (modify/delete, rename/rename): its partial work is undone and the
    // same two commits are merged here, by mem's rules.
    let stopped = stopped_pull(&repo)?;
    if let Some(s) = &stopped {
        undo_stopped_pull(&repo, s)?;
    }
    let committed_pending = commit_pending(&repo, &prefix, &tree.config.git)?;
    let head = repo.head().context("the tree has no commit yet")?;
    let mut branch = head
        .shorthand()
        .filter(|_| head.is_branch())
        .context("HEAD is detached: check out a branch to sync")?
        .to_string();
    let mut report = Report {
        remote: String::new(),
        branch: branch.clone(),
        merge: "nothing to fetch",
        finished_pull: None,
        committed_pending,
        came_in: Incoming::default(),
        went_out: 0,
        pushed: false,
        siblings: vec![],
        notes: vec![],
        commit: None,
    };
    let before_all = repo.head()?.peel_to_commit()?.id();
    if let Some(s) = &stopped {
        let ours = repo.head()?.peel_to_commit()?;
        let theirs = repo.find_commit(s.theirs)?;
        integrate(
            &repo,
            &prefix,
            tree,
            &branch,
            (&ours, &theirs),
            s.label,
            &mut report,
        )?;
        report.finished_pull = Some(s.kind);
        report.notes.push(format!(
            "a `git pull` that had stopped on a conflict ({}) was finished by mem's merge",
            s.kind
        ));
    }
    let remote_name = match &opts.remote {
        Some(r) => r.clone(),
        None => repo
            .branch_upstream_remote(&format!("refs/heads/{branch}"))
            .ok()
            .and_then(|b| b.as_str().map(str::to_string))
            .or_else(|| repo.find_remote("origin").ok().map(|_| "origin".into()))
            .context("no remote to sync with: add one with `mem remote add origin URL` (a bare git repository: ssh, https, file:// or a path)")?,
    };
    let mut remote = repo.find_remote(&remote_name).map_err(|_| {
        let names: Vec<String> = repo
            .remotes()
            .map(|r| r.iter().flatten().map(str::to_string).collect())
            .unwrap_or_default();
        anyhow::anyhow!(
            "no remote named {remote_name} (this tree has {}; `mem remote ls` lists them)",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )
    })?;
    if let Some(p) = missing_local_remote(remote.url().unwrap_or("")) {
        bail!(
            "the remote {remote_name} is a folder that does not exist: {}; nothing was lost: your commits stay local (fix the path with `git remote set-url {remote_name} PATH`, or make a repository there with `git init --bare`)",
            p.display()
        );
    }
    if let Some(theirs) = follow_remote_branch(&repo, &mut remote, &remote_name, &branch, &prefix)?
    {
        repo.find_branch(&branch, BranchType::Local)?
            .rename(&theirs, false)
            .with_context(|| format!("renaming the branch {branch} to {theirs}"))?;
        report.notes.push(format!(
            "the branch {branch}, never pushed, is now {theirs}: the branch of {remote_name} (its default), which this sync merges and pushes to"
        ));
        branch = theirs;
        report.branch = branch.clone();
    }
    let bar = crate::index::progress_bar(opts.progress, 1000);
    if let Some(b) = &bar {
        b.set_message(format!("fetching {remote_name}"));
    }
    {
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(callbacks(&repo, bar.as_ref()));
        remote
            .fetch(&[format!("+refs/heads/{branch}:refs/remotes/{remote_name}/{branch}")], Some(&mut fo), None)
            .with_context(|| {
                format!(
                    "fetching from {remote_name} ({}) failed; nothing was lost: your commits stay local, run `mem sync` again later",
                    remote.url().unwrap_or("?")
                )
            })?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let ours = repo.head()?.peel_to_commit()?;
    let theirs_ref = repo.find_branch(&format!("{remote_name}/{branch}"), BranchType::Remote);
    report.remote = remote_name.clone();
    if let Ok(tb) = &theirs_ref {
        let theirs = tb.get().peel_to_commit()?;
        report.merge = integrate(
            &repo,
            &prefix,
            tree,
            &branch,
            (&ours, &theirs),
            &format!("{remote_name}/{branch}"),
            &mut report,
        )?;
    }
    let new_head = repo.head()?.peel_to_commit()?.id();
    if new_head != before_all {
        report.came_in = incoming(&repo, &prefix, before_all, new_head)?;
    }
    if !opts.no_push {
        let local = repo.head()?.peel_to_commit()?.id();
        let remote_tip = theirs_ref.ok().and_then(|b| b.get().target());
        report.went_out = match remote_tip {
            Some(rt) => repo.graph_ahead_behind(local, rt)?.0,
            // An empty remote: the whole history goes out.
            None => {
                let mut walk = repo.revwalk()?;
                walk.push(local)?;
                walk.count()
            }
        };
        if report.went_out > 0 {
            let mut try_push = || -> Result<Option<String>> {
                let mut rejected: Option<String> = None;
                {
                    let mut cb = callbacks(&repo, None);
                    cb.push_update_reference(|_, status| {
                        if let Some(s) = status {
                            rejected = Some(s.to_string());
                        }
                        Ok(())
                    });
                    let mut po = PushOptions::new();
                    po.remote_callbacks(cb);
                    remote
                        .push(&[format!("refs/heads/{branch}:refs/heads/{branch}")], Some(&mut po))
                        .with_context(|| {
                            format!(
                                "pushing to {remote_name} failed; nothing was lost: the merge is committed locally, run `mem sync` again later"
                            )
                        })?;
                }
                Ok(rejected)
            };
            let mut rejected = try_push()?;
            // A push into a repository on this machine that was killed
            // mid-way leaves the branch's lock file there, and every push
            // after it fails. A live push holds it for milliseconds: one
            // still there after 1.5 s of retries is stale, and goes.
            if let Some(lock) = rejected.as_deref().and_then(stale_lock) {
                for wait_ms in [100, 200, 400, 800] {
                    std::thread::sleep(std::time::Duration::from_millis(wait_ms));
                    if !lock.exists() {
                        break;
                    }
                }
                if lock.exists() && std::fs::remove_file(&lock).is_ok() {
                    eprintln!(
                        "warning: removed {}, a lock an interrupted push left in {remote_name}",
                        lock.display()
                    );
                }
                rejected = try_push()?;
            }
            if let Some(why) = rejected {
                bail!(
                    "{remote_name} rejected the push ({why}): someone pushed meanwhile; nothing was lost, run `mem sync` again"
                );
            }
            report.pushed = true;
            // The remote-tracking branch now points at what was pushed.
            let _ = repo.reference(
                &format!("refs/remotes/{remote_name}/{branch}"),
                local,
                true,
                "mem: sync: pushed",
            );
            // A branch without an upstream tracks what it was pushed to
            // (as `git push -u` does), so a plain `git pull` or `git
            // status` in the tree knows the remote branch too. One set by
            // hand is left alone.
            if let Ok(mut b) = repo.find_branch(&branch, BranchType::Local)
                && b.upstream().is_err()
            {
                let _ = b.set_upstream(Some(&format!("{remote_name}/{branch}")));
            }
        }
    }
    Ok(report)
}

/// The folder a remote's URL names on this machine (a plain path or
/// `file://`), when it does not exist: libgit2 would call it an
/// "unsupported URL protocol".
pub(crate) fn missing_local_remote(url: &str) -> Option<std::path::PathBuf> {
    local_remote_path(url).filter(|p| !p.exists())
}

/// The folder a remote's URL names on this machine (a plain path or
/// `file://`).
fn local_remote_path(url: &str) -> Option<std::path::PathBuf> {
    let path = if let Some(p) = url.strip_prefix("file://") {
        p
    } else if url.contains("://") {
        return None;
    } else if url.starts_with('/') || url.starts_with("./") || url.starts_with("../") {
        url
    } else {
        // `host:path` (scp-like ssh) or a bare relative name: not ours to judge.
        return None;
    };
    Some(std::path::PathBuf::from(path))
}

/// The branch this tree's branch should become to sync with `remote`:
/// the remote's default branch (the branch its `HEAD` names), when
/// the local branch was never pushed there (no upstream, no
/// remote-tracking branch, no branch of that name on the remote: a tree
/// made by `mem init` on git's default `master`, say, beside a remote
/// whose teammates use `main`) and no local branch has that name. Only in
/// a repository that holds the tree alone: a code repository's branches
/// are the user's to name. `None` when nothing is to change, or the
/// remote cannot be asked (the fetch then says why).
fn follow_remote_branch(
    repo: &Repository,
    remote: &mut git2::Remote,
    remote_name: &str,
    branch: &str,
    prefix: &str,
) -> Result<Option<String>> {
    if !prefix.is_empty()
        || repo
            .branch_upstream_name(&format!("refs/heads/{branch}"))
            .is_ok()
        || repo
            .find_reference(&format!("refs/remotes/{remote_name}/{branch}"))
            .is_ok()
    {
        return Ok(None);
    }
    let Ok(conn) = remote.connect_auth(git2::Direction::Fetch, Some(callbacks(repo, None)), None)
    else {
        return Ok(None);
    };
    // Its default branch first: git2's `list` of an empty advertisement
    // is undefined behaviour, and a remote with a default branch
    // advertises at least that.
    let default = conn
        .default_branch()
        .ok()
        .and_then(|b| b.as_str().map(str::to_string))
        .and_then(|b| b.strip_prefix("refs/heads/").map(str::to_string));
    let heads: Vec<String> = match &default {
        Some(_) => conn
            .list()?
            .iter()
            .filter_map(|h| h.name().strip_prefix("refs/heads/").map(str::to_string))
            .collect(),
        None => Vec::new(),
    };
    drop(conn);
    if heads.iter().any(|h| h == branch) {
        return Ok(None);
    }
    let theirs = match default {
        Some(d) if heads.contains(&d) => Some(d),
        // An empty repository on this machine (`git init --bare -b main`)
        // names its branch-to-be in its HEAD, which is not advertised: the
        // first push goes there, so that a clone checks it out.
        _ if heads.is_empty() => local_remote_path(remote.url().unwrap_or(""))
            .and_then(|p| Repository::open_bare(p).ok())
            // (git2's `is_empty` expects HEAD at git's initial branch.)
            .filter(|r| r.branches(None).is_ok_and(|mut b| b.next().is_none()))
            .and_then(|r| {
                r.find_reference("HEAD")
                    .ok()?
                    .symbolic_target()?
                    .strip_prefix("refs/heads/")
                    .map(str::to_string)
            }),
        _ => None,
    };
    Ok(theirs.filter(|d| d != branch && repo.find_branch(d, BranchType::Local).is_err()))
}

/// The lock file a rejected push names ("failed to lock file '…/main.lock'
/// for writing"), when it is a ref lock of a repository on this machine
/// that is there now.
fn stale_lock(why: &str) -> Option<std::path::PathBuf> {
    let rest = why.split_once("failed to lock file '")?.1;
    let path = std::path::PathBuf::from(rest.split_once('\'')?.0);
    let name = path.file_name()?.to_str()?;
    let is_ref_lock = name.ends_with(".lock") && path.components().any(|c| c.as_os_str() == "refs");
    (is_ref_lock && path.is_file()).then_some(path)
}

/// Brings `theirs` into the branch at `ours`: nothing when it is in
/// already, a fast-forward, or a merge by mem's rules (its commit goes into
/// the report). Returns which (`up-to-date`, `fast-forward`, `merged`).
fn integrate(
    repo: &Repository,
    prefix: &str,
    tree: &Tree,
    branch: &str,
    (ours, theirs): (&git2::Commit, &git2::Commit),
    label: &str,
    report: &mut Report,
) -> Result<&'static str> {
    if ours.id() == theirs.id() || repo.graph_descendant_of(ours.id(), theirs.id())? {
        return Ok("up-to-date");
    }
    if repo.graph_descendant_of(theirs.id(), ours.id())? {
        move_to(
            repo,
            tree,
            branch,
            ours,
            theirs,
            &format!("mem: sync: fast-forward to {label}"),
        )?;
        return Ok("fast-forward");
    }
    let id = merge(repo, prefix, ours, theirs, label, branch, tree, report)?;
    report.commit = Some(id.to_string());
    Ok("merged")
}

/// Checks `to` out over `from`, HEAD's tree (the work tree matches HEAD:
/// pending changes were committed): the paths that differ are written
/// whole ([`put_back`]) and git's index takes them (with their stat data;
/// the other entries keep theirs).
fn checkout(repo: &Repository, from: &git2::Tree, to: &git2::Tree) -> Result<()> {
    let paths = changed_paths(repo, from, to)?;
    let wd = repo
        .workdir()
        .context("the repository is bare")?
        .to_path_buf();
    put_back(repo, &wd, to, &paths).context("updating the work tree with what came in")?;
    let mut index = repo.index()?;
    for p in &paths {
        if to.get_path(p).is_ok() {
            index.add_path(p)?;
        } else {
            let _ = index.remove_path(p);
        }
    }
    index.write()?;
    Ok(())
}

/// The paths that differ between two trees (old and new names of a
/// rename both).
fn changed_paths(
    repo: &Repository,
    a: &git2::Tree,
    b: &git2::Tree,
) -> Result<Vec<std::path::PathBuf>> {
    let diff = repo.diff_tree_to_tree(Some(a), Some(b), None)?;
    let mut seen = std::collections::HashSet::new();
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for d in diff.deltas() {
        for p in [d.old_file().path(), d.new_file().path()]
            .into_iter()
            .flatten()
        {
            if seen.insert(p.to_path_buf()) {
                paths.push(p.to_path_buf());
            }
        }
    }
    Ok(paths)
}

#[allow(clippy::too_many_arguments)]
fn merge(
    repo: &Repository,
    prefix: &str,
    ours: &git2::Commit,
    theirs: &git2::Commit,
    label: &str,
    branch: &str,
    tree: &Tree,
    report: &mut Report,
) -> Result<Oid> {
    let mut index = repo.merge_commits(ours, theirs, None)?;
    // Edit vs forget: git follows the rename into `_archive/` and applies
    // the edit there; mem keeps the edited entry live.
    let base = repo
        .merge_base(ours.id(), theirs.id())
        .ok()
        .map(|b| repo.find_commit(b))
        .transpose()?;
    // Edit vs forget: an edit of the statement keeps the entry live; a
    // change of metadata alone (mem's own `valid_to`, say) does not undo
    // the forget; an approval met by a rejection waits for review again.
    let mut revived: Vec<(String, crate::merge::EditVsForget)> = Vec::new();
    if let Some(base) = &base {
        let (a, b) = (
            archived_paths(repo, prefix, base, ours)?,
            archived_paths(repo, prefix, base, theirs)?,
        );
        let (ma, mb) = (
            modified_paths(repo, base, ours)?,
            modified_paths(repo, base, theirs)?,
        );
        for (archived_by, edited_by, edited_side) in [(&a, &mb, theirs), (&b, &ma, ours)] {
            for rel in archived_by {
                let live = format!("{prefix}{rel}");
                if !edited_by.contains(&live) {
                    continue;
                }
                let how = match (
                    commit_entry(repo, base, &live),
                    commit_entry(repo, edited_side, &live),
                ) {
                    (Some(b), Some(e)) => crate::merge::edit_vs_forget(&b, &e),
                    // Not an entry mem can read: kept live, as before.
                    _ => crate::merge::EditVsForget::Revive,
                };
                revived.push((rel.clone(), how));
            }
        }
    }
    // A file both sides changed that git merged by itself (a `valid_to`
    // line on one side, the statement on the other): superseded while
    // edited stays live for review, as the entry merge decides it.
    if let Some(base) = &base {
        let (ma, mb) = (
            modified_paths(repo, base, ours)?,
            modified_paths(repo, base, theirs)?,
        );
        let read = |c: &git2::Commit, p: &str| commit_entry(repo, c, p);
        for p in ma.iter().filter(|p| mb.contains(p) && p.ends_with(".md")) {
            let (Some(b), Some(o), Some(t)) = (read(base, p), read(ours, p), read(theirs, p))
            else {
                continue;
            };
            if !crate::merge::edited_while_superseded(&b, &o, &t) {
                continue;
            }
            let Some(mut e) = index_entry(repo, &index, p) else {
                continue;
            };
            crate::merge::keep_for_review(&mut e)?;
            put_entry(repo, &mut index, p, &e)?;
            // The entry that superseded it waits too: its supersede is held
            // (`mem review --approve` makes it), the two related `contradicts`.
            let rel = p
                .strip_prefix(prefix)
                .unwrap_or(p)
                .trim_end_matches(".md")
                .to_string();
            for side in [ours, theirs] {
                let diff =
                    repo.diff_tree_to_tree(Some(&base.tree()?), Some(&side.tree()?), None)?;
                let added: Vec<String> = diff
                    .deltas()
                    .filter(|d| d.status() == git2::Delta::Added)
                    .filter_map(|d| d.new_file().path().map(|x| x.to_string_lossy().to_string()))
                    .filter(|x| x.ends_with(".md"))
                    .collect();
                for np in added {
                    let Some(mut n) = index_entry(repo, &index, &np) else {
                        continue;
                    };
                    let mut rels = n.meta.relations.clone();
                    let mut held = false;
                    for r in rels.iter_mut().filter(|r| {
                        r.rel == "supersedes"
                            && (r.to == rel || r.id.as_deref() == Some(e.meta.id.as_str()))
                    }) {
                        r.rel = "contradicts".into();
                        held = true;
                    }
                    if !held {
                        continue;
                    }
                    n.set_serialized("relations", &rels)?;
                    crate::quarantine::flag_for_review(
                        &mut n,
                        &format!(
                            "held for review: would supersede {rel} (edited on the other side meanwhile)"
                        ),
                    )?;
                    put_entry(repo, &mut index, &np, &n)?;
                }
            }
            report.notes.push(format!(
                "{}: {}; it stays live and waits for review",
                p.strip_prefix(prefix).unwrap_or(p).trim_end_matches(".md"),
                crate::merge::EDITED_WHILE_SUPERSEDED
            ));
        }
    }
    for (rel, how) in &revived {
        use crate::merge::EditVsForget;
        let live = format!("{prefix}{rel}");
        let arch = format!("{prefix}{}/{rel}", crate::paths::ARCHIVE_DIR);
        let name = rel.trim_end_matches(".md");
        if index.get_path(Path::new(&arch), 0).is_none() {
            continue;
        }
        match how {
            EditVsForget::Archive => {
                report.notes.push(format!(
                    "{name}: forgotten on one side; the other side changed only its metadata, which the archived entry keeps"
                ));
                continue;
            }
            EditVsForget::Revive => report.notes.push(format!(
                "{name}: edited on one side and forgotten on the other; the edited entry stays live"
            )),
            EditVsForget::Disputed => {
                let (Some(b), Some(mut e)) = (
                    base.as_ref().and_then(|c| commit_entry(repo, c, &live)),
                    index_entry(repo, &index, &arch),
                ) else {
                    continue;
                };
                let target = crate::merge::hold_disputed(&b, &mut e)?;
                put_entry(repo, &mut index, &arch, &e)?;
                // A held supersede approved on one side: the entry it would
                // have replaced is live again until the new decision.
                if let (Some(t), Some(base)) = (target, &base) {
                    let tp = format!("{prefix}{t}.md");
                    if let (Some(tb), Some(mut te)) = (
                        commit_entry(repo, base, &tp),
                        index_entry(repo, &index, &tp),
                    ) && tb.meta.valid_to != te.meta.valid_to
                    {
                        match tb.front_matter().get("valid_to") {
                            Some(v) => te.set("valid_to", v.clone())?,
                            None => te.remove("valid_to")?,
                        }
                        put_entry(repo, &mut index, &tp, &te)?;
                    }
                }
                report.notes.push(format!(
                    "{name}: approved on one side and rejected (forgotten) on the other; it stays live and waits for review"
                ));
            }
        }
        if let Some(e) = index.get_path(Path::new(&arch), 0) {
            let moved = crate::git::index_entry(&live, e.id, e.file_size as usize);
            index.remove_path(Path::new(&arch))?;
            index.add(&moved)?;
        }
    }
    let blob = |e: &Option<IndexEntry>| -> Result<Option<String>> {
        match e {
            None => Ok(None),
            Some(e) => Ok(Some(
                String::from_utf8_lossy(repo.find_blob(e.id)?.content()).to_string(),
            )),
        }
    };
    let mut resolved: Vec<(String, Option<String>)> = Vec::new();
    let mut by_hand: Vec<String> = Vec::new();
    // (path, entry id, text, the common version when git knows it)
    let mut one_sided: Vec<(String, String, String, Option<String>)> = Vec::new();
    let mut moved_from: std::collections::HashMap<String, String> = Default::default();
    let conflicts: Vec<git2::IndexConflict> = index.conflicts()?.collect::<Result<_, _>>()?;
    for c in &conflicts {
        let any = c.our.as_ref().or(c.their.as_ref()).or(c.ancestor.as_ref());
        let Some(path) = any.map(|e| String::from_utf8_lossy(&e.path).to_string()) else {
            continue;
        };
        let rel = path.strip_prefix(prefix).unwrap_or(&path).to_string();
        let is_entry =
            path.starts_with(prefix) && rel.ends_with(".md") && rel.matches('/').count() >= 2;
        let (b, o, t) = (blob(&c.ancestor)?, blob(&c.our)?, blob(&c.their)?);
        // An overview is rewritten from the entries by the next `mem
        // dream`: ours (else theirs) stands until then.
        if path.starts_with(prefix) && rel.ends_with(&format!("/{}", crate::paths::OVERVIEW_FILE)) {
            resolved.push((path.clone(), o.or(t)));
            continue;
        }
        match (o, t) {
            (Some(o), Some(t)) if is_entry => {
                match crate::merge::merge_entry(&rel, b.as_deref(), &o, &t) {
                    Ok(m) => {
                        report.notes.extend(m.notes);
                        resolved.push((path.clone(), Some(m.text)));
                        if let Some(s) = m.sibling {
                            let taken = |p: &str| {
                                index.get_path(Path::new(p), 0).is_some()
                                    || resolved.iter().any(|(r, _)| r == p)
                            };
                            let sp = free_path(&path, &taken);
                            report.siblings.push(
                                sp.strip_prefix(prefix)
                                    .unwrap_or(&sp)
                                    .trim_end_matches(".md")
                                    .to_string(),
                            );
                            resolved.push((sp, Some(s)));
                        }
                    }
                    Err(e) => by_hand.push(e.0),
                }
            }
            // One side only (edited here, removed or moved there; or the
            // two ends of a rename on both sides): kept for now, one copy
            // per entry id is chosen below.
            (Some(x), None) | (None, Some(x)) if is_entry => {
                let id = crate::entry::Entry::parse(&x)
                    .map(|e| e.meta.id)
                    .unwrap_or_default();
                one_sided.push((path.clone(), id, x, b));
            }
            // Only the common version: both sides moved it away (it is
            // the base for merging the moved copies below).
            (None, None) if is_entry => {
                if let Some(b) = b
                    && let Ok(e) = crate::entry::Entry::parse(&b)
                {
                    moved_from.insert(e.meta.id.clone(), b);
                }
                resolved.push((path.clone(), None))
            }
            _ => by_hand.push(rel),
        }
    }
    // An entry that ends up at two paths (moved on one side, forgotten or
    // moved elsewhere on the other): a live path beats `_archive/`; among
    // live ones, the first (ours) is kept.
    let arch = format!("{prefix}{}/", crate::paths::ARCHIVE_DIR);
    type Copies = Vec<(String, String, Option<String>)>;
    let mut by_id: std::collections::BTreeMap<String, Copies> = Default::default();
    for (path, id, text, base) in one_sided {
        by_id.entry(id).or_default().push((path, text, base));
    }
    for (id, mut copies) in by_id {
        copies.sort_by_key(|(p, _, _)| p.starts_with(&arch));
        let (keep, text, base) = copies.remove(0);
        let rel = keep
            .strip_prefix(prefix)
            .unwrap_or(&keep)
            .trim_end_matches(".md")
            .to_string();
        if id.is_empty() || copies.is_empty() {
            if !keep.starts_with(&arch) {
                report.notes.push(format!(
                    "{rel}: changed on one side and removed, moved or archived on the other; it stays live here"
                ));
                let archived = format!("{arch}{}", keep.strip_prefix(prefix).unwrap_or(&keep));
                if index.get_path(Path::new(&archived), 0).is_some() {
                    resolved.push((archived, None));
                }
            }
            resolved.push((keep, Some(text)));
            continue;
        }
        report.notes.push(format!(
            "{rel}: moved differently on the two sides; kept here, not at {}",
            copies
                .iter()
                .map(|(p, _, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // Both copies' edits are kept: merged, or the other as a sibling.
        let mut text = text;
        for (p, other, other_base) in copies {
            resolved.push((p, None));
            let krel = keep.strip_prefix(prefix).unwrap_or(&keep).to_string();
            // The common version (the same entry before either move).
            let common = base
                .as_deref()
                .or(other_base.as_deref())
                .or(moved_from.get(&id).map(String::as_str));
            if let Ok(m) = crate::merge::merge_entry(&krel, common, &text, &other) {
                report.notes.extend(m.notes);
                text = m.text;
                if let Some(sib) = m.sibling {
                    let taken = |q: &str| {
                        index.get_path(Path::new(q), 0).is_some()
                            || resolved.iter().any(|(r, _)| r == q)
                    };
                    let sp = free_path(&keep, &taken);
                    report.siblings.push(
                        sp.strip_prefix(prefix)
                            .unwrap_or(&sp)
                            .trim_end_matches(".md")
                            .to_string(),
                    );
                    resolved.push((sp, Some(sib)));
                }
            }
        }
        resolved.push((keep, Some(text)));
    }
    if !by_hand.is_empty() {
        bail!(
            "these files changed on both sides and are not entries mem can merge; nothing was changed. Merge by hand with `git merge {label}`, then run `mem sync`: {}",
            by_hand.join(", ")
        );
    }
    for (path, text) in &resolved {
        let _ = index.conflict_remove(Path::new(path));
        match text {
            Some(t) => {
                let id = repo.blob(t.as_bytes())?;
                index.add(&crate::git::index_entry(path, id, t.len()))?;
            }
            None => {
                let _ = index.remove_path(Path::new(path));
            }
        }
    }
    // The same id created on both sides (a copied file, say) at different
    // paths: both kept, theirs re-identified.
    if let Some(base) = &base {
        let added = |c: &git2::Commit| -> Result<Vec<(String, String)>> {
            let diff = repo.diff_tree_to_tree(Some(&base.tree()?), Some(&c.tree()?), None)?;
            let mut v = Vec::new();
            for d in diff.deltas().filter(|d| d.status() == git2::Delta::Added) {
                let Some(p) = d.new_file().path().map(|p| p.to_string_lossy().to_string()) else {
                    continue;
                };
                if !p.starts_with(prefix) || !p.ends_with(".md") {
                    continue;
                }
                if let Ok(b) = repo.find_blob(d.new_file().id())
                    && let Ok(e) = crate::entry::Entry::parse(&String::from_utf8_lossy(b.content()))
                {
                    v.push((e.meta.id.clone(), p));
                }
            }
            Ok(v)
        };
        let (mine, other) = (added(ours)?, added(theirs)?);
        flag_rival_supersedes(repo, &mut index, prefix, &mine, &other, report)?;
        for (id, tp) in &other {
            if mine.iter().any(|(i, op)| i == id && op != tp)
                && let Some(e) = index.get_path(Path::new(tp), 0)
            {
                let text = String::from_utf8_lossy(repo.find_blob(e.id)?.content()).to_string();
                let mut entry = crate::entry::Entry::parse(&text)?;
                let fresh = ulid::Ulid::new().to_string();
                entry.set("id", serde_yaml::Value::String(fresh.clone()))?;
                let t = entry.render();
                let blob = repo.blob(t.as_bytes())?;
                index.add(&crate::git::index_entry(tp, blob, t.len()))?;
                report.notes.push(format!(
                    "{}: the id {id} was created on both sides; this copy now has the id {fresh}",
                    tp.strip_prefix(prefix)
                        .unwrap_or(tp)
                        .trim_end_matches(".md")
                ));
            }
        }
    }
    let tree_id = index.write_tree_to(repo)?;
    let merged = repo.find_tree(tree_id)?;
    let sig = crate::git::signature(repo, &tree.config.git)?;
    let mut msg = format!("mem: sync: merge {label} (via sync)");
    if !report.notes.is_empty() {
        msg.push_str("\n\n");
        msg.push_str(&report.notes.join("\n"));
    }
    // The commit first (no ref moves), then the files, then the branch.
    let id = repo.commit(None, &sig, &sig, &msg, &merged, &[ours, theirs])?;
    let target = repo.find_commit(id)?;
    move_to(repo, tree, branch, ours, &target, "mem: sync: merge")?;
    Ok(id)
}

/// The entry at `path` in a commit, if it parses.
fn commit_entry(repo: &Repository, c: &git2::Commit, path: &str) -> Option<crate::entry::Entry> {
    let e = c.tree().ok()?.get_path(Path::new(path)).ok()?;
    let blob = repo.find_blob(e.id()).ok()?;
    crate::entry::Entry::parse(&String::from_utf8_lossy(blob.content())).ok()
}

/// The entry at `path` in the merge's index (stage 0), if it parses.
fn index_entry(repo: &Repository, index: &git2::Index, path: &str) -> Option<crate::entry::Entry> {
    let e = index.get_path(Path::new(path), 0)?;
    let blob = repo.find_blob(e.id).ok()?;
    crate::entry::Entry::parse(&String::from_utf8_lossy(blob.content())).ok()
}

/// Writes `e` at `path` into the merge's index.
fn put_entry(
    repo: &Repository,
    index: &mut git2::Index,
    path: &str,
    e: &crate::entry::Entry,
) -> Result<()> {
    let t = e.render();
    let blob = repo.blob(t.as_bytes())?;
    index.add(&crate::git::index_entry(path, blob, t.len()))?;
    Ok(())
}

/// Both sides superseded one entry with an entry of their own (two people
/// changed one fact to different values): after the merge both would be
/// current. Both new entries wait for review instead (`curation: review`),
/// each related `contradicts` to the other, as overlapping edits of one
/// entry do.
fn flag_rival_supersedes(
    repo: &Repository,
    index: &mut git2::Index,
    prefix: &str,
    mine: &[(String, String)],
    other: &[(String, String)],
    report: &mut Report,
) -> Result<()> {
    let rel_of = |p: &str| {
        p.strip_prefix(prefix)
            .unwrap_or(p)
            .trim_end_matches(".md")
            .to_string()
    };
    // What an entry supersedes: (path, id) of each target.
    let targets = |e: &crate::entry::Entry| -> Vec<(String, Option<String>)> {
        e.meta
            .relations
            .iter()
            .filter(|r| r.rel == "supersedes")
            .map(|r| (r.to.clone(), r.id.clone()))
            .collect()
    };
    let mut flagged: Vec<(String, crate::entry::Entry)> = Vec::new();
    for (mid, mp) in mine {
        let Some(m) = index_entry(repo, index, mp) else {
            continue;
        };
        let tm = targets(&m);
        if tm.is_empty() {
            continue;
        }
        for (tid, tp) in other {
            if tid == mid {
                continue;
            }
            let Some(t) = index_entry(repo, index, tp) else {
                continue;
            };
            let Some((to, _)) = targets(&t).into_iter().find(|(to, id)| {
                tm.iter()
                    .any(|(mto, mid)| mto == to || (id.is_some() && mid == id))
            }) else {
                continue;
            };
            for (path, peer_path, peer_id, e) in
                [(mp, tp, tid, m.clone()), (tp, mp, mid, t.clone())]
            {
                let mut e = flagged
                    .iter()
                    .position(|(p, _)| p == path)
                    .map(|i| flagged.remove(i).1)
                    .unwrap_or(e);
                crate::quarantine::flag_for_review(
                    &mut e,
                    &format!(
                        "sync conflict: {} also superseded {to} with another value",
                        rel_of(peer_path)
                    ),
                )?;
                let mut rels = e.meta.relations.clone();
                if !rels
                    .iter()
                    .any(|r| r.rel == "contradicts" && r.to == rel_of(peer_path))
                {
                    rels.push(crate::entry::Relation {
                        rel: "contradicts".into(),
                        to: rel_of(peer_path),
                        id: Some(peer_id.clone()),
                    });
                    e.set_serialized("relations", &rels)?;
                }
                flagged.push((path.clone(), e));
            }
            report.notes.push(format!(
                "{} and {}: both superseded {to} with different values; both wait for review",
                rel_of(mp),
                rel_of(tp)
            ));
        }
    }
    for (path, e) in flagged {
        put_entry(repo, index, &path, &e)?;
    }
    Ok(())
}

/// `.mem/state/sync-in-progress`: the commit HEAD was on and the commit
/// being checked out, while a sync writes the incoming files.
pub const IN_PROGRESS: &str = "sync-in-progress";

/// Checks `target` out over `from` (HEAD) and moves the branch to it, with
/// a marker around the file writes so a kill in between is recovered.
fn move_to(
    repo: &Repository,
    tree: &Tree,
    branch: &str,
    from: &git2::Commit,
    target: &git2::Commit,
    why: &str,
) -> Result<()> {
    let marker = tree.state_dir().join(IN_PROGRESS);
    std::fs::create_dir_all(tree.state_dir())?;
    crate::fsutil::replace_file(
        &marker,
        format!("{} {}\n", from.id(), target.id()).as_bytes(),
    )?;
    crate::interrupt::crash_point("sync-marked");
    checkout(repo, &from.tree()?, &target.tree()?)?;
    crate::interrupt::crash_point("sync-checked-out");
    repo.find_reference(&format!("refs/heads/{branch}"))?
        .set_target(target.id(), why)?;
    // (The checkout brought git's index to the new tree, stat data kept.)
    let _ = std::fs::remove_file(&marker);
    Ok(())
}

/// After a killed sync: every path the interrupted checkout could have
/// written is put back as HEAD has it (written again, or removed when HEAD
/// has no such file). Returns the paths restored.
fn recover(repo: &Repository, tree: &Tree) -> Result<usize> {
    let marker = tree.state_dir().join(IN_PROGRESS);
    let Ok(text) = std::fs::read_to_string(&marker) else {
        return Ok(0);
    };
    let mut ids = text
        .split_whitespace()
        .filter_map(|s| Oid::from_str(s).ok());
    let (Some(a), Some(b)) = (ids.next(), ids.next()) else {
        let _ = std::fs::remove_file(&marker);
        return Ok(0);
    };
    let (Ok(ca), Ok(cb)) = (repo.find_commit(a), repo.find_commit(b)) else {
        let _ = std::fs::remove_file(&marker);
        return Ok(0);
    };
    let paths = changed_paths(repo, &ca.tree()?, &cb.tree()?)?;
    let head = repo.head()?.peel_to_tree()?;
    let wd = repo
        .workdir()
        .context("the repository is bare")?
        .to_path_buf();
    put_back(repo, &wd, &head, &paths)?;
    // The files the killed checkout was writing when it stopped.
    let dirs: std::collections::BTreeSet<PathBuf> = paths
        .iter()
        .map(|p| {
            wd.join(p)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
        .collect();
    for d in &dirs {
        crate::fsutil::remove_tree_temps(d);
    }
    let mut index = repo.index()?;
    index.read_tree(&head)?;
    index.write()?;
    let _ = std::fs::remove_file(&marker);
    Ok(paths.len())
}

/// Writes `paths` of the work tree back as `tree` has them (a path `tree`
/// has not is removed): files an interrupted checkout or a stopped pull
/// wrote, or what came in. Each file is written whole, beside and renamed
/// over, so a kill leaves the old file or the new one, never a part (git's
/// own checkout writes in place); a symbolic link or submodule is left to
/// git's checkout.
fn put_back(
    repo: &Repository,
    wd: &Path,
    tree: &git2::Tree,
    paths: &[std::path::PathBuf],
) -> Result<()> {
    let mut co = git2::build::CheckoutBuilder::new();
    co.force().recreate_missing(true);
    let mut any = false;
    for p in paths {
        match tree.get_path(p) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Blob) && e.filemode() != 0o120000 => {
                let dst = wd.join(p);
                crate::fsutil::replace_tree_file(&dst, repo.find_blob(e.id())?.content())
                    .with_context(|| format!("writing {}", dst.display()))?;
                #[cfg(unix)]
                if e.filemode() == 0o100755 {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755))?;
                }
            }
            Ok(_) => {
                co.path(p);
                any = true;
            }
            Err(_) => {
                let _ = std::fs::remove_file(wd.join(p));
                // Folders left empty go, as with git's checkout.
                let mut dir = wd.join(p);
                while dir.pop() && dir != wd && std::fs::remove_dir(&dir).is_ok() {}
            }
        }
    }
    if any {
        repo.checkout_tree(tree.as_object(), Some(&mut co))?;
    }
    Ok(())
}

/// A `git pull` (merge or rebase) that git left half done.
struct Stopped {
    /// `merge` or `rebase`.
    kind: &'static str,
    /// How the merge commit names what it merges.
    label: &'static str,
    /// The commit to merge into the branch: MERGE_HEAD, or the rebase's
    /// `onto`.
    theirs: Oid,
    /// For a rebase: the branch (`refs/heads/…`) and its tip before the
    /// rebase started, and the commit being replayed when it stopped.
    rebase: Option<(String, Oid, Option<Oid>)>,
}

/// The `git pull` git left stopped in this repository, if any.
fn stopped_pull(repo: &Repository) -> Result<Option<Stopped>> {
    use git2::RepositoryState as S;
    let gd = repo.path();
    let oid_in = |f: &Path| -> Option<Oid> {
        std::fs::read_to_string(f)
            .ok()
            .and_then(|s| Oid::from_str(s.trim()).ok())
    };
    match repo.state() {
        S::Clean => Ok(None),
        S::Merge => {
            let theirs = oid_in(&gd.join("MERGE_HEAD"))
                .context("a merge is in progress but MERGE_HEAD cannot be read")?;
            Ok(Some(Stopped {
                kind: "merge",
                label: "MERGE_HEAD (a stopped git pull)",
                theirs,
                rebase: None,
            }))
        }
        S::RebaseMerge | S::RebaseInteractive => {
            let dir = gd.join("rebase-merge");
            if dir.join("autostash").exists() {
                bail!(
                    "a `git pull --rebase` with an autostash is stopped; finish it with git (`git rebase --abort` or `--continue`), then run `mem sync`"
                );
            }
            let head_name = std::fs::read_to_string(dir.join("head-name"))
                .map(|s| s.trim().to_string())
                .ok()
                .filter(|s| s.starts_with("refs/heads/"))
                .context("a rebase is in progress but not of a branch; finish it with git first")?;
            let orig = oid_in(&dir.join("orig-head"))
                .context("a rebase is in progress but its orig-head cannot be read")?;
            let onto = oid_in(&dir.join("onto"))
                .context("a rebase is in progress but its onto cannot be read")?;
            let picking =
                oid_in(&gd.join("REBASE_HEAD")).or_else(|| oid_in(&dir.join("stopped-sha")));
            Ok(Some(Stopped {
                kind: "rebase",
                label: "the commits a stopped git pull --rebase was replaying onto",
                theirs: onto,
                rebase: Some((head_name, orig, picking)),
            }))
        }
        other => bail!(
            "git is in the middle of another operation ({other:?}); finish or abort it with git, then run `mem sync`"
        ),
    }
}

/// Puts back every file a stopped `git pull` wrote, as the branch had it
/// before (other uncommitted changes are left alone), and clears git's
/// merge or rebase state, so that the branch is where the pull started.
fn undo_stopped_pull(repo: &Repository, s: &Stopped) -> Result<()> {
    let wd = repo
        .workdir()
        .context("the repository is bare")?
        .to_path_buf();
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    let mut add = |p: Option<&Path>| {
        if let Some(p) = p
            && !paths.iter().any(|x| x == p)
        {
            paths.push(p.to_path_buf());
        }
    };
    let changed = |a: Option<&git2::Tree>, b: &git2::Tree| -> Result<Vec<std::path::PathBuf>> {
        let d = repo.diff_tree_to_tree(a, Some(b), None)?;
        Ok(d.deltas()
            .flat_map(|d| [d.old_file().path(), d.new_file().path()])
            .flatten()
            .map(Path::to_path_buf)
            .collect())
    };
    let index = repo.index()?;
    for c in index.conflicts()? {
        let c = c?;
        for e in [&c.ancestor, &c.our, &c.their].into_iter().flatten() {
            add(Some(Path::new(&*String::from_utf8_lossy(&e.path))));
        }
    }
    let head = repo.head()?.peel_to_commit()?;
    // What the stopped merge or pick staged (git may move files neither
    // side touched: a directory rename).
    let staged = repo.diff_tree_to_index(Some(&head.tree()?), Some(&index), None)?;
    for d in staged.deltas() {
        add(d.old_file().path());
        add(d.new_file().path());
    }
    let (restore_to, back) = match &s.rebase {
        None => {
            // Every path the merge could have written changed on their side.
            let theirs = repo.find_commit(s.theirs)?;
            let base = repo.merge_base(head.id(), s.theirs).ok();
            let base_tree = base
                .map(|b| repo.find_commit(b))
                .transpose()?
                .map(|c| c.tree())
                .transpose()?;
            for p in changed(base_tree.as_ref(), &theirs.tree()?)? {
                add(Some(&p));
            }
            (head, None)
        }
        Some((branch, orig, picking)) => {
            let orig = repo.find_commit(*orig)?;
            // What the replay wrote so far, and the pick it stopped in.
            for p in changed(Some(&orig.tree()?), &head.tree()?)? {
                add(Some(&p));
            }
            if let Some(pk) = picking.and_then(|p| repo.find_commit(p).ok()) {
                let parent = pk.parent(0).ok().map(|p| p.tree()).transpose()?;
                for p in changed(parent.as_ref(), &pk.tree()?)? {
                    add(Some(&p));
                }
            }
            (orig, Some(branch.clone()))
        }
    };
    let target = restore_to.tree()?;
    if let Some(branch) = &back {
        repo.set_head(branch)?;
    }
    let mut index = repo.index()?;
    index.read_tree(&target)?;
    index.write()?;
    put_back(repo, &wd, &target, &paths)?;
    if back.is_some() {
        for d in ["rebase-merge", "rebase-apply"] {
            let _ = std::fs::remove_dir_all(repo.path().join(d));
        }
        let _ = std::fs::remove_file(repo.path().join("REBASE_HEAD"));
    }
    repo.cleanup_state()?;
    Ok(())
}

/// Entry files (relative to the tree) that `to` moved into `_archive/`
/// since `from`.
fn archived_paths(
    repo: &Repository,
    prefix: &str,
    from: &git2::Commit,
    to: &git2::Commit,
) -> Result<Vec<String>> {
    let mut diff = repo.diff_tree_to_tree(Some(&from.tree()?), Some(&to.tree()?), None)?;
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
    let arch = format!("{prefix}{}/", crate::paths::ARCHIVE_DIR);
    Ok(diff
        .deltas()
        .filter(|d| d.status() == git2::Delta::Renamed)
        .filter_map(|d| {
            let o = d.old_file().path()?.to_string_lossy().to_string();
            let n = d.new_file().path()?.to_string_lossy().to_string();
            let rel = o.strip_prefix(prefix)?.to_string();
            (n.strip_prefix(&arch) == Some(rel.as_str())).then_some(rel)
        })
        .collect())
}

/// Repository paths whose content `to` changed in place since `from`.
fn modified_paths(
    repo: &Repository,
    from: &git2::Commit,
    to: &git2::Commit,
) -> Result<Vec<String>> {
    let diff = repo.diff_tree_to_tree(Some(&from.tree()?), Some(&to.tree()?), None)?;
    Ok(diff
        .deltas()
        .filter(|d| d.status() == git2::Delta::Modified)
        .filter_map(|d| d.new_file().path().map(|p| p.to_string_lossy().to_string()))
        .collect())
}

/// What changed under the tree between two commits.
fn incoming(repo: &Repository, prefix: &str, from: Oid, to: Oid) -> Result<Incoming> {
    let a = repo.find_commit(from)?.tree()?;
    let b = repo.find_commit(to)?.tree()?;
    let mut diff = repo.diff_tree_to_tree(Some(&a), Some(&b), None)?;
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
    let mut inc = Incoming::default();
    let entry = |p: &Path| -> Option<String> {
        let s = p.to_string_lossy().replace('\\', "/");
        let rel = s.strip_prefix(prefix)?.to_string();
        (rel.ends_with(".md")
            && rel.matches('/').count() >= 2
            && !rel.ends_with(&format!("/{}", crate::paths::OVERVIEW_FILE)))
        .then(|| rel.trim_end_matches(".md").to_string())
    };
    let arch = crate::paths::ARCHIVE_DIR;
    for d in diff.deltas() {
        let old = d.old_file().path().and_then(entry);
        let new = d.new_file().path().and_then(entry);
        use git2::Delta::*;
        match (d.status(), old, new) {
            (Added, _, Some(n)) if !n.starts_with(arch) => inc.added.push(n),
            (Deleted, Some(o), _) if !o.starts_with(arch) => inc.removed.push(o),
            (Modified, _, Some(n)) => inc.updated.push(n),
            (Renamed, Some(o), Some(n)) => {
                if n.starts_with(arch) && !o.starts_with(arch) {
                    inc.archived.push(o)
                } else if o.starts_with(arch) && !n.starts_with(arch) {
                    inc.restored.push(n)
                } else {
                    inc.moved.push(format!("{o} -> {n}"))
                }
            }
            _ => {}
        }
    }
    // A forget seen as delete + add (content changed too) is an archive.
    let archived_now: Vec<String> = inc
        .removed
        .iter()
        .filter(|o| {
            b.get_path(Path::new(&format!("{prefix}{arch}/{o}.md")))
                .is_ok()
        })
        .cloned()
        .collect();
    inc.removed.retain(|o| !archived_now.contains(o));
    inc.archived.extend(archived_now);
    Ok(inc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rejected_push_names_the_ref_lock_it_could_not_take() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("R.git/refs/heads/main.lock");
        std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
        let why = format!("failed to lock file '{}' for writing: ", lock.display());
        // Not there (yet): nothing to remove.
        assert_eq!(super::stale_lock(&why), None);
        std::fs::write(&lock, b"").unwrap();
        assert_eq!(super::stale_lock(&why), Some(lock.clone()));
        // Other rejections, and files that are not ref locks, are left alone.
        assert_eq!(super::stale_lock("non-fast-forward"), None);
        let config = dir.path().join("R.git/config.lock");
        std::fs::write(&config, b"").unwrap();
        assert_eq!(
            super::stale_lock(&format!(
                "failed to lock file '{}' for writing",
                config.display()
            )),
            None
        );
    }
}

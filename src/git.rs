//! Git through git2: one commit per operation, made from HEAD's tree plus
//! exactly the paths mem changed — whatever else the user has staged stays
//! staged and out of mem's commits.

use anyhow::{Context, Result};
use git2::{Index, IndexEntry, IndexTime, Oid, Repository, Signature};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_AUTHOR: (&str, &str) = ("mem", "mem@localhost");

/// The merge driver's line in `.gitattributes`.
pub const ATTRIBUTES_LINE: &str = "*.md merge=mem";

/// Writes the merge driver into the repository's config and the
/// attributes line into the tree's `.gitattributes` (returns whether the
/// file changed: the caller commits it).
pub fn ensure_merge_driver(repo: &Repository, root: &Path) -> Result<bool> {
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_else(|_| "mem".into());
    let mut cfg = repo.config()?;
    let driver = format!("{} merge-file %O %A %B %P", crate::fsutil::shell_word(&exe));
    if cfg.get_string("merge.mem.driver").ok().as_deref() != Some(driver.as_str()) {
        cfg.set_str("merge.mem.name", "mem entry-level merge")?;
        cfg.set_str("merge.mem.driver", &driver)?;
    }
    // Git's directory-rename guess (every file of a topic moved, or all
    // restored from `_archive/`, reads as "the folder was renamed") moves
    // the other side's new files after it, and git 2.47 drops an entry
    // outright when that guess maps a forget back onto its old path. Entries
    // move one by one in a mem tree; in a repository that is only the tree,
    // the guess is turned off (a tree inside a code repository leaves the
    // code's setting alone).
    if tree_prefix(repo, root).is_ok_and(|p| p.is_empty())
        && cfg.get_string("merge.directoryRenames").is_err()
    {
        cfg.set_str("merge.directoryRenames", "false")?;
    }
    let attrs = root.join(".gitattributes");
    let old = std::fs::read_to_string(&attrs).unwrap_or_default();
    if old.lines().any(|l| l.trim() == ATTRIBUTES_LINE) {
        return Ok(false);
    }
    let mut new = old.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(ATTRIBUTES_LINE);
    new.push('\n');
    crate::fsutil::replace_file(&attrs, new.as_bytes())?;
    Ok(true)
}

pub struct Git {
    repo: Repository,
    /// The tree root relative to the repository's work dir ("" when equal).
    prefix: String,
    /// Set when a commit was made but git's index could not be updated for
    /// its paths (see `sync_or_warn`).
    index_behind: std::cell::Cell<bool>,
}

/// A change to record, by path relative to the tree root.
#[derive(Debug, Clone)]
pub enum Change {
    /// The file at this path was written; its content is read from disk.
    Write(String),
    /// The file at this path was written with these bytes (no re-read).
    Put(String, Vec<u8>),
    Delete(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct LogItem {
    pub commit: String,
    pub time: String,
    pub author: String,
    pub message: String,
    /// The path (relative to the tree) the entry had in this commit; none
    /// for the tree's history (`mem log` without an entry).
    pub path: Option<String>,
}

/// One file a commit changed, by path relative to the tree: its content in
/// the commit's parent and in the commit (`None`: absent).
#[derive(Debug, Clone)]
pub struct FileDelta {
    pub rel: String,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
}

/// A commit and what it changed inside the tree.
#[derive(Debug, Clone)]
pub struct CommitDelta {
    pub id: String,
    pub summary: String,
    pub files: Vec<FileDelta>,
}

/// The tree root relative to the repository's work dir, with `/`
/// separators ("" when they are the same folder).
pub(crate) fn tree_prefix(repo: &Repository, root: &Path) -> Result<String> {
    let workdir: PathBuf = repo
        .workdir()
        .context("the git repository is bare; mem needs a work tree")?
        .canonicalize()?;
    let root = root.canonicalize()?;
    Ok(root
        .strip_prefix(&workdir)
        .with_context(|| {
            format!(
                "{} is outside the repository at {}",
                root.display(),
                workdir.display()
            )
        })?
        .to_string_lossy()
        .replace('\\', "/"))
}

/// Who mem's commits are by: `GIT_AUTHOR_NAME` / `GIT_AUTHOR_EMAIL` when
/// set (as git itself reads them), else git's own identity, else the
/// tree's `git.author_*`, else mem's default.
pub(crate) fn signature(
    repo: &Repository,
    cfg: &crate::config::GitConfig,
) -> Result<Signature<'static>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let configured = repo.signature().ok();
    let (cfg_name, cfg_email) = match &configured {
        Some(s) => (s.name().unwrap_or_default(), s.email().unwrap_or_default()),
        None => (
            cfg.author_name.as_deref().unwrap_or(DEFAULT_AUTHOR.0),
            cfg.author_email.as_deref().unwrap_or(DEFAULT_AUTHOR.1),
        ),
    };
    let name = env("GIT_AUTHOR_NAME").unwrap_or_else(|| cfg_name.to_string());
    let email = env("GIT_AUTHOR_EMAIL").unwrap_or_else(|| cfg_email.to_string());
    Ok(Signature::now(&name, &email)?)
}

impl Git {
    /// Opens the repository containing `root`, or creates one at `root`.
    pub fn open_or_init(root: &Path) -> Result<Self> {
        let repo = match Repository::discover(root) {
            Ok(r) if r.workdir().is_some() => r,
            _ => Repository::init(root)
                .with_context(|| format!("creating a git repository in {}", root.display()))?,
        };
        Self::from_repo(repo, root)
    }

    /// Opens the repository containing `root`.
    pub fn open(root: &Path) -> Result<Self> {
        let repo = Repository::discover(root).with_context(|| {
            format!(
                "{} is not inside a git repository; run `git init` there or `mem init` again",
                root.display()
            )
        })?;
        Self::from_repo(repo, root)
    }

    fn from_repo(repo: Repository, root: &Path) -> Result<Self> {
        let prefix = tree_prefix(&repo, root)?;
        Ok(Self {
            repo,
            prefix,
            index_behind: std::cell::Cell::new(false),
        })
    }

    /// Whether the last commit left git's index behind for its paths (the
    /// caller keeps its journal, so the next writer brings it in step).
    pub fn index_behind(&self) -> bool {
        self.index_behind.get()
    }

    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    fn repo_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    fn tree_path<'a>(&self, repo_path: &'a str) -> Option<&'a str> {
        if self.prefix.is_empty() {
            Some(repo_path)
        } else {
            repo_path
                .strip_prefix(&self.prefix)
                .and_then(|r| r.strip_prefix('/'))
        }
    }

    fn signature(&self, cfg: &crate::config::GitConfig) -> Result<Signature<'static>> {
        signature(&self.repo, cfg)
    }

    /// The full id of commit `rev` (an id, a prefix of one, `HEAD`, …).
    pub fn resolve_commit(&self, rev: &str) -> Result<String> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id().to_string())
            .map_err(|_| {
                crate::error::not_found(format!("no commit `{rev}` in this tree's repository"))
            })
    }

    /// The commit a plain `mem undo` takes back: the last one that is not
    /// itself an undo nor taken back by one, so that repeated undos step
    /// further back instead of undoing each other. Walks the first parents
    /// from HEAD.
    pub fn last_undoable(&self) -> Result<String> {
        let mut walk = self.repo.revwalk()?;
        walk.push_head()?;
        walk.simplify_first_parent()?;
        let mut undone: std::collections::HashSet<String> = std::collections::HashSet::new();
        for oid in walk {
            let oid = oid?;
            let id = oid.to_string();
            let commit = self.repo.find_commit(oid)?;
            let msg = commit.message().unwrap_or_default();
            if msg.starts_with("mem: undo ")
                && let Some(rev) = msg
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("Reverts "))
                    .map(|r| r.trim_end_matches('.').to_string())
            {
                undone.insert(rev);
                continue;
            }
            if undone.remove(&id) {
                continue;
            }
            return Ok(id);
        }
        self.resolve_commit("HEAD")
    }

    /// What commit `rev` (a commit id, a prefix of one, or `HEAD`) changed
    /// inside the tree, against its one parent. A merge commit or the
    /// first commit is refused (there is no one state to go back to).
    pub fn commit_delta(&self, rev: &str) -> Result<CommitDelta> {
        let commit = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| {
                crate::error::not_found(format!("no commit `{rev}` in this tree's repository"))
            })?;
        let id = commit.id().to_string();
        let summary = commit.summary().unwrap_or_default().to_string();
        let parent = match commit.parent_count() {
            1 => commit.parent(0)?,
            0 => anyhow::bail!(
                "{} is the repository's first commit: there is nothing before it to go back to",
                &id[..12]
            ),
            _ => anyhow::bail!(
                "{} is a merge commit; undo it with git (`git revert -m 1 {}`)",
                &id[..12],
                &id[..12]
            ),
        };
        let diff =
            self.repo
                .diff_tree_to_tree(Some(&parent.tree()?), Some(&commit.tree()?), None)?;
        let blob = |oid: Oid| -> Result<Option<Vec<u8>>> {
            if oid.is_zero() {
                return Ok(None);
            }
            Ok(Some(self.repo.find_blob(oid)?.content().to_vec()))
        };
        let (old_tree, new_tree) = (parent.tree()?, commit.tree()?);
        let mut files = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut outside = Vec::new();
        for d in diff.deltas() {
            // A rename shows as a delete and an add (no rename detection).
            for file in [d.old_file(), d.new_file()] {
                let Some(p) = file.path() else {
                    continue;
                };
                let (Some(ps), Some(rel)) =
                    (p.to_str(), p.to_str().and_then(|s| self.tree_path(s)))
                else {
                    outside.push(p.to_string_lossy().to_string());
                    continue;
                };
                if !seen.insert(rel.to_string()) {
                    continue;
                }
                let before = old_tree
                    .get_path(Path::new(ps))
                    .ok()
                    .map(|e| e.id())
                    .map_or(Ok(None), blob)?;
                let after = new_tree
                    .get_path(Path::new(ps))
                    .ok()
                    .map(|e| e.id())
                    .map_or(Ok(None), blob)?;
                files.push(FileDelta {
                    rel: rel.to_string(),
                    before,
                    after,
                });
            }
        }
        outside.sort();
        outside.dedup();
        if !outside.is_empty() {
            anyhow::bail!(
                "{} also changed files outside this tree ({}); undo it with git (`git revert {}`)",
                &id[..12],
                outside.join(", "),
                &id[..12]
            );
        }
        if files.is_empty() {
            anyhow::bail!(
                "{} changed nothing in this tree: nothing to undo",
                &id[..12]
            );
        }
        Ok(CommitDelta { id, summary, files })
    }

    /// Records `changes` as one commit on HEAD with `message`. Returns the
    /// new commit id, or None when nothing differs from HEAD.
    ///
    /// Large batches are written as one packfile (objects collected in
    /// memory, then the pack, then HEAD moves) instead of one loose object
    /// file per blob.
    pub fn commit(
        &self,
        changes: &[Change],
        message: &str,
        cfg: &crate::config::GitConfig,
    ) -> Result<Option<Oid>> {
        let repo = &self.repo;
        let _marker = CommitMarker::set(repo)?;
        // Large batches: new blobs go into one packfile first (one file
        // instead of one loose object per blob); trees and the commit follow
        // as usual, and HEAD moves last.
        let puts: Vec<&[u8]> = changes
            .iter()
            .filter_map(|c| {
                if let Change::Put(_, b) = c {
                    Some(b.as_slice())
                } else {
                    None
                }
            })
            .collect();
        let mut packed = if puts.len() >= BULK {
            let ids = write_blob_pack(repo, &puts)?;
            crate::trace::mark("commit: pack written");
            ids
        } else {
            Vec::new()
        }
        .into_iter();
        let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let workdir = repo.workdir().unwrap().to_path_buf();
        let mut written: Vec<(String, Oid)> = Vec::new();
        // What each change leaves at its path: a blob, or nothing.
        let mut updates: Vec<(String, Option<(Oid, usize)>)> = Vec::with_capacity(changes.len());
        for ch in changes {
            match ch {
                Change::Write(rel) => {
                    let path = self.repo_path(rel);
                    let bytes = std::fs::read(workdir.join(&path))
                        .with_context(|| format!("reading {rel} to commit it"))?;
                    updates.push((path, Some((repo.blob(&bytes)?, bytes.len()))));
                }
                Change::Put(rel, bytes) => {
                    let path = self.repo_path(rel);
                    let oid = match packed.next() {
                        Some(id) => id,
                        None => repo.blob(bytes)?,
                    };
                    updates.push((path.clone(), Some((oid, bytes.len()))));
                    written.push((path, oid));
                }
                Change::Delete(rel) => updates.push((self.repo_path(rel), None)),
            }
        }
        let tree_oid = if updates.len() < BULK {
            // A few paths: only the trees on their way change (libgit2's
            // tree update), not a rebuild of the whole tree from an index
            // of every file (~0.2 s in a 100k-entry tree).
            let base = match &head {
                Some(c) => c.tree()?,
                None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
            };
            // The last change to a path wins (libgit2 refuses duplicates).
            let mut last: std::collections::BTreeMap<&str, Option<Oid>> =
                std::collections::BTreeMap::new();
            for (path, blob) in &updates {
                last.insert(path, blob.map(|(id, _)| id));
            }
            let mut b = git2::build::TreeUpdateBuilder::new();
            for (path, oid) in last {
                match oid {
                    Some(id) => {
                        b.upsert(path, id, git2::FileMode::Blob);
                    }
                    // Removing what the tree lacks is an error in libgit2.
                    None if base.get_path(Path::new(path)).is_ok() => {
                        b.remove(path);
                    }
                    None => {}
                }
            }
            crate::trace::mark("commit: updates listed");
            b.create_updated(repo, &base)?
        } else {
            let mut index = Index::new()?;
            if let Some(c) = &head {
                index.read_tree(&c.tree()?)?;
            }
            for (path, blob) in &updates {
                match blob {
                    Some((id, size)) => {
                        index.add(&index_entry(path, *id, *size))?;
                    }
                    None => {
                        let _ = index.remove_path(Path::new(path));
                    }
                }
            }
            crate::trace::mark("commit: index built");
            index.write_tree_to(repo)?
        };
        crate::trace::mark("commit: trees written");
        if let Some(c) = &head
            && c.tree_id() == tree_oid
        {
            // Nothing to commit; still bring the user's index in step (a
            // writer killed between its commit and the index update leaves
            // these paths staged wrongly).
            self.sync_or_warn(changes, written, &workdir);
            return Ok(None);
        }
        let tree = repo.find_tree(tree_oid)?;
        let sig = self.signature(cfg)?;
        let parents: Vec<&git2::Commit> = head.iter().collect();
        let oid = repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .map_err(|e| {
                let hint = if e.code() == git2::ErrorCode::Locked {
                    "; another git process holds the lock (if none is running, delete the .lock file named above)"
                } else {
                    ""
                };
                anyhow::anyhow!("creating the git commit: {}{hint}", e.message())
            })?;
        crate::trace::mark("commit: commit written");
        self.sync_or_warn(changes, written, &workdir);
        if repo.head_detached().unwrap_or(false) {
            eprintln!(
                "mem: warning: HEAD is detached (not on a branch): commit {} is reachable only from HEAD \
                 and is lost to `git checkout <branch>`; `git switch -c <name>` keeps it",
                &oid.to_string()[..12]
            );
        }
        Ok(Some(oid))
    }

    /// [`sync_user_index`](Self::sync_user_index) after the commit is
    /// made: the write has succeeded whatever happens here. A git command
    /// holding `index.lock` is waited for (up to ~2 s); a lock that stays
    /// (or another failure) is a warning, not an error: the commit is in,
    /// only `git status` is off (the paths look staged for deletion) until
    /// git's index is refreshed — by the next mem write after a lock, by
    /// `git reset -q` in any case.
    fn sync_or_warn(&self, changes: &[Change], written: Vec<(String, Oid)>, workdir: &Path) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        loop {
            let err = match self.sync_user_index(changes, written.clone(), workdir) {
                Ok(()) => {
                    self.index_behind.set(false);
                    return;
                }
                Err(e) => e,
            };
            let locked = err
                .downcast_ref::<git2::Error>()
                .is_some_and(|e| e.code() == git2::ErrorCode::Locked);
            if locked && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
                continue;
            }
            let lock = self.repo.path().join("index.lock");
            let (why, until) = if locked {
                (
                    format!(
                        "{} exists (another git command, or one that crashed: delete the file if none is running)",
                        lock.display()
                    ),
                    "the next mem write or `git reset -q`",
                )
            } else {
                (format!("{err:#}"), "`git reset -q`")
            };
            eprintln!(
                "mem: warning: the change is committed, but git's index could not be updated: {why}; \
                 `git status` shows the changed entries as staged until {until}"
            );
            // Only a lock goes away by itself: then the next writer (its
            // journal) brings the index in step; other failures say so once.
            self.index_behind.set(locked);
            return;
        }
    }

    /// Keeps the user's index in step for the paths of `changes`, so `git
    /// status` stays clean; other staged changes are left alone. `written`
    /// (the bulk blobs and their ids) get the files' stat data, so git sees
    /// them as unchanged without re-reading them.
    fn sync_user_index(
        &self,
        changes: &[Change],
        written: Vec<(String, Oid)>,
        workdir: &Path,
    ) -> Result<()> {
        let mut real = self.repo.index()?;
        for ch in changes {
            match ch {
                Change::Write(rel) => {
                    let path = self.repo_path(rel);
                    if workdir.join(&path).is_file() {
                        real.add_path(Path::new(&path))?;
                    }
                }
                Change::Put(..) => {}
                Change::Delete(rel) => {
                    let _ = real.remove_path(Path::new(&self.repo_path(rel)));
                }
            }
        }
        for (path, id) in written {
            // A file gone meanwhile has nothing to stage.
            if let Ok(m) = std::fs::symlink_metadata(workdir.join(&path)) {
                real.add(&stat_entry(&path, id, &m))?;
            }
        }
        real.write()?;
        Ok(())
    }

    /// The current HEAD commit id, if any.
    pub fn head_id(&self) -> Option<String> {
        self.repo
            .head()
            .ok()
            .and_then(|h| h.target())
            .map(|o| o.to_string())
    }

    /// History of one entry file, newest first, following renames (moves,
    /// archive and restore) by content similarity.
    pub fn log_path(&self, rel: &str, limit: usize) -> Result<Vec<LogItem>> {
        let mut out = Vec::new();
        let mut current = self.repo_path(rel);
        let mut walk = self.repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(out);
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let here = tree.get_path(Path::new(&current)).ok().map(|e| e.id());
            let parent = commit.parents().next();
            let parent_tree = parent.as_ref().map(|p| p.tree()).transpose()?;
            // Every parent's version: a merge that took the file as one side
            // had it changed nowhere (the change is on that side's commits,
            // which the walk reaches too), as `git log` simplifies history.
            let befores: Vec<Option<git2::Oid>> = commit
                .parents()
                .map(|p| {
                    p.tree()
                        .ok()
                        .and_then(|t| t.get_path(Path::new(&current)).ok())
                        .map(|e| e.id())
                })
                .collect();
            if here.is_none() || befores.contains(&here) {
                continue;
            }
            let before = befores.iter().find_map(|b| *b);
            push_item(
                &mut out,
                &commit,
                Some(self.tree_path(&current).unwrap_or(&current)),
            );
            // Created here: follow it back if it was moved from another path.
            if before.is_none()
                && let Some(pt) = &parent_tree
            {
                let mut diff = self.repo.diff_tree_to_tree(Some(pt), Some(&tree), None)?;
                let mut opts = git2::DiffFindOptions::new();
                opts.renames(true).rename_threshold(50);
                diff.find_similar(Some(&mut opts))?;
                let from = diff.deltas().find_map(|d| {
                    (d.status() == git2::Delta::Renamed
                        && d.new_file()
                            .path()
                            .is_some_and(|p| p.to_string_lossy() == current))
                    .then(|| d.old_file().path().unwrap().to_string_lossy().to_string())
                });
                match from {
                    Some(old) => current = old,
                    None => break,
                }
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// History of the whole tree (commits touching it), newest first.
    pub fn log_tree(&self, limit: usize) -> Result<Vec<LogItem>> {
        let mut out = Vec::new();
        let mut walk = self.repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(out);
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            if !self.prefix.is_empty() {
                let here = commit
                    .tree()?
                    .get_path(Path::new(&self.prefix))
                    .ok()
                    .map(|e| e.id());
                let before = commit
                    .parents()
                    .next()
                    .and_then(|p| p.tree().ok())
                    .and_then(|t| t.get_path(Path::new(&self.prefix)).ok().map(|e| e.id()));
                if here == before {
                    continue;
                }
            }
            push_item(&mut out, &commit, None);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }
}

/// `.git/mem-commit.pid`: present while a mem process is committing. A
/// process killed mid-commit (SIGKILL, power loss) leaves git's lock files
/// behind (`index.lock`, `refs/heads/<branch>.lock`), and libgit2, like git,
/// then refuses every later commit. The marker tells the next writer — which
/// holds the tree's write lock, so no other mem process is committing — that
/// those lock files belong to a dead mem process and may be removed. A lock
/// file older than the marker, or with the marker's owner still alive, is
/// someone else's (a `git` command the user is running) and is left alone.
pub struct CommitMarker {
    path: PathBuf,
    /// False when this process already held the marker (a commit inside a
    /// sync): the outer holder removes it.
    owned: bool,
}

impl CommitMarker {
    const NAME: &'static str = "mem-commit.pid";

    /// Takes the marker before writing to git (a commit, a sync's fetch,
    /// merge and checkout), after removing the lock files a dead mem
    /// process left. The caller holds the tree's write lock.
    pub fn set(repo: &Repository) -> Result<Self> {
        let git_dir = repo.path().to_path_buf();
        let path = git_dir.join(Self::NAME);
        if let Ok(meta) = std::fs::metadata(&path) {
            let owner = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            if owner == Some(std::process::id()) {
                return Ok(Self { path, owned: false });
            }
            if owner.is_none_or(|pid| !process_alive(pid)) {
                let since = meta.modified().unwrap_or(std::time::SystemTime::UNIX_EPOCH)
                    - std::time::Duration::from_secs(1);
                remove_stale_locks(&git_dir, since);
            }
        }
        std::fs::write(&path, std::process::id().to_string())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(Self { path, owned: true })
    }
}

impl Drop for CommitMarker {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Removes the lock files git writes take (`index.lock`, `HEAD.lock`,
/// `config.lock`, any `refs/**.lock`, `packed-refs.lock`…) when they were
/// created after `since`.
fn remove_stale_locks(git_dir: &Path, since: std::time::SystemTime) {
    let mut locks: Vec<PathBuf> = std::fs::read_dir(git_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "lock"))
        .collect();
    locks.extend(
        walkdir::WalkDir::new(git_dir.join("refs"))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "lock")),
    );
    for lock in locks {
        let fresh = std::fs::metadata(&lock)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        if fresh && std::fs::remove_file(&lock).is_ok() {
            eprintln!(
                "warning: removed {} left by a mem process that died while writing to git",
                lock.display()
            );
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    // Signal 0 checks for existence without sending anything; EPERM means
    // the process exists but belongs to another user.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    // No cheap check: treat the owner as alive (locks are then left alone).
    true
}

fn push_item(out: &mut Vec<LogItem>, commit: &git2::Commit, path: Option<&str>) {
    let t = commit.time();
    let time = jiff::Timestamp::from_second(t.seconds())
        .map(|ts| ts.to_string())
        .unwrap_or_default();
    out.push(LogItem {
        commit: commit.id().to_string(),
        time,
        author: commit.author().name().unwrap_or("").to_string(),
        message: commit.message().unwrap_or("").trim_end().to_string(),
        path: path.map(|p| p.trim_end_matches(".md").to_string()),
    });
}

/// From this many changes a commit is written in bulk: new blobs as one
/// pack, the tree rebuilt from an index; below it, loose blobs and only the
/// trees on the changed paths are rewritten.
const BULK: usize = 64;

/// Writes the blobs the repository lacks as one packfile (format version 2,
/// whole objects, no deltas) through libgit2's indexer, which checks it and
/// writes its `.idx`; returns every blob's id, in the order given.
fn write_blob_pack(repo: &Repository, blobs: &[&[u8]]) -> Result<Vec<Oid>> {
    use sha1::Digest;
    use std::io::Write;
    let odb = repo.odb()?;
    // One look at the pack folder, not one per missing object (libgit2
    // rescans it on every miss otherwise).
    odb.refresh()?;
    let mut ids = Vec::with_capacity(blobs.len());
    let mut seen = std::collections::HashSet::new();
    let mut todo = Vec::new();
    for b in blobs {
        let oid = Oid::hash_object(git2::ObjectType::Blob, b)?;
        if seen.insert(oid) && !odb.exists_ext(oid, git2::OdbLookupFlags::NO_REFRESH) {
            todo.push(*b);
        }
        ids.push(oid);
    }
    crate::trace::mark("pack: hashed and checked");
    if todo.is_empty() {
        return Ok(ids);
    }
    // Objects are compressed on two threads (each with one reused zlib
    // stream), then laid end to end in input order.
    let half = todo.len().div_ceil(2);
    let (a, b) = todo.split_at(half);
    let (pa, pb) = std::thread::scope(|sc| {
        let hb = sc.spawn(|| pack_objects(b));
        let pa = pack_objects(a);
        (pa, hb.join().expect("pack thread"))
    });
    let (pa, pb) = (pa?, pb?);
    let mut pack = Vec::with_capacity(12 + pa.len() + pb.len() + 20);
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&(todo.len() as u32).to_be_bytes());
    pack.extend_from_slice(&pa);
    pack.extend_from_slice(&pb);
    let sum = sha1::Sha1::digest(&pack);
    pack.extend_from_slice(&sum);
    crate::trace::mark("pack: deflated");
    let mut w = odb.packwriter()?;
    w.write_all(&pack).context("writing the git pack")?;
    w.commit().context("indexing the git pack")?;
    Ok(ids)
}

/// Pack entries (object header, then the zlib stream) of `blobs`, in order.
fn pack_objects(blobs: &[&[u8]]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(blobs.iter().map(|b| b.len() / 2 + 16).sum());
    let mut z = flate2::Compress::new(flate2::Compression::fast(), true);
    let mut scratch = Vec::new();
    for b in blobs {
        // Object header: type 3 (blob) and the size, 4 bits then 7 per byte.
        let mut size = b.len();
        let mut byte = (3u8 << 4) | (size & 0x0f) as u8;
        size >>= 4;
        while size > 0 {
            out.push(byte | 0x80);
            byte = (size & 0x7f) as u8;
            size >>= 7;
        }
        out.push(byte);
        z.reset();
        // flate2's miniz_oxide backend zero-fills the output's whole spare
        // capacity on every call (`initialize_buffer`): compress into a small
        // scratch buffer, not into the growing pack.
        scratch.clear();
        loop {
            scratch.reserve(b.len() / 2 + 64);
            let consumed = z.total_in() as usize;
            let st = z
                .compress_vec(&b[consumed..], &mut scratch, flate2::FlushCompress::Finish)
                .context("compressing a git object")?;
            if st == flate2::Status::StreamEnd {
                break;
            }
        }
        out.extend_from_slice(&scratch);
    }
    Ok(out)
}

fn stat_entry(path: &str, id: Oid, m: &std::fs::Metadata) -> IndexEntry {
    use std::os::unix::fs::MetadataExt;
    IndexEntry {
        ctime: IndexTime::new(m.ctime() as i32, m.ctime_nsec() as u32),
        mtime: IndexTime::new(m.mtime() as i32, m.mtime_nsec() as u32),
        dev: m.dev() as u32,
        ino: m.ino() as u32,
        mode: 0o100644,
        uid: m.uid(),
        gid: m.gid(),
        file_size: m.len() as u32,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// An index entry for a blob at `path` (no stat data: git re-checks it).
pub(crate) fn index_entry(path: &str, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: size as u32,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new repository and an author to commit with.
    fn new_repo() -> (tempfile::TempDir, Git, crate::config::GitConfig) {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::open_or_init(dir.path()).unwrap();
        let cfg = crate::config::GitConfig {
            author_name: Some("t".into()),
            author_email: Some("t@example.com".into()),
        };
        (dir, git, cfg)
    }

    #[test]
    fn small_commits_update_only_their_paths() {
        let (dir, git, cfg) = new_repo();
        let put = |rel: &str, body: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, body).unwrap();
            Change::Put(rel.into(), body.as_bytes().to_vec())
        };
        // The first commit (no HEAD yet) and a file in a folder of its own.
        git.commit(
            &[put("a/x/1.md", "one\n"), put("a/y/2.md", "two\n")],
            "first",
            &cfg,
        )
        .unwrap()
        .unwrap();
        // Then: the folder's only file goes, a path changes twice (the last
        // wins), a file is read from disk, and a path never committed is
        // "deleted" (nothing to do).
        std::fs::remove_file(dir.path().join("a/y/2.md")).unwrap();
        let first = put("a/x/3.md", "draft\n");
        let second = put("a/x/3.md", "final\n");
        std::fs::write(dir.path().join("a/x/1.md"), "one, edited\n").unwrap();
        git.commit(
            &[
                Change::Delete("a/y/2.md".into()),
                first,
                second,
                Change::Write("a/x/1.md".into()),
                Change::Delete("a/z/never.md".into()),
            ],
            "second",
            &cfg,
        )
        .unwrap()
        .unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        let content = |p: &str| {
            let id = tree.get_path(Path::new(p)).unwrap().id();
            String::from_utf8(repo.find_blob(id).unwrap().content().to_vec()).unwrap()
        };
        assert_eq!(content("a/x/1.md"), "one, edited\n");
        assert_eq!(content("a/x/3.md"), "final\n");
        assert!(
            tree.get_path(Path::new("a/y")).is_err(),
            "an empty folder is no tree"
        );
        assert_eq!(
            tree.get_path(Path::new("a"))
                .unwrap()
                .to_object(&repo)
                .unwrap()
                .as_tree()
                .unwrap()
                .len(),
            1
        );
        assert!(
            repo.statuses(None).unwrap().is_empty(),
            "work tree and index match"
        );
        // Nothing changed: no commit.
        assert!(
            git.commit(&[Change::Write("a/x/1.md".into())], "same", &cfg)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_bulk_commit_packs_new_blobs_once_and_reuses_known_ones() {
        let (dir, git, cfg) = new_repo();
        // A first commit makes one blob known to the object database.
        let known = b"already committed\n".to_vec();
        std::fs::write(dir.path().join("known.md"), &known).unwrap();
        git.commit(
            &[Change::Put("known.md".into(), known.clone())],
            "one",
            &cfg,
        )
        .unwrap();
        // Then a bulk batch: 70 new blobs, one of them twice, and the known one.
        let mut changes = Vec::new();
        for i in 0..70 {
            let body = format!("entry {i}\n").into_bytes();
            changes.push(Change::Put(format!("d/t/e{i}.md"), body));
        }
        changes.push(Change::Put("d/t/copy.md".into(), b"entry 3\n".to_vec()));
        changes.push(Change::Put("d/t/again.md".into(), known.clone()));
        for c in &changes {
            if let Change::Put(rel, b) = c {
                std::fs::create_dir_all(dir.path().join("d/t")).unwrap();
                std::fs::write(dir.path().join(rel), b).unwrap();
            }
        }
        git.commit(&changes, "bulk", &cfg).unwrap().unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        for c in &changes {
            let Change::Put(rel, b) = c else { continue };
            let id = tree.get_path(Path::new(rel)).unwrap().id();
            assert_eq!(repo.find_blob(id).unwrap().content(), &b[..], "{rel}");
        }
        // One pack holding each new blob once (70), not the known one.
        let packs: Vec<_> = std::fs::read_dir(dir.path().join(".git/objects/pack"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            .collect();
        assert_eq!(packs.len(), 1);
        let bytes = std::fs::read(packs[0].path()).unwrap();
        assert_eq!(u32::from_be_bytes(bytes[8..12].try_into().unwrap()), 70);
        let status = repo.statuses(None).unwrap();
        assert!(status.is_empty(), "work tree and index match the commit");
    }
}

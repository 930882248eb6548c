//! The one write path. Every change to a tree's files — `mem add`,
//! curation, ingest (bulk and distilled), edit, mv, forget, restore, and
//! whatever writes later (sync, dream, MCP) — is a [`Changeset`] applied by
//! a [`Writer`]:
//!
//! - the writer holds the tree's write lock (taken by [`Writer::lock`],
//!   which first commits what an interrupted writer left behind), so what a
//!   command reads before it decides is what it changes;
//! - staging a changeset writes its files atomically (temp file, fsync,
//!   rename; many files with one `syncfs` pair), after naming them in the
//!   journal (`.mem/state/uncommitted`), and refuses to overwrite a file
//!   that changed since the caller read it;
//! - [`Writer::apply`] stages a changeset and records it, with everything
//!   staged before it, as one git commit, and clears the journal.
//!
//! [`Writer::apply`] stages and commits in one finishing section: a Ctrl-C
//! waits for it, so the change lands whole or not at all. A writer that
//! stages several changesets before one commit (`mem ingest --distill`)
//! lets an interrupt stop between them; the journal then names the staged
//! files and the next writer commits them.

use crate::git::Change;
use crate::interrupt::Finishing;
use crate::lock::WriteLock;
use crate::tree::Tree;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

/// One change to a file, by path relative to the tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// Create or replace `rel` with `text`. With `expect`, the file must
    /// still hold exactly that text (`None` inside: must not exist), so a
    /// change made meanwhile by someone else is never overwritten.
    Put {
        rel: String,
        text: String,
        expect: Option<Option<String>>,
    },
    /// Move a file (archive, restore, `mem mv`); folders are created, and
    /// emptied ones removed.
    Move { from: String, to: String },
    /// Remove a file (a write-ahead copy no longer needed).
    Remove { rel: String },
}

/// What one operation changes, and the commit message that says why.
#[derive(Debug, Clone, Default)]
pub struct Changeset {
    pub changes: Vec<FileChange>,
    pub message: String,
}

impl Changeset {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            changes: Vec::new(),
            message: message.into(),
        }
    }

    pub fn put(&mut self, rel: impl Into<String>, text: impl Into<String>) {
        self.changes.push(FileChange::Put {
            rel: rel.into(),
            text: text.into(),
            expect: None,
        });
    }

    /// [`put`](Self::put) that fails if the file no longer holds `expected`.
    pub fn replace(
        &mut self,
        rel: impl Into<String>,
        expected: impl Into<String>,
        text: impl Into<String>,
    ) {
        self.changes.push(FileChange::Put {
            rel: rel.into(),
            text: text.into(),
            expect: Some(Some(expected.into())),
        });
    }

    pub fn rename(&mut self, from: impl Into<String>, to: impl Into<String>) {
        self.changes.push(FileChange::Move {
            from: from.into(),
            to: to.into(),
        });
    }

    pub fn remove(&mut self, rel: impl Into<String>) {
        self.changes.push(FileChange::Remove { rel: rel.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// A unified diff per changed file against what is on disk now
    /// (`--dry-run`); nothing is written.
    pub fn diff(&self, tree: &Tree) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.changes {
            match c {
                FileChange::Put { rel, text, .. } => {
                    let old = std::fs::read_to_string(tree.abs(rel)).ok();
                    let a = if old.is_some() {
                        format!("a/{rel}")
                    } else {
                        "/dev/null".to_string()
                    };
                    let d = similar::TextDiff::from_lines(old.as_deref().unwrap_or(""), text);
                    out.push(
                        d.unified_diff()
                            .context_radius(3)
                            .header(&a, &format!("b/{rel}"))
                            .to_string(),
                    );
                }
                FileChange::Move { from, to } => out.push(format!("rename {from} -> {to}\n")),
                FileChange::Remove { rel } => out.push(format!("remove {rel}\n")),
            }
        }
        out
    }
}

/// The tree's writer: holds the write lock; stages changesets and commits
/// them. Dropped without a commit, what it staged stays on disk, named in
/// the journal, and the next writer commits it.
pub struct Writer<'t> {
    tree: &'t Tree,
    _lock: WriteLock,
    /// Every path staged since the last commit, with its last change.
    staged: BTreeMap<String, Change>,
}

impl<'t> Writer<'t> {
    /// Takes the tree's write lock (waiting up to the configured timeout),
    /// committing first what an interrupted writer left uncommitted.
    pub fn lock(tree: &'t Tree) -> Result<Self> {
        let lock = tree.lock()?;
        // What that recovery could not commit (it warned) goes into this
        // writer's commit: the commit clears the journal, which must not
        // forget those paths.
        let staged = tree
            .journal_paths()
            .into_iter()
            .map(|rel| {
                let change = if tree.abs(&rel).is_file() {
                    Change::Write(rel.clone())
                } else {
                    Change::Delete(rel.clone())
                };
                (rel, change)
            })
            .collect();
        Ok(Self {
            tree,
            _lock: lock,
            staged,
        })
    }

    pub fn tree(&self) -> &'t Tree {
        self.tree
    }

    /// Stages and commits `cs` as one git commit, in one finishing section
    /// (an interrupt waits for both). `None` when nothing changed.
    pub fn apply(&mut self, cs: Changeset) -> Result<Option<git2::Oid>> {
        let message = cs.message.clone();
        let finishing = self.stage_held(cs)?;
        let commit = self.commit_now(&message);
        drop(finishing);
        if matches!(commit, Ok(Some(_))) {
            crate::interrupt::signal_point("committed");
        }
        commit
    }

    /// Writes `cs`'s files without committing them (the next
    /// [`apply`](Self::apply) commits them with its own changes).
    pub fn stage(&mut self, cs: Changeset) -> Result<()> {
        drop(self.stage_held(cs)?);
        Ok(())
    }

    fn commit_now(&mut self, message: &str) -> Result<Option<git2::Oid>> {
        if self.staged.is_empty() {
            return Ok(None);
        }
        crate::interrupt::crash_point("staged");
        let changes: Vec<Change> = std::mem::take(&mut self.staged).into_values().collect();
        let paths: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Write(r) | Change::Put(r, _) | Change::Delete(r) => r.clone(),
            })
            .collect();
        crate::trace::mark("write: files staged");
        let commit = self.tree.commit(&changes, message).map_err(|e| {
            e.context(format!(
                "written to {} but not committed (the files are safe; the next mem write commits them)",
                paths.join(", ")
            ))
        })?;
        crate::trace::mark("write: committed");
        if let Some(c) = commit {
            crate::interrupt::committed(&c.to_string(), message);
        }
        Ok(commit)
    }

    /// After `rel` left its folder: an overview `mem dream` wrote (keyed)
    /// that is all its topic folder, then its domain folder, still holds is
    /// removed with it, so a moved or emptied topic leaves no overview with
    /// broken links and no folder behind.
    fn drop_orphan_overviews(&mut self, rel: &str) -> Result<()> {
        let segs: Vec<&str> = rel.split('/').collect();
        if segs.first() == Some(&crate::paths::ARCHIVE_DIR) || segs.len() < 3 {
            return Ok(());
        }
        for depth in [2, 1] {
            let folder = segs[..depth].join("/");
            let overview = format!("{folder}/{}", crate::paths::OVERVIEW_FILE);
            let Ok(names) = std::fs::read_dir(self.tree.abs(&folder)) else {
                continue;
            };
            let names: Vec<String> = names
                .flatten()
                .map(|d| d.file_name().to_string_lossy().to_string())
                .collect();
            let keyed = std::fs::read_to_string(self.tree.abs(&overview))
                .is_ok_and(|t| crate::overview::key_of(&t).is_some());
            if names == [crate::paths::OVERVIEW_FILE] && keyed {
                self.tree.remove_file(&overview)?;
                self.staged
                    .insert(overview.clone(), Change::Delete(overview));
            }
        }
        Ok(())
    }

    /// Stages `cs` and returns the finishing section its renames ran in
    /// (held by [`apply`](Self::apply) until the commit is made).
    fn stage_held(&mut self, cs: Changeset) -> Result<Finishing> {
        let tree = self.tree;
        // Checks first: a refused change writes nothing.
        for c in &cs.changes {
            if let FileChange::Put {
                rel,
                expect: Some(expected),
                ..
            } = c
            {
                let now = std::fs::read_to_string(tree.abs(rel)).ok();
                if now != *expected {
                    match expected {
                        Some(_) => bail!("{rel} changed on disk while you were editing it"),
                        None => bail!("{rel} exists already"),
                    }
                }
            }
        }
        // One section around every write of the changeset (the sections
        // that the writes open inside it nest): an interrupt waits for the
        // whole changeset, whatever comes first in it.
        let outer = crate::interrupt::finishing();
        let mut held: Vec<Finishing> = Vec::new();
        let mut puts: Vec<(String, String)> = Vec::new();
        let flush = |puts: &mut Vec<(String, String)>,
                     held: &mut Vec<Finishing>,
                     staged: &mut BTreeMap<String, Change>|
         -> Result<()> {
            if puts.is_empty() {
                return Ok(());
            }
            held.push(tree.write_many(puts)?);
            for (rel, text) in puts.drain(..) {
                staged.insert(rel.clone(), Change::Put(rel, text.into_bytes()));
            }
            Ok(())
        };
        for c in cs.changes {
            match c {
                FileChange::Put { rel, text, .. } => puts.push((rel, text)),
                FileChange::Move { from, to } => {
                    flush(&mut puts, &mut held, &mut self.staged)?;
                    held.push(crate::interrupt::finishing());
                    tree.rename(&from, &to)?;
                    // A file staged here and moved before its commit moves
                    // with its content.
                    let moved = match self.staged.remove(&from) {
                        Some(Change::Put(_, bytes)) => Change::Put(to.clone(), bytes),
                        _ => Change::Write(to.clone()),
                    };
                    self.staged
                        .insert(from.clone(), Change::Delete(from.clone()));
                    self.staged.insert(to, moved);
                    self.drop_orphan_overviews(&from)?;
                }
                FileChange::Remove { rel } => {
                    flush(&mut puts, &mut held, &mut self.staged)?;
                    tree.remove_file(&rel)?;
                    self.staged.insert(rel.clone(), Change::Delete(rel.clone()));
                    self.drop_orphan_overviews(&rel)?;
                }
            }
        }
        flush(&mut puts, &mut held, &mut self.staged)?;
        drop(held);
        Ok(outer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A file a killed writer left (journaled, uncommitted) whose recovery
    /// failed (someone else's git held the branch): the next commit of the
    /// writer that took the lock commits it too, instead of clearing the
    /// journal without it.
    #[test]
    fn paths_a_failed_recovery_left_go_into_the_next_commit() {
        let dir = tempfile::tempdir().unwrap();
        let tree = crate::tree::init_tree(&dir.path().join("t"), "test").unwrap();
        std::fs::create_dir_all(tree.abs("d/t")).unwrap();
        std::fs::write(tree.abs("d/t/left.md"), "left behind\n").unwrap();
        std::fs::create_dir_all(tree.state_dir()).unwrap();
        std::fs::write(tree.state_dir().join("uncommitted"), "d/t/left.md\n").unwrap();
        let repo = git2::Repository::open(&tree.root).unwrap();
        let head = repo.head().unwrap().name().unwrap().to_string();
        let held = tree.root.join(".git").join(format!("{head}.lock"));
        std::fs::write(&held, b"").unwrap();
        let mut w = Writer::lock(&tree).unwrap();
        assert!(
            tree.state_dir().join("uncommitted").exists(),
            "the recovery failed while the branch was held"
        );
        std::fs::remove_file(&held).unwrap();
        let mut cs = Changeset::new("test: another file");
        cs.put("d/t/new.md", "new\n");
        w.apply(cs).unwrap();
        let t = repo.head().unwrap().peel_to_tree().unwrap();
        assert!(t.get_path(Path::new("d/t/new.md")).is_ok());
        assert!(
            t.get_path(Path::new("d/t/left.md")).is_ok(),
            "left file committed"
        );
        assert!(!tree.state_dir().join("uncommitted").exists());
    }
}

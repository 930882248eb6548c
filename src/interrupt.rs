//! What a Ctrl-C (SIGINT, SIGTERM, SIGHUP) undoes before the process exits
//! with 130. The one handler is set in `main.rs` and calls [`on_signal`].
//!
//! - Paths registered here are removed: the watcher's socket, the temp files
//!   of a write that has not been renamed into place yet, the folders such a
//!   write created (only while they are empty), a write's fresh journal,
//!   and scratch folders mem made for itself (`mem eval`'s temporary trees).
//! - A write's finishing section (renames and git commit, see
//!   [`finishing`]) is let finish first: an interrupted command leaves the
//!   tree as it was, or with its batch renamed and committed as a whole.
//!
//! A registration and the creation of its file happen under one lock, so
//! the handler sees every file a write made; once the handler has run, both
//! locks stay held until the process exits, so a writer still running
//! stops at its next step instead of creating files nobody would remove.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Paths to remove on a signal.
#[derive(Debug, Default)]
pub struct Registry {
    files: BTreeSet<PathBuf>,
    /// In creation order (parents first); removed deepest first, only if empty.
    dirs: Vec<PathBuf>,
    /// Scratch folders mem made for itself (`mem eval`'s temporary trees):
    /// removed with everything in them.
    scratch: BTreeSet<PathBuf>,
}

impl Registry {
    pub fn file(&mut self, path: PathBuf) {
        self.files.insert(path);
    }
    pub fn forget_file(&mut self, path: &Path) {
        self.files.remove(path);
    }
    pub fn dir(&mut self, path: PathBuf) {
        self.dirs.push(path);
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    files: BTreeSet::new(),
    dirs: Vec::new(),
    scratch: BTreeSet::new(),
});
static FINISHING: Mutex<()> = Mutex::new(());

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` with the registry locked: what `f` creates and registers is,
/// for the signal handler, either all there or not made yet.
pub fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    f(&mut registry())
}

/// Removes `path` when the process is interrupted.
pub fn remove_on_signal(path: PathBuf) {
    registry().file(path);
}

/// Removes the scratch folder `path`, contents and all, if the process is
/// interrupted while the returned guard lives (drop it before the folder
/// itself is removed the normal way).
pub fn scratch(path: &Path) -> ScratchGuard {
    registry().scratch.insert(path.to_path_buf());
    ScratchGuard(path.to_path_buf())
}

pub struct ScratchGuard(PathBuf);

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        registry().scratch.remove(&self.0);
    }
}

/// Held while a write renames its files and commits them: the signal
/// handler waits for it. On drop the folders registered so far are
/// forgotten (they now hold committed files).
pub struct Finishing {
    _guard: MutexGuard<'static, ()>,
}

pub fn finishing() -> Finishing {
    Finishing {
        _guard: FINISHING.lock().unwrap_or_else(PoisonError::into_inner),
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        registry().dirs.clear();
    }
}

/// Called by the Ctrl-C / SIGTERM / SIGHUP handler before the process exits.
pub fn on_signal() {
    let finishing = FINISHING.lock().unwrap_or_else(PoisonError::into_inner);
    let reg = registry();
    for f in &reg.files {
        let _ = std::fs::remove_file(f);
    }
    for d in reg.dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
    for d in &reg.scratch {
        // A second pass for what a still-running thread added meanwhile.
        if std::fs::remove_dir_all(d).is_err() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
    // Held until exit (see the module comment).
    std::mem::forget(reg);
    std::mem::forget(finishing);
}

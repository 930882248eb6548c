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
/// The commits this process made (short hash, first line of the message),
/// named on stderr when it is interrupted: what was written stays.
static COMMITTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records a commit this process made.
pub fn committed(oid: &str, message: &str) {
    let first = message.lines().next().unwrap_or_default();
    // The last few only: a long-running process (`mem watch`) commits
    // many times, and the newest say what the interrupt came after.
    let mut done = COMMITTED.lock().unwrap_or_else(PoisonError::into_inner);
    if done.len() == 3 {
        done.remove(0);
    }
    done.push(format!("{} {first}", &oid[..oid.len().min(8)]));
}

/// What [`on_signal`] says about the commits made before the interrupt,
/// if any.
fn committed_note() -> Option<String> {
    let done = COMMITTED.lock().unwrap_or_else(PoisonError::into_inner);
    (!done.is_empty()).then(|| {
        format!(
            "mem: interrupted; committed before the interrupt (kept): {}",
            done.join("; ")
        )
    })
}

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

/// A new temporary folder (`mem-eval-…` in `dir`, or in the system's temp
/// folder) registered as scratch under the registry's lock: an interrupt
/// finds it registered or not made yet. Keep the guard declared after the
/// folder, so that it is dropped first.
pub fn scratch_tempdir(
    prefix: &str,
    dir: Option<&Path>,
) -> std::io::Result<(tempfile::TempDir, ScratchGuard)> {
    let mut reg = registry();
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    let tmp = match dir {
        Some(d) => b.tempdir_in(d)?,
        None => b.tempdir()?,
    };
    reg.scratch.insert(tmp.path().to_path_buf());
    let guard = ScratchGuard(tmp.path().to_path_buf());
    Ok((tmp, guard))
}

pub struct ScratchGuard(PathBuf);

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        registry().scratch.remove(&self.0);
    }
}

/// Held while a write renames its files and commits them: the signal
/// handler waits for it. On drop the folders registered so far are
/// forgotten (they now hold committed files). Sections nest on a thread
/// (a move's section holds the commit's): only the outermost one locks and,
/// when it ends, forgets the folders.
pub struct Finishing {
    guard: Option<MutexGuard<'static, ()>>,
}

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

pub fn finishing() -> Finishing {
    let depth = DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    Finishing {
        guard: (depth == 1).then(|| FINISHING.lock().unwrap_or_else(PoisonError::into_inner)),
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
        if self.guard.is_some() {
            registry().dirs.clear();
        }
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
        remove_scratch(d);
    }
    // A write that finished (the handler waited for it) is kept: say so,
    // since the exit code says "interrupted".
    if let Some(note) = committed_note() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    // Held until exit (see the module comment).
    std::mem::forget(reg);
    std::mem::forget(finishing);
}

/// Removes a scratch folder while other threads may still write into it
/// (an eval's ingest runs on until the process exits, and its
/// `create_dir_all` would make the folder again). The folder is renamed
/// aside and a plain file takes its name, so a writer's next step fails
/// instead of recreating it; the file goes last, just before the exit.
fn remove_scratch(dir: &Path) {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let tomb = dir.with_file_name(format!(".{name}.removing"));
    if std::fs::rename(dir, &tomb).is_err() {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    let blocker = std::fs::File::create(dir).is_ok();
    // A second pass for what a still-running thread added meanwhile.
    for _ in 0..10 {
        if std::fs::remove_dir_all(&tomb).is_ok() || !tomb.exists() {
            break;
        }
    }
    if blocker {
        let _ = std::fs::remove_file(dir);
    }
}

/// Test hook: `MEM_TEST_ABORT_AT=<point>` aborts the process there, as a
/// SIGKILL would (no handler runs, nothing is cleaned up), so the tests can
/// kill a write at each step of the write path (write.rs): `temp-files` (batch temp files
/// written, not renamed), `staged` (files in place, no commit), `committed`
/// (git commit made, journal not cleared).
/// For tests: interrupts this process (SIGINT to itself) at the point
/// named by `MEM_TEST_INTERRUPT_AT`.
pub fn signal_point(name: &str) {
    if std::env::var_os("MEM_TEST_INTERRUPT_AT").is_some_and(|v| v == name) {
        // SAFETY: raise only sends a signal to this process.
        unsafe {
            libc::raise(libc::SIGINT);
        }
        // The handler runs on its own thread: give it the time to run.
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
}

pub fn crash_point(name: &str) {
    if std::env::var_os("MEM_TEST_ABORT_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_scratch_folder_goes_whole_even_while_a_thread_writes_into_it() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("mem-eval-x");
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/b/c.md"), "x").unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (dir, stop) = (dir.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let d = dir.join(format!("t{}", n % 7));
                    // Fails once the folder is blocked: that is the point.
                    let _ = std::fs::create_dir_all(&d)
                        .and_then(|()| std::fs::write(d.join(format!("{n}.md")), "y"));
                }
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        remove_scratch(&dir);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        // The renamed-aside folder is gone, whatever the writer did.
        let left: Vec<_> = std::fs::read_dir(parent.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().ends_with(".removing"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        // Without a writer, nothing at all is left.
        std::fs::create_dir_all(dir.join("deep/er")).unwrap();
        std::fs::write(dir.join("deep/er/f"), "z").unwrap();
        remove_scratch(&dir);
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
    }

    #[test]
    fn finishing_sections_nest_and_hold_off_other_threads() {
        // A nested section on the same thread (a move's commit) must not
        // wait for the outer one: that would hang forever.
        let (nested_tx, nested_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let writer = std::thread::spawn(move || {
            let outer = finishing();
            drop(finishing());
            let inner = finishing();
            nested_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            drop(inner);
            go_rx.recv().unwrap();
            drop(outer);
        });
        nested_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a nested section waited for its own thread's outer one");
        let (tx, rx) = std::sync::mpsc::channel();
        let handler = std::thread::spawn(move || {
            let _f = finishing();
            tx.send(()).unwrap();
        });
        // The signal handler's thread waits while any section is open...
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        go_tx.send(()).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        // ...and goes on once the outermost one ends.
        go_tx.send(()).unwrap();
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        writer.join().unwrap();
        handler.join().unwrap();
    }
}

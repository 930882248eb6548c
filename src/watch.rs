//! `mem watch`: keeps the index caught up while files change, and answers
//! recalls over a local socket so a `mem recall` process needs neither to
//! open the index nor to load a model.
//!
//! - Only one watcher per tree: it holds `.mem/state/watch.lock` (not the
//!   tree's write lock, which would block every `mem add`); the index lock
//!   is taken by each catch-up, like any reader that has to write.
//! - Two notify watchers on the tree root (recursive; `.git/` and `.mem/`
//!   ignored): a raw one that only marks the index dirty the moment anything
//!   changes, and a debounced one (notify-debouncer-full, 200 ms) that
//!   triggers the catch-up. The catch-up is the same manifest diff every
//!   read does, so editors that save through temp files and renames, `git
//!   checkout`, or a missed event all come out right.
//! - One worker thread (the main thread) owns the open `MemIndex` and the
//!   models; socket connections and change notices reach it over a channel.
//!   A query that arrives while the index is dirty catches up first, so an
//!   answer through the socket is never older than the files.
//! - The socket is `.mem/state/watch.sock`. Protocol: one JSON line in,
//!   `{"query": <Query>, "embedder": <id or null>}`, one JSON line out,
//!   `{"hits": [...], "stats": {...}}` or `{"error": "..."}`. A client whose
//!   embedder differs from the watcher's gets an error and recalls in-process.
//! - Ctrl-C / SIGTERM: the socket file is removed ([`crate::interrupt`]) and
//!   the process exits 130.
//!
//! - Idle dreaming (`watch.dream`, off by default): once the tree has been
//!   idle for `watch.dream_idle_s` and the last pass
//!   (`.mem/state/dream-last`) is older than the interval, `mem dream`
//!   runs on a thread of its own with a time budget (`watch.dream_time_s`),
//!   so queries are still answered; its commits reach the index as any
//!   change does.
//!
//! The watcher is an optimisation: every command catches up by itself, and a
//! stale socket file is ignored by clients.

use crate::index::{CatchUp, MemIndex};
use crate::model::select::Models;
use crate::recall::{Hit, Query, Stats};
use crate::tree::Tree;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SOCKET_FILE: &str = "watch.sock";
pub const LOCK_FILE: &str = "watch.lock";
/// Quiet time after the last change before the debounced catch-up runs.
pub const DEBOUNCE: Duration = Duration::from_millis(200);
/// Safety net: catch up at least this often even without events (a file
/// system that drops events, an inotify queue overflow).
const IDLE_CATCHUP: Duration = Duration::from_secs(30);
/// How long a client waits for the watcher's answer before recalling
/// in-process (a large catch-up in the watcher, or a hung watcher).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request line accepted on the socket.
const MAX_REQUEST: usize = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub query: Query,
    /// The client's embedder identity; the watcher only answers for its own.
    #[serde(default)]
    pub embedder: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Response {
    Hits { hits: Vec<Hit>, stats: Stats },
    Error { error: String },
}

/// What one catch-up did, as printed (text on stderr, or a JSON line).
#[derive(Debug, Serialize)]
pub struct Reindexed {
    pub event: &'static str,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub embedded: usize,
    pub broken: usize,
    pub rebuilt: bool,
    pub generation: u64,
    pub ms: f64,
    /// Changed paths reported by the file system (at most 20, relative).
    pub paths: Vec<String>,
    /// What triggered it: `change` (debounced events), `query`, `idle`.
    pub trigger: &'static str,
}

/// Options of a watcher run.
pub struct WatchOptions {
    pub json: bool,
    pub quiet: bool,
    /// Exit after this long without a query or a change.
    pub idle_exit: Option<Duration>,
    /// Dream when idle (`watch.dream`).
    pub dream: Option<IdleDream>,
}

/// When and how long the watcher dreams.
#[derive(Debug, Clone, Copy)]
pub struct IdleDream {
    /// At most once per this long.
    pub every: Duration,
    /// After this long without a query or a change.
    pub after_idle: Duration,
    /// One pass's time budget.
    pub budget: Duration,
}

impl IdleDream {
    /// From the tree's configuration (`None` when `watch.dream` is off).
    pub fn from_config(cfg: &crate::config::WatchConfig) -> Result<Option<Self>> {
        Ok(cfg.dream_every()?.map(|every| IdleDream {
            every,
            after_idle: Duration::from_secs(cfg.dream_idle_s),
            budget: Duration::from_secs(cfg.dream_time_s.max(1)),
        }))
    }
}

const DREAM_LAST: &str = "dream-last";

/// Seconds since the epoch of the last idle dream's start, if any.
fn last_dream(tree: &Tree) -> Option<u64> {
    std::fs::read_to_string(tree.state_dir().join(DREAM_LAST))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn epoch_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How long until an idle dream may start (zero: now).
fn dream_due_in(d: &IdleDream, idle_for: Duration, last: Option<u64>) -> Duration {
    let since = last.map_or(Duration::MAX, |l| {
        Duration::from_secs(epoch_secs().saturating_sub(l))
    });
    d.after_idle
        .saturating_sub(idle_for)
        .max(d.every.saturating_sub(since))
}

/// One bounded dream pass, applied; reported like a re-index.
fn idle_dream(tree: &Tree, budget: Duration, json: bool, quiet: bool) {
    let budget = crate::dream::Budget {
        max: 0,
        time: Some(budget),
        progress: false,
        summaries: false,
    };
    match crate::dream::pass(tree, &budget, false) {
        Ok(r) => {
            if json {
                let _ = crate::output::out_line(
                    &serde_json::json!({
                        "event": "dream",
                        "changes": r.changes(),
                        "commits": r.commits,
                        "cut_short": r.cut_short,
                        "ms": (r.seconds * 1000.0) as u64,
                    })
                    .to_string(),
                );
            }
            if !quiet {
                eprintln!(
                    "mem watch: dreamt: {} change(s), {} commit(s){} in {:.1} s",
                    r.changes(),
                    r.commits.len(),
                    if r.cut_short { ", cut short" } else { "" },
                    r.seconds
                );
            }
        }
        Err(e) => eprintln!("mem watch: dream failed: {e:#}"),
    }
}

enum Msg {
    /// The debouncer saw changes (catch up if still dirty).
    Changed,
    /// A recall from the socket, with where to send the answer.
    Query(Box<Request>, mpsc::Sender<Response>),
    /// The notify watchers reported an error (e.g. too many files to watch).
    WatchError(String),
}

/// Whether a path reported by notify concerns the tree (not `.git/`, `.mem/`).
fn relevant(root: &Path, p: &Path) -> Option<String> {
    let rel = p.strip_prefix(root).ok()?;
    let first = rel.components().next()?;
    let first = first.as_os_str().to_string_lossy();
    if first == ".git" || first == crate::tree::MEM_DIR {
        return None;
    }
    Some(rel.to_string_lossy().replace('\\', "/"))
}

struct Shared {
    root: PathBuf,
    dirty: AtomicBool,
    touched: Mutex<BTreeSet<String>>,
}

/// Runs the watcher until interrupted.
pub fn run(tree: Tree, opts: WatchOptions) -> Result<()> {
    let state_dir = tree.state_dir();
    let _lock = match crate::lock::WriteLock::acquire_named(&state_dir, LOCK_FILE, Duration::ZERO) {
        Ok(l) => l,
        Err(e) => {
            let pid = std::fs::read_to_string(state_dir.join(LOCK_FILE)).unwrap_or_default();
            if pid.trim().is_empty() {
                return Err(e);
            }
            anyhow::bail!(
                "mem watch is already running on this tree (locked by pid {}); stop it first",
                pid.trim()
            );
        }
    };
    let models = Models::new(&tree.config.models);
    if let Some(n) = models.embedder_notice()
        && !opts.quiet
    {
        eprintln!("note: {n}");
    }
    let embedder_id = models.embedder_id();

    // Start watching before the first catch-up, so nothing falls in between.
    let shared = Arc::new(Shared {
        root: tree.root.clone(),
        dirty: AtomicBool::new(true),
        touched: Mutex::new(BTreeSet::new()),
    });
    let (tx, rx) = mpsc::channel::<Msg>();
    let raw = {
        let shared = shared.clone();
        let tx = tx.clone();
        let mut w =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
                Ok(ev) => {
                    // Reads (our own scans open every folder) change nothing.
                    if matches!(ev.kind, notify::EventKind::Access(_)) && !ev.need_rescan() {
                        return;
                    }
                    let mut any = ev.need_rescan();
                    for p in &ev.paths {
                        if let Some(rel) = relevant(&shared.root, p) {
                            any = true;
                            if let Ok(mut t) = shared.touched.lock()
                                && t.len() < 1000
                            {
                                t.insert(rel);
                            }
                        }
                    }
                    if any {
                        shared.dirty.store(true, Ordering::SeqCst);
                    }
                }
                Err(e) => {
                    shared.dirty.store(true, Ordering::SeqCst);
                    let _ = tx.send(Msg::WatchError(e.to_string()));
                }
            })
            .context("starting the file watcher")?;
        notify::Watcher::watch(&mut w, &tree.root, notify::RecursiveMode::Recursive)
            .with_context(|| format!("watching {}", tree.root.display()))?;
        w
    };
    let debouncer = {
        let root = tree.root.clone();
        let tx = tx.clone();
        let mut d = notify_debouncer_full::new_debouncer(
            DEBOUNCE,
            None,
            move |res: notify_debouncer_full::DebounceEventResult| match res {
                Ok(events) => {
                    let changes = |e: &notify_debouncer_full::DebouncedEvent| {
                        e.need_rescan()
                            || (!matches!(e.kind, notify::EventKind::Access(_))
                                && e.paths.iter().any(|p| relevant(&root, p).is_some()))
                    };
                    if events.iter().any(changes) {
                        let _ = tx.send(Msg::Changed);
                    }
                }
                Err(errs) => {
                    for e in errs {
                        let _ = tx.send(Msg::WatchError(e.to_string()));
                    }
                }
            },
        )
        .context("starting the debounced file watcher")?;
        d.watch(&tree.root, notify::RecursiveMode::Recursive)
            .with_context(|| format!("watching {}", tree.root.display()))?;
        d
    };

    // The socket: a leftover file from a killed watcher is stale (we hold
    // the watch lock, so no other watcher owns it).
    let sock_path = state_dir.join(SOCKET_FILE);
    let _ = std::fs::remove_file(&sock_path);
    let listener = UnixListener::bind(&sock_path)
        .with_context(|| format!("creating the socket {}", sock_path.display()))?;
    crate::interrupt::remove_on_signal(sock_path.clone());
    let _remove_socket = RemoveOnDrop(sock_path.clone());
    {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("mem-watch-socket".into())
            .spawn(move || accept_loop(listener, tx))?;
    }
    drop(tx);

    // The first catch-up, then serve.
    let mut worker = Worker {
        tree: &tree,
        models: &models,
        shared: &shared,
        idx: None,
        generation: 0,
        opts: &opts,
        last: Instant::now(),
    };
    worker.catch_up("start")?;
    let docs = worker.idx.as_ref().map_or(0, |i| i.text.num_docs());
    if opts.json {
        crate::output::out_line(&serde_json::to_string(&serde_json::json!({
            "event": "ready",
            "root": tree.root.display().to_string(),
            "socket": sock_path.display().to_string(),
            "documents": docs,
            "embedder": embedder_id,
            "pid": std::process::id(),
        }))?)?;
    }
    if !opts.quiet {
        eprintln!(
            "watching {} ({docs} entries); socket {}; Ctrl-C to stop",
            tree.root.display(),
            sock_path.display()
        );
    }
    let mut active = Instant::now();
    let mut dreamer: Option<std::thread::JoinHandle<()>> = None;
    let mut dream_last = last_dream(&tree);
    loop {
        // An idle dream, when one is due and none runs.
        let mut dream_wait = Duration::MAX;
        if let Some(d) = &opts.dream
            && dreamer.as_ref().is_none_or(|h| h.is_finished())
        {
            dream_wait = dream_due_in(d, active.elapsed(), dream_last);
            if dream_wait.is_zero() {
                let now = epoch_secs();
                dream_last = Some(now);
                let _ = crate::fsutil::replace_file(
                    &tree.state_dir().join(DREAM_LAST),
                    format!("{now}\n").as_bytes(),
                );
                let (t, budget, json, quiet) = (tree.clone(), d.budget, opts.json, opts.quiet);
                dreamer = Some(std::thread::spawn(move || {
                    idle_dream(&t, budget, json, quiet)
                }));
                dream_wait = Duration::MAX;
            }
        }
        let wait = match opts.idle_exit {
            Some(idle) => {
                let left = idle.saturating_sub(active.elapsed());
                if left.is_zero() {
                    if !opts.quiet {
                        eprintln!("mem watch: idle for {} s, exiting", idle.as_secs());
                    }
                    if opts.json {
                        let _ = crate::output::out_line(r#"{"event":"idle-exit"}"#);
                    }
                    break;
                }
                left.min(IDLE_CATCHUP)
            }
            None => IDLE_CATCHUP,
        }
        .min(dream_wait);
        match rx.recv_timeout(wait) {
            Ok(Msg::Changed) => {
                active = Instant::now();
                if shared.dirty.load(Ordering::SeqCst) {
                    let r = worker.catch_up("change");
                    worker.report_errors(r);
                }
            }
            Ok(Msg::Query(req, reply)) => {
                active = Instant::now();
                let resp = worker.answer(*req, embedder_id.as_deref());
                let _ = reply.send(resp);
            }
            Ok(Msg::WatchError(e)) => {
                if !opts.quiet {
                    eprintln!("mem watch: file watcher: {e}");
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if worker.last.elapsed() >= IDLE_CATCHUP {
                    let r = worker.catch_up("idle");
                    worker.report_errors(r);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // A dream pass in flight finishes its commit before the watcher goes.
    if let Some(h) = dreamer {
        let _ = h.join();
    }
    drop(debouncer);
    drop(raw);
    Ok(())
}

struct RemoveOnDrop(PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Worker<'a> {
    tree: &'a Tree,
    models: &'a Models,
    shared: &'a Shared,
    idx: Option<MemIndex>,
    generation: u64,
    opts: &'a WatchOptions,
    last: Instant,
}

impl Worker<'_> {
    /// Re-runs the manifest diff (re-indexing only what changed) and keeps
    /// the caught-up index open.
    fn catch_up(&mut self, trigger: &'static str) -> Result<()> {
        // Clear first: a change after this point marks it dirty again.
        self.shared.dirty.store(false, Ordering::SeqCst);
        let touched: Vec<String> = std::mem::take(
            &mut *self
                .shared
                .touched
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
        .into_iter()
        .collect();
        let t = Instant::now();
        // Close the old index first (its reader and mmaps) only after the new
        // one is open: a failed catch-up keeps serving the last good one.
        let (idx, report) = match crate::index::open(self.tree, self.models, false, false) {
            Ok(r) => r,
            Err(e) => {
                self.shared.dirty.store(true, Ordering::SeqCst);
                return Err(e);
            }
        };
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        self.idx = Some(idx);
        self.generation = report.generation;
        self.last = Instant::now();
        if report.changed() {
            self.print(&report, ms, touched, trigger);
        }
        Ok(())
    }

    fn report_errors(&self, r: Result<()>) {
        if let Err(e) = r {
            if self.opts.json {
                let _ = crate::output::out_line(
                    &serde_json::json!({"event": "error", "error": format!("{e:#}")}).to_string(),
                );
            } else {
                eprintln!("mem watch: catching up failed: {e:#}");
            }
        }
    }

    fn print(&self, r: &CatchUp, ms: f64, mut paths: Vec<String>, trigger: &'static str) {
        paths.truncate(20);
        let line = Reindexed {
            event: "reindexed",
            added: r.added,
            updated: r.updated,
            removed: r.removed,
            embedded: r.embedded,
            broken: r.broken,
            rebuilt: r.rebuilt,
            generation: r.generation,
            ms,
            paths,
            trigger,
        };
        if self.opts.json {
            let _ = crate::output::out_line(&serde_json::to_string(&line).unwrap_or_default());
        } else if !self.opts.quiet {
            let what = if line.paths.is_empty() {
                String::new()
            } else {
                let shown: Vec<&str> = line.paths.iter().take(3).map(String::as_str).collect();
                let more = if line.paths.len() > 3 {
                    format!(" (+{} more)", line.paths.len() - 3)
                } else {
                    String::new()
                };
                format!(": {}{more}", shown.join(", "))
            };
            eprintln!(
                "reindexed {} added, {} updated, {} removed{}{}{} in {:.0} ms (generation {}){what}",
                line.added,
                line.updated,
                line.removed,
                if line.embedded > 0 {
                    format!(", {} embedded", line.embedded)
                } else {
                    String::new()
                },
                if line.broken > 0 {
                    format!(
                        ", {} not valid entries (`mem doctor` says why)",
                        line.broken
                    )
                } else {
                    String::new()
                },
                if line.rebuilt { ", rebuilt" } else { "" },
                ms,
                line.generation,
            );
        }
    }

    fn answer(&mut self, req: Request, embedder: Option<&str>) -> Response {
        if req.embedder.as_deref() != embedder {
            return Response::Error {
                error: format!(
                    "the watcher uses embedder {}, the client {}",
                    embedder.unwrap_or("none"),
                    req.embedder.as_deref().unwrap_or("none")
                ),
            };
        }
        let t = Instant::now();
        if (self.shared.dirty.load(Ordering::SeqCst) || self.idx.is_none())
            && let Err(e) = self.catch_up("query")
        {
            return Response::Error {
                error: format!("{e:#}"),
            };
        }
        let catchup_ms = t.elapsed().as_secs_f64() * 1000.0;
        let Some(idx) = &self.idx else {
            return Response::Error {
                error: "no index".into(),
            };
        };
        match crate::recall::recall_with(self.tree, self.models, idx, self.generation, &req.query) {
            Ok((hits, mut stats)) => {
                stats.catchup_ms = catchup_ms;
                stats.total_ms = t.elapsed().as_secs_f64() * 1000.0;
                stats.daemon = true;
                Response::Hits { hits, stats }
            }
            Err(e) => Response::Error {
                error: format!("{e:#}"),
            },
        }
    }
}

fn accept_loop(listener: UnixListener, tx: mpsc::Sender<Msg>) {
    for conn in listener.incoming() {
        let Ok(stream) = conn else { continue };
        let tx = tx.clone();
        let _ = std::thread::Builder::new()
            .name("mem-watch-conn".into())
            .spawn(move || {
                let _ = serve(stream, tx);
            });
    }
}

fn serve(stream: UnixStream, tx: mpsc::Sender<Msg>) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(std::io::Read::take(stream.try_clone()?, MAX_REQUEST as u64));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let resp = match serde_json::from_str::<Request>(line.trim()) {
        Ok(req) => {
            let (rtx, rrx) = mpsc::channel();
            if tx.send(Msg::Query(Box::new(req), rtx)).is_err() {
                Response::Error {
                    error: "the watcher is stopping".into(),
                }
            } else {
                rrx.recv().unwrap_or(Response::Error {
                    error: "the watcher is stopping".into(),
                })
            }
        }
        Err(e) => Response::Error {
            error: format!("bad request: {e}"),
        },
    };
    let mut w = std::io::BufWriter::new(&stream);
    serde_json::to_writer(&mut w, &resp)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// Starts `mem watch --quiet --idle-exit SECS` on `tree` as a background
/// process of its own session (no terminal, output discarded), without
/// waiting for it. A second watcher on the same tree exits at once (the
/// watch lock), so racing starters are harmless.
pub fn spawn_background(tree: &Tree, idle_exit_s: u64) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.args(["--quiet", "watch", "--idle-exit", &idle_exit_s.to_string()])
        .current_dir(&tree.root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    cmd.spawn().map(drop)
}

/// Asks a running watcher of this tree. None when there is none (no socket,
/// a stale socket file, a timeout, or an error answer): the caller then
/// recalls in-process. `why` receives the reason when a watcher was found
/// but could not answer.
pub fn query_daemon(
    tree: &Tree,
    embedder: Option<String>,
    q: &Query,
    why: &mut Option<String>,
) -> Option<(Vec<Hit>, Stats)> {
    let path = tree.state_dir().join(SOCKET_FILE);
    // Connecting to a Unix socket does not wait: it succeeds at once or is
    // refused (no listener: a stale file).
    let stream = UnixStream::connect(&path).ok()?;
    let res = (|| -> Result<Response> {
        stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
        stream.set_write_timeout(Some(Duration::from_millis(500)))?;
        let mut line = serde_json::to_vec(&Request {
            query: q.clone(),
            embedder,
        })?;
        line.push(b'\n');
        (&stream).write_all(&line)?;
        let mut reader = BufReader::new(&stream);
        let mut resp = String::new();
        reader.read_line(&mut resp)?;
        Ok(serde_json::from_str(resp.trim())?)
    })();
    match res {
        Ok(Response::Hits { hits, stats }) => Some((hits, stats)),
        Ok(Response::Error { error }) => {
            *why = Some(error);
            None
        }
        Err(e) => {
            *why = Some(format!("{e:#}"));
            None
        }
    }
}

/// A recall through a running `mem watch` when one answers (no index to
/// open, no model to load), else in this process. `no_daemon` skips the
/// socket.
pub fn recall_any(
    tree: &Tree,
    models: &crate::model::select::Models,
    q: &Query,
    no_daemon: bool,
) -> anyhow::Result<(Vec<Hit>, Stats)> {
    let mut why = None;
    if !no_daemon && let Some(r) = query_daemon(tree, models.embedder_id(), q, &mut why) {
        return Ok(r);
    }
    crate::recall::recall(tree, models, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dream_waits_for_quiet_and_for_its_interval() {
        let d = IdleDream {
            every: Duration::from_secs(3600),
            after_idle: Duration::from_secs(600),
            budget: Duration::from_secs(300),
        };
        let now = epoch_secs();
        // Never dreamt: only the quiet is waited for.
        assert_eq!(
            dream_due_in(&d, Duration::from_secs(100), None),
            Duration::from_secs(500)
        );
        assert!(dream_due_in(&d, Duration::from_secs(700), None).is_zero());
        // Dreamt ten minutes ago: fifty more minutes, however quiet.
        let left = dream_due_in(&d, Duration::from_secs(700), Some(now - 600));
        assert!(
            (Duration::from_secs(2990)..=Duration::from_secs(3000)).contains(&left),
            "{left:?}"
        );
        // Dreamt two hours ago and quiet: now.
        assert!(dream_due_in(&d, Duration::from_secs(700), Some(now - 7200)).is_zero());
    }
}

//! `mem hook`: coding agents' hooks. `install`/`uninstall`/`status` manage
//! the agents' configuration (hook_config.rs); `run ROLE` is what an agent
//! calls: it reads the agent's hook JSON on stdin and
//!
//! - `session-start`: prints the project's memory (entries about the
//!   working directory's project, then the most recent ones) as context;
//! - `user-prompt`: prints the memories relevant to the prompt, within
//!   `hooks.prompt_ms` (150 ms) from the start of the process: on timeout,
//!   a locked, missing or broken tree, or any error it prints nothing;
//! - `stop`, `pre-compact`, `session-end`: starts a detached harvester of
//!   the session transcript and returns at once.
//!
//! A hook never blocks the agent: it always exits 0 and prints one JSON
//! object or nothing, in the agent's own output shape; problems go to
//! `.mem/state/hooks.log`, never to stderr (Gemini shows stderr to the user).

use super::hook_config::{self as config, Agent};
use crate::model::select::Models;
use crate::output::Ctx;
use crate::recall::Query;
use crate::tree::Tree;
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Install for one agent in this project (or for your user), with its MCP server:\n  \
mem hook install claude-code\n  mem hook install codex --user\n  mem hook status\n  mem hook uninstall cursor\n\n\
The installed commands pin this mem binary and this tree (--root), so they work from any directory. Codex runs new \
hooks only after you trust them: start `codex` once and choose \"Trust all and continue\" (or /hooks). Cursor \
cannot add context to a prompt; its agent reads memory through the MCP server."
)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: HookCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum HookCmd {
    /// Write mem's hooks and MCP server into an agent's configuration (merged; idempotent)
    Install(InstallArgs),
    /// Remove mem's hooks and MCP server from an agent's configuration (nothing else)
    Uninstall(InstallArgs),
    /// Which agents have mem's hooks and MCP server, per scope
    Status(StatusArgs),
    /// Run one hook: reads the agent's JSON on stdin (called by the agent)
    Run(RunArgs),
    /// Harvest a transcript (started detached by the stop hooks)
    #[command(hide = true)]
    Harvest(HarvestArgs),
    /// Bring the index up to date with the files (started detached by a
    /// prompt hook that ran out of time catching up)
    #[command(hide = true)]
    CatchUp,
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    #[arg(value_enum)]
    pub agent: Agent,
    /// The project's configuration (the default): the git root of the current directory
    #[arg(long, conflicts_with = "user")]
    pub project: bool,
    /// The user's configuration (all projects)
    #[arg(long)]
    pub user: bool,
    /// Hooks only, no MCP server
    #[arg(long)]
    pub no_mcp: bool,
    /// Say what would change, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[arg(value_enum)]
    pub agent: Option<Agent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    SessionStart,
    UserPrompt,
    Stop,
    PreCompact,
    SessionEnd,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[arg(value_enum)]
    pub role: Role,
    /// The agent calling (else recognised from its payload)
    #[arg(long, value_enum)]
    pub agent: Option<Agent>,
}

#[derive(Debug, clap::Args)]
pub struct HarvestArgs {
    #[arg(long)]
    pub transcript: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    match args.cmd {
        HookCmd::Install(a) => install(a, ctx, false),
        HookCmd::Uninstall(a) => install(a, ctx, true),
        HookCmd::Status(a) => status(a, ctx),
        HookCmd::Run(a) => {
            run_hook(a, ctx);
            Ok(())
        }
        HookCmd::Harvest(a) => harvest(a, ctx),
        HookCmd::CatchUp => catch_up(ctx),
    }
}

/// The project root for `--project`: the git work tree around the current
/// directory, else the directory itself.
fn project_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(git2::Repository::discover(&cwd)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or(cwd))
}

fn install(a: InstallArgs, ctx: &Ctx, remove: bool) -> Result<()> {
    // Uninstalling recognises mem's handlers by their command, whatever
    // tree they name: it needs no tree (the tree may be gone already).
    let tree = if remove {
        String::new()
    } else {
        ctx.tree()?.root.display().to_string()
    };
    let exe = std::env::current_exe()
        .context("finding the mem binary")?
        .to_string_lossy()
        .to_string();
    let target = config::Target { exe, tree };
    let project = if a.user { None } else { Some(project_root()?) };
    let changes = config::apply(
        a.agent,
        project.as_deref(),
        &target,
        !a.no_mcp,
        remove,
        a.dry_run,
    )?;
    for c in &changes {
        if ctx.json {
            ctx.json_line(&json!({"agent": a.agent.name(), "path": c.path, "changed": c.changed, "what": c.what, "dry_run": a.dry_run}))?;
        } else {
            let verb = match (c.changed, a.dry_run) {
                (false, _) => "unchanged",
                (true, true) => "would change",
                (true, false) => "changed",
            };
            crate::output::out_line(&format!("{verb} {} ({})", c.path, c.what))?;
        }
    }
    if !remove && !a.dry_run && !ctx.json {
        match a.agent {
            Agent::Codex => ctx.note(
                "note: Codex runs new hooks only once you trust them: start `codex` and choose \"Trust all and continue\" (or /hooks); project hooks also need a trusted project",
            ),
            Agent::Cursor => ctx.note(
                "note: Cursor cannot add context to a prompt; its agent reads memory through the `mem` MCP server. Cursor also runs Claude Code's hooks: mem answers once per event",
            ),
            _ => {}
        }
    }
    Ok(())
}

fn status(a: StatusArgs, ctx: &Ctx) -> Result<()> {
    let agents: Vec<Agent> = a.agent.map_or_else(|| Agent::ALL.to_vec(), |x| vec![x]);
    let project = project_root()?;
    for ag in agents {
        for scope in [Some(project.as_path()), None] {
            let s = config::status(ag, scope)?;
            if ctx.json {
                ctx.json_line(&s)?;
            } else {
                let hooks = if s.events.is_empty() {
                    "no hooks".to_string()
                } else if s.missing.is_empty() {
                    format!("hooks: {}", s.events.join(", "))
                } else {
                    format!(
                        "hooks: {} (missing {})",
                        s.events.join(", "),
                        s.missing.join(", ")
                    )
                };
                crate::output::out_line(&format!(
                    "{:<12} {:<8} {hooks}; MCP server {}  ({})",
                    s.agent,
                    s.scope,
                    if s.mcp { "set" } else { "not set" },
                    s.hooks_file
                ))?;
            }
        }
    }
    Ok(())
}

/// The process start, for the prompt hook's deadline.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Call first thing in `main` so the prompt hook's budget counts the
/// process start.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// The agent of a payload, when the flag does not say.
fn sniff(p: &Value) -> Agent {
    if p.get("cursor_version").is_some() || p.get("conversation_id").is_some() {
        return Agent::Cursor;
    }
    let ev = p
        .get("hook_event_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if matches!(ev, "BeforeAgent" | "AfterAgent" | "PreCompress") || p.get("timestamp").is_some() {
        return Agent::Gemini;
    }
    if p.get("turn_id").is_some() {
        return Agent::Codex;
    }
    Agent::ClaudeCode
}

/// What the hook prints for `role`, given the context (if any), in the
/// agent's shape. `None`: print nothing.
pub fn output(agent: Agent, role: Role, context: Option<&str>) -> Option<String> {
    let native = |claude: &str, gemini: &str| match agent {
        Agent::Gemini => gemini.to_string(),
        _ => claude.to_string(),
    };
    let v = match (agent, role, context) {
        (Agent::Cursor, Role::SessionStart, Some(c)) => json!({"additional_context": c}),
        (Agent::Cursor, Role::UserPrompt, _) => json!({"continue": true}),
        (Agent::Cursor, _, _) => json!({}),
        (_, Role::SessionStart, Some(c)) => json!({"hookSpecificOutput": {
            "hookEventName": native("SessionStart", "SessionStart"), "additionalContext": c}}),
        (_, Role::UserPrompt, Some(c)) => json!({"hookSpecificOutput": {
            "hookEventName": native("UserPromptSubmit", "BeforeAgent"), "additionalContext": c}}),
        // Gemini reads stderr when stdout is empty: always one object.
        (Agent::Gemini, _, _) => json!({}),
        _ => return None,
    };
    Some(v.to_string())
}

/// Agents cap context at 10,000 characters (Claude Code): packs stay under.
const MAX_CONTEXT_CHARS: usize = 9_000;

fn run_hook(a: RunArgs, ctx: &Ctx) {
    let mut input = Vec::new();
    let _ = std::io::stdin().take(4 << 20).read_to_end(&mut input);
    // A payload that is not JSON is read as none (fail-open) and logged
    // once the tree is known.
    let (payload, malformed) = match serde_json::from_slice::<Value>(&input) {
        Ok(v) => (v, None),
        Err(e) => (Value::Null, Some(e)),
    };
    let agent = a.agent.unwrap_or_else(|| sniff(&payload));
    let print = |s: Option<String>| {
        if let Some(s) = s {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{s}");
            let _ = out.flush();
        }
    };
    // Cursor also runs Claude Code's hooks: a Cursor payload on the
    // Claude Code handler is answered by Cursor's own.
    if a.agent == Some(Agent::ClaudeCode) && sniff(&payload) == Agent::Cursor {
        print(output(Agent::Cursor, a.role, None));
        return;
    }
    let tree = match ctx.tree() {
        Ok(t) => t,
        Err(_) => {
            print(output(agent, a.role, None));
            return;
        }
    };
    if let Some(e) = &malformed {
        log(
            &tree,
            &format!(
                "{} {:?}: the payload on stdin is not JSON ({} bytes): {e}",
                agent.name(),
                a.role,
                input.len()
            ),
        );
    }
    let r = match a.role {
        Role::SessionStart => session_context(&tree, &payload),
        Role::UserPrompt => {
            let budget = Duration::from_millis(tree.config.hooks.prompt_ms);
            prompt_context(tree.clone(), &payload, budget)
        }
        Role::Stop | Role::PreCompact | Role::SessionEnd => {
            start_harvest(&tree, &payload).map(|_| None)
        }
    };
    match r {
        Ok(c) => print(output(agent, a.role, c.as_deref())),
        Err(e) => {
            log(&tree, &format!("{} {:?}: {e:#}", agent.name(), a.role));
            print(output(agent, a.role, None));
        }
    }
    if a.role == Role::UserPrompt {
        // The recall may still run in its thread: end now, without
        // waiting for it (stdout is flushed).
        // SAFETY: as in main's signal handler, _exit skips destructors.
        unsafe { libc::_exit(0) }
    }
}

/// Appends a line to `.mem/state/hooks.log` (best effort); past 1 MiB the
/// log is moved to `hooks.log.1` (one old log kept).
fn log(tree: &Tree, line: &str) {
    // A fresh tree may not have its state folder yet.
    let _ = std::fs::create_dir_all(tree.state_dir());
    let p = tree.state_dir().join("hooks.log");
    if std::fs::metadata(&p).is_ok_and(|m| m.len() > 1 << 20) {
        let _ = std::fs::rename(&p, tree.state_dir().join("hooks.log.1"));
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
    {
        let _ = writeln!(f, "{} {line}", crate::time::format(crate::time::now()));
    }
}

/// The project directory of a payload.
fn project_dir(p: &Value) -> Option<PathBuf> {
    p.get("cwd")
        .and_then(Value::as_str)
        .or_else(|| p.pointer("/workspace_roots/0").and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

fn session_context(tree: &Tree, p: &Value) -> Result<Option<String>> {
    let project = project_dir(p)
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    let words: String = project
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .collect::<Vec<_>>()
        .join(" ");
    let models = Models::new(&tree.config.models);
    let mut paths: Vec<String> = Vec::new();
    if !words.is_empty() {
        let q = Query {
            text: words.clone(),
            k: 10,
            max_tier: 3,
            ..Default::default()
        };
        if let Ok((hits, _)) = crate::watch::recall_any(tree, &models, &q, false) {
            paths.extend(hits.into_iter().map(|h| h.path));
        }
    }
    // Then the most recently changed entries.
    for path in tree.entries_by_recency(None).into_iter().take(5) {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    let label = if words.is_empty() {
        "this session".to_string()
    } else {
        format!("project {project}")
    };
    let budget = tree.config.hooks.session_budget;
    let lessons = if words.is_empty() {
        None
    } else {
        lessons_section(tree, &models, &words, &label, &mut paths, budget / 3, 3)
    };
    models.leave_for_exit();
    let main_budget = budget - lessons.as_ref().map_or(0, |l| l.1);
    let pack = crate::context::pack_paths(tree, &label, &paths, main_budget);
    Ok(join_sections(pack, lessons))
}

/// Up to `hooks.lessons` lessons for `text` (their own recall, kind
/// `lesson`), packed in `budget` tokens under their own heading; they are
/// taken out of `paths` so the main section does not repeat them. Returns
/// the section and the tokens it used.
fn lessons_section(
    tree: &Tree,
    models: &Models,
    text: &str,
    label: &str,
    paths: &mut Vec<String>,
    budget: usize,
    max_tier: u8,
) -> Option<(String, usize)> {
    let k = tree.config.hooks.lessons;
    if k == 0 {
        return None;
    }
    let q = Query {
        text: text.chars().take(2000).collect(),
        k,
        max_tier,
        kind: Some("lesson".into()),
        ..Default::default()
    };
    let hits = if max_tier > 1 {
        crate::watch::recall_any(tree, models, &q, false).ok()?.0
    } else {
        crate::recall::recall(tree, models, &q).ok()?.0
    };
    paths.retain(|p| !hits.iter().any(|h| h.path == *p));
    let pack = crate::context::pack(tree, &format!("lessons for {label}"), &hits, budget);
    (!pack.entries.is_empty()).then_some((pack.markdown, pack.tokens))
}

/// The main pack, then the lessons section, within the context cap.
fn join_sections(main: crate::context::Pack, lessons: Option<(String, usize)>) -> Option<String> {
    let mut out = String::new();
    if !main.entries.is_empty() {
        out.push_str(&main.markdown);
    }
    if let Some((l, _)) = lessons {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&l);
    }
    (!out.is_empty()).then(|| cap(out))
}

fn cap(mut s: String) -> String {
    if s.len() > MAX_CONTEXT_CHARS {
        let mut end = MAX_CONTEXT_CHARS;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// The prompt's memories, or nothing when they are not ready within
/// `budget` of the process start (the work goes on in a thread that the
/// process exit ends).
fn prompt_context(tree: Tree, p: &Value, budget: Duration) -> Result<Option<String>> {
    let prompt = p
        .get("prompt")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if prompt.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return Ok(None);
    }
    let start = *STARTED.get_or_init(Instant::now);
    let tree_root = tree.root.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = (|| -> Result<Option<String>> {
            let models = Models::new(&tree.config.models);
            // In-process, tier 1 only: loading the embedder would not fit
            // the budget; a running `mem watch` answers with every tier.
            let mut q = Query {
                text: prompt.chars().take(2000).collect(),
                k: 8,
                max_tier: 3,
                ..Default::default()
            };
            let mut why = None;
            let hits = match crate::watch::query_daemon(&tree, models.embedder_id(), &q, &mut why) {
                Some((h, _)) => h,
                None => {
                    q.max_tier = 1;
                    crate::recall::recall(&tree, &models, &q)?.0
                }
            };
            let budget = tree.config.hooks.prompt_budget;
            let mut paths: Vec<String> = hits
                .iter()
                .filter(|h| !h.quarantined && !h.archived)
                .map(|h| h.path.clone())
                .collect();
            // In-process, the lessons' recall stays at tier 1 too.
            let lessons = lessons_section(
                &tree,
                &models,
                &q.text,
                "this prompt",
                &mut paths,
                budget / 3,
                q.max_tier,
            );
            let main = crate::context::pack_paths(
                &tree,
                &q.text,
                &paths,
                budget - lessons.as_ref().map_or(0, |l| l.1),
            );
            Ok(join_sections(main, lessons))
        })();
        let _ = tx.send(r);
    });
    let left = budget.saturating_sub(start.elapsed());
    match rx.recv_timeout(left) {
        Ok(r) => r,
        Err(_) => {
            // Most often the index was catching up with new files (a
            // harvest, an edit) and the process exit would throw that work
            // away: it goes on detached, so the next prompt finds it done.
            let started = spawn_detached(&tree_root, &["hook", "catch-up"]).is_ok();
            anyhow::bail!(
                "no answer within {} ms: printed nothing{}",
                budget.as_millis(),
                if started {
                    " (the index catches up in the background)"
                } else {
                    ""
                }
            )
        }
    }
}

/// Brings the index up to date (text and vectors), one at a time per tree
/// (a second one exits at once), bounded by `hooks.harvest_timeout_s`.
fn catch_up(ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let Ok(_lock) =
        crate::lock::WriteLock::acquire_named(&tree.state_dir(), "catch-up.lock", Duration::ZERO)
    else {
        return Ok(());
    };
    exit_after(&tree, "catch-up");
    let models = Models::new(&tree.config.models);
    let t = Instant::now();
    match crate::index::open(&tree, &models, false, false) {
        Ok((_, rep)) => log(
            &tree,
            &format!(
                "index caught up: {} added, {} updated, {} removed in {} ms",
                rep.added,
                rep.updated,
                rep.removed,
                t.elapsed().as_millis()
            ),
        ),
        Err(e) => log(&tree, &format!("index catch-up failed: {e:#}")),
    }
    models.leave_for_exit();
    Ok(())
}

/// Ends the process after `hooks.harvest_timeout_s`, whatever it is doing
/// (`what` goes to the log).
fn exit_after(tree: &Tree, what: &'static str) {
    let limit = Duration::from_secs(tree.config.hooks.harvest_timeout_s);
    let t2 = tree.clone();
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        log(
            &t2,
            &format!(
                "{what} stopped after {} s (hooks.harvest_timeout_s)",
                limit.as_secs()
            ),
        );
        // Whatever was not committed is recovered by the next writer.
        // SAFETY: _exit ends the process at once (no C++ destructors run
        // under llama.cpp's busy threads).
        unsafe { libc::_exit(0) }
    });
}

/// Starts this mem on `root` with `args`, detached (its own session, no
/// terminal, no inherited pipes), and returns.
fn spawn_detached(root: &Path, args: &[&str]) -> Result<()> {
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--root")
        .arg(root)
        .arg("--quiet")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own session: the agent's process group ending does not take
        // it down mid-write, and it holds no terminal.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    cmd.spawn().context("starting a detached mem")?;
    Ok(())
}

/// Starts `mem hook harvest` detached (its own session, no terminal, no
/// inherited pipes) for the payload's transcript, and returns.
fn start_harvest(tree: &Tree, p: &Value) -> Result<()> {
    let Some(t) = p
        .get("transcript_path")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Ok(());
    };
    if !Path::new(t).is_file() {
        anyhow::bail!("transcript {t} is not a file");
    }
    spawn_detached(&tree.root, &["hook", "harvest", "--transcript", t])
        .context("starting the harvester")
}

/// The detached harvester: one per tree at a time (a second one exits at
/// once; the ledger lets the next harvest take what this one did not),
/// bounded by `hooks.harvest_timeout_s`.
fn harvest(a: HarvestArgs, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let _lock = match crate::lock::WriteLock::acquire_named(
        &tree.state_dir(),
        "harvest.lock",
        Duration::ZERO,
    ) {
        Ok(l) => l,
        Err(_) => return Ok(()),
    };
    exit_after(&tree, "harvest");
    let models = Models::new(&tree.config.models);
    let r =
        crate::ingest::harvest_transcript(&tree, &models, &a.transcript, crate::curate::Mode::Full);
    // Lessons from the same transcript's tool calls (re-learning what was
    // learned at the last stop adds nothing).
    if tree.config.hooks.learn {
        let mut sum = crate::learn::Summary::default();
        let name = a
            .transcript
            .file_stem()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "session".into());
        let source = a
            .transcript
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| name.clone());
        let learned = crate::ingest::read_input(&a.transcript).and_then(|bytes| {
            crate::learn::learn_bytes(&tree, &bytes, &name, &source, false, &mut sum)
        });
        match learned {
            Ok(_) => log(
                &tree,
                &format!(
                    "learned from {}: {} lesson(s), {} added, {} confirmed, {} known",
                    a.transcript.display(),
                    sum.lessons,
                    sum.added,
                    sum.confirmed,
                    sum.noop
                ),
            ),
            Err(e) => log(
                &tree,
                &format!("learning from {} failed: {e:#}", a.transcript.display()),
            ),
        }
    }
    // The next prompt hook reads the index in-process within its budget:
    // what was written here is indexed now, not in its time.
    if let Err(e) = crate::index::open(&tree, &models, false, false) {
        log(
            &tree,
            &format!("index catch-up after the harvest failed: {e:#}"),
        );
    }
    models.leave_for_exit();
    match r {
        Ok(rep) => log(
            &tree,
            &format!(
                "harvested {}: {} turns, {} added, {} updated, {} unchanged",
                a.transcript.display(),
                rep.turns,
                rep.added,
                rep.updated,
                rep.unchanged
            ),
        ),
        Err(e) => log(
            &tree,
            &format!("harvest of {} failed: {e:#}", a.transcript.display()),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(agent: &str, event: &str) -> Value {
        let p = format!(
            "{}/fixtures/hooks/{agent}/{event}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    /// Any JSON an agent could send: the agent is told, the project found
    /// or not, and every hook output is valid JSON (or nothing).
    #[test]
    fn any_payload_is_read_without_a_panic_and_answered_in_json() {
        crate::fuzz::drive("hook payloads", 10, 20_000, |rng| {
            let mut p = crate::fuzz::random_json(rng, 3);
            if rng.chance(0.7) {
                // Mostly objects, as agents send.
                p = serde_json::json!({"hook_event_name": "UserPromptSubmit", "prompt": p, "cwd": crate::fuzz::random_json(rng, 1)});
            }
            let agent = sniff(&p);
            let _ = project_dir(&p);
            let ctx = p.get("prompt").and_then(Value::as_str);
            for role in [Role::SessionStart, Role::UserPrompt, Role::Stop] {
                if let Some(out) = output(agent, role, ctx) {
                    serde_json::from_str::<Value>(&out)
                        .unwrap_or_else(|e| panic!("{agent:?} {role:?}: {e}: {out}"));
                }
            }
        });
    }

    #[test]
    fn payloads_are_told_apart_by_their_fields() {
        assert_eq!(
            sniff(&fixture("claude-code", "UserPromptSubmit")),
            Agent::ClaudeCode
        );
        assert_eq!(sniff(&fixture("codex", "UserPromptSubmit")), Agent::Codex);
        assert_eq!(sniff(&fixture("gemini", "BeforeAgent")), Agent::Gemini);
        assert_eq!(
            sniff(&fixture("cursor", "beforeSubmitPrompt")),
            Agent::Cursor
        );
        assert_eq!(
            project_dir(&fixture("cursor", "sessionStart")),
            Some(PathBuf::from("/home/dev/projects/billing"))
        );
    }

    #[test]
    fn outputs_take_each_agents_shape() {
        let c = Some("ctx");
        let claude: Value =
            serde_json::from_str(&output(Agent::ClaudeCode, Role::UserPrompt, c).unwrap()).unwrap();
        assert_eq!(
            claude["hookSpecificOutput"]["hookEventName"],
            "UserPromptSubmit"
        );
        assert_eq!(claude["hookSpecificOutput"]["additionalContext"], "ctx");
        let gemini: Value =
            serde_json::from_str(&output(Agent::Gemini, Role::UserPrompt, c).unwrap()).unwrap();
        assert_eq!(gemini["hookSpecificOutput"]["hookEventName"], "BeforeAgent");
        assert_eq!(
            output(Agent::Gemini, Role::Stop, None).as_deref(),
            Some("{}")
        );
        assert_eq!(output(Agent::ClaudeCode, Role::Stop, None), None);
        assert_eq!(output(Agent::Codex, Role::UserPrompt, None), None);
        assert_eq!(
            output(Agent::Cursor, Role::UserPrompt, c).as_deref(),
            Some(r#"{"continue":true}"#)
        );
        let cur: Value =
            serde_json::from_str(&output(Agent::Cursor, Role::SessionStart, c).unwrap()).unwrap();
        assert_eq!(cur["additional_context"], "ctx");
    }
}

//! `mem hook install|uninstall|status`: mem's hooks and MCP server in each
//! agent's own configuration files, merged into what is there.
//!
//! Our handlers are recognised by their command (`… mem … hook run …`):
//! installing replaces them in place or appends them, uninstalling removes
//! only them (and the groups and events left empty by that). Every other
//! key, event, handler and server is kept as it was. A file that is not
//! valid JSON (or TOML) is never overwritten: the command fails and says
//! which file. Writes are atomic. The first time mem writes into a file
//! that existed, the file as it was is kept as `FILE.bak`; uninstalling
//! gives that text back byte for byte when nothing else changed since, and
//! removes `FILE.bak`. A file that mem created and that holds nothing else
//! once mem's part is removed is deleted (see [`commit`]).
//!
//! The formats (2026): Claude Code `.claude/settings.json` (`hooks`) and
//! `.mcp.json` / `~/.claude.json` (`mcpServers`); Codex `.codex/hooks.json`
//! and `.codex/config.toml` (`[mcp_servers.mem]`); Gemini CLI
//! `.gemini/settings.json` (`hooks` with `name` and timeouts in ms,
//! `mcpServers`); Cursor `.cursor/hooks.json` (`version: 1`, flat handler
//! lists) and `.cursor/mcp.json`.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agent {
    ClaudeCode,
    Codex,
    Gemini,
    Cursor,
}

impl Agent {
    pub const ALL: [Agent; 4] = [
        Agent::ClaudeCode,
        Agent::Codex,
        Agent::Gemini,
        Agent::Cursor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Cursor => "cursor",
        }
    }

    /// (native event, mem role, timeout in the agent's unit, matcher).
    pub fn events(self) -> Vec<(&'static str, &'static str, u64, Option<&'static str>)> {
        match self {
            Agent::ClaudeCode => vec![
                (
                    "SessionStart",
                    "session-start",
                    10,
                    Some("startup|resume|clear|compact"),
                ),
                ("UserPromptSubmit", "user-prompt", 5, None),
                ("Stop", "stop", 10, None),
                ("PreCompact", "pre-compact", 10, None),
                ("SessionEnd", "session-end", 5, None),
            ],
            // Claude Code's events, but Codex has no session end.
            Agent::Codex => Agent::ClaudeCode
                .events()
                .into_iter()
                .filter(|e| e.0 != "SessionEnd")
                .collect(),
            Agent::Gemini => vec![
                ("SessionStart", "session-start", 10_000, Some("*")),
                ("BeforeAgent", "user-prompt", 5_000, Some("*")),
                ("AfterAgent", "stop", 10_000, Some("*")),
                ("PreCompress", "pre-compact", 10_000, Some("*")),
                ("SessionEnd", "session-end", 5_000, Some("*")),
            ],
            // beforeSubmitPrompt cannot add context in Cursor: not installed.
            Agent::Cursor => vec![
                ("sessionStart", "session-start", 10, None),
                ("stop", "stop", 10, None),
                ("preCompact", "pre-compact", 10, None),
                ("sessionEnd", "session-end", 5, None),
            ],
        }
    }
}

/// Where an agent's files are.
#[derive(Debug, Clone)]
pub struct Files {
    pub hooks: PathBuf,
    pub mcp: PathBuf,
}

/// The agent's files for a project (`project` is its root) or for the user.
pub fn files(agent: Agent, project: Option<&Path>) -> Result<Files> {
    let home = || -> Result<PathBuf> {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .context("HOME is not set: cannot find the agent's user configuration")
    };
    Ok(match (agent, project) {
        (Agent::ClaudeCode, Some(p)) => Files {
            hooks: p.join(".claude/settings.json"),
            mcp: p.join(".mcp.json"),
        },
        (Agent::ClaudeCode, None) => {
            let dir = std::env::var_os("CLAUDE_CONFIG_DIR")
                .map(PathBuf::from)
                .map_or_else(|| home().map(|h| h.join(".claude")), Ok)?;
            Files {
                hooks: dir.join("settings.json"),
                mcp: home()?.join(".claude.json"),
            }
        }
        (Agent::Codex, Some(p)) => Files {
            hooks: p.join(".codex/hooks.json"),
            mcp: p.join(".codex/config.toml"),
        },
        (Agent::Codex, None) => {
            let dir = std::env::var_os("CODEX_HOME")
                .map(PathBuf::from)
                .map_or_else(|| home().map(|h| h.join(".codex")), Ok)?;
            Files {
                hooks: dir.join("hooks.json"),
                mcp: dir.join("config.toml"),
            }
        }
        (Agent::Gemini, Some(p)) => Files {
            hooks: p.join(".gemini/settings.json"),
            mcp: p.join(".gemini/settings.json"),
        },
        (Agent::Gemini, None) => Files {
            hooks: home()?.join(".gemini/settings.json"),
            mcp: home()?.join(".gemini/settings.json"),
        },
        (Agent::Cursor, Some(p)) => Files {
            hooks: p.join(".cursor/hooks.json"),
            mcp: p.join(".cursor/mcp.json"),
        },
        (Agent::Cursor, None) => Files {
            hooks: home()?.join(".cursor/hooks.json"),
            mcp: home()?.join(".cursor/mcp.json"),
        },
    })
}

/// Whether a hook command is one of ours (any binary path, any tree).
pub fn is_ours(command: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:^|[/\\\s'"])mem(?:\.exe)?['"]?\s(?:.*\s)?hook\s+run\s"#).unwrap()
    });
    RE.is_match(command)
}

pub use crate::fsutil::shell_word;

/// What install writes: the binary, the tree, the hook command per role.
#[derive(Debug, Clone)]
pub struct Target {
    pub exe: String,
    pub tree: String,
}

impl Target {
    pub fn command(&self, role: &str, agent: Agent) -> String {
        format!(
            "{} --root {} hook run {role} --agent {}",
            shell_word(&self.exe),
            shell_word(&self.tree),
            agent.name()
        )
    }
    fn mcp_args(&self) -> Vec<String> {
        vec!["--root".into(), self.tree.clone(), "mcp".into()]
    }
}

fn read_json(path: &Path) -> Result<Option<Value>> {
    match std::fs::read_to_string(path) {
        Ok(t) if t.trim().is_empty() => Ok(Some(json!({}))),
        Ok(t) => {
            let v: Value = serde_json::from_str(&t).with_context(|| {
                format!(
                    "{} is not valid JSON; fix it by hand (nothing was changed)",
                    path.display()
                )
            })?;
            if !v.is_object() {
                bail!(
                    "{} is not a JSON object; fix it by hand (nothing was changed)",
                    path.display()
                );
            }
            Ok(Some(v))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// What a configuration file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Toml,
}

impl Format {
    /// Whether `text` holds any of mem's hooks or its MCP server.
    fn has_ours(self, text: &str) -> bool {
        match self {
            Format::Json => serde_json::from_str::<Value>(text).is_ok_and(|v| json_has_ours(&v)),
            Format::Toml => toml_has_ours(text),
        }
    }

    /// Whether `text` holds nothing at all (`{}`, or no TOML).
    fn is_blank(self, text: &str) -> bool {
        match self {
            Format::Json => {
                text.trim().is_empty()
                    || serde_json::from_str::<Value>(text)
                        .is_ok_and(|v| v.as_object().is_some_and(Map::is_empty))
            }
            Format::Toml => text.trim().is_empty(),
        }
    }

    /// Whether two texts hold the same configuration.
    fn same(self, a: &str, b: &str) -> bool {
        match self {
            Format::Json => {
                let parse = |t: &str| {
                    if t.trim().is_empty() {
                        Some(json!({}))
                    } else {
                        serde_json::from_str::<Value>(t).ok()
                    }
                };
                parse(a).is_some_and(|x| Some(x) == parse(b))
            }
            Format::Toml => a == b,
        }
    }
}

fn backup_path(path: &Path) -> PathBuf {
    let mut bak = path.as_os_str().to_owned();
    bak.push(".bak");
    PathBuf::from(bak)
}

/// Writes `text` (the file's new content; `old` its content now) for
/// install or uninstall, atomically. Returns whether anything changed (or
/// would, with `dry_run`) and a note on what happened to the file itself.
///
/// - Nothing of mem's before or after: the file is left as it is.
/// - The first write of mem's part into a file that existed keeps the file
///   as it was in `FILE.bak` (one backup per file; later writes keep it).
/// - When mem's part is gone from the file (uninstall): if `FILE.bak` holds
///   the same configuration, its text is put back byte for byte (keys in
///   their order, formatting and all); else, if there is no backup (mem
///   created the file) and nothing is left, the file is deleted, with its
///   folder when that is now empty and inside `project`; else the new text
///   is written. `FILE.bak` is then removed.
fn commit(
    path: &Path,
    fmt: Format,
    old: Option<&str>,
    text: &str,
    project: Option<&Path>,
    dry_run: bool,
) -> Result<(bool, Option<String>)> {
    let old_ours = old.is_some_and(|o| fmt.has_ours(o));
    let new_ours = fmt.has_ours(text);
    if old == Some(text) || (!old_ours && !new_ours) {
        return Ok((false, None));
    }
    let bak = backup_path(path);
    let name = bak
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let write = |t: &str| -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        crate::fsutil::replace_file(path, t.as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    };
    if new_ours {
        let mut note = None;
        if !old_ours && let Some(o) = old {
            note = Some(format!("previous file kept as {name}"));
            if !dry_run {
                std::fs::write(&bak, o)
                    .with_context(|| format!("backing up {}", path.display()))?;
            }
        }
        if !dry_run {
            write(text)?;
        }
        return Ok((true, note));
    }
    // Uninstalled: mem's part is gone from the file.
    let saved = std::fs::read_to_string(&bak).ok();
    // A backup that holds mem's part is not the file as it was before.
    let before = saved.as_deref().filter(|b| !fmt.has_ours(b));
    let note = if let Some(b) = before.filter(|b| fmt.same(b, text)) {
        if !dry_run {
            write(b)?;
        }
        Some(format!("restored from {name}"))
    } else if before.is_none() && fmt.is_blank(text) {
        if !dry_run {
            std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
            if let (Some(root), Some(dir)) = (project, path.parent())
                && dir != root
                && dir.starts_with(root)
            {
                // Only when empty.
                let _ = std::fs::remove_dir(dir);
            }
        }
        Some("file removed: it held nothing else".to_string())
    } else {
        if !dry_run {
            write(text)?;
        }
        None
    };
    if saved.is_some() && !dry_run {
        std::fs::remove_file(&bak).with_context(|| format!("removing {}", bak.display()))?;
    }
    Ok((true, note))
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn obj<'a>(v: &'a mut Value, key: &str) -> Result<&'a mut Map<String, Value>> {
    let m = v.as_object_mut().context("not a JSON object")?;
    let e = m.entry(key.to_string()).or_insert_with(|| json!({}));
    e.as_object_mut()
        .with_context(|| format!("`{key}` is not a JSON object"))
}

/// Our handler for one role.
fn handler(agent: Agent, t: &Target, role: &str, timeout: u64) -> Value {
    let cmd = t.command(role, agent);
    match agent {
        Agent::Cursor => json!({"command": cmd, "timeout": timeout}),
        Agent::Gemini => {
            json!({"name": format!("mem-{role}"), "type": "command", "command": cmd, "timeout": timeout})
        }
        _ => json!({"type": "command", "command": cmd, "timeout": timeout}),
    }
}

fn command_of(h: &Value) -> &str {
    h.get("command").and_then(Value::as_str).unwrap_or("")
}

/// Installs (or, with `remove`, uninstalls) our handlers in a hooks
/// document. Returns the events changed.
fn merge_hooks(doc: &mut Value, agent: Agent, t: &Target, remove: bool) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    if agent == Agent::Cursor && !remove {
        doc.as_object_mut()
            .context("not a JSON object")?
            .entry("version")
            .or_insert(json!(1));
    }
    let hooks = obj(doc, "hooks")?;
    let flat = agent == Agent::Cursor;
    let wanted: Vec<_> = agent.events();
    // Events of ours to remove: every event when uninstalling; when
    // installing, our handlers on events we no longer install.
    let names: Vec<String> = hooks.keys().cloned().collect();
    for ev in names {
        let keep_ours = !remove && wanted.iter().any(|w| w.0 == ev);
        if keep_ours {
            continue;
        }
        let Some(arr) = hooks.get_mut(&ev).and_then(Value::as_array_mut) else {
            continue;
        };
        let before = arr.clone();
        strip_ours(arr, flat);
        if *arr != before {
            changed.push(ev.clone());
            if arr.is_empty() {
                hooks.remove(&ev);
            }
        }
    }
    if remove {
        if hooks.is_empty() && !changed.is_empty() {
            doc.as_object_mut().map(|m| m.remove("hooks"));
            if agent == Agent::Cursor
                && doc
                    .as_object()
                    .is_some_and(|m| m.len() == 1 && m.contains_key("version"))
            {
                doc.as_object_mut().map(|m| m.remove("version"));
            }
        }
        return Ok(changed);
    }
    for (ev, role, timeout, matcher) in wanted {
        let new = handler(agent, t, role, timeout);
        let arr = hooks
            .entry(ev.to_string())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .with_context(|| format!("hooks.{ev} is not a list"))?;
        let before = arr.clone();
        let mut placed = false;
        if flat {
            for h in arr.iter_mut() {
                if is_ours(command_of(h)) && !placed {
                    *h = new.clone();
                    placed = true;
                }
            }
        } else {
            for g in arr.iter_mut() {
                if let Some(hs) = g.get_mut("hooks").and_then(Value::as_array_mut) {
                    for h in hs.iter_mut() {
                        if is_ours(command_of(h)) && !placed {
                            *h = new.clone();
                            placed = true;
                        }
                    }
                }
            }
        }
        // Duplicates of ours after the first: removed.
        if placed {
            let mut seen = false;
            dedupe_ours(arr, flat, &mut seen);
        } else if flat {
            arr.push(new);
        } else {
            let mut g = json!({"hooks": [new]});
            if let Some(m) = matcher {
                g["matcher"] = json!(m);
            }
            arr.push(g);
        }
        if *arr != before {
            changed.push(ev.to_string());
        }
    }
    Ok(changed)
}

fn strip_ours(arr: &mut Vec<Value>, flat: bool) {
    if flat {
        arr.retain(|h| !is_ours(command_of(h)));
        return;
    }
    arr.retain_mut(|g| {
        let Some(hs) = g.get_mut("hooks").and_then(Value::as_array_mut) else {
            return true;
        };
        let n = hs.len();
        hs.retain(|h| !is_ours(command_of(h)));
        // A group we emptied goes; one that was empty already stays.
        !(hs.is_empty() && n > 0)
    });
}

fn dedupe_ours(arr: &mut Vec<Value>, flat: bool, seen: &mut bool) {
    if flat {
        arr.retain(|h| {
            if !is_ours(command_of(h)) {
                return true;
            }
            !std::mem::replace(seen, true)
        });
        return;
    }
    arr.retain_mut(|g| {
        let Some(hs) = g.get_mut("hooks").and_then(Value::as_array_mut) else {
            return true;
        };
        let n = hs.len();
        hs.retain(|h| {
            if !is_ours(command_of(h)) {
                return true;
            }
            !std::mem::replace(seen, true)
        });
        !(hs.is_empty() && n > 0)
    });
}

/// Whether an event's handler list holds one of ours (flat or grouped).
fn has_our_handler(arr: &Value) -> bool {
    arr.as_array().is_some_and(|arr| {
        arr.iter().any(|g| {
            is_ours(command_of(g))
                || g.get("hooks")
                    .and_then(Value::as_array)
                    .is_some_and(|hs| hs.iter().any(|h| is_ours(command_of(h))))
        })
    })
}

/// Whether a JSON document holds any of mem's hooks or its MCP server.
fn json_has_ours(doc: &Value) -> bool {
    doc.get("hooks")
        .and_then(Value::as_object)
        .is_some_and(|h| h.values().any(has_our_handler))
        || doc
            .get("mcpServers")
            .and_then(|s| s.get("mem"))
            .is_some_and(is_our_server)
}

fn is_our_server(v: &Value) -> bool {
    let cmd = command_of(v);
    let args: Vec<&str> = v
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    (cmd == "mem" || cmd.ends_with("/mem") || cmd.ends_with("\\mem.exe"))
        && args.last() == Some(&"mcp")
}

/// Sets (or removes) `mcpServers.mem` in a JSON document.
fn merge_mcp_json(doc: &mut Value, agent: Agent, t: &Target, remove: bool) -> Result<bool> {
    if remove {
        let Some(servers) = doc.get_mut("mcpServers").and_then(Value::as_object_mut) else {
            return Ok(false);
        };
        if servers.get("mem").is_some_and(is_our_server) {
            servers.remove("mem");
            if servers.is_empty() {
                doc.as_object_mut().map(|m| m.remove("mcpServers"));
            }
            return Ok(true);
        }
        return Ok(false);
    }
    let servers = obj(doc, "mcpServers")?;
    let mut entry = json!({"command": t.exe, "args": t.mcp_args()});
    match agent {
        Agent::ClaudeCode | Agent::Cursor => entry["type"] = json!("stdio"),
        Agent::Gemini => entry["timeout"] = json!(30_000),
        Agent::Codex => {}
    }
    if let Some(old) = servers.get("mem")
        && !is_our_server(old)
    {
        bail!(
            "an MCP server named `mem` that is not this mem is already configured; rename or remove it first"
        );
    }
    let before = servers.get("mem").cloned();
    servers.insert("mem".into(), entry.clone());
    Ok(before.as_ref() != Some(&entry))
}

/// Whether a Codex `[mcp_servers.X]` table is this mem's server.
fn toml_server_is_ours(item: &toml_edit::Item) -> bool {
    let cmd = item.get("command").and_then(|c| c.as_str()).unwrap_or("");
    let last = item
        .get("args")
        .and_then(|a| a.as_array())
        .and_then(|a| a.iter().last())
        .and_then(|v| v.as_str());
    (cmd == "mem" || cmd.ends_with("/mem")) && last == Some("mcp")
}

/// Whether a Codex config.toml holds mem's MCP server.
fn toml_has_ours(text: &str) -> bool {
    text.parse::<toml_edit::DocumentMut>().is_ok_and(|d| {
        d.get("mcp_servers")
            .and_then(|s| s.get("mem"))
            .is_some_and(toml_server_is_ours)
    })
}

/// Sets (or removes) `[mcp_servers.mem]` in a Codex config.toml, keeping
/// the rest of the file as written.
fn merge_mcp_toml(text: &str, path: &Path, t: &Target, remove: bool) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().with_context(|| {
        format!(
            "{} is not valid TOML; fix it by hand (nothing was changed)",
            path.display()
        )
    })?;
    let servers = doc
        .entry("mcp_servers")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .with_context(|| format!("{}: mcp_servers is not a table", path.display()))?;
    let ours = toml_server_is_ours;
    if remove {
        if servers.get("mem").is_some_and(ours) {
            servers.remove("mem");
        }
        if servers.is_empty() {
            doc.remove("mcp_servers");
        }
        return Ok(doc.to_string());
    }
    if let Some(old) = servers.get("mem")
        && !ours(old)
    {
        bail!(
            "{}: an MCP server named `mem` that is not this mem is already configured; rename or remove it first",
            path.display()
        );
    }
    let mut table = toml_edit::Table::new();
    table["command"] = toml_edit::value(t.exe.clone());
    let mut args = toml_edit::Array::new();
    for a in t.mcp_args() {
        args.push(a);
    }
    table["args"] = toml_edit::value(args);
    table["startup_timeout_sec"] = toml_edit::value(20);
    servers.insert("mem", toml_edit::Item::Table(table));
    Ok(doc.to_string())
}

/// What install or uninstall did to one file.
#[derive(Debug, serde::Serialize)]
pub struct FileChange {
    pub path: String,
    pub changed: bool,
    pub what: String,
}

/// Installs or uninstalls mem for `agent`; `mcp` includes the MCP server.
pub fn apply(
    agent: Agent,
    project: Option<&Path>,
    t: &Target,
    mcp: bool,
    remove: bool,
    dry_run: bool,
) -> Result<Vec<FileChange>> {
    let f = files(agent, project)?;
    let mut out = Vec::new();
    // The MCP server's file (when it is another one) is merged first: a
    // conflict there (a server named mem that is not this mem, a file
    // that does not parse) leaves both files as they were, not the hooks
    // written and the server missing.
    let mcp_plan = if mcp && f.mcp != f.hooks {
        let old = std::fs::read_to_string(&f.mcp).ok();
        if remove && old.is_none() {
            None
        } else {
            let (fmt, text) = if agent == Agent::Codex {
                let t = merge_mcp_toml(old.as_deref().unwrap_or(""), &f.mcp, t, remove)?;
                (Format::Toml, t)
            } else {
                let mut doc = read_json(&f.mcp)?.unwrap_or_else(|| json!({}));
                merge_mcp_json(&mut doc, agent, t, remove)?;
                (Format::Json, pretty(&doc))
            };
            Some((fmt, text, old))
        }
    } else {
        None
    };
    // Hooks (Gemini keeps hooks and servers in one file: one write).
    let old = std::fs::read_to_string(&f.hooks).ok();
    let doc = read_json(&f.hooks)?;
    if !(remove && doc.is_none()) {
        let mut doc = doc.unwrap_or_else(|| json!({}));
        let events = merge_hooks(&mut doc, agent, t, remove)?;
        let mut what = if events.is_empty() {
            "hooks unchanged".to_string()
        } else {
            format!(
                "hooks {}: {}",
                if remove { "removed" } else { "set" },
                events.join(", ")
            )
        };
        if mcp && f.mcp == f.hooks {
            let c = merge_mcp_json(&mut doc, agent, t, remove)?;
            if c {
                what.push_str(if remove {
                    "; MCP server removed"
                } else {
                    "; MCP server set"
                });
            }
        }
        let text = pretty(&doc);
        let (changed, note) = commit(
            &f.hooks,
            Format::Json,
            old.as_deref(),
            &text,
            project,
            dry_run,
        )?;
        if let Some(n) = note {
            what.push_str(&format!("; {n}"));
        }
        out.push(FileChange {
            path: f.hooks.display().to_string(),
            changed,
            what,
        });
    }
    if let Some((fmt, text, old)) = mcp_plan {
        let (changed, note) = commit(&f.mcp, fmt, old.as_deref(), &text, project, dry_run)?;
        let mut what = format!("MCP server {}", if remove { "removed" } else { "set" });
        if let Some(n) = note {
            what.push_str(&format!("; {n}"));
        }
        out.push(FileChange {
            path: f.mcp.display().to_string(),
            changed,
            what,
        });
    }
    Ok(out)
}

/// Which of our hooks and servers an agent's files hold.
#[derive(Debug, serde::Serialize)]
pub struct Status {
    pub agent: &'static str,
    pub scope: &'static str,
    pub hooks_file: String,
    /// Native events with a mem handler.
    pub events: Vec<String>,
    /// Native events mem installs that have none.
    pub missing: Vec<String>,
    pub mcp_file: String,
    pub mcp: bool,
}

pub fn status(agent: Agent, project: Option<&Path>) -> Result<Status> {
    let f = files(agent, project)?;
    let doc = read_json(&f.hooks)
        .ok()
        .flatten()
        .unwrap_or_else(|| json!({}));
    let mut events = Vec::new();
    if let Some(h) = doc.get("hooks").and_then(Value::as_object) {
        for (ev, arr) in h {
            if has_our_handler(arr) {
                events.push(ev.clone());
            }
        }
    }
    let missing = agent
        .events()
        .iter()
        .map(|e| e.0.to_string())
        .filter(|e| !events.contains(e))
        .collect();
    let mcp = if agent == Agent::Codex {
        std::fs::read_to_string(&f.mcp).is_ok_and(|t| toml_has_ours(&t))
    } else {
        read_json(&f.mcp)
            .ok()
            .flatten()
            .and_then(|d| d.get("mcpServers").and_then(|s| s.get("mem")).cloned())
            .is_some_and(|v| is_our_server(&v))
    };
    Ok(Status {
        agent: agent.name(),
        scope: if project.is_some() { "project" } else { "user" },
        hooks_file: f.hooks.display().to_string(),
        events,
        missing,
        mcp_file: f.mcp.display().to_string(),
        mcp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            exe: "/usr/local/bin/mem".into(),
            tree: "/home/dev/notes".into(),
        }
    }

    #[test]
    fn our_commands_are_recognised_and_others_are_not() {
        assert!(is_ours(&target().command("stop", Agent::ClaudeCode)));
        assert!(is_ours("mem hook run user-prompt"));
        assert!(is_ours(
            "'/opt/my tools/mem' --root '/x y' hook run stop --agent codex"
        ));
        assert!(!is_ours("memo hook run stop"));
        assert!(!is_ours("npx claude-mem hook run stop"));
        assert!(!is_ours("python3 ~/.claude/hooks/format.py"));
    }

    #[test]
    fn install_keeps_other_hooks_and_is_idempotent_and_uninstall_restores() {
        let original = json!({
            "model": "opus",
            "hooks": {
                "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "python3 lint.py"}]}],
                "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh"}]}]
            }
        });
        let mut doc = original.clone();
        let ch = merge_hooks(&mut doc, Agent::ClaudeCode, &target(), false).unwrap();
        assert_eq!(ch.len(), 5, "{ch:?}");
        // The user's prompt hook is still first, ours appended beside it.
        let ups = doc["hooks"]["UserPromptSubmit"].as_array().unwrap();
        assert_eq!(ups.len(), 2);
        assert_eq!(ups[0]["hooks"][0]["command"], "python3 lint.py");
        assert!(is_ours(ups[1]["hooks"][0]["command"].as_str().unwrap()));
        assert_eq!(doc["hooks"]["PreToolUse"], original["hooks"]["PreToolUse"]);
        assert_eq!(doc["model"], "opus");
        // Again: nothing changes.
        let again = doc.clone();
        assert!(
            merge_hooks(&mut doc, Agent::ClaudeCode, &target(), false)
                .unwrap()
                .is_empty()
        );
        assert_eq!(doc, again);
        // Another binary path replaces ours in place, no second copy.
        let moved = Target {
            exe: "/opt/mem".into(),
            ..target()
        };
        merge_hooks(&mut doc, Agent::ClaudeCode, &moved, false).unwrap();
        let ups = doc["hooks"]["UserPromptSubmit"].as_array().unwrap();
        assert_eq!(ups.len(), 2);
        assert!(
            ups[1]["hooks"][0]["command"]
                .as_str()
                .unwrap()
                .starts_with("/opt/mem ")
        );
        merge_hooks(&mut doc, Agent::ClaudeCode, &moved, true).unwrap();
        assert_eq!(doc, original);
    }

    #[test]
    fn cursor_hooks_are_flat_and_gemini_timeouts_are_milliseconds() {
        let mut doc = json!({"version": 1, "hooks": {"stop": [{"command": "say done"}]}});
        merge_hooks(&mut doc, Agent::Cursor, &target(), false).unwrap();
        let stop = doc["hooks"]["stop"].as_array().unwrap();
        assert_eq!(stop.len(), 2);
        assert_eq!(stop[0]["command"], "say done");
        assert!(doc["hooks"].get("beforeSubmitPrompt").is_none());
        merge_hooks(&mut doc, Agent::Cursor, &target(), true).unwrap();
        assert_eq!(
            doc,
            json!({"version": 1, "hooks": {"stop": [{"command": "say done"}]}})
        );

        let mut g = json!({});
        merge_hooks(&mut g, Agent::Gemini, &target(), false).unwrap();
        assert_eq!(g["hooks"]["BeforeAgent"][0]["hooks"][0]["timeout"], 5000);
        assert_eq!(
            g["hooks"]["BeforeAgent"][0]["hooks"][0]["name"],
            "mem-user-prompt"
        );
    }

    #[test]
    fn codex_toml_keeps_the_users_formatting() {
        let text =
            "# my settings\nmodel = \"o4\"  # keep\n\n[mcp_servers.github]\ncommand = \"gh-mcp\"\n";
        let out = merge_mcp_toml(text, Path::new("config.toml"), &target(), false).unwrap();
        assert!(
            out.starts_with("# my settings\nmodel = \"o4\"  # keep\n"),
            "{out}"
        );
        assert!(
            out.contains("[mcp_servers.github]\ncommand = \"gh-mcp\""),
            "{out}"
        );
        assert!(out.contains("[mcp_servers.mem]"), "{out}");
        let again = merge_mcp_toml(&out, Path::new("config.toml"), &target(), false).unwrap();
        assert_eq!(again, out);
        let back = merge_mcp_toml(&out, Path::new("config.toml"), &target(), true).unwrap();
        assert_eq!(back, text);
        // Someone else's `mem` server is not taken over.
        let other = "[mcp_servers.mem]\ncommand = \"memgraph\"\n";
        assert!(merge_mcp_toml(other, Path::new("c.toml"), &target(), false).is_err());
    }
}

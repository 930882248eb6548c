//! Agent session transcripts with their tool calls kept: Claude Code JSONL,
//! Codex rollouts, and chat JSON Lines in the OpenAI message shape
//! (`tool_calls` on assistant messages, `role: tool` results with an
//! optional `exit_code`). Each is read into one list of [`Event`]s: the
//! user's requests, what the agent said, and its actions (a call paired
//! with its result). A turn is a 1-based line number of the file.

use serde_json::Value;

/// One tool call and its result.
#[derive(Debug, Clone, Default)]
pub struct Action {
    /// The line of the call.
    pub call_turn: usize,
    /// The line of the result, when one came.
    pub result_turn: Option<usize>,
    /// The tool's name (`Bash`, `shell`, `Edit`, …).
    pub tool: String,
    /// A shell command, verbatim.
    pub command: Option<String>,
    /// A file edit: the path and the lines it added.
    pub edit: Option<Edit>,
    /// The result's text.
    pub output: String,
    /// The call failed: an error flag, a non-zero exit code, or (with no
    /// signal) an error pattern at the start of an output line.
    pub failed: bool,
    pub exit: Option<i64>,
    /// The call's id, to pair the result.
    id: Option<String>,
    /// Whether the result said explicitly how it went.
    explicit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    /// Lines of the new text that the old text did not have (for a new
    /// file: its first lines).
    pub added: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// A message the user typed.
    Request {
        turn: usize,
        text: String,
    },
    /// What the agent said.
    Say {
        turn: usize,
        text: String,
    },
    Act(Action),
}

#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// The session id, else the file name without extensions.
    pub session: String,
    pub cwd: Option<String>,
    /// The first timestamp.
    pub time: Option<String>,
    /// `claude`, `codex` or `chat`.
    pub format: &'static str,
    pub events: Vec<Event>,
}

impl Transcript {
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.events.iter().filter_map(|e| match e {
            Event::Act(a) => Some(a),
            _ => None,
        })
    }
}

/// Reads a transcript; `name` is used when it carries no session id. An
/// input that is none of the formats (no user request and no action) is an
/// error.
pub fn parse(bytes: &[u8], name: &str) -> anyhow::Result<Transcript> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<(usize, Value)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            // (A byte order mark, as Windows tools write one, is no text.)
            serde_json::from_str::<Value>(l.trim().trim_start_matches('\u{feff}'))
                .ok()
                .map(|v| (i + 1, v))
        })
        .filter(|(_, v)| v.is_object())
        .collect();
    let mut t = Transcript {
        session: name.to_string(),
        ..Default::default()
    };
    let codex = lines.iter().take(50).any(|(_, v)| {
        v.get("payload").is_some()
            && matches!(
                v.get("type").and_then(Value::as_str),
                Some("session_meta" | "response_item" | "event_msg" | "turn_context")
            )
    });
    let claude = lines.iter().take(50).any(|(_, v)| {
        v.get("sessionId").is_some()
            && matches!(
                v.get("type").and_then(Value::as_str),
                Some("user" | "assistant")
            )
    });
    t.format = if codex {
        "codex"
    } else if claude {
        "claude"
    } else {
        "chat"
    };
    for (turn, v) in &lines {
        if t.time.is_none() {
            t.time = v
                .get("timestamp")
                .or_else(|| v.get("time"))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if t.cwd.is_none() {
            t.cwd = v
                .get("cwd")
                .or_else(|| v.pointer("/payload/cwd"))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        if let Some(s) = v
            .get("sessionId")
            .or_else(|| v.get("session"))
            .or_else(|| v.pointer("/payload/id"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            && t.session == name
        {
            t.session = s.to_string();
        }
        match t.format {
            "claude" => claude_line(*turn, v, &mut t.events),
            "codex" => codex_line(*turn, v, &mut t.events),
            _ => chat_line(*turn, v, &mut t.events),
        }
    }
    for e in t.events.iter_mut() {
        if let Event::Act(a) = e {
            // No signal: the text says. A pipe (`cmd | tail`) hides the
            // exit code of what failed: an error in its output counts.
            let piped = a.command.as_deref().is_some_and(|c| c.contains('|'));
            if (!a.explicit || (piped && !a.failed)) && a.result_turn.is_some() {
                a.failed = a.failed || looks_failed(&a.output);
            }
        }
    }
    if !t
        .events
        .iter()
        .any(|e| matches!(e, Event::Request { .. } | Event::Act(_)))
    {
        return Err(NotATranscript(name.to_string()).into());
    }
    Ok(t)
}

/// An input with no user request and no tool call: not a transcript.
#[derive(Debug)]
pub struct NotATranscript(pub String);

impl std::fmt::Display for NotATranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: no user request and no tool call found; `mem learn` reads Claude Code and Codex \
             session files and chat JSON Lines with tool calls",
            self.0
        )
    }
}

impl std::error::Error for NotATranscript {}

/// The text of a message's content: a string, or the `text` parts of a list.
fn text_of(c: &Value) -> String {
    match c {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str).or_else(|| p.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Text the agent's harness injected into a user turn, not typed by the user.
fn injected(text: &str) -> bool {
    let t = text.trim_start();
    t.is_empty()
        || t.starts_with("<system-reminder>")
        || t.starts_with("<command-")
        || t.starts_with("<local-command-")
        || t.starts_with("<environment_context>")
        || t.starts_with("Caveat: ")
        || t.starts_with("[Request interrupted")
}

fn request(turn: usize, text: String, out: &mut Vec<Event>) {
    if !injected(&text) {
        out.push(Event::Request {
            turn,
            text: text.trim().to_string(),
        });
    }
}

fn say(turn: usize, text: &str, out: &mut Vec<Event>) {
    if !text.trim().is_empty() {
        out.push(Event::Say {
            turn,
            text: text.trim().to_string(),
        });
    }
}

fn claude_line(turn: usize, v: &Value, out: &mut Vec<Event>) {
    if v.get("isSidechain").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let ty = v.get("type").and_then(Value::as_str);
    let Some(content) = v.pointer("/message/content") else {
        return;
    };
    match ty {
        Some("user") => {
            if let Value::Array(parts) = content {
                let mut typed = String::new();
                for p in parts {
                    if p.get("type").and_then(Value::as_str) == Some("tool_result") {
                        let id = p.get("tool_use_id").and_then(Value::as_str);
                        let output = text_of(p.get("content").unwrap_or(&Value::Null));
                        let flag = p.get("is_error").and_then(Value::as_bool);
                        attach(out, id, turn, output, flag, None);
                    } else if let Some(t) = p.get("text").and_then(Value::as_str) {
                        typed.push_str(t);
                        typed.push('\n');
                    }
                }
                if v.get("isMeta").and_then(Value::as_bool) != Some(true) {
                    request(turn, typed, out);
                }
            } else if v.get("isMeta").and_then(Value::as_bool) != Some(true) {
                request(turn, text_of(content), out);
            }
        }
        Some("assistant") => {
            let Value::Array(parts) = content else {
                say(turn, &text_of(content), out);
                return;
            };
            for p in parts {
                match p.get("type").and_then(Value::as_str) {
                    Some("text") => say(
                        turn,
                        p.get("text").and_then(Value::as_str).unwrap_or(""),
                        out,
                    ),
                    Some("tool_use") => {
                        let name = p.get("name").and_then(Value::as_str).unwrap_or("tool");
                        let input = p.get("input").cloned().unwrap_or(Value::Null);
                        let id = p.get("id").and_then(Value::as_str).map(str::to_string);
                        out.push(Event::Act(call(turn, name, &input, id)));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn chat_line(turn: usize, v: &Value, out: &mut Vec<Event>) {
    // A wrapping `{message: {role, content}}` is read too.
    let m = v.get("message").filter(|m| m.is_object()).unwrap_or(v);
    let role = m
        .get("role")
        .or_else(|| v.get("speaker"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let content = m
        .get("content")
        .or_else(|| m.get("text"))
        .unwrap_or(&Value::Null);
    match role {
        "user" | "human" => request(turn, text_of(content), out),
        "assistant" | "ai" | "model" => {
            say(turn, &text_of(content), out);
            for c in m
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let f = c.get("function").unwrap_or(c);
                let name = f.get("name").and_then(Value::as_str).unwrap_or("tool");
                let args = match f.get("arguments").or_else(|| f.get("input")) {
                    Some(Value::String(s)) => {
                        serde_json::from_str(s).unwrap_or(Value::String(s.clone()))
                    }
                    Some(x) => x.clone(),
                    None => Value::Null,
                };
                let id = c.get("id").and_then(Value::as_str).map(str::to_string);
                out.push(Event::Act(call(turn, name, &args, id)));
            }
        }
        "tool" | "function" => {
            let id = m
                .get("tool_call_id")
                .or_else(|| m.get("id"))
                .and_then(Value::as_str);
            let exit = m
                .get("exit_code")
                .or_else(|| m.get("exitCode"))
                .and_then(Value::as_i64);
            let flag = m.get("is_error").and_then(Value::as_bool);
            attach(out, id, turn, text_of(content), flag, exit);
        }
        _ => {}
    }
}

fn codex_line(turn: usize, v: &Value, out: &mut Vec<Event>) {
    let ty = v.get("type").and_then(Value::as_str);
    let Some(p) = v.get("payload") else { return };
    let pty = p.get("type").and_then(Value::as_str);
    match (ty, pty) {
        (Some("event_msg"), Some("user_message")) => request(
            turn,
            p.get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            out,
        ),
        (Some("event_msg"), Some("agent_message")) => say(
            turn,
            p.get("message").and_then(Value::as_str).unwrap_or(""),
            out,
        ),
        (
            Some("response_item"),
            Some("function_call" | "local_shell_call" | "custom_tool_call"),
        ) => {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("shell");
            let args = match p
                .get("arguments")
                .or_else(|| p.get("action"))
                .or_else(|| p.get("input"))
            {
                Some(Value::String(s)) => {
                    serde_json::from_str(s).unwrap_or(Value::String(s.clone()))
                }
                Some(x) => x.clone(),
                None => Value::Null,
            };
            let id = p.get("call_id").and_then(Value::as_str).map(str::to_string);
            out.push(Event::Act(call(turn, name, &args, id)));
        }
        (Some("response_item"), Some("function_call_output" | "custom_tool_call_output")) => {
            let id = p.get("call_id").and_then(Value::as_str);
            // The output is a JSON string `{output, metadata: {exit_code}}`, or plain text.
            let raw = p.get("output").cloned().unwrap_or(Value::Null);
            let parsed = match &raw {
                Value::String(s) => serde_json::from_str::<Value>(s).ok(),
                x => Some(x.clone()),
            };
            let (text, exit) = match parsed.filter(Value::is_object) {
                Some(o) => (
                    o.get("output").map(text_of).unwrap_or_default(),
                    o.pointer("/metadata/exit_code").and_then(Value::as_i64),
                ),
                None => (text_of(&raw), None),
            };
            attach(out, id, turn, text, None, exit);
        }
        _ => {}
    }
}

/// An action from a call's name and input.
fn call(turn: usize, name: &str, input: &Value, id: Option<String>) -> Action {
    let mut a = Action {
        call_turn: turn,
        tool: name.to_string(),
        id,
        ..Default::default()
    };
    let s = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
    a.command = match input.get("command").or_else(|| input.get("cmd")) {
        Some(Value::String(c)) => Some(c.clone()),
        // Codex: ["bash", "-lc", "cargo build"].
        Some(Value::Array(parts)) => {
            let parts: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            match parts.as_slice() {
                [sh, flag, cmd] if sh.ends_with("sh") && flag.starts_with('-') => {
                    Some(cmd.to_string())
                }
                _ => Some(parts.join(" ")),
            }
        }
        _ => None,
    }
    .filter(|c| !c.trim().is_empty());
    if a.command.is_none()
        && let Value::String(c) = input
        && matches!(
            name,
            "shell" | "bash" | "Bash" | "exec" | "run" | "terminal"
        )
    {
        a.command = Some(c.clone());
    }
    // Codex's `apply_patch`: `*** Begin Patch` / `*** Update File: P` /
    // `+line` / `-line` (the patch as `input`, `patch`, or a bare string).
    let patch = s("input")
        .or_else(|| s("patch"))
        .or_else(|| input.as_str().map(str::to_string))
        .filter(|p| p.trim_start().starts_with("*** Begin Patch"));
    if a.command.is_none()
        && let Some(p) = patch
    {
        a.edit = patch_edit(&p);
        return a;
    }
    let path = s("file_path")
        .or_else(|| s("path"))
        .or_else(|| s("filename"));
    if let Some(path) = path {
        let old = s("old_string")
            .or_else(|| s("old_str"))
            .or_else(|| s("old"))
            .unwrap_or_default();
        let new = s("new_string")
            .or_else(|| s("new_str"))
            .or_else(|| s("new"))
            .or_else(|| s("content"))
            .or_else(|| s("file_text"))
            .or_else(|| s("text"));
        let mut new_texts: Vec<String> = new.into_iter().collect();
        // MultiEdit: {edits: [{old_string, new_string}]}.
        let mut olds = vec![old];
        for e in input
            .get("edits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(n) = e.get("new_string").and_then(Value::as_str) {
                new_texts.push(n.to_string());
            }
            if let Some(o) = e.get("old_string").and_then(Value::as_str) {
                olds.push(o.to_string());
            }
        }
        if !new_texts.is_empty() {
            let old_lines: std::collections::HashSet<&str> =
                olds.iter().flat_map(|o| o.lines().map(str::trim)).collect();
            let added: Vec<String> = new_texts
                .iter()
                .flat_map(|n| n.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty() && !old_lines.contains(l))
                .map(str::to_string)
                .collect();
            a.edit = Some(Edit { path, added });
        }
    }
    a
}

/// The first file an `apply_patch` patch changes and the lines it adds
/// (lines it also removes, moved or kept, aside).
fn patch_edit(patch: &str) -> Option<Edit> {
    let mut path: Option<String> = None;
    let mut added: Vec<String> = Vec::new();
    let mut removed: std::collections::HashSet<String> = Default::default();
    for line in patch.lines() {
        if let Some(rest) = line
            .strip_prefix("*** Update File: ")
            .or_else(|| line.strip_prefix("*** Add File: "))
        {
            if path.is_some() {
                break;
            }
            path = Some(rest.trim().to_string());
        } else if line.starts_with("***") {
            continue;
        } else if let Some(l) = line.strip_prefix('+') {
            let l = l.trim();
            if !l.is_empty() {
                added.push(l.to_string());
            }
        } else if let Some(l) = line.strip_prefix('-') {
            removed.insert(l.trim().to_string());
        }
    }
    added.retain(|l| !removed.contains(l));
    Some(Edit { path: path?, added })
}

/// Pairs a result with its call: by id, else the last call without one.
fn attach(
    out: &mut [Event],
    id: Option<&str>,
    turn: usize,
    output: String,
    flag: Option<bool>,
    exit: Option<i64>,
) {
    let slot = out.iter_mut().rev().find_map(|e| match e {
        Event::Act(a) if a.result_turn.is_none() && (id.is_none() || a.id.as_deref() == id) => {
            Some(a)
        }
        _ => None,
    });
    let Some(a) = slot else { return };
    a.result_turn = Some(turn);
    // Claude Code starts a failed Bash result with "Exit code N".
    let exit = exit.or_else(|| {
        output
            .trim_start()
            .strip_prefix("Exit code ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    });
    a.exit = exit;
    a.output = output;
    match (flag, exit) {
        (Some(f), _) => {
            a.failed = f || exit.is_some_and(|c| c != 0);
            a.explicit = true;
        }
        (None, Some(c)) => {
            a.failed = c != 0;
            a.explicit = true;
        }
        (None, None) => {}
    }
}

/// With no error flag and no exit code: whether an output line starts the
/// way failures do.
pub fn looks_failed(output: &str) -> bool {
    output.lines().any(|l| strong(l.trim_start()))
}

/// A line that starts or reads the way failures do (`error:`, `fatal:`,
/// `npm ERR!`, a Python exception, `… panicked at`, `error TS2305:`).
fn strong(l: &str) -> bool {
    python_exception(l)
        || tool_error(l)
        || FAIL_STARTS.iter().any(|p| l.starts_with(p))
        || FAIL_INSIDE.iter().any(|p| l.contains(p))
        || coded_error(l)
}

/// How much a trimmed output line says about a failure: 5 a Python
/// exception, 4 a line that starts like an error, 2 a line with error
/// words, 1 a line that only says *that* something failed, 0 nothing.
fn line_score(l: &str) -> i32 {
    if l.starts_with("Exit code ") {
        return 0;
    }
    let low = l.to_lowercase();
    let s = if python_exception(l) {
        5
    } else if strong(l) {
        4
    } else if ERROR_WORDS.iter().any(|w| low.contains(w)) {
        2
    } else {
        0
    };
    // A tag and what it applies to, nothing of why (`ERROR
    // tests/integration/test_repo.py::test_create`, `FAILED src/a.rs`):
    // says only that something failed.
    let tag_and_path = {
        let mut w = l.split_whitespace();
        let (first, second, third) = (w.next(), w.next(), w.next());
        first.is_some_and(|f| !f.chars().any(|c| c.is_lowercase()))
            && second.is_some_and(|p| p.contains('/') || p.contains("::"))
            && third.is_none()
    };
    if s > 0 && (tag_and_path || GENERIC.iter().any(|g| low.contains(g))) {
        1
    } else {
        s
    }
}

/// A tool naming its own error: `CMake Error at CMakeLists.txt:12`,
/// `CMake Error: …`, `Syntax error: …`.
fn tool_error(l: &str) -> bool {
    let mut w = l.split_whitespace();
    let (Some(tool), Some(err)) = (w.next(), w.next()) else {
        return false;
    };
    tool.len() <= 20
        && tool.chars().all(|c| c.is_ascii_alphabetic())
        && tool.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && (err == "Error:" || err == "error:" || (err == "Error" && w.next() == Some("at")))
}

/// `error TS2305:`, `error CS1002:`, `error NETSDK1045:` inside a line
/// (compilers that prefix the location).
fn coded_error(l: &str) -> bool {
    l.match_indices("error ").any(|(i, _)| {
        let rest = &l[i + 6..];
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        code.len() >= 3
            && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && code.chars().any(|c| c.is_ascii_digit())
            && rest[code.len()..].starts_with(':')
    })
}

const FAIL_STARTS: &[&str] = &[
    "error:",
    "error[",
    "Error:",
    "ERROR:",
    "ERROR ",
    "[ERROR]",
    "fatal:",
    "FATAL",
    "npm ERR!",
    "ERR!",
    "FAILED",
    "FAIL ",
    "Traceback (most recent call last)",
    "panic:",
    "E: ",
    "Exception in thread",
    "BUILD FAILED",
    "FAILURE:",
    "! [rejected]",
    "! [remote rejected]",
    "Segmentation fault",
    "Permission denied",
    "ModuleNotFoundError",
    "ImportError",
    "make: ***",
    "Runtime Error",
    "Compilation Error",
    "Database Error",
    "Encountered an error",
    "Error ",
    "FATAL:",
];

const FAIL_INSIDE: &[&str] = &[
    "panicked at",
    ": command not found",
    ": No such file or directory",
    "test result: FAILED",
    "exit status 1",
    "Process completed with exit code 1",
];

/// `SomethingError: …` / `pkg.SomethingException: …` at a line's start
/// (pytest's `E   ` prefix aside).
fn python_exception(l: &str) -> bool {
    let l = l.strip_prefix("E ").map_or(l, str::trim_start);
    let Some((head, _)) = l.split_once(':') else {
        return false;
    };
    !head.is_empty()
        && !head.contains(' ')
        && (head.ends_with("Error") || head.ends_with("Exception"))
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// The most telling line of a failure's output: a specific error line (a
/// Python exception's last line, `error: …`, `fatal: …`) before a generic
/// one (`could not compile`, `make: *** … Error 1`), verbatim (trimmed).
pub fn error_line(output: &str) -> Option<String> {
    error_lines(output, 1).into_iter().next()
}

/// Up to `n` telling lines of a failure's output, the best first: the
/// best line, then other lines that say what failed (score ≥ 2).
pub fn error_lines(output: &str, n: usize) -> Vec<String> {
    let mut scored: Vec<(i32, usize, &str)> = Vec::new();
    let mut pending_heading: Option<i32> = None;
    // Lines left in the block after an error line of its own (score ≥ 4):
    // the lines right after it detail its message (`CMake Error: Error:
    // generator : Ninja` / `Does not match the generator used previously:
    // Unix Makefiles`; `Error: cabal: Missing dependency on a foreign
    // library:` / `* Missing (or bad) header file: zlib.h`), so they
    // count before error words met elsewhere (` - zlib (requires build)`
    // in a build plan). A plain line counts only when not indented (a
    // traceback's frames are).
    let mut detail_left = 0usize;
    for (i, raw) in output.lines().enumerate() {
        let l = without_log_prefix(raw.trim());
        if l.is_empty() || l.len() < 4 || l.starts_with("Exit code ") {
            detail_left = 0;
            continue;
        }
        // A field of a dump with no message of its own (`failed_modules:`,
        // `failed: true`, `rc: 127`, `msg: |-`): neither telling nor a
        // heading's message; a heading's weight passes over it.
        if dump_field(l) {
            continue;
        }
        let mut s = line_score(l);
        let own = s;
        // A bare heading (`Compilation Error`, `Error:`, `* What went
        // wrong:`) says nothing itself: the line after it does. A line
        // that names what failed before its colon (`Error: cabal: Could
        // not resolve dependencies:`) is no bare heading, nor is a field
        // with its value (`Reason:       OOMKilled`).
        let words = l.split_whitespace().count();
        // A short status line (`Build FAILED.`, `3 Error(s)`) is no
        // heading either.
        let heading = s > 0
            && ((words <= 3
                && !l.trim_end_matches(':').contains(':')
                && !l.ends_with(['.', ')', '!'])
                && !l.chars().any(|c| c.is_ascii_digit()))
                || (l.ends_with(':') && words <= 4));
        if let Some(prev) = pending_heading.take()
            && s < prev
        {
            s = prev;
        } else if detail_left > 0 && s < 3 {
            if s > 0 {
                s = 3;
            } else if !raw.starts_with(char::is_whitespace) {
                s = 2;
            }
        }
        detail_left = if own >= 4 && !heading {
            3
        } else {
            detail_left.saturating_sub(1)
        };
        if heading {
            pending_heading = Some(s.max(3));
            s = 1;
        }
        if s > 0 {
            scored.push((s, i, l));
        }
    }
    // Best score first; a Python traceback ends with the exception, so
    // among exception lines the last wins; otherwise the first.
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0).then(if a.0 == 5 {
            b.1.cmp(&a.1)
        } else {
            a.1.cmp(&b.1)
        })
    });
    // The best lines, then generic ones (`make: *** … Error 127`) while
    // there is room: they still say how it failed.
    // One line of each shape: the same message for another host, file or
    // line number (`fatal: [web-01]: …`, `fatal: [web-02]: …`) says
    // nothing new.
    let shape = |l: &str| -> String {
        l.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    let mut shapes: Vec<String> = Vec::new();
    for (_, _, l) in scored.iter() {
        if out.len() >= n {
            break;
        }
        let c = clip_middle(l, 400);
        let sh = shape(l);
        if !shapes.contains(&sh) {
            out.push(c);
            shapes.push(sh);
        }
    }
    if out.is_empty()
        && let Some(l) = output
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.starts_with("Exit code "))
    {
        out.push(clip_middle(l, 400));
    }
    out
}

/// A `key:` line of a YAML or JSON dump whose value is empty, a flag, a
/// number or a block marker (`failed_modules:`, `failed: true`, `rc: 127`,
/// `msg: |-`, `"changed": false,`).
fn dump_field(l: &str) -> bool {
    let Some((key, value)) = l.split_once(':') else {
        return false;
    };
    let key = key.trim().trim_matches('"');
    let value = value.trim().trim_end_matches(',');
    // `Error:` alone is a heading: its message follows.
    let heading = value.is_empty()
        && matches!(
            key.to_lowercase().as_str(),
            "error" | "errors" | "fatal" | "exception" | "failure" | "failures" | "problem"
        );
    !heading
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && (value.is_empty()
            || matches!(
                value,
                "true" | "false" | "null" | "{}" | "[]" | "{" | "[" | "|" | "|-" | ">" | ">-"
            )
            || value.parse::<f64>().is_ok())
}

/// A log line without its syslog/journal prefix (`Mar 04 10:41:07 host
/// unit[123]: `) or a leading timestamp (`2026-03-04 10:41:07.123 UTC [42]
/// `): what is left says what happened (and is still a verbatim part of
/// the line).
fn without_log_prefix(l: &str) -> &str {
    let b = l.as_bytes();
    // "Mar 04 10:41:07 host unit[pid]: msg"
    let syslog = b.len() > 16
        && b[0].is_ascii_uppercase()
        && b[3] == b' '
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':';
    // "2026-03-04 10:41:07…" or "2026-03-04T10:41:07…"
    let iso = b.len() > 19 && b[4] == b'-' && b[7] == b'-' && (b[10] == b' ' || b[10] == b'T');
    if !(syslog || iso) {
        return l;
    }
    // The message starts after the first ": " past the time (syslog), or
    // after the last "] " / the time's end (iso).
    let from = if syslog { 15 } else { 19 };
    let Some(rest) = l.get(from..) else {
        return l;
    };
    let cut = if syslog {
        rest.find(": ")
    } else {
        rest.find("] ")
    };
    match cut {
        Some(i) => rest[i + 2..].trim_start(),
        None => l,
    }
}

/// Whether a failure's output says what went wrong (an error line), as
/// opposed to a bare exit status (`grep -c` printing `0`).
pub fn telling(output: &str) -> bool {
    output.lines().any(|raw| line_score(raw.trim()) > 0)
}

const ERROR_WORDS: &[&str] = &[
    "error",
    "failed",
    "failure",
    "fatal",
    "denied",
    "not found",
    "cannot",
    "can't",
    "could not",
    "couldn't",
    "unable to",
    "refused",
    "rejected",
    "invalid",
    "missing",
    "no such",
    "timed out",
    "timeout",
    "conflict",
    "mismatch",
    "unsupported",
    "incompatible",
    "already in use",
    "exceeded",
    "crashloopbackoff",
    "errimagepull",
    "imagepullbackoff",
    "oomkilled",
    "locked",
    "warning:",
    "bad ",
    "too open",
    "forbidden",
    "unauthorized",
    "expired",
    "incorrect",
    "unknown ",
    "unexpected",
    "undefined",
    "requires ",
    "is required",
    "not allowed",
    "not permitted",
    "already exists",
    "does not exist",
    "doesn't exist",
    "not installed",
    "not supported",
    "no matching",
    "bad gateway",
    "service unavailable",
    "no module",
    "out of memory",
    "no space left",
];

/// Lines that say something failed without saying what.
const GENERIC: &[&str] = &[
    "could not compile",
    "failed to run custom build command",
    "failed to push some refs",
    "aborting due to",
    "for more information about this error",
    "a complete log of this run",
    "process completed with exit code",
    "make: ***",
    "traceback (most recent call last)",
    "npm err! errno",
    "npm err! command failed",
    "error: recipe for target",
    "command failed with exit code",
    "exited with code",
    "run with --stacktrace",
    "run with --info",
    "warning: build failed, waiting",
    "error: process didn't exit successfully",
    "to rerun pass",
    "build failed with an exception",
    "build failed in ",
    "what went wrong",
    "try:",
    "failed to apply plugin",
    "failed with result",
    "job for ",
    "panicked at",
    "error: trace:",
    "for more information",
    "test failed, to rerun",
    "errors occurred",
    "see the logs",
    "re-run with",
];

/// `s` cut to `max` bytes at a character boundary, with an ellipsis.
/// An error line of more than `max` bytes as its start and its end around
/// ` … ` (what went wrong often comes last: `… Deployment.apps "api" is
/// invalid: spec.selector: … field is immutable`); each part is verbatim.
pub fn clip_middle(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut head = max * 3 / 5;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - (max - head);
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{} … {}", s[..head].trim_end(), s[tail..].trim_start())
}

pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_calls_pair_with_results_and_exit_codes() {
        let t = parse(
            br#"{"type":"user","sessionId":"s1","uuid":"u1","cwd":"/home/dev/app","timestamp":"2026-03-02T10:00:00Z","message":{"role":"user","content":"build it"}}
{"type":"assistant","sessionId":"s1","uuid":"u2","message":{"role":"assistant","content":[{"type":"text","text":"Building."},{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"cargo build"}}]}}
{"type":"user","sessionId":"s1","uuid":"u3","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"Exit code 101\nerror: linker `cc` not found","is_error":true}]}}
{"type":"assistant","sessionId":"s1","uuid":"u4","message":{"role":"assistant","content":[{"type":"tool_use","id":"t2","name":"Edit","input":{"file_path":"Cargo.toml","old_string":"a = 1","new_string":"a = 1\nb = 2"}}]}}
{"type":"user","sessionId":"s1","uuid":"u5","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":"ok"}]}}
"#,
            "x",
        )
        .unwrap();
        assert_eq!(t.session, "s1");
        assert_eq!(t.format, "claude");
        assert_eq!(t.cwd.as_deref(), Some("/home/dev/app"));
        let acts: Vec<&Action> = t.actions().collect();
        assert_eq!(acts.len(), 2);
        assert_eq!(acts[0].command.as_deref(), Some("cargo build"));
        assert!(acts[0].failed);
        assert_eq!(acts[0].exit, Some(101));
        assert_eq!((acts[0].call_turn, acts[0].result_turn), (2, Some(3)));
        assert_eq!(acts[1].edit.as_ref().unwrap().added, vec!["b = 2"]);
        assert!(!acts[1].failed);
        // The tool result is not a request.
        let reqs = t
            .events
            .iter()
            .filter(|e| matches!(e, Event::Request { .. }))
            .count();
        assert_eq!(reqs, 1);
    }

    #[test]
    fn chat_results_without_exit_codes_are_judged_by_their_text() {
        let t = parse(
            br#"{"role":"user","content":"install deps"}
{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"shell","arguments":"{\"command\":\"npm ci\"}"}}]}
{"role":"tool","tool_call_id":"c1","content":"npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree"}
{"role":"assistant","content":"","tool_calls":[{"id":"c2","type":"function","function":{"name":"shell","arguments":"{\"command\":\"npm ci --legacy-peer-deps\"}"}}]}
{"role":"tool","tool_call_id":"c2","content":"added 312 packages, 0 errors"}
{"role":"assistant","content":"","tool_calls":[{"id":"c3","type":"function","function":{"name":"shell","arguments":"{\"command\":\"npm test\"}"}}]}
{"role":"tool","tool_call_id":"c3","content":"1 failing","exit_code":1}
"#,
            "chat",
        )
        .unwrap();
        assert_eq!(t.format, "chat");
        let acts: Vec<&Action> = t.actions().collect();
        assert!(acts[0].failed && !acts[1].failed && acts[2].failed);
        assert_eq!(
            error_line(&acts[0].output).as_deref(),
            Some("npm ERR! code ERESOLVE")
        );
    }

    #[test]
    fn codex_rollouts_are_read() {
        let t = parse(
            br#"{"type":"session_meta","payload":{"id":"cx","cwd":"/w"}}
{"type":"event_msg","payload":{"type":"user_message","message":"run the tests"}}
{"type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"bash\",\"-lc\",\"go test ./...\"]}","call_id":"k1"}}
{"type":"response_item","payload":{"type":"function_call_output","call_id":"k1","output":"{\"output\":\"--- FAIL: TestX\",\"metadata\":{\"exit_code\":1}}"}}
"#,
            "codex",
        )
        .unwrap();
        assert_eq!(t.format, "codex");
        assert_eq!(t.session, "cx");
        let a = t.actions().next().unwrap();
        assert_eq!(a.command.as_deref(), Some("go test ./..."));
        assert!(a.failed);
        assert_eq!(a.exit, Some(1));
    }

    #[test]
    fn the_telling_error_line_is_chosen() {
        let py = "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'";
        assert_eq!(
            error_line(py).as_deref(),
            Some("ModuleNotFoundError: No module named 'yaml'")
        );
        let rs = "   Compiling x v0.1.0\nerror[E0433]: failed to resolve: use of undeclared crate `tokio`\nerror: could not compile `x` due to previous error";
        assert!(error_line(rs).unwrap().starts_with("error[E0433]"));
        assert!(!looks_failed("test result: ok. 3 passed; 0 failed"));
        assert!(looks_failed("fatal: not a git repository"));
        assert!(parse(b"hello\nworld\n", "n").is_err());
    }

    #[test]
    fn error_lines_read_messages_not_their_frame() {
        // The line after an error line goes on with its message.
        let cmake = "CMake Error: Error: generator : Ninja\nDoes not match the generator used previously: Unix Makefiles";
        assert_eq!(
            error_lines(cmake, 2)[1],
            "Does not match the generator used previously: Unix Makefiles"
        );
        let buildx = "#0 building with \"default\" instance\nERROR: Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\nLearn more at https://docs.docker.com/go/build-multi-platform/";
        let e = error_lines(buildx, 2);
        assert_eq!(
            e[1],
            "Switch to a different driver, or turn on the containerd image store, and try again."
        );
        // A line naming what failed before its colon is no bare heading; a
        // field with its value neither.
        let cabal = "Resolving dependencies...\nError: cabal: Could not resolve dependencies:\n[__0] trying: ingest-0.4.1 (user goal)";
        assert_eq!(
            error_line(cabal).as_deref(),
            Some("Error: cabal: Could not resolve dependencies:")
        );
        let k8s = "    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137";
        let e = error_lines(k8s, 2);
        assert!(e.iter().any(|l| l.contains("OOMKilled")), "{e:?}");
        // Fields of a dump say nothing; the message inside it does; one
        // line per shape (the same failure for another host).
        let ansible = "fatal: [web-01]: FAILED! => changed=false\n  failed_modules:\n    ansible.legacy.setup:\n      failed: true\n      module_stdout: |-\n        /bin/sh: 1: /usr/bin/python: not found\n      rc: 127\nfatal: [web-02]: FAILED! => changed=false";
        let e = error_lines(ansible, 3);
        assert!(
            e.iter().any(|l| l.contains("/usr/bin/python: not found")),
            "{e:?}"
        );
        assert_eq!(
            e.iter().filter(|l| l.starts_with("fatal:")).count(),
            1,
            "{e:?}"
        );
        assert!(!e.iter().any(|l| l.starts_with("failed: true")), "{e:?}");
        // A tag and a test id say only that something failed.
        let pytest = "E       fixture 'db_session' not found\nERROR tests/it/test_repo.py::test_create\nERROR tests/it/test_repo.py::test_cancel";
        assert_eq!(
            error_line(pytest).as_deref(),
            Some("E       fixture 'db_session' not found")
        );
        // `Build FAILED.` is a status, not a heading over `0 Warning(s)`.
        let dotnet = "x.targets(144,5): error NETSDK1045: The current .NET SDK does not support targeting .NET 8.0.\n\nBuild FAILED.\n    0 Warning(s)\n    3 Error(s)";
        assert!(!error_lines(dotnet, 4).iter().any(|l| l.contains("Warning")));
    }

    #[test]
    fn a_long_error_line_keeps_its_start_and_its_end() {
        let long = format!(
            "Error: UPGRADE FAILED: {} field is immutable",
            "x".repeat(600)
        );
        let c = clip_middle(&long, 400);
        assert!(c.len() < 420, "{}", c.len());
        assert!(c.starts_with("Error: UPGRADE FAILED"));
        assert!(c.ends_with("field is immutable"));
        for part in c.split(" … ") {
            assert!(long.contains(part));
        }
        assert_eq!(clip_middle("short", 400), "short");
    }

    #[test]
    fn apply_patch_edits_are_read() {
        let patch = "*** Begin Patch\n*** Update File: proj/celery.py\n@@\n-    },\n-}\n+    },\n+    \"purge\": {\n+        \"schedule\": crontab(hour=3, minute=15),\n+    },\n+}\n*** End Patch";
        let a = call(
            3,
            "apply_patch",
            &serde_json::json!({ "input": patch }),
            None,
        );
        let e = a.edit.expect("an edit");
        assert_eq!(e.path, "proj/celery.py");
        assert!(
            e.added
                .iter()
                .any(|l| l.contains("crontab(hour=3, minute=15)"))
        );
        assert!(
            !e.added.contains(&"}".to_string()),
            "moved lines are not added: {:?}",
            e.added
        );
        assert!(a.command.is_none());
    }
}

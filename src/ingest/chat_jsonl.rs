//! Chat logs and agent transcripts as JSON Lines, one message a line.

use super::*;

/// Parses `{role|speaker, content|text, time?, session?}` lines. Sessions
/// are named by `session`, else by the day of `time`, else `session-1`.
/// Invalid UTF-8 in a line is replaced by U+FFFD (the line is kept) and
/// counted.
pub fn parse_chat_jsonl(bytes: &[u8], name: &str, q: &mut Quirks) -> Conversation {
    let name_seg = segment(name, "chat");
    let mut sessions: Vec<Session> = Vec::new();
    for raw in bytes.split(|&b| b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = match std::str::from_utf8(raw) {
            Ok(l) => std::borrow::Cow::Borrowed(l),
            Err(_) => {
                q.add("invalid UTF-8 replaced (line kept)");
                String::from_utf8_lossy(raw)
            }
        };
        // A byte order mark (Windows and PowerShell exports) is no text.
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            q.add("line not JSON (skipped)");
            continue;
        };
        if !v.is_object() {
            q.add("line not a JSON object (skipped)");
            continue;
        }
        // The message of a line: its own fields, or those of a wrapping
        // `message` object (transcripts: `{"type":…,"message":{"role",…}}`),
        // which then win for speaker and content; time and session are
        // read from the line first.
        let msg = v.get("message").filter(|m| m.is_object());
        let inner = |keys: &[&str]| field_of(msg, keys).or_else(|| field_of(Some(&v), keys));
        let outer = |keys: &[&str]| field_of(Some(&v), keys).or_else(|| field_of(msg, keys));
        if !is_message(&v) {
            q.add("line without a message (skipped)");
            continue;
        }
        let kind = v.get("type").and_then(Value::as_str);
        let role = inner(&["speaker", "role"]);
        let speaker = role
            .and_then(str_of)
            .or_else(|| kind.map(str::to_string))
            .unwrap_or_else(|| {
                q.add("turn without role or speaker");
                "unknown".into()
            });
        let content = match inner(&["content", "text"]) {
            None => String::new(),
            Some(c) => match content_parts(c) {
                Parts::Text(t) => t,
                Parts::Mixed(t) if !t.trim().is_empty() => {
                    q.add("non-text parts of a turn dropped (turn kept)");
                    t
                }
                Parts::Mixed(t) => t,
                Parts::NoText => {
                    q.add(NO_TEXT_PARTS);
                    continue;
                }
            },
        };
        if content.trim().is_empty() {
            q.add("empty turn (skipped)");
            continue;
        }
        let time = match outer(&["time", "timestamp", "created_at"]) {
            Some(Value::Number(n)) => n.as_f64().and_then(epoch_date).or_else(|| {
                q.add("time not understood (no observed date)");
                None
            }),
            Some(t) => str_of(t).and_then(|t| {
                parse_date(&t).or_else(|| {
                    q.add("time not understood (no observed date)");
                    None
                })
            }),
            None => None,
        };
        let session_name = match outer(&["session", "session_id", "sessionId"]).and_then(str_of) {
            Some(s) => s,
            None => match &time {
                Some(t) => t[..10].to_string(),
                None => "session-1".into(),
            },
        };
        let slug = segment(&session_name, "session");
        let idx = match sessions.iter().position(|s| s.slug == slug) {
            Some(i) => i,
            None => {
                sessions.push(Session {
                    slug: slug.clone(),
                    reference: format!("chat:{name_seg}:{session_name}"),
                    date: time.clone(),
                    turns: vec![],
                });
                sessions.len() - 1
            }
        };
        let s = &mut sessions[idx];
        let n = s.turns.len();
        s.turns.push(Turn {
            speaker,
            text: content,
            reference: format!("{}:{n}", s.reference),
            has_answer: false,
        });
    }
    Conversation {
        domain: "chat".into(),
        topic: name_seg,
        sessions,
    }
}

/// The first of `keys` that `o` has with a non-null value.
pub(super) fn field_of<'a>(o: Option<&'a Value>, keys: &[&str]) -> Option<&'a Value> {
    let o = o?;
    keys.iter().find_map(|k| o.get(*k).filter(|x| !x.is_null()))
}

/// Whether a chat-jsonl line is a message: it has a role (or speaker), on
/// the line or in a wrapping `message` object, or content without a `type`
/// that names another kind of record (`summary`, `system`, …).
pub(super) fn is_message(v: &Value) -> bool {
    let msg = v.get("message").filter(|m| m.is_object());
    let has = |keys: &[&str]| {
        field_of(Some(v), keys)
            .or_else(|| field_of(msg, keys))
            .is_some()
    };
    if has(&["speaker", "role"]) {
        return true;
    }
    match v.get("type").and_then(Value::as_str) {
        Some(k) if !matches!(k, "user" | "assistant") => false,
        _ => has(&["content", "text"]),
    }
}

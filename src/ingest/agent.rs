//! Agent session transcripts (Claude Code, Codex, Gemini CLI, Cursor) as
//! the user's own turns, in chat JSON Lines (`{"role":"user","content",
//! "session","time"}` per line) for the distilling ingest. What the agent
//! said, tool calls and their results, injected context (`isMeta`,
//! `<system-reminder>`, `<environment_context>`, AGENTS.md) and subagent
//! chains are left out: harvested facts are what the user stated.
//!
//! Transcripts grow by appending, and the lines kept depend only on the
//! lines before them, so a turn keeps its number (and its `source.ref`)
//! from one harvest to the next.

use serde_json::{Value, json};

/// The user's turns of an agent transcript, or `None` when `bytes` is not
/// one of the agent formats (it may be plain chat JSON Lines).
pub fn user_turns(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(bytes);
    // A single JSON document: Gemini CLI before v0.39 (`{"messages":[…]}`).
    if let Ok(v) = serde_json::from_str::<Value>(text.trim())
        && let Some(msgs) = v.get("messages").and_then(Value::as_array)
    {
        let session = v
            .get("sessionId")
            .and_then(Value::as_str)
            .unwrap_or("session");
        let mut out = Vec::new();
        for m in msgs {
            push_gemini(m, session, &mut out);
        }
        return Some(render(&out));
    }
    let lines: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let kind = detect(&lines)?;
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let mut gemini_session = String::from("session");
    for v in &lines {
        match kind {
            Kind::Claude => {
                if v.get("type").and_then(Value::as_str) != Some("user")
                    || v.get("isMeta").and_then(Value::as_bool) == Some(true)
                    || v.get("isSidechain").and_then(Value::as_bool) == Some(true)
                {
                    continue;
                }
                let Some(t) = v.pointer("/message/content").and_then(text_of) else {
                    continue;
                };
                let session = v
                    .get("sessionId")
                    .and_then(Value::as_str)
                    .unwrap_or("session");
                let time = v
                    .get("timestamp")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                keep(&mut out, session, &t, time);
            }
            Kind::Codex => {
                if v.get("type").and_then(Value::as_str) == Some("event_msg")
                    && v.pointer("/payload/type").and_then(Value::as_str) == Some("user_message")
                    && let Some(t) = v.pointer("/payload/message").and_then(Value::as_str)
                {
                    let time = v
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    keep(&mut out, "session", t, time);
                }
            }
            Kind::Gemini => {
                if let Some(s) = v.get("sessionId").and_then(Value::as_str) {
                    gemini_session = s.to_string();
                }
                push_gemini(v, &gemini_session, &mut out);
            }
            Kind::Cursor => {
                if v.get("role").and_then(Value::as_str) != Some("user") {
                    continue;
                }
                let Some(t) = v.pointer("/message/content").and_then(text_of) else {
                    continue;
                };
                let t = t
                    .trim()
                    .trim_start_matches("<user_query>")
                    .trim_end_matches("</user_query>")
                    .to_string();
                keep(&mut out, "session", &t, None);
            }
        }
    }
    Some(render(&out))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Claude,
    Codex,
    Gemini,
    Cursor,
}

fn detect(lines: &[Value]) -> Option<Kind> {
    for v in lines.iter().take(50) {
        let ty = v.get("type").and_then(Value::as_str);
        if v.get("sessionId").is_some()
            && v.get("uuid").is_some()
            && matches!(ty, Some("user" | "assistant"))
        {
            return Some(Kind::Claude);
        }
        if v.get("payload").is_some()
            && matches!(
                ty,
                Some("session_meta" | "response_item" | "event_msg" | "turn_context")
            )
        {
            return Some(Kind::Codex);
        }
        if matches!(ty, Some("gemini"))
            || (v.get("projectHash").is_some() && v.get("sessionId").is_some())
        {
            return Some(Kind::Gemini);
        }
        if v.get("role").is_some()
            && v.pointer("/message/content").is_some()
            && v.get("type").is_none()
        {
            return Some(Kind::Cursor);
        }
    }
    None
}

fn push_gemini(m: &Value, session: &str, out: &mut Vec<(String, String, Option<String>)>) {
    if m.get("type").and_then(Value::as_str) != Some("user") {
        return;
    }
    let t = m
        .get("displayContent")
        .and_then(text_of)
        .or_else(|| m.get("content").and_then(text_of));
    if let Some(t) = t {
        let time = m
            .get("timestamp")
            .and_then(Value::as_str)
            .map(str::to_string);
        keep(out, session, &t, time);
    }
}

/// The text of a content value: a string, or the text blocks of an array
/// (`None` when it holds a tool result: that is not the user speaking).
fn text_of(c: &Value) -> Option<String> {
    match c {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let mut s = String::new();
            for p in parts {
                if p.get("type").and_then(Value::as_str) == Some("tool_result")
                    || p.get("functionResponse").is_some()
                {
                    return None;
                }
                if let Some(t) = p.get("text").and_then(Value::as_str) {
                    if !s.is_empty() {
                        s.push('\n');
                    }
                    s.push_str(t);
                }
            }
            Some(s)
        }
        _ => None,
    }
}

/// Keeps a user turn unless it is injected text rather than the user's.
fn keep(
    out: &mut Vec<(String, String, Option<String>)>,
    session: &str,
    text: &str,
    time: Option<String>,
) {
    let t = text.trim();
    const INJECTED: &[&str] = &[
        "<command-name>",
        "<command-message>",
        "<local-command-stdout>",
        "<system-reminder>",
        "<environment_context>",
        "<user_instructions>",
        "<INSTRUCTIONS>",
        "# AGENTS.md instructions",
        "Caveat:",
        "[Request interrupted",
    ];
    if t.is_empty() || INJECTED.iter().any(|p| t.starts_with(p)) {
        return;
    }
    out.push((session.to_string(), t.to_string(), time));
}

/// A user turn that states nothing to remember: a question, thanks, a
/// go-ahead, a short acknowledgement.
pub fn is_chatter(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<String> = t
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return true;
    }
    // A question: it asks, it does not state (several sentences with one
    // question among them are kept).
    let sentences = t
        .split_inclusive(['.', '!', '?', '\n'])
        .filter(|s| !s.trim().is_empty())
        .count();
    if t.ends_with('?') && sentences <= 1 {
        return true;
    }
    const ACK: &[&str] = &[
        "ok", "okay", "k", "yes", "yep", "yeah", "no", "nope", "sure", "thanks", "thank", "you",
        "thx", "ty", "great", "good", "nice", "cool", "perfect", "awesome", "fine", "go", "ahead",
        "do", "it", "please", "makes", "sense", "sounds", "lgtm", "continue", "proceed", "that",
        "works", "right", "exactly", "got", "agreed", "done", "now", "lets", "let's", "keep",
        "going", "and", "then", "try", "again", "this", "looks", "much", "very", "so", "alright",
        "all", "correct", "indeed",
    ];
    words.len() <= 6 && words.iter().all(|w| ACK.contains(&w.as_str()))
}

/// A one-off task for the agent, not something to remember: a request
/// about the matter at hand ("…, sort it out", "please fix it", "can you
/// look into this"). A standing instruction names what it is about
/// ("Please always use pnpm here") and is kept.
pub fn is_request(sentence: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:fix|sort|look\s+into|take\s+care\s+of|deal\s+with|handle|check|debug|investigate|figure|work\s+out|solve|resolve|repair)\s+(?:it|this|that|them)(?:\s+out)?\b(?:\s+(?:please|pls|asap|now|for\s+me))*\s*[.!]*\s*$|^\s*(?:please|pls|can\s+you|could\s+you|would\s+you)\s+(?:fix|sort|look|check|debug|investigate|have\s+a\s+look|help)\b").unwrap()
    });
    RE.is_match(sentence)
}

/// The statement without a spoken opener ("Also,", "One more thing to
/// keep in mind:", "By the way,", "FYI:").
pub fn strip_opener(text: &str) -> &str {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:(?:oh|and|also|btw|by the way|fyi|for the record|for your information|note|one more thing(?: to keep in mind| to remember)?|another thing|just so you know|remember|keep in mind|heads up|ps|p\.s\.)\s*[,:;.!-]\s*|(?:also|and|oh|btw|by the way|fyi|for the record|for your information|just so you know|heads up)\s+)+").unwrap()
    });
    let rest = match RE.find(text) {
        Some(m) => &text[m.end()..],
        None => text,
    };
    if rest.trim().is_empty() { text } else { rest }
}

/// What a user turn states: its sentences without the chatter ("Makes
/// sense, go ahead.", "Thanks.") and without openers, capitalised; `None`
/// when nothing is left.
pub fn statements(text: &str) -> Option<String> {
    let mut kept: Vec<String> = Vec::new();
    for s in sentences(text) {
        if is_chatter(s) || is_request(s) {
            continue;
        }
        let s = strip_opener(s.trim());
        let mut c = s.chars();
        let s = match c.next() {
            Some(f) if f.is_lowercase() => f.to_uppercase().chain(c).collect(),
            _ => s.to_string(),
        };
        kept.push(s);
    }
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Sentences: ends at `.`, `!` or `?` followed by a space or the end (not
/// inside numbers such as 1.5), and at line breaks.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let end = match c {
            b'\n' => true,
            b'.' | b'!' | b'?' => b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            _ => false,
        };
        if end {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

fn render(turns: &[(String, String, Option<String>)]) -> Vec<u8> {
    let mut s = String::new();
    for (session, text, time) in turns {
        let mut v = json!({"role": "user", "content": text, "session": session});
        if let Some(t) = time {
            v["time"] = Value::String(t.clone());
        }
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_off_request_is_no_statement() {
        for r in [
            "The build breaks on the new runner, sort it out.",
            "Npm install is failing on a fresh clone, please fix it",
            "Please fix the flaky login test.",
            "Can you look into the 502s from the gateway",
            "Tests are red again, fix them asap!",
        ] {
            assert!(is_request(r), "{r}");
        }
        for s in [
            "Please always use pnpm in this repository.",
            "We fix it by restarting the worker; the queue drains after that.",
            "Our staging database is called shop_staging.",
            "Check the runbook before paging anyone.",
        ] {
            assert!(!is_request(s), "{s}");
        }
        assert_eq!(
            statements("The build breaks on the new runner, sort it out. FYI our staging database is called shop_staging.").as_deref(),
            Some("Our staging database is called shop_staging.")
        );
    }

    #[test]
    fn claude_code_transcript_keeps_only_what_the_user_typed() {
        let t = include_bytes!("../../fixtures/hooks/claude-code/transcript.jsonl");
        let out = String::from_utf8(user_turns(t).expect("a Claude Code transcript")).unwrap();
        let turns: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(!turns.is_empty());
        let all: Vec<&str> = turns
            .iter()
            .map(|v| v["content"].as_str().unwrap())
            .collect();
        assert!(all.iter().any(|t| t.contains("Postgres 16")), "{all:?}");
        // The meta caveat, the assistant's text and the tool result are gone.
        assert!(all.iter().all(|t| !t.starts_with("Caveat:")), "{all:?}");
        assert!(all.iter().all(|t| !t.contains("Let me look")), "{all:?}");
        assert!(turns.iter().all(|v| v["role"] == "user"));
    }

    #[test]
    fn questions_and_acknowledgements_are_chatter_and_openers_go() {
        for c in [
            "Thanks.",
            "Makes sense, go ahead",
            "ok",
            "why does the billing service retry payments twice?",
            "LGTM!",
        ] {
            assert!(is_chatter(c), "{c}");
        }
        for f in [
            "We moved the billing database to Postgres 16 last week.",
            "Don't merge anything risky after midnight.",
            "Thanks. The deploy key is in Vault now.",
            "No PII in logs.",
        ] {
            assert!(!is_chatter(f), "{f}");
        }
        assert_eq!(
            strip_opener("Also, the staging deploy runs at 1am."),
            "the staging deploy runs at 1am."
        );
        assert_eq!(
            strip_opener("One more thing to keep in mind: amounts are cents."),
            "amounts are cents."
        );
        assert_eq!(
            strip_opener("Oh and by the way, we use pnpm."),
            "we use pnpm."
        );
        assert_eq!(strip_opener("Also"), "Also");
        assert_eq!(
            strip_opener("FYI our staging database is called shop_staging."),
            "our staging database is called shop_staging."
        );
        assert_eq!(strip_opener("Fyifoo is a tool."), "Fyifoo is a tool.");
        assert_eq!(
            statements(
                "Makes sense, go ahead. We use Postgres 16.5 now. Also, deploys run at 1am. Thanks!"
            )
            .as_deref(),
            Some("We use Postgres 16.5 now. Deploys run at 1am.")
        );
        assert_eq!(statements("Thanks. Great, go ahead!"), None);
        assert_eq!(strip_opener("Alsop is our CTO."), "Alsop is our CTO.");
    }

    #[test]
    fn codex_and_cursor_lines_are_recognised() {
        let codex = concat!(
            r#"{"timestamp":"2026-05-01T10:00:00Z","type":"session_meta","payload":{"id":"x","cwd":"/p"}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T10:00:01Z","type":"event_msg","payload":{"type":"user_message","message":"The deploy key lives in Vault."}}"#,
            "\n",
            r#"{"timestamp":"2026-05-01T10:00:02Z","type":"event_msg","payload":{"type":"agent_message","message":"OK"}}"#,
            "\n",
        );
        let out = String::from_utf8(user_turns(codex.as_bytes()).unwrap()).unwrap();
        assert_eq!(out.lines().count(), 1);
        assert!(out.contains("deploy key lives in Vault"));
        let cursor = concat!(
            r#"{"role":"user","message":{"content":[{"type":"text","text":"<user_query>We use pnpm here.</user_query>"}]}}"#,
            "\n",
            r#"{"role":"assistant","message":{"content":[{"type":"text","text":"Noted."}]}}"#,
            "\n",
        );
        let out = String::from_utf8(user_turns(cursor.as_bytes()).unwrap()).unwrap();
        assert!(out.contains("\"We use pnpm here.\""), "{out}");
        assert_eq!(out.lines().count(), 1);
        // Plain chat JSON Lines are not an agent transcript.
        assert!(user_turns(br#"{"role":"user","content":"hi"}"#).is_none());
    }
}

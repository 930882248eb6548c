//! Which format an input is in, and reading it with that format's parser.

use super::chat_jsonl::{is_message, parse_chat_jsonl};
use super::locomo::parse_locomo;
use super::longmemeval::parse_longmemeval;
use super::{Conversation, Quirks};
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

/// The input formats `mem ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Locomo,
    Longmemeval,
    ChatJsonl,
}

/// The format `bytes` look like (for `mem ingest` without `--format`,
/// and for error messages): a JSON list of objects with
/// `haystack_sessions` (LongMemEval) or `conversation` (LoCoMo), or JSON
/// Lines with a message ([`is_message`]) among the first 1,000 lines or
/// 4 MiB (transcripts may open with other records). A benchmark file comes
/// back parsed, so that it is not parsed twice.
pub fn recognise(bytes: &[u8]) -> Option<(Format, Option<Value>)> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        && let Ok(v) = serde_json::from_slice::<Value>(bytes)
    {
        let first = v.as_array()?.iter().find(|x| x.is_object())?;
        let format = if first.get("haystack_sessions").is_some() {
            Format::Longmemeval
        } else if first.get("conversation").is_some() {
            Format::Locomo
        } else {
            return None;
        };
        return Some((format, Some(v)));
    }
    let mut read = 0usize;
    for line in bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .take(1000)
    {
        read += line.len();
        if read > 4 << 20 {
            break;
        }
        if serde_json::from_str::<Value>(&String::from_utf8_lossy(line))
            .is_ok_and(|v| is_message(&v))
        {
            return Some((Format::ChatJsonl, None));
        }
    }
    None
}

/// [`recognise`] without the parsed file.
pub fn guess_format(bytes: &[u8]) -> Option<Format> {
    recognise(bytes).map(|(f, _)| f)
}

/// Parses `bytes` in `format` into conversations (QA are ignored here).
pub fn parse(
    format: Format,
    bytes: &[u8],
    name: &str,
    q: &mut Quirks,
) -> Result<Vec<Conversation>> {
    match format {
        Format::ChatJsonl => Ok(vec![parse_chat_jsonl(bytes, name, q)]),
        Format::Locomo | Format::Longmemeval => {
            let v: Value = serde_json::from_slice(bytes).context("not valid JSON")?;
            parse_json(format, &v, q)
        }
    }
}

/// The conversations of a LoCoMo or LongMemEval file already parsed as
/// JSON (none for chat-jsonl, which is read by lines).
pub fn parse_json(format: Format, v: &Value, q: &mut Quirks) -> Result<Vec<Conversation>> {
    match format {
        Format::ChatJsonl => Ok(Vec::new()),
        Format::Locomo => Ok(parse_locomo(v, q)?
            .into_iter()
            .map(|s| s.conversation)
            .collect()),
        Format::Longmemeval => Ok(parse_longmemeval(v, q)?
            .into_iter()
            .map(|x| x.conversation)
            .collect()),
    }
}

//! `mem ingest`: conversation transcripts into the tree, one entry per turn
//! (or per session), with provenance in `source.ref`, the session date in
//! `observed` and the speaker in `source.speaker`.
//!
//! Formats:
//! - `locomo`: the LoCoMo benchmark file (a list of samples with
//!   `conversation.session_<N>` turn lists and `session_<N>_date_time`).
//! - `longmemeval`: the LongMemEval file (a list of questions, each with a
//!   haystack of sessions); every question is one conversation.
//! - `chat-jsonl`: one JSON object per line, `{role|speaker, content|text,
//!   time?, session?}`, for any chat log.
//!
//! Parsing never crashes on odd data: what does not fit is skipped or
//! repaired and counted in [`Quirks`], which the report prints.
//!
//! Placement: `<domain>/<conversation>/<session>/<entry>` — `locomo/conv-26/
//! session-03/…`, `longmemeval/<question-id>/<session-id>/…`,
//! `chat/<file-stem>/<session>/…` (or `--at DOMAIN/TOPIC` for the first two
//! levels). Everything is written by [`crate::ops::ingest_batch`] (guard,
//! duplicate check, atomic writes) as one commit per input file, so
//! re-ingesting the same file adds nothing, and a turn whose text changed
//! since updates its entry (found by `source.ref`) in place.

use crate::entry::Source;
use crate::ops::AddRequest;
use crate::paths::{TopicPath, segment_problem, slugify};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub mod agent;
pub mod chat_jsonl;
mod format;
pub mod locomo;
pub mod longmemeval;

pub use format::{Format, guess_format, parse, parse_json, recognise};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Granularity {
    /// One entry per turn.
    #[default]
    Turn,
    /// One entry per session (all its turns).
    Session,
}

/// Counts of data problems met while parsing (name → count).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Quirks(pub BTreeMap<String, usize>);

impl Quirks {
    pub fn add(&mut self, what: &str) {
        *self.0.entry(what.to_string()).or_default() += 1;
    }
    pub fn merge(&mut self, other: &Quirks) {
        for (k, v) in &other.0 {
            *self.0.entry(k.clone()).or_default() += v;
        }
    }
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
}

#[derive(Debug, Clone)]
pub struct Turn {
    pub speaker: String,
    pub text: String,
    /// `source.ref` of the turn, e.g. `locomo:conv-26:D3:7`.
    pub reference: String,
    /// LongMemEval's `has_answer` label (evaluation only).
    pub has_answer: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// Folder name (a slug).
    pub slug: String,
    /// `source.ref` of the whole session, e.g. `locomo:conv-26:D3`.
    pub reference: String,
    /// RFC 3339, when the source gives a parseable date.
    pub date: Option<String>,
    pub turns: Vec<Turn>,
}

#[derive(Debug, Clone)]
pub struct Conversation {
    /// Domain and topic the sessions go under.
    pub domain: String,
    pub topic: String,
    pub sessions: Vec<Session>,
}

/// Reads a file (or stdin for `-`), un-gzipping it when it starts with the
/// gzip magic bytes.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let raw = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut b)
            .context("reading stdin")?;
        b
    } else if path.is_dir() {
        anyhow::bail!(
            "{} is a folder, not a file: name a file in it (one conversation or transcript per file); markdown notes need no ingest, they are read where they are in the tree",
            path.display()
        );
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| {
                format!("{}: looks gzipped but does not decompress", path.display())
            })?;
        return Ok(out);
    }
    Ok(raw)
}

/// A valid path segment from an id: slugified, shortened, and prefixed
/// when it would be empty or reserved.
pub fn segment(id: &str, fallback: &str) -> String {
    let s = slugify(id, 60);
    if s.is_empty() {
        return fallback.to_string();
    }
    if segment_problem(&s).is_some() {
        let p = format!("x-{s}");
        return p[..p.len().min(64)].trim_end_matches('-').to_string();
    }
    s
}

/// `id~2`, `id~3`, …: the first that `seen` lacks, now added to it.
pub(crate) fn renamed(id: &str, seen: &mut std::collections::HashSet<String>) -> String {
    (2..)
        .map(|n| format!("{id}~{n}"))
        .find(|c| seen.insert(c.clone()))
        .unwrap_or_default()
}

/// The items of a benchmark file with ids that repeat an earlier item's
/// `key` renamed `<id>~2`, `~3`, … (counted), so that every conversation
/// has its own topic and refs and a re-ingest matches each to its entries.
pub fn unique_ids<'a>(
    items: &'a [Value],
    key: &str,
    q: &mut Quirks,
) -> Vec<std::borrow::Cow<'a, Value>> {
    use std::borrow::Cow;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    items
        .iter()
        .map(|it| {
            let Some(id) = it.get(key).and_then(str_of) else {
                return Cow::Borrowed(it);
            };
            if seen.insert(id.clone()) {
                return Cow::Borrowed(it);
            }
            let new = renamed(&id, &mut seen);
            q.add(&format!(
                "{key} repeated in the file (renamed `~2`, `~3`, …)"
            ));
            let mut it = it.clone();
            it[key] = Value::String(new);
            Cow::Owned(it)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Dates

fn civil(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Option<String> {
    let dt = jiff::civil::DateTime::new(y, mo, d, h, mi, 0, 0).ok()?;
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(crate::time::format(ts))
}

/// Parses the date formats of the supported transcripts into RFC 3339:
/// LoCoMo `1:56 pm on 8 May, 2023`, LongMemEval `2023/04/30 (Sun) 13:59`,
/// and anything [`crate::time::parse`] reads. Times are taken as UTC.
pub fn parse_date(s: &str) -> Option<String> {
    use std::sync::OnceLock;
    static LOCOMO: OnceLock<regex::Regex> = OnceLock::new();
    static LME: OnceLock<regex::Regex> = OnceLock::new();
    let s = s.trim();
    let locomo = LOCOMO.get_or_init(|| {
        regex::Regex::new(
            r"(?i)^(\d{1,2}):(\d{2})\s*([ap])\.?m\.?\s+on\s+(\d{1,2})\s+([a-z]+),?\s+(\d{4})$",
        )
        .unwrap()
    });
    if let Some(c) = locomo.captures(s) {
        let mut h: i8 = c[1].parse().ok()?;
        let mi: i8 = c[2].parse().ok()?;
        let pm = c[3].eq_ignore_ascii_case("p");
        if h == 12 {
            h = 0;
        }
        if pm {
            h += 12;
        }
        return civil(
            c[6].parse().ok()?,
            crate::when::month_number(&c[5].to_lowercase())?,
            c[4].parse().ok()?,
            h,
            mi,
        );
    }
    let lme = LME.get_or_init(|| {
        regex::Regex::new(
            r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s*\([A-Za-z]+\))?(?:\s+(\d{1,2}):(\d{2}))?$",
        )
        .unwrap()
    });
    if let Some(c) = lme.captures(s) {
        let h = c.get(4).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let mi = c.get(5).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        return civil(
            c[1].parse().ok()?,
            c[2].parse().ok()?,
            c[3].parse().ok()?,
            h,
            mi,
        );
    }
    crate::time::parse(s).ok().map(crate::time::format)
}

/// A human date (`8 May 2023`) from RFC 3339, for titles and bodies.
pub fn human_date(rfc: &str) -> Option<String> {
    let ts = crate::time::parse(rfc).ok()?;
    Some(
        ts.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%-d %B %Y")
            .to_string(),
    )
}

/// Quirk of a turn whose text is a list or an object.
const TEXT_NOT_A_STRING: &str = "turn text not a string (skipped)";

/// A turn's text: a string (numbers and booleans as written), empty when
/// missing or null, `None` when it is a list or an object.
fn turn_text(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => Some(String::new()),
        Some(v) => str_of(v),
    }
}

/// Quirk of a chat-jsonl turn made only of parts without text (images,
/// tool calls).
const NO_TEXT_PARTS: &str = "turn without text parts (skipped)";

/// A chat message's content: a string, or the text of its parts
/// (`[{"type":"text","text":…}, …]`, an object with `text`, or strings).
enum Parts {
    Text(String),
    /// Some parts had no text (images, tool calls): the text of the others.
    Mixed(String),
    NoText,
}

fn content_parts(v: &Value) -> Parts {
    fn part(v: &Value) -> Option<String> {
        match v {
            Value::Object(o) => o.get("text").and_then(str_of),
            Value::Null => None,
            v => str_of(v),
        }
    }
    match v {
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(part).collect();
            if texts.is_empty() {
                Parts::NoText
            } else if texts.len() < items.len() {
                Parts::Mixed(texts.join("\n\n"))
            } else {
                Parts::Text(texts.join("\n\n"))
            }
        }
        v => part(v).map_or(Parts::NoText, Parts::Text),
    }
}

/// RFC 3339 of a Unix time in seconds, milliseconds, microseconds or
/// nanoseconds (told apart by size), when it falls in 1900-2199.
fn epoch_date(t: f64) -> Option<String> {
    let secs = match t.abs() {
        a if a < 1e11 => t,
        a if a < 1e14 => t / 1e3,
        a if a < 1e17 => t / 1e6,
        _ => t / 1e9,
    };
    // 1900-01-01 and 2200-01-01.
    if !(-2_208_988_800.0..7_258_118_400.0).contains(&secs) {
        return None;
    }
    jiff::Timestamp::from_second(secs.floor() as i64)
        .ok()
        .map(crate::time::format)
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Entries

/// How turns become entries. The defaults are what the evaluation keeps
/// (see docs/benchmarks.md, ablation).
#[derive(Debug, Clone)]
pub struct Shape {
    pub granularity: Granularity,
    /// Longest statement (the embedded part) in characters; the full turn
    /// always stays in the body, under `## Evidence` when cut.
    pub statement_chars: usize,
    /// The same for turns of an `assistant` (long answers: their opening is
    /// embedded, the rest is found by BM25).
    pub assistant_chars: usize,
    /// What the title of a turn entry says (BM25 boosts titles; they are
    /// also embedded).
    pub title: TitleMode,
    /// Add the previous turn, quoted, before a turn's statement (context for
    /// the embedder and BM25).
    pub context: bool,
    /// How much of the previous turn is quoted (characters).
    pub ctx_chars: usize,
    /// How much of the next turn is quoted after the statement (0: none;
    /// an experiment knob, see docs/benchmarks.md, ablation).
    pub next_chars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleMode {
    /// The first sentence of the turn.
    First,
    /// The speaker and the session date (`Caroline, 8 May 2023`).
    Speaker,
    /// Speaker, date and first sentence.
    Context,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            granularity: Granularity::Turn,
            statement_chars: 600,
            assistant_chars: 200,
            title: TitleMode::Speaker,
            context: true,
            ctx_chars: 200,
            next_chars: 0,
        }
    }
}

/// Cuts `s` to at most `max` characters at a word boundary.
fn head(s: &str, max: usize) -> (&str, bool) {
    if s.chars().count() <= max {
        return (s, false);
    }
    let end = s.char_indices().nth(max).map(|(i, _)| i).unwrap_or(s.len());
    let cut = s[..end]
        .rfind(char::is_whitespace)
        .filter(|&i| i > end / 2)
        .unwrap_or(end);
    (s[..cut].trim_end(), true)
}

/// A neighbouring turn as quoted context: `> Speaker: text`, on one line,
/// cut to `max` characters (` …` marks the cut).
fn quote_turn(t: &Turn, max: usize) -> String {
    let (h, cut) = head(t.text.trim(), max);
    format!(
        "> {}: {}{}",
        t.speaker,
        h.replace('\n', " "),
        if cut { " …" } else { "" }
    )
}

/// The requests that store `conv` (without writing anything).
pub fn requests(
    conv: &Conversation,
    shape: &Shape,
    at: Option<&TopicPath>,
) -> Result<Vec<AddRequest>> {
    let mut out = Vec::new();
    for s in &conv.sessions {
        if s.turns.is_empty() {
            continue;
        }
        let segs = match at {
            Some(a) => {
                let mut v = a.segments()[..2.min(a.segments().len())].to_vec();
                v.push(s.slug.clone());
                v
            }
            None => vec![conv.domain.clone(), conv.topic.clone(), s.slug.clone()],
        };
        let topic = TopicPath::parse(&segs.join("/"))
            .with_context(|| format!("placing session {}", s.reference))?;
        let date_h = s.date.as_deref().and_then(human_date);
        match shape.granularity {
            Granularity::Turn => {
                for (ti, t) in s.turns.iter().enumerate() {
                    let text = t.text.trim();
                    let max = if t.speaker.eq_ignore_ascii_case("assistant") {
                        shape.assistant_chars
                    } else {
                        shape.statement_chars
                    };
                    let (stmt, cut) = head(text, max);
                    let mut body = String::new();
                    if shape.context && ti > 0 {
                        body.push_str(&quote_turn(&s.turns[ti - 1], shape.ctx_chars));
                        body.push_str("\n\n");
                    }
                    body.push_str(&format!("{}: {}", t.speaker, stmt));
                    if cut {
                        body.push_str(" …");
                    }
                    // Experiments only (`next=N`, docs/benchmarks.md ablation): the
                    // next turn quoted after the statement; BM25 and the
                    // embedder both see it.
                    if shape.next_chars > 0 && ti + 1 < s.turns.len() {
                        body.push_str("\n\n");
                        body.push_str(&quote_turn(&s.turns[ti + 1], shape.next_chars));
                    }
                    if cut {
                        body =
                            crate::entry::body_with_evidence(&body, &[crate::entry::quote(text)]);
                    }
                    let first = crate::entry::derive_title(stmt, 80);
                    let who = match &date_h {
                        Some(d) => format!("{}, {}", t.speaker, d),
                        None => t.speaker.clone(),
                    };
                    let title = match shape.title {
                        TitleMode::First => first,
                        TitleMode::Speaker => who,
                        TitleMode::Context => format!("{who}: {first}"),
                    };
                    out.push(request(
                        body,
                        title,
                        topic.clone(),
                        &t.reference,
                        &t.speaker,
                        s.date.clone(),
                    ));
                }
            }
            Granularity::Session => {
                let mut body = String::new();
                for t in &s.turns {
                    body.push_str(&format!("{}: {}\n\n", t.speaker, t.text.trim()));
                }
                let speakers: Vec<&str> = {
                    let mut v: Vec<&str> = Vec::new();
                    for t in &s.turns {
                        if !v.contains(&t.speaker.as_str()) {
                            v.push(&t.speaker);
                        }
                    }
                    v
                };
                let title = match &date_h {
                    Some(d) => format!("{} with {} on {}", s.slug, speakers.join(", "), d),
                    None => format!("{} with {}", s.slug, speakers.join(", ")),
                };
                out.push(request(
                    body,
                    title,
                    topic.clone(),
                    &s.reference,
                    &speakers.join(", "),
                    s.date.clone(),
                ));
            }
        }
    }
    Ok(out)
}

fn request(
    text: String,
    title: String,
    at: TopicPath,
    reference: &str,
    speaker: &str,
    observed: Option<String>,
) -> AddRequest {
    let title = title.replace(['\n', '\r'], " ");
    AddRequest {
        text,
        at: Some(at),
        title: if title.trim().is_empty() {
            None
        } else {
            Some(title)
        },
        tags: vec![],
        kind: Some("event".into()),
        source: Source {
            via: Some("conversation".into()),
            agent: None,
            reference: Some(reference.to_string()),
            trust: Some("external".into()),
            speaker: Some(speaker.to_string()),
        },
        observed,
        importance: None,
    }
}

// ---------------------------------------------------------------------------
// Writing

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub op: &'static str,
    pub file: String,
    pub format: String,
    pub granularity: String,
    pub conversations: usize,
    pub sessions: usize,
    pub turns: usize,
    /// Entries written.
    pub added: usize,
    /// Entries rewritten in place: their turn (same `source.ref`) says
    /// something else than when it was ingested. With `--distill`: entries
    /// curation updated.
    pub updated: usize,
    /// Entries already in the tree (or repeated within the file).
    pub unchanged: usize,
    pub quirks: Quirks,
    pub commit: Option<String>,
    pub write_seconds: f64,
    pub index_seconds: f64,
    pub embedded: usize,
    pub entries_per_s: f64,
    /// `--distill`: what curation did with the turns' statements.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub curation: Option<CurationCounts>,
}

/// Counts of a distilled ingest (`--distill`), per operation. `added` is
/// [`Report::added`]; `unchanged` counts turns already ingested (ledger).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CurationCounts {
    pub distilled: bool,
    /// Statements distilled from the curated turns.
    pub statements: usize,
    pub merged: usize,
    pub superseded: usize,
    pub noop: usize,
    /// Turns written raw with `curation: pending` (the model failed).
    pub pending: usize,
    /// Turns not curated because of who spoke (assistant, system, tool).
    pub skipped_speaker: usize,
    /// Harvested transcripts: questions, thanks and go-aheads left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped_chatter: usize,
    pub model_calls: usize,
    pub warnings: Vec<String>,
}

/// Writes the conversations as one batch (one commit), then catches the
/// index up (batched embedding, with a progress bar on a terminal).
#[allow(clippy::too_many_arguments)]
pub fn write(
    tree: &crate::tree::Tree,
    models: Option<&crate::model::select::Models>,
    convs: &[Conversation],
    shape: &Shape,
    at: Option<&TopicPath>,
    message: &str,
    progress: bool,
    report: &mut Report,
) -> Result<()> {
    let mut reqs = Vec::new();
    for c in convs {
        report.conversations += 1;
        report.sessions += c.sessions.len();
        report.turns += c.sessions.iter().map(|s| s.turns.len()).sum::<usize>();
        reqs.extend(requests(c, shape, at)?);
    }
    let t0 = std::time::Instant::now();
    let spinner = spinner(progress, &format!("writing {} entries", reqs.len()));
    let outcomes = if reqs.is_empty() {
        vec![]
    } else {
        crate::ops::ingest_batch(tree, reqs, Some(message))?
    };
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    for o in &outcomes {
        match o.op {
            "added" => report.added += 1,
            "updated" => report.updated += 1,
            _ => report.unchanged += 1,
        }
        if report.commit.is_none() {
            report.commit = o.commit.clone();
        }
    }
    report.write_seconds += t0.elapsed().as_secs_f64();
    if let Some(m) = models {
        let t1 = std::time::Instant::now();
        let (_, c) = crate::index::open(tree, m, progress, false)?;
        report.embedded += c.embedded;
        report.index_seconds += t1.elapsed().as_secs_f64();
    }
    let secs = report.write_seconds + report.index_seconds;
    report.entries_per_s = if secs > 0.0 {
        (report.added + report.updated + report.unchanged) as f64 / secs
    } else {
        0.0
    };
    Ok(())
}

/// Who is distilled by default: everyone but the machine roles (an
/// assistant's answers, system prompts and tool output are not what the
/// user said; `--all-speakers` includes them).
pub fn is_machine_role(speaker: &str) -> bool {
    matches!(
        speaker.trim().to_ascii_lowercase().as_str(),
        "assistant" | "system" | "tool" | "function" | "model"
    )
}

/// The record of distilled turns (`.mem/ingested.jsonl`, committed with
/// each ingest): `source.ref` and content hash of every turn curated, so a
/// re-ingest skips them whatever curation did with them (a noop leaves no
/// entry behind, and an entry may have been updated or superseded since).
pub const LEDGER: &str = ".mem/ingested.jsonl";

#[derive(Serialize, serde::Deserialize)]
struct LedgerRow {
    r#ref: String,
    hash: String,
}

fn turn_hash(t: &Turn) -> String {
    let h = blake3::hash(format!("{}\0{}", t.speaker.trim(), t.text.trim()).as_bytes());
    h.to_hex()[..32].to_string()
}

fn read_ledger(tree: &crate::tree::Tree) -> std::collections::HashSet<(String, String)> {
    let Ok(text) = std::fs::read_to_string(tree.abs(LEDGER)) else {
        return Default::default();
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<LedgerRow>(l).ok())
        .map(|r| (r.r#ref, r.hash))
        .collect()
}

/// `mem ingest --distill`: every turn goes through the curated write path
/// of `mem add` (distil → candidates → add/update/merge/supersede/noop),
/// keeping the turn's `source.ref`, speaker and session date. One lock and
/// one commit for the whole file (entries and the ledger); the index is
/// caught up between turns so later turns are curated against earlier ones.
#[allow(clippy::too_many_arguments)]
pub fn write_distilled(
    tree: &crate::tree::Tree,
    models: &crate::model::select::Models,
    convs: &[Conversation],
    at: Option<&TopicPath>,
    by_subject: bool,
    mode: crate::curate::Mode,
    all_speakers: bool,
    message: &str,
    progress: bool,
    report: &mut Report,
) -> Result<()> {
    use crate::curate::{Options, curate_staged};
    let t0 = std::time::Instant::now();
    let mut writer = crate::write::Writer::lock(tree)?;
    let done = read_ledger(tree);
    let total: usize = convs
        .iter()
        .map(|c| c.sessions.iter().map(|s| s.turns.len()).sum::<usize>())
        .sum();
    let bar = crate::index::progress_bar(progress, total as u64);
    if let Some(b) = &bar {
        b.set_message("distilling turns");
    }
    let opts = Options {
        mode,
        ..Options::default()
    };
    let mut counts = CurationCounts {
        distilled: true,
        ..Default::default()
    };
    let mut new_rows = String::new();
    for c in convs {
        report.conversations += 1;
        report.sessions += c.sessions.len();
        let segs = match at {
            Some(a) => a.segments()[..2.min(a.segments().len())].to_vec(),
            None => vec![c.domain.clone(), c.topic.clone()],
        };
        let topic = TopicPath::parse(&segs.join("/"))
            .with_context(|| format!("placing conversation {}/{}", c.domain, c.topic))?;
        for s in &c.sessions {
            for t in &s.turns {
                report.turns += 1;
                if let Some(b) = &bar {
                    b.inc(1);
                }
                if !all_speakers && is_machine_role(&t.speaker) {
                    counts.skipped_speaker += 1;
                    continue;
                }
                let hash = turn_hash(t);
                if done.contains(&(t.reference.clone(), hash.clone())) {
                    report.unchanged += 1;
                    continue;
                }
                // A harvested agent session: what the user asks or
                // acknowledges is not memory.
                let text = if by_subject {
                    match agent::statements(&t.text) {
                        Some(s) => s,
                        None => {
                            counts.skipped_chatter += 1;
                            continue;
                        }
                    }
                } else {
                    t.text.trim().to_string()
                };
                let mut req = request(
                    text,
                    String::new(),
                    topic.clone(),
                    &t.reference,
                    &t.speaker,
                    s.date.clone(),
                );
                req.kind = Some("fact".into());
                if by_subject {
                    // Placed by subject like any `mem add`, not under the
                    // conversation's own topic.
                    req.at = None;
                }
                // A named speaker prefixes each statement ("Caroline: I moved to Paris"), so facts of
                // different people stay apart; a plain `user` role keeps the first person.
                let who = (!matches!(
                    t.speaker.trim().to_ascii_lowercase().as_str(),
                    "user" | "human" | "me" | "unknown"
                ))
                .then_some(t.speaker.as_str());
                let r = curate_staged(&mut writer, models, req, who, &opts)
                    .with_context(|| format!("curating turn {}", t.reference))?;
                counts.model_calls += r.model_calls;
                counts
                    .warnings
                    .extend(r.warnings.iter().map(|w| format!("{}: {w}", t.reference)));
                for o in &r.outcomes {
                    counts.statements += 1;
                    if o.pending {
                        counts.pending += 1;
                    }
                    match o.op {
                        "added" => report.added += 1,
                        "updated" => report.updated += 1,
                        "merged" => counts.merged += 1,
                        "superseded" => counts.superseded += 1,
                        _ => counts.noop += 1,
                    }
                }
                new_rows.push_str(&serde_json::to_string(&LedgerRow {
                    r#ref: t.reference.clone(),
                    hash,
                })?);
                new_rows.push('\n');
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !new_rows.is_empty() {
        // The ledger with the staged entries, in one commit (an interrupt
        // waits for both).
        let mut ledger = std::fs::read_to_string(tree.abs(LEDGER)).unwrap_or_default();
        if !ledger.is_empty() && !ledger.ends_with('\n') {
            ledger.push('\n');
        }
        ledger.push_str(&new_rows);
        let mut cs = crate::write::Changeset::new(message);
        cs.put(LEDGER, ledger);
        report.commit = writer.apply(cs)?.map(|c| c.to_string());
    }
    report.write_seconds += t0.elapsed().as_secs_f64();
    let secs = report.write_seconds + report.index_seconds;
    report.entries_per_s = if secs > 0.0 {
        report.turns as f64 / secs
    } else {
        0.0
    };
    report.curation = Some(counts);
    Ok(())
}

fn spinner(enabled: bool, msg: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let s = indicatif::ProgressBar::new_spinner();
    s.set_message(msg.to_string());
    s.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(s)
}

/// Harvests an agent session transcript (chat JSON Lines, Claude Code's
/// format included): the user's statements are distilled and curated, each
/// placed by its subject like any `mem add`, with the transcript and turn
/// as the source ref. Turns harvested before (the ledger) are skipped, so
/// a second harvest of a grown transcript takes only its new part.
pub fn harvest_transcript(
    tree: &crate::tree::Tree,
    models: &crate::model::select::Models,
    path: &Path,
    mode: crate::curate::Mode,
) -> Result<Report> {
    let bytes = read_input(path)?;
    let shown = path.display().to_string();
    if bytes.trim_ascii().is_empty() {
        anyhow::bail!("{shown} is empty: nothing to harvest");
    }
    // An agent's own transcript format: the user's turns only.
    let bytes = agent::user_turns(&bytes).unwrap_or(bytes);
    if bytes.trim_ascii().is_empty() {
        let mut r = Report {
            op: "harvested",
            file: shown,
            format: "agent-transcript".into(),
            granularity: "statement".into(),
            ..Default::default()
        };
        r.curation = Some(CurationCounts::default());
        return Ok(r);
    }
    match recognise(&bytes) {
        Some((Format::ChatJsonl, _)) => {}
        Some((f, _)) => anyhow::bail!(
            "{shown} is a {} file, not a transcript (chat JSON Lines): use `mem ingest`",
            serde_json::to_value(f)?.as_str().unwrap_or("benchmark")
        ),
        None => anyhow::bail!("{shown}: not a transcript (chat JSON Lines, one message a line)"),
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "session".into());
    let mut quirks = Quirks::default();
    let convs = parse(Format::ChatJsonl, &bytes, &name, &mut quirks)?;
    let mut report = Report {
        op: "harvested",
        file: shown.clone(),
        format: "chat-jsonl".into(),
        granularity: "statement".into(),
        quirks,
        ..Default::default()
    };
    write_distilled(
        tree,
        models,
        &convs,
        None,
        true,
        mode,
        false,
        &format!("mem: harvest {shown} (via conversation)"),
        false,
        &mut report,
    )?;
    Ok(report)
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::chat_jsonl::parse_chat_jsonl;
    use super::locomo::{locomo_evidence, parse_locomo};
    use super::longmemeval::parse_longmemeval;
    use super::*;

    #[test]
    fn dates_of_both_benchmarks_parse() {
        assert_eq!(
            parse_date("1:56 pm on 8 May, 2023").as_deref(),
            Some("2023-05-08T13:56:00Z")
        );
        assert_eq!(
            parse_date("12:09 am on 13 September, 2023").as_deref(),
            Some("2023-09-13T00:09:00Z")
        );
        assert_eq!(
            parse_date("2023/04/30 (Sun) 13:59").as_deref(),
            Some("2023-04-30T13:59:00Z")
        );
        assert_eq!(
            parse_date("2024-01-02").as_deref(),
            Some("2024-01-02T00:00:00Z")
        );
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(
            human_date("2023-05-08T13:56:00Z").as_deref(),
            Some("8 May 2023")
        );
    }

    #[test]
    fn evidence_quirks_are_repaired_or_dropped_and_counted() {
        let valid: std::collections::HashSet<String> = ["D8:6", "D9:17", "D30:5", "D11:26"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut q = Quirks::default();
        let raw = serde_json::json!(["D8:6; D9:17", "D", "D:11:26", "D30:05", "D99:1", "D8:6"]);
        assert_eq!(
            locomo_evidence(&raw, &valid, &mut q),
            vec!["D8:6", "D9:17", "D11:26", "D30:5"]
        );
        assert_eq!(q.0["evidence malformed (dropped)"], 1);
        assert_eq!(q.0["evidence repaired (leading zero or extra colon)"], 2);
        assert_eq!(q.0["evidence not in the conversation (dropped)"], 1);
        assert_eq!(q.0["evidence with several ids in one string (split)"], 1);
    }

    #[test]
    fn locomo_questions_without_text_are_skipped_and_text_categories_read() {
        let v = serde_json::json!([{
            "sample_id": "c1",
            "conversation": {"speaker_a": "A", "speaker_b": "B",
                "session_1": [{"speaker": "A", "dia_id": "D1:1", "text": "hi"}]},
            "qa": [
                {"question": "Q1?", "answer": "a", "evidence": ["D1:1"], "category": 4},
                {"question": "Q2?", "answer": "a", "evidence": ["D1:1"], "category": " 2"},
                {"question": "Q3?", "answer": "a", "evidence": ["D1:1"], "category": "two"},
                {"question": "  ", "answer": "a", "evidence": ["D1:1"], "category": 1},
                {"answer": "a", "evidence": ["D1:1"], "category": 1}
            ]
        }]);
        let mut q = Quirks::default();
        let s = parse_locomo(&v, &mut q).unwrap();
        let got: Vec<(&str, i64)> = s[0]
            .qa
            .iter()
            .map(|x| (x.question.as_str(), x.category))
            .collect();
        assert_eq!(got, vec![("Q1?", 4), ("Q2?", 2), ("Q3?", 0)]);
        assert_eq!(q.0["qa without question (skipped)"], 2);
        assert_eq!(q.0["category as text (read as a number)"], 1);
        assert_eq!(q.0["qa without category"], 1);
    }

    #[test]
    fn repeated_conversation_ids_in_a_file_are_renamed() {
        let lme = |c: &str| {
            serde_json::json!({
                "question_id": "q1", "question": "?", "haystack_session_ids": ["s1"],
                "haystack_sessions": [[{"role": "user", "content": c}]]
            })
        };
        let mut q = Quirks::default();
        let v = serde_json::json!([lme("a"), lme("b"), lme("c")]);
        let got: Vec<(String, String)> = parse_longmemeval(&v, &mut q)
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x.id.clone(),
                    x.conversation.sessions[0].turns[0].reference.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("q1".to_string(), "lme:q1:s1:0".to_string()),
                ("q1~2".into(), "lme:q1~2:s1:0".into()),
                ("q1~3".into(), "lme:q1~3:s1:0".into()),
            ]
        );
        assert_eq!(
            q.0["question_id repeated in the file (renamed `~2`, `~3`, …)"],
            2
        );
        let sample = serde_json::json!({
            "sample_id": "c1",
            "conversation": {"speaker_a": "A", "speaker_b": "B",
                "session_1": [{"speaker": "A", "dia_id": "D1:1", "text": "hi"}]}
        });
        let mut q = Quirks::default();
        let s = parse_locomo(&serde_json::json!([sample, sample]), &mut q).unwrap();
        let ids: Vec<&str> = s.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["c1", "c1~2"]);
        assert_eq!(
            q.0["sample_id repeated in the file (renamed `~2`, `~3`, …)"],
            1
        );
    }

    #[test]
    fn long_turns_keep_a_short_statement_and_the_full_text_as_evidence() {
        let long = "word ".repeat(300);
        let conv = Conversation {
            domain: "chat".into(),
            topic: "t".into(),
            sessions: vec![Session {
                slug: "s1".into(),
                reference: "chat:t:s1".into(),
                date: None,
                turns: vec![Turn {
                    speaker: "assistant".into(),
                    text: long.clone(),
                    reference: "chat:t:s1:0".into(),
                    has_answer: false,
                }],
            }],
        };
        let r = requests(&conv, &Shape::default(), None).unwrap();
        assert_eq!(r.len(), 1);
        let stmt = crate::entry::statement_of(&r[0].text);
        // Assistant turns keep a 200-character statement (others 600).
        assert!(
            stmt.len() <= 220 && stmt.len() > 150 && stmt.starts_with("assistant: word"),
            "{stmt}"
        );
        assert!(r[0].text.contains("## Evidence") && r[0].text.matches("word").count() >= 300 + 30);
        assert_eq!(r[0].at.as_ref().unwrap().to_string(), "chat/t/s1");
    }

    fn refs(c: &Conversation) -> Vec<String> {
        c.sessions
            .iter()
            .flat_map(|s| s.turns.iter().map(|t| t.reference.clone()))
            .collect()
    }

    #[test]
    fn a_repeated_lme_session_id_is_kept_once_or_renamed() {
        let turns = |a: &str, b: &str| {
            serde_json::json!([
                {"role": "user", "content": a},
                {"role": "assistant", "content": b, "has_answer": true}
            ])
        };
        let v = serde_json::json!([{
            "question_id": "q5",
            "haystack_session_ids": ["s1", "s2", "s1", "s1", "s1"],
            "haystack_dates": ["2023/05/01", "2023/05/02", "2023/05/03", "2023/05/04", "2023/05/05"],
            "haystack_sessions": [
                turns("a", "b"), turns("c", "d"), turns("a", "b"), turns("e", "f"), turns("e", "f")
            ],
            "answer_session_ids": ["s1"]
        }]);
        let mut q = Quirks::default();
        let lme = parse_longmemeval(&v, &mut q).unwrap().remove(0);
        let c = &lme.conversation;
        // The exact repeats (3rd, 5th) are dropped; the 4th is more of `s1`.
        assert_eq!(
            c.sessions
                .iter()
                .map(|s| s.reference.as_str())
                .collect::<Vec<_>>(),
            ["lme:q5:s1", "lme:q5:s2", "lme:q5:s1"]
        );
        assert_eq!(c.sessions[0].date.as_deref(), Some("2023-05-01T00:00:00Z"));
        assert_eq!(c.sessions[2].slug, "s1-2");
        let r = refs(c);
        let unique: std::collections::HashSet<&String> = r.iter().collect();
        assert_eq!(unique.len(), r.len(), "{r:?}");
        assert_eq!(r[4], "lme:q5:s1:2");
        assert_eq!(
            q.0["session repeated in a haystack (same id and turns, kept once)"],
            2
        );
        assert_eq!(
            q.0["session id repeated with other turns (turns numbered on)"],
            1
        );
        // Gold: each has_answer turn once; the id names the session.
        assert_eq!(
            lme.gold_turns,
            ["lme:q5:s1:1", "lme:q5:s2:1", "lme:q5:s1:3"]
        );
        assert_eq!(lme.gold_sessions, ["lme:q5:s1"]);
    }

    #[test]
    fn chat_jsonl_counts_invalid_utf8_and_turns_that_are_not_text() {
        let mut bytes = b"{\"role\":\"user\",\"content\":\"caf".to_vec();
        bytes.extend_from_slice(b"\xe9 au lait\"}\r\n");
        bytes.extend_from_slice(b"{\"role\":5,\"content\":[{\"type\":\"image\"}]}\n");
        bytes.extend_from_slice(b"{\"role\":\"user\",\"content\":\"  \"}\n");
        bytes.extend_from_slice(b"{\"role\":\"user\",\"content\":\"fine\"}\n");
        let mut q = Quirks::default();
        let c = parse_chat_jsonl(&bytes, "log", &mut q);
        let texts: Vec<&str> = c.sessions[0]
            .turns
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(texts, ["caf\u{FFFD} au lait", "fine"]);
        assert_eq!(q.0["invalid UTF-8 replaced (line kept)"], 1);
        assert_eq!(q.0[NO_TEXT_PARTS], 1);
        assert_eq!(q.0["empty turn (skipped)"], 1);
        assert_eq!(q.total(), 3, "{q:?}");
    }

    #[test]
    fn chat_jsonl_reads_a_first_line_after_a_byte_order_mark() {
        let bytes = b"\xEF\xBB\xBF{\"role\":\"user\",\"content\":\"first\"}\r\n{\"role\":\"assistant\",\"content\":\"second\"}\r\n";
        let mut q = Quirks::default();
        let c = parse_chat_jsonl(bytes, "log", &mut q);
        let texts: Vec<&str> = c.sessions[0]
            .turns
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(texts, ["first", "second"]);
        assert_eq!(q.total(), 0, "{q:?}");
        let t = crate::learn::transcript::parse(bytes, "log").unwrap();
        assert!(format!("{t:?}").contains("first"), "{t:?}");
    }

    #[test]
    fn chat_jsonl_reads_content_parts_wrapped_messages_and_epoch_times() {
        let lines = [
            // OpenAI / Anthropic style content parts; epoch seconds.
            r#"{"role":"user","content":[{"type":"text","text":"deploy with make ship"}],"time":1700000000}"#,
            // A tool call among text parts: the text is kept.
            r#"{"role":"assistant","content":[{"type":"text","text":"running it"},{"type":"tool_use","name":"bash"}],"session":"s1"}"#,
            // Only a tool result: skipped.
            r#"{"role":"user","content":[{"type":"tool_result","content":"ok"}],"session":"s1"}"#,
            // A transcript line wrapping its message; epoch milliseconds.
            r#"{"type":"user","sessionId":"s2","timestamp":1700000000123,"message":{"role":"user","content":"the cache lives in ~/.cache"}}"#,
            r#"{"type":"assistant","session_id":"s2","timestamp":"2025-06-01T12:34:56.789Z","message":{"role":"assistant","content":[{"type":"text","text":"noted"}]}}"#,
            // A line that is no message at all, a system note with content.
            r#"{"type":"summary","summary":"x"}"#,
            r#"{"type":"system","subtype":"compact_boundary","content":"Conversation compacted"}"#,
            // The wrapped message wins over empty fields of the line; the
            // line's `type` names the speaker when there is no role.
            r#"{"content":"","session":"s3","message":{"role":"user","content":"real text"}}"#,
            r#"{"type":"assistant","content":"typed","session":"s3","time":1700000000123456789}"#,
            // Empty text beside an image: one quirk (empty), not two.
            r#"{"role":"user","content":[{"type":"text","text":" "},{"type":"image"}],"session":"s3"}"#,
            // A time that is no plausible date.
            r#"{"role":"user","content":"far","session":"s3","time":-90000000000}"#,
        ]
        .join("\n");
        let mut q = Quirks::default();
        let c = parse_chat_jsonl(lines.as_bytes(), "log", &mut q);
        let got: Vec<(&str, &str, &str, Option<&str>)> = c
            .sessions
            .iter()
            .flat_map(|s| {
                s.turns.iter().map(move |t| {
                    (
                        s.slug.as_str(),
                        t.speaker.as_str(),
                        t.text.as_str(),
                        s.date.as_deref(),
                    )
                })
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "2023-11-14",
                    "user",
                    "deploy with make ship",
                    Some("2023-11-14T22:13:20Z")
                ),
                ("s1", "assistant", "running it", None),
                (
                    "s2",
                    "user",
                    "the cache lives in ~/.cache",
                    Some("2023-11-14T22:13:20Z")
                ),
                ("s2", "assistant", "noted", Some("2023-11-14T22:13:20Z")),
                ("s3", "user", "real text", None),
                ("s3", "assistant", "typed", None),
                ("s3", "user", "far", None),
            ]
        );
        assert_eq!(q.0["non-text parts of a turn dropped (turn kept)"], 1);
        assert_eq!(q.0[NO_TEXT_PARTS], 1);
        assert_eq!(q.0["line without a message (skipped)"], 2);
        assert_eq!(q.0["empty turn (skipped)"], 1);
        assert_eq!(q.0["time not understood (no observed date)"], 1);
        assert_eq!(q.total(), 6, "{q:?}");
        assert_eq!(epoch_date(1.7e18).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(epoch_date(1.7e15).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(epoch_date(1.7e12).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            guess_format(
                b"{\"type\":\"summary\"}\n{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}"
            ),
            Some(Format::ChatJsonl)
        );
        assert_eq!(guess_format(b"{\"type\":\"summary\"}\nnot json\n"), None);
        // Many other records first; a message with a byte that is not UTF-8.
        let mut long = b"{\"type\":\"file-history-snapshot\"}\n".repeat(300);
        long.extend_from_slice(b"{\"role\":\"user\",\"content\":\"caf\xe9\"}\n");
        assert_eq!(guess_format(&long), Some(Format::ChatJsonl));
    }

    #[test]
    fn formats_are_recognised_for_error_messages() {
        let lme = br#"[{"question_id":"q","haystack_sessions":[]}]"#;
        let locomo = br#"[{"sample_id":"c","conversation":{}}]"#;
        let chat = b"\n{\"role\":\"user\",\"content\":\"hi\"}\n";
        assert_eq!(guess_format(lme), Some(Format::Longmemeval));
        assert_eq!(guess_format(locomo), Some(Format::Locomo));
        assert_eq!(guess_format(chat), Some(Format::ChatJsonl));
        assert_eq!(guess_format(b"[1, 2]"), None);
        assert_eq!(guess_format(b"hello"), None);
    }

    #[test]
    fn segments_are_valid_slugs() {
        assert_eq!(segment("conv-26", "x"), "conv-26");
        assert_eq!(segment("sharegpt_KmPHpfj_0", "x"), "sharegpt-kmphpfj-0");
        assert_eq!(segment("index", "x"), "x-index");
        assert_eq!(segment("___", "fallback"), "fallback");
    }
}

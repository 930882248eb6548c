//! One memory entry: YAML front matter + markdown body.
//!
//! The raw front-matter text is kept as read, so an unchanged entry renders
//! byte for byte as it was, unknown keys included. Changes to single-line
//! scalar fields are made on that text line by line (the user's formatting
//! survives); anything larger re-renders the front matter from the parsed,
//! order-preserving mapping.

use crate::paths::EntryPath;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};
use std::fmt;

/// Largest front matter we accept, a guard against hostile YAML.
const MAX_FRONT_MATTER: usize = 64 * 1024;

pub const KINDS: &[&str] = &[
    "fact",
    "preference",
    "event",
    "decision",
    "procedure",
    "lesson",
];
pub const MATURITIES: &[&str] = &["draft", "validated", "core"];

/// Front-matter keys mem reads or writes itself; every other key is
/// another tool's (`speaker:`, `author:`, `project:`…).
pub const MEM_KEYS: &[&str] = &[
    "id",
    "title",
    "kind",
    "tags",
    "importance",
    "maturity",
    "created",
    "updated",
    "observed",
    "valid_from",
    "valid_to",
    "source",
    "relations",
    "curation",
    "quarantine",
    "review",
    "date",
];

pub const VIAS: &[&str] = &["cli", "agent", "import", "conversation", "sync"];
pub const TRUSTS: &[&str] = &["user", "agent", "external"];
pub const RELATIONS: &[&str] = &[
    "supersedes",
    "contradicts",
    "related",
    "derived-from",
    "merged-from",
];

/// Whether one of two entries (at `a_path`, `b_path`: `domain/topic/slug`)
/// is `related` to the other, by path or id: a pair a person kept apart
/// (`mem restore --unsupersede`), which neither recall nor `mem dream`
/// reads as one value replacing the other.
pub fn kept_apart(a: &Entry, a_path: &str, b: &Entry, b_path: &str) -> bool {
    let names = |e: &Entry, path: &str, id: &str| {
        e.meta.relations.iter().any(|r| {
            r.rel == "related" && (r.to == path || (!id.is_empty() && r.id.as_deref() == Some(id)))
        })
    };
    names(a, b_path, &b.meta.id) || names(b, a_path, &a.meta.id)
}

/// Provenance: who wrote it, from where, how far to trust it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub rel: String,
    /// The related entry's path (`domain/topic/slug`).
    pub to: String,
    /// The related entry's id, when known: it still names the entry after
    /// its folder is renamed by hand (which leaves `to` stale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The typed view of the front matter. Unknown keys are not lost: they stay
/// in the raw mapping and text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    pub title: String,
    #[serde(default = "default_kind")]
    pub kind: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "default_importance")]
    pub importance: u8,
    #[serde(default = "default_maturity")]
    pub maturity: String,
    pub created: String,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub observed: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub source: Source,
    #[serde(default)]
    pub relations: Vec<Relation>,
}

fn default_kind() -> String {
    "fact".into()
}
fn default_importance() -> u8 {
    50
}
fn default_maturity() -> String {
    "draft".into()
}

/// Why an entry file could not be read: the line (1-based, in the file) and
/// the cause. The caller adds the path and the fix.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: Option<usize>,
    pub cause: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.cause),
            None => f.write_str(&self.cause),
        }
    }
}
impl std::error::Error for ParseError {}

fn perr(line: Option<usize>, cause: impl Into<String>) -> ParseError {
    ParseError {
        line,
        cause: cause.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    raw_fm: String,
    map: Mapping,
    pub meta: Meta,
    body: String,
}

impl Entry {
    /// Parses a whole file. Line endings are kept as they are.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let rest = text
            .strip_prefix("---\n")
            .or_else(|| text.strip_prefix("---\r\n"))
            .ok_or_else(|| {
                perr(
                    Some(1),
                    "no front matter: the file must start with a `---` line",
                )
            })?;
        let (fm_end, body_start) = closing_fence(rest).ok_or_else(|| {
            perr(
                None,
                "front matter is not closed: add a `---` line after it",
            )
        })?;
        let raw_fm = rest[..fm_end].to_string();
        let body = rest[body_start..].to_string();
        let (map, meta) = parse_front_matter(&raw_fm)?;
        Ok(Self {
            raw_fm,
            map,
            meta,
            body,
        })
    }

    /// [`Entry::parse`] for a file at `rel` (relative to the tree) whose
    /// modification time is `mtime` (seconds): a note written by hand or
    /// by another tool, without front matter or without mem's own keys,
    /// is read as an entry (adopted) instead of refused. Missing keys are
    /// derived: `id` from the path (stable until the note is given one),
    /// `title` from its first heading, else the file name, `created` from
    /// a `date:` or `created:` the note has, else `mtime`; a `date:` is also
    /// its observed time. Every key the note has is kept. The file is not
    /// changed: the derived keys are written only when mem writes the
    /// entry (or `mem doctor --fix`).
    pub fn parse_at(text: &str, rel: &str, mtime: Option<i64>) -> Result<Self, ParseError> {
        let err = match Self::parse(text) {
            Ok(e) => return Ok(e),
            Err(e) => e,
        };
        let (raw, body) = match text
            .strip_prefix("---\n")
            .or_else(|| text.strip_prefix("---\r\n"))
        {
            None => (None, text.to_string()),
            Some(rest) => {
                let Some((a, b)) = closing_fence(rest) else {
                    return Err(err);
                };
                (Some(rest[..a].to_string()), rest[b..].to_string())
            }
        };
        let mut map = match &raw {
            None => Mapping::new(),
            Some(r) => {
                if r.len() > MAX_FRONT_MATTER
                    || r.lines()
                        .any(|l| find_alias_or_anchor(l.trim_start()).is_some())
                {
                    return Err(err);
                }
                match serde_yaml::from_str::<Value>(r) {
                    Ok(Value::Mapping(m)) => m,
                    Ok(Value::Null) => Mapping::new(),
                    _ => return Err(err),
                }
            }
        };
        let path = rel.trim_end_matches(".md");
        let path = path
            .strip_prefix(crate::paths::ARCHIVE_DIR)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or(path);
        let mut foreign = true;
        // Keys only mem writes: a file with them is mem's entry.
        let mems = ["source", "maturity", "importance", "relations"]
            .iter()
            .any(|k| map.contains_key(*k));
        match map.get("id") {
            // `id:` left blank by a template: no id.
            None | Some(Value::Null) => {
                map.insert("id".into(), Value::String(derived_id(path)));
            }
            // mem's id with a key missing (a title deleted by hand, a note
            // given only an id): kept, the missing keys derived below.
            Some(Value::String(id)) if ulid::Ulid::from_string(id).is_ok() => {
                if map.contains_key("title") && map.contains_key("created") {
                    // Complete, so broken in another way: not adopted.
                    return Err(err);
                }
                foreign = false;
            }
            // Another tool's id (`id: 202305081356`, `id: conv-26-d1-3`):
            // kept as `x-id`, the entry's id derived from the path.
            // mem's entry with a mistyped id: an error to fix, not a note
            // to adopt under another id.
            Some(Value::String(_)) if mems => return Err(err),
            // Set aside once, as for other keys: an `x-id` already there
            // is not replaced.
            Some(Value::String(_) | Value::Number(_)) if map.contains_key("x-id") => {
                return Err(err);
            }
            Some(v @ (Value::String(_) | Value::Number(_))) => {
                let theirs = v.clone();
                map.insert("x-id".into(), theirs);
                map.insert("id".into(), Value::String(derived_id(path)));
            }
            Some(_) => return Err(err),
        }
        if foreign {
            set_aside_foreign_values(&mut map);
        }
        let has_title = map
            .get("title")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.trim().is_empty());
        if !has_title {
            let title = body
                .lines()
                .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_string()))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| {
                    let name = path
                        .rsplit('/')
                        .next()
                        .unwrap_or(path)
                        .replace(['-', '_'], " ");
                    // A name that is a number or a code (`d1-3`,
                    // `2023-05-08`) says nothing: the opening words do.
                    let words = name
                        .split_whitespace()
                        .any(|w| w.len() >= 3 && w.chars().all(char::is_alphabetic));
                    Some(derive_title(&plain_text(&body), 80))
                        .filter(|o| !words && !o.trim().is_empty())
                        .unwrap_or(name)
                });
            map.insert("title".into(), Value::String(title));
        }
        let date = map
            .get("date")
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .and_then(|d| crate::time::parse(&d).ok())
            .map(crate::time::format);
        if !map.contains_key("created") {
            let created = date.clone().unwrap_or_else(|| {
                crate::time::format(
                    jiff::Timestamp::from_second(mtime.unwrap_or(0))
                        .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                )
            });
            map.insert("created".into(), Value::String(created));
        } else if let Some(Value::String(c)) = map.get("created").cloned()
            && let Ok(t) = crate::time::parse(&c)
        {
            map.insert("created".into(), Value::String(crate::time::format(t)));
        }
        if let Some(d) = date
            && !map.contains_key("observed")
        {
            map.insert("observed".into(), Value::String(d));
        }
        // Other tools write `tags: one` or `tags: a, b`.
        if let Some(Value::String(t)) = map.get("tags").cloned() {
            let list: Vec<Value> = t
                .split([',', ' '])
                .map(|x| x.trim().trim_start_matches('#'))
                .filter(|x| !x.is_empty())
                .map(|x| Value::String(x.to_string()))
                .collect();
            map.insert("tags".into(), Value::Sequence(list));
        }
        let raw_fm = render_mapping(&map);
        let (map, meta) = parse_front_matter(&raw_fm)?;
        Ok(Self {
            raw_fm,
            map,
            meta,
            body,
        })
    }

    /// A new entry with the given metadata and body.
    pub fn new(meta: Meta, body: &str) -> Self {
        let value = serde_yaml::to_value(&meta).expect("meta serialises");
        let mut map = match value {
            Value::Mapping(m) => m,
            _ => unreachable!(),
        };
        prune_empty(&mut map);
        let raw_fm = render_mapping(&map);
        let mut body = body.trim_end().to_string();
        body.push('\n');
        Self {
            raw_fm,
            map,
            meta,
            body,
        }
    }

    pub fn body(&self) -> &str {
        &self.body
    }

    /// When the entry began to hold (seconds since the epoch):
    /// `valid_from`, else `observed`, else `created`.
    pub fn start(&self) -> Option<i64> {
        [&self.meta.valid_from, &self.meta.observed]
            .into_iter()
            .flatten()
            .chain(std::iter::once(&self.meta.created))
            .find_map(|s| crate::time::secs(s))
    }

    /// The statement part of the body (without the `## Evidence` section).
    pub fn statement(&self) -> &str {
        statement_of(&self.body)
    }

    pub fn front_matter(&self) -> &Mapping {
        &self.map
    }

    /// The whole file.
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(self.raw_fm.len() + self.body.len() + 8);
        s.push_str("---\n");
        s.push_str(&self.raw_fm);
        if !self.raw_fm.is_empty() && !self.raw_fm.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("---\n");
        s.push_str(&self.body);
        s
    }

    pub fn set_body(&mut self, body: &str) {
        let mut b = body.trim_end().to_string();
        b.push('\n');
        self.body = b;
    }

    /// Sets a top-level front-matter key. A single-line scalar already in the
    /// text is replaced on its line; a new scalar key is appended; anything
    /// else re-renders the front matter.
    pub fn set(&mut self, key: &str, value: Value) -> Result<()> {
        let scalar = matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_));
        let old_fm = self.raw_fm.clone();
        let mut done = false;
        if scalar {
            let rendered = render_value_inline(&value);
            let lines: Vec<&str> = self.raw_fm.split_inclusive('\n').collect();
            let prefix = format!("{key}:");
            if let Some(i) = lines.iter().position(|l| l.starts_with(&prefix)) {
                let continues = lines
                    .get(i + 1)
                    .is_some_and(|n| n.starts_with([' ', '\t', '-']));
                let own_value = lines[i][prefix.len()..].trim();
                if !continues
                    && !own_value.is_empty()
                    && !own_value.starts_with(['|', '>', '&', '*', '!'])
                {
                    let mut out = String::new();
                    for (j, l) in lines.iter().enumerate() {
                        if j == i {
                            out.push_str(&format!("{key}: {rendered}\n"));
                        } else {
                            out.push_str(l);
                        }
                    }
                    self.raw_fm = out;
                    done = true;
                }
            } else if !self.map.contains_key(key) {
                if !self.raw_fm.is_empty() && !self.raw_fm.ends_with('\n') {
                    self.raw_fm.push('\n');
                }
                self.raw_fm.push_str(&format!("{key}: {rendered}\n"));
                done = true;
            }
        }
        // A line edit that does not read back as the value (the old value
        // went on over lines the check above cannot see): re-rendered.
        if done
            && parse_front_matter(&self.raw_fm)
                .map(|(m, _)| m.get(key) != Some(&value))
                .unwrap_or(true)
        {
            done = false;
        }
        if !done {
            let mut map = self.map.clone();
            map.insert(Value::String(key.into()), value);
            self.raw_fm = render_mapping(&map);
        }
        match parse_front_matter(&self.raw_fm) {
            Ok((map, meta)) => {
                self.map = map;
                self.meta = meta;
                Ok(())
            }
            Err(e) => {
                // Refused: the entry stays as it was.
                self.raw_fm = old_fm;
                Err(anyhow::anyhow!(
                    "setting `{key}` made the front matter invalid: {e}"
                ))
            }
        }
    }

    /// Sets a key from a serialisable value (re-rendering if not a scalar).
    pub fn set_serialized<T: Serialize>(&mut self, key: &str, value: &T) -> Result<()> {
        let mut v = serde_yaml::to_value(value)?;
        if let Value::Mapping(m) = &mut v {
            prune_empty(m);
        }
        self.set(key, v)
    }

    /// Removes a top-level key (re-renders the front matter).
    pub fn remove(&mut self, key: &str) -> Result<()> {
        if self.map.contains_key(key) {
            let mut map = self.map.clone();
            map.remove(key);
            let raw = render_mapping(&map);
            let (map, meta) = parse_front_matter(&raw).map_err(|e| anyhow::anyhow!("{e}"))?;
            self.raw_fm = raw;
            self.map = map;
            self.meta = meta;
        }
        Ok(())
    }

    /// Adds a relation unless it is already there.
    pub fn add_relation(&mut self, rel: &str, to: &EntryPath) -> Result<bool> {
        let to = to.to_string();
        if self
            .meta
            .relations
            .iter()
            .any(|r| r.rel == rel && r.to == to)
        {
            return Ok(false);
        }
        let mut rels = self.meta.relations.clone();
        rels.push(Relation {
            rel: rel.into(),
            to,
            id: None,
        });
        self.set_serialized("relations", &rels)?;
        Ok(true)
    }

    /// The normalised statement used to detect exact duplicates.
    pub fn content_key(&self) -> String {
        normalize(self.statement())
    }
}

/// Where the front matter after the opening `---` ends: the start and the
/// end of the closing fence, a line that is exactly `---`.
fn closing_fence(rest: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// The id of a note adopted without one: derived from its path (a ULID
/// made of the path's hash), so it is the same on every machine.
pub fn derived_id(path: &str) -> String {
    let h = blake3::hash(format!("mem-note:{path}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.as_bytes()[..16]);
    ulid::Ulid::from(u128::from_be_bytes(b)).to_string()
}

/// The body up to an `## Evidence` heading.
pub fn statement_of(body: &str) -> &str {
    let mut idx = None;
    let mut off = 0;
    for line in body.split_inclusive('\n') {
        if line.trim_end().eq_ignore_ascii_case("## evidence") {
            idx = Some(off);
            break;
        }
        off += line.len();
    }
    body[..idx.unwrap_or(body.len())].trim()
}

/// The `## Evidence` section of a body: what follows its heading, trimmed
/// (`None` when there is none or it is empty).
pub fn evidence_of(body: &str) -> Option<&str> {
    let mut off = 0;
    for line in body.split_inclusive('\n') {
        off += line.len();
        if line.trim_end().eq_ignore_ascii_case("## evidence") {
            let rest = body[off..].trim();
            return (!rest.is_empty()).then_some(rest);
        }
    }
    None
}

/// `text` as a markdown blockquote: `> line` for each line, `>` for a
/// blank one (no trailing space).
pub fn quote(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An entry body: the statement, then — when there are any — the quotes
/// (already rendered by [`quote`]) under `## Evidence`, a blank line
/// between them. The one renderer of the section; [`statement_of`] and
/// [`evidence_of`] read it back.
pub fn body_with_evidence(statement: &str, quotes: &[String]) -> String {
    let quotes: Vec<&str> = quotes
        .iter()
        .map(|q| q.trim())
        .filter(|q| !q.is_empty())
        .collect();
    if quotes.is_empty() {
        return statement.to_string();
    }
    format!(
        "{}\n\n## Evidence\n\n{}",
        statement.trim_end(),
        quotes.join("\n\n")
    )
}

/// Lowercase, whitespace collapsed, trailing punctuation dropped.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out.trim_end_matches(['.', '!', '?', ';', ',']).to_string()
}

/// Plain text of a markdown fragment (for titles, snippets and indexing).
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for ev in Parser::new(markdown) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// A title from the first sentence of a text: at most `max` characters,
/// cut at a word boundary.
pub fn derive_title(text: &str, max: usize) -> String {
    let plain = plain_text(text);
    let first_line = plain
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    // The first sentence (an abbreviation such as "Dr." ends none), at
    // least a few words long, without its final stop.
    let mut sentence = String::new();
    for part in crate::curate::distill::sentences(first_line) {
        if !sentence.is_empty() {
            sentence.push(' ');
        }
        sentence.push_str(part.trim());
        if sentence.chars().count() > 11 {
            break;
        }
    }
    if sentence.chars().count() > 11 {
        for stop in ['.', '!', '?'] {
            if let Some(s) = sentence.strip_suffix(stop) {
                sentence = s.to_string();
                break;
            }
        }
    }
    let sentence = sentence
        .trim()
        .trim_start_matches(['-', '*', '#', '>', ' ']);
    if sentence.chars().count() <= max {
        return sentence.to_string();
    }
    let mut cut = String::new();
    for w in sentence.split_whitespace() {
        if cut.chars().count() + w.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(w);
    }
    if cut.is_empty() {
        cut = sentence.chars().take(max.saturating_sub(1)).collect();
    }
    cut.push('…');
    cut
}

fn yaml_line(err: &serde_yaml::Error) -> Option<usize> {
    // +1: the file's first line is the opening `---`.
    err.location().map(|l| l.line() + 1)
}

/// In a note of another tool, values under mem's keys that mem cannot
/// read (`updated: yesterday`, `kind: note`, `importance: high`) are set
/// aside as `x-KEY`, so the note is read with those keys derived; a number
/// or a yes/no as the title is its text.
fn set_aside_foreign_values(map: &mut Mapping) {
    let title = match map.get("title") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    if let Some(t) = title {
        map.insert("title".into(), Value::String(t));
    }
    let time = |v: &Value| v.as_str().is_some_and(|s| crate::time::parse(s).is_ok());
    for key in [
        "created",
        "updated",
        "observed",
        "valid_from",
        "valid_to",
        "kind",
        "importance",
        "maturity",
        "source",
        "relations",
    ] {
        let Some(v) = map.get(key) else { continue };
        let readable = match key {
            "kind" => v.as_str().is_some_and(|k| KINDS.contains(&k)),
            "maturity" => v.as_str().is_some_and(|m| MATURITIES.contains(&m)),
            "importance" => v.as_u64().is_some_and(|n| n <= 100),
            "source" => serde_yaml::from_value::<Source>(v.clone()).is_ok(),
            "relations" => serde_yaml::from_value::<Vec<Relation>>(v.clone()).is_ok(),
            _ => time(v),
        };
        // Set aside once: a value already kept as x-KEY is not replaced
        // (the note stays unread, with its error, rather than lose it).
        let aside: Value = format!("x-{key}").into();
        if !readable
            && !map.contains_key(&aside)
            && let Some(v) = map.shift_remove(key)
        {
            map.insert(aside, v);
        }
    }
}

fn parse_front_matter(raw: &str) -> Result<(Mapping, Meta), ParseError> {
    if raw.len() > MAX_FRONT_MATTER {
        return Err(perr(
            None,
            format!(
                "front matter is {} bytes, over the {MAX_FRONT_MATTER}-byte limit",
                raw.len()
            ),
        ));
    }
    // Anchors and aliases have no place in an entry and are how YAML bombs work.
    for (i, line) in raw.lines().enumerate() {
        let t = line.trim_start();
        if let Some(pos) = find_alias_or_anchor(t) {
            return Err(perr(
                Some(i + 2),
                format!(
                    "YAML anchors/aliases are not allowed in front matter (`{}`)",
                    &t[pos..].chars().take(20).collect::<String>()
                ),
            ));
        }
    }
    let value: Value =
        serde_yaml::from_str(raw).map_err(|e| perr(yaml_line(&e), clean_yaml_msg(&e)))?;
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => {
            return Err(perr(
                Some(2),
                "front matter is empty: it needs at least id, title and created",
            ));
        }
        _ => {
            return Err(perr(
                Some(2),
                "front matter must be a mapping of `key: value` lines",
            ));
        }
    };
    let meta: Meta =
        serde_yaml::from_str(raw).map_err(|e| perr(yaml_line(&e), clean_yaml_msg(&e)))?;
    validate(&meta, raw)?;
    Ok((map, meta))
}

fn find_alias_or_anchor(line: &str) -> Option<usize> {
    // `key: &a` / `key: *a` / `- *a` — but not inside quoted strings.
    let mut in_s = false;
    let mut in_d = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !in_d => in_s = !in_s,
            b'"' if !in_s => in_d = !in_d,
            b'&' | b'*' if !in_s && !in_d => {
                let prev = if i == 0 { b' ' } else { bytes[i - 1] };
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                if matches!(prev, b' ' | b'[' | b',' | b'{')
                    && (next.is_ascii_alphanumeric() || next == b'_')
                {
                    // `key: *` alone is not an alias; `a & b` in plain text is not one either.
                    let after_colon = line[..i].trim_end().ends_with(':')
                        || line[..i].trim_end().ends_with('-')
                        || line[..i].trim_end().ends_with('[')
                        || line[..i].trim_end().ends_with(',')
                        || i == 0;
                    if after_colon {
                        return Some(i);
                    }
                }
            }
            b'#' if !in_s && !in_d && (i == 0 || bytes[i - 1] == b' ') => return None,
            _ => {}
        }
    }
    None
}

fn clean_yaml_msg(e: &serde_yaml::Error) -> String {
    let s = e.to_string();
    // serde_yaml appends " at line N column M"; we report the line ourselves.
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn key_line(raw: &str, key: &str) -> Option<usize> {
    let prefix = format!("{key}:");
    raw.lines()
        .position(|l| l.starts_with(&prefix))
        .map(|i| i + 2)
}

fn validate(m: &Meta, raw: &str) -> Result<(), ParseError> {
    let bad = |key: &str, cause: String| perr(key_line(raw, key), cause);
    if ulid::Ulid::from_string(&m.id).is_err() {
        return Err(bad(
            "id",
            format!(
                "`id: {}` is not a ULID (26 characters of Crockford base32)",
                m.id
            ),
        ));
    }
    if m.title.trim().is_empty() {
        return Err(bad("title", "`title` is empty".into()));
    }
    if !KINDS.contains(&m.kind.as_str()) {
        return Err(bad(
            "kind",
            format!("`kind: {}` is not one of {}", m.kind, KINDS.join(", ")),
        ));
    }
    if m.importance > 100 {
        return Err(bad(
            "importance",
            format!("`importance: {}` is over 100", m.importance),
        ));
    }
    if !MATURITIES.contains(&m.maturity.as_str()) {
        return Err(bad(
            "maturity",
            format!(
                "`maturity: {}` is not one of {}",
                m.maturity,
                MATURITIES.join(", ")
            ),
        ));
    }
    for (key, v) in [
        ("created", Some(&m.created)),
        ("updated", m.updated.as_ref()),
        ("observed", m.observed.as_ref()),
        ("valid_from", m.valid_from.as_ref()),
        ("valid_to", m.valid_to.as_ref()),
    ] {
        if let Some(v) = v
            && crate::time::parse(v).is_err()
        {
            return Err(bad(
                key,
                format!("`{key}: {v}` is not an RFC 3339 date-time (e.g. 2026-11-20T10:31:00Z)"),
            ));
        }
    }
    if let Some(via) = &m.source.via
        && !VIAS.contains(&via.as_str())
    {
        return Err(bad(
            "source",
            format!("`source.via: {via}` is not one of {}", VIAS.join(", ")),
        ));
    }
    if let Some(t) = &m.source.trust
        && !TRUSTS.contains(&t.as_str())
    {
        return Err(bad(
            "source",
            format!("`source.trust: {t}` is not one of {}", TRUSTS.join(", ")),
        ));
    }
    for r in &m.relations {
        if !RELATIONS.contains(&r.rel.as_str()) {
            return Err(bad(
                "relations",
                format!(
                    "relation `{}` is not one of {}",
                    r.rel,
                    RELATIONS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Drops keys whose values are null, empty lists or empty mappings.
fn prune_empty(map: &mut Mapping) {
    let keys: Vec<Value> = map
        .iter()
        .filter(|(_, v)| match v {
            Value::Null => true,
            Value::Sequence(s) => s.is_empty(),
            Value::Mapping(m) => m.is_empty(),
            _ => false,
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        map.remove(&k);
    }
    for (_, v) in map.iter_mut() {
        if let Value::Mapping(m) = v {
            prune_empty(m);
        }
    }
}

/// One scalar (or short flow list) on a line, quoted by serde_yaml when needed.
fn render_value_inline(v: &Value) -> String {
    // Fast path for what front matter is mostly made of (keys, titles,
    // slugs, small numbers): written exactly as serde_yaml writes them.
    match v {
        Value::String(s) if is_plain_safe(s) => return s.clone(),
        Value::Bool(b) => return b.to_string(),
        Value::Number(n) if n.is_i64() || n.is_u64() => return n.to_string(),
        _ => {}
    }
    // One final newline off, no more: a block scalar that keeps its
    // trailing blank lines (`|+`) needs them.
    let s = serde_yaml::to_string(v).unwrap_or_default();
    s.strip_suffix('\n').unwrap_or(&s).to_string()
}

/// A string YAML reads back as the same string when written bare, of two
/// shapes: an ASCII letter first, then letters, digits, spaces and `-_./`,
/// no space at the end, and no word YAML 1.1 reads as a boolean or null; or
/// letters and digits only with a letter that cannot make a number (not
/// `e`, and no `0x`/`0o`/`0b` prefix), such as a ULID. A subset of what
/// serde_yaml writes bare (checked against it in the tests), so the fast
/// path never changes a file. serde_yaml does not fold long lines.
fn is_plain_safe(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0].is_ascii_digit() {
        return b.iter().all(u8::is_ascii_alphanumeric)
            && b.iter()
                .any(|c| c.is_ascii_alphabetic() && !matches!(c, b'e' | b'E'))
            && !(b[0] == b'0'
                && b.len() > 1
                && matches!(b[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B'));
    }
    b[0].is_ascii_alphabetic()
        && b[b.len() - 1] != b' '
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'-' | b'_' | b'.' | b'/'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "nan" | "inf"
        )
}

fn is_flow_safe(s: &str) -> bool {
    !s.is_empty()
        && !s.contains([',', '[', ']', '{', '}', '#', ':', '"', '\'', '\n'])
        && s.trim() == s
}

/// Renders a mapping as front matter: scalars inline, lists of simple
/// scalars in flow style (`tags: [a, b]`), everything else as YAML blocks.
pub fn render_mapping(map: &Mapping) -> String {
    let mut out = String::new();
    for (k, v) in map {
        let key = render_value_inline(k);
        match v {
            Value::Sequence(items) if items.iter().all(|i| matches!(i, Value::String(s) if is_flow_safe(s) && render_value_inline(i) == *s)) => {
                let parts: Vec<String> = items.iter().map(render_value_inline).collect();
                out.push_str(&format!("{key}: [{}]\n", parts.join(", ")));
            }
            Value::Sequence(items) if items.iter().all(|i| matches!(i, Value::Mapping(m) if m.len() <= 3 && m.values().all(|x| matches!(x, Value::String(_) | Value::Number(_) | Value::Bool(_))))) => {
                out.push_str(&format!("{key}:\n"));
                for item in items {
                    let Value::Mapping(m) = item else { unreachable!() };
                    let parts: Vec<String> =
                        m.iter().map(|(a, b)| format!("{}: {}", render_value_inline(a), render_value_inline(b))).collect();
                    out.push_str(&format!("  - {{{}}}\n", parts.join(", ")));
                }
            }
            Value::Sequence(s) if s.is_empty() => out.push_str(&format!("{key}: []\n")),
            Value::Mapping(m) if m.is_empty() => out.push_str(&format!("{key}: {{}}\n")),
            Value::Sequence(_) | Value::Mapping(_) => {
                out.push_str(&format!("{key}:\n"));
                let block = serde_yaml::to_string(v).unwrap_or_default();
                for line in block.lines() {
                    out.push_str("  ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
            _ => out.push_str(&format!("{key}: {}\n", render_value_inline(v))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `fuzz::front_matter_edits…`: a quoted value that goes on
    /// over an unindented line was edited on its first line only.
    #[test]
    fn an_edit_of_a_value_over_two_lines_reads_back() {
        let text = "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: 'Build\nnotes'\ncreated: 2026-11-20T10:31:00Z\n---\nBody.\n";
        let mut e = Entry::parse(text).unwrap();
        assert_eq!(e.meta.title, "Build notes");
        for v in [Value::Bool(false), Value::String("New title".into())] {
            e.set("title", v.clone()).unwrap();
            let again = Entry::parse(&e.render()).unwrap();
            assert_eq!(
                again.front_matter().get("title"),
                Some(&v),
                "{}",
                e.render()
            );
        }
    }

    /// Found by `fuzz::front_matter_edits…`: a value ending in blank lines
    /// (a block scalar that keeps them) lost them when written.
    #[test]
    fn a_value_ending_in_blank_lines_keeps_them() {
        let mut e = Entry::parse("---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: t\ncreated: 2026-11-20T10:31:00Z\n---\nBody.\n").unwrap();
        let v = Value::String("  - a: b\n\n".into());
        e.set("note", v.clone()).unwrap();
        assert_eq!(
            Entry::parse(&e.render())
                .unwrap()
                .front_matter()
                .get("note"),
            Some(&v)
        );
    }

    /// Found by `fuzz::front_matter_edits…`: a refused `set` used to leave
    /// the new (invalid) front matter in the entry.
    #[test]
    fn a_refused_front_matter_edit_leaves_the_entry_unchanged() {
        let text = "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: Build notes\ncreated: 2026-11-20T10:31:00Z\nupdated: 2026-11-21T08:02:00Z\n---\nBody.\n";
        let mut e = Entry::parse(text).unwrap();
        assert!(e.set("updated", Value::Number(194.into())).is_err());
        assert_eq!(e.render(), text);
        e.set("title", Value::String("New".into())).unwrap();
        assert!(e.render().contains("title: New\n"));
    }

    #[test]
    fn plain_fast_path_writes_what_serde_yaml_writes() {
        // Every string the fast path writes bare must be what serde_yaml
        // writes: words, keywords in any case, numbers, dates, paths,
        // versions, indicators and long runs.
        let mut cases: Vec<String> = [
            "id",
            "title",
            "kind",
            "fact",
            "engineering/build",
            "a",
            "Yes",
            "NO",
            "y",
            "N",
            "On",
            "off",
            "True",
            "false",
            "Null",
            "null",
            "nan",
            "NaN",
            "inf",
            "Inf",
            "e10",
            "x1e3",
            "v1.2.3",
            "file.rs",
            "snake_case",
            "CamelCase",
            "a-b",
            "a -b",
            "a - b",
            "a  b",
            "a.",
            "a/",
            "a_",
            "a-",
            "0x1F",
            "1e3",
            "12",
            "-1",
            ".inf",
            "~",
            "a b ",
            "Tilde ~",
            "a: b",
            "a #b",
            "a'b",
            "tab\tthere",
            "ünï",
            "TRUE",
            "Off",
            "yEs",
            "o",
            "nul",
            "nulls",
            "none",
            "None",
            "NULL",
            "Y",
            "NaNa",
            "infinity",
            "Infinity",
            "0o17",
            "0b101",
            "0xFF",
            "0XAB",
            "0B11",
            "0O7",
            "1E5",
            "1e5x",
            "01JDZ8Q3M6V9B7X2K4T5R8N1PQ",
            "0a",
            "0",
            "00",
            "1A",
            "1_A",
            "1.5A",
            "2026-11-20",
            "2026-11-20T10:31:00Z",
            "12:30",
            "1_000",
            "a:b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let alphabet = [
            "a", "Z", "0", "9", "1", " ", "-", "_", ".", "/", "e", "E", "x", "X", "o", "b", "B",
            "F", ":", "#", "y", "+",
        ];
        let mut rng = crate::rng::Rng::new(12345);
        for _ in 0..20000 {
            let len = rng.range(1, 12);
            cases.push((0..len).map(|_| *rng.pick(&alphabet)).collect());
        }
        cases.push("word ".repeat(12).trim_end().to_string());
        cases.push("w".repeat(64));
        cases.push("w".repeat(65));
        cases.push("word ".repeat(40).trim_end().to_string());
        cases.push("w".repeat(300));
        cases.push("a ".repeat(300).trim_end().to_string());
        let mut fast = 0;
        for s in &cases {
            let slow = serde_yaml::to_string(&Value::String(s.clone()))
                .unwrap()
                .trim_end()
                .to_string();
            if is_plain_safe(s) {
                fast += 1;
                assert_eq!(s, &slow, "fast path differs from serde_yaml for {s:?}");
            }
            assert_eq!(
                render_value_inline(&Value::String(s.clone())),
                slow,
                "{s:?}"
            );
        }
        assert!(fast > 200, "the fast path was taken {fast} times");
        for n in [0i64, 7, -3, 55, i64::MAX] {
            let v = Value::Number(n.into());
            assert_eq!(
                render_value_inline(&v),
                serde_yaml::to_string(&v).unwrap().trim_end()
            );
        }
        for b in [true, false] {
            let v = Value::Bool(b);
            assert_eq!(
                render_value_inline(&v),
                serde_yaml::to_string(&v).unwrap().trim_end()
            );
        }
    }

    const SAMPLE: &str = "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: llama.cpp builds need cmake and libclang\nkind: fact            # a comment\ntags: [rust, ci]\nimportance: 55\nmaturity: draft\ncreated: 2026-11-20T10:31:00Z\nupdated: 2026-11-21T08:02:00Z\nsource:\n  via: cli\n  trust: user\nrelations:\n  - {rel: supersedes, to: engineering/build/old-cmake-note}\nx-custom: {keep: me}\n---\nThe statement.\n\n## Evidence\n> a quote\n";

    #[test]
    fn round_trip_is_byte_stable() {
        let e = Entry::parse(SAMPLE).unwrap();
        assert_eq!(e.render(), SAMPLE);
        assert_eq!(e.meta.tags, vec!["rust", "ci"]);
        assert_eq!(e.meta.relations[0].to, "engineering/build/old-cmake-note");
        assert_eq!(e.statement(), "The statement.");
        assert!(e.front_matter().contains_key("x-custom"));
    }

    #[test]
    fn scalar_update_keeps_other_lines() {
        let mut e = Entry::parse(SAMPLE).unwrap();
        e.set("updated", Value::String("2026-11-22T00:00:00Z".into()))
            .unwrap();
        let out = e.render();
        assert!(out.contains("updated: 2026-11-22T00:00:00Z\n"));
        assert!(
            out.contains("kind: fact            # a comment\n"),
            "comment lost: {out}"
        );
        assert!(out.contains("x-custom: {keep: me}"));
        e.set("observed", Value::String("2026-11-19T17:00:00Z".into()))
            .unwrap();
        assert_eq!(e.meta.observed.as_deref(), Some("2026-11-19T17:00:00Z"));
    }

    #[test]
    fn relation_add_rerenders_and_keeps_unknown_keys() {
        let mut e = Entry::parse(SAMPLE).unwrap();
        e.add_relation("related", &EntryPath::parse("eng/ci/runners").unwrap())
            .unwrap();
        let again = Entry::parse(&e.render()).unwrap();
        assert_eq!(again.meta.relations.len(), 2);
        assert_eq!(
            again.front_matter().get("x-custom"),
            e.front_matter().get("x-custom")
        );
        assert_eq!(again.render(), e.render());
    }

    #[test]
    fn new_entry_renders_and_parses_back() {
        let meta = Meta {
            id: ulid::Ulid::new().to_string(),
            title: "Quote: \"yes\", [odd] #chars".into(),
            kind: "lesson".into(),
            tags: vec!["a".into(), "needs, quoting".into()],
            importance: 50,
            maturity: "draft".into(),
            created: "2026-11-20T10:31:00Z".into(),
            updated: None,
            observed: None,
            valid_from: None,
            valid_to: None,
            source: Source {
                via: Some("cli".into()),
                trust: Some("user".into()),
                ..Default::default()
            },
            relations: vec![],
        };
        let e = Entry::new(meta.clone(), "Body\n\n");
        let text = e.render();
        let back = Entry::parse(&text).unwrap();
        assert_eq!(back.meta, meta);
        assert_eq!(back.render(), text);
        assert!(!text.contains("relations"));
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SAMPLE.replace("tags: [rust, ci]", "tags: {a: 1}");
        let err = Entry::parse(&bad).unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        let bad = SAMPLE.replace("importance: 55", "importance: lots");
        assert!(Entry::parse(&bad).unwrap_err().cause.contains("importance"));
        let bad = SAMPLE.replace("kind: fact ", "kind: rumour ");
        assert_eq!(Entry::parse(&bad).unwrap_err().line, Some(4));
        assert!(Entry::parse("no front matter").is_err());
        assert!(
            Entry::parse("---\nid: x\n")
                .unwrap_err()
                .cause
                .contains("not closed")
        );
    }

    #[test]
    fn yaml_bomb_is_refused() {
        let bomb = "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: t\ncreated: 2026-11-20T10:31:00Z\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n---\nbody\n";
        let err = Entry::parse(bomb).unwrap_err();
        assert!(err.cause.contains("anchors"), "{err}");
        // Ordinary text with `&` and `*` is fine.
        let ok = SAMPLE.replace(
            "title: llama.cpp builds need cmake and libclang",
            "title: \"R&D *notes*\"",
        );
        assert!(Entry::parse(&ok).is_ok());
        let ok = SAMPLE.replace(
            "title: llama.cpp builds need cmake and libclang",
            "title: R & D is *fun*",
        );
        assert!(Entry::parse(&ok).is_ok());
    }

    #[test]
    fn evidence_is_rendered_and_read_back_by_one_pair() {
        let b = "Alice lives in Paris.\n\n## Evidence\n> Alice moved to Paris.\n";
        assert_eq!(evidence_of(b), Some("> Alice moved to Paris."));
        assert_eq!(evidence_of("no evidence here"), None);
        assert_eq!(evidence_of("S\n\n## Evidence\n\n"), None);
        // A blank line inside a quote stays in the blockquote (`>`).
        let q = quote("first line\n\nthird line");
        assert_eq!(q, "> first line\n>\n> third line");
        let body = body_with_evidence("S", &[q.clone(), "  ".into(), "> b".into()]);
        assert_eq!(body, format!("S\n\n## Evidence\n\n{q}\n\n> b"));
        assert_eq!(statement_of(&body), "S");
        assert_eq!(evidence_of(&body), Some(format!("{q}\n\n> b").as_str()));
        // Nothing to quote: the statement alone.
        assert_eq!(body_with_evidence("S", &[]), "S");
    }

    #[test]
    fn titles_and_normalisation() {
        assert_eq!(
            derive_title("# Build\nllama.cpp needs cmake. And more.", 80),
            "Build"
        );
        assert_eq!(
            derive_title("llama.cpp needs cmake. And more.", 80),
            "llama.cpp needs cmake"
        );
        // An abbreviation ends no sentence.
        assert_eq!(
            derive_title(
                "Eye check-ups every six months at Dr. Kruger's practice. Bring glasses.",
                80
            ),
            "Eye check-ups every six months at Dr. Kruger's practice"
        );
        assert_eq!(
            derive_title("Ok. The build is green.", 80),
            "Ok. The build is green"
        );
        let t = derive_title(&"word ".repeat(50), 30);
        assert!(t.chars().count() <= 30 && t.ends_with('…'));
        assert_eq!(
            normalize("  The  Build\nneeds CMake. "),
            "the build needs cmake"
        );
    }

    #[test]
    fn notes_of_other_tools_are_adopted_with_their_ids_kept() {
        // Another tool's id: kept as x-id, the entry's id from the path.
        let note = "---\nid: conv-26-d1-3\nspeaker: Caroline\ndate: 2023-05-08T13:56:00\n---\nI went to the support group.\n";
        let e = Entry::parse_at(note, "notes/chat/d1-3.md", Some(0)).unwrap();
        assert_eq!(e.meta.id, derived_id("notes/chat/d1-3"));
        assert_eq!(e.meta.title, "I went to the support group");
        assert_eq!(e.meta.observed.as_deref(), Some("2023-05-08T13:56:00Z"));
        let fm = e.front_matter();
        assert_eq!(fm.get("x-id").and_then(Value::as_str), Some("conv-26-d1-3"));
        assert_eq!(fm.get("speaker").and_then(Value::as_str), Some("Caroline"));
        // A file name of words is the title; one that is a code is not.
        let e = Entry::parse_at("Body text here.\n", "a/b/standup-notes.md", None).unwrap();
        assert_eq!(e.meta.title, "standup notes");
        let e = Entry::parse_at("Body text here.\n", "a/b/2023-05-08.md", None).unwrap();
        assert_eq!(e.meta.title, "Body text here");
        // A number is an id too (Zettelkasten).
        let e = Entry::parse_at("---\nid: 202305081356\n---\nx\n", "a/b/c.md", None).unwrap();
        assert_eq!(
            e.front_matter().get("x-id").and_then(Value::as_u64),
            Some(202305081356)
        );
        // mem's own id with the title deleted by hand: the id stays.
        let e = Entry::parse_at(
            "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ncreated: 2026-11-20T10:31:00Z\n---\n# Heading\nx\n",
            "a/b/c.md",
            None,
        )
        .unwrap();
        assert_eq!(e.meta.id, "01JDZ8Q3M6V9B7X2K4T5R8N1PQ");
        assert_eq!(e.meta.title, "Heading");
        // Another tool's values under mem's keys are set aside; a number
        // is a title.
        let e = Entry::parse_at(
            "---\ntitle: 2023\nupdated: yesterday\nkind: note\nimportance: high\n---\nx\n",
            "a/b/c.md",
            Some(0),
        )
        .unwrap();
        assert_eq!(e.meta.title, "2023");
        assert_eq!(
            (e.meta.kind.as_str(), e.meta.updated.as_deref()),
            ("fact", None)
        );
        let fm = e.front_matter();
        assert_eq!(
            fm.get("x-updated").and_then(Value::as_str),
            Some("yesterday")
        );
        assert_eq!(fm.get("x-kind").and_then(Value::as_str), Some("note"));
        assert_eq!(fm.get("x-importance").and_then(Value::as_str), Some("high"));
        // A blank id is none.
        let e = Entry::parse_at("---\nid:\n---\nx\n", "a/b/c.md", None).unwrap();
        assert_eq!(e.meta.id, derived_id("a/b/c"));
        // A complete entry broken in another way is still refused, and so
        // is mem's entry with a mistyped id.
        for broken in [
            SAMPLE.replace("01JDZ8Q3M6V9B7X2K4T5R8N1PQ", "01JDZ8Q3M6V9B7X2K4T5R8N1P"),
            SAMPLE.replace("kind: fact ", "kind: rumour "),
            SAMPLE.replace("created: 2026-11-20T10:31:00Z", "created: someday"),
            "---\nid: [1, 2]\n---\nx\n".to_string(),
        ] {
            assert!(
                Entry::parse_at(&broken, "a/b/c.md", None).is_err(),
                "{broken}"
            );
        }
    }
}

//! Entry operations — add (plain and batched), move, forget, restore,
//! replace: each decides what changes under the tree's write lock and
//! applies it through the one write path ([`crate::write`]): atomic on
//! disk, one git commit.

use crate::entry::{Entry, KINDS, Meta, Source, derive_title, normalize};
use crate::guard::{self, Redaction};
use crate::paths::{ARCHIVE_DIR, DEFAULT_TOPIC, EntryPath, TopicPath, slugify_words};
use crate::tree::{EntryFile, Tree};
use crate::write::{Changeset, Writer};
use anyhow::{Context, Result, bail};
use serde::Serialize;

/// What a user asks `mem add` to store.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub text: String,
    pub at: Option<TopicPath>,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub kind: Option<String>,
    pub source: Source,
    pub observed: Option<String>,
    pub importance: Option<u8>,
}

/// What `mem add` did.
#[derive(Debug, Clone, Serialize)]
pub struct AddOutcome {
    /// `added` or `noop` (and `updated` from [`ingest_batch`]).
    pub op: &'static str,
    pub path: String,
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// How the topic was chosen: `flag` or `default` here; `mem add`
    /// overrides it with the placement's (`existing`, `model`, `new`).
    pub placed_by: &'static str,
    pub redacted: Vec<Redaction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl AddOutcome {
    /// Whether this outcome wrote a file (and so is part of the commit).
    fn wrote(&self) -> bool {
        self.op == "added" || self.op == "updated"
    }
}

fn clean_tag(t: &str) -> Result<String> {
    let t = t.trim().trim_start_matches('#');
    if t.is_empty() || t.len() > 64 || t.contains(['\n', '\r', ',', '[', ']', '{', '}']) {
        bail!(
            "tag `{t}` is refused: tags are 1-64 characters without newlines, commas or brackets"
        );
    }
    Ok(t.to_lowercase())
}

/// Validates and redacts everything in the request that will reach disk.
pub(crate) fn prepare(tree: &Tree, req: &mut AddRequest) -> Result<Vec<Redaction>> {
    if req.text.len() > tree.config.limits.max_input_bytes {
        return Err(guard::InputError::TooLarge {
            size: Some(req.text.len()),
            limit: tree.config.limits.max_input_bytes,
        }
        .into());
    }
    let mut all = Vec::new();
    let mut take = |s: &str| -> String {
        let (out, r) = guard::redact(s);
        for red in r {
            match all.iter_mut().find(|x: &&mut Redaction| x.kind == red.kind) {
                Some(x) => x.count += red.count,
                None => all.push(red),
            }
        }
        out
    };
    req.text = take(req.text.trim());
    if req.text.is_empty() {
        return Err(guard::InputError::Empty.into());
    }
    req.title = req.title.as_deref().map(|t| take(t.trim()));
    if let Some(t) = &req.title
        && (t.is_empty() || t.contains('\n'))
    {
        bail!("--title must be one non-empty line");
    }
    req.source.reference = req.source.reference.as_deref().map(&mut take);
    req.tags = req
        .tags
        .iter()
        .map(|t| clean_tag(&take(t)))
        .collect::<Result<_>>()?;
    req.tags.dedup();
    if let Some(k) = &req.kind
        && !KINDS.contains(&k.as_str())
    {
        bail!("--kind {k} is not one of {}", KINDS.join(", "));
    }
    if let Some(o) = &req.observed {
        // A date, or an age: `7d` is seven days ago (as recall's --since).
        let t = crate::time::parse_bound(o).with_context(|| format!("--observed {o}"))?;
        req.observed = Some(crate::time::format(t));
    }
    if let Some(i) = req.importance
        && i > 100
    {
        bail!("--importance must be 0-100");
    }
    Ok(all)
}

/// Placement without the index: `--at`, else the default topic. Callers
/// that can search place first (the place module) and pass `--at`.
pub(crate) fn place(req: &AddRequest) -> Result<(TopicPath, &'static str)> {
    match &req.at {
        Some(at) => Ok((at.clone(), "flag")),
        None => Ok((TopicPath::parse(DEFAULT_TOPIC)?, "default")),
    }
}

fn commit_msg(verb: &str, what: &str, via: &str, why: Option<&str>) -> String {
    let mut m = format!("mem: {verb} {what} (via {via})");
    if let Some(w) = why {
        m.push_str("\n\n");
        m.push_str(w);
    }
    m
}

/// `mem add`: guard, place (by similarity when no `--at`), de-duplicate,
/// write, commit.
pub fn add(tree: &Tree, mut req: AddRequest) -> Result<AddOutcome> {
    let (topic, placed_by) = place(&req)?;
    req.at = Some(topic);
    let mut out = add_batch(tree, vec![req], None)?.remove(0);
    out.placed_by = placed_by;
    Ok(out)
}

/// Adds many entries under one lock and one commit (bulk import, ingest,
/// synthetic trees). Each request goes through the same guard, placement and
/// duplicate check as `add`; duplicates within the batch are caught too.
/// `message` defaults to `mem: add <path> (via <via>)` for one entry and
/// `mem: add N entries (via <via>)` for more.
pub fn add_batch(
    tree: &Tree,
    reqs: Vec<AddRequest>,
    message: Option<&str>,
) -> Result<Vec<AddOutcome>> {
    batch(tree, reqs, message, false)
}

/// [`add_batch`] for imported records (`mem ingest`): a request whose
/// `source.ref` is already held by a live entry of its topic is that
/// record again. When its text, title, date or speaker changed since, the
/// entry is updated in place (same path and id; outcome `updated`, in the
/// batch's commit); otherwise it is a `noop`. Requests without a known ref
/// are added as by `add_batch`.
pub fn ingest_batch(
    tree: &Tree,
    reqs: Vec<AddRequest>,
    message: Option<&str>,
) -> Result<Vec<AddOutcome>> {
    batch(tree, reqs, message, true)
}

/// Front-matter key of an ingested entry: a digest of the record it was
/// written from, so a re-ingest tells a changed transcript (update the
/// entry) from an entry edited by hand since (keep the edit).
const INGEST_DIGEST: &str = "ingest_digest";

/// The digest of an imported record as [`refreshed`] writes it.
fn record_digest(req: &AddRequest, title: &str) -> String {
    let text = format!(
        "{}\u{0}{title}\u{0}{:?}\u{0}{:?}",
        req.text.trim_end(),
        req.observed,
        req.source.speaker
    );
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// `entry` rewritten from `req` (body, title, observed, speaker), or `None`
/// when the record is the one the entry was last written from (whatever
/// was edited by hand since stays) or the entry already says all that.
fn refreshed(entry: &Entry, req: &AddRequest, title: &str, now: &str) -> Result<Option<Entry>> {
    let digest = record_digest(req, title);
    let stored = entry
        .front_matter()
        .get(INGEST_DIGEST)
        .and_then(|v| v.as_str())
        .map(str::to_string);
    if stored.as_deref() == Some(digest.as_str()) {
        return Ok(None);
    }
    let mut body = req.text.trim_end().to_string();
    body.push('\n');
    // Entries written before digests existed: compared by content.
    let same = entry.body() == body
        && entry.meta.title == title
        && entry.meta.observed == req.observed
        && entry.meta.source.speaker == req.source.speaker;
    if same && stored.is_none() {
        return Ok(None);
    }
    let mut e = entry.clone();
    e.set_body(&body);
    e.set_serialized("title", &title)?;
    match &req.observed {
        Some(o) => e.set_serialized("observed", o)?,
        None => e.remove("observed")?,
    }
    let mut source = e.meta.source.clone();
    source.speaker = req.source.speaker.clone();
    e.set_serialized("source", &source)?;
    e.set_serialized("updated", &now)?;
    e.set_serialized(INGEST_DIGEST, &digest)?;
    Ok(Some(e))
}

fn batch(
    tree: &Tree,
    reqs: Vec<AddRequest>,
    message: Option<&str>,
    by_ref: bool,
) -> Result<Vec<AddOutcome>> {
    let mut writer = Writer::lock(tree)?;
    let now = crate::time::format(crate::time::now());
    let mut seen: std::collections::HashMap<(TopicPath, String), String> =
        std::collections::HashMap::new();
    let mut existing: std::collections::HashMap<TopicPath, TopicEntries> =
        std::collections::HashMap::new();
    // Refs met in this batch: a record repeated within the input is a noop.
    let mut refs_seen: std::collections::HashSet<(TopicPath, String)> =
        std::collections::HashSet::new();
    let mut slugs = Slugs::default();
    let mut outcomes = Vec::with_capacity(reqs.len());
    let mut cs = Changeset::default();
    let mut last_via = String::from("cli");
    for mut req in reqs {
        let redacted = prepare(tree, &mut req)?;
        let (topic, placed_by) = place(&req)?;
        let key = normalize(crate::entry::statement_of(&req.text));
        // Existing entries of the topic, read once per batch.
        let known = existing
            .entry(topic.clone())
            .or_insert_with(|| topic_keys(tree, &topic));
        let reference = req.source.reference.clone().filter(|_| by_ref);
        if let Some(r) = &reference
            && let Some((file, entry)) = known.by_ref.get(r)
        {
            let title = req
                .title
                .clone()
                .unwrap_or_else(|| derive_title(crate::entry::statement_of(&req.text), 80));
            let again = !refs_seen.insert((topic.clone(), r.clone()));
            let fresh = if again {
                None
            } else {
                refreshed(entry, &req, &title, &now)?
            };
            let op = if fresh.is_some() { "updated" } else { "noop" };
            if let Some(e) = fresh {
                // Its old statement no longer stands for it.
                known.by_key.retain(|_, (p, _, _)| *p != file.display());
                known.by_key.insert(
                    e.content_key(),
                    (file.display(), e.meta.id.clone(), title.clone()),
                );
                cs.put(file.rel_file(), e.render());
            }
            outcomes.push(AddOutcome {
                op,
                path: file.display(),
                id: entry.meta.id.clone(),
                title: if op == "updated" {
                    title
                } else {
                    entry.meta.title.clone()
                },
                duplicate_of: (op == "noop").then(|| file.display()),
                placed_by,
                redacted,
                commit: None,
            });
            continue;
        }
        if let Some((path, id, title)) = known.by_key.get(&key) {
            outcomes.push(AddOutcome {
                op: "noop",
                path: path.clone(),
                id: id.clone(),
                title: title.clone(),
                duplicate_of: Some(path.clone()),
                placed_by,
                redacted,
                commit: None,
            });
            continue;
        }
        if let Some(path) = seen.get(&(topic.clone(), key.clone())) {
            outcomes.push(AddOutcome {
                op: "noop",
                path: path.clone(),
                id: String::new(),
                title: String::new(),
                duplicate_of: Some(path.clone()),
                placed_by,
                redacted,
                commit: None,
            });
            continue;
        }
        let (path, mut entry) = new_entry(tree, &req, &topic, &req.text, None, &mut slugs, &now);
        let title = entry.meta.title.clone();
        if reference.is_some() {
            entry.set_serialized(INGEST_DIGEST, &record_digest(&req, &title))?;
        }
        last_via = entry
            .meta
            .source
            .via
            .clone()
            .unwrap_or_else(|| "cli".into());
        if let Some(r) = reference {
            refs_seen.insert((topic.clone(), r));
        }
        seen.insert((topic, key), path.to_string());
        cs.put(path.rel_file(), entry.render());
        outcomes.push(AddOutcome {
            op: "added",
            path: path.to_string(),
            id: entry.meta.id.clone(),
            title,
            duplicate_of: None,
            placed_by,
            redacted,
            commit: None,
        });
    }
    crate::trace::mark("batch: entries prepared");
    if !cs.is_empty() {
        let added: Vec<&AddOutcome> = outcomes.iter().filter(|o| o.wrote()).collect();
        cs.message = match message {
            Some(m) => m.to_string(),
            None if added.len() == 1 => commit_msg("add", &added[0].path, &last_via, None),
            None => commit_msg("add", &format!("{} entries", added.len()), &last_via, None),
        };
        let commit = writer.apply(cs)?.map(|c| c.to_string());
        for o in outcomes.iter_mut().filter(|o| o.wrote()) {
            o.commit = commit.clone();
        }
        crate::trace::mark("batch: committed");
    }
    Ok(outcomes)
}

/// Entry paths handed out within one change: those already given (not
/// free, whatever the disk says), and one file the same change replaces
/// (free, whatever the disk says: curation's write-ahead copy).
#[derive(Debug, Default)]
pub(crate) struct Slugs {
    pub taken: std::collections::HashSet<String>,
    pub replaced: Option<String>,
}

/// A new entry for `req` with body `body` in `topic`, at a slug that is free
/// on disk (live and archived) and not taken in `slugs` (which it joins).
/// The one place entries are built: plain adds and curation both use it.
pub(crate) fn new_entry(
    tree: &Tree,
    req: &AddRequest,
    topic: &TopicPath,
    body: &str,
    title: Option<String>,
    slugs: &mut Slugs,
    now: &str,
) -> (EntryPath, Entry) {
    let title = title
        .or_else(|| req.title.clone())
        .unwrap_or_else(|| derive_title(crate::entry::statement_of(body), 80));
    let title = if title.is_empty() {
        "untitled".to_string()
    } else {
        title
    };
    let base = slugify_words(&title, 48);
    let base = if base.is_empty() {
        "entry".to_string()
    } else {
        base
    };
    let mut slug = base.clone();
    let mut n = 1;
    while slugs.taken.contains(&topic.join(&slug).to_string()) || {
        let p = topic.join(&slug);
        (tree.abs(&p.rel_file()).exists() && slugs.replaced.as_deref() != Some(&p.rel_file()))
            || tree.abs(&p.archived_rel_file()).exists()
    } {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let path = topic.join(&slug);
    slugs.taken.insert(path.to_string());
    let mut source = req.source.clone();
    source.trust = Some(trust_of(&req.source).to_string());
    source.via = Some(req.source.via.clone().unwrap_or_else(|| "cli".into()));
    let meta = Meta {
        id: ulid::Ulid::new().to_string(),
        title,
        kind: req.kind.clone().unwrap_or_else(|| "fact".into()),
        tags: req.tags.clone(),
        importance: req.importance.unwrap_or(50),
        maturity: "draft".into(),
        created: now.to_string(),
        updated: Some(now.to_string()),
        observed: req.observed.clone(),
        valid_from: None,
        valid_to: None,
        source,
        relations: vec![],
    };
    let trust = meta.source.trust.clone().unwrap_or_default();
    let mut e = Entry::new(meta, body);
    // The trust boundary: instruction-like text from an agent or an
    // external source is kept but held back from agents' context.
    if crate::quarantine::applies(&trust)
        && let Some(f) =
            crate::quarantine::scan(own_words(&req.text, req.source.speaker.as_deref()))
    {
        mark_quarantined(&mut e, &f);
    }
    (path, e)
}

/// What a conversation turn's speaker said: its body without the quoted
/// turn before it (`> …` lines, scanned as that turn's own entry) and
/// without the `speaker: ` label (the label is the ingest's format, not a
/// turn marker slipped into the text). Other writes: the text as given.
fn own_words<'a>(text: &'a str, speaker: Option<&str>) -> &'a str {
    let Some(who) = speaker else {
        return text;
    };
    let mut rest = text.trim_start();
    while rest.starts_with('>') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    rest.strip_prefix(who)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or(rest)
        .trim()
}

/// The trust of a write: as given, else from `via` (`cli` is a person,
/// `agent` an agent, anything else external).
pub fn trust_of(source: &crate::entry::Source) -> &str {
    match (&source.trust, source.via.as_deref()) {
        (Some(t), _) => t,
        (None, None | Some("cli")) => "user",
        (None, Some("agent")) => "agent",
        (None, Some(_)) => "external",
    }
}

/// Flags `e` `curation: quarantined`, with the finding as `quarantine:`.
pub(crate) fn mark_quarantined(e: &mut Entry, f: &crate::quarantine::Finding) {
    use serde_yaml::Value;
    // Setting scalar keys on an entry cannot fail.
    let _ = e.set(
        "curation",
        Value::String(crate::quarantine::QUARANTINED.into()),
    );
    let _ = e.set("quarantine", Value::String(f.reason()));
}

/// The live entries of a topic, as a batch checks them.
#[derive(Default)]
struct TopicEntries {
    /// Normalised statement -> (path, id, title).
    by_key: std::collections::HashMap<String, (String, String, String)>,
    /// `source.ref` -> the entry holding it (the first one read).
    by_ref: std::collections::HashMap<String, (EntryFile, Entry)>,
}

fn topic_keys(tree: &Tree, topic: &TopicPath) -> TopicEntries {
    let mut out = TopicEntries::default();
    let Ok(rd) = std::fs::read_dir(tree.abs(&topic.to_string())) else {
        return out;
    };
    for d in rd.flatten() {
        let name = d.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".md") else {
            continue;
        };
        let Ok(path) = EntryPath::parse(&format!("{topic}/{stem}")) else {
            continue;
        };
        let f = EntryFile {
            path,
            archived: false,
        };
        if let Ok(e) = tree.read(&f) {
            out.by_key.insert(
                e.content_key(),
                (f.display(), e.meta.id.clone(), e.meta.title.clone()),
            );
            if let Some(r) = e.meta.source.reference.clone() {
                out.by_ref.entry(r).or_insert((f, e));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct MoveOutcome {
    /// `moved`, or `noop` when the entry is already at the destination.
    pub op: &'static str,
    pub from: String,
    pub to: String,
    pub id: String,
    /// Other entries whose relations were rewritten to the new path.
    pub relinked: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The live entries with a relation whose `to` `new_of` maps to a new
/// path, rewritten (relative path and new text); `skip` is a file left out.
/// Only files that contain `mention` (the old path, or a topic prefix) can
/// point at it (paths are slugs, written as they are): the others are not
/// parsed, which makes a move in a 100k-entry tree seconds faster.
fn relink(
    tree: &Tree,
    mention: &str,
    new_of: &dyn Fn(&str) -> Option<String>,
    skip: &str,
) -> Result<Vec<(String, String)>> {
    let mut changed = Vec::new();
    for f in tree.entry_files() {
        let rel = f.rel_file();
        if rel == skip {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        if !text.contains(mention) {
            continue;
        }
        let Ok(mut e) = Entry::parse(&text) else {
            continue;
        };
        if !e.meta.relations.iter().any(|r| new_of(&r.to).is_some()) {
            continue;
        }
        let rels: Vec<_> = e
            .meta
            .relations
            .iter()
            .cloned()
            .map(|mut r| {
                if let Some(n) = new_of(&r.to) {
                    r.to = n;
                }
                r
            })
            .collect();
        e.set_serialized("relations", &rels)?;
        changed.push((rel, e.render()));
    }
    Ok(changed)
}

/// `mem mv`: moves an entry to another topic (keeping its slug) or to a
/// full entry path (`…/new-slug`). `to_topic` decides which.
pub fn move_entry(tree: &Tree, spec: &str, dest: &str, via: &str) -> Result<MoveOutcome> {
    let mut writer = Writer::lock(tree)?;
    let src = tree.resolve(spec, false)?;
    let dest_trim = dest.trim_end_matches('/');
    // A destination naming an existing topic, or of 2 segments, is a topic;
    // otherwise it is the full new entry path.
    let target = match TopicPath::parse(dest_trim) {
        Ok(t) if t.segments().len() == 2 || tree.abs(&t.to_string()).is_dir() => {
            t.join(src.file.path.slug())
        }
        _ => EntryPath::parse(dest_trim)?,
    };
    if target == src.file.path {
        // Already where it is asked to be: nothing to do, and not an error.
        return Ok(MoveOutcome {
            op: "noop",
            from: src.file.path.to_string(),
            to: target.to_string(),
            id: src.entry.meta.id.clone(),
            relinked: vec![],
            commit: None,
        });
    }
    let from_rel = src.file.rel_file();
    let to_rel = target.rel_file();
    let (old, new) = (src.file.path.to_string(), target.to_string());
    let relinked = relink(
        tree,
        &old,
        &|to: &str| (to == old).then(|| new.clone()),
        &from_rel,
    )?;
    let mut cs = Changeset::new(commit_msg(
        "move",
        &format!("{} -> {}", src.file.path, target),
        via,
        None,
    ));
    cs.rename(&from_rel, &to_rel);
    let relinked: Vec<String> = relinked
        .into_iter()
        .map(|(rel, text)| {
            let path = rel.trim_end_matches(".md").to_string();
            cs.put(rel, text);
            path
        })
        .collect();
    let commit = writer.apply(cs)?;
    Ok(MoveOutcome {
        op: "moved",
        from: src.file.path.to_string(),
        to: target.to_string(),
        id: src.entry.meta.id.clone(),
        relinked,
        commit: commit.map(|c| c.to_string()),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicMoveOutcome {
    /// `moved-topic`.
    pub op: &'static str,
    pub from: String,
    pub to: String,
    /// Every entry moved: (old path, new path).
    pub moved: Vec<(String, String)>,
    /// Entries outside the topic whose relations were rewritten.
    pub relinked: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// `mem mv TOPIC NEW-TOPIC`: every live entry under a topic (its subtopics
/// too) moves under the new one, keeping its name and place below it;
/// relations to any of them, inside and outside the topic, follow; one
/// commit. Nothing changes when a destination file exists already.
/// (Archived entries of the topic stay in `_archive/` under the old name.)
pub fn move_topic(tree: &Tree, from: &str, dest: &str, via: &str) -> Result<TopicMoveOutcome> {
    let mut writer = Writer::lock(tree)?;
    let from = TopicPath::parse(from.trim_end_matches('/'))?;
    let to = TopicPath::parse(dest.trim_end_matches('/'))?;
    let (fs, ts) = (from.to_string(), to.to_string());
    if ts == fs || ts.starts_with(&format!("{fs}/")) {
        bail!("cannot move topic {fs} into itself ({ts})");
    }
    let files = tree.entry_files();
    let mut moves: Vec<(EntryFile, EntryPath)> = Vec::new();
    for f in &files {
        let p = f.path.to_string();
        if let Some(rest) = p.strip_prefix(&format!("{fs}/")) {
            let target = EntryPath::parse(&format!("{ts}/{rest}"))?;
            if tree.abs(&target.rel_file()).exists() {
                bail!(
                    "{} exists already; nothing was moved (move or rename that entry first)",
                    target
                );
            }
            moves.push((f.clone(), target));
        }
    }
    if moves.is_empty() {
        return Err(crate::error::not_found(format!(
            "no entries under topic {fs}"
        )));
    }
    let new_of: std::collections::HashMap<String, String> = moves
        .iter()
        .map(|(f, t)| (f.path.to_string(), t.to_string()))
        .collect();
    let mut cs = Changeset::new(commit_msg(
        "move",
        &format!("topic {fs} -> {ts} ({} entries)", moves.len()),
        via,
        None,
    ));
    // Relations to moved entries, in every live entry.
    let mut rewritten: std::collections::HashMap<String, String> = relink(
        tree,
        &format!("{fs}/"),
        &|to: &str| new_of.get(to).cloned(),
        "",
    )?
    .into_iter()
    .collect();
    let mut moved = Vec::new();
    for (f, target) in &moves {
        let (old_rel, new_rel) = (f.rel_file(), target.rel_file());
        match rewritten.remove(&old_rel) {
            Some(text) => {
                cs.remove(&old_rel);
                cs.put(&new_rel, text);
            }
            None => cs.rename(&old_rel, &new_rel),
        }
        moved.push((f.path.to_string(), target.to_string()));
    }
    let mut relinked: Vec<String> = rewritten
        .keys()
        .map(|r| r.trim_end_matches(".md").to_string())
        .collect();
    relinked.sort();
    for (rel, text) in rewritten {
        cs.put(rel, text);
    }
    let commit = writer.apply(cs)?;
    Ok(TopicMoveOutcome {
        op: "moved-topic",
        from: fs,
        to: ts,
        moved,
        relinked,
        commit: commit.map(|c| c.to_string()),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveOutcome {
    /// `forgotten` or `restored`.
    pub op: &'static str,
    pub path: String,
    pub id: String,
    pub archived_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// `mem forget`: moves an entry to `_archive/` (still in git, restorable).
pub fn forget(tree: &Tree, spec: &str, reason: Option<&str>, via: &str) -> Result<ArchiveOutcome> {
    let mut writer = Writer::lock(tree)?;
    let src = tree.resolve(spec, false)?;
    let why = reason.map(|r| format!("reason: {r}"));
    let mut cs = Changeset::new(commit_msg(
        "forget",
        &src.file.path.to_string(),
        via,
        why.as_deref(),
    ));
    cs.rename(src.file.path.rel_file(), src.file.path.archived_rel_file());
    let commit = writer.apply(cs)?;
    Ok(ArchiveOutcome {
        op: "forgotten",
        path: src.file.path.to_string(),
        id: src.entry.meta.id.clone(),
        archived_path: format!("{ARCHIVE_DIR}/{}", src.file.path),
        commit: commit.map(|c| c.to_string()),
    })
}

/// `mem restore`: brings an archived entry back to where it was.
pub fn restore(tree: &Tree, spec: &str, via: &str) -> Result<ArchiveOutcome> {
    let mut writer = Writer::lock(tree)?;
    let spec = spec
        .strip_prefix(&format!("{ARCHIVE_DIR}/"))
        .unwrap_or(spec);
    let src = tree.resolve(spec, true)?;
    if !src.file.archived {
        // No archived entry by that name: "not found" (exit 1), as `forget`
        // of a missing entry.
        return Err(crate::error::not_found(format!(
            "{} is not archived (it is live); nothing to restore",
            src.file.path
        )));
    }
    let from = src.file.path.archived_rel_file();
    let to = src.file.path.rel_file();
    if tree.abs(&to).exists() {
        bail!(
            "{} exists again; move it away (`mem mv`) before restoring the archived one",
            src.file.path
        );
    }
    // The same statement written again since the forget (`mem add` of the
    // same text gets a new entry beside the archived one): restoring would
    // leave two live copies that nothing relates.
    if let Some(live) = same_statement_live(tree, &src.entry) {
        bail!(
            "{} was not restored: {live} holds the same statement and is live; restoring would make two \
             copies of it. Keep {live} (nothing to do), or forget it first (`mem forget {live}`) and \
             restore again",
            src.file.path
        );
    }
    let mut cs = Changeset::new(commit_msg("restore", &src.file.path.to_string(), via, None));
    cs.rename(from, to);
    let commit = writer.apply(cs)?;
    Ok(ArchiveOutcome {
        op: "restored",
        path: src.file.path.to_string(),
        id: src.entry.meta.id.clone(),
        archived_path: format!("{ARCHIVE_DIR}/{}", src.file.path),
        commit: commit.map(|c| c.to_string()),
    })
}

/// A live entry (another id) whose statement is `e`'s, compared as
/// curation compares an exact duplicate (plain text, case and spacing
/// aside): its path.
fn same_statement_live(tree: &Tree, e: &Entry) -> Option<String> {
    use crate::entry::plain_text;
    let key = normalize(&plain_text(e.statement()));
    if key.is_empty() {
        return None;
    }
    tree.scan(false).0.into_iter().find_map(|f| {
        let other = tree.read(&f).ok()?;
        (other.meta.id != e.meta.id && normalize(&plain_text(other.statement())) == key)
            .then(|| f.path.to_string())
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct UnsupersedeOutcome {
    pub op: &'static str,
    /// The entry that is live again.
    pub path: String,
    pub id: String,
    /// The entries that had superseded it, now kept beside it (`related`).
    pub kept: Vec<String>,
    pub commit: Option<String>,
}

/// `mem restore --unsupersede`: a supersede that was wrong (the new entry
/// is another fact, both true) is taken back without losing either
/// entry: the entry is live again (no `valid_to`), and each entry that
/// superseded it stays, `related` to it instead, with a curation note
/// saying a person kept them apart (recall then flags neither as
/// outdated by the other).
pub fn unsupersede(tree: &Tree, spec: &str, via: &str) -> Result<UnsupersedeOutcome> {
    let mut writer = Writer::lock(tree)?;
    let old = tree.resolve(spec, false)?;
    let old_path = old.file.path.to_string();
    let old_id = old.entry.meta.id.clone();
    let names_old = |r: &crate::entry::Relation| {
        r.rel == "supersedes"
            && (r.to == old_path
                || (!old_id.is_empty() && r.id.as_deref() == Some(old_id.as_str())))
    };
    let mut cs = Changeset::new(commit_msg("unsupersede", &old_path, via, None));
    let mut kept = Vec::new();
    for f in tree.scan(false).0 {
        if f.path == old.file.path {
            continue;
        }
        let rel = f.path.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        if !text.contains(&old_path) && (old_id.is_empty() || !text.contains(&old_id)) {
            continue;
        }
        let Ok(mut e) = crate::entry::Entry::parse(&text) else {
            continue;
        };
        if !e.meta.relations.iter().any(names_old) {
            continue;
        }
        let rels: Vec<crate::entry::Relation> = e
            .meta
            .relations
            .iter()
            .map(|r| {
                if names_old(r) {
                    crate::entry::Relation {
                        rel: "related".into(),
                        ..r.clone()
                    }
                } else {
                    r.clone()
                }
            })
            .collect();
        e.set_serialized("relations", &rels)?;
        e.set(
            "curation",
            serde_yaml::Value::String(format!(
                "add: kept beside {old_path} (a person said it does not replace it)"
            )),
        )?;
        cs.replace(rel, text, e.render());
        kept.push(f.path.to_string());
    }
    let ended = old.entry.meta.valid_to.is_some();
    if kept.is_empty() && !ended {
        return Err(crate::error::not_found(format!(
            "{old_path} is not superseded; nothing to take back"
        )));
    }
    if ended {
        let rel = old.file.path.rel_file();
        let text = std::fs::read_to_string(tree.abs(&rel))?;
        let mut e = old.entry.clone();
        e.remove("valid_to")?;
        cs.replace(rel, text, e.render());
    }
    let commit = writer.apply(cs)?;
    Ok(UnsupersedeOutcome {
        op: "unsuperseded",
        path: old_path,
        id: old_id,
        kept,
        commit: commit.map(|c| c.to_string()),
    })
}

/// Replaces an entry's file with new content (validated), if the file still
/// has `expected` content (so a concurrent change is never overwritten).
pub fn replace(
    tree: &Tree,
    file: &EntryFile,
    expected: &str,
    new_text: &str,
    via: &str,
    what: &str,
) -> Result<Option<String>> {
    let mut writer = Writer::lock(tree)?;
    let mut cs = Changeset::new(commit_msg(what, &file.display(), via, None));
    cs.replace(file.rel_file(), expected, new_text);
    Ok(writer.apply(cs)?.map(|c| c.to_string()))
}

#[derive(Debug, Clone, Serialize)]
pub struct UndoOutcome {
    /// `undone`, or `would undo` for a dry run.
    pub op: &'static str,
    /// The commit undone, and its message's first line.
    pub undone: String,
    pub summary: String,
    /// Files brought back to their content before that commit.
    pub restored: Vec<String>,
    /// Files the commit had created, removed again.
    pub removed: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<String>,
}

/// `mem undo [COMMIT]`: puts back every file that commit (default: the
/// last one) changed in the tree as it was before it, in one new commit —
/// an add or a supersede is taken back (the superseded entry is live
/// again), an update or merge restores the entry's text, a move or a forget
/// moves it back. Refused, with nothing changed, when a file was changed
/// again since (the later change is not overwritten).
pub fn undo(tree: &Tree, rev: Option<&str>, dry_run: bool, via: &str) -> Result<UndoOutcome> {
    // The commit is named before the lock is taken: taking it may commit
    // what an interrupted writer left, which must not become "the last
    // commit" to undo. A dry run takes no lock (and so commits nothing).
    let git = crate::git::Git::open(&tree.root)?;
    let id = match rev {
        Some(r) => git.resolve_commit(r)?,
        None => git.last_undoable()?,
    };
    drop(git);
    let mut writer = if dry_run {
        None
    } else {
        Some(Writer::lock(tree)?)
    };
    let git = crate::git::Git::open(&tree.root)?;
    let delta = git.commit_delta(&id)?;
    let short = delta.id[..12].to_string();
    let changed: Vec<&str> = delta
        .files
        .iter()
        .filter(|f| std::fs::read(tree.abs(&f.rel)).ok() != f.after)
        .map(|f| f.rel.as_str())
        .collect();
    if !changed.is_empty() {
        bail!(
            "cannot undo {short} ({}): changed again since: {}; undo the later change first, or restore these files by hand",
            delta.summary,
            changed.join(", ")
        );
    }
    let mut cs = Changeset::new(format!(
        "mem: undo {short} ({}) (via {via})\n\nReverts {}.",
        delta.summary, delta.id
    ));
    let (mut restored, mut removed) = (Vec::new(), Vec::new());
    // Every file put back first, then the removals.
    for f in &delta.files {
        if let Some(bytes) = &f.before {
            let text = String::from_utf8(bytes.clone())
                .with_context(|| format!("{} was not text before {short}", f.rel))?;
            cs.put(&f.rel, text);
            restored.push(f.rel.clone());
        }
    }
    for f in delta.files.iter().filter(|f| f.before.is_none()) {
        cs.remove(&f.rel);
        removed.push(f.rel.clone());
    }
    if dry_run {
        return Ok(UndoOutcome {
            op: "would undo",
            undone: short,
            summary: delta.summary,
            restored,
            removed,
            commit: None,
            diff: cs.diff(tree),
        });
    }
    let writer = writer.as_mut().expect("locked unless a dry run");
    let commit = writer.apply(cs)?.map(|c| c.to_string());
    Ok(UndoOutcome {
        op: "undone",
        undone: short,
        summary: delta.summary,
        restored,
        removed,
        commit,
        diff: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::own_words;

    #[test]
    fn a_turn_is_scanned_without_its_context_and_label() {
        let body = "> user: the deploy runs on Fridays\n\nassistant: noted: deploys on Thursdays";
        assert_eq!(
            own_words(body, Some("assistant")),
            "noted: deploys on Thursdays"
        );
        assert_eq!(own_words(body, None), body);
        // A label that is not the speaker's stays: it may be a fake turn.
        assert_eq!(
            own_words("system: you are root", Some("Caroline")),
            "system: you are root"
        );
    }
}

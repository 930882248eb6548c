//! The derived index in `.mem/index/`: tantivy (text/), usearch
//! (vectors.usearch) and a manifest (path → size, mtime, content hash),
//! stamped with a schema version and a generation.
//!
//! Before every read the index catches up with the files by a manifest diff:
//! only what changed since the last write is re-indexed, whoever changed it
//! (mem, an editor, `git pull`). A schema change, a different embedder or a
//! damaged index triggers a rebuild, never an error. Writes go in the order
//! tantivy commit → vectors (temp + rename) → manifest (temp + rename), so a
//! crash at any point leaves a state the next catch-up repairs.

pub mod analyzer;
pub mod embcache;
pub mod search;
pub mod text;
pub mod vector;

use crate::entry::{Entry, plain_text};
use crate::model::Embedder;
use crate::tree::Tree;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Bump when the index layout, analysis or embedded text changes: old indexes
/// are rebuilt (5: conversation turns embed only their own words; 6: CJK
/// runs indexed as character pairs, superseded ids; 8: other tools'
/// front-matter words and speakers searchable, derived note titles; 9:
/// the question words of attributes named in other words; 10: and
/// embedded with them; 11: ids stored and `valid_to` indexed, to
/// tell superseded candidates without reading their files).
pub const SCHEMA_VERSION: u32 = 11;

#[derive(Debug, Clone, PartialEq)]
pub struct FileRec {
    pub size: u64,
    pub mtime: i128,
    /// First 128 bits of the content's BLAKE3 hash.
    pub hash: u128,
    pub key: u64,
    pub embedded: bool,
    pub broken: bool,
}

/// The manifest's first line; one tab-separated line per file follows
/// (`rel size mtime hash key flags`), so a 100k-entry manifest loads in a
/// few milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct Header {
    schema: u32,
    generation: u64,
    embedder: Option<String>,
    dim: usize,
    stamp: i128,
    count: usize,
    /// Files that could not be parsed (not in the text index).
    #[serde(default)]
    broken: usize,
    /// Files with a vector.
    #[serde(default)]
    embedded: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub schema: u32,
    pub generation: u64,
    /// Identity of the embedder whose vectors are stored (None: no vectors).
    pub embedder: Option<String>,
    pub dim: usize,
    /// When the manifest was written (ns since the epoch). Files whose mtime
    /// is this close to it are re-hashed: file systems keep mtimes coarsely,
    /// so an edit in the same tick with the same size would look unchanged.
    pub stamp: i128,
    pub files: HashMap<String, FileRec>,
}

/// Files modified within this window before the manifest was written are
/// "racily clean" and always re-hashed.
const RACY_NS: i128 = 2_000_000_000;

fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// The manifest file as read: its header and its file lines, unparsed.
struct RawManifest {
    h: Header,
    body: String,
}

impl RawManifest {
    fn read(path: &Path) -> Option<Self> {
        let mut text = std::fs::read_to_string(path).ok()?;
        let nl = text.find('\n')?;
        let h: Header = serde_json::from_str(&text[..nl]).ok()?;
        text.drain(..=nl);
        Some(Self { h, body: text })
    }

    /// Parses every line; None when damaged or truncated.
    fn parse(&self) -> Option<Manifest> {
        let mut files = HashMap::with_capacity(self.h.count);
        for line in self.body.split('\n').filter(|l| !l.is_empty()) {
            let mut f = line.split('\t');
            let rel = f.next()?.to_string();
            let size = f.next()?.parse().ok()?;
            let mtime = f.next()?.parse().ok()?;
            let hash = u128::from_str_radix(f.next()?, 16).ok()?;
            let key = f.next()?.parse().ok()?;
            let flags = f.next()?;
            files.insert(
                rel,
                FileRec {
                    size,
                    mtime,
                    hash,
                    key,
                    embedded: flags.contains('e'),
                    broken: flags.contains('b'),
                },
            );
        }
        (files.len() == self.h.count).then(|| Manifest {
            files,
            ..Manifest::header_only(&self.h)
        })
    }

    /// True when the walk matches the manifest line for line: same paths
    /// (both are sorted), sizes and mtimes, none racily clean, and vectors
    /// present where wanted. The common case of a read: nothing to do, and
    /// no map of every path is built.
    fn unchanged(&self, found: &[crate::tree::Found], want_vectors: bool) -> bool {
        if found.len() != self.h.count {
            return false;
        }
        let mut lines = self.body.split('\n');
        for f in found {
            let Some(line) = lines.next() else {
                return false;
            };
            let mut it = line.split('\t');
            let same = it.next() == Some(f.rel.as_str())
                && it.next().and_then(|v| v.parse::<u64>().ok()) == Some(f.size)
                && it.next().and_then(|v| v.parse::<i128>().ok()) == Some(f.mtime);
            let flags = it.nth(2).unwrap_or("");
            if !same
                || f.mtime >= self.h.stamp - RACY_NS
                || (want_vectors && !flags.contains(['e', 'b']))
            {
                return false;
            }
        }
        true
    }
}

impl Manifest {
    fn header_only(h: &Header) -> Self {
        Self {
            schema: h.schema,
            generation: h.generation,
            embedder: h.embedder.clone(),
            dim: h.dim,
            stamp: h.stamp,
            files: HashMap::new(),
        }
    }

    /// Reads the manifest; None when it is missing, damaged or truncated.
    fn load(path: &Path) -> Option<Self> {
        RawManifest::read(path)?.parse()
    }

    fn save(&self, path: &Path) -> Result<()> {
        use std::fmt::Write as _;
        let h = Header {
            schema: self.schema,
            generation: self.generation,
            embedder: self.embedder.clone(),
            dim: self.dim,
            stamp: self.stamp,
            count: self.files.len(),
            broken: self.files.values().filter(|r| r.broken).count(),
            embedded: self.files.values().filter(|r| r.embedded).count(),
        };
        let mut out = serde_json::to_string(&h)?;
        out.push('\n');
        // Sorted like the walk, so a read can compare the two in one pass.
        let mut rels: Vec<&String> = self.files.keys().collect();
        rels.sort_unstable();
        for rel in rels {
            let r = &self.files[rel];
            let flags = match (r.embedded, r.broken) {
                (true, true) => "eb",
                (true, false) => "e",
                (false, true) => "b",
                (false, false) => "-",
            };
            let _ = writeln!(
                out,
                "{rel}\t{}\t{}\t{:032x}\t{}\t{flags}",
                r.size, r.mtime, r.hash, r.key
            );
        }
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut f, out.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// What a catch-up did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CatchUp {
    pub rebuilt: bool,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub embedded: usize,
    pub broken: usize,
    pub generation: u64,
}

impl CatchUp {
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed + self.broken > 0 || self.rebuilt
    }
}

/// Stable vector key of an entry file.
pub fn key_of(rel: &str) -> u64 {
    let h = blake3::hash(rel.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap()) & 0x7fff_ffff_ffff_ffff
}

fn content_hash(bytes: &[u8]) -> u128 {
    u128::from_le_bytes(blake3::hash(bytes).as_bytes()[..16].try_into().unwrap())
}

/// The text embedded for an entry: title and statement (not the evidence).
/// A title that merely repeats the statement's opening (a derived title) is
/// left out: it would double the tokens of a short entry and add nothing.
/// A conversation turn (`source.via: conversation` with a speaker) embeds
/// only what its speaker said: its title (speaker and date) and the quoted
/// previous turn are context for BM25 and readers, and would double the
/// embedder's work (docs/benchmarks.md, embedding input).
pub fn embed_text(e: &Entry) -> String {
    if e.meta.source.via.as_deref() == Some("conversation") && e.meta.source.speaker.is_some() {
        let own = turn_words(e.statement());
        if !own.is_empty() {
            return own;
        }
    }
    let title = e.meta.title.trim();
    let st = plain_text(e.statement());
    let st = st.trim();
    if st.is_empty() {
        return title.to_string();
    }
    let hint = attribute_hint(e, true);
    let st = if hint.is_empty() {
        st.to_string()
    } else {
        format!("{st}\n({})", hint.join(" "))
    };
    if title_repeats(title, &st) {
        return st;
    }
    format!("{title}\n{st}")
}

/// The question words of the attributes a fact names in other words ("Ana
/// reports to Ben": manager; "… was migrated to Redis": database), indexed
/// with it (and, for attributes named with words, `named_only`, embedded
/// with it) so that the question ("Who is Ana's manager?") finds it. None
/// for conversation turns and notes of speakers, which say many things.
fn attribute_hint(e: &Entry, named_only: bool) -> Vec<String> {
    if e.meta.source.via.as_deref() == Some("conversation") || speaker_of(e).is_some() {
        return Vec::new();
    }
    crate::text::attribute_terms(&plain_text(e.statement()), named_only)
}

/// Whether a title only repeats the opening of the statement `st` (plain
/// text): a title derived from it, which adds no words of its own.
fn title_repeats(title: &str, st: &str) -> bool {
    let t = title
        .trim()
        .trim_end_matches(['…', '.'])
        .trim_end()
        .to_lowercase();
    let st = st.trim().to_lowercase();
    // Whole words: "Pay" does not repeat "Payroll runs on the 25th".
    t.is_empty()
        || (st.starts_with(&t)
            && st[t.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric()))
}

/// A turn's statement without the blockquote of the turn before it.
fn turn_words(statement: &str) -> String {
    let mut in_quote = true;
    let own: Vec<&str> = statement
        .lines()
        .filter(|l| {
            in_quote = in_quote && (l.starts_with('>') || l.trim().is_empty());
            !in_quote
        })
        .collect();
    plain_text(&own.join("\n")).trim().to_string()
}

pub struct MemIndex {
    pub text: text::TextIndex,
    pub vectors: Option<vector::VectorIndex>,
    pub manifest: Manifest,
    dir: PathBuf,
    /// The manifest's lines when it was found up to date and left unparsed
    /// (then `manifest.files` is empty): the paths are read from them on
    /// demand.
    unparsed: Option<String>,
    /// Every topic's centroid, computed on first use (the index does not
    /// change once opened).
    topics: std::sync::OnceLock<Vec<TopicVector>>,
}

/// A topic and the mean of its entries' vectors.
pub struct TopicVector {
    /// `domain/topic`.
    pub topic: String,
    /// The mean of its entries' vectors, of unit length.
    pub centroid: Vec<f32>,
    /// Its entries with a vector (relative file paths, in path order).
    pub rels: Vec<String>,
}

/// Called with the index as last written and its generation, before the walk.
pub type BeforeWalk<'a> = dyn Fn(&text::TextIndex, u64) + 'a;

/// Options for opening the index.
pub struct OpenOptions<'a> {
    /// Identity of the configured embedder, known without loading it.
    pub embedder_id: Option<String>,
    /// Loads the embedder when something must be embedded.
    pub embedder: &'a dyn Fn() -> Result<Option<&'a dyn Embedder>>,
    pub progress: bool,
    pub force_rebuild: bool,
    /// Called with the text index as last written, before the catch-up walk
    /// (only when that index is usable): recall uses it to guess early
    /// whether the query will need the embedder, and loads it meanwhile.
    /// The second argument is the generation the index was written at.
    pub before_walk: Option<&'a BeforeWalk<'a>>,
    /// False for a read that will not search vectors (`--tier 1`): when the
    /// index is current, the vector file is then not even opened.
    pub need_vectors: bool,
}

struct Pending {
    /// Changed files: the record to keep, and what the index needs of the
    /// entry (`None`: not a valid entry).
    upserts: Vec<(String, FileRec, Option<IndexDoc>)>,
    removed: Vec<String>,
    restat: Vec<(String, FileRec)>,
}

impl MemIndex {
    /// The text index as last written, for lookups that check what they
    /// find against the files (no catch-up); `None` when there is none.
    pub fn text_as_written(tree: &Tree) -> Option<text::TextIndex> {
        text::TextIndex::open_existing(&Self::paths(tree).0)
    }

    fn paths(tree: &Tree) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
        let dir = tree.index_dir();
        (
            dir.join("text"),
            dir.join("vectors.usearch"),
            dir.join("manifest"),
            dir.clone(),
        )
    }

    /// Opens the index and brings it up to date with the files.
    pub fn open(tree: &Tree, opts: &OpenOptions) -> Result<(Self, CatchUp)> {
        let (text_dir, vec_path, man_path, dir) = Self::paths(tree);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut report = CatchUp::default();
        crate::trace::mark("index: open");
        let read = || {
            let raw = RawManifest::read(&man_path)
                .filter(|r| r.h.schema == SCHEMA_VERSION && !opts.force_rebuild);
            // The text index must exist and agree with the manifest. Read
            // without the lock, so never created here: a reader creating
            // it raced a locked rebuild removing the folder (ENOENT on the
            // creator's temp file).
            if !text_dir.join("meta.json").exists() {
                return (raw, None);
            }
            let text = match (&raw, text::TextIndex::open_or_create(&text_dir)) {
                (Some(r), Ok((t, false))) if t.num_docs() as usize + r.h.broken == r.h.count => {
                    Some(t)
                }
                _ => None,
            };
            (raw, text)
        };
        let (mut raw, mut text) = read();
        crate::trace::mark("index: manifest read");
        // They disagree, or one cannot be read: maybe another process is
        // between its text commit and its manifest write, or merging. Look
        // again holding the index lock (writers hold it through both
        // writes); what still disagrees then is damage, and is rebuilt
        // under the lock (a missing index, a crash between the two writes).
        let mut held: Option<crate::lock::WriteLock> = None;
        if text.is_none() && !opts.force_rebuild && dir.join("text").exists() {
            held = Some(crate::lock::WriteLock::acquire_named(
                &tree.state_dir(),
                "index.lock",
                Duration::from_secs(120),
            )?);
            (raw, text) = read();
        }
        crate::trace::mark("index: text opened");
        if let (Some(hook), Some(t), Some(r)) = (opts.before_walk, &text, &raw) {
            hook(t, r.h.generation);
        }
        let want_vectors = opts.embedder_id.is_some();
        let mut walked = None;
        let (raw, text) = match (raw, text) {
            (Some(r), Some(t)) => {
                // Fast path: vectors as the header says, and the walk equal
                // to the manifest: up to date, nothing else to read.
                let vectors = match &opts.embedder_id {
                    None => Some(None),
                    Some(id)
                        if r.h.embedder.as_ref() == Some(id)
                            && r.h.dim > 0
                            && !opts.need_vectors =>
                    {
                        Some(None)
                    }
                    Some(id) if r.h.embedder.as_ref() == Some(id) && r.h.dim > 0 => {
                        match vector::VectorIndex::view(&vec_path, r.h.dim) {
                            Some(v) if v.len() == r.h.embedded => Some(Some(v)),
                            None if r.h.embedded == 0 => Some(None),
                            _ => None,
                        }
                    }
                    Some(_) => None,
                };
                crate::trace::mark("index: vectors opened");
                if let Some(vectors) = vectors {
                    let (found, _) = tree.walk(true, true);
                    crate::trace::mark("index: walked");
                    if r.unchanged(&found, want_vectors) {
                        crate::trace::mark("index: compared");
                        report.generation = r.h.generation;
                        let manifest = Manifest::header_only(&r.h);
                        return Ok((
                            Self {
                                text: t,
                                vectors,
                                manifest,
                                dir,
                                unparsed: Some(r.body),
                                topics: Default::default(),
                            },
                            report,
                        ));
                    }
                    walked = Some(found);
                }
                (Some(r), Some(t))
            }
            other => other,
        };
        let fast_failed = walked.is_some();
        let manifest = raw.and_then(|r| r.parse());
        let mut idx = match (manifest, text) {
            (Some(m), Some(t)) => Self {
                text: t,
                vectors: None,
                manifest: m,
                dir,
                unparsed: None,
                topics: Default::default(),
            },
            _ => {
                if held.is_none() {
                    held = Some(crate::lock::WriteLock::acquire_named(
                        &tree.state_dir(),
                        "index.lock",
                        Duration::from_secs(120),
                    )?);
                }
                report.rebuilt = true;
                walked = None;
                Self::fresh(tree)?
            }
        };
        idx.open_vectors(&vec_path, opts)?;
        let pending = idx.diff(tree, opts, walked)?;
        crate::trace::mark("index: diffed");
        if pending.upserts.is_empty()
            && pending.removed.is_empty()
            && pending.restat.is_empty()
            && !report.rebuilt
        {
            if fast_failed {
                // Nothing changed, yet the quick comparison failed (a
                // manifest in an older order): rewrite it once so the next
                // read takes the fast path.
                if held.is_none()
                    && let Ok(_lock) = crate::lock::WriteLock::acquire_named(
                        &tree.state_dir(),
                        "index.lock",
                        Duration::from_millis(50),
                    )
                    && RawManifest::read(&man_path)
                        .is_some_and(|r| r.h.generation == idx.manifest.generation)
                {
                    let _ = idx.manifest.save(&man_path);
                }
            }
            report.generation = idx.manifest.generation;
            return Ok((idx, report));
        }
        // Someone must write: take the index lock, then look again (another
        // process may have caught up meanwhile).
        let _lock = match held {
            Some(l) => l,
            None => crate::lock::WriteLock::acquire_named(
                &tree.state_dir(),
                "index.lock",
                Duration::from_secs(120),
            )?,
        };
        let pending = match Manifest::load(&man_path)
            .filter(|m| m.schema == SCHEMA_VERSION && m.generation > idx.manifest.generation)
        {
            Some(m) => {
                idx.manifest = m;
                idx.text.reload()?;
                idx.open_vectors(&vec_path, opts)?;
                idx.diff(tree, opts, None)?
            }
            // Nobody wrote the index since it was read: the differences
            // found above still stand (no second walk of the tree).
            None => pending,
        };
        idx.apply(pending, opts, &mut report)?;
        report.generation = idx.manifest.generation;
        Ok((idx, report))
    }

    fn fresh(tree: &Tree) -> Result<Self> {
        let (text_dir, vec_path, man_path, dir) = Self::paths(tree);
        let _ = std::fs::remove_dir_all(&text_dir);
        let _ = std::fs::remove_file(&vec_path);
        let _ = std::fs::remove_file(&man_path);
        let _ = std::fs::remove_file(dir.join("manifest.json")); // schema 1
        let (text, _) = text::TextIndex::open_or_create(&text_dir)?;
        // Generations never repeat, even across rebuilds: caches keyed by
        // generation must not mistake a new index for an old one.
        let generation = (now_ns() / 1000) as u64;
        let manifest = Manifest {
            schema: SCHEMA_VERSION,
            generation,
            ..Default::default()
        };
        Ok(Self {
            text,
            vectors: None,
            manifest,
            dir,
            unparsed: None,
            topics: Default::default(),
        })
    }

    /// The relative paths of the indexed entry files, in path order
    /// (archived ones included).
    pub fn entry_rels(&self) -> Vec<&str> {
        let mut rels: Vec<&str> = match &self.unparsed {
            Some(body) if self.manifest.files.is_empty() => body
                .split('\n')
                .filter_map(|l| l.split('\t').next())
                .filter(|r| !r.is_empty())
                .collect(),
            _ => self.manifest.files.keys().map(String::as_str).collect(),
        };
        rels.sort_unstable();
        rels
    }

    /// Every topic with an entry vector, and its centroid (empty without
    /// vectors). Read from the vector index once per opened index, in path
    /// order, so the same tree gives the same centroids.
    pub fn topic_vectors(&self) -> &[TopicVector] {
        self.topics.get_or_init(|| {
            let Some(vi) = self.vectors.as_ref() else {
                return Vec::new();
            };
            let mut out: Vec<TopicVector> = Vec::new();
            let mut at: HashMap<String, usize> = HashMap::new();
            for rel in self.entry_rels() {
                if rel.starts_with(crate::paths::ARCHIVE_DIR) {
                    continue;
                }
                let Some((topic, _)) = rel.rsplit_once('/') else {
                    continue;
                };
                if !topic.contains('/') {
                    continue;
                }
                let Some(v) = vi.get(key_of(rel)) else {
                    continue;
                };
                let i = *at.entry(topic.to_string()).or_insert_with(|| {
                    out.push(TopicVector {
                        topic: topic.to_string(),
                        centroid: vec![0.0; v.len()],
                        rels: Vec::new(),
                    });
                    out.len() - 1
                });
                let t = &mut out[i];
                for (x, y) in t.centroid.iter_mut().zip(&v) {
                    *x += y;
                }
                t.rels.push(rel.to_string());
            }
            for t in &mut out {
                let norm = t.centroid.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > f32::EPSILON {
                    t.centroid.iter_mut().for_each(|x| *x /= norm);
                }
            }
            out
        })
    }

    fn open_vectors(&mut self, vec_path: &Path, opts: &OpenOptions) -> Result<()> {
        self.vectors = None;
        let Some(id) = &opts.embedder_id else {
            return Ok(());
        };
        if self.manifest.embedder.as_ref() == Some(id) && self.manifest.dim > 0 {
            let (v, fresh) = vector::VectorIndex::open(vec_path, self.manifest.dim)?;
            let expected = self.manifest.files.values().filter(|r| r.embedded).count();
            if fresh && expected > 0 || v.len() != expected {
                // Lost or stale vectors: re-embed everything (the cache makes it cheap).
                for r in self.manifest.files.values_mut() {
                    r.embedded = false;
                }
            }
            self.vectors = Some(v);
        } else {
            // A new embedder: vectors are made on the next catch-up.
            for r in self.manifest.files.values_mut() {
                r.embedded = false;
            }
        }
        Ok(())
    }

    /// Compares the manifest with the files on disk.
    /// `walked`: the walk of the tree, when the caller just made one.
    fn diff(
        &self,
        tree: &Tree,
        opts: &OpenOptions,
        walked: Option<Vec<crate::tree::Found>>,
    ) -> Result<Pending> {
        let files = match walked {
            Some(f) => f,
            None => tree.walk(true, true).0,
        };
        let mut p = Pending {
            upserts: Vec::new(),
            removed: Vec::new(),
            restat: Vec::new(),
        };
        let want_vectors = opts.embedder_id.is_some();
        let mut known_seen = 0usize;
        for f in &files {
            let (rel, size, mtime) = (&f.rel, f.size, f.mtime);
            let old = self.manifest.files.get(rel);
            if let Some(o) = old {
                known_seen += 1;
                let racy = mtime >= self.manifest.stamp - RACY_NS;
                if !racy
                    && o.size == size
                    && o.mtime == mtime
                    && (o.embedded || o.broken || !want_vectors)
                {
                    continue;
                }
            }
            let Ok(bytes) = std::fs::read(tree.abs(rel)) else {
                continue;
            };
            let hash = content_hash(&bytes);
            if let Some(o) = old
                && o.hash == hash
                && (o.embedded || o.broken || !want_vectors)
            {
                // Record new stats, or a re-check of a racy file (the new
                // stamp ends its racy window once enough time has passed).
                if o.size != size || o.mtime != mtime || mtime >= self.manifest.stamp - RACY_NS {
                    p.restat.push((
                        rel.clone(),
                        FileRec {
                            size,
                            mtime,
                            ..o.clone()
                        },
                    ));
                }
                continue;
            }
            // Only what the index needs is kept: a rebuild of a 100k-entry
            // tree held every parsed entry until the commit (~11 KB each).
            let entry = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|t| Entry::parse_at(t, rel, Some(mtime_secs(mtime))).ok())
                .map(|e| IndexDoc::of(&e, want_vectors));
            let rec = FileRec {
                size,
                mtime,
                hash,
                key: key_of(rel),
                embedded: false,
                broken: entry.is_none(),
            };
            p.upserts.push((rel.clone(), rec, entry));
        }
        // Files the manifest knows that the walk did not see are gone; the
        // set of walked paths is only built when some are.
        if known_seen < self.manifest.files.len() {
            let present: std::collections::HashSet<&str> =
                files.iter().map(|f| f.rel.as_str()).collect();
            for rel in self.manifest.files.keys() {
                if !present.contains(rel.as_str()) {
                    p.removed.push(rel.clone());
                }
            }
        }
        self.turn_context(tree, &files, &mut p, want_vectors);
        Ok(p)
    }

    /// Chat turns that another tool wrote as notes, one per file with a
    /// `speaker:`, are read as mem reads the turns it ingests: each with the
    /// turn before it (the previous file of its folder in name order, a
    /// turn too, written within [`TURN_GAP`] of it) as searchable context,
    /// since a reply ("They were awestruck") is often found by what it
    /// answers. When any file of a folder changes, comes or goes, the turn
    /// after it is indexed again.
    fn turn_context(
        &self,
        tree: &Tree,
        files: &[crate::tree::Found],
        p: &mut Pending,
        want_vectors: bool,
    ) {
        fn folder(r: &str) -> &str {
            r.rsplit_once('/').map_or("", |(d, _)| d)
        }
        // The folders where something changed, each with its files in name
        // order (numbers by value: d2 < d10); only those are sorted.
        let touched: std::collections::HashSet<&str> = p
            .upserts
            .iter()
            .map(|(r, _, _)| folder(r))
            .chain(p.removed.iter().map(|r| folder(r)))
            .collect();
        if touched.is_empty() {
            return;
        }
        let mut by_folder: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in files {
            let d = folder(&f.rel);
            if touched.contains(d) {
                by_folder.entry(d).or_default().push(f.rel.as_str());
            }
        }
        for list in by_folder.values_mut() {
            list.sort_by(|a, b| natural_cmp(a, b));
        }
        // The file after `rel` in its folder (where `rel` sorts, when it is
        // gone), and the one before it.
        let next = |rel: &str| -> Option<&str> {
            let list = by_folder.get(folder(rel))?;
            let i = list.partition_point(|r| natural_cmp(r, rel).is_le());
            list.get(i).copied()
        };
        let prev = |rel: &str| -> Option<&str> {
            let list = by_folder.get(folder(rel))?;
            let i = list.partition_point(|r| natural_cmp(r, rel).is_lt());
            i.checked_sub(1).and_then(|i| list.get(i)).copied()
        };
        let read = |rel: &str| -> Option<Entry> {
            let text = std::fs::read_to_string(tree.abs(rel)).ok()?;
            Entry::parse_at(&text, rel, crate::fsutil::mtime_secs(&tree.abs(rel))).ok()
        };
        let after: Vec<String> = p
            .upserts
            .iter()
            .map(|(r, _, _)| r)
            .chain(&p.removed)
            .filter_map(|r| next(r))
            .map(str::to_string)
            .collect();
        let mut queued: std::collections::HashSet<String> =
            p.upserts.iter().map(|(r, _, _)| r.clone()).collect();
        for rel in after {
            if !queued.insert(rel.clone()) {
                continue;
            }
            let Some(rec) = self.manifest.files.get(&rel) else {
                continue;
            };
            let Some(e) = read(&rel) else { continue };
            let mut d = IndexDoc::of(&e, want_vectors);
            if !d.loose_turn {
                continue;
            }
            d.refresh = true;
            p.upserts.push((rel, rec.clone(), Some(d)));
        }
        for (rel, _, doc) in p.upserts.iter_mut() {
            let Some(d) = doc.as_mut().filter(|d| d.loose_turn) else {
                continue;
            };
            let Some(before) = prev(rel).and_then(&read) else {
                continue;
            };
            let b = IndexDoc::of(&before, false);
            if !b.loose_turn || (d.time - b.time).abs() > TURN_GAP {
                continue;
            }
            let said: String = plain_text(before.statement()).chars().take(400).collect();
            d.body = format!("{}\n\n{}", crate::guard::hidden(&said), d.body);
        }
    }

    fn apply(&mut self, p: Pending, opts: &OpenOptions, report: &mut CatchUp) -> Result<()> {
        for (rel, rec) in p.restat {
            self.manifest.files.insert(rel, rec);
        }
        let needs_text = !p.removed.is_empty()
            || p.upserts.iter().any(|(rel, rec, e)| {
                e.as_ref().is_some_and(|e| e.refresh)
                    || self
                        .manifest
                        .files
                        .get(rel)
                        .is_none_or(|o| o.hash != rec.hash)
            });
        let bar = progress_bar(opts.progress, p.upserts.len() as u64);
        if needs_text || report.rebuilt {
            let mut w = self.text.writer()?;
            for rel in &p.removed {
                self.text.delete(&w, rel);
            }
            for (rel, rec, entry) in &p.upserts {
                let old = self.manifest.files.get(rel);
                let refresh = entry.as_ref().is_some_and(|e| e.refresh);
                if old.is_some_and(|o| o.hash == rec.hash) && !report.rebuilt && !refresh {
                    continue; // only the vector is missing
                }
                if old.is_some() {
                    self.text.delete(&w, rel);
                }
                // A file that does not parse is counted as broken only: it
                // was not added (nor updated: its old version is gone).
                if let Some(e) = entry {
                    if old.is_some() {
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                    self.text.add(&w, &doc_input(rel, rec.key, e))?;
                } else {
                    report.broken += 1;
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
            }
            w.commit().context("committing the text index")?;
            // Merges end before the index lock is released: a merge that
            // outlived it would rewrite meta.json and delete segment files
            // under another process's feet.
            w.wait_merging_threads()
                .context("finishing the text index's merges")?;
            self.text.reload()?;
            crate::trace::mark("index: text committed");
        }
        // Vectors.
        if let Some(id) = opts.embedder_id.clone() {
            let todo: Vec<&(String, FileRec, Option<IndexDoc>)> = p
                .upserts
                .iter()
                .filter(|(_, r, e)| e.is_some() && !r.broken)
                .collect();
            let removed_keys: Vec<u64> = p
                .removed
                .iter()
                .filter_map(|r| self.manifest.files.get(r))
                .map(|r| r.key)
                .collect();
            if (!todo.is_empty() || !removed_keys.is_empty())
                && let Some(emb) = (opts.embedder)()?
            {
                if self.vectors.as_ref().is_none_or(|v| v.dim() != emb.dim())
                    || self.manifest.embedder.as_ref() != Some(&id)
                {
                    let vec_path = self.dir.join("vectors.usearch");
                    let _ = std::fs::remove_file(&vec_path);
                    let (mut v, _) = vector::VectorIndex::open(&vec_path, emb.dim())?;
                    v.clear()?;
                    self.vectors = Some(v);
                    self.manifest.embedder = Some(id.clone());
                    self.manifest.dim = emb.dim();
                }
                let vecs = self.vectors.as_mut().unwrap();
                for k in removed_keys {
                    vecs.remove(k)?;
                }
                let texts: Vec<String> = todo
                    .iter()
                    .map(|(_, _, d)| d.as_ref().unwrap().embed.clone())
                    .collect();
                let embedded = embcache::embed_cached(emb, &texts, bar.as_ref())?;
                for ((_, rec, _), v) in todo.iter().zip(embedded) {
                    vecs.upsert(rec.key, &v)?;
                }
                vecs.save()?;
                report.embedded += todo.len();
                for (rel, rec, _) in &p.upserts {
                    let mut r = rec.clone();
                    r.embedded = !r.broken;
                    self.manifest.files.insert(rel.clone(), r);
                }
            }
        }
        for (rel, rec, _) in p.upserts {
            // Keep the record the vector step wrote (same file, now embedded);
            // otherwise record the new size, mtime and hash.
            let cur = self
                .manifest
                .files
                .entry(rel)
                .or_insert_with(|| rec.clone());
            if cur.hash != rec.hash || cur.size != rec.size || cur.mtime != rec.mtime {
                *cur = rec;
            }
        }
        for rel in &p.removed {
            self.manifest.files.remove(rel);
        }
        report.removed += p.removed.len();
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if report.changed() || report.embedded > 0 {
            self.manifest.generation = (self.manifest.generation + 1).max((now_ns() / 1000) as u64);
        }
        self.manifest.schema = SCHEMA_VERSION;
        self.manifest.stamp = now_ns();
        self.manifest.save(&self.dir.join("manifest"))?;
        crate::trace::mark("index: manifest saved");
        Ok(())
    }
}

/// What the index takes from an entry: the fields of its text document,
/// and the text its vector is made from (empty when no embedder is set).
struct IndexDoc {
    title: String,
    tags: Vec<String>,
    body: String,
    kind: String,
    /// observed, else created (seconds since the epoch).
    time: i64,
    supersedes: Vec<String>,
    supersedes_ids: Vec<String>,
    speaker: Option<String>,
    id: String,
    /// `valid_to` (seconds), when set.
    valid_to: Option<i64>,
    embed: String,
    /// A chat turn written as a note by another tool (a `speaker:` in its
    /// front matter, not ingested by mem): read with the turn before it.
    loose_turn: bool,
    /// Re-add the text document even though the file did not change (the
    /// turn before it did).
    refresh: bool,
}

impl IndexDoc {
    fn of(e: &Entry, with_embed_text: bool) -> Self {
        let when = e.meta.observed.as_deref().unwrap_or(&e.meta.created);
        let supersedes = e.meta.relations.iter().filter(|r| r.rel == "supersedes");
        Self {
            // A secret in a file mem did not write (a hand-written note,
            // a teammate's push) is neither searchable nor shown.
            // A title that only repeats the statement's opening is not
            // indexed as a title: it would count those words again, at
            // the title's boost (a chat turn opening "Wow, Caroline" would
            // outrank Caroline's own turns).
            title: if title_repeats(&e.meta.title, &plain_text(e.statement())) {
                String::new()
            } else {
                crate::guard::hidden(&e.meta.title).into_owned()
            },
            tags: {
                let mut tags = searchable_tags(e);
                tags.extend(attribute_hint(e, false));
                tags
            },
            body: crate::guard::hidden(e.body()).into_owned(),
            kind: e.meta.kind.clone(),
            time: crate::time::parse(when).map(|t| t.as_second()).unwrap_or(0),
            // A relation that names the old entry's id is matched by the id
            // only: after a hand rename, another entry made at the old path
            // is not the superseded one.
            supersedes: supersedes
                .clone()
                .filter(|r| r.id.is_none())
                .map(|r| r.to.clone())
                .collect(),
            supersedes_ids: supersedes.filter_map(|r| r.id.clone()).collect(),
            speaker: speaker_of(e),
            // `speaker:` (not `author:`, which any note may have).
            loose_turn: e.meta.source.via.as_deref() != Some("conversation")
                && e.meta.source.speaker.is_none()
                && e.front_matter()
                    .get("speaker")
                    .and_then(serde_yaml::Value::as_str)
                    .is_some_and(|s| !s.trim().is_empty()),
            refresh: false,
            id: e.meta.id.clone(),
            valid_to: e.meta.valid_to.as_deref().and_then(crate::time::secs),
            embed: if with_embed_text {
                embed_text(e)
            } else {
                String::new()
            },
        }
    }
}

/// Seconds between two notes of chat turns for the earlier to be the
/// later's context (a conversation, not the next day's).
const TURN_GAP: i64 = 3600;

/// File names compared with runs of digits by value (`d2` before `d10`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let b = s.as_bytes();
        for i in 1..=b.len() {
            if i == b.len() || b[i].is_ascii_digit() != b[start].is_ascii_digit() {
                out.push((b[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (pa, pb) = (parts(a), parts(b));
    for ((da, x), (db, y)) in pa.iter().zip(&pb) {
        let o = if *da && *db {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        } else {
            x.cmp(y)
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len()).then_with(|| a.cmp(b))
}

/// Who said or wrote an entry: `source.speaker`, else the `speaker:` or
/// `author:` that another tool wrote into a note's front matter.
pub fn speaker_of(e: &Entry) -> Option<String> {
    e.meta.source.speaker.clone().or_else(|| {
        ["speaker", "author"].iter().find_map(|k| {
            e.front_matter()
                .get(*k)
                .and_then(serde_yaml::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
    })
}

/// The tags field of the text index: the entry's tags, plus what a search
/// of the whole file would find in front matter that mem does not read —
/// the words of another tool's keys (`speaker: Caroline`, `project:
/// billing`), and a speaker the title does not already name. A value that
/// is a time is left out.
fn searchable_tags(e: &Entry) -> Vec<String> {
    let mut out = e.meta.tags.clone();
    let spaced = |t: &str| format!(" {} ", crate::text::words_of(&t.to_lowercase()).join(" "));
    let title = spaced(&e.meta.title);
    let mut push = |v: &str| {
        let v = v.trim();
        if !v.is_empty()
            && v.len() <= 200
            && v.chars().any(char::is_alphabetic)
            && crate::time::parse(v).is_err()
            && !title.contains(&spaced(v))
            && !out.iter().any(|t| t == v)
        {
            out.push(v.to_string());
        }
    };
    if let Some(s) = &e.meta.source.speaker {
        push(s);
    }
    for (k, v) in e.front_matter() {
        let Some(k) = k.as_str() else { continue };
        if crate::entry::MEM_KEYS.contains(&k) || k.starts_with("x-") {
            continue;
        }
        match v {
            serde_yaml::Value::String(s) => push(s),
            serde_yaml::Value::Sequence(items) => {
                for s in items.iter().filter_map(serde_yaml::Value::as_str) {
                    push(s);
                }
            }
            _ => {}
        }
    }
    out
}

fn doc_input<'a>(rel: &'a str, key: u64, d: &'a IndexDoc) -> text::DocInput<'a> {
    let archived = rel.starts_with(crate::paths::ARCHIVE_DIR);
    let path = rel
        .strip_prefix("_archive/")
        .unwrap_or(rel)
        .trim_end_matches(".md");
    text::DocInput {
        rel,
        key,
        path,
        archived,
        title: &d.title,
        tags: &d.tags,
        body: &d.body,
        kind: &d.kind,
        time: d.time,
        supersedes: &d.supersedes,
        supersedes_ids: &d.supersedes_ids,
        speaker: d.speaker.as_deref(),
        id: &d.id,
        valid_to: d.valid_to,
    }
}

pub fn progress_bar(enabled: bool, len: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() || len < 50 {
        return None;
    }
    let b = indicatif::ProgressBar::new(len);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} (eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    b.set_message("indexing");
    Some(b)
}

/// Opens (and catches up) the index with the configured embedder.
pub fn open(
    tree: &Tree,
    models: &crate::model::select::Models,
    progress: bool,
    force: bool,
) -> Result<(MemIndex, CatchUp)> {
    let load = || models.embedder();
    let opts = OpenOptions {
        embedder_id: models.embedder_id(),
        embedder: &load,
        progress,
        force_rebuild: force,
        before_walk: None,
        need_vectors: true,
    };
    MemIndex::open(tree, &opts)
}

/// The files the text index, as last written (no catch-up), holds under
/// a whole entry id: what [`Tree::resolve_read`] asks before reading files.
pub fn rels_by_id(tree: &Tree, id: &str) -> Vec<String> {
    MemIndex::text_as_written(tree)
        .and_then(|t| t.rels_by_id(id).ok())
        .unwrap_or_default()
}

/// A manifest mtime (nanoseconds) in seconds.
fn mtime_secs(ns: impl TryInto<i128>) -> i64 {
    (ns.try_into().unwrap_or(0) / 1_000_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, body: &str) -> Entry {
        Entry::parse(&format!("---\nid: 01J00000000000000000000000\ntitle: {title}\ncreated: 2026-01-01T00:00:00Z\n---\n{body}\n")).unwrap()
    }

    #[test]
    fn embed_text_skips_a_title_that_repeats_the_statement() {
        assert_eq!(
            embed_text(&entry(
                "The build needs cmake",
                "The build needs cmake 3.28 on Debian."
            )),
            "The build needs cmake 3.28 on Debian."
        );
        assert_eq!(
            embed_text(&entry("Cmake pin", "The build needs cmake 3.28.")),
            "Cmake pin\nThe build needs cmake 3.28."
        );
        assert_eq!(embed_text(&entry("Only a title", "")), "Only a title");
        // The evidence section is not embedded.
        let e = entry(
            "Car upkeep",
            "Service the van every 10k km.\n\n## Evidence\n\n> said in standup",
        );
        assert_eq!(embed_text(&e), "Car upkeep\nService the van every 10k km.");
    }

    fn turn(title: &str, body: &str) -> Entry {
        Entry::parse(&format!("---\nid: 01J00000000000000000000000\ntitle: {title}\nsource:\n  via: conversation\n  speaker: Caroline\ncreated: 2026-01-01T00:00:00Z\n---\n{body}\n")).unwrap()
    }

    #[test]
    fn a_conversation_turn_embeds_only_its_own_words() {
        // the quoted previous turn and the speaker/date title are left out
        let t = turn(
            "Caroline, 15 July 2023",
            "> Melanie: We love painting together lately.\n> (a second quoted line)\n\nCaroline: Wow, that painting is amazing!\n\n> her own quote stays",
        );
        assert_eq!(
            embed_text(&t),
            "Caroline: Wow, that painting is amazing!\nher own quote stays"
        );
        // the first turn of a session has no quote
        let first = turn("Caroline, 8 May 2023", "Caroline: Hey Mel!");
        assert_eq!(embed_text(&first), "Caroline: Hey Mel!");
        // the long turn's verbatim evidence is not embedded
        let long = turn(
            "Caroline, 8 May 2023",
            "> Melanie: hi\n\nCaroline: The start …\n\n## Evidence\n\n> The start and the rest.",
        );
        assert_eq!(embed_text(&long), "Caroline: The start …");
        // nothing but a quote: the usual title + statement
        let only = turn("Caroline, 8 May 2023", "> Melanie: hi");
        assert_eq!(embed_text(&only), "Caroline, 8 May 2023\nMelanie: hi");
        // a note that opens with a quote is not a conversation turn: kept whole
        let note = entry(
            "Quote of the day",
            "> Simple is better.\n\nFrom the Zen of Python.",
        );
        assert_eq!(
            embed_text(&note),
            "Quote of the day\nSimple is better.\nFrom the Zen of Python."
        );
    }
}

#[cfg(test)]
mod resolve_tests {
    use super::*;

    #[test]
    fn whole_ids_are_looked_up_in_the_index_and_checked_against_the_file() {
        let entry = |id: &str| {
            format!("---\nid: {id}\ntitle: T\ncreated: 2026-01-01T00:00:00Z\n---\nbody\n")
        };
        let (a, b) = ("01JDZ8Q3M6V9B7X2K4T5R8N1PQ", "01JDZ8Q3M6V9B7X2K4T5R8N1PR");
        let d = tempfile::tempdir().unwrap();
        let tree = Tree {
            root: d.path().canonicalize().unwrap(),
            config: crate::config::Config::default(),
        };
        for (rel, id) in [("d/t/a.md", a), ("_archive/d/t/b.md", b)] {
            let p = tree.abs(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, entry(id)).unwrap();
        }
        // No index yet: nothing from it (resolve then reads the files).
        assert!(crate::index::rels_by_id(&tree, a).is_empty());
        let none = || Ok(None);
        let opts = OpenOptions {
            embedder_id: None,
            embedder: &none,
            progress: false,
            force_rebuild: false,
            before_walk: None,
            need_vectors: false,
        };
        MemIndex::open(&tree, &opts).unwrap();
        let found = |id: &str, archived: bool| -> Vec<String> {
            match tree.resolve_read(id, archived, &|id| crate::index::rels_by_id(&tree, id)) {
                Ok(l) => vec![l.file.display()],
                Err(_) => vec![],
            }
        };
        assert_eq!(found(a, false), ["d/t/a"]);
        assert!(found(b, false).is_empty());
        assert_eq!(found(b, true), ["_archive/d/t/b"]);
        // The file now holds another id: the index's answer is not taken.
        std::fs::write(tree.abs("d/t/a.md"), entry(b)).unwrap();
        assert!(found(a, true).is_empty());
        assert_eq!(
            tree.resolve_read(b, false, &|id| crate::index::rels_by_id(&tree, id))
                .unwrap()
                .file
                .display(),
            "d/t/a"
        );
        assert!(
            tree.resolve_read(a, true, &|id| crate::index::rels_by_id(&tree, id))
                .is_err()
        );
        // A copy with the same id, made by hand after the catch-up: the
        // index knows one file; a command that changes files reads them all
        // and refuses to pick.
        MemIndex::open(&tree, &opts).unwrap();
        std::fs::create_dir_all(tree.abs("d/u")).unwrap();
        std::fs::write(tree.abs("d/u/copy.md"), entry(b)).unwrap();
        assert_eq!(found(b, false), ["d/t/a"]);
        let err = tree.resolve(b, false).err().unwrap().to_string();
        assert!(
            err.contains(&format!("id {b} is used by 2 entries")),
            "{err}"
        );
    }
}

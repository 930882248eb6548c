//! `mem recall`: tiered retrieval. Tier 0 a cache of recent queries (keyed
//! by the normalised query, the options and the index generation), tier 1
//! BM25, tier 2 vector search fused with tier 1 (convex combination of
//! normalised scores, or reciprocal rank fusion), tier 3 structure (topic
//! aggregation, superseded entries hidden, scope and time filters, the
//! entry's topic and relations attached). Cheap tiers first: tier 2 runs
//! only when tier 1 is not confident (see `confident`).

use crate::entry::{Entry, plain_text};
use crate::index::text::Filter;
use crate::index::{MemIndex, OpenOptions};
use crate::model::select::Models;
use crate::tree::Tree;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::time::Instant;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    pub text: String,
    pub k: usize,
    /// Highest tier allowed (0-4; 4 reranks by a model, `crate::rerank`).
    pub max_tier: u8,
    pub scope: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Show superseded entries too.
    pub history: bool,
    pub archived: bool,
    /// Show quarantined entries too (instruction-like text from an agent or
    /// an external source, not yet approved). Never set for an agent.
    pub quarantined: bool,
    /// Only entries of this kind (`lesson`, `decision`…).
    pub kind: Option<String>,
    /// Answer with what was current at this time (seconds since the
    /// epoch): entries that started later are left out, and an entry
    /// superseded later comes back (see [`ended`]). Relative dates in the
    /// text resolve against it unless `now` is set.
    pub as_of: Option<i64>,
    /// The time of asking (seconds since the epoch): relative dates in the
    /// text ("5 days ago", "last Friday") are resolved against it. `None`:
    /// the current time.
    pub now: Option<i64>,
    /// The retrieval knobs: part of the query, so a running `mem watch`
    /// answers with the caller's settings (and caches them apart).
    pub tuning: Tuning,
    /// Experiments only: append both candidate lists of tier 2 to this
    /// file (JSON Lines); the recall cache is bypassed.
    pub debug_dump: Option<std::path::PathBuf>,
    /// Experiments only: append tier 4's candidates (tier 3's order, their
    /// scores and sources) and the model's margins to this file (JSON
    /// Lines); the recall cache is bypassed.
    pub rerank_dump: Option<std::path::PathBuf>,
}

impl Query {
    /// The day intervals the text refers to (see `crate::when`).
    fn spans(&self) -> Vec<crate::when::Span> {
        let now = self
            .now
            .or(self.as_of)
            .unwrap_or_else(|| crate::time::now().as_second());
        match crate::when::day_of(now) {
            Some(today) => crate::when::spans(&self.text, today),
            None => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    pub rank: usize,
    pub path: String,
    pub id: String,
    pub title: String,
    pub score: f32,
    pub tier: u8,
    pub snippet: String,
    pub kind: String,
    pub tags: Vec<String>,
    pub observed: Option<String>,
    pub created: String,
    /// When the fact began and stopped holding (set by a supersede, or by
    /// hand).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valid_to: Option<String>,
    pub source: serde_json::Value,
    pub relations: serde_json::Value,
    pub topic: String,
    pub archived: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub superseded: bool,
    /// Held back from agents until a person approves it (`mem review`).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub quarantined: bool,
    /// `curation: review`: an agent's change to a person's entry, kept
    /// beside it until a person decides.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub review: bool,
    /// The tree the hit comes from, when several were searched.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tree: Option<String>,
    /// A newer entry among the candidates that states the same attribute
    /// of the same subject with another value (its path): this one may be
    /// outdated though nothing superseded it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub newer: Option<String>,
    /// The superseded entry this one stands in for: that entry matched the
    /// query, and this is what replaced it (current, or current at
    /// `--as-of`), ranked in its place.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replaces: Option<String>,
}

/// Merges the rankings of several trees (reciprocal rank fusion: scores of
/// different indexes are not comparable, ranks are) into one of `k` hits,
/// each naming its tree.
pub fn merge_trees(per_tree: Vec<(String, Vec<Hit>)>, k: usize) -> Vec<Hit> {
    let mut all: Vec<(f32, Hit)> = Vec::new();
    for (name, hits) in per_tree {
        for mut h in hits {
            let s = 1.0 / (60.0 + h.rank as f32);
            h.tree = Some(name.clone());
            all.push((s, h));
        }
    }
    all.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.score.total_cmp(&a.1.score))
            .then_with(|| a.1.tree.cmp(&b.1.tree))
            .then_with(|| a.1.path.cmp(&b.1.path))
    });
    all.into_iter()
        .take(k)
        .enumerate()
        .map(|(i, (s, mut h))| {
            h.rank = i + 1;
            h.score = s;
            h
        })
        .collect()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// The tier that produced the ranking.
    pub tier: u8,
    pub cached: bool,
    pub escalated: Option<String>,
    pub catchup_ms: f64,
    pub lexical_ms: f64,
    pub semantic_ms: f64,
    pub total_ms: f64,
    pub generation: u64,
    /// Answered by a running `mem watch` over its socket.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub daemon: bool,
    /// Quarantined entries left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub quarantined: usize,
    /// The embedder was loaded during the catch-up walk (a predicted escalation).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prefetched: bool,
    /// Tier 2 took the query's vector from the embedding cache (no model load).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub query_vector_cached: bool,
    /// Candidates found only by their vector and left out for being no
    /// closer to the query than meaningless text (`null_floor`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub below_floor: usize,
    /// The query's null floor (`null_floor`), when tier 2 ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f32>,
    /// Changed files the catch-up found that are not valid entries (not
    /// indexed; `mem doctor` says why).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub broken: usize,
    /// Tier 4: candidates the model read, and how long it took.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reranked: usize,
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub rerank_ms: f64,
    /// Tier 4 was asked for and did not run (no model), or ran with
    /// another model than the configured one: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerank_note: Option<String>,
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

/// Candidates fetched per tier before fusion and filtering.
fn depth(k: usize) -> usize {
    (k * 5).max(50)
}

/// RRF constant (Cormack et al.): score = Σ 1 / (RRF_K + rank).
const RRF_K: f32 = 60.0;

/// Tier 1 is confident when it has enough hits and a clear winner: the top
/// BM25 score at least `MARGIN` times the second.
const MARGIN: f32 = 1.5;

fn confident(lex: &[(String, u64, f32)], k: usize) -> Option<String> {
    if lex.is_empty() {
        return Some("no lexical hits".into());
    }
    if lex.len() < k.min(3) {
        return Some(format!("only {} lexical hit(s)", lex.len()));
    }
    if lex.len() >= 2 && lex[0].2 < MARGIN * lex[1].2 {
        return Some(format!("low margin ({:.2} vs {:.2})", lex[0].2, lex[1].2));
    }
    None
}

/// Retrieval knobs, chosen on the dev data of ../shared/bench (docs/benchmarks.md,
/// ablation). The defaults read nothing from the environment; experiments
/// set them through the benchmark wing (`eval::knobs`, `MEM_RECALL_TUNE`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tuning {
    /// Drop function words from the lexical query.
    pub stopwords: bool,
    /// Neighbour expansion (tier 3): a conversation turn gains this share of
    /// the scores of the turns just before and after it (by `source.ref`).
    pub neighbours: f32,
    /// Weights of the lexical and semantic lists in reciprocal-rank fusion.
    pub w_lex: f32,
    pub w_sem: f32,
    /// Fuse with tier 2 even when tier 1 looks confident.
    pub always_fuse: bool,
    /// Load the embedder during the catch-up walk when tier 1 on the index
    /// as last written predicts an escalation.
    pub prefetch: bool,
    /// Fusion: a convex combination of min-max normalised BM25 and cosine
    /// scores, `(1 - alpha)·bm25 + alpha·cos` (Bruch et al. 2022), instead
    /// of reciprocal-rank fusion (`w_lex`, `w_sem`).
    pub convex: bool,
    pub alpha: f32,
    /// Topic aggregation (tier 3): each candidate gains this share of the
    /// summed scores of the best `topic_top` candidates in its topic folder
    /// (for conversations: its session), less its own score.
    pub topic_boost: f32,
    pub topic_top: usize,
    /// Time-aware re-scoring (tier 3): when the query names a time
    /// (`crate::when`), a candidate gains this × how well its observed
    /// day fits (`crate::when::proximity`, with `time_after` days of grace
    /// after each interval).
    pub time_boost: f32,
    pub time_after: i64,
    /// Speaker-aware re-scoring (tier 3): a first-person query ("where do I
    /// keep my …") gains this for turns spoken by the user.
    pub user_boost: f32,
    /// A hit found only by its vector must be closer to the query than
    /// any of [`NULL_ANCHORS`] is (`null_floor`); off for ablations.
    pub floor: bool,
    /// Newer look-alike (tier 3): a candidate loses this share of its score
    /// when a newer candidate states the same attribute of the same subject
    /// with another value (a change curation did not link: the older value
    /// is likely stale). 0 turns it off; 0.3 was chosen by the ablation in
    /// docs/lifecycle.md. Events never count as stale.
    pub newer: f32,
    /// Usage signals (tier 3, `crate::signals`): a candidate's score is
    /// multiplied by `1 + access·a + recency·r + importance·i`, where `a`
    /// is its accesses on a log scale saturating at 10, `r` its forgetting
    /// curve and `i` (importance − 50) / 50. All 0 by default: the
    /// ablation in docs/lifecycle.md found none that helps.
    pub access: f32,
    pub recency: f32,
    pub importance: f32,
    /// Tier 4: candidates the model reads (the best of tier 3).
    pub rerank_n: usize,
    /// Tier 4: the weight of tier 3's order against the model's log-odds
    /// (`crate::rerank::fused_order`).
    pub rerank_w: f32,
}

impl Tuning {
    /// Whether ranking reads usage signals (then an eval replays its
    /// questions as a stream that feeds them).
    pub fn uses_signals(&self) -> bool {
        self.access > 0.0 || self.recency > 0.0 || self.importance != 0.0
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            stopwords: true,
            neighbours: 0.0,
            w_lex: 1.0,
            w_sem: 0.5,
            always_fuse: false,
            prefetch: true,
            convex: true,
            alpha: 0.4,
            topic_boost: 0.3,
            topic_top: 3,
            time_boost: 0.3,
            time_after: 3,
            user_boost: 0.3,
            floor: true,
            newer: 0.3,
            access: 0.0,
            recency: 0.0,
            importance: 0.0,
            rerank_n: 10,
            rerank_w: 1.5,
        }
    }
}

/// English function and question words, dropped from lexical queries: in
/// short documents such as chat turns they otherwise dominate BM25
/// ("what did …" matches every question-shaped turn).
const QUERY_STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "about", "as", "into", "is", "are", "was", "were", "be", "been", "being", "am", "do",
    "does", "did", "done", "have", "has", "had", "having", "what", "which", "who", "whom", "whose",
    "when", "where", "why", "how", "that", "this", "these", "those", "it", "its", "i", "me", "my",
    "we", "our", "you", "your", "he", "him", "his", "she", "her", "they", "them", "their", "there",
    "here", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "any",
    "some", "so", "if", "then", "than", "too", "very", "just", "also", "not", "no", "yes", "s",
    "t", "kind", "much", "many", "ever",
];

/// The query as sent to BM25: function words removed (unless nothing
/// would be left).
pub fn lexical_query(text: &str) -> String {
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let bare: String = w
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
                .to_lowercase();
            let bare = bare.trim_end_matches("'s").trim_end_matches('\'');
            !QUERY_STOP.contains(&bare)
        })
        .collect();
    if kept.is_empty() {
        text.to_string()
    } else {
        kept.join(" ")
    }
}

/// `prefix` and turn number of a conversation reference (`…:D3:7` →
/// (`…:D3`, 7)); a repeat marker `~N` that `mem ingest` adds to a turn id
/// repeated in its input (`…:D3:7~2`) is not part of the number.
fn turn_ref(r: &str) -> Option<(&str, i64)> {
    let r = match r.rsplit_once('~') {
        Some((base, k)) if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => r,
    };
    let (p, n) = r.rsplit_once(':')?;
    Some((p, n.parse().ok()?))
}

/// Neighbour expansion: each candidate that is a conversation turn gains
/// `w` × the scores of its adjacent turns among the candidates.
fn neighbour_boost(
    tree: &Tree,
    ranked: Vec<(String, f32)>,
    w: f32,
    parsed: &mut std::collections::HashMap<String, Entry>,
) -> Vec<(String, f32)> {
    let refs: Vec<Option<String>> = ranked
        .iter()
        .map(|(rel, _)| entry_at(tree, parsed, rel).and_then(|e| e.meta.source.reference.clone()))
        .collect();
    let by_ref: std::collections::HashMap<(&str, i64), f32> = refs
        .iter()
        .zip(&ranked)
        .filter_map(|(r, (_, s))| r.as_deref().and_then(turn_ref).map(|k| (k, *s)))
        .collect();
    let mut out: Vec<(String, f32)> = ranked
        .iter()
        .zip(&refs)
        .map(|((rel, s), r)| {
            let extra = r.as_deref().and_then(turn_ref).map_or(0.0, |(p, n)| {
                by_ref.get(&(p, n - 1)).copied().unwrap_or(0.0)
                    + by_ref.get(&(p, n + 1)).copied().unwrap_or(0.0)
            });
            (rel.clone(), s + w * extra)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The entry at `rel`, read and parsed once per query: `parsed` keeps it
/// for the tier-3 features and the hits.
fn entry_at<'a>(
    tree: &Tree,
    parsed: &'a mut std::collections::HashMap<String, Entry>,
    rel: &str,
) -> Option<&'a Entry> {
    if !parsed.contains_key(rel) {
        let path = tree.abs(rel);
        let text = std::fs::read_to_string(&path).ok()?;
        let e = Entry::parse_at(&text, rel, crate::fsutil::mtime_secs(&path)).ok()?;
        parsed.insert(rel.to_string(), e);
    }
    parsed.get(rel)
}

/// Tier 3, usage signals (see [`Tuning::access`]) over the head of the
/// list ([`LOOKALIKE_WINDOW`] candidates).
fn usage(
    tree: &Tree,
    ranked: Vec<(String, f32)>,
    tune: &Tuning,
    now: Option<i64>,
    parsed: &mut std::collections::HashMap<String, Entry>,
) -> Vec<(String, f32)> {
    let signals = crate::signals::Signals::load(tree);
    // The time of asking (an eval's question date), else the clock.
    let now = now.unwrap_or_else(|| crate::time::now().as_second());
    let mut out = ranked;
    for (rel, score) in out.iter_mut().take(LOOKALIKE_WINDOW) {
        let Some(e) = entry_at(tree, parsed, rel) else {
            continue;
        };
        let a = signals.get(&e.meta.id);
        let imp = crate::signals::importance(e, a);
        let acc = (1.0 + a.map_or(0, |a| a.n) as f32).ln() / 11f32.ln();
        let rec = crate::signals::recency(e, a, imp, now) as f32;
        *score *= 1.0
            + tune.access * acc.min(1.0)
            + tune.recency * rec
            + tune.importance * (f32::from(imp) - 50.0) / 50.0;
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Candidates the newer look-alike rule compares (the head of the list).
const LOOKALIKE_WINDOW: usize = 20;

/// Tier 3, newer look-alike: among the first [`LOOKALIKE_WINDOW`]
/// candidates that are not events, one whose statement has the same subject as a newer one and
/// shares words with it beyond the subject, but lost a value the newer one
/// replaced ("Host atlas8 has 32 GB of RAM" / later "Host atlas8 has 64 GB
/// of RAM"), loses `w` of its score; one in `past` (superseded already)
/// keeps it for its successor.
fn newer_lookalike(
    tree: &Tree,
    ranked: Vec<(String, f32)>,
    w: f32,
    past: &std::collections::HashSet<String>,
    parsed: &mut std::collections::HashMap<String, Entry>,
    flagged: &mut std::collections::HashMap<String, String>,
) -> Vec<(String, f32)> {
    // Events (conversation turns, things that happened) do not go stale:
    // an older one is history, not a replaced value.
    let info: Vec<Option<(crate::text::Analysis, i64)>> = ranked
        .iter()
        .take(LOOKALIKE_WINDOW)
        .map(|(rel, _)| {
            let e = entry_at(tree, parsed, rel).filter(|e| e.meta.kind != "event")?;
            let a = crate::text::Analysis::new(e.statement());
            a.subject.as_ref()?;
            Some((a, e.start()?))
        })
        .collect();
    // The window's entries (path, entry), read once.
    let window: Vec<Option<(String, Entry)>> = ranked
        .iter()
        .take(LOOKALIKE_WINDOW)
        .map(|(rel, _)| {
            let e = entry_at(tree, parsed, rel)?.clone();
            Some((rel.trim_end_matches(".md").to_string(), e))
        })
        .collect();
    // An agent's change held for review beside a person's entry makes
    // nothing outdated until a person accepts it; it ranks as one that is.
    let held: Vec<bool> = window
        .iter()
        .map(|x| {
            x.as_ref()
                .is_some_and(|(_, e)| crate::quarantine::in_review(e))
        })
        .collect();
    // Pairs a person kept apart (`mem restore --unsupersede`): neither
    // makes the other outdated.
    let apart = |i: usize, j: usize| match (&window[i], &window[j]) {
        (Some((pi, ei)), Some((pj, ej))) => crate::entry::kept_apart(ei, pi, ej, pj),
        _ => false,
    };
    let mut out = ranked;
    for (i, h) in held.iter().enumerate() {
        if *h {
            out[i].1 *= 1.0 - w;
        }
    }
    for i in 0..info.len() {
        let Some((old, t_old)) = &info[i] else {
            continue;
        };
        if past.contains(&out[i].0) {
            continue;
        }
        let newer = info.iter().enumerate().find(|(j, other)| {
            let Some((new, t_new)) = other else {
                return false;
            };
            *j != i
                && !held[*j]
                && !apart(i, *j)
                && t_new > t_old
                && crate::text::same_attribute_changed(new, old)
        });
        if let Some((j, _)) = newer {
            out[i].1 *= 1.0 - w;
            flagged.insert(out[i].0.clone(), out[j].0.clone());
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn cache_key(q: &Query, generation: u64, embedder: Option<&str>, reranker: &str) -> String {
    let norm = crate::entry::normalize(&q.text);
    // Relative dates resolve against the time of asking: the key holds
    // what they resolved to.
    let norm = format!("{norm}\u{0}{:?}\u{0}{:?}", q.tuning, q.spans());
    // The embedder is part of the key: a client without one (or with
    // another) must not be served tier-2 results it could not produce.
    let opts = serde_json::to_string(&(
        q.k,
        q.max_tier,
        &q.scope,
        q.since,
        q.until,
        q.history,
        q.archived,
        q.quarantined,
        embedder,
        &q.kind,
        q.as_of,
        // Tier 4's model orders the hits: another model, another key.
        (q.max_tier >= 4).then_some(reranker),
    ))
    .unwrap_or_default();
    // Another release of mem may rank differently: its version is part of
    // the key too.
    let version = env!("CARGO_PKG_VERSION");
    blake3::hash(format!("{version}\u{0}{generation}\u{0}{norm}\u{0}{opts}").as_bytes()).to_hex()
        [..32]
        .to_string()
}

/// One cached answer: `.mem/state/recall-cache/<key>.json`. One small file
/// per query, so a hit reads (and a miss writes) only its own answer.
#[derive(Serialize, Deserialize)]
struct CacheItem {
    generation: u64,
    hits: Vec<Hit>,
    stats: Stats,
}

/// Answers kept per generation before the cache folder is cleared.
const CACHE_SIZE: usize = 256;

fn cache_dir(tree: &Tree) -> std::path::PathBuf {
    tree.state_dir().join("recall-cache")
}

fn cache_get(tree: &Tree, key: &str, generation: u64) -> Option<(Vec<Hit>, Stats)> {
    let bytes = std::fs::read(cache_dir(tree).join(format!("{key}.json"))).ok()?;
    let c: CacheItem = serde_json::from_slice(&bytes).ok()?;
    (c.generation == generation).then_some((c.hits, c.stats))
}

/// Stores an answer. `generation` in the folder holds the index generation
/// and a count of answers: a new generation (or too many answers) clears
/// the folder first, since keys of older generations can never hit again.
fn cache_put(tree: &Tree, key: String, generation: u64, hits: &[Hit], stats: &Stats) {
    let dir = cache_dir(tree);
    let meta = dir.join("generation");
    let (g, n) = std::fs::read_to_string(&meta)
        .ok()
        .and_then(|t| {
            let (g, n) = t.trim().split_once(' ')?;
            Some((g.parse::<u64>().ok()?, n.parse::<usize>().ok()?))
        })
        .unwrap_or((0, 0));
    let n = if g != generation || n >= CACHE_SIZE {
        let _ = std::fs::remove_dir_all(&dir);
        // The single-file cache of earlier versions.
        let _ = std::fs::remove_file(tree.state_dir().join("recall-cache.json"));
        0
    } else {
        n
    };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let _ = std::fs::write(&meta, format!("{generation} {}", n + 1));
    let item = CacheItem {
        generation,
        hits: hits.to_vec(),
        stats: stats.clone(),
    };
    if let Ok(bytes) = serde_json::to_vec(&item) {
        let _ = crate::fsutil::replace_file(&dir.join(format!("{key}.json")), &bytes);
    }
}

/// Runs a query through the tiers: catches the index up, then `recall_with`.
///
/// When the query may reach tier 2, its BM25 hits on the index as last
/// written (before the catch-up walk) predict whether it will escalate; if
/// so the embedder loads on another thread while the tree is walked, so the
/// model load (~45 ms) and the walk (~25 ms on 10k entries) overlap. The
/// answer itself always comes from the caught-up index.
pub fn recall(tree: &Tree, models: &Models, q: &Query) -> Result<(Vec<Hit>, Stats)> {
    let t0 = Instant::now();
    let prefetched = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let prefetch = |text: &crate::index::text::TextIndex, generation: u64| {
            if q.max_tier < 2 || !q.tuning.prefetch {
                return;
            }
            let Some(id) = models.embedder_id() else {
                return;
            };
            // Served from the tier-0 cache if nothing changed, or the query
            // vector is cached: no model needed.
            let cached = cache_get(
                tree,
                &cache_key(q, generation, Some(&id), models.reranker_spec()),
                generation,
            )
            .is_some()
                || models.query_cache_id().is_some_and(|ns| {
                    crate::index::embcache::lookup(&ns, 0, &[q.text.as_str()])[0].is_some()
                });
            if !cached
                && lexical(text, q).is_ok_and(|(lex, _)| {
                    escalation(text, q, &lex, &q.tuning, owners(tree)).is_some()
                })
            {
                crate::trace::mark("recall: embedder prefetch");
                prefetched.store(true, std::sync::atomic::Ordering::Relaxed);
                scope.spawn(|| {
                    let _ = models.embedder();
                });
            }
        };
        let load = || models.embedder();
        let opts = OpenOptions {
            embedder_id: models.embedder_id(),
            embedder: &load,
            // a bar on a terminal when 50+ entries wait (a `git pull`, a
            // rebuild after an upgrade): seconds to minutes otherwise silent
            progress: true,
            force_rebuild: false,
            before_walk: Some(&prefetch),
            need_vectors: q.max_tier >= 2,
        };
        let (idx, catchup) = MemIndex::open(tree, &opts)?;
        let catchup_ms = ms(t0);
        let (hits, mut stats) = recall_with(tree, models, &idx, catchup.generation, q)?;
        stats.catchup_ms = catchup_ms;
        stats.broken = catchup.broken;
        stats.total_ms = ms(t0);
        stats.prefetched = prefetched.load(std::sync::atomic::Ordering::Relaxed);
        Ok((hits, stats))
    })
}

/// The query's embedding: from the embedding cache when the same query text
/// was embedded before by the same model file (no model load), else from
/// the embedder, then cached. None when there is no embedder.
fn query_vector(models: &Models, dim: usize, text: &str) -> Result<Option<(Vec<f32>, bool)>> {
    let ns = models.query_cache_id();
    if let Some(ns) = &ns
        && let Some(v) = crate::index::embcache::lookup(ns, dim, &[text]).remove(0)
    {
        crate::trace::mark("recall: query vector cached");
        return Ok(Some((v, true)));
    }
    let Some(emb) = models.embedder()? else {
        return Ok(None);
    };
    crate::trace::mark("recall: embedder loaded");
    let v = emb.embed(&[text])?.remove(0);
    crate::trace::mark("recall: query vector computed");
    if let Some(ns) = &ns {
        crate::index::embcache::store(ns, &[(text, &v)]);
    }
    Ok(Some((v, false)))
}

/// Meaningless texts: every embedder puts some distance between them and
/// a real question, whatever its own scale of cosines.
pub const NULL_ANCHORS: [&str; 8] = [
    "asdf qwerty zxcv",
    "lorem ipsum dolor sit amet",
    "xyz abc 123",
    "blah blah blah",
    "foo bar baz",
    "test",
    "hmm ok",
    "...",
];

/// How close meaningless text comes to the query: the best cosine between
/// the query vector and [`NULL_ANCHORS`]. A candidate that only the vector
/// search found, and that is no closer than this, matches the query no
/// better than gibberish does: it is not shown, so a query with no real
/// match finds nothing (exit 1) instead of the nearest entries whatever
/// they are. The anchors' vectors live in the query-vector cache (one
/// embedding per model, ever).
fn null_floor(models: &Models, dim: usize, query: &str, qv: &[f32]) -> Result<Option<f32>> {
    let Some(ns) = models.query_cache_id() else {
        return Ok(None);
    };
    let mut vs = crate::index::embcache::lookup(&ns, dim, &NULL_ANCHORS);
    if vs.iter().any(Option::is_none) {
        let Some(emb) = models.embedder()? else {
            return Ok(None);
        };
        let fresh = emb.embed(&NULL_ANCHORS)?;
        let items: Vec<(&str, &Vec<f32>)> = NULL_ANCHORS.iter().copied().zip(&fresh).collect();
        crate::index::embcache::store(&ns, &items);
        vs = fresh.into_iter().map(Some).collect();
    }
    // An anchor that shares a word with the query ("test") says nothing
    // about how far meaningless text is from it.
    let words: std::collections::HashSet<String> = query_words(query, 1).into_iter().collect();
    Ok(NULL_ANCHORS
        .iter()
        .zip(&vs)
        .filter(|(a, _)| {
            !a.split(|c: char| !c.is_alphanumeric())
                .any(|w| words.contains(w))
        })
        .filter_map(|(_, v)| v.as_ref())
        .map(|v| v.iter().zip(qv).map(|(a, b)| a * b).sum::<f32>())
        .reduce(f32::max))
}

/// The upper time bound of the index filter: `--until`, and with
/// `--as-of` nothing that started later.
fn until(q: &Query) -> Option<i64> {
    match (q.until, q.as_of) {
        (Some(u), Some(a)) => Some(u.min(a)),
        (u, a) => u.or(a),
    }
}

/// When the entry at `path` stopped being current, if it had by `at`
/// (seconds; `None`: now, whatever the times), and `None` while it still
/// holds:
/// - a live entry that supersedes it ends it at that entry's time
///   (observed, else created): the earliest such;
/// - else its own `valid_to` does, unless only forgotten entries ever
///   superseded it (the `valid_to` a supersede wrote is void once the
///   newer entry is forgotten: the old fact is current again).
pub fn ended(
    text: &crate::index::text::TextIndex,
    path: &str,
    entry: &Entry,
    at: Option<i64>,
) -> Result<Option<i64>> {
    let live = text.superseders(path, &entry.meta.id, true)?;
    let end = if let Some((_, t)) = live.first() {
        // No time in the index: ended since always.
        Some(t.unwrap_or(i64::MIN))
    } else {
        match entry.meta.valid_to.as_deref().and_then(crate::time::secs) {
            Some(t) if text.superseders(path, &entry.meta.id, false)?.is_empty() => Some(t),
            _ => None,
        }
    };
    Ok(match (end, at) {
        (Some(e), Some(at)) => (e <= at).then_some(e),
        (Some(e), None) if live.is_empty() => (e <= crate::time::now().as_second()).then_some(e),
        (e, None) => e,
        (None, _) => None,
    })
}

/// The entry that replaced the superseded one at `path` by `at` (the
/// earliest live superseder by then; `None`: the earliest), if it passes
/// `filter`. It may itself be superseded: the caller follows the chain.
fn successor(
    text: &crate::index::text::TextIndex,
    path: &str,
    entry: &Entry,
    at: Option<i64>,
    filter: &Filter,
) -> Result<Option<String>> {
    let live = text.superseders(path, &entry.meta.id, true)?;
    for (rel, t) in live {
        if crate::index::text::in_effect_by(t, at) && text.passes(&rel, filter)? {
            return Ok(Some(rel));
        }
    }
    Ok(None)
}

/// A lexical candidate: entry, vector key, BM25 score.
type Candidate = (String, u64, f32);

/// Tier 1: BM25 over the query (function words dropped unless tuned off).
/// Also the entries that name the query's identifiers, if it has any
/// (they stay ahead of the rest through the later tiers).
fn lexical(
    text: &crate::index::text::TextIndex,
    q: &Query,
) -> Result<(Vec<Candidate>, std::collections::HashSet<String>)> {
    let tune = q.tuning;
    let lex_text = if tune.stopwords {
        lexical_query(&q.text)
    } else {
        q.text.clone()
    };
    let filter = Filter {
        scope: q.scope.clone(),
        include_archived: q.archived,
        since: q.since,
        until: until(q),
        kind: q.kind.clone(),
    };
    let hits = text.search(&lex_text, &filter, depth(q.k))?;
    // A thing named by an identifier ("Which OS does host metis7 run?"):
    // the entries that name it come first, whatever the other hosts'
    // entries share with the question's other words.
    let ids = crate::text::query_identifiers(&q.text);
    if ids.is_empty() {
        return Ok((hits, Default::default()));
    }
    let words: Vec<&str> = ids.iter().map(String::as_str).collect();
    let named = text.search_requiring(&words, &lex_text, &filter, depth(q.k))?;
    if named.is_empty() {
        return Ok((hits, Default::default()));
    }
    let top = hits.first().map_or(0.0, |h| h.2);
    let mut out: Vec<(String, u64, f32)> = named
        .into_iter()
        .map(|(rel, key, score)| (rel, key, score + top))
        .collect();
    let n_named = out.len();
    for h in hits {
        if !out.iter().any(|o| o.0 == h.0) {
            out.push(h);
        }
    }
    out.truncate(depth(q.k));
    let names = out.iter().take(n_named).map(|o| o.0.clone()).collect();
    Ok((out, names))
}

/// Runs a query through the tiers on an index that is already open and
/// caught up to `generation` (in-process recall and `mem watch` share it).
/// `catchup_ms` is left at 0 for the caller to fill in.
pub fn recall_with(
    tree: &Tree,
    models: &Models,
    idx: &MemIndex,
    generation: u64,
    q: &Query,
) -> Result<(Vec<Hit>, Stats)> {
    let t0 = Instant::now();
    let mut stats = Stats {
        generation,
        ..Default::default()
    };
    crate::trace::mark("recall: index ready");
    let key = cache_key(
        q,
        generation,
        models.embedder_id().as_deref(),
        models.reranker_spec(),
    );
    crate::trace::mark("recall: cache key");
    let debug = q.debug_dump.as_deref();
    let dumping = debug.is_some() || (q.max_tier >= 4 && q.rerank_dump.is_some());
    if let Some((hits, mut s)) = cache_get(tree, &key, generation).filter(|_| !dumping) {
        s.cached = true;
        s.catchup_ms = 0.0;
        s.total_ms = ms(t0);
        return Ok((hits, s));
    }
    if q.max_tier == 0 {
        stats.total_ms = ms(t0);
        return Ok((Vec::new(), stats));
    }
    let filter = Filter {
        scope: q.scope.clone(),
        include_archived: q.archived,
        since: q.since,
        until: until(q),
        kind: q.kind.clone(),
    };
    // Tier 4 reads more candidates than are shown.
    let want = if q.max_tier >= 4 {
        q.k.max(q.tuning.rerank_n)
    } else {
        q.k
    };
    let n = depth(want);
    let t1 = Instant::now();
    crate::trace::mark("recall: cache missed");
    let tune = q.tuning;
    let (lex, named) = lexical(&idx.text, q)?;
    // A query that is only a time lists that time's entries instead.
    let window = time_window(&idx.text, q, &filter, n)?;
    let only_time = window.is_some();
    let lex = window.unwrap_or(lex);
    crate::trace::mark("recall: lexical");
    stats.lexical_ms = ms(t1);
    stats.tier = 1;
    // rel -> fused score
    let mut ranked: Vec<(String, f32)> = lex.iter().map(|(rel, _, s)| (rel.clone(), *s)).collect();
    // Vector-only candidates below the null floor: not shown.
    let mut weak: std::collections::HashSet<String> = std::collections::HashSet::new();
    if only_time {
        stats.escalated = Some("the query names only a time: its entries, newest first".into());
    } else if q.max_tier >= 2 && idx.vectors.as_ref().is_some_and(|v| !v.is_empty()) {
        let gate = if tune.always_fuse {
            Some("always fused".to_string())
        } else {
            escalation(&idx.text, q, &lex, &tune, owners(tree))
        };
        if let Some(reason) = gate {
            let t2 = Instant::now();
            let dim = idx.vectors.as_ref().map_or(0, |v| v.dim());
            if let Some((qv, cached)) = query_vector(models, dim, &q.text)? {
                crate::trace::mark("recall: query embedded");
                stats.query_vector_cached = cached;
                // A kind filter drops most neighbours: look further.
                let wide = if q.kind.is_some() { n * 10 } else { n * 2 };
                let sem = idx.vectors.as_ref().unwrap().search(&qv, wide)?;
                crate::trace::mark("recall: vectors searched");
                let keys: Vec<u64> = sem.iter().map(|(k, _)| *k).collect();
                let allowed = idx.text.by_keys(&keys, &filter)?;
                crate::trace::mark("recall: vector hits resolved");
                // The semantic list: (entry, cosine), best first, filters applied.
                let sem_s: Vec<(String, f32)> = sem
                    .iter()
                    .filter_map(|(k, s)| allowed.get(k).map(|r| (r.clone(), *s)))
                    .take(n)
                    .collect();
                if let Some(p) = debug {
                    debug_dump(tree, p, &q.text, &lex, &sem_s);
                }
                if tune.floor
                    && let Some(floor) = null_floor(models, dim, &q.text, &qv)?
                {
                    stats.floor = Some(floor);
                    let lexical: std::collections::HashSet<&str> =
                        lex.iter().map(|(r, _, _)| r.as_str()).collect();
                    weak = sem_s
                        .iter()
                        .filter(|(r, c)| *c <= floor && !lexical.contains(r.as_str()))
                        .map(|(r, _)| r.clone())
                        .collect();
                    crate::trace::mark("recall: null floor");
                }
                // `ranked` still holds the lexical list with BM25 scores.
                ranked = if tune.convex {
                    convex(&ranked, &sem_s, tune.alpha)
                } else {
                    let rels =
                        |l: &[(String, f32)]| l.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>();
                    rrf(&rels(&ranked), &rels(&sem_s), tune.w_lex, tune.w_sem)
                };
                stats.tier = 2;
                stats.escalated = Some(reason);
            }
            stats.semantic_ms = ms(t2);
        }
    }
    // Tier 3: structure. It produced the ranking only if it reordered what
    // is shown.
    let shown = |r: &[(String, f32)]| {
        r.iter()
            .take(q.k)
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>()
    };
    let before = shown(&ranked);
    if q.max_tier >= 3 && ranked.len() > 1 && !only_time {
        ranked = time_and_speaker(&idx.text, q, &tune, owners(tree), ranked, stats.tier >= 2)?;
    }
    let mut parsed: std::collections::HashMap<String, Entry> = std::collections::HashMap::new();
    if q.max_tier >= 3 && tune.neighbours > 0.0 && ranked.len() > 1 && !only_time {
        ranked = neighbour_boost(tree, ranked, tune.neighbours, &mut parsed);
    }
    // Candidates a live entry superseded (by `--as-of`): hidden below, and
    // their successors take their places.
    let mut past = std::collections::HashSet::new();
    if q.max_tier >= 3 && ranked.len() > 1 && (tune.newer > 0.0 || tune.topic_boost > 0.0) {
        let rels: Vec<&str> = ranked.iter().map(|(r, _)| r.as_str()).collect();
        past = idx.text.superseded_among(&rels, q.as_of)?;
    }
    // Hits a newer look-alike may replace: flagged in the output. One
    // already superseded is not: its score goes to its successor whole.
    let mut flagged = std::collections::HashMap::new();
    if q.max_tier >= 3 && tune.newer > 0.0 && ranked.len() > 1 {
        ranked = newer_lookalike(tree, ranked, tune.newer, &past, &mut parsed, &mut flagged);
    }
    if q.max_tier >= 3 && tune.uses_signals() && ranked.len() > 1 && !only_time {
        ranked = usage(tree, ranked, &tune, q.now, &mut parsed);
    }
    if q.max_tier >= 3 && tune.topic_boost > 0.0 && ranked.len() > 1 && !only_time {
        // A superseded candidate does not make its topic strong: a fact
        // changed three times is one fact, not four.
        ranked = topic_boost(ranked, tune.topic_boost, tune.topic_top, &past);
    }
    if !named.is_empty() {
        // The entries naming the query's identifier stay first, whatever
        // the boosts gave the others (`sort_by` is stable).
        ranked.sort_by_key(|(r, _)| !named.contains(r));
    }
    if shown(&ranked) != before {
        stats.tier = stats.tier.max(3);
    }
    let mut hits = Vec::new();
    // A superseded candidate hands its place to what replaced it (pushed
    // to the front); each entry is shown once.
    let mut queue: std::collections::VecDeque<(String, f32, Option<String>)> =
        ranked.into_iter().map(|(r, s)| (r, s, None)).collect();
    let mut seen = std::collections::HashSet::new();
    // What tier 4's model reads of each hit.
    let mut notes = Vec::new();
    while let Some((rel, score, replaces)) = queue.pop_front() {
        if hits.len() >= want {
            break;
        }
        if !seen.insert(rel.clone()) {
            continue;
        }
        // (A successor comes in on its predecessor's match, not its own.)
        if replaces.is_none() && weak.contains(&rel) {
            stats.below_floor += 1;
            continue;
        }
        let entry = match parsed.remove(&rel) {
            Some(e) => e,
            None => {
                let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
                    continue;
                };
                let Ok(entry) =
                    Entry::parse_at(&text, &rel, crate::fsutil::mtime_secs(&tree.abs(&rel)))
                else {
                    continue;
                };
                entry
            }
        };
        let archived = rel.starts_with(crate::paths::ARCHIVE_DIR);
        let path = rel
            .strip_prefix("_archive/")
            .unwrap_or(&rel)
            .trim_end_matches(".md")
            .to_string();
        if !q.quarantined && crate::quarantine::is_quarantined(&entry) {
            stats.quarantined += 1;
            continue;
        }
        if let (Some(t), Some(from)) = (
            q.as_of,
            entry.meta.valid_from.as_deref().and_then(crate::time::secs),
        ) && from > t
        {
            continue;
        }
        let superseded = ended(&idx.text, &path, &entry, q.as_of)?.is_some();
        if superseded && !q.history {
            if q.max_tier >= 3 {
                stats.tier = stats.tier.max(3);
                if let Some(next) = successor(&idx.text, &path, &entry, q.as_of, &filter)?
                    && !seen.contains(&next)
                {
                    queue.push_front((next, score, Some(path.clone())));
                }
            }
            continue;
        }
        let mut hit = make_hit(
            hits.len() + 1,
            &path,
            archived,
            superseded,
            &entry,
            score,
            stats.tier,
            &q.text,
        );
        hit.newer = flagged
            .get(&rel)
            .map(|n| n.trim_end_matches(".md").to_string());
        hit.replaces = replaces;
        if q.max_tier >= 4 {
            notes.push(crate::rerank::note_text(&hit.title, entry.body()));
        }
        hits.push(hit);
    }
    if q.max_tier >= 4 {
        hits = tier4(models, q, hits, &notes, &mut stats)?;
    }
    for h in hits.iter_mut() {
        h.tier = stats.tier;
    }
    stats.total_ms = ms(t0);
    crate::trace::mark("recall: hits read");
    // Tier 4 without its configured model is not kept: the model may be
    // downloaded before the index changes again.
    if stats.rerank_note.is_none() {
        cache_put(tree, key, generation, &hits, &stats);
    }
    crate::trace::mark("recall: cached");
    Ok((hits, stats))
}

/// Tier 4: the model reads the candidates (`crate::rerank`) and the hits
/// are reordered by its judgement fused with tier 3's order, then cut to
/// `k`. Without a model the tier-3 order stands (`rerank_note` says
/// why).
fn tier4(
    models: &Models,
    q: &Query,
    mut hits: Vec<Hit>,
    notes: &[String],
    stats: &mut Stats,
) -> Result<Vec<Hit>> {
    let model = if hits.len() > 1 {
        let r = models.reranker()?;
        stats.rerank_note = match (&r.model, r.notice) {
            (Some(_), n) => n,
            (None, n) => Some(format!(
                "no model for tier 4 (models.reranker = {}{}); tier 3's order stands",
                models.reranker_spec(),
                n.map(|n| format!(": {n}")).unwrap_or_default()
            )),
        };
        r.model
    } else {
        None
    };
    if let Some(m) = model {
        let t = Instant::now();
        // The best `rerank_n` are read; the rest keep their places after them.
        let rest = hits.split_off(hits.len().min(q.tuning.rerank_n.max(1)));
        let notes = &notes[..hits.len()];
        let margins = crate::rerank::margins(m.as_ref(), &q.text, notes)?;
        if let Some(p) = &q.rerank_dump {
            let line = serde_json::json!({
                "query": q.text,
                "paths": hits.iter().map(|h| h.path.as_str()).collect::<Vec<_>>(),
                "sources": hits.iter().map(|h| &h.source).collect::<Vec<_>>(),
                "scores": hits.iter().map(|h| h.score).collect::<Vec<_>>(),
                "margins": margins,
            });
            append_line(p, &line);
        }
        let order = crate::rerank::fused_order(&margins, q.tuning.rerank_w);
        let mut slots: Vec<Option<Hit>> = hits.into_iter().map(Some).collect();
        hits = order.iter().filter_map(|&i| slots[i].take()).collect();
        hits.extend(rest);
        stats.reranked = notes.len();
        stats.rerank_ms = ms(t);
        stats.tier = 4;
        stats.escalated = Some(match stats.escalated.take() {
            Some(r) => format!("{r}; tier 4 asked for"),
            None => "tier 4 asked for".into(),
        });
    }
    hits.truncate(q.k);
    for (i, h) in hits.iter_mut().enumerate() {
        h.rank = i + 1;
    }
    Ok(hits)
}

/// The entries of the time a query names, when it names nothing else
/// ("what did I do yesterday?", "notes from 3 December 2026"): no word of
/// it would match them. Newest first, scored in that order; `None` for
/// any other query.
fn time_window(
    text: &crate::index::text::TextIndex,
    q: &Query,
    filter: &Filter,
    n: usize,
) -> Result<Option<Vec<Candidate>>> {
    if !crate::when::only_a_time(&q.text) {
        return Ok(None);
    }
    let now = q
        .now
        .or(q.as_of)
        .unwrap_or_else(|| crate::time::now().as_second());
    let spans = match crate::when::day_of(now) {
        Some(today) => crate::when::listing_spans(&q.text, today),
        None => Vec::new(),
    };
    if spans.is_empty() {
        return Ok(None);
    }
    let mut found: Vec<(String, u64, i64)> = Vec::new();
    for s in spans {
        let Some((lo, hi)) = crate::when::secs_of(s) else {
            continue;
        };
        let f = Filter {
            since: Some(filter.since.map_or(lo, |x| x.max(lo))),
            until: Some(filter.until.map_or(hi, |x| x.min(hi))),
            ..filter.clone()
        };
        if f.since > f.until {
            continue;
        }
        found.extend(text.newest(&f, n)?);
    }
    found.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    found.dedup_by(|a, b| a.0 == b.0);
    found.truncate(n);
    let len = found.len() as f32;
    Ok(Some(
        found
            .into_iter()
            .enumerate()
            .map(|(i, (rel, key, _))| (rel, key, 1.0 - i as f32 / (len + 1.0)))
            .collect(),
    ))
}

/// Why tier 1 alone will not do: BM25 is not confident (`confident`), the
/// query names a time (only tier 3 can weigh it), or it asks in the first
/// person about a conversation with the user (BM25 cannot see whose turn
/// matches "I"). `None`: tier 1 answers.
fn escalation(
    text: &crate::index::text::TextIndex,
    q: &Query,
    lex: &[(String, u64, f32)],
    tune: &Tuning,
    owners: &[String],
) -> Option<String> {
    if let Some(why) = confident(lex, q.k) {
        return Some(why);
    }
    if tune.time_boost > 0.0 && !q.spans().is_empty() {
        return Some("the query names a time".into());
    }
    if tune.user_boost > 0.0 && crate::when::first_person(&q.text) {
        let rels: Vec<&str> = lex.iter().map(|(r, _, _)| r.as_str()).collect();
        let has_user = text
            .meta(&rels)
            .is_ok_and(|m| m.values().any(|d| is_owner(d.speaker.as_deref(), owners)));
        if has_user {
            return Some("first-person query over conversation turns".into());
        }
    }
    None
}

/// Tier 3, time- and speaker-aware re-scoring: when the query names a
/// time, each candidate gains `time_boost` × how well its observed day
/// fits; when it asks in the first person, turns spoken by the user gain
/// `user_boost`. Both add to fused scores in [0, 1]; a tier-1 ranking
/// (`fused` false: raw BM25 scores) is min-max normalised first.
fn time_and_speaker(
    text: &crate::index::text::TextIndex,
    q: &Query,
    tune: &Tuning,
    owners: &[String],
    ranked: Vec<(String, f32)>,
    fused: bool,
) -> Result<Vec<(String, f32)>> {
    let spans = if tune.time_boost > 0.0 {
        q.spans()
    } else {
        Vec::new()
    };
    let user = tune.user_boost > 0.0 && crate::when::first_person(&q.text);
    if spans.is_empty() && !user {
        return Ok(ranked);
    }
    let rels: Vec<&str> = ranked.iter().map(|(r, _)| r.as_str()).collect();
    let meta = text.meta(&rels)?;
    let ranked = if fused {
        ranked
    } else {
        convex(&ranked, &[], 0.0)
    };
    Ok(rescore(ranked, &meta, &spans, user.then_some(owners), tune))
}

/// The arithmetic of `time_and_speaker`, on known candidate metadata.
fn rescore(
    ranked: Vec<(String, f32)>,
    meta: &std::collections::HashMap<String, crate::index::text::DocMeta>,
    spans: &[crate::when::Span],
    owners: Option<&[String]>,
    tune: &Tuning,
) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = ranked
        .into_iter()
        .map(|(r, s)| {
            let m = meta.get(&r);
            let mut s = s;
            if !spans.is_empty() {
                let day = m.and_then(|m| m.time).and_then(crate::when::day_of);
                if let Some(day) = day {
                    s += tune.time_boost * crate::when::proximity(day, spans, tune.time_after);
                }
            }
            if let Some(owners) = owners
                && is_owner(m.and_then(|m| m.speaker.as_deref()), owners)
            {
                s += tune.user_boost;
            }
            (r, s)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The speaker names of the memory's owner in conversations
/// (`recall.owner_speakers`): a first-person query is about their turns.
fn owners(tree: &Tree) -> &[String] {
    &tree.config.recall.owner_speakers
}

fn is_owner(speaker: Option<&str>, owners: &[String]) -> bool {
    speaker.is_some_and(|s| owners.iter().any(|o| o == s))
}

/// Experiments only (`Query::debug_dump`): appends both candidate
/// lists with scores and each candidate's ref, speaker and date.
fn debug_dump(
    tree: &Tree,
    path: &std::path::Path,
    q: &str,
    lex: &[(String, u64, f32)],
    sem: &[(String, f32)],
) {
    let info = |rel: &str, s: f32| {
        let e = std::fs::read_to_string(tree.abs(rel))
            .ok()
            .and_then(|t| Entry::parse(&t).ok());
        let r = e.as_ref().and_then(|e| e.meta.source.reference.clone());
        let sp = e.as_ref().and_then(|e| e.meta.source.speaker.clone());
        let ob = e.as_ref().and_then(|e| e.meta.observed.clone());
        serde_json::json!([r, s, sp, ob])
    };
    let l: Vec<_> = lex.iter().map(|(r, _, s)| info(r, *s)).collect();
    let v: Vec<_> = sem.iter().map(|(r, s)| info(r, *s)).collect();
    append_line(path, &serde_json::json!({"q": q, "lex": l, "sem": v}));
}

/// Experiments only: appends `value` as one JSON line to `path` (a
/// failure to write loses the line, not the recall).
fn append_line(path: &std::path::Path, value: &serde_json::Value) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(format!("{value}\n").as_bytes());
    }
}

/// Min-max normalised convex combination: `(1 - alpha)·lex + alpha·sem`,
/// each list scaled to [0, 1] over its own candidates (a document missing
/// from a list gets 0 from it).
fn convex(lex: &[(String, f32)], sem: &[(String, f32)], alpha: f32) -> Vec<(String, f32)> {
    let mut scores: std::collections::HashMap<&str, f32> = std::collections::HashMap::new();
    for (list, w) in [(lex, 1.0 - alpha), (sem, alpha)] {
        let (Some(hi), Some(lo)) = (
            list.iter().map(|x| x.1).reduce(f32::max),
            list.iter().map(|x| x.1).reduce(f32::min),
        ) else {
            continue;
        };
        // Min-max over a long list; over a short one the floor moves
        // towards 0, so that a list's best hit keeps its evidence: alone,
        // it scores 1 (a plain min-max gave it 0, and a lone BM25 hit lost
        // to any vector neighbour); from five items on, plain min-max.
        let lo = if lo > 0.0 {
            lo * ((list.len() - 1) as f32 / (FULL_SPAN_AT - 1) as f32).min(1.0)
        } else {
            lo
        };
        let span = (hi - lo).max(1e-9);
        for (r, s) in list {
            *scores.entry(r.as_str()).or_default() += w * (s - lo) / span;
        }
    }
    let mut v: Vec<(String, f32)> = scores
        .into_iter()
        .map(|(r, s)| (r.to_string(), s))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// From this many candidates on, a list is min-max normalised as it is.
const FULL_SPAN_AT: usize = 5;

/// Topic aggregation: a candidate gains `w` × (the summed scores of the best
/// `top` candidates in the same folder, less its own) (`a/b/c.md` → `a/b`);
/// candidates in `past` (superseded) add nothing to their folder. Uses the
/// paths only: no entry is read.
fn topic_boost(
    ranked: Vec<(String, f32)>,
    w: f32,
    top: usize,
    past: &std::collections::HashSet<String>,
) -> Vec<(String, f32)> {
    let folder = |r: &str| r.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let mut per: std::collections::HashMap<String, Vec<f32>> = std::collections::HashMap::new();
    for (r, s) in &ranked {
        if !past.contains(r) {
            per.entry(folder(r)).or_default().push(*s);
        }
    }
    // `ranked` is sorted, so each folder's list is best first.
    let agg: std::collections::HashMap<String, f32> = per
        .into_iter()
        .map(|(k, v)| (k, v.iter().take(top).sum::<f32>()))
        .collect();
    let mut out: Vec<(String, f32)> = ranked
        .into_iter()
        .map(|(r, s)| {
            let a = agg.get(&folder(&r)).copied().unwrap_or(s);
            (r, s + w * (a - s).max(0.0))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn rrf(lex: &[String], sem: &[String], w_lex: f32, w_sem: f32) -> Vec<(String, f32)> {
    let mut scores: std::collections::HashMap<&str, f32> = std::collections::HashMap::new();
    for (list, w) in [(lex, w_lex), (sem, w_sem)] {
        for (i, r) in list.iter().enumerate() {
            *scores.entry(r.as_str()).or_default() += w / (RRF_K + i as f32 + 1.0);
        }
    }
    let mut v: Vec<(String, f32)> = scores
        .into_iter()
        .map(|(r, s)| (r.to_string(), s))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

#[allow(clippy::too_many_arguments)]
fn make_hit(
    rank: usize,
    path: &str,
    archived: bool,
    superseded: bool,
    e: &Entry,
    score: f32,
    tier: u8,
    query: &str,
) -> Hit {
    let fm = e.front_matter();
    let get = |k: &str| {
        fm.get(k)
            .map(|v| serde_json::to_value(v).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null)
    };
    let topic = path
        .rsplit_once('/')
        .map(|(t, _)| t.to_string())
        .unwrap_or_default();
    Hit {
        rank,
        path: if archived {
            format!("_archive/{path}")
        } else {
            path.to_string()
        },
        id: e.meta.id.clone(),
        title: crate::guard::hidden(&e.meta.title).into_owned(),
        score,
        tier,
        snippet: snippet(&crate::guard::hidden(snippet_source(e, query)), query, 200),
        kind: e.meta.kind.clone(),
        tags: e.meta.tags.clone(),
        observed: e.meta.observed.clone(),
        created: e.meta.created.clone(),
        valid_from: e.meta.valid_from.clone(),
        valid_to: e.meta.valid_to.clone(),
        source: get("source"),
        relations: match get("relations") {
            serde_json::Value::Null => serde_json::json!([]),
            v => v,
        },
        topic,
        archived,
        superseded,
        quarantined: crate::quarantine::is_quarantined(e),
        review: crate::quarantine::in_review(e),
        tree: None,
        newer: None,
        replaces: None,
    }
}

/// The query's words, lower-cased, split at anything not alphanumeric,
/// those of at least `min` bytes.
fn query_words(query: &str, min: usize) -> Vec<String> {
    query
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= min.max(1))
        .map(String::from)
        .collect()
}

/// What a hit's snippet is cut from: the statement, unless only the
/// evidence below it holds a query word (a note's evidence often repeats
/// the statement word for word).
fn snippet_source<'a>(e: &'a Entry, query: &str) -> &'a str {
    let statement = e.statement();
    let words = query_words(query, 3);
    let has = |t: &str| {
        let t = t.to_lowercase();
        words.iter().any(|w| t.contains(w.as_str()))
    };
    if statement.trim().is_empty() || (!has(statement) && has(e.body())) {
        e.body()
    } else {
        statement
    }
}

/// The part of the body around the first query word, at most `max` chars.
pub fn snippet(body: &str, query: &str, max: usize) -> String {
    let plain = plain_text(body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if plain.chars().count() <= max {
        return plain;
    }
    let lower = plain.to_lowercase();
    let start = query_words(query, 3)
        .iter()
        .filter_map(|w| lower.find(w.as_str()))
        .min()
        .unwrap_or(0);
    let chars: Vec<char> = plain.chars().collect();
    let char_start = plain
        .get(..start)
        .map_or(0, |p| p.chars().count())
        .saturating_sub(max / 4);
    let end = (char_start + max).min(chars.len());
    let mut s: String = chars[char_start..end].iter().collect();
    if char_start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_skip_evidence_that_repeats_the_statement() {
        let e = Entry::parse(
            "---\nid: 01J00000000000000000000000\ntitle: t\ncreated: 2026-01-01T00:00:00Z\n---\n\
             The deploy key rotates every 90 days\n\n## Evidence\n> The deploy key rotates every 90 days, said Bob\n",
        )
        .unwrap();
        let s = snippet(snippet_source(&e, "deploy key"), "deploy key", 200);
        assert_eq!(s, "The deploy key rotates every 90 days");
        // A word only the evidence holds: the evidence is shown.
        let s = snippet(snippet_source(&e, "bob"), "bob", 200);
        assert!(s.contains("said Bob"), "{s}");
    }

    fn v(x: &[(&str, f32)]) -> Vec<(String, f32)> {
        x.iter().map(|(r, s)| (r.to_string(), *s)).collect()
    }

    #[test]
    fn convex_fusion_normalises_each_list() {
        let lex = v(&[("a.md", 20.0), ("b.md", 11.0), ("c.md", 10.0)]);
        let sem = v(&[("c.md", 0.9), ("b.md", 0.8), ("d.md", 0.4)]);
        let out = convex(&lex, &sem, 0.4);
        // a: 0.6·1; c: 0.6·0 + 0.4·1; b: 0.6·0.1 + 0.4·0.8; d: 0.
        let names: Vec<&str> = out.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(names, ["a.md", "c.md", "b.md", "d.md"]);
        assert!((out[0].1 - 0.6).abs() < 1e-6);
    }

    #[test]
    fn a_lone_lexical_hit_keeps_its_evidence_in_short_lists() {
        // The quick start's case: one BM25 hit, and vector neighbours among
        // which another entry is closer.
        let lex = v(&[("build.md", 3.2)]);
        let sem = v(&[("ci.md", 0.52), ("build.md", 0.45), ("tea.md", 0.10)]);
        let out = convex(&lex, &sem, 0.4);
        assert_eq!(out[0].0, "build.md", "{out:?}");
        // Any list length from 1 to 20: the best of a list gets its full
        // weight, every score stays in [0, 1], the order within a list is
        // kept, and from five items on it is plain min-max.
        for n in 1..=20usize {
            let list: Vec<(String, f32)> = (0..n)
                .map(|i| (format!("e{i:02}.md"), 10.0 - i as f32 * 0.5))
                .collect();
            let out = convex(&list, &[], 0.0);
            assert!((out[0].1 - 1.0).abs() < 1e-6, "n={n}: {out:?}");
            assert!(out.iter().all(|(_, s)| (0.0..=1.0 + 1e-6).contains(s)));
            let names: Vec<&str> = out.iter().map(|(r, _)| r.as_str()).collect();
            let want: Vec<&str> = list.iter().map(|(r, _)| r.as_str()).collect();
            assert_eq!(names, want, "n={n}");
            // Negative scores (cosines) are plain min-max at any length.
            let neg: Vec<(String, f32)> = list.iter().map(|(r, s)| (r.clone(), s - 20.0)).collect();
            let out_neg = convex(&[], &neg, 1.0);
            assert!(
                out_neg
                    .iter()
                    .all(|(_, s)| (-1e-6..=1.0 + 1e-6).contains(s)),
                "n={n}: {out_neg:?}"
            );
            if n >= FULL_SPAN_AT {
                assert!(out[n - 1].1.abs() < 1e-6, "n={n}: the last is 0");
            } else if n > 1 {
                assert!(out[n - 1].1 > 0.0, "n={n}: the last keeps some evidence");
            }
        }
    }

    #[test]
    fn rescore_weighs_observed_day_and_user_turns() {
        use crate::index::text::DocMeta;
        let day = |d: &str| crate::time::parse(d).unwrap().as_second();
        let meta: std::collections::HashMap<String, DocMeta> = [
            ("a.md", "2023-03-01", "assistant"),
            ("b.md", "2023-03-15", "assistant"),
            ("c.md", "2023-03-01", "user"),
        ]
        .iter()
        .map(|(r, d, sp)| {
            (
                r.to_string(),
                DocMeta {
                    time: Some(day(d)),
                    speaker: Some(sp.to_string()),
                },
            )
        })
        .collect();
        let ranked = v(&[("a.md", 0.9), ("b.md", 0.7), ("c.md", 0.65)]);
        let tune = Tuning::default();
        // "5 days ago", asked on 2023-03-20: b (15 March) gains the full 0.3.
        let q = Query {
            text: "what did the assistant do 5 days ago".into(),
            now: Some(day("2023-03-20T12:00:00Z")),
            ..Default::default()
        };
        let out = rescore(ranked.clone(), &meta, &q.spans(), None, &tune);
        assert_eq!(out[0].0, "b.md");
        assert!((out[0].1 - 1.0).abs() < 1e-6);
        // No time named, first person: the user's turn gains 0.3.
        let user = ["user".to_string()];
        let out = rescore(ranked.clone(), &meta, &[], Some(&user), &tune);
        assert_eq!(out[0].0, "c.md");
        assert!((out[0].1 - 0.95).abs() < 1e-6);
        // Neither: the order stays.
        let out = rescore(ranked, &meta, &[], None, &tune);
        assert_eq!(out[0].0, "a.md");
    }

    #[test]
    fn topic_boost_lifts_candidates_of_strong_topics() {
        let ranked = v(&[
            ("t/x/1.md", 1.0),
            ("t/y/1.md", 0.9),
            ("t/y/2.md", 0.8),
            ("t/y/3.md", 0.7),
        ]);
        let out = topic_boost(ranked.clone(), 0.3, 3, &Default::default());
        // y/1 gains 0.3·(0.8 + 0.7); x/1 is alone in its folder and gains nothing.
        assert_eq!(out[0].0, "t/y/1.md");
        assert!((out[0].1 - 1.35).abs() < 1e-6);
        assert!((out.iter().find(|(r, _)| r == "t/x/1.md").unwrap().1 - 1.0).abs() < 1e-6);
        // Superseded siblings (one fact's history) lend no strength.
        let past = ["t/y/2.md", "t/y/3.md"].map(String::from).into();
        let out = topic_boost(ranked, 0.3, 3, &past);
        assert_eq!(out[0].0, "t/x/1.md");
        assert!((out.iter().find(|(r, _)| r == "t/y/1.md").unwrap().1 - 0.9).abs() < 1e-6);
    }

    #[test]
    fn tier_4_reorders_by_the_model_and_cuts_to_k() {
        let texts = [
            "The cafeteria opens at noon",
            "Lunch menu changes weekly",
            "The billing database moved to Postgres",
        ];
        let mut hits = Vec::new();
        let mut notes = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let e = Entry::parse(&format!(
                "---\nid: 01J0000000000000000000000{i}\ntitle: {t}\ncreated: 2026-01-01T00:00:00Z\n---\n{t}\n"
            ))
            .unwrap();
            hits.push(make_hit(
                i + 1,
                &format!("t/x/{i}"),
                false,
                false,
                &e,
                1.0,
                3,
                "q",
            ));
            notes.push(crate::rerank::note_text(&hits[i].title, e.body()));
        }
        let q = Query {
            text: "where did the billing database move".into(),
            k: 2,
            max_tier: 4,
            tuning: Tuning {
                rerank_w: 0.5,
                ..Default::default()
            },
            ..Default::default()
        };
        let cfg = |r: &str| crate::config::Models {
            reranker: r.into(),
            ..Default::default()
        };
        // The fake model says yes to the share of the question's words a
        // note holds: the billing note (3 of 6) over the cafeteria (1 of 6).
        let mut stats = Stats::default();
        let out = tier4(
            &Models::new(&cfg("fake")),
            &q,
            hits.clone(),
            &notes,
            &mut stats,
        )
        .unwrap();
        let paths: Vec<&str> = out.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["t/x/2", "t/x/0"]);
        assert_eq!(out.iter().map(|h| h.rank).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((stats.tier, stats.reranked), (4, 3));
        // A heavy weight on tier 3's order keeps it.
        let heavy = Query {
            tuning: Tuning {
                rerank_w: 50.0,
                ..Default::default()
            },
            ..q.clone()
        };
        let out = tier4(
            &Models::new(&cfg("fake")),
            &heavy,
            hits.clone(),
            &notes,
            &mut Stats::default(),
        )
        .unwrap();
        assert_eq!(out[0].path, "t/x/0");
        // No model: tier 3's order, cut to k, and why.
        let mut stats = Stats::default();
        let out = tier4(&Models::new(&cfg("none")), &q, hits, &notes, &mut stats).unwrap();
        assert_eq!(
            out.iter().map(|h| h.path.as_str()).collect::<Vec<_>>(),
            ["t/x/0", "t/x/1"]
        );
        assert!(stats.rerank_note.unwrap().contains("no model for tier 4"));
        assert_eq!(stats.reranked, 0);
    }
}

//! Placement (docs/design.md §2 "place"): which `domain/topic` a new
//! statement goes to when `--at` does not say.
//!
//! - Candidate topics come from the index, never from reading the tree:
//!   the BM25 and vector neighbours curation already searched for
//!   ([`crate::index::search::search`]), aggregated by topic, plus the topic names
//!   (the index's scope terms) that share a word with the input. Only the
//!   few best hits of the best topics are read, for their titles.
//! - A deterministic score picks the best topic when it is clearly ahead,
//!   and a new topic when nothing fits. In between, a generator (when one
//!   is available) chooses among the top ≤ 4 topics and "a new topic",
//!   shown compactly (path + entry titles), as a grammar-constrained
//!   letter. Small models favour an option for its position, so the answer
//!   counts only when it is the same with the options in reverse order
//!   (as curation asks it); else the deterministic choice
//!   stands.
//! - A new topic gets a deterministic name from the input's first content
//!   words (`general/<word>-<word>`).

use crate::entry::plain_text;
use crate::index::MemIndex;
use crate::index::search::Searched;
use crate::model::GenRequest;
use crate::model::generate_with_timeout;
use crate::model::select::Models;
use crate::paths::{EntryPath, TopicPath, slugify};
use crate::text::{Analysis, stem};
use crate::tree::{EntryFile, Tree};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Where a statement goes, who decided it and why.
#[derive(Debug, Clone)]
pub struct Placement {
    pub topic: TopicPath,
    /// `flag` (`--at`), `existing` (deterministic: an existing topic is
    /// clearly best), `model` (the generator chose, the same in both option
    /// orders), `new` (nothing fits: a new topic), `default` (no input
    /// words at all: `general/notes`), `chosen` (a person picked it from
    /// the offered topics, see [`offer`]).
    pub placed_by: &'static str,
    pub reason: String,
    /// Generator calls made.
    pub model_calls: usize,
}

/// One candidate topic and the evidence for it.
#[derive(Debug, Clone, Serialize)]
pub struct TopicScore {
    pub topic: String,
    pub score: f32,
    /// Vector evidence: the best neighbour's cosine blended with the
    /// cosine of the topic's centroid (the mean of all its entries'
    /// vectors), see [`Weights::centroid`].
    pub cos: f32,
    /// Best share of the input's content words found in one entry
    /// (title, tags, statement) of the topic.
    pub lex: f32,
    /// The topic's own name shares a word with the input (1), or only its
    /// domain does (0.4).
    pub name: f32,
    /// Entries of the topic among the neighbours.
    pub hits: usize,
    /// Titles of its best hits (shown to the model).
    pub titles: Vec<String>,
    /// Scored with vectors (an embedder): the thresholds of
    /// [`Weights::default`]; without, those of [`Weights::lexical`].
    #[serde(skip)]
    pub vectors: bool,
}

/// Weights and thresholds of the deterministic score. The defaults were
/// tuned on fixtures/placement/dev.jsonl only; `MEM_PLACE_TUNE` (an
/// experiment knob, see [`crate::eval::knobs`]) overrides them.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub cos: f32,
    pub lex: f32,
    /// The words' weight when there are no vectors.
    pub lex_alone: f32,
    pub name: f32,
    pub hits: f32,
    /// Below this nothing fits: a new topic.
    pub none_fits: f32,
    /// At or above this, with `margin` over the runner-up, the best topic
    /// is clearly right.
    pub clear: f32,
    pub margin: f32,
    /// Without a model (or when it is undecided) the best topic is reused
    /// from this score on.
    pub fits: f32,
    /// The share of the topic's centroid cosine in its vector evidence
    /// (the rest is its best neighbour's cosine).
    pub centroid: f32,
    /// In the unclear band the best topic is reused only this far ahead of
    /// the next one.
    pub reuse_margin: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            cos: 1.0,
            lex: 0.2,
            lex_alone: 0.55,
            name: 0.2,
            hits: 0.03,
            none_fits: 0.30,
            clear: 0.50,
            margin: 0.10,
            fits: 0.40,
            centroid: 1.0,
            reuse_margin: 0.04,
        }
    }
}

impl Weights {
    /// Without vectors (no embedder) words and names are all the evidence:
    /// the score and thresholds chosen before topic centroids (tuned on
    /// fixtures/placement/dev.jsonl), with no reuse margin.
    pub fn lexical() -> Self {
        Self {
            cos: 0.6,
            lex: 0.35,
            lex_alone: 0.55,
            name: 0.3,
            hits: 0.03,
            none_fits: 0.22,
            clear: 0.40,
            margin: 0.10,
            fits: 0.28,
            centroid: 0.0,
            reuse_margin: 0.0,
        }
    }
}

/// Placement's weights: the defaults, or `MEM_PLACE_TUNE`.
fn weights_from_env() -> Weights {
    match std::env::var("MEM_PLACE_TUNE") {
        Ok(spec) => parse_weights(&spec),
        Err(_) => Weights::default(),
    }
}

/// The default placement weights with a `MEM_PLACE_TUNE` spec applied.
pub fn parse_weights(spec: &str) -> Weights {
    let mut w = Weights::default();
    for kv in spec.split(',') {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        let Ok(f) = v.trim().parse::<f32>() else {
            continue;
        };
        match k.trim() {
            "cos" => w.cos = f,
            "lex" => w.lex = f,
            "lexalone" => w.lex_alone = f,
            "name" => w.name = f,
            "hits" => w.hits = f,
            "none" => w.none_fits = f,
            "clear" => w.clear = f,
            "margin" => w.margin = f,
            "fits" => w.fits = f,
            "centroid" => w.centroid = f,
            "reusemargin" => w.reuse_margin = f,
            _ => {}
        }
    }
    w
}

fn weights() -> Weights {
    static W: std::sync::OnceLock<Weights> = std::sync::OnceLock::new();
    *W.get_or_init(weights_from_env)
}

/// The weights of a score made with vectors (an embedder), or of one made
/// from words and names alone.
fn weights_for(vectors: bool) -> Weights {
    if vectors {
        weights()
    } else {
        Weights::lexical()
    }
}

/// Topics offered to the model.
const SHOWN: usize = 4;
/// Topics whose best hits are read (for titles and word overlap).
const READ_TOPICS: usize = 8;
/// Topics read and found named for someone else, at most (beyond the
/// [`READ_TOPICS`] that may take the statement).
const OTHERS_READ: usize = 16;
const READ_PER_TOPIC: usize = 2;

fn topic_of(rel: &str) -> Option<TopicPath> {
    let p = rel.strip_suffix(".md").unwrap_or(rel);
    if p.starts_with(crate::paths::ARCHIVE_DIR) {
        return None;
    }
    EntryPath::parse(p).ok().map(|e| e.topic())
}

/// Words that say nothing about a topic (beyond curation's stop words).
const GENERIC: &[&str] = &[
    "need", "new", "use", "make", "get", "take", "keep", "go", "want", "every", "day", "week",
    "time", "year", "last", "next", "first", "second", "two", "three", "also", "thing", "good",
    "better", "way", "lot", "still", "back", "start", "done", "put", "come", "let", "like",
    // Verbs any subject takes ("the job *runs*", "CI takes 12 minutes per
    // *run*") and words of measure.
    "run", "set", "say", "said", "see", "try", "give", "find", "know", "think", "look", "show",
    "average", "usually", "often", "minute", "hour", "hourly", "yearly",
    // Calendar words date a fact; they do not say what it is about (the
    // days of the week and the months too, added below).
    "due", "daily", "weekly", "monthly", "month", "today", "tomorrow", "morning", "evening",
    "night", "weekend",
];

/// Stems of [`GENERIC`], computed once per process.
fn generic_stems() -> &'static BTreeSet<String> {
    static GENERIC_STEMS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    GENERIC_STEMS.get_or_init(|| {
        GENERIC
            .iter()
            .chain(crate::text::WEEKDAYS.iter())
            .chain(crate::text::MONTHS.iter())
            .map(|w| stem(w))
            .collect()
    })
}

/// Content stems of a text for topic matching: no stop or generic words,
/// no bare numbers.
fn content_stems(text: &str) -> BTreeSet<String> {
    let generic = generic_stems();
    let a = Analysis::new(text);
    // Words of change ("moved", "switched", "now") say what happened, not
    // what it is about: "Host pallas3 was moved" is not filed beside
    // "project-alder-moved".
    let change: BTreeSet<&str> = a
        .words
        .iter()
        .filter(|w| Analysis::is_marker(&w.raw.to_lowercase()))
        .map(|w| w.stem.as_str())
        .collect();
    a.stems()
        .into_iter()
        .filter(|s| !generic.contains(s) && !s.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .filter(|s| !change.contains(s.as_str()))
        .collect()
}

fn seg_stems(seg: &str) -> BTreeSet<String> {
    seg.split('-')
        .filter(|w| w.len() > 1)
        .map(stem)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The share of a topic name's words (`report-job`) that the input's
/// content stems say: "the backup job runs on Sundays" names half of it,
/// another job.
fn named_share(seg: &str, input: &BTreeSet<String>) -> f32 {
    let words = seg_stems(seg);
    words.iter().filter(|w| input.contains(*w)).count() as f32 / words.len().max(1) as f32
}

/// Candidate topics of `text`, best first, from the searches already made
/// and the topic names among the index's scope terms. Reads at most
/// `(2 * READ_TOPICS + OTHERS_READ) * READ_PER_TOPIC` (64) entry files: the
/// best hits of the best topics that may take the statement (not another
/// person's) and of the topics of the BM25 top hits.
pub fn rank(tree: &Tree, idx: &MemIndex, text: &str, s: &Searched) -> Vec<TopicScore> {
    crate::trace::mark("place: ranking");
    let input = content_stems(text);
    #[derive(Default)]
    struct Acc {
        cos: f32,
        rels: Vec<String>,
        name: f32,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for (rel, _) in &s.bm25 {
        if let Some(t) = topic_of(rel) {
            let a = acc.entry(t.to_string()).or_default();
            if !a.rels.contains(rel) {
                a.rels.push(rel.clone());
            }
        }
    }
    for (rel, cos) in &s.vector {
        if let Some(t) = topic_of(rel) {
            let a = acc.entry(t.to_string()).or_default();
            a.cos = a.cos.max(*cos);
            if !a.rels.contains(rel) {
                a.rels.push(rel.clone());
            }
        }
    }
    // Topic names: every topic of the index (its scope terms) whose name
    // shares a word with the input; no file is read.
    let scopes = idx.text.scopes().unwrap_or_default();
    let topics: BTreeSet<&str> = scopes
        .iter()
        .map(|s| s.as_str())
        .filter(|s| s.contains('/') && !s.starts_with(crate::paths::ARCHIVE_DIR))
        .collect();
    let mut seg_hit: BTreeMap<&str, bool> = BTreeMap::new();
    for t in &topics {
        let segs: Vec<&str> = t.split('/').collect();
        let Some((last, up)) = segs.split_last() else {
            continue;
        };
        for seg in &segs {
            seg_hit
                .entry(seg)
                .or_insert_with(|| !seg_stems(seg).is_disjoint(&input));
        }
        let name = if seg_hit[last] {
            named_share(last, &input)
        } else if up.iter().any(|s| seg_hit[s]) {
            0.4
        } else {
            0.0
        };
        if name > 0.0 {
            acc.entry(t.to_string()).or_default().name = name;
        }
    }
    let mut out: Vec<TopicScore> = acc
        .into_iter()
        .filter(|(t, _)| TopicPath::parse(t).is_ok())
        .map(|(topic, a)| TopicScore {
            topic,
            score: 0.0,
            cos: a.cos,
            lex: 0.0,
            name: a.name,
            hits: a.rels.len(),
            titles: a.rels,
            vectors: s.qv.is_some(),
        })
        .collect();
    // A topic's centroid (the mean of its entries' vectors) says what the
    // topic is about better than its one nearest entry.
    let share = weights().centroid;
    if share > 0.0
        && let Some(qv) = &s.qv
    {
        blend_centroids(idx, qv, &mut out, share);
    }
    // Topics named for another specific thing are out before any is read
    // (their names say it; the reading budget goes to the others).
    let specific = specific_subject(text);
    out.retain(|t| {
        !specific
            .as_deref()
            .is_some_and(|s| named_for_another(&t.topic, s))
    });
    // A first order without the word overlap, to choose which topics to read.
    let w = weights_for(s.qv.is_some());
    let pre = |t: &TopicScore| w.cos * t.cos + w.name * t.name + w.hits * t.hits.min(4) as f32;
    out.sort_by(|a, b| pre(b).total_cmp(&pre(a)).then(a.topic.cmp(&b.topic)));
    // Topics with a BM25 hit are read too even when ranked low above.
    let bm25_topics: Vec<String> = s
        .bm25
        .iter()
        .filter_map(|(r, _)| topic_of(r).map(|t| t.to_string()))
        .collect();
    // The statement is analysed once here, not once per topic.
    let person = person_subject(text).or_else(|| specific.clone());
    let mut read = 0usize;
    let mut others = 0usize;
    let mut files_read = 0usize;
    for t in out.iter_mut() {
        let mut rels = std::mem::take(&mut t.titles);
        let wanted =
            read < READ_TOPICS || bm25_topics.iter().take(READ_TOPICS).any(|b| *b == t.topic);
        if !wanted || others >= OTHERS_READ {
            continue;
        }
        if rels.len() < READ_PER_TOPIC
            && let Some(qv) = &s.qv
        {
            let more = nearest_entries(idx, qv, &t.topic, &rels);
            rels.extend(more);
        }
        if rels.is_empty() {
            continue;
        }
        read += 1;
        for rel in rels.iter().take(READ_PER_TOPIC) {
            let Some(p) = rel
                .strip_suffix(".md")
                .and_then(|p| EntryPath::parse(p).ok())
            else {
                continue;
            };
            files_read += 1;
            let Ok(e) = tree.read(&EntryFile {
                path: p,
                archived: false,
            }) else {
                continue;
            };
            let mut words = content_stems(&format!(
                "{}. {}. {}",
                e.meta.title,
                e.meta.tags.join(", "),
                plain_text(e.statement())
            ));
            words.extend(t.topic.split('/').flat_map(seg_stems));
            if !input.is_empty() {
                let shared = input.intersection(&words).count() as f32;
                t.lex = t.lex.max((shared / (input.len() as f32).sqrt()).min(1.0));
            }
            t.titles.push(e.meta.title.clone());
        }
        // Someone else's topic (dropped below) does not spend the budget:
        // the topics read are those that can take the statement.
        if person
            .as_deref()
            .is_some_and(|p| named_for_another_name(t, p))
        {
            read -= 1;
            others += 1;
        }
    }
    // Without vectors the words are the only evidence of meaning.
    let w_lex = if s.qv.is_some() { w.lex } else { w.lex_alone };
    for t in out.iter_mut() {
        t.score = w.cos * t.cos + w_lex * t.lex + w.name * t.name + w.hits * t.hits.min(4) as f32;
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.topic.cmp(&b.topic)));
    out.retain(|t| {
        !person
            .as_deref()
            .is_some_and(|p| named_for_another_name(t, p))
    });
    crate::trace::mark(&format!(
        "place: {} candidate topics, {files_read} entry files read",
        out.len()
    ));
    out
}

/// Scores every topic of the tree by its centroid (the mean of its
/// entries' vectors, [`MemIndex::topic_vectors`]): each candidate's
/// best-neighbour cosine becomes `(1 - share) × best + share × centroid`,
/// and a topic no search found joins the candidates. Every topic is
/// scored, not only those the approximate vector search happened to reach,
/// so the candidates do not depend on how the vector graph was built.
fn blend_centroids(idx: &MemIndex, qv: &[f32], out: &mut Vec<TopicScore>, share: f32) {
    for tv in idx.topic_vectors() {
        if TopicPath::parse(&tv.topic).is_err() {
            continue;
        }
        let c: f32 = tv.centroid.iter().zip(qv).map(|(a, b)| a * b).sum();
        match out.iter_mut().find(|t| t.topic == tv.topic) {
            Some(t) => t.cos = (1.0 - share) * t.cos + share * c,
            None => out.push(TopicScore {
                topic: tv.topic.clone(),
                score: 0.0,
                cos: share * c,
                lex: 0.0,
                name: 0.0,
                hits: 0,
                titles: Vec::new(),
                vectors: true,
            }),
        }
    }
}

/// A topic's entries nearest the input, to read when the searches found
/// fewer than [`READ_PER_TOPIC`] of them (a topic only its centroid found).
fn nearest_entries(idx: &MemIndex, qv: &[f32], topic: &str, have: &[String]) -> Vec<String> {
    let (Some(vi), Some(tv)) = (
        idx.vectors.as_ref(),
        idx.topic_vectors().iter().find(|t| t.topic == topic),
    ) else {
        return Vec::new();
    };
    let mut near: Vec<(f32, &String)> = tv
        .rels
        .iter()
        .filter(|r| !have.contains(r))
        .filter_map(|r| {
            let v = vi.get(crate::index::key_of(r))?;
            Some((v.iter().zip(qv).map(|(a, b)| a * b).sum(), r))
        })
        .collect();
    near.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    near.into_iter()
        .take(READ_PER_TOPIC.saturating_sub(have.len()))
        .map(|(_, r)| r.clone())
        .collect()
}

/// The name of a new topic for `text`: `general/` and its subject's name
/// (`general/host-pallas3`, `general/project-alder`; a one-word name with
/// the noun right after it: `general/postgres-replication`), else its first
/// two content words (not generic ones such as "needs", "new", "weekly",
/// nor words of change), or `general/notes` when it has none.
pub fn new_topic(text: &str) -> TopicPath {
    let a = Analysis::new(text);
    let generic = generic_stems();
    let mut words: Vec<String> = Vec::new();
    let mut after_subject: Option<usize> = None;
    // A capitalised first word before an article or an object is a verb
    // ("Learn the chords…"), not a name.
    let opens_with_verb = a.words.first().is_some_and(|w| {
        a.subject
            .as_deref()
            .is_some_and(|s| s == w.stem || s == w.raw.to_lowercase())
            && before_object(&a, w.pos)
    });
    if let Some(s) = a
        .subject_text
        .as_deref()
        .filter(|_| a.subject.as_deref() != Some("@user") && !opens_with_verb)
        // "Two pallets…": a number word is no name, nor is a date's
        // month or day ("appointment 9 March").
        .filter(|s| !never_a_name(s))
    {
        let s = &role_named(&a, s);
        words.push(s.to_lowercase());
        let last = s.split(' ').next_back().unwrap_or(s).to_lowercase();
        after_subject = a
            .words
            .iter()
            .find(|w| {
                let l = w.raw.to_lowercase();
                l.strip_suffix("'s")
                    .or_else(|| l.strip_suffix("’s"))
                    .unwrap_or(&l)
                    == last
            })
            .map(|w| w.pos + 1);
        // A name of several words is the topic ("Host pallas3", "Tom
        // Raman"), or a service's ("auth-api", not "auth-api-service"):
        // what follows is what the entry says about it.
        if s.contains(' ') || crate::text::is_service_name(&s.to_lowercase()) {
            after_subject = None;
            words.push(String::new());
        }
    }
    for w in &a.words {
        if words.len() >= 2 {
            break;
        }
        // After the first word of the name, a copula or a verb of what
        // the thing does ends it: "The frontend *is* built with React" is
        // about the frontend, not "frontend-built".
        let l = w.raw.to_lowercase();
        if words.iter().any(|x| !x.is_empty())
            && (matches!(
                l.as_str(),
                "is" | "are" | "was" | "were" | "be" | "been" | "being" | "gets" | "got"
            ) || NAME_ENDING_VERBS.contains(&l.as_str()))
        {
            break;
        }
        // Saying what was decided is not what it is about ("We *decided* to
        // use Postgres for billing").
        if DECISION_VERBS.contains(&l.as_str()) {
            continue;
        }
        // After a one-word name, only the noun right after it ("Postgres
        // replication", "Alice's cat"), not a verb ("Gateway-worker was
        // migrated", "Ledger-api moved").
        // Without a name, a participle may be the thing's quality
        // ("automated backups"; after a copula it ends the name, below).
        let verb = if after_subject.is_some() {
            verb_like(&w.raw)
        } else {
            verb_like(&w.raw) && !w.raw.to_lowercase().ends_with("ed")
                || Analysis::is_marker(&w.raw.to_lowercase())
        };
        if after_subject.is_some_and(|next| w.pos != next) || verb {
            continue;
        }
        let l = w.raw.to_lowercase();
        let l = l
            .strip_suffix("'s")
            .or_else(|| l.strip_suffix("’s"))
            .unwrap_or(&l)
            .to_string();
        // A word right before an article or an object pronoun is a verb
        // ("*Learn* the chords", "*Rotated* the write key", "*see* me").
        if w.stop
            || (after_subject.is_none() && before_object(&a, w.pos))
            || never_a_name(&l)
            // "we're", "don't": a pronoun or a verb, not a name.
            || l.contains('\'')
            || l.contains('’')
            || l.len() < 3
            || l.chars().any(|c| c.is_ascii_digit())
            // A word of the subject already there ("imani-abbott", not
            // "imani-abbott-imani").
            || words.iter().any(|x| x.split(' ').any(|p| p == l))
            || generic.contains(&w.stem)
        {
            continue;
        }
        words.push(l);
    }
    let slug = slugify(words.join(" ").trim(), 32);
    let slug = slug.trim_matches('-');
    TopicPath::parse(&format!("general/{slug}"))
        .unwrap_or_else(|_| TopicPath::parse(crate::paths::DEFAULT_TOPIC).expect("valid default"))
}

/// Verbs that end a topic's name after its first word ("cargo *fails*").
const NAME_ENDING_VERBS: &[&str] = &[
    "fails", "failed", "breaks", "broke", "crashes", "crashed", "works", "happens", "changes",
    "renews", "expires", "starts", "opens", "closes",
];

/// Verbs of deciding: the decision is not the topic.
const DECISION_VERBS: &[&str] = &[
    "decided", "chose", "chosen", "agreed", "picked", "opted", "settled", "use", "using",
];

/// Words after which the word before is a verb: articles, possessives and
/// object pronouns.
const OBJECT_OPENERS: &[&str] = &[
    "the", "a", "an", "my", "our", "your", "their", "his", "her", "its", "me", "us", "him", "them",
    "it",
];

/// The word at `pos` comes right before an article, a possessive or an
/// object pronoun ([`OBJECT_OPENERS`]): a verb ("*Learn* the chords").
fn before_object(a: &Analysis, pos: usize) -> bool {
    a.words
        .iter()
        .find(|n| n.pos == pos + 1)
        .is_some_and(|n| OBJECT_OPENERS.contains(&n.raw.to_lowercase().as_str()))
}

/// Words that never name a topic: prepositions and adverbs of place and
/// time, and amounts written as words beyond the numbers
/// ([`crate::text::is_number_word`]).
const NOT_NAMES: &[&str] = &[
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "ago",
    "along",
    "among",
    "around",
    "before",
    "behind",
    "below",
    "beneath",
    "beside",
    "between",
    "beyond",
    "during",
    "inside",
    "into",
    "near",
    "onto",
    "outside",
    "over",
    "since",
    "through",
    "toward",
    "towards",
    "under",
    "until",
    "upon",
    "via",
    "within",
    "without",
    "today",
    "tonight",
    "tomorrow",
    "yesterday",
    "soon",
    "later",
    "still",
    "always",
    "never",
    "often",
    "thousand",
    "half",
    "dozen",
];

/// A word that never names a topic: one of [`NOT_NAMES`], a number
/// written as a word, a month or a day of the week (part of a date).
fn never_a_name(word: &str) -> bool {
    let l = word.to_lowercase();
    let l = l.as_str();
    NOT_NAMES.contains(&l)
        || crate::text::is_number_word(l)
        || crate::text::MONTHS.contains(&l)
        || crate::text::WEEKDAYS.contains(&l)
        // "on Fridays", "Mondays off".
        || l.strip_suffix('s').is_some_and(|d| crate::text::WEEKDAYS.contains(&d))
}

/// A word written as a verb: a word of change, a past participle, or a
/// verb of being or relation ("sits", "runs", "is").
fn verb_like(raw: &str) -> bool {
    let l = raw.to_lowercase();
    Analysis::is_marker(&l)
        || (l.len() >= 5 && l.ends_with("ed"))
        || PERSON_VERBS.contains(&l.as_str())
        || [
            "is", "are", "was", "were", "has", "have", "had", "sits", "runs", "serves", "listens",
            "stores", "uses", "reports", "leads", "manages", "owns", "needs", "takes", "gets",
        ]
        .contains(&l.as_str())
}

/// Verbs that, right after a name, make the name a person's ("Tom likes
/// window seats", "Maya moved to Lisbon").
const PERSON_VERBS: &[&str] = &[
    "likes", "loves", "prefers", "hates", "dislikes", "enjoys", "lives", "works", "moved", "wants",
    "plays", "speaks", "drinks", "eats", "studies", "learns", "joined", "visited", "married",
    "would", "doesn't", "can't", "won't", "started", "quit", "retired", "teaches", "cooks", "runs",
    "swims", "drives", "rides", "sleeps", "walks", "reads", "writes", "sits", "reports",
];

/// Nouns that, after a name's possessive, make the name a person's
/// ("Tom's birthday", "Luis's partner").
const PERSON_NOUNS: &[&str] = &[
    "birthday",
    "partner",
    "wife",
    "husband",
    "son",
    "daughter",
    "kids",
    "children",
    "mother",
    "father",
    "mum",
    "mom",
    "dad",
    "sister",
    "brother",
    "cat",
    "dog",
    "phone",
    "email",
    "address",
    "flat",
    "apartment",
    "favourite",
    "favorite",
    "allergy",
    "doctor",
    "car",
    "bike",
    "school",
    "teacher",
    "class",
    "dentist",
    "job",
    "boss",
    "manager",
    "allergies",
    "diet",
    "hobby",
    "hobbies",
];

/// The person a statement is about, when it opens with a name (one word,
/// or a first and a last name) followed by a person's verb or a possessive
/// of a person's noun: its slug (`tom-raman`).
fn person_subject(text: &str) -> Option<String> {
    let a = Analysis::new(text);
    let name = a.subject_text.clone()?;
    // A single name, or a first and a last name ("Tom Raman"), not a thing
    // of a kind ("Project Alder", "Host pallas3") nor an identifier.
    const NOT_PEOPLE: &[&str] = &["the", "job", "operation", "club"];
    let parts: Vec<&str> = name.split(' ').collect();
    if a.subject.as_deref() == Some("@user")
        || parts.len() > 2
        || name.chars().any(|c| c.is_ascii_digit())
        || crate::text::NAMED_KINDS.contains(&parts[0].to_lowercase().as_str())
        || NOT_PEOPLE.contains(&parts[0].to_lowercase().as_str())
        // A service's name opening the sentence ("Inventory-sync runs …").
        || crate::text::is_service_name(&name.to_lowercase())
    {
        return None;
    }
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’'))
        .map(str::to_lowercase)
        .collect();
    let lname = name.to_lowercase();
    // The name's last word (the possessive or the verb follows it).
    let last = lname.split(' ').next_back().unwrap_or(&lname).to_string();
    let i = words.iter().position(|w| {
        w == &last || w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")) == Some(&last)
    })?;
    let first_at = (i + 1).saturating_sub(lname.split(' ').count());
    // The name opens the statement, or follows a phrase of place or time
    // put first ("On planes Tom would rather sit by the window").
    let fronted = [
        "on", "in", "at", "during", "for", "after", "before", "since", "when",
    ]
    .contains(&words[0].as_str());
    if first_at > 1 && !(fronted && first_at <= 4) {
        return None;
    }
    let possessive = words[i] != last;
    let next = words.get(i + 1)?;
    // With a first and a last name, a workplace's nouns too ("Wanda Ito's
    // office"; "Acme's office" is a company's).
    const FULL_NAME_NOUNS: &[&str] = &["office", "desk", "extension", "manager", "role", "team"];
    let person = if possessive {
        PERSON_NOUNS.contains(&next.as_str())
            || (lname.contains(' ') && FULL_NAME_NOUNS.contains(&next.as_str()))
    } else {
        PERSON_VERBS.contains(&next.as_str())
    };
    person.then(|| lname.replace(' ', "-"))
}

/// Domains a person would file a new topic under, with words that point
/// to each (see [`cued_domain`]). Used when no existing topic is even weakly
/// related: `engineering/staging-database`, not `general/staging-database`.
const DOMAIN_CUES: &[(&str, &[&str])] = &[
    (
        "engineering",
        &[
            "database",
            "postgres",
            "mysql",
            "redis",
            "sqlite",
            "mongodb",
            "server",
            "service",
            "api",
            "endpoint",
            "deploy",
            "build",
            "ci",
            "pipeline",
            "repository",
            "branch",
            "code",
            "bug",
            "compile",
            "cargo",
            "docker",
            "kubernetes",
            "cluster",
            "latency",
            "cache",
            "queue",
            "kafka",
            "schema",
            "migration",
            "frontend",
            "backend",
            "crate",
            "npm",
            "release",
            "staging",
            "production",
            "vm",
            "container",
            "terraform",
            "aws",
            "gcp",
            "azure",
            "s3",
            "bucket",
            "dns",
            "ssl",
            "compiler",
            "linter",
            "rust",
            "python",
            "java",
            "typescript",
            "golang",
            "kernel",
        ],
    ),
    (
        "operations",
        &[
            "job",
            "cron",
            "backup",
            "on-call",
            "oncall",
            "incident",
            "alert",
            "outage",
            "rotation",
            "runbook",
            "pager",
            "monitor",
            "maintenance",
            "uptime",
            "sla",
        ],
    ),
    (
        "projects",
        &[
            "project",
            "deadline",
            "milestone",
            "roadmap",
            "launch",
            "sprint",
            "okr",
            "stakeholder",
        ],
    ),
    (
        "health",
        &[
            "doctor",
            "allergic",
            "allergy",
            "medication",
            "bp",
            "dentist",
            "symptom",
            "vaccine",
            "diet",
            "marathon",
            "gym",
            "workout",
            "physio",
            "prescription",
            "penicillin",
        ],
    ),
    (
        "travel",
        &[
            "flight", "hotel", "trip", "passport", "visa", "airport", "vacation", "luggage",
            "airbnb",
        ],
    ),
    (
        "finance",
        &[
            "rent",
            "insurance",
            "invoice",
            "salary",
            "bank",
            "tax",
            "mortgage",
            "loan",
            "bill",
            "subscription",
            "euro",
            "dollar",
            "iban",
            "pension",
            "accountant",
        ],
    ),
    (
        "home",
        &[
            "dishwasher",
            "bin",
            "garden",
            "kitchen",
            "laundry",
            "plumber",
            "heating",
            "boiler",
            "fridge",
            "recycling",
            "waste",
            "landlord",
            "balcony",
        ],
    ),
    (
        "work",
        &[
            "meeting",
            "standup",
            "one-on-one",
            "offsite",
            "hiring",
            "interview",
        ],
    ),
];

/// Domains that hold the same kind of thing under other names (a tree may
/// say `tech/` or `fitness/` where another says `engineering/` or
/// `health/`). A domain in none of these groups is unknown: no cue speaks
/// against it.
const DOMAIN_KIN: &[&[&str]] = &[
    &[
        "engineering",
        "tech",
        "technology",
        "software",
        "dev",
        "development",
        "infrastructure",
        "infra",
        "operations",
        "ops",
        "it",
        "code",
        "projects",
    ],
    &[
        "health",
        "fitness",
        "medical",
        "wellbeing",
        "sport",
        "sports",
    ],
    &["finance", "money", "budget", "business", "admin", "bills"],
    &["home", "house", "household", "garden"],
    &[
        "work", "job", "career", "office", "business", "projects", "meetings",
    ],
    &["travel", "trips"],
];

/// Whether a topic of domain `topic_domain` is no place for a statement
/// whose words point to domain `cued`: both are known kinds of domain and
/// of no group together.
fn other_kind(cued: &str, topic_domain: &str) -> bool {
    let (a, b) = (kinds(cued), kinds(topic_domain));
    !a.is_empty() && !b.is_empty() && !a.iter().any(|i| b.contains(i))
}

/// Whether two domains are one kind under two names (or one name).
fn same_kind(a: &str, b: &str) -> bool {
    let kb = kinds(b);
    kinds(a).iter().any(|i| kb.contains(i))
}

/// The groups of [`DOMAIN_KIN`] that `d` is in.
fn kinds(d: &str) -> Vec<usize> {
    DOMAIN_KIN
        .iter()
        .enumerate()
        .filter(|(_, g)| g.contains(&d))
        .map(|(i, _)| i)
        .collect()
}

/// The domain of [`DOMAIN_CUES`] with the most words in `text`, if one
/// leads (a tie says nothing). Words are compared as written, with a plural
/// `s`/`es`, not through synonyms ("job" is not "work").
fn cued_domain(text: &str) -> Option<&'static str> {
    // A service's name as the subject: software.
    if Analysis::new(text)
        .subject_text
        .is_some_and(|s| crate::text::is_service_name(&service_name(&s.to_lowercase())))
    {
        return Some("engineering");
    }
    let words: BTreeSet<String> = crate::text::words_of(&crate::text::same_words(text))
        .iter()
        .map(|w| w.to_lowercase())
        .collect();
    // ("jobs" alone: "switched jobs" is someone's work, not a cron job.)
    let has = |c: &str| {
        words.contains(c)
            || (c != "job"
                && (words.contains(&format!("{c}s")) || words.contains(&format!("{c}es"))))
    };
    let mut counts: Vec<(&'static str, usize)> = DOMAIN_CUES
        .iter()
        .map(|(d, cues)| (*d, cues.iter().filter(|c| has(c)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match counts.as_slice() {
        [(d, _)] => Some(d),
        [(d, a), (_, b), ..] if a > b => Some(d),
        _ => None,
    }
}

/// The topic a statement gets when no existing one fits: `people/<name>`
/// for a statement about a person; else named from the input
/// ([`new_topic`]) in the domain of the nearest topic when that one is at
/// least possibly related (`operations/cleanup-job` beside
/// `operations/jobs`), else in the domain its words point to, else in
/// `general/`.
pub fn new_topic_near(text: &str, ranked: &[TopicScore]) -> TopicPath {
    if let Some(name) = person_subject(text)
        && let Ok(t) = TopicPath::parse(&format!("people/{}", slugify(&name, 32)))
    {
        return t;
    }
    let base = new_topic(text);
    if base.to_string() == crate::paths::DEFAULT_TOPIC {
        return base;
    }
    // The domain its words point to, by the name the tree gives it
    // (`tech/` where the words say engineering).
    let cued = cued_domain(text).map(|d| {
        let domains = || ranked.iter().filter_map(|t| t.topic.split('/').next());
        domains()
            .find(|x| *x == d)
            .or_else(|| domains().find(|x| same_kind(d, x)))
            .unwrap_or(d)
    });
    let domain = cued.or_else(|| {
        ranked
            .first()
            // Only a topic placement found at least possibly related (not
            // "nothing fits"): an unrelated nearest topic says nothing about
            // the domain ("health/kubernetes-cluster" beside health/fitness).
            .filter(|t| t.score >= weights_for(t.vectors).none_fits)
            .and_then(|near| near.topic.split('/').next())
            // Not a person (see above): not beside people.
            .filter(|d| *d != "general" && *d != "people")
    });
    let Some(domain) = domain else {
        return base;
    };
    let leaf = base.segments().last().cloned().unwrap_or_default();
    TopicPath::parse(&format!("{domain}/{leaf}")).unwrap_or(base)
}

/// What the deterministic score says.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The choice (Some: an existing topic; None: a new one).
    pub choice: Option<usize>,
    pub clear: bool,
    pub reason: String,
}

pub fn judge(ranked: &[TopicScore]) -> Verdict {
    let Some(best) = ranked.first() else {
        return Verdict {
            choice: None,
            clear: true,
            reason: "no related topic".into(),
        };
    };
    let second = ranked.get(1).map_or(0.0, |t| t.score);
    let why = format!(
        "{} scores {:.2} (cosine {:.2}, words {:.2}, name {:.1}), next {:.2}",
        best.topic, best.score, best.cos, best.lex, best.name, second
    );
    let w = weights_for(best.vectors);
    if best.score < w.none_fits {
        return Verdict {
            choice: None,
            clear: true,
            reason: format!("nothing fits: {why}"),
        };
    }
    if best.score >= w.clear && best.score - second >= w.margin {
        return Verdict {
            choice: Some(0),
            clear: true,
            reason: format!("clearly best: {why}"),
        };
    }
    Verdict {
        choice: (best.score >= w.fits && best.score - second >= w.reuse_margin).then_some(0),
        clear: false,
        reason: format!("unclear: {why}"),
    }
}

/// The topics offered to a person when placement is unclear: what was
/// decided first (so Enter, or `--yes`, keeps it), then the other best
/// topics and a new topic named for the statement, three or four in all.
pub fn offer(text: &str, ranked: &[TopicScore], decided: &Placement) -> Vec<TopicPath> {
    let mut v = vec![decided.topic.clone()];
    for t in ranked.iter().take(3) {
        if let Ok(tp) = TopicPath::parse(&t.topic)
            && !v.contains(&tp)
        {
            v.push(tp);
        }
    }
    let fresh = new_topic_near(text, ranked);
    if !v.contains(&fresh) {
        v.push(fresh);
    }
    v.truncate(4);
    v
}

/// The closed choice put to the model: the shown topics in `order`, then
/// (at the position `order` gives it) a new topic.
fn prompt(text: &str, shown: &[&TopicScore], order: &[Option<usize>]) -> (GenRequest, Vec<char>) {
    let letters: Vec<char> = ('A'..='Z').take(order.len()).collect();
    let mut p =
        String::from("Which topic of a notes collection should this new note be filed under?\n\n");
    p.push_str(&format!("NOTE: {}\n\n", clip(text, 400)));
    for (l, o) in letters.iter().zip(order) {
        match o {
            Some(i) => {
                let t = shown[*i];
                let titles: Vec<String> = t.titles.iter().take(3).map(|s| clip(s, 60)).collect();
                if titles.is_empty() {
                    p.push_str(&format!("{l}) {}\n", t.topic));
                } else {
                    p.push_str(&format!(
                        "{l}) {} (notes like: {})\n",
                        t.topic,
                        titles.join("; ")
                    ));
                }
            }
            None => p.push_str(&format!("{l}) a new topic: none of these fits\n")),
        }
    }
    p.push_str("Answer with one letter.");
    let schema = serde_json::json!({"type": "string", "enum": letters.iter().map(|c| c.to_string()).collect::<Vec<_>>()});
    (
        GenRequest {
            system: Some(
                "You file notes into the topic they belong to. Reply with a single letter.".into(),
            ),
            prompt: p,
            max_tokens: 8,
            seed: 0,
            temperature: 0.0,
            json_schema: Some(schema),
        },
        letters,
    )
}

fn clip(s: &str, max: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        one
    } else {
        format!("{}…", one.chars().take(max).collect::<String>())
    }
}

fn ask(
    models: &Models,
    text: &str,
    shown: &[&TopicScore],
    order: &[Option<usize>],
    timeout: Duration,
) -> Result<Option<usize>> {
    let g = models.generator()?.context("no generator is configured")?;
    let (req, letters) = prompt(text, shown, order);
    let out = generate_with_timeout(g, req, timeout)?;
    let v: serde_json::Value = serde_json::from_str(out.trim())
        .with_context(|| format!("the model's answer {out:?} is not JSON"))?;
    let s = v.as_str().unwrap_or("");
    match letters
        .iter()
        .position(|l| s.len() == 1 && s.starts_with(*l))
    {
        Some(i) => Ok(order[i]),
        None => bail!("the model answered {out:?}, not a letter of the choice"),
    }
}

/// The order of the second asking: reversed (as in curation's check); with
/// an odd number of options reversal leaves the middle one in place, so
/// those are rotated by half instead. Either way no option keeps its
/// letter, so a model that always picks one position is never mistaken for
/// a choice.
fn second_order<T: Clone>(first: &[T]) -> Vec<T> {
    let mut v: Vec<T> = first.to_vec();
    if v.len().is_multiple_of(2) {
        v.reverse();
    } else {
        let half = v.len() / 2;
        v.rotate_left(half);
    }
    v
}

/// Places one statement. `searched` are curation's searches for it; the
/// generator is asked only when `use_model` and the score is unclear. A
/// failed model call falls back to the deterministic choice (placement
/// never loses the input).
pub fn place(
    tree: &Tree,
    models: &Models,
    idx: &MemIndex,
    text: &str,
    searched: &Searched,
    use_model: bool,
    timeout: Duration,
) -> Placement {
    let ranked = rank(tree, idx, text, searched);
    decide(models, text, &ranked, use_model, timeout)
}

use crate::text::{NAMED_KINDS, is_identifier};

/// Whether `topic` is named for another specific thing than the one `text`
/// is about: its name holds an identifier (`host-oberon2`) or a kind and a
/// name (`project-alder`) that the statement's subject does not (`The
/// auth-cache service …`, `Project Larch …`: `slug`, its
/// [`specific_subject`]). A topic of several such things
/// (`infrastructure/hosts`) names none and stays a candidate.
fn named_for_another(topic: &str, slug: &str) -> bool {
    let mine: Vec<&str> = slug.split('-').collect();
    let leaf = topic.rsplit('/').next().unwrap_or(topic);
    let parts: Vec<&str> = leaf.split('-').collect();
    let other_id = parts.iter().any(|w| is_identifier(w) && !mine.contains(w))
        // A service's name in it: `reporting-api-service`.
        || parts.windows(2).any(|p| {
            crate::text::is_service_name(&p.join("-"))
                && !(mine.contains(&p[0]) && mine.contains(&p[1]))
        });
    let other_kind = parts.len() >= 2
        && NAMED_KINDS.contains(&parts[0])
        && !parts[1..].iter().all(|w| mine.contains(w));
    other_id || other_kind
}

/// A service's name without the kind written after it ("auth-api service"
/// → "auth-api"): the topic is named for the service either way.
fn service_name(subject: &str) -> String {
    let lower = subject.to_lowercase();
    match lower.rsplit_once(' ') {
        Some((name, "service")) if crate::text::is_service_name(name) => {
            subject[..name.len()].to_string()
        }
        _ => subject.to_string(),
    }
}

/// The subject as named: a thing a person has a role toward, after its
/// kind ("Zane leads *project Mira*"), has the kind in its name, as when it
/// opens the statement ("Project Mira is due …").
fn role_named(a: &Analysis, subject: &str) -> String {
    if a.by_role {
        let first = subject.split(' ').next().unwrap_or_default();
        if let Some(i) = a.words.iter().position(|w| w.raw == first)
            && let Some(kind) = i.checked_sub(1).map(|k| a.words[k].raw.to_lowercase())
            && NAMED_KINDS.contains(&kind.as_str())
        {
            return format!("{kind} {subject}");
        }
    }
    service_name(subject)
}

/// The slug of the statement's subject when it names a specific thing: an
/// identifier (`host-pallas3`, `build-box-12`), a service's name
/// (`auth-cache`) or a kind and a name (`project-alder`). Else the topic of
/// something near may well hold it.
fn specific_subject(text: &str) -> Option<String> {
    let a = Analysis::new(text);
    let subject = a
        .subject_text
        .as_deref()
        .filter(|_| a.subject.as_deref() != Some("@user"))?;
    let slug = slugify(&role_named(&a, subject), 64);
    let words: Vec<&str> = slug.split('-').collect();
    (words.iter().any(|w| is_identifier(w))
        || crate::text::is_service_name(&service_name(subject).to_lowercase())
        || words.len() >= 2 && NAMED_KINDS.contains(&words[0])
        || full_name(text, subject))
    .then_some(slug)
}

/// A first and a last name ("Bjorn Byrne"): two words written as names,
/// not an acronym ("Argo CD"), not after a title ("Dr Okonkwo") or an
/// article ("the Land Registry").
fn full_name(text: &str, subject: &str) -> bool {
    let parts: Vec<&str> = subject.split(' ').collect();
    if parts.len() != 2
        || !parts.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().skip(1).all(char::is_lowercase)
                && w.chars().count() > 1
        })
        || crate::text::TITLES.contains(&parts[0].to_lowercase().trim_end_matches('.'))
        || NAMED_KINDS.contains(&parts[0].to_lowercase().as_str())
    {
        return false;
    }
    let words = crate::text::words_of(text);
    let at = words.iter().position(|w| w == parts[0]);
    !at.is_some_and(|i| {
        i > 0
            && (matches!(words[i - 1].to_lowercase().as_str(), "the" | "a" | "an")
                || crate::text::TITLES.contains(&words[i - 1].to_lowercase().as_str()))
    })
}

/// Whether `t` is a topic named for someone or something else than the
/// statement's subject `mine` (a slug like `tom-raman`): its name is
/// written as a name in the titles read from it ("Tom Raman sits in room
/// 935"). A topic of a group (`people/family`) is not named so and stays a
/// candidate.
fn named_for_another_name(t: &TopicScore, mine: &str) -> bool {
    let leaf = t.topic.rsplit('/').next().unwrap_or(&t.topic);
    if leaf.split('-').any(|w| mine.split('-').any(|p| p == w)) {
        return false;
    }
    leaf.split('-').all(|w| {
        t.titles.iter().any(|title| {
            // Written as a name, not an acronym ("GP").
            crate::text::words_of(title).iter().any(|x| {
                x.chars().next().is_some_and(char::is_uppercase)
                    && x.chars().any(char::is_lowercase)
                    && x.to_lowercase().trim_end_matches("'s") == w
            })
        })
    })
}

/// The decision over ranked topics (split from [`place`] for tests).
/// Words that introduce a person by who they are to the writer ("my mum
/// Halina", "Reza, my old flatmate", "a counsellor, Deborah").
const RELATION_NOUNS: &[&str] = &[
    "friend",
    "flatmate",
    "roommate",
    "housemate",
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "brother",
    "sister",
    "aunt",
    "uncle",
    "cousin",
    "niece",
    "nephew",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "neighbour",
    "neighbor",
    "colleague",
    "counsellor",
    "counselor",
    "therapist",
    "mentor",
    "godmother",
    "godfather",
    "stepmother",
    "stepfather",
];

/// A person the statement introduces with a relation word and a name, as
/// a slug of their first name: the name right after the relation word
/// ("my mum Halina", "friend Tomás Herrera", "a counsellor, Deborah"),
/// or right before "my"/"our" + the relation word ("Reza Karimi, my old
/// flatmate"). None when there is no such name.
fn introduced_person(text: &str) -> Option<String> {
    let raw = crate::text::words_of(text);
    let lower: Vec<String> = raw.iter().map(|w| w.to_lowercase()).collect();
    let name_at = |k: usize| -> bool {
        raw.get(k).is_some_and(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(char::is_alphabetic)
                && !generic_stems().contains(&stem(w))
        })
    };
    for (i, l) in lower.iter().enumerate() {
        if !RELATION_NOUNS.contains(&l.as_str()) {
            continue;
        }
        // After: "mum Halina", "counsellor, Deborah" (punctuation is gone).
        if name_at(i + 1) {
            return Some(slugify(&raw[i + 1], 32));
        }
        // Before: "Reza Karimi, my (old) flatmate".
        let my = (i.saturating_sub(3)..i)
            .rev()
            .find(|&k| matches!(lower[k].as_str(), "my" | "our"));
        if let Some(my) = my
            && my > 0
            && name_at(my - 1)
        {
            let mut k = my - 1;
            while k > 0 && name_at(k - 1) {
                k -= 1;
            }
            return Some(slugify(&raw[k], 32));
        }
    }
    None
}

pub fn decide(
    models: &Models,
    text: &str,
    ranked: &[TopicScore],
    use_model: bool,
    timeout: Duration,
) -> Placement {
    // Someone new, introduced by who they are ("my old flatmate Reza"):
    // their own topic, as a person would file it, unless they have one.
    if let Some(name) = introduced_person(text)
        && !ranked
            .iter()
            .any(|t| t.topic.rsplit('/').next() == Some(name.as_str()))
        && let Ok(topic) = TopicPath::parse(&format!("people/{name}"))
    {
        return Placement {
            topic,
            placed_by: "new",
            reason: format!("a person introduced by who they are ({name}), without a topic"),
            model_calls: 0,
        };
    }
    // Its subject's own topic (named by its slug, as `new_topic` names
    // it): there, whatever else looks alike ("Felix Fischer uses Emacs"
    // goes to felix-fischer, not beside another person's editor).
    let specific = specific_subject(text);
    if let Some(own) = person_subject(text)
        .or_else(|| specific.clone())
        .map(|n| slugify(&n, 64))
        && let Some(t) = ranked
            .iter()
            .find(|t| t.topic.rsplit('/').next() == Some(own.as_str()))
        && let Ok(topic) = TopicPath::parse(&t.topic)
    {
        return Placement {
            topic,
            placed_by: "existing",
            reason: format!("its subject's own topic ({own})"),
            model_calls: 0,
        };
    }
    let v = judge(ranked);
    // The statement's words name another kind of thing than the best
    // topic's domain holds, and the topic's name is not in it ("The
    // mortgage is fixed at 3.9%" is no entry of `engineering/billing`,
    // however close the embedder puts money words). Not when they share
    // words: "The crash … was covered by insurance" is still the car's.
    let v = match (v.choice, cued_domain(text)) {
        (Some(0), Some(cued))
            if ranked[0].name == 0.0
                && ranked[0].lex < 0.3
                && ranked[0]
                    .topic
                    .split('/')
                    .next()
                    .is_some_and(|d| other_kind(cued, d)) =>
        {
            Verdict {
                choice: None,
                clear: true,
                reason: format!(
                    "its words are about {cued}, {} is not: {}",
                    ranked[0].topic, v.reason
                ),
            }
        }
        _ => v,
    };
    // A specific thing (an identifier, a service's name, a kind and a
    // name) with no topic of its own and no topic clearly best: its own
    // topic, not the nearest one about something else.
    if !v.clear
        && specific.is_some_and(|slug| {
            !ranked.iter().any(|t| {
                t.topic
                    .rsplit('/')
                    .next()
                    .is_some_and(|l| l.contains(&slug))
            })
        })
    {
        return Placement {
            topic: new_topic_near(text, ranked),
            placed_by: "new",
            reason: format!("its own topic: a named thing without one ({})", v.reason),
            model_calls: 0,
        };
    }
    let chosen = |choice: Option<usize>, by: &'static str, reason: String, calls: usize| {
        let (topic, by) = match choice {
            Some(i) => match TopicPath::parse(&ranked[i].topic) {
                Ok(t) => (t, by),
                Err(_) => (new_topic_near(text, ranked), "new"),
            },
            None => (
                new_topic_near(text, ranked),
                if by == "model" { "model" } else { "new" },
            ),
        };
        let by = if topic.to_string() == crate::paths::DEFAULT_TOPIC && by == "new" {
            "default"
        } else {
            by
        };
        Placement {
            topic,
            placed_by: by,
            reason,
            model_calls: calls,
        }
    };
    if v.clear || !use_model || !models.has_generator() {
        let by = if v.choice.is_some() {
            "existing"
        } else {
            "new"
        };
        let reason = if v.clear {
            v.reason
        } else {
            format!(
                "{} (no model: {})",
                v.reason,
                if v.choice.is_some() {
                    "best topic"
                } else {
                    "new topic"
                }
            )
        };
        return chosen(v.choice, by, reason, 0);
    }
    let shown: Vec<&TopicScore> = ranked.iter().take(SHOWN).collect();
    let mut order: Vec<Option<usize>> = (0..shown.len()).map(Some).collect();
    order.push(None);
    let first = ask(models, text, &shown, &order, timeout);
    order = second_order(&order);
    let second = first
        .as_ref()
        .ok()
        .map(|_| ask(models, text, &shown, &order, timeout));
    let calls = 1 + second.is_some() as usize;
    let name = |c: &Option<usize>| c.map_or("a new topic".to_string(), |i| shown[i].topic.clone());
    match (first, second) {
        (Ok(a), Some(Ok(b))) if a == b => chosen(
            a,
            "model",
            format!("{}; model chose {}", v.reason, name(&a)),
            calls,
        ),
        (Ok(a), Some(Ok(b))) => {
            let by = if v.choice.is_some() {
                "existing"
            } else {
                "new"
            };
            chosen(
                v.choice,
                by,
                format!(
                    "{}; model undecided ({} / {} by option order): {}",
                    v.reason,
                    name(&a),
                    name(&b),
                    name(&v.choice)
                ),
                calls,
            )
        }
        (Err(e), _) | (_, Some(Err(e))) => {
            let by = if v.choice.is_some() {
                "existing"
            } else {
                "new"
            };
            chosen(
                v.choice,
                by,
                format!("{}; model failed ({e:#})", v.reason),
                calls,
            )
        }
        (Ok(_), None) => unreachable!("a second answer is asked after a first"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placement_weights_take_a_spec_and_keep_the_rest() {
        let d = Weights::default();
        let w = parse_weights("cos=0.8, fits=0.34,bogus=1,lex=x");
        assert_eq!((w.cos, w.fits), (0.8, 0.34));
        assert_eq!((w.lex, w.name, w.none_fits), (d.lex, d.name, d.none_fits));
    }

    use super::*;

    fn t(topic: &str, score: f32) -> TopicScore {
        TopicScore {
            topic: topic.into(),
            score,
            cos: 0.0,
            lex: 0.0,
            name: 0.0,
            hits: 1,
            titles: vec![],
            vectors: true,
        }
    }

    #[test]
    fn every_option_moves_in_the_second_order() {
        for n in 2..=5usize {
            let first: Vec<usize> = (0..n).collect();
            let second = second_order(&first);
            assert_eq!(second.len(), n);
            for i in 0..n {
                assert_ne!(first[i], second[i], "option {i} of {n} kept its place");
                assert!(second.contains(&i));
            }
        }
    }

    #[test]
    fn a_person_introduced_by_who_they_are_is_found() {
        let p = |t: &str| introduced_person(t);
        assert_eq!(
            p("My mum Halina is moving to Bradford").as_deref(),
            Some("halina")
        );
        assert_eq!(
            p("Reza Karimi, my old flatmate, flies in on 2 January").as_deref(),
            Some("reza")
        );
        assert_eq!(
            p("Started seeing a counsellor, Deborah, on Mondays").as_deref(),
            Some("deborah")
        );
        // No name, or a calendar word after the relation: nobody.
        assert_eq!(p("My partner added latex to her allergy list"), None);
        assert_eq!(p("Dinner with my sister Monday"), None);
        assert_eq!(p("The build needs cmake"), None);
        // A service's name, capitalised to open the sentence, is no one.
        assert_eq!(p("Inventory-sync runs version 2.14.2 in production."), None);
        assert_eq!(p("Billing-api moved to port 8080."), None);
        // A relation word without a name does not hide a later one.
        assert_eq!(
            p("A friend of mine and his cousin Ines visit in May").as_deref(),
            Some("ines")
        );
    }

    /// The specific subject's slug of `text`.
    fn slug(text: &str) -> String {
        specific_subject(text).expect("a specific subject")
    }

    #[test]
    fn a_topic_is_named_by_the_share_of_its_words_the_input_says() {
        let input = content_stems("The backup job runs on Sundays.");
        assert_eq!(named_share("report-job", &input), 0.5);
        assert_eq!(named_share("backup-job", &input), 1.0);
        assert_eq!(named_share("jobs", &input), 1.0);
        assert_eq!(named_share("billing", &input), 0.0);
    }

    #[test]
    fn a_topic_named_for_another_thing_is_not_the_place() {
        // An identifier, a kind and a name: another thing's topic.
        assert!(named_for_another(
            "general/host-oberon2",
            &slug("Host pallas3 sits in rack C9.")
        ));
        assert!(named_for_another(
            "projects/project-alder",
            &slug("Project Larch is in the design phase.")
        ));
        assert!(named_for_another(
            "general/host-oberon2",
            &slug("The auth-cache service listens on port 3438.")
        ));
        // Its own topic, a topic of many, or a subject that is no specific
        // thing: candidates.
        assert!(!named_for_another(
            "general/host-pallas3",
            &slug("Host pallas3 sits in rack C9.")
        ));
        assert!(!named_for_another(
            "infrastructure/hosts",
            &slug("Host pallas3 sits in rack C9.")
        ));
        // (rank() asks only about a specific subject.)
        assert_eq!(specific_subject("The weather was fine."), None);
        // A service, with or without its kind after the name: one topic,
        // in engineering.
        for text in [
            "The auth-api service listens on port 3000.",
            "Auth-api stores its data in Cassandra.",
        ] {
            assert_eq!(
                specific_subject(text).as_deref(),
                Some("auth-api"),
                "{text}"
            );
            assert_eq!(cued_domain(text), Some("engineering"), "{text}");
            assert_eq!(new_topic(text).to_string(), "general/auth-api", "{text}");
        }
        // A thing a person has a role toward is named with its kind, as
        // when it opens the statement: one topic for both.
        for text in [
            "Camila Nguyen leads project Cedar.",
            "Luca Eriksen took over as lead of project Cedar.",
            "Project Cedar is due on May 3.",
        ] {
            assert_eq!(
                specific_subject(text).as_deref(),
                Some("project-cedar"),
                "{text}"
            );
            assert_eq!(
                new_topic(text).to_string(),
                "general/project-cedar",
                "{text}"
            );
        }
        assert!(named_for_another(
            "projects/project-osprey",
            &slug("Camila Nguyen leads project Cedar.")
        ));
        // Another person's topic, read from its titles; a group's is not.
        let t = |topic: &str, title: &str| TopicScore {
            topic: topic.into(),
            score: 0.5,
            cos: 0.0,
            lex: 0.0,
            name: 0.0,
            hits: 1,
            titles: vec![title.into()],
            vectors: true,
        };
        assert!(named_for_another_name(
            &t("people/tom-raman", "Tom Raman sits in room 935"),
            "wanda-ito"
        ));
        assert!(!named_for_another_name(
            &t("people/family", "Mum's birthday is in May"),
            "wanda-ito"
        ));
        assert!(!named_for_another_name(
            &t("people/wanda", "Wanda likes tea"),
            "wanda-ito"
        ));
        assert!(named_for_another(
            "engineering/reporting-api-service",
            &slug("Host metis7 has 6 CPU cores.")
        ));
        assert_eq!(
            person_subject("Wanda Ito's office is in room 703.").as_deref(),
            Some("wanda-ito")
        );
        assert_eq!(person_subject("Acme's office is in Leeds."), None);
        assert_eq!(
            person_subject("Emma's school starts at 8:15.").as_deref(),
            Some("emma")
        );
        assert_eq!(
            person_subject("Jonas's teacher is Mr Brandt.").as_deref(),
            Some("jonas")
        );
    }

    #[test]
    fn new_topic_names_come_from_the_input() {
        // A label that opens the note names nothing; nor does a weekday
        // in the plural.
        assert_eq!(
            new_topic("Remember: never deploy on Fridays.").topic(),
            "deploy"
        );
        assert_eq!(new_topic("Bins go out on Tuesdays.").topic(), "bins");
        assert_eq!(
            new_topic("The hiring committee wants two references").to_string(),
            "general/hiring-committee"
        );
        assert_eq!(
            new_topic("Alice's cat is called Tom").to_string(),
            "general/alice-cat"
        );
        assert_eq!(
            new_topic("Grandpa's watch is being repaired").to_string(),
            "general/grandpa-watch"
        );
        assert_eq!(new_topic("it is").to_string(), "general/notes");
        // The subject's own words are not repeated.
        assert_eq!(
            new_topic("Imani Abbott reports to Dario Fischer.").to_string(),
            "general/imani-abbott"
        );
        // A name of several words is the topic; no word of change or verb.
        assert_eq!(
            new_topic("Host pallas3 was moved to rack H3.").to_string(),
            "general/host-pallas3"
        );
        assert_eq!(
            new_topic("Gateway-worker was migrated to Redis.").to_string(),
            "general/gateway-worker"
        );
        // No verb before an article or an object, no preposition, number
        // word or contraction in a name.
        for (text, want) in [
            (
                "Learn the chords of Wonderwall on the ukulele",
                "general/chords-wonderwall",
            ),
            (
                "Rotated the Segment write key after it leaked",
                "general/segment-write",
            ),
            (
                "The pipe under the kitchen sink leaks",
                "general/pipe-kitchen",
            ),
            (
                "The roses along the fence need deadheading",
                "general/roses-fence",
            ),
            (
                "Ask the landlord about the damp patch before signing",
                "general/landlord-damp",
            ),
            ("Water the ferns twice a week", "general/ferns"),
            (
                "We're fostering a retired greyhound called Pepper",
                "general/greyhound-pepper",
            ),
            (
                "Two pallets of printer paper arrive on Friday",
                "general/pallets-printer",
            ),
            (
                "tattoo appointment 9 March at Nadelwerk, 100 euro deposit",
                "general/tattoo-appointment",
            ),
        ] {
            assert_eq!(new_topic(text).to_string(), want, "{text}");
        }
    }

    #[test]
    fn a_new_topic_is_named_for_its_subject_near_related_topics() {
        for (text, want) in [
            // A person: people/<name>.
            ("Tom likes window seats on flights.", "people/tom"),
            ("Luis's birthday is on 12 May.", "people/luis"),
            ("Tom Raman sits in room 935.", "people/tom-raman"),
            (
                "Imani Abbott reports to Dario Fischer.",
                "people/imani-abbott",
            ),
            (
                "On planes Tom would rather sit by the window.",
                "people/tom",
            ),
            // Not a person: a product or service named first, the writer;
            // a domain from what the words are about, else general/.
            (
                "Postgres replication lags.",
                "engineering/postgres-replication",
            ),
            (
                "The household insurance costs 180 euros a year.",
                "finance/household-insurance",
            ),
        ] {
            assert_eq!(new_topic_near(text, &[]).to_string(), want, "{text}");
        }
        assert!(
            new_topic_near("I like window seats.", &[])
                .to_string()
                .starts_with("general/")
        );
        // Beside a weakly related topic: its domain, the input's own name.
        let t = |topic: &str, score: f32| TopicScore {
            topic: topic.into(),
            score,
            cos: 0.0,
            lex: 0.0,
            name: 0.0,
            hits: 0,
            titles: vec![],
            vectors: true,
        };
        assert_eq!(
            new_topic_near(
                "The cleanup job skips public holidays",
                &[t("operations/jobs", 0.35)]
            )
            .to_string(),
            "operations/cleanup-job"
        );
        // A nearest topic placement called unrelated ("nothing fits") lends
        // nothing: the domain the words point to, else general/.
        assert_eq!(
            new_topic_near(
                "The Kubernetes cluster autoscaler scales down at night",
                &[t("health/fitness", 0.29)]
            )
            .to_string(),
            "engineering/kubernetes-cluster"
        );
        assert_eq!(
            new_topic_near("The guitar needs new strings", &[t("home/car", 0.28)]).to_string(),
            "general/guitar-strings"
        );
        // Nothing related: the domain its words point to, else general/.
        assert_eq!(
            new_topic_near(
                "The cleanup job skips public holidays",
                &[t("operations/jobs", 0.05)]
            )
            .to_string(),
            "operations/cleanup-job"
        );
        assert_eq!(
            new_topic_near(
                "The hiring committee wants two references",
                &[t("general/x", 0.5)]
            )
            .to_string(),
            "work/hiring-committee"
        );
        assert_eq!(
            new_topic_near("The doctor said the blood test came back fine", &[]).to_string(),
            "health/doctor-blood"
        );
        // No cue, or two domains as strongly: general/. A job is not work.
        for text in [
            "The blue notebook is full",
            "The boiler service is booked for May",
            "I work at Acme",
        ] {
            assert!(
                new_topic_near(text, &[])
                    .to_string()
                    .starts_with("general/"),
                "{text}"
            );
        }
    }

    #[test]
    fn clear_scores_decide_without_the_model() {
        assert_eq!(judge(&[]).choice, None);
        assert!(judge(&[t("a/b", 0.1)]).clear);
        assert_eq!(judge(&[t("a/b", 0.1)]).choice, None);
        let v = judge(&[t("a/b", 0.8), t("c/d", 0.3)]);
        assert!(v.clear);
        assert_eq!(v.choice, Some(0));
        let v = judge(&[t("a/b", 0.5), t("c/d", 0.45)]);
        assert!(!v.clear);
        assert_eq!(v.choice, Some(0));
        // Nearly tied in the unclear band: neither, a new topic.
        let v = judge(&[t("a/b", 0.45), t("c/d", 0.43)]);
        assert!(!v.clear);
        assert_eq!(v.choice, None);
    }

    /// Models without an embedder, with this generator.
    fn no_embedder(generator: &str) -> Models {
        Models::new(&crate::config::Models {
            embedder: "none".into(),
            generator: generator.into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_subject_with_its_own_topic_goes_there() {
        let models = no_embedder("none");
        let p = |text: &str, ranked: &[TopicScore]| {
            decide(&models, text, ranked, false, Duration::from_secs(1))
        };
        // Another person's editor looks more alike than the subject's topic.
        let ranked = [
            t("people/fatima-osei", 0.38),
            t("general/felix-fischer", 0.36),
        ];
        let got = p("Felix Fischer uses Emacs as their editor.", &ranked);
        assert_eq!(got.topic.to_string(), "general/felix-fischer");
        assert_eq!(got.placed_by, "existing");
        // A project named by its kind, its topic too; a topic merely
        // containing the name is not its own.
        let ranked = [
            t("projects/project-osprey", 0.5),
            t("projects/project-cedar", 0.2),
        ];
        let got = p("Camila Nguyen leads project Cedar.", &ranked);
        assert_eq!(got.topic.to_string(), "projects/project-cedar");
        let ranked = [t("people/tom-raman-onboarding", 0.5), t("people/ana", 0.45)];
        let got = p("Tom Raman sits in room 935.", &ranked);
        assert_ne!(got.reason, "its subject's own topic (tom-raman)");
    }

    #[test]
    fn words_of_another_kind_of_domain_open_a_topic_there() {
        let models = no_embedder("none");
        let p = |text: &str, ranked: &[TopicScore]| {
            decide(&models, text, ranked, false, Duration::from_secs(1))
        };
        // The nearest topic is an engineering one only by the embedder: a
        // mortgage is finance, a new topic there.
        let ranked = [t("engineering/billing", 0.52), t("people/tom", 0.2)];
        let got = p("The mortgage is fixed at 3.9% until 2028.", &ranked);
        assert_eq!(got.placed_by, "new", "{}", got.reason);
        assert!(
            got.topic.to_string().starts_with("finance/"),
            "{}",
            got.topic
        );
        // A domain of the same kind (tech for engineering), or words shared
        // with the topic, keep it.
        let ranked = [t("tech/servers", 0.52)];
        let got = p("The database server has 64 GB of memory.", &ranked);
        assert_eq!(got.topic.to_string(), "tech/servers");
        let mut shared = t("home/car", 0.6);
        shared.lex = 0.41;
        let got = p(
            "The crash in the rear bumper was covered by insurance.",
            &[shared],
        );
        assert_eq!(got.topic.to_string(), "home/car");
        // A new topic takes the domain its words name, by the tree's name
        // for it, before the domain of an unrelated nearest topic.
        assert_eq!(
            new_topic_near(
                "The dentist check-up is on 14 May",
                &[t("work/meetings", 0.45)]
            )
            .to_string()
            .split('/')
            .next(),
            Some("health")
        );
        assert_eq!(
            new_topic_near(
                "Redis is used as the session cache",
                &[t("home/garden", 0.35), t("tech/laptop", 0.3)]
            )
            .to_string()
            .split('/')
            .next(),
            Some("tech")
        );
    }

    #[test]
    fn the_model_choice_counts_only_in_both_orders() {
        // The fake generator always answers the first letter: in reverse
        // order that is another option, so the deterministic choice stands.
        let models = no_embedder("fake");
        assert!(models.has_generator());
        let ranked = [t("a/b", 0.46), t("c/d", 0.41)];
        let p = decide(&models, "x y z", &ranked, true, Duration::from_secs(5));
        assert_eq!(p.model_calls, 2);
        assert_eq!(p.placed_by, "existing");
        assert_eq!(p.topic.to_string(), "a/b");
        assert!(p.reason.contains("undecided"), "{}", p.reason);
        // Only one option besides "new": the first letter is a/b, then "new".
        let ranked = [t("a/b", 0.25)];
        let p = decide(
            &models,
            "hello world",
            &ranked,
            true,
            Duration::from_secs(5),
        );
        assert_eq!(p.placed_by, "new");
    }
}

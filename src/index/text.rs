//! Tier 1: the tantivy (BM25) index over title, tags, path and body, with
//! filter fields for scope (`--at`), archive state, time and supersession.

use super::analyzer::CodeTokenizer;
use anyhow::{Context, Result};
use std::ops::Bound;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{Language, LowerCaser, Stemmer, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

pub const TOKENIZER: &str = "mem";

#[derive(Clone, Copy)]
pub struct Fields {
    pub rel: Field,
    pub key: Field,
    pub scope: Field,
    pub archived: Field,
    pub title: Field,
    pub tags: Field,
    pub pathtext: Field,
    pub body: Field,
    pub kind: Field,
    pub time: Field,
    pub supersedes: Field,
    /// Ids named by `supersedes` relations (they outlive a hand rename).
    pub supersedes_id: Field,
    /// `source.speaker` of conversation turns (tier 3: first-person queries).
    pub speaker: Field,
    /// The entry's id (`mem show ID` without reading every file).
    pub id: Field,
    /// `valid_to` (seconds), when the entry has one: the cheap first test
    /// of whether a candidate was superseded.
    pub valid_to: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let f = Fields {
        rel: b.add_text_field("rel", STRING | STORED),
        key: b.add_u64_field("key", INDEXED | STORED | FAST),
        scope: b.add_text_field("scope", STRING),
        archived: b.add_u64_field("archived", INDEXED),
        title: b.add_text_field("title", text.clone()),
        tags: b.add_text_field("tags", text.clone()),
        pathtext: b.add_text_field("pathtext", text.clone()),
        body: b.add_text_field("body", text),
        kind: b.add_text_field("kind", STRING),
        time: b.add_i64_field("time", INDEXED | FAST),
        supersedes: b.add_text_field("supersedes", STRING),
        supersedes_id: b.add_text_field("supersedes_id", STRING),
        speaker: b.add_text_field("speaker", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        valid_to: b.add_i64_field("valid_to", INDEXED),
    };
    (b.build(), f)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CodeTokenizer)
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// What gets indexed for one entry.
pub struct DocInput<'a> {
    pub rel: &'a str,
    pub key: u64,
    /// The entry path as users see it, without `_archive/`.
    pub path: &'a str,
    pub archived: bool,
    pub title: &'a str,
    pub tags: &'a [String],
    pub body: &'a str,
    pub kind: &'a str,
    /// observed, else created (seconds since the epoch).
    pub time: i64,
    pub supersedes: &'a [String],
    pub supersedes_ids: &'a [String],
    pub speaker: Option<&'a str>,
    pub id: &'a str,
    pub valid_to: Option<i64>,
}

pub struct TextIndex {
    pub index: Index,
    pub fields: Fields,
    reader: IndexReader,
}

/// What tier 3 reads of a candidate from the index.
#[derive(Debug, Clone, Default)]
pub struct DocMeta {
    pub time: Option<i64>,
    pub speaker: Option<String>,
}

/// Filters applied inside the BM25 query.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub scope: Option<String>,
    pub include_archived: bool,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Only entries of this kind.
    pub kind: Option<String>,
}

impl TextIndex {
    /// Opens the index in `dir`, creating it when there is none; the flag
    /// says whether it was created (then it is empty).
    pub fn open_or_create(dir: &Path) -> Result<(Self, bool)> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let created = !dir.join("meta.json").exists();
        if created {
            // Leftovers of a damaged index must not mix with a new one.
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir)?;
        }
        let index = if !created {
            let idx = Index::open_in_dir(dir).context("opening the text index")?;
            if idx.schema() != schema {
                anyhow::bail!("text index schema changed");
            }
            idx
        } else {
            Index::create_in_dir(dir, schema).context("creating the text index")?
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok((
            Self {
                index,
                fields,
                reader,
            },
            created,
        ))
    }

    /// Opens the index in `dir` for reading when it exists with this
    /// schema; `None` otherwise (nothing is created).
    pub fn open_existing(dir: &Path) -> Option<Self> {
        if !dir.join("meta.json").exists() {
            return None;
        }
        let index = Index::open_in_dir(dir).ok()?;
        let (schema, fields) = schema();
        if index.schema() != schema {
            return None;
        }
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .ok()?;
        Some(Self {
            index,
            fields,
            reader,
        })
    }

    /// The files (tree-relative, `_archive/…` included) of the entries
    /// indexed with this id.
    pub fn rels_by_id(&self, id: &str) -> Result<Vec<String>> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        let mut out = Vec::new();
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(16))? {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(rel) = d.get_first(f.rel).and_then(|v| v.as_str()) {
                out.push(rel.to_string());
            }
        }
        Ok(out)
    }

    pub fn writer(&self) -> Result<IndexWriter> {
        // One thread, modest arena: indexing is dominated by parsing files.
        Ok(self.index.writer_with_num_threads(1, 64 * 1024 * 1024)?)
    }

    pub fn delete(&self, w: &IndexWriter, rel: &str) {
        w.delete_term(Term::from_field_text(self.fields.rel, rel));
    }

    pub fn add(&self, w: &IndexWriter, d: &DocInput) -> Result<()> {
        let f = &self.fields;
        let mut doc = doc!(
            f.rel => d.rel,
            f.key => d.key,
            f.archived => d.archived as u64,
            f.title => d.title,
            f.pathtext => d.path.replace(['/', '-'], " "),
            f.body => d.body,
            f.kind => d.kind,
            f.time => d.time,
            f.id => d.id,
        );
        let segs: Vec<&str> = d.path.split('/').collect();
        for i in 1..segs.len() {
            doc.add_text(f.scope, segs[..i].join("/"));
        }
        for t in d.tags {
            doc.add_text(f.tags, t);
        }
        for s in d.supersedes {
            doc.add_text(f.supersedes, s);
        }
        for s in d.supersedes_ids {
            doc.add_text(f.supersedes_id, s);
        }
        if let Some(s) = d.speaker {
            doc.add_text(f.speaker, s);
        }
        if let Some(t) = d.valid_to {
            doc.add_i64(f.valid_to, t);
        }
        w.add_document(doc)?;
        Ok(())
    }

    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn filter_clauses(&self, filter: &Filter) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(scope) = &filter.scope {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.scope, scope),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(kind) = &filter.kind {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if !filter.include_archived {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.archived, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if filter.since.is_some() || filter.until.is_some() {
            let lo = filter.since.map_or(Bound::Unbounded, |s| {
                Bound::Included(Term::from_field_i64(f.time, s))
            });
            let hi = filter.until.map_or(Bound::Unbounded, |u| {
                Bound::Included(Term::from_field_i64(f.time, u))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        clauses
    }

    /// Whether the entry at `rel` is indexed and passes `filter`.
    pub fn passes(&self, rel: &str, filter: &Filter) -> Result<bool> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.rel, rel),
                IndexRecordOption::Basic,
            )),
        )];
        clauses.extend(self.filter_clauses(filter));
        let searcher = self.reader.searcher();
        Ok(searcher.search(&BooleanQuery::new(clauses), &tantivy::collector::Count)? > 0)
    }

    /// BM25 search: (rel, key, score), best first.
    pub fn search(
        &self,
        query: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<(String, u64, f32)>> {
        self.search_requiring(&[], query, filter, limit)
    }

    /// [`Self::search`] among the entries that hold every word of
    /// `required` (in any searched field): the entries about one subject
    /// ("metis7"), ranked by the whole query.
    pub fn search_requiring(
        &self,
        required: &[&str],
        query: &str,
        filter: &Filter,
        limit: usize,
    ) -> Result<Vec<(String, u64, f32)>> {
        let f = &self.fields;
        // The searched fields and their boosts: title, tags and path over body.
        let fields = [
            (f.title, 2.0),
            (f.tags, 1.5),
            (f.pathtext, 1.2),
            (f.body, 1.0),
        ];
        let mut qp = QueryParser::for_index(&self.index, fields.iter().map(|(f, _)| *f).collect());
        for (field, boost) in fields {
            qp.set_field_boost(field, boost);
        }
        let cleaned = plain_query(query);
        let (cjk, rest) = super::analyzer::split_cjk(&cleaned);
        let (q, _) = qp.parse_query_lenient(&rest);
        let q: Box<dyn Query> = if cjk.is_empty() {
            q
        } else {
            // CJK pairs as plain terms, each field with its boost.
            let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, q)];
            for t in &cjk {
                for (field, boost) in fields {
                    let tq = TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    );
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(tq), boost)),
                    ));
                }
            }
            Box::new(BooleanQuery::new(any))
        };
        let mut clauses = vec![(Occur::Must, q)];
        for w in required {
            let cleaned = plain_query(w);
            // A word that analyses to nothing requires nothing.
            if !cleaned.chars().any(char::is_alphanumeric) {
                continue;
            }
            let (rq, _) = qp.parse_query_lenient(&cleaned);
            clauses.push((Occur::Must, rq));
        }
        clauses.extend(self.filter_clauses(filter));
        let q = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&q, &TopDocs::with_limit(limit.max(1)))?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let (rel, key) = self.rel_key(&searcher.doc(addr)?);
            out.push((rel, key, score));
        }
        Ok(out)
    }

    /// A document's entry file and key.
    fn rel_key(&self, d: &TantivyDocument) -> (String, u64) {
        let f = &self.fields;
        let rel = d
            .get_first(f.rel)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let key = d
            .get_first(f.key)
            .and_then(|v| v.as_u64())
            .unwrap_or_default();
        (rel, key)
    }

    /// The entries that pass `filter` (its time bounds say when), newest
    /// first: (rel, key, time). For a query that names only a time.
    pub fn newest(&self, filter: &Filter, limit: usize) -> Result<Vec<(String, u64, i64)>> {
        let mut clauses = self.filter_clauses(filter);
        clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        let q = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &q,
            &TopDocs::with_limit(limit.max(1))
                .order_by_fast_field::<i64>("time", tantivy::Order::Desc),
        )?;
        let mut out = Vec::with_capacity(top.len());
        for (time, addr) in top {
            let (rel, key) = self.rel_key(&searcher.doc(addr)?);
            out.push((rel, key, time));
        }
        // Equal times in a stable order.
        out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Every scope term (`domain`, `domain/topic`, …) in the index: the
    /// folders that hold indexed entries, read from the term dictionary
    /// (one entry per folder, not per entry file).
    pub fn scopes(&self) -> Result<std::collections::BTreeSet<String>> {
        let searcher = self.reader.searcher();
        let mut out = std::collections::BTreeSet::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.fields.scope)?;
            let mut stream = inv.terms().stream()?;
            while stream.advance() {
                if let Ok(s) = std::str::from_utf8(stream.key()) {
                    out.insert(s.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Looks up documents by vector key, keeping only those that pass `filter`.
    pub fn by_keys(
        &self,
        keys: &[u64],
        filter: &Filter,
    ) -> Result<std::collections::HashMap<u64, String>> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut out = std::collections::HashMap::new();
        let filters = self.filter_clauses(filter);
        for &k in keys {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.key, k),
                    IndexRecordOption::Basic,
                )),
            )];
            clauses.extend(filters.iter().map(|(o, q)| (*o, q.box_clone())));
            let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(1))?;
            if let Some((_, addr)) = top.first() {
                let d: TantivyDocument = searcher.doc(*addr)?;
                if let Some(rel) = d.get_first(f.rel).and_then(|v| v.as_str()) {
                    out.insert(k, rel.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Time (observed, else created; seconds) and speaker of each of `rels`
    /// that is in the index, for tier-3 re-scoring.
    pub fn meta(&self, rels: &[&str]) -> Result<std::collections::HashMap<String, DocMeta>> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut out = std::collections::HashMap::new();
        for &rel in rels {
            let q = TermQuery::new(Term::from_field_text(f.rel, rel), IndexRecordOption::Basic);
            let top = searcher.search(&q, &TopDocs::with_limit(1))?;
            let Some((_, addr)) = top.first() else {
                continue;
            };
            let time = doc_time(&searcher, *addr);
            let d: TantivyDocument = searcher.doc(*addr)?;
            let speaker = d
                .get_first(f.speaker)
                .and_then(|v| v.as_str())
                .map(String::from);
            out.insert(rel.to_string(), DocMeta { time, speaker });
        }
        Ok(out)
    }

    /// Whether a live entry supersedes the entry at `path` with this `id`:
    /// by its id (which still holds after the entry's folder was renamed by
    /// hand), or by its path for relations written without an id.
    pub fn is_superseded(&self, path: &str, id: &str) -> Result<bool> {
        Ok(!self.superseders(path, id, true)?.is_empty())
    }

    /// Those of `rels` that a live entry superseded (by `at`, if given),
    /// without reading their files: only entries with a `valid_to` (which
    /// a supersede writes) by then are checked, one query for all.
    pub fn superseded_among(
        &self,
        rels: &[&str],
        at: Option<i64>,
    ) -> Result<std::collections::HashSet<String>> {
        let f = &self.fields;
        let mut out = std::collections::HashSet::new();
        let searcher = self.reader.searcher();
        // No entry has ended (a tree of notes or conversations): no query.
        let mut none_ended = true;
        for seg in searcher.segment_readers() {
            none_ended &= seg.inverted_index(f.valid_to)?.terms().num_terms() == 0;
        }
        if rels.is_empty() || none_ended {
            return Ok(out);
        }
        let any: Vec<(Occur, Box<dyn Query>)> = rels
            .iter()
            .map(|r| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f.rel, r),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        let until = Term::from_field_i64(f.valid_to, at.unwrap_or(i64::MAX));
        let ended: Box<dyn Query> = Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.valid_to, i64::MIN)),
            Bound::Included(until),
        ));
        let q = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
            ),
            (Occur::Must, ended),
        ]);
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(rels.len()))? {
            let d: TantivyDocument = searcher.doc(addr)?;
            let rel = d.get_first(f.rel).and_then(|v| v.as_str()).unwrap_or("");
            let id = d.get_first(f.id).and_then(|v| v.as_str()).unwrap_or("");
            let path = rel
                .strip_prefix("_archive/")
                .unwrap_or(rel)
                .trim_end_matches(".md");
            if self
                .superseders(path, id, true)?
                .iter()
                .any(|(_, t)| in_effect_by(*t, at))
            {
                out.insert(rel.to_string());
            }
        }
        Ok(out)
    }

    /// The entries whose `supersedes` relation names the entry at `path`
    /// with this `id` (see [`Self::is_superseded`]), each with its time
    /// (observed, else created), oldest first; `live_only` leaves archived
    /// (forgotten) ones out.
    pub fn superseders(
        &self,
        path: &str,
        id: &str,
        live_only: bool,
    ) -> Result<Vec<(String, Option<i64>)>> {
        let f = &self.fields;
        let mut named: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(f.supersedes, path),
                IndexRecordOption::Basic,
            )),
        )];
        if !id.is_empty() {
            named.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.supersedes_id, id),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let mut clauses = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(named)) as Box<dyn Query>,
        )];
        if live_only {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.archived, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(64))?;
        let mut out = Vec::new();
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let Some(rel) = d.get_first(f.rel).and_then(|v| v.as_str()) else {
                continue;
            };
            out.push((rel.to_string(), doc_time(&searcher, addr)));
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        Ok(out)
    }
}

/// Whether a superseder made at `t` had taken effect by `at`: always when
/// either time is unknown (`at` None: now, whatever the times).
pub fn in_effect_by(t: Option<i64>, at: Option<i64>) -> bool {
    match (t, at) {
        (Some(t), Some(at)) => t <= at,
        _ => true,
    }
}

/// A document's time (observed, else created; the `time` fast field).
fn doc_time(searcher: &tantivy::Searcher, addr: tantivy::DocAddress) -> Option<i64> {
    searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .i64("time")
        .ok()
        .and_then(|c| c.first(addr.doc_id))
}

/// Natural language, not query syntax: lower case, without operators,
/// fields or phrases.
fn plain_query(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .map(|w| {
            w.trim_start_matches(['-', '+'])
                .chars()
                .map(|c| if is_query_syntax(c) { ' ' } else { c })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_query_syntax(c: char) -> bool {
    matches!(
        c,
        ':' | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '"'
            | '~'
            | '*'
            | '?'
            | '\\'
            | '!'
            | '<'
            | '>'
            | '='
            | '\''
    )
}

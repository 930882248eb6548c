//! Searching the index for a text: its BM25 and vector neighbours, the
//! one search that curation (candidates) and placement (topics) share.

use super::MemIndex;
use super::text::Filter;
use crate::model::select::Models;
use anyhow::Result;

/// How many neighbours of each list are curation candidates.
pub const CANDIDATES: usize = 5;

/// The index searches made for one statement: BM25 and vector neighbours,
/// deeper than the curation candidates so that placement can aggregate them
/// by topic without searching again.
#[derive(Debug, Clone, Default)]
pub struct Searched {
    /// (relative file, BM25 score), best first; live entries only.
    pub bm25: Vec<(String, f32)>,
    /// (relative file, cosine), best first, in the order the vector index
    /// returned them; live entries only. Empty without an embedder.
    pub vector: Vec<(String, f32)>,
    /// How many items of `vector` came from the raw vector top 5 (before
    /// archived ones were dropped): the curation candidates keep exactly
    /// the neighbours they had before placement searched deeper.
    pub(crate) vector_top: usize,
    /// The statement's embedding, when an embedder is configured.
    pub qv: Option<Vec<f32>>,
    /// BM25 top [`SUBJECT_DEPTH`] among the entries that name the
    /// statement's subject ("Host metis7 runs NixOS 24.05" finds metis7's
    /// entries even when other hosts' entries share more words); curation
    /// takes the first 2 × [`CANDIDATES`] live ones (a subject with many
    /// changed facts has more superseded entries than live ones, and the
    /// older values of a fact match it best).
    pub subject: Vec<String>,
}

/// How deep [`search`] looks among the entries naming the subject.
pub const SUBJECT_DEPTH: usize = 40;

/// How deep [`search`] looks (placement aggregates these by topic).
pub const SEARCH_DEPTH: usize = 20;

/// BM25 and vector neighbours of `text` over the index.
pub fn search(models: &Models, idx: &MemIndex, text: &str) -> Result<Searched> {
    let filter = Filter::default();
    let mut out = Searched::default();
    for (rel, _, score) in idx.text.search(text, &filter, SEARCH_DEPTH)? {
        if !out.bm25.iter().any(|(r, _)| *r == rel) {
            out.bm25.push((rel, score));
        }
    }
    let a = crate::text::Analysis::new(text);
    if let Some(subject) = a
        .subject_text
        .as_deref()
        .filter(|_| a.subject.as_deref() != Some("@user"))
    {
        let words: Vec<&str> = subject.split(' ').collect();
        for (rel, _, _) in idx
            .text
            .search_requiring(&words, text, &filter, SUBJECT_DEPTH)?
        {
            if !out.subject.contains(&rel) {
                out.subject.push(rel);
            }
        }
    }
    if let Some(emb) = models.embedder()? {
        let v = emb.embed(&[text])?.remove(0);
        if let Some(vi) = idx.vectors.as_ref().filter(|v| !v.is_empty()) {
            let near = vi.search(&v, SEARCH_DEPTH)?;
            let keys: Vec<u64> = near.iter().map(|(k, _)| *k).collect();
            let by = idx.text.by_keys(&keys, &filter)?;
            for (n, (k, cos)) in near.into_iter().enumerate() {
                if let Some(rel) = by.get(&k)
                    && !out.vector.iter().any(|(r, _)| r == rel)
                {
                    out.vector.push((rel.clone(), cos));
                    if n < CANDIDATES {
                        out.vector_top = out.vector.len();
                    }
                }
            }
        }
        out.qv = Some(v);
    }
    Ok(out)
}

impl Searched {
    /// How many items of `vector` came from the raw vector top
    /// [`CANDIDATES`] (see the field).
    pub fn vector_top(&self) -> usize {
        self.vector_top
    }
}

//! `mem eval dream`: `mem dream` on a synthetic tree with planted work.
//! A fresh tree gets synthetic filler entries (`mem eval synth`'s) and the
//! facts of the drift generator ([`super::drift::planted`]), one entry per
//! statement written without curation (as an import or a hand edit would
//! leave them): a share of the facts said twice (near-duplicates) and a
//! share given a later, different value (contradictions between live
//! entries). Then `mem dream` plans its changes on the whole tree, and
//! each proposal is scored against what was planted: a duplicate found is
//! a `duplicate` proposal joining the two entries of a duplicated fact; a
//! contradiction found is a `supersede` whose newer entry supersedes the
//! older one of a changed fact; every other proposal is wrong. Wrong and
//! right proposals are sampled (with their texts) for a person to check.

use super::drift::{Planted, planted};
use super::metrics::ratio;
use crate::ops::AddRequest;
use crate::paths::TopicPath;
use crate::rng::Rng;
use crate::time::format_secs;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Entries in the tree, planted ones included.
    pub entries: usize,
    /// Share of `entries` that are planted duplicates.
    pub duplicates: f64,
    /// Share of `entries` that are planted contradictions.
    pub changes: f64,
    /// Proposals of each kind (right, wrong) listed with their texts.
    pub sample: usize,
    pub work_dir: Option<PathBuf>,
}

/// A proposal with the texts of its two entries.
#[derive(Debug, Clone, Serialize)]
pub struct Sampled {
    pub kind: &'static str,
    pub keep: String,
    pub other: String,
    pub keep_text: String,
    pub other_text: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub seed: u64,
    pub entries: usize,
    pub facts: usize,
    pub planted_duplicates: usize,
    pub planted_changes: usize,
    pub found_duplicates: usize,
    pub found_changes: usize,
    pub proposals: usize,
    pub wrong: usize,
    /// Wrong proposals by kind.
    pub wrong_by_kind: BTreeMap<String, usize>,
    pub duplicate_recall: f64,
    pub change_recall: f64,
    /// Wrong proposals / all proposals.
    pub wrong_share: f64,
    /// Writing the tree and building its index (not part of dream's time).
    pub build_seconds: f64,
    /// `mem dream`'s planning pass over the whole tree.
    pub dream_seconds: f64,
    pub pairs_compared: usize,
    pub wrong_sample: Vec<Sampled>,
    pub right_sample: Vec<Sampled>,
    /// Planted pairs dream did not find (the older entry as `other`).
    pub missed_sample: Vec<Sampled>,
}

/// Builds the tree, runs dream's planning pass and scores it.
pub fn run(o: &Options, progress: &dyn Fn(&str)) -> Result<Report> {
    let n_dup = (o.entries as f64 * o.duplicates).round() as usize;
    let n_change = (o.entries as f64 * o.changes).round() as usize;
    // Five facts per subject; enough facts that a third or more are
    // planted on neither side (other attributes of the same subjects are
    // the near misses), at most the generator's 200 subjects.
    let subjects = ((n_dup + n_change) * 3 / 2 / 5).clamp(4, 200);
    let statements = planted(o.seed, subjects, n_dup, n_change);
    let facts = statements
        .iter()
        .filter(|(_, p)| *p == Planted::First)
        .count();
    anyhow::ensure!(
        statements.len() < o.entries,
        "{} entries cannot hold the {} planted statements; raise --entries",
        o.entries,
        statements.len()
    );
    let (dir, _guard) = crate::interrupt::scratch_tempdir("mem-eval-", o.work_dir.as_deref())?;
    let tree = crate::tree::init_tree(&dir.path().join("tree"), "eval")?;
    let t_build = Instant::now();
    let (filler, _) = super::synth::requests(o.entries - statements.len(), o.seed);
    let mut reqs: Vec<AddRequest> = filler;
    let first_fact = reqs.len();
    for (s, _) in &statements {
        let subject = s
            .text
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let topic = TopicPath::parse(&format!(
            "facts/{}",
            crate::paths::slugify_words(&subject, 40)
        ))
        .with_context(|| format!("no topic for {subject:?}"))?;
        reqs.push(AddRequest {
            text: s.text.clone(),
            at: Some(topic),
            kind: Some("fact".into()),
            observed: Some(format_secs(s.time)),
            ..Default::default()
        });
    }
    // Shuffled (seeded), so the planted entries are not side by side.
    let mut order: Vec<usize> = (0..reqs.len()).collect();
    Rng::new(o.seed ^ 0x5eed).shuffle(&mut order);
    let mut slots: Vec<Option<AddRequest>> = reqs.into_iter().map(Some).collect();
    // Path -> request index; ordered, so samples come out the same every run.
    let mut written: BTreeMap<String, usize> = BTreeMap::new();
    let mut texts: HashMap<String, String> = HashMap::new();
    for chunk in order.chunks(1000) {
        let batch: Vec<AddRequest> = chunk
            .iter()
            .map(|&i| slots[i].take().expect("each request once"))
            .collect();
        let bodies: Vec<String> = batch.iter().map(|r| r.text.clone()).collect();
        let outs = crate::ops::add_batch(&tree, batch, Some("mem: eval dream tree"))?;
        for ((&i, out), body) in chunk.iter().zip(outs).zip(bodies) {
            let path = out.path.trim_end_matches(".md").to_string();
            if out.op == "added" {
                written.insert(path.clone(), i);
                texts.insert(path, body);
            }
        }
        progress(&format!("wrote {} entries", written.len()));
    }
    // The index as a user's tree has it before a dream (recall keeps it).
    let models = crate::model::select::Models::new(&tree.config.models);
    crate::index::open(&tree, &models, false, false)?;
    let build_seconds = t_build.elapsed().as_secs_f64();
    progress("dreaming");

    let t = Instant::now();
    let (proposals, _, compared) = crate::dream::plan(&tree, 0)?;
    let dream_seconds = t.elapsed().as_secs_f64();

    let sampled = |kind: &'static str, keep: &str, other: &str, reason: &str| Sampled {
        kind,
        keep: keep.to_string(),
        other: other.to_string(),
        keep_text: texts.get(keep).cloned().unwrap_or_default(),
        other_text: texts.get(other).cloned().unwrap_or_default(),
        reason: reason.to_string(),
    };
    // Planted pairs by their entries' paths.
    let fact_of = |path: &str| -> Option<(usize, Planted)> {
        let i = *written.get(path)?;
        (i >= first_fact).then(|| {
            let (s, p) = &statements[i - first_fact];
            (s.fact, *p)
        })
    };
    let mut r = Report {
        seed: o.seed,
        entries: written.len(),
        facts,
        planted_duplicates: n_dup,
        planted_changes: n_change,
        proposals: proposals.len(),
        build_seconds,
        dream_seconds,
        pairs_compared: compared,
        ..Default::default()
    };
    for p in &proposals {
        let (keep, other) = (fact_of(&p.keep), fact_of(&p.other));
        let right = match (p.kind, keep, other) {
            ("duplicate", Some((a, pa)), Some((b, pb))) => {
                a == b
                    && matches!(
                        (pa, pb),
                        (Planted::First, Planted::Duplicate) | (Planted::Duplicate, Planted::First)
                    )
            }
            ("supersede", Some((a, Planted::Change)), Some((b, Planted::First))) => a == b,
            _ => false,
        };
        if right {
            if p.kind == "duplicate" {
                r.found_duplicates += 1;
            } else {
                r.found_changes += 1;
            }
        } else {
            r.wrong += 1;
            *r.wrong_by_kind.entry(p.kind.to_string()).or_default() += 1;
        }
        let sample = if right {
            &mut r.right_sample
        } else {
            &mut r.wrong_sample
        };
        if sample.iter().filter(|s| s.kind == p.kind).count() < o.sample {
            sample.push(sampled(p.kind, &p.keep, &p.other, &p.reason));
        }
    }
    // Planted pairs not found, for a look at why.
    let found: std::collections::HashSet<(&str, &str)> = proposals
        .iter()
        .flat_map(|p| {
            [
                (p.keep.as_str(), p.other.as_str()),
                (p.other.as_str(), p.keep.as_str()),
            ]
        })
        .collect();
    let mut by_fact: BTreeMap<usize, Vec<(&String, Planted)>> = BTreeMap::new();
    for (path, &i) in &written {
        if i >= first_fact {
            let (s, p) = &statements[i - first_fact];
            by_fact.entry(s.fact).or_default().push((path, *p));
        }
    }
    for entries in by_fact.values() {
        let first = entries.iter().find(|(_, p)| *p == Planted::First);
        let later = entries.iter().find(|(_, p)| *p != Planted::First);
        if let (Some((a, _)), Some((b, p))) = (first, later)
            && !found.contains(&(a.as_str(), b.as_str()))
        {
            let kind = if *p == Planted::Duplicate {
                "duplicate"
            } else {
                "supersede"
            };
            if r.missed_sample.iter().filter(|s| s.kind == kind).count() < o.sample {
                r.missed_sample.push(sampled(kind, b, a, ""));
            }
        }
    }
    r.duplicate_recall = ratio(r.found_duplicates, n_dup);
    r.change_recall = ratio(r.found_changes, n_change);
    r.wrong_share = ratio(r.wrong, r.proposals);
    Ok(r)
}

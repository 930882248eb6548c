//! `mem eval placement`: where inputs land in an existing tree, through
//! the same code as `mem add` (a dry run of [`crate::curate::curate_add`],
//! so nothing is written and every case sees the same tree).
//!
//! Tree file: JSON Lines `{"at": "domain/topic", "text"}` (the existing
//! entries). Case file: JSON Lines `{"id", "category", "input", "expect"}`
//! where `expect` is an existing `domain/topic` or `"new"` (no existing
//! topic fits; any new topic counts as right).

use crate::curate::{Mode, Options, curate_add};
use crate::model::select::Models;
use crate::ops::AddRequest;
use crate::paths::{EntryPath, TopicPath};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    #[serde(default)]
    pub category: String,
    pub input: String,
    pub expect: String,
    /// For a new topic: the domain a person would file it under (an
    /// existing domain of the tree, or `general`); scored as `new_domain`.
    #[serde(default)]
    pub domain: Option<String>,
    /// The tree file the case was written for (its file name); a case for
    /// another tree than `--tree` is skipped.
    #[serde(default)]
    pub tree: Option<String>,
}

pub use crate::eval::curation::Existing;

fn jsonl<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        out.push(
            serde_json::from_str(line)
                .with_context(|| format!("{what} line {}: not valid", i + 1))?,
        );
    }
    if out.is_empty() {
        bail!("{what} is empty");
    }
    Ok(out)
}

pub fn load_cases(text: &str, what: &str) -> Result<Vec<Case>> {
    let cases: Vec<Case> = jsonl(text, what)?;
    for c in &cases {
        if c.expect != "new" {
            TopicPath::parse(&c.expect)
                .with_context(|| format!("{what}: case {}: expect", c.id))?;
        }
    }
    Ok(cases)
}

pub fn load_tree(text: &str, what: &str) -> Result<Vec<Existing>> {
    jsonl(text, what)
}

pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ModeResult {
    pub mode: String,
    pub cases: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Cases expecting an existing topic: (right, total).
    pub existing: (usize, usize),
    /// Cases expecting a new topic: (right, total).
    pub new: (usize, usize),
    /// Cases with an expected domain for their new topic: (placed in a
    /// new topic of that domain, total).
    pub new_domain: (usize, usize),
    /// category -> (right, total)
    pub per_category: BTreeMap<String, (usize, usize)>,
    /// placed_by -> count
    pub placed_by: BTreeMap<String, usize>,
    pub model_calls: usize,
    pub errors: usize,
    pub latency_ms_p50: f64,
    pub latency_ms_p95: f64,
    pub mistakes: Vec<String>,
    /// One line per case: id, where it went, how and why.
    pub placements: Vec<String>,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Builds the tree once (index caught up), then places every case.
pub fn run_mode(
    tree_spec: &[Existing],
    cases: &[Case],
    models: &Models,
    mode: Mode,
    name: &str,
    progress: &dyn Fn(&str),
) -> Result<ModeResult> {
    let (_dir, tree, _) = crate::eval::curation::seed_tree(tree_spec, models)?;
    let topics: BTreeSet<String> = tree_spec.iter().map(|e| e.at.clone()).collect();
    let mut r = ModeResult {
        mode: name.to_string(),
        ..Default::default()
    };
    let mut lat = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        progress(&format!("{name}: {}/{} {}", i + 1, cases.len(), c.id));
        r.cases += 1;
        let opts = Options {
            mode,
            dry_run: true,
            ..Default::default()
        };
        let req = AddRequest {
            text: c.input.clone(),
            ..Default::default()
        };
        let t = Instant::now();
        let report = curate_add(&tree, models, req, &opts);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        let report = match report {
            Ok(rep) => rep,
            Err(e) => {
                r.errors += 1;
                r.mistakes.push(format!("{}: error {e:#}", c.id));
                continue;
            }
        };
        r.model_calls += report.model_calls;
        let Some(o) = report.outcomes.first() else {
            r.errors += 1;
            continue;
        };
        let got = EntryPath::parse(&o.path)
            .map(|p| p.topic().to_string())
            .unwrap_or_default();
        let is_new = !topics.contains(&got);
        let by = if o.op == "added" || o.op == "superseded" {
            o.placed_by
        } else {
            "curation"
        };
        *r.placed_by.entry(by.to_string()).or_default() += 1;
        r.placements.push(format!(
            "{} -> {got} [{by}; {}]",
            c.id,
            o.placement.as_deref().unwrap_or(&o.reason)
        ));
        let ok = if c.expect == "new" {
            is_new
        } else {
            got == c.expect
        };
        let bucket = if c.expect == "new" {
            &mut r.new
        } else {
            &mut r.existing
        };
        bucket.1 += 1;
        if let Some(want) = &c.domain {
            r.new_domain.1 += 1;
            let domain = got.split('/').next().unwrap_or_default();
            if is_new && domain == want {
                r.new_domain.0 += 1;
            } else if ok {
                r.mistakes.push(format!(
                    "{}: expected a new topic in {want} got {got} [{by}; {}]",
                    c.id,
                    o.placement.as_deref().unwrap_or(&o.reason)
                ));
            }
        }
        let cat = r.per_category.entry(c.category.clone()).or_default();
        cat.1 += 1;
        if ok {
            r.correct += 1;
            bucket.0 += 1;
            cat.0 += 1;
        } else {
            r.mistakes.push(format!(
                "{}: expected {} got {got}{} [{} {}; {}]",
                c.id,
                c.expect,
                if is_new { " (new)" } else { "" },
                o.op,
                by,
                o.placement.as_deref().unwrap_or(&o.reason)
            ));
        }
    }
    r.accuracy = if r.cases > 0 {
        r.correct as f64 / r.cases as f64
    } else {
        0.0
    };
    r.latency_ms_p50 = pct(&mut lat, 0.5);
    r.latency_ms_p95 = pct(&mut lat, 0.95);
    Ok(r)
}

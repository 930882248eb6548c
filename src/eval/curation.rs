//! `mem eval curation`: every scenario in a fresh temporary tree, through
//! the same code as `mem add` ([`super::curate_add`]), scored against the
//! expected operation and target of each statement.
//!
//! Scenario file: JSON Lines, one case per line:
//! `{"id", "category", "existing": [{"at": "domain/topic", "text"}], "input",
//!   "expect": [{"op": "add|update|merge|supersede|noop", "target": index into existing}]}`
//! (`expect` has one item per statement of the input, in input order).

use crate::curate::{Mode, Options, Report, curate_add};
use crate::model::select::Models;
use crate::ops::AddRequest;
use crate::paths::TopicPath;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub existing: Vec<Existing>,
    pub input: String,
    pub expect: Vec<Expect>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Existing {
    pub at: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Expect {
    pub op: String,
    #[serde(default)]
    pub target: Option<usize>,
}

pub fn load(path: &Path) -> Result<Vec<Case>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let c: Case = serde_json::from_str(line)
            .with_context(|| format!("{} line {}: not a scenario", path.display(), i + 1))?;
        out.push(c);
    }
    if out.is_empty() {
        bail!("{} has no scenarios", path.display());
    }
    Ok(out)
}

/// Results of one configuration over all cases.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ModeResult {
    pub mode: String,
    pub decisions: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Cases whose every statement was decided right.
    pub cases: usize,
    pub cases_correct: usize,
    /// expected op -> (correct, total)
    pub per_op: BTreeMap<String, (usize, usize)>,
    /// expected -> got -> count, for mistakes only
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub model_calls: usize,
    /// Stored statements whose evidence does not support them.
    pub unsupported_stored: usize,
    /// Statements proposed by distillation and refused by the check.
    pub rejected: usize,
    /// Input statements that are on disk nowhere after the add.
    pub lost: usize,
    pub pending: usize,
    pub errors: usize,
    pub latency_ms_p50: f64,
    pub latency_ms_p95: f64,
    pub latency_ms_max: f64,
    pub mistakes: Vec<String>,
}

fn got_op(op: &str) -> &'static str {
    match op {
        "updated" => "update",
        "merged" => "merge",
        "superseded" => "supersede",
        "noop" => "noop",
        _ => "add",
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

/// Runs one case; returns the report, the paths of the existing entries
/// and the wall time of the curated add.
/// A fresh temporary tree holding `existing` (one commit), its index caught
/// up as a running tree's would be. Returns the entries' paths in order.
pub fn seed_tree(
    existing: &[Existing],
    models: &Models,
) -> Result<(tempfile::TempDir, crate::tree::Tree, Vec<String>)> {
    let dir = tempfile::tempdir()?;
    let tree = crate::tree::init_tree(&dir.path().join("tree"), "eval")?;
    let reqs: Vec<AddRequest> = existing
        .iter()
        .map(|e| -> Result<AddRequest> {
            Ok(AddRequest {
                text: e.text.clone(),
                at: Some(TopicPath::parse(&e.at)?),
                ..Default::default()
            })
        })
        .collect::<Result<_>>()?;
    let mut paths = Vec::new();
    if !reqs.is_empty() {
        for o in crate::ops::add_batch(&tree, reqs, Some("eval: existing entries"))? {
            paths.push(o.path);
        }
        crate::index::open(&tree, models, false, false)?;
    }
    Ok((dir, tree, paths))
}

pub fn run_case(
    case: &Case,
    models: &Models,
    mode: Mode,
) -> Result<(Report, Vec<String>, f64, tempfile::TempDir)> {
    let (dir, tree, paths) = seed_tree(&case.existing, models)?;
    let req = AddRequest {
        text: case.input.clone(),
        ..Default::default()
    };
    let opts = Options {
        mode,
        ..Default::default()
    };
    let t = Instant::now();
    let report = curate_add(&tree, models, req, &opts)?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok((report, paths, ms, dir))
}

pub fn run_mode(
    cases: &[Case],
    models: &Models,
    mode: Mode,
    name: &str,
    progress: &dyn Fn(&str),
) -> ModeResult {
    let mut r = ModeResult {
        mode: name.to_string(),
        ..Default::default()
    };
    let mut lat = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        progress(&format!("{name}: {}/{} {}", ci + 1, cases.len(), case.id));
        r.cases += 1;
        let (report, paths, ms, dir) = match run_case(case, models, mode) {
            Ok(x) => x,
            Err(e) => {
                r.errors += 1;
                r.decisions += case.expect.len();
                r.mistakes.push(format!("{}: error {e:#}", case.id));
                for ex in &case.expect {
                    r.per_op.entry(ex.op.clone()).or_default().1 += 1;
                }
                continue;
            }
        };
        lat.push(ms);
        r.model_calls += report.model_calls;
        r.rejected += report.rejected.len();
        let root = dir.path().join("tree");
        let mut all_ok = true;
        for (i, ex) in case.expect.iter().enumerate() {
            r.decisions += 1;
            let e = r.per_op.entry(ex.op.clone()).or_default();
            e.1 += 1;
            let got = report.outcomes.get(i);
            let (gop, gtarget) = match got {
                Some(o) => (got_op(o.op), o.target.clone()),
                None => ("missing", None),
            };
            let want_target = ex.target.and_then(|t| paths.get(t).cloned());
            let ok = gop == ex.op && (ex.op == "add" || gtarget == want_target);
            if ok {
                r.correct += 1;
                r.per_op.get_mut(&ex.op).unwrap().0 += 1;
            } else {
                all_ok = false;
                let label = if gop == ex.op {
                    format!("{gop}(wrong target)")
                } else {
                    gop.to_string()
                };
                *r.confusion
                    .entry(ex.op.clone())
                    .or_default()
                    .entry(label.clone())
                    .or_default() += 1;
                let why = got
                    .map(|o| format!("{}: {}", o.decided_by, o.reason))
                    .unwrap_or_default();
                r.mistakes.push(format!(
                    "{} #{i}: expected {} got {label} [{why}]",
                    case.id, ex.op
                ));
            }
        }
        if report.outcomes.len() != case.expect.len() {
            all_ok = false;
            r.mistakes.push(format!(
                "{}: {} statements, expected {}",
                case.id,
                report.outcomes.len(),
                case.expect.len()
            ));
        }
        if all_ok {
            r.cases_correct += 1;
        }
        for o in &report.outcomes {
            if o.pending {
                r.pending += 1;
            }
            // Support: every stored statement against the input.
            if o.op != "noop" {
                let st = crate::curate::distill::Statement {
                    text: o.statement.clone(),
                    evidence: o.evidence.clone().unwrap_or_else(|| o.statement.clone()),
                };
                if crate::curate::distill::supported(&st, &case.input).is_err()
                    && o.statement != case.input.trim()
                {
                    r.unsupported_stored += 1;
                }
            }
            // Nothing lost: the statement is in the written file, or the duplicate exists.
            let file = root.join(format!("{}.md", o.path));
            let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
            let kept = if o.op == "noop" {
                file.is_file()
            } else {
                on_disk.contains(o.statement.trim())
            };
            if !kept {
                r.lost += 1;
                r.mistakes.push(format!(
                    "{}: statement {:?} not found in {}",
                    case.id, o.statement, o.path
                ));
            }
        }
    }
    r.accuracy = if r.decisions > 0 {
        r.correct as f64 / r.decisions as f64
    } else {
        0.0
    };
    r.latency_ms_p50 = pct(&mut lat, 0.5);
    r.latency_ms_p95 = pct(&mut lat, 0.95);
    r.latency_ms_max = lat.iter().cloned().fold(0.0, f64::max);
    r
}

//! `mem eval lessons`: `mem learn` on a gold set (fixtures/lessons, see its
//! README for the format and the matching rule): lesson recall and
//! precision, lessons without verbatim evidence, and the replay — every
//! transcript learned into one fresh tree, then each first error looked up
//! with `recall --error`.

use crate::learn::{self, Lesson, transcript};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct GoldLesson {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub advice: String,
    pub trigger_keys: Vec<String>,
    pub advice_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub transcript: String,
    #[serde(default)]
    pub lessons: Vec<GoldLesson>,
    #[serde(default)]
    pub first_error: Option<String>,
    #[serde(default)]
    pub first_error_lesson: Option<usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct KindScore {
    pub gold: usize,
    pub found: usize,
    pub extracted: usize,
    pub correct: usize,
}

#[derive(Debug, Serialize)]
pub struct Miss {
    pub transcript: String,
    /// `missed` (a gold lesson no extracted lesson matches) or `wrong` (an
    /// extracted lesson that matches no gold lesson).
    pub what: &'static str,
    pub kind: String,
    pub trigger: String,
    pub advice: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub transcripts: usize,
    pub gold: usize,
    pub extracted: usize,
    /// Gold lessons matched / gold lessons (goal ≥ 0.80).
    pub recall: f64,
    /// Extracted lessons matching a gold lesson / extracted (goal ≥ 0.80).
    pub precision: f64,
    /// Extracted lessons with a quote not verbatim at its turn (goal 0).
    pub without_evidence: usize,
    pub kinds: BTreeMap<String, KindScore>,
    /// First errors with a lesson, asked through `recall --error`.
    pub replay_asked: usize,
    /// … whose lesson came back in the top 3 (goal ≥ 0.80 of asked).
    pub replay_top3: usize,
    pub replay_rate: f64,
    /// Extraction time per transcript (parse + extract + verify), ms.
    pub extract_ms: f64,
    pub mistakes: Vec<Miss>,
}

pub fn load(path: &Path) -> Result<Vec<Gold>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{}:{}", path.display(), i + 1))
        })
        .collect()
}

fn norm(s: &str) -> String {
    s.replace('`', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The matching rule: every trigger key in the trigger, every advice key
/// in the advice (case-insensitive, whitespace collapsed, backticks as
/// quotes).
pub fn matches(trigger: &str, advice: &str, g: &GoldLesson) -> bool {
    let (t, a) = (norm(trigger), norm(advice));
    g.trigger_keys.iter().all(|k| t.contains(&norm(k)))
        && g.advice_keys.iter().all(|k| a.contains(&norm(k)))
}

/// Runs the set in `file` (transcripts relative to its folder); with
/// `replay`, learns them all into a fresh tree and asks each first error.
pub fn run(file: &Path, replay: bool) -> Result<Report> {
    let golds = load(file)?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut r = Report {
        file: file.display().to_string(),
        transcripts: golds.len(),
        gold: 0,
        extracted: 0,
        recall: 0.0,
        precision: 0.0,
        without_evidence: 0,
        kinds: BTreeMap::new(),
        replay_asked: 0,
        replay_top3: 0,
        replay_rate: 0.0,
        extract_ms: 0.0,
        mistakes: Vec::new(),
    };
    let (mut found, mut correct) = (0usize, 0usize);
    let mut learned: Vec<(transcript::Transcript, Vec<Lesson>, String)> = Vec::new();
    let t0 = std::time::Instant::now();
    for g in &golds {
        let path = base.join(&g.transcript);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let stem = Path::new(&g.transcript)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let t = transcript::parse(&bytes, &stem).with_context(|| g.transcript.clone())?;
        let lessons = learn::extract(&t);
        r.without_evidence += lessons
            .iter()
            .filter(|l| !learn::verify(&t, l).is_empty())
            .count();
        r.gold += g.lessons.len();
        r.extracted += lessons.len();
        for gl in &g.lessons {
            let k = r.kinds.entry(gl.kind.clone()).or_default();
            k.gold += 1;
            if lessons.iter().any(|l| matches(&l.trigger, &l.advice, gl)) {
                k.found += 1;
                found += 1;
            } else {
                r.mistakes.push(Miss {
                    transcript: g.transcript.clone(),
                    what: "missed",
                    kind: gl.kind.clone(),
                    trigger: gl.trigger.clone(),
                    advice: gl.advice.clone(),
                });
            }
        }
        for l in &lessons {
            let k = r.kinds.entry(l.kind.to_string()).or_default();
            k.extracted += 1;
            if g.lessons
                .iter()
                .any(|gl| matches(&l.trigger, &l.advice, gl))
            {
                k.correct += 1;
                correct += 1;
            } else {
                r.mistakes.push(Miss {
                    transcript: g.transcript.clone(),
                    what: "wrong",
                    kind: l.kind.to_string(),
                    trigger: l.trigger.clone(),
                    advice: l.advice.clone(),
                });
            }
        }
        learned.push((t, lessons, g.transcript.clone()));
    }
    r.extract_ms = t0.elapsed().as_secs_f64() * 1000.0 / golds.len().max(1) as f64;
    r.recall = found as f64 / r.gold.max(1) as f64;
    r.precision = correct as f64 / r.extracted.max(1) as f64;
    if replay {
        let dir = tempfile::tempdir()?;
        let tree = crate::tree::init_tree(&dir.path().join("tree"), "eval")?;
        for (t, lessons, name) in &learned {
            let ok: Vec<Lesson> = lessons
                .iter()
                .filter(|l| learn::verify(t, l).is_empty())
                .cloned()
                .collect();
            learn::store::store(&tree, t, name, ok, false)?;
        }
        let models = crate::model::select::Models::new(&tree.config.models);
        for (g, (t, _, _)) in golds.iter().zip(&learned) {
            let (Some(err), Some(i)) = (&g.first_error, g.first_error_lesson) else {
                continue;
            };
            let Some(gl) = g.lessons.get(i) else { continue };
            r.replay_asked += 1;
            let q = crate::recall::Query {
                text: learn::error_query(err),
                k: 3,
                max_tier: 3,
                kind: Some("lesson".into()),
                ..Default::default()
            };
            let (hits, _) = crate::recall::recall(&tree, &models, &q)?;
            // As `mem recall --error` shows them.
            let hits = learn::hits_about_error(&learn::error_terms(err), hits, |h| {
                std::fs::read_to_string(tree.abs(&format!("{}.md", h.path))).unwrap_or_default()
            });
            let prefix = format!("learn:{}:", t.session);
            let hit = hits.iter().any(|h| {
                let from_here = h
                    .source
                    .get("ref")
                    .and_then(|v| v.as_str())
                    .is_some_and(|r| r.starts_with(&prefix));
                let body = std::fs::read_to_string(tree.abs(&format!("{}.md", h.path)))
                    .ok()
                    .and_then(|s| crate::entry::Entry::parse(&s).ok())
                    .map(|e| e.body().to_string())
                    .unwrap_or_default();
                let field = |n: &str| learn::store::field(&body, n).unwrap_or("").to_string();
                (from_here || body.contains(&format!("- confirmed by {prefix}")))
                    && matches(&field("trigger"), &field("advice"), gl)
            });
            if hit {
                r.replay_top3 += 1;
            }
        }
        r.replay_rate = r.replay_top3 as f64 / r.replay_asked.max(1) as f64;
    }
    Ok(r)
}

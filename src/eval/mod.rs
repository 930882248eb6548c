//! `mem eval locomo|longmemeval`: the benchmark harness. For every
//! conversation (LoCoMo) or question (LongMemEval) a fresh temporary tree is
//! made, the conversation is written through the same code as `mem ingest`
//! ([`crate::ingest`]), the index is caught up as `mem recall` does, and
//! each question is asked through [`crate::recall::recall_with`] — the code
//! behind `mem recall` and `mem watch`. The ranked `source.ref`s are scored
//! with [`metrics`] at turn and session level.

pub mod curation;
pub mod dreambench;
pub mod drift;
pub mod knobs;
pub mod lessons;
pub mod locomo;
pub mod longmemeval;
pub mod metrics;
pub mod placement;
pub mod qa;
pub mod quarantine;
pub mod synth;

use crate::ingest::{Conversation, Granularity, Quirks, Shape};
use crate::model::select::Models;
use crate::recall::{Query, recall_with};
use anyhow::{Context, Result};
use metrics::{Agg, Summary, percentile, round4, sessions_of};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One question to ask, with its gold references.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    /// Category / question type, for the breakdown.
    pub group: String,
    pub text: String,
    /// Gold turn refs (empty: not scored at turn level).
    pub gold_turns: Vec<String>,
    /// Gold session refs (empty: not scored at session level).
    pub gold_sessions: Vec<String>,
    /// Why the question is not asked at all (e.g. `abstention`).
    pub excluded: Option<String>,
    /// When it is asked (seconds; LongMemEval's `question_date`): relative
    /// dates in it resolve against this. `None`: the current time.
    pub now: Option<i64>,
    /// The reference answer, for `--qa` (LoCoMo's category 3 already cut
    /// at its first `;`).
    pub answer: String,
    /// How `--qa` scores the answer.
    pub scoring: qa::Scoring,
}

/// One temporary tree: a conversation and the questions asked of it.
#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    pub conversation: Conversation,
    pub questions: Vec<Question>,
    /// Data quirks met while parsing this unit.
    pub quirks: Quirks,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub shape: Shape,
    pub max_tier: u8,
    /// Hits asked of recall per question (the ranking depth).
    pub depth: usize,
    /// Questions to ask at most.
    pub limit: Option<usize>,
    /// Where temporary trees are made (default: the system temp dir); it
    /// must exist.
    pub work_dir: Option<PathBuf>,
    pub dump: Option<PathBuf>,
    /// Per-unit progress lines on stderr.
    pub verbose: bool,
    /// Answer every question too (`--qa`) and score the answers.
    pub qa: Option<QaOptions>,
}

#[derive(Debug, Clone)]
pub struct QaOptions {
    /// Notes retrieved per question.
    pub k: usize,
    pub answer: crate::answer::Options,
    /// Answer without a model (the best matching sentence).
    pub extractive: bool,
}

/// The answers' scores (`--qa`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct QaReport {
    /// `generator` or `extractive`.
    pub mode: String,
    pub answerer: Option<String>,
    /// Questions with an answer to find (not abstention questions).
    pub answerable: QaGroup,
    /// Abstention questions (LoCoMo category 5, LongMemEval `_abs`):
    /// `score` is the share that abstained.
    pub abstention: QaGroup,
    pub by_group: BTreeMap<String, QaGroup>,
    pub first_token_ms: Option<Latency>,
    pub answer_ms: Option<Latency>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct QaGroup {
    pub n: usize,
    /// Mean F1 (LoCoMo's metric), or for abstention questions the share
    /// that abstained.
    pub score: f64,
    /// Share whose answer contains the whole reference answer.
    pub contains: f64,
    /// Share that abstained.
    pub abstained: f64,
}

#[derive(Default)]
struct QaAgg {
    sum: f64,
    contains: usize,
    abstained: usize,
    n: usize,
}

impl QaAgg {
    fn add(&mut self, score: f64, contains: bool, abstained: bool) {
        self.n += 1;
        self.sum += score;
        self.contains += usize::from(contains);
        self.abstained += usize::from(abstained);
    }
    fn group(&self) -> QaGroup {
        let d = self.n.max(1) as f64;
        QaGroup {
            n: self.n,
            score: round4(self.sum / d),
            contains: round4(self.contains as f64 / d),
            abstained: round4(self.abstained as f64 / d),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub overall: Summary,
    pub by_group: BTreeMap<String, Summary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub mean: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestStats {
    pub trees: usize,
    pub turns: usize,
    pub entries: usize,
    pub write_seconds: f64,
    pub index_seconds: f64,
    /// Texts embedded (cache hits included) and new ones computed by the model.
    pub embedded: usize,
    pub turns_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub dataset: String,
    pub file: String,
    pub granularity: Granularity,
    pub max_tier: u8,
    pub depth: usize,
    pub embedder: Option<String>,
    /// Temporary trees made (units with a question to ask).
    pub units: usize,
    /// Questions met before `--limit` was reached: asked or skipped.
    pub questions: usize,
    pub asked: usize,
    /// Questions not asked or not scored at a level, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Data quirks of the units read (those before `--limit` was reached)
    /// and of the file's items that make no unit.
    pub quirks: Quirks,
    pub turn: Option<Level>,
    pub session: Level,
    /// Recall latency (recall_with, index already open) by the tier that
    /// produced the ranking, and over all questions.
    pub latency_ms: BTreeMap<String, Latency>,
    pub ingest: IngestStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qa: Option<QaReport>,
    pub seconds: f64,
    pub peak_rss_mib: Option<f64>,
}

/// One line of `--dump` (JSON Lines; see docs/benchmarks.md, dump format).
#[derive(Serialize)]
struct DumpLine<'a> {
    dataset: &'a str,
    unit: &'a str,
    id: &'a str,
    group: &'a str,
    question: &'a str,
    granularity: Granularity,
    gold_turns: &'a [String],
    gold_sessions: &'a [String],
    ranked: &'a [String],
    tier: u8,
    ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<DumpAnswer<'a>>,
}

#[derive(Serialize)]
struct DumpAnswer<'a> {
    gold: &'a str,
    answer: &'a str,
    raw: &'a str,
    abstained: bool,
    score: f64,
    cited: Vec<&'a str>,
    /// What the check removed from the model's text, and why.
    removed: &'a [crate::answer::Removed],
    /// The notes the model read: with `raw`, enough to check the answer
    /// again without the model.
    notes: &'a [crate::context::Packed],
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round4(kb / 1024.0))
}

/// The check of `--work-dir`: it must be an existing folder (a typo must
/// not create folders anywhere).
pub fn check_work_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        anyhow::bail!(
            "--work-dir {}: no such folder; create it first, or leave --work-dir out to use the system temp dir",
            dir.display()
        );
    }
    Ok(())
}

/// Runs the units and scores them. `quirks`: those of the file outside
/// any unit; each unit's own are added when it is read.
pub fn run(
    dataset: &str,
    file: &Path,
    units: Vec<Unit>,
    mut quirks: Quirks,
    models: &Models,
    opts: &Options,
) -> Result<Report> {
    let t_all = Instant::now();
    if let Some(d) = &opts.work_dir {
        check_work_dir(d)?;
    }
    let mut dump = match &opts.dump {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p)
                .with_context(|| format!("cannot write the dump to {}", p.display()))?,
        )),
        None => None,
    };
    let gran = opts.shape.granularity;
    let mut turn_agg = Agg::default();
    let mut sess_agg = Agg::default();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut lat: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut ingest = IngestStats::default();
    let (mut questions, mut asked) = (0usize, 0usize);
    let (mut qa_all, mut qa_abs) = (QaAgg::default(), QaAgg::default());
    let mut qa_groups: BTreeMap<String, QaAgg> = BTreeMap::new();
    let (mut qa_first, mut qa_total): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let (mut qa_mode, mut qa_gen) = (String::new(), None);
    let answerer = match &opts.qa {
        Some(q) if !q.extractive => models.answerer()?,
        _ => Default::default(),
    };
    if let (Some(n), true) = (&answerer.notice, opts.verbose) {
        eprintln!("note: {n}");
    }
    let n_units = units.len();
    let mut used_units = 0;
    for (ui, unit) in units.into_iter().enumerate() {
        if opts.limit.is_some_and(|l| asked >= l) {
            break;
        }
        quirks.merge(&unit.quirks);
        let asked_here = |q: &Question| {
            q.excluded.is_none() || (opts.qa.is_some() && q.scoring == qa::Scoring::Abstain)
        };
        if !unit.questions.iter().any(asked_here) {
            // Nothing to ask: no tree needed.
            for q in &unit.questions {
                questions += 1;
                *skipped
                    .entry(q.excluded.clone().unwrap_or_default())
                    .or_default() += 1;
            }
            continue;
        }
        let t_unit = Instant::now();
        used_units += 1;
        // The guard is dropped before `tmp`: an interrupted eval removes
        // its tree too.
        let (tmp, _scratch) =
            crate::interrupt::scratch_tempdir("mem-eval-", opts.work_dir.as_deref()).with_context(
                || match &opts.work_dir {
                    Some(d) => format!("creating a temporary tree in {}", d.display()),
                    None => "creating a temporary tree".to_string(),
                },
            )?;
        let root = tmp.path().join("tree");
        std::fs::create_dir_all(&root)?;
        let tree = crate::tree::init_tree(&root, "eval")?;
        let mut rep = crate::ingest::Report::default();
        crate::ingest::write(
            &tree,
            Some(models),
            std::slice::from_ref(&unit.conversation),
            &opts.shape,
            None,
            &format!("mem: ingest {} (eval)", unit.name),
            opts.verbose,
            &mut rep,
        )
        .with_context(|| format!("ingesting {}", unit.name))?;
        ingest.trees += 1;
        ingest.turns += rep.turns;
        ingest.entries += rep.added;
        ingest.write_seconds += rep.write_seconds;
        ingest.index_seconds += rep.index_seconds;
        ingest.embedded += rep.embedded;
        let (idx, catchup) = crate::index::open(&tree, models, false, false)?;
        let mut unit_asked = 0;
        for q in &unit.questions {
            if opts.limit.is_some_and(|l| asked >= l) {
                break;
            }
            questions += 1;
            // With --qa, abstention questions are asked for their answer
            // (scored as abstention) but not scored for retrieval.
            let qa_only = opts.qa.is_some() && q.scoring == qa::Scoring::Abstain;
            if let Some(why) = &q.excluded
                && !qa_only
            {
                *skipped.entry(why.clone()).or_default() += 1;
                continue;
            }
            asked += 1;
            unit_asked += 1;
            let query = crate::eval::knobs::with_recall_knobs(Query {
                text: q.text.clone(),
                k: opts.depth,
                max_tier: opts.max_tier,
                now: q.now,
                ..Default::default()
            });
            let (hits, stats) = recall_with(&tree, models, &idx, catchup.generation, &query)?;
            if query.tuning.uses_signals() {
                // A stream of questions: what this one was shown counts as
                // used for the ones after it.
                let top: Vec<&str> = hits.iter().take(5).map(|h| h.id.as_str()).collect();
                crate::signals::record(&tree, &top);
            }
            // Refs as the data names them (a repeated LoCoMo dia_id's
            // `~2` dropped): what the gold lists and the dump hold. Each
            // ref once, at its first place, so that a recomputation from
            // the dump that does not drop repeats still agrees.
            let mut seen = std::collections::HashSet::new();
            let ranked: Vec<String> = hits
                .iter()
                .filter_map(|h| {
                    h.source
                        .get("ref")
                        .and_then(|r| r.as_str())
                        .map(|r| locomo::dataset_ref(r).to_string())
                })
                .filter(|r| seen.insert(r.clone()))
                .collect();
            let tier = if stats.cached { 0 } else { stats.tier };
            lat.entry(format!("tier {tier}"))
                .or_default()
                .push(stats.total_ms);
            lat.entry("all".into()).or_default().push(stats.total_ms);
            let mut dump_answer = None;
            if let Some(qo) = &opts.qa {
                let base = Query {
                    k: qo.k,
                    ..query.clone()
                };
                let model = if qo.extractive {
                    None
                } else {
                    answerer.model.as_deref()
                };
                let a = crate::answer::ask(
                    &tree,
                    &q.text,
                    &base,
                    &mut |qq| recall_with(&tree, models, &idx, catchup.generation, qq),
                    model,
                    &crate::answer::Options {
                        now: q.now,
                        ..qo.answer.clone()
                    },
                    &mut |_| {},
                )?;
                let text = qa::plain(&a.answer);
                let sc = qa::score(q.scoring, &text, a.abstained, &q.answer);
                let has = !a.abstained && qa::contains(&text, &q.answer);
                if q.scoring == qa::Scoring::Abstain {
                    qa_abs.add(sc, false, a.abstained);
                } else {
                    qa_all.add(sc, has, a.abstained);
                }
                qa_groups
                    .entry(q.group.clone())
                    .or_default()
                    .add(sc, has, a.abstained);
                if let Some(t) = a.timings.first_token_ms {
                    qa_first.push(t);
                }
                qa_total.push(a.timings.total_ms);
                qa_mode = a.mode.to_string();
                qa_gen = a.generator.clone();
                dump_answer = Some((a, text, sc));
            }
            if qa_only {
                if let (Some(d), Some((a, text, sc))) = (dump.as_mut(), &dump_answer) {
                    write_dump(
                        d,
                        dataset,
                        &unit.name,
                        q,
                        gran,
                        &[],
                        0,
                        0.0,
                        Some((a, text, *sc)),
                    )?;
                }
                continue;
            }
            let ranked_sessions = match gran {
                Granularity::Turn => sessions_of(&ranked),
                Granularity::Session => metrics::sessions_ranked(&ranked),
            };
            if gran == Granularity::Turn && !q.gold_turns.is_empty() {
                turn_agg.add(&q.group, &metrics::score(&ranked, &q.gold_turns));
            } else if gran == Granularity::Turn {
                *skipped
                    .entry("no gold turns (turn level not scored)".into())
                    .or_default() += 1;
            }
            if !q.gold_sessions.is_empty() {
                sess_agg.add(
                    &q.group,
                    &metrics::score(&ranked_sessions, &q.gold_sessions),
                );
            } else {
                *skipped
                    .entry("no gold sessions (session level not scored)".into())
                    .or_default() += 1;
            }
            if let Some(d) = dump.as_mut() {
                write_dump(
                    d,
                    dataset,
                    &unit.name,
                    q,
                    gran,
                    &ranked,
                    tier,
                    stats.total_ms,
                    dump_answer.as_ref().map(|(a, t, s)| (a, t, *s)),
                )?;
            }
        }
        if opts.verbose {
            eprintln!(
                "[{}/{}] {}: {} turns, {} entries (write {:.2}s, index {:.2}s), {} questions, {:.2}s",
                ui + 1,
                n_units,
                unit.name,
                rep.turns,
                rep.added,
                rep.write_seconds,
                rep.index_seconds,
                unit_asked,
                t_unit.elapsed().as_secs_f64()
            );
        }
        drop(idx);
        drop(tree);
        let _ = tmp.close();
    }
    if let Some(mut d) = dump {
        d.flush()?;
    }
    let secs = ingest.write_seconds + ingest.index_seconds;
    ingest.turns_per_s = if secs > 0.0 {
        round4(ingest.turns as f64 / secs)
    } else {
        0.0
    };
    ingest.write_seconds = round4(ingest.write_seconds);
    ingest.index_seconds = round4(ingest.index_seconds);
    let latency_ms = lat.into_iter().map(|(k, v)| (k, latency(&v))).collect();
    let qa = opts.qa.as_ref().map(|_| QaReport {
        mode: qa_mode,
        answerer: qa_gen,
        answerable: qa_all.group(),
        abstention: qa_abs.group(),
        by_group: qa_groups
            .iter()
            .map(|(k, v)| (k.clone(), v.group()))
            .collect(),
        first_token_ms: (!qa_first.is_empty()).then(|| latency(&qa_first)),
        answer_ms: (!qa_total.is_empty()).then(|| latency(&qa_total)),
    });
    Ok(Report {
        dataset: dataset.to_string(),
        file: file.display().to_string(),
        granularity: gran,
        max_tier: opts.max_tier,
        depth: opts.depth,
        embedder: models.embedder_id(),
        units: used_units,
        questions,
        asked,
        skipped,
        quirks,
        turn: (gran == Granularity::Turn).then(|| Level {
            overall: turn_agg.overall(),
            by_group: turn_agg.by_group(),
        }),
        session: Level {
            overall: sess_agg.overall(),
            by_group: sess_agg.by_group(),
        },
        latency_ms,
        ingest,
        qa,
        seconds: round4(t_all.elapsed().as_secs_f64()),
        peak_rss_mib: peak_rss_mib(),
    })
}

fn latency(v: &[f64]) -> Latency {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    Latency {
        n: v.len(),
        p50: round4(percentile(v, 50.0)),
        p95: round4(percentile(v, 95.0)),
        mean: round4(mean),
    }
}

#[allow(clippy::too_many_arguments)]
fn write_dump(
    d: &mut impl Write,
    dataset: &str,
    unit: &str,
    q: &Question,
    granularity: Granularity,
    ranked: &[String],
    tier: u8,
    ms: f64,
    answer: Option<(&crate::answer::Answer, &String, f64)>,
) -> Result<()> {
    let line = DumpLine {
        dataset,
        unit,
        id: &q.id,
        group: &q.group,
        question: &q.text,
        granularity,
        gold_turns: &q.gold_turns,
        gold_sessions: &q.gold_sessions,
        ranked,
        tier,
        ms: round4(ms),
        answer: answer.map(|(a, text, score)| DumpAnswer {
            gold: &q.answer,
            answer: text,
            raw: &a.raw,
            abstained: a.abstained,
            score: round4(score),
            cited: a.citations.iter().map(|c| c.path.as_str()).collect(),
            removed: &a.removed,
            notes: &a.pack,
        }),
    };
    serde_json::to_writer(&mut *d, &line)?;
    d.write_all(b"\n")?;
    Ok(())
}

/// The human table.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "{} — {}: {} tree(s), {} questions, {} asked; granularity {:?}, tier ≤ {}, depth {}, embedder {}\n",
        r.dataset,
        r.file,
        r.units,
        r.questions,
        r.asked,
        r.granularity,
        r.max_tier,
        r.depth,
        r.embedder.as_deref().unwrap_or("none")
    ));
    for (k, v) in &r.skipped {
        s.push_str(&format!("  skipped: {k}: {v}\n"));
    }
    if r.quirks.total() > 0 {
        s.push_str(&format!(
            "  data quirks: {}\n",
            r.quirks
                .0
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    s.push_str(&format!(
        "\n{:<8} {:<28} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "level",
        "group",
        "n",
        "any@1",
        "any@3",
        "any@5",
        "any@10",
        "all@5",
        "all@10",
        "ndcg@1",
        "ndcg@5",
        "ndcg@10"
    ));
    let mut row = |level: &str, group: &str, m: &Summary| {
        s.push_str(&format!(
            "{:<8} {:<28} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}\n",
            level,
            group,
            m.n,
            m.recall_any["1"],
            m.recall_any["3"],
            m.recall_any["5"],
            m.recall_any["10"],
            m.recall_all["5"],
            m.recall_all["10"],
            m.ndcg["1"],
            m.ndcg["5"],
            m.ndcg["10"]
        ));
    };
    for (name, level) in [("turn", r.turn.as_ref()), ("session", Some(&r.session))] {
        let Some(l) = level else { continue };
        row(name, "all", &l.overall);
        for (g, m) in &l.by_group {
            row(name, g, m);
        }
    }
    if let Some(qa) = &r.qa {
        s.push_str(&format!(
            "\nanswers ({}{}): F1 {:.3} over {} answerable (contains the answer {:.3}, abstained {:.3}); abstention {:.3} over {}\n",
            qa.mode,
            qa.answerer.as_deref().map(|g| format!(", {g}")).unwrap_or_default(),
            qa.answerable.score,
            qa.answerable.n,
            qa.answerable.contains,
            qa.answerable.abstained,
            qa.abstention.score,
            qa.abstention.n
        ));
        for (g, m) in &qa.by_group {
            s.push_str(&format!(
                "  {g:<28} n {:>4}  score {:.3}  contains {:.3}  abstained {:.3}\n",
                m.n, m.score, m.contains, m.abstained
            ));
        }
        if let (Some(f), Some(t)) = (&qa.first_token_ms, &qa.answer_ms) {
            s.push_str(&format!(
                "  answer latency (ms): first token p50 {:.0} p95 {:.0}; whole answer p50 {:.0} p95 {:.0}\n",
                f.p50, f.p95, t.p50, t.p95
            ));
        }
    }
    s.push_str("\nrecall latency (ms):");
    for (k, l) in &r.latency_ms {
        s.push_str(&format!(
            "  {k}: p50 {:.2} p95 {:.2} (n={})",
            l.p50, l.p95, l.n
        ));
    }
    s.push('\n');
    let i = &r.ingest;
    s.push_str(&format!(
        "ingest: {} turns into {} tree(s), {} entries; write {:.1}s, index+embed {:.1}s ({} texts); {:.0} turns/s\n",
        i.turns, i.trees, i.entries, i.write_seconds, i.index_seconds, i.embedded, i.turns_per_s
    ));
    s.push_str(&format!(
        "total {:.1}s; peak RSS {}\n",
        r.seconds,
        r.peak_rss_mib
            .map_or("unknown".into(), |m| format!("{m:.0} MiB"))
    ));
    s
}

//! Curated writes (docs/design.md §2): guard → distil → candidates → decide
//! (ADD / UPDATE / MERGE / SUPERSEDE / NOOP) → write → one commit.
//!
//! - Distillation splits prose into statements with verbatim evidence and
//!   rejects any statement the evidence does not support (`distill`).
//! - Candidates come from content-hash equality, BM25 and vectors over the
//!   index (`candidates`); deterministic signals decide when clear and the
//!   model only picks among 2-3 labelled options when they are not
//!   (`decide`).
//! - Never a silent loss: when the model is needed and fails (cannot load,
//!   times out, answers outside the grammar, crashes the thread), the whole
//!   input is written raw with `curation: pending` and a warning. Before
//!   the first model call the raw input is already on disk (uncommitted,
//!   `curation: pending`), so even a killed process leaves it there.
//! - SUPERSEDE writes a new entry with a `supersedes` relation and keeps the
//!   old one; UPDATE and MERGE keep the evidence of both statements.

pub mod decide;
pub mod distill;

use crate::entry::{
    Entry, Relation, body_with_evidence, derive_title, evidence_of, normalize, plain_text, quote,
};
use crate::guard::Redaction;
use crate::index::MemIndex;
use crate::model::select::Models;
use crate::ops::AddRequest;
use crate::paths::EntryPath;
use crate::tree::{EntryFile, Tree};
use crate::write::{Changeset, Writer};
use anyhow::{Result, anyhow};
use decide::{Candidate, Op, Verdict};
use distill::{Rejected, Statement};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

/// Who decides when the deterministic signals are not clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deterministic signals; the model for unclear cases (default).
    Full,
    /// Deterministic signals and thresholds only (no generator).
    NoModel,
    /// The model decides every statement that has a candidate (evaluation).
    ModelOnly,
}

pub struct Options<'a> {
    pub mode: Mode,
    /// Skip curation: the plain write path (exact duplicates still noop).
    pub raw: bool,
    /// Compute and describe, write nothing.
    pub dry_run: bool,
    /// Longest a model call may take.
    pub timeout: Duration,
    /// Asked before changing (update/merge/supersede) an entry whose
    /// `source.trust` is `user`; false keeps the new statement separate.
    pub confirm: Option<&'a dyn Fn(&str) -> bool>,
    /// An agent's write: an update, merge or supersede of an entry a person
    /// wrote (`source.trust: user`) is held for review instead: the new
    /// statement is kept beside the old entry, flagged `curation: review`.
    pub hold_user_entries: bool,
    /// Asked, on a terminal, where a new entry goes when placement is
    /// unclear: the statement and the offered topics (the first is what
    /// placement chose); returns the index picked, None to keep the first.
    pub choose_topic: Option<&'a ChooseTopic<'a>>,
    /// Show a progress bar (on a terminal, stderr) while the index catches
    /// up with many changed files (a teammate's sync, a bulk edit).
    pub progress: bool,
}

/// A person's pick among offered topics: the statement and the topics'
/// labels in, the index picked out (None: keep the first).
pub type ChooseTopic<'a> = dyn Fn(&str, &[String]) -> Option<usize> + 'a;

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            mode: Mode::Full,
            raw: false,
            dry_run: false,
            timeout: default_timeout(),
            confirm: None,
            hold_user_entries: false,
            choose_topic: None,
            progress: false,
        }
    }
}

/// `MEM_CURATE_TIMEOUT_MS`, default 20 s.
pub fn default_timeout() -> Duration {
    let ms = std::env::var("MEM_CURATE_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000u64);
    Duration::from_millis(ms)
}

/// What happened to one statement.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `added`, `updated`, `merged`, `superseded`, `noop`, or `held` (an
    /// agent's change to a person's entry, added beside it for review).
    pub op: &'static str,
    /// The entry written (for `noop`: the existing duplicate).
    pub path: String,
    /// The existing entry the operation was about (updated, merged into,
    /// superseded, duplicate of).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    pub reason: String,
    /// `hash`, `rules`, `model`, `threshold` (unclear, no model), `raw`,
    /// `pending` (the model failed) or `declined` (the user said no).
    pub decided_by: &'static str,
    pub statement: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    pub id: String,
    pub title: String,
    pub placed_by: &'static str,
    /// Why the topic was chosen (new entries placed without `--at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<String>,
    pub redacted: Vec<Redaction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

impl Outcome {
    /// The one-line report: `added P`, `updated P`, `merged into P`,
    /// `superseded OLD with NEW`, `noop: duplicate of P`.
    pub fn line(&self) -> String {
        let t = self.target.as_deref().unwrap_or("");
        let mut s = match self.op {
            "updated" => format!("updated {}", self.path),
            "merged" => format!("merged into {}", self.path),
            "superseded" => format!("superseded {t} with {}", self.path),
            "held" => format!("held for review {} (beside {t})", self.path),
            "noop" => format!("noop: duplicate of {}", self.path),
            _ => format!("added {}", self.path),
        };
        if self.pending {
            s.push_str(" (curation: pending)");
        }
        if self.dry_run {
            s.insert_str(0, "would have ");
            s = s.replace("would have noop", "would be noop");
        }
        s
    }
}

/// Everything `curate_add` did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// Statements proposed by distillation and refused by the support check.
    pub rejected: Vec<RejectedOut>,
    pub warnings: Vec<String>,
    /// Unified diffs of what would change (dry runs only).
    pub diffs: Vec<String>,
    /// Model calls made, and their total time.
    pub model_calls: usize,
    pub model_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedOut {
    pub statement: String,
    pub evidence: String,
    pub why: String,
}

impl From<Rejected> for RejectedOut {
    fn from(r: Rejected) -> Self {
        Self {
            statement: r.statement.text,
            evidence: r.statement.evidence,
            why: r.why,
        }
    }
}

/// A decided statement, before writing.
struct Planned {
    st: Statement,
    op: Op,
    target: Option<Candidate>,
    reason: String,
    decided_by: &'static str,
    /// Where a new entry goes (no `--at`): decided in `plan`, from the
    /// same searches as the candidates.
    placement: Option<crate::place::Placement>,
}

use crate::index::search::{CANDIDATES, Searched, search};

/// Candidates for a statement: BM25 and vector neighbours (live, not
/// superseded), with embedding cosine when an embedder is configured.
pub fn candidates(
    tree: &Tree,
    models: &Models,
    idx: &MemIndex,
    text: &str,
    exclude: &HashSet<String>,
) -> Result<Vec<Candidate>> {
    let s = search(models, idx, text)?;
    candidates_from(tree, models, idx, &s, exclude)
}

/// The curation candidates among the searches of [`search`]: the BM25 top 5,
/// the vector top 5 and the first 10 live entries naming its subject (BM25
/// order).
pub fn candidates_from(
    tree: &Tree,
    models: &Models,
    idx: &MemIndex,
    s: &Searched,
    exclude: &HashSet<String>,
) -> Result<Vec<Candidate>> {
    let mut rels: Vec<String> = Vec::new();
    for (rel, _) in s.bm25.iter().take(CANDIDATES) {
        if !rels.contains(rel) {
            rels.push(rel.clone());
        }
    }
    for (rel, _) in s.vector.iter().take(s.vector_top()) {
        if !rels.contains(rel) {
            rels.push(rel.clone());
        }
    }
    let general = rels.len();
    for rel in &s.subject {
        if !rels.contains(rel) {
            rels.push(rel.clone());
        }
    }
    let emb = if s.qv.is_some() {
        models.embedder()?
    } else {
        None
    };
    let qv = s.qv.clone();
    let mut out = Vec::new();
    let mut subject_live = 0;
    for (n, rel) in rels.into_iter().enumerate() {
        // The entries naming the subject: the first 2 × CANDIDATES live ones.
        if n >= general && subject_live >= 2 * CANDIDATES {
            break;
        }
        let path = rel.trim_end_matches(".md").to_string();
        if exclude.contains(&path) || rel.starts_with(crate::paths::ARCHIVE_DIR) {
            continue;
        }
        let Ok(ep) = EntryPath::parse(&path) else {
            continue;
        };
        let Ok(e) = tree.read(&EntryFile {
            path: ep,
            archived: false,
        }) else {
            continue;
        };
        // A quarantined entry takes in nothing: what joined it would be
        // hidden with it.
        if idx.text.is_superseded(&path, &e.meta.id)? || crate::quarantine::is_quarantined(&e) {
            continue;
        }
        subject_live += usize::from(n >= general);
        let statement = plain_text(e.statement());
        out.push(Candidate {
            id: e.meta.id.clone(),
            path,
            statement,
            cosine: None,
            trust: e.meta.source.trust.clone(),
            event: e.meta.kind == "event",
        });
    }
    if let (Some(emb), Some(qv)) = (emb, qv)
        && !out.is_empty()
    {
        // Candidates are entries the index embedded already (a derived title
        // makes the indexed text the statement itself): mostly cache hits.
        let texts: Vec<String> = out.iter().map(|c| c.statement.clone()).collect();
        let vs = crate::index::embcache::embed_cached(emb, &texts, None)?;
        for (c, v) in out.iter_mut().zip(vs) {
            c.cosine = Some(crate::model::cosine(&qv, &v));
        }
    }
    Ok(out)
}

/// Relatedness used to rank candidates: cosine when known, else Jaccard.
fn relatedness(st: &str, c: &Candidate) -> f32 {
    let o = crate::text::overlap(
        &crate::text::Analysis::new(st),
        &crate::text::Analysis::new(&c.statement),
    );
    c.cosine
        .map_or(o.jaccard, |cos| 0.7 * cos + 0.3 * o.jaccard)
}

/// The deterministic verdict over all candidates: an exact duplicate wins;
/// else the most related candidate with a verdict other than add.
fn best_verdict(st: &str, cands: &[Candidate]) -> Option<(Verdict, usize)> {
    let key = normalize(st);
    if let Some(i) = cands.iter().position(|c| normalize(&c.statement) == key) {
        return Some((
            Verdict {
                op: Op::Noop,
                reason: "same text (normalised hash)".into(),
                clear: true,
                options: vec![Op::Noop],
            },
            i,
        ));
    }
    let mut order: Vec<(f32, usize)> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| (relatedness(st, c), i))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut first_unclear: Option<(Verdict, usize)> = None;
    let mut first_add: Option<(Verdict, usize)> = None;
    for (_, i) in order {
        let v = decide::judge(st, &cands[i].statement, cands[i].cosine);
        if v.op != Op::Add && v.clear {
            return Some((v, i));
        }
        if !v.clear && first_unclear.is_none() {
            first_unclear = Some((v, i));
        } else if v.clear && first_add.is_none() {
            first_add = Some((v, i));
        }
    }
    // An unclear case outranks a clear add; else the most related add
    // (for its reason).
    first_unclear.or(first_add)
}

struct ModelState<'m> {
    models: &'m Models,
    calls: usize,
    ms: f64,
}

impl ModelState<'_> {
    fn choose(&mut self, new: &str, old: &str, options: &[Op], timeout: Duration) -> Result<Op> {
        let g = self
            .models
            .generator()?
            .ok_or_else(|| anyhow!("no generator is configured"))?;
        let t = Instant::now();
        let r = decide::ask_model(g, new, old, options, timeout);
        self.calls += 1;
        self.ms += t.elapsed().as_secs_f64() * 1e3;
        r
    }
}

/// `mem add` with curation. Holds the write lock throughout; one commit.
pub fn curate_add(tree: &Tree, models: &Models, req: AddRequest, opts: &Options) -> Result<Report> {
    if opts.raw && !opts.dry_run {
        // Placed from the index (the searches curation would make), then
        // the plain write path.
        let mut req = req;
        let mut placement = None;
        if req.at.is_none() {
            let mut probe = req.clone();
            crate::ops::prepare(tree, &mut probe)?;
            let (idx, _) = crate::index::open(tree, models, opts.progress, false)?;
            let s = search(models, &idx, &probe.text)?;
            let ranked = crate::place::rank(tree, &idx, &probe.text, &s);
            // `--raw` is the plain, model-free path: deterministic placement.
            let pl = crate::place::decide(models, &probe.text, &ranked, false, opts.timeout);
            req.at = Some(pl.topic.clone());
            placement = Some(pl);
        }
        let mut o = crate::ops::add(tree, req)?;
        if let Some(pl) = &placement {
            o.placed_by = pl.placed_by;
        }
        // The statement as stored (redacted), from the entry written or the duplicate.
        let statement = tree
            .resolve(&o.path, false)
            .map(|l| l.entry.statement().to_string())
            .unwrap_or_default();
        let mut report = empty_report();
        report.outcomes.push(Outcome {
            op: o.op,
            path: o.path.clone(),
            target: o.duplicate_of.clone(),
            duplicate_of: o.duplicate_of,
            reason: if o.op == "noop" {
                "same text in the topic".into()
            } else {
                "--raw: not curated".into()
            },
            decided_by: "raw",
            statement,
            evidence: None,
            pending: false,
            id: o.id,
            title: o.title,
            placed_by: o.placed_by,
            placement: placement.map(|p| p.reason),
            redacted: o.redacted,
            commit: o.commit,
            dry_run: false,
        });
        return Ok(report);
    }
    if opts.dry_run {
        return curate_locked(tree, models, req, None, opts, None, true);
    }
    let mut writer = Writer::lock(tree)?;
    curate_locked(tree, models, req, None, opts, Some(&mut writer), true)
}

/// Curation of one input inside a batch (`mem ingest --distill`): its
/// changes are staged on `writer`, whose one commit the caller makes for
/// the whole batch. Each statement is prefixed with `speaker: ` (who said
/// it), its evidence stays the verbatim quote.
pub fn curate_staged(
    writer: &mut Writer,
    models: &Models,
    req: AddRequest,
    speaker: Option<&str>,
    opts: &Options,
) -> Result<Report> {
    let tree = writer.tree();
    curate_locked(tree, models, req, speaker, opts, Some(writer), false)
}

fn empty_report() -> Report {
    Report {
        outcomes: vec![],
        rejected: vec![],
        warnings: vec![],
        diffs: vec![],
        model_calls: 0,
        model_ms: 0.0,
    }
}

/// Curates `req`. `writer` is `None` for a dry run (nothing is written);
/// with `commit`, the changes are committed, else only staged.
fn curate_locked(
    tree: &Tree,
    models: &Models,
    mut req: AddRequest,
    speaker: Option<&str>,
    opts: &Options,
    mut writer: Option<&mut Writer>,
    commit: bool,
) -> Result<Report> {
    let mut report = empty_report();
    let redacted = crate::ops::prepare(tree, &mut req)?;
    let input = req.text.clone();
    // Instruction-like input from an agent or an external source is kept
    // whole, as one new entry, quarantined (ops::new_entry flags it): it
    // changes no existing entry.
    let poisoned = crate::quarantine::applies(crate::ops::trust_of(&req.source))
        .then(|| crate::quarantine::scan(&input))
        .flatten();
    let said = |text: &str| -> String {
        match speaker {
            Some(who) => format!("{who}: {}", text.trim()),
            None => text.to_string(),
        }
    };
    let (statements, rejected) = if req.title.is_some()
        || opts.raw
        || poisoned.is_some()
        || !matches!(
            req.kind.as_deref().unwrap_or("fact"),
            "fact" | "preference" | "event"
        ) {
        (
            vec![Statement {
                text: input.clone(),
                evidence: input.clone(),
            }],
            vec![],
        )
    } else {
        distill::distill(&input)
    };
    report.rejected = rejected.into_iter().map(Into::into).collect();
    let statements = if statements.is_empty() {
        // Nothing survived the check: keep the input whole (it is its own evidence).
        vec![Statement {
            text: input.clone(),
            evidence: input.clone(),
        }]
    } else {
        statements
    };
    let statements: Vec<Statement> = statements
        .into_iter()
        .map(|st| Statement {
            text: said(&st.text),
            evidence: st.evidence,
        })
        .collect();

    let mut ms = ModelState {
        models,
        calls: 0,
        ms: 0.0,
    };
    let mut pending_file: Option<String> = None;
    let plan = if let Some(f) = &poisoned {
        Ok(vec![Planned {
            st: statements[0].clone(),
            op: Op::Add,
            target: None,
            reason: format!("quarantined: {}", f.reason()),
            decided_by: "quarantine",
            placement: None,
        }])
    } else if opts.raw {
        Ok(vec![Planned {
            st: statements[0].clone(),
            op: Op::Add,
            target: None,
            reason: "--raw: not curated".into(),
            decided_by: "raw",
            placement: None,
        }])
    } else {
        plan(
            tree,
            models,
            &req,
            &statements,
            opts,
            &mut ms,
            writer.as_deref_mut(),
            &mut pending_file,
        )
    };
    crate::trace::mark("curate: planned");
    report.model_calls = ms.calls;
    report.model_ms = ms.ms;
    let (plan, pending) = match plan {
        Ok(p) => (p, false),
        Err(e) => {
            report.warnings.push(format!("curation failed ({e:#}); the input was written raw and flagged `curation: pending` for a later retry"));
            let st = Statement {
                text: said(&input),
                evidence: input.clone(),
            };
            (
                vec![Planned {
                    st,
                    op: Op::Add,
                    target: None,
                    reason: format!("curation failed: {e:#}"),
                    decided_by: "pending",
                    placement: None,
                }],
                true,
            )
        }
    };
    let r = apply(
        tree,
        &req,
        plan,
        pending,
        &input,
        redacted,
        opts,
        pending_file.as_deref(),
        writer,
        commit,
        &mut report,
    );
    if r.is_err()
        && let Some(p) = &pending_file
    {
        report.warnings.push(format!(
            "the raw input stays in {p} (uncommitted, `curation: pending`)"
        ));
    }
    r?;
    crate::trace::mark("curate: applied");
    Ok(report)
}

/// Decides every statement (no writes except the write-ahead raw copy made
/// before the first model call).
#[allow(clippy::too_many_arguments)]
fn plan(
    tree: &Tree,
    models: &Models,
    req: &AddRequest,
    statements: &[Statement],
    opts: &Options,
    ms: &mut ModelState,
    mut writer: Option<&mut Writer>,
    pending_file: &mut Option<String>,
) -> Result<Vec<Planned>> {
    let (idx, _) = crate::index::open(tree, models, opts.progress, false)?;
    crate::trace::mark("curate: index open");
    let use_model = match opts.mode {
        Mode::NoModel => false,
        Mode::Full => models.has_generator() && models.curate_with_generator(),
        Mode::ModelOnly => true,
    };
    let mut out = Vec::new();
    let mut searches: Vec<Searched> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // The topic of the write-ahead copy: the deterministic placement of the
    // first statement (no model call before the copy is on disk).
    let ahead_topic = |s: &Searched, text: &str| -> crate::paths::TopicPath {
        match &req.at {
            Some(at) => at.clone(),
            None => {
                crate::place::decide(
                    models,
                    text,
                    &crate::place::rank(tree, &idx, text, s),
                    false,
                    opts.timeout,
                )
                .topic
            }
        }
    };
    for st in statements {
        let key = normalize(&st.text);
        if !seen.insert(key) {
            continue; // the same statement twice in one input
        }
        let searched = search(models, &idx, &st.text)?;
        crate::trace::mark("curate: searched");
        let mut cands = candidates_from(tree, models, &idx, &searched, &HashSet::new())?;
        // A fact is compared with facts: an event (an ingested turn, a
        // logged happening) is history, never the target of a fact's
        // update, merge or supersede.
        if req.kind.as_deref().unwrap_or("fact") != "event" {
            cands.retain(|c| !c.event);
        }
        crate::trace::mark("curate: candidates read and embedded");
        let mut write_ahead = |ms_calls: usize| -> Result<()> {
            if let Some(w) = writer.as_deref_mut()
                && ms_calls == 0
                && pending_file.is_none()
            {
                *pending_file = Some(write_ahead(w, req, &ahead_topic(&searched, &st.text))?);
            }
            Ok(())
        };
        searches.push(searched.clone());
        if opts.mode == Mode::ModelOnly {
            // The model alone: the most related candidate, all five options.
            let best = cands
                .iter()
                .enumerate()
                .max_by(|a, b| relatedness(&st.text, a.1).total_cmp(&relatedness(&st.text, b.1)));
            match best {
                None => out.push(Planned {
                    st: st.clone(),
                    op: Op::Add,
                    target: None,
                    reason: "no candidate".into(),
                    decided_by: "rules",
                    placement: None,
                }),
                Some((i, c)) => {
                    write_ahead(ms.calls)?;
                    let opts5 = [Op::Noop, Op::Update, Op::Merge, Op::Supersede, Op::Add];
                    let op = ms.choose(&st.text, &c.statement, &opts5, opts.timeout)?;
                    out.push(Planned {
                        st: st.clone(),
                        op,
                        target: (op != Op::Add).then(|| cands[i].clone()),
                        reason: format!("model chose {}", op.as_str()),
                        decided_by: "model",
                        placement: None,
                    });
                }
            }
            continue;
        }
        match best_verdict(&st.text, &cands) {
            None => out.push(Planned {
                st: st.clone(),
                op: Op::Add,
                target: None,
                reason: "no related entry".into(),
                decided_by: "rules",
                placement: None,
            }),
            Some((v, i)) => {
                let decided_by = if v.reason.starts_with("same text") {
                    "hash"
                } else {
                    "rules"
                };
                if v.clear {
                    out.push(Planned {
                        st: st.clone(),
                        op: v.op,
                        target: (v.op != Op::Add).then(|| cands[i].clone()),
                        reason: v.reason,
                        decided_by,
                        placement: None,
                    });
                } else if use_model {
                    write_ahead(ms.calls)?;
                    // Small models favour an option for its position; the
                    // answer counts only if it is the same with the options
                    // in reverse order, else the rules' default stands.
                    let names = v
                        .options
                        .iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join("/");
                    let first =
                        ms.choose(&st.text, &cands[i].statement, &v.options, opts.timeout)?;
                    let mut reversed = v.options.clone();
                    reversed.reverse();
                    let second =
                        ms.choose(&st.text, &cands[i].statement, &reversed, opts.timeout)?;
                    let (op, reason) = if first == second {
                        (
                            first,
                            format!("{}; model chose {} among {names}", v.reason, first.as_str()),
                        )
                    } else {
                        (
                            v.op,
                            format!(
                                "{}; model undecided among {names} ({} / {} by option order): default {}",
                                v.reason,
                                first.as_str(),
                                second.as_str(),
                                v.op.as_str()
                            ),
                        )
                    };
                    out.push(Planned {
                        st: st.clone(),
                        op,
                        target: (op != Op::Add).then(|| cands[i].clone()),
                        reason,
                        decided_by: "model",
                        placement: None,
                    });
                } else {
                    let reason = format!("{} (no model: default {})", v.reason, v.op.as_str());
                    out.push(Planned {
                        st: st.clone(),
                        op: v.op,
                        target: (v.op != Op::Add).then(|| cands[i].clone()),
                        reason,
                        decided_by: "threshold",
                        placement: None,
                    });
                }
            }
        }
    }
    // Placement of the statements that become new entries (no `--at`): the
    // topics of their neighbours, found by the searches above.
    if req.at.is_none() {
        for (p, s) in out.iter_mut().zip(&searches) {
            let may_add = p.op == Op::Add
                || (opts.confirm.is_some()
                    && matches!(p.op, Op::Update | Op::Merge | Op::Supersede));
            if !may_add {
                continue;
            }
            let ranked = crate::place::rank(tree, &idx, &p.st.text, s);
            // `use_model` is already false for `--no-model`.
            // Placement asks the generator when placement is configured to
            // (`models.place_with_generator`), whatever curation does.
            let ask = opts.mode != Mode::NoModel
                && models.has_generator()
                && models.place_with_generator()
                && p.op == Op::Add;
            if let Some(w) = writer.as_deref_mut()
                && ask
                && !crate::place::judge(&ranked).clear
                && ms.calls == 0
                && pending_file.is_none()
            {
                *pending_file = Some(write_ahead(w, req, &ahead_topic(s, &p.st.text))?);
            }
            let t = Instant::now();
            let mut pl = crate::place::decide(models, &p.st.text, &ranked, ask, opts.timeout);
            if pl.model_calls > 0 {
                ms.calls += pl.model_calls;
                ms.ms += t.elapsed().as_secs_f64() * 1e3;
            }
            // Unclear, on a terminal: the person picks among the best.
            if let Some(choose) = opts.choose_topic
                && p.op == Op::Add
                && matches!(pl.placed_by, "existing" | "new" | "model")
                && !crate::place::judge(&ranked).clear
            {
                let offered = crate::place::offer(&p.st.text, &ranked, &pl);
                let labels: Vec<String> = offered
                    .iter()
                    .map(|t| {
                        if ranked.iter().any(|r| r.topic == t.to_string()) {
                            t.to_string()
                        } else {
                            format!("{t} (new topic)")
                        }
                    })
                    .collect();
                if offered.len() > 1
                    && let Some(i) = choose(&p.st.text, &labels).filter(|&i| i > 0)
                    && let Some(t) = offered.get(i)
                {
                    pl.reason = format!(
                        "chosen from {}; placement had: {}",
                        labels.join(", "),
                        pl.reason
                    );
                    pl.topic = t.clone();
                    pl.placed_by = "chosen";
                }
            }
            p.placement = Some(pl);
        }
        same_subject_same_topic(&mut out);
    }
    // Curation succeeded: the write-ahead copy (never committed) is
    // replaced or removed by the changeset that writes the outcome, in the
    // same finishing section as its commit.
    Ok(out)
}

/// New entries cut from one input about one named subject go to one topic
/// ("Lucas is 34, lives in Porto and works as a nurse": "Lucas is 34"
/// alone reads as no one's, the other two as a person's). The topic is one
/// that already exists, else the person's, else the one most of them got
/// (the first on a tie). Placements by `--at` or by a person's choice
/// stay.
fn same_subject_same_topic(out: &mut [Planned]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in out.iter().enumerate() {
        let Some(pl) = &p.placement else { continue };
        if p.op != Op::Add || matches!(pl.placed_by, "flag" | "chosen") {
            continue;
        }
        if let Some(s) = crate::text::Analysis::new(&p.st.text)
            .subject
            .filter(|s| s != "@user")
        {
            groups.entry(s).or_default().push(i);
        }
    }
    for (subject, members) in groups {
        let topic = |i: usize| out[i].placement.as_ref().map(|pl| pl.topic.clone());
        let topics: Vec<_> = members.iter().filter_map(|&i| topic(i)).collect();
        if members.len() < 2 || topics.iter().all(|t| *t == topics[0]) {
            continue;
        }
        let placed = |i: &usize| out[*i].placement.as_ref().map_or("", |pl| pl.placed_by);
        let count = |t: &crate::paths::TopicPath| topics.iter().filter(|x| *x == t).count();
        let chosen = members
            .iter()
            .find(|i| placed(i) == "existing")
            .and_then(|&i| topic(i))
            .or_else(|| topics.iter().find(|t| t.domain() == "people").cloned())
            .or_else(|| {
                topics
                    .iter()
                    .max_by_key(|t| {
                        (
                            count(t),
                            std::cmp::Reverse(topics.iter().position(|x| x == *t)),
                        )
                    })
                    .cloned()
            });
        let Some(chosen) = chosen else { continue };
        for &i in &members {
            if let Some(pl) = out[i].placement.as_mut()
                && pl.topic != chosen
            {
                pl.reason = format!(
                    "{}; moved to {chosen} with the input's other statements about {subject}",
                    pl.reason
                );
                pl.topic = chosen.clone();
            }
        }
    }
}

/// Stages the raw input, flagged `curation: pending`, without committing;
/// returns its relative file path.
fn write_ahead(
    writer: &mut Writer,
    req: &AddRequest,
    topic: &crate::paths::TopicPath,
) -> Result<String> {
    let mut slugs = crate::ops::Slugs::default();
    let (path, mut e) = crate::ops::new_entry(
        writer.tree(),
        req,
        topic,
        &req.text,
        None,
        &mut slugs,
        &crate::time::format(crate::time::now()),
    );
    e.set("curation", serde_yaml::Value::String("pending".into()))?;
    let rel = path.rel_file();
    let mut cs = Changeset::default();
    cs.put(&rel, e.render());
    writer.stage(cs)?;
    Ok(rel)
}

/// Where a fact observed at `start`, earlier than the current entry at
/// `current`, goes in that entry's history (the chain of `supersedes`
/// relations back from it): the oldest entry of the chain that started
/// after it (its successor), and the entry before that one, if any (its
/// predecessor).
fn slot_in_history(
    tree: &Tree,
    files: &BTreeMap<String, (Option<String>, Entry)>,
    current: &str,
    start: i64,
) -> (String, Option<String>) {
    let read = |p: &str| -> Option<Entry> {
        let rel = format!("{p}.md");
        if let Some((_, e)) = files.get(&rel) {
            return Some(e.clone());
        }
        Entry::parse(&std::fs::read_to_string(tree.abs(&rel)).ok()?).ok()
    };
    let mut next = current.to_string();
    let mut seen = HashSet::new();
    let mut at = read(current);
    while let Some(e) = at.take() {
        if !seen.insert(next.clone()) || seen.len() > 1000 {
            break;
        }
        // The newest of the entries it superseded.
        let prev = e
            .meta
            .relations
            .iter()
            .filter(|r| r.rel == "supersedes")
            .filter_map(|r| read(&r.to).map(|p| (r.to.clone(), p)))
            .max_by_key(|(_, p)| p.start());
        let Some((ppath, pe)) = prev else {
            return (next, None);
        };
        if pe.start().is_some_and(|s| s <= start) {
            return (next, Some(ppath));
        }
        next = ppath;
        at = Some(pe);
    }
    (next, None)
}

/// An entry this batch already changed, else the one on disk with its
/// text (to check nobody changed it meanwhile).
fn take_entry(
    tree: &Tree,
    files: &mut BTreeMap<String, (Option<String>, Entry)>,
    rel: &str,
) -> Result<(Option<String>, Entry)> {
    if let Some(x) = files.remove(rel) {
        return Ok(x);
    }
    let text = std::fs::read_to_string(tree.abs(rel))?;
    let e = Entry::parse(&text).map_err(|err| crate::tree::entry_error(rel, &err))?;
    Ok((Some(text), e))
}

#[allow(clippy::too_many_arguments)]
fn apply(
    tree: &Tree,
    req: &AddRequest,
    plan: Vec<Planned>,
    pending: bool,
    input: &str,
    redacted: Vec<Redaction>,
    opts: &Options,
    pending_file: Option<&str>,
    writer: Option<&mut Writer>,
    commit: bool,
    report: &mut Report,
) -> Result<()> {
    let now = crate::time::format(crate::time::now());
    // The write-ahead copy's path is free for the entry that replaces it
    // (the final pending entry takes the same slug).
    let mut slugs = crate::ops::Slugs {
        replaced: pending_file.map(str::to_string),
        ..Default::default()
    };
    // rel -> (original text or None for new files, new entry)
    let mut files: BTreeMap<String, (Option<String>, Entry)> = BTreeMap::new();
    let mut outcomes = Vec::new();
    let whole = plan.len() == 1;
    let mut redacted = Some(redacted);
    for p in plan {
        let mut op = p.op;
        let mut decided_by = p.decided_by;
        let mut reason = p.reason;
        // An agent does not change what a person wrote: held for review.
        let mut held = None;
        if let Some(t) = &p.target
            && opts.hold_user_entries
            && matches!(op, Op::Update | Op::Merge | Op::Supersede)
            // No trust at all: written by hand.
            && t.trust.as_deref().is_none_or(|t| t == "user")
        {
            held = Some((op, t.clone()));
            reason = format!(
                "held for review: would {} {} ({reason}), a person's entry",
                op.as_str(),
                t.path
            );
            op = Op::Add;
            decided_by = "held";
        }
        // Confirmation before changing a user's own entry.
        if let (Some(t), Some(confirm)) = (&p.target, opts.confirm)
            && matches!(op, Op::Update | Op::Merge | Op::Supersede)
            && t.trust.as_deref() == Some("user")
            && !opts.dry_run
        {
            let q = format!(
                "{} your entry {} ({reason})?",
                match op {
                    Op::Update => "Update",
                    Op::Merge => "Merge into",
                    _ => "Supersede",
                },
                t.path
            );
            if !confirm(&q) {
                op = Op::Add;
                decided_by = "declined";
                reason = format!("kept separate: {} of {} declined", op.as_str(), t.path);
            }
        }
        let single = whole && p.st.text == input;
        let new_quote = if single {
            vec![]
        } else {
            vec![quote(&p.st.evidence)]
        };
        let mut out = Outcome {
            op: "added",
            path: String::new(),
            target: None,
            duplicate_of: None,
            reason: reason.clone(),
            decided_by,
            statement: p.st.text.clone(),
            evidence: (!single).then(|| p.st.evidence.clone()),
            pending,
            id: String::new(),
            title: String::new(),
            placed_by: "flag",
            placement: None,
            redacted: redacted.take().unwrap_or_default(),
            commit: None,
            dry_run: opts.dry_run,
        };
        let tag = |e: &mut Entry, what: &str| -> Result<()> {
            // A quarantine flag stays until a person approves the entry.
            if crate::quarantine::is_quarantined(e) {
                return Ok(());
            }
            e.set("curation", serde_yaml::Value::String(what.to_string()))
        };
        match (op, &p.target) {
            (Op::Noop, Some(t)) => {
                if !opts.dry_run {
                    crate::signals::confirm(tree, &[t.id.as_str()]);
                }
                out.op = "noop";
                out.path = t.path.clone();
                out.target = Some(t.path.clone());
                out.duplicate_of = Some(t.path.clone());
                // The entry that already says it: its id and title.
                out.id = t.id.clone();
                out.title = std::fs::read_to_string(tree.abs(&format!("{}.md", t.path)))
                    .ok()
                    .and_then(|text| crate::entry::Entry::parse(&text).ok())
                    .map(|e| e.meta.title)
                    .unwrap_or_default();
            }
            (Op::Update | Op::Merge, Some(t)) => {
                let rel = format!("{}.md", t.path);
                let (orig, mut e) = take_entry(tree, &mut files, &rel)?;
                let old_statement = e.statement().to_string();
                let mut ev = vec![
                    evidence_of(e.body())
                        .map(str::to_string)
                        .unwrap_or_else(|| quote(&old_statement)),
                ];
                ev.push(quote(&p.st.evidence));
                let statement = if op == Op::Update {
                    p.st.text.clone()
                } else {
                    format!("{}\n\n{}", old_statement.trim(), p.st.text.trim())
                };
                e.set_body(&body_with_evidence(&statement, &ev));
                e.set("updated", serde_yaml::Value::String(now.clone()))?;
                tag(&mut e, &format!("{}: {}", op.as_str(), reason))?;
                out.op = if op == Op::Update {
                    "updated"
                } else {
                    "merged"
                };
                out.path = t.path.clone();
                out.target = Some(t.path.clone());
                out.id = e.meta.id.clone();
                out.title = e.meta.title.clone();
                files.insert(rel, (orig, e));
            }
            (op, target) => {
                let supersedes = if op == Op::Supersede {
                    target.clone()
                } else {
                    None
                };
                let beside = supersedes.as_ref().or(held.as_ref().map(|(_, t)| t));
                let (topic, placed_by) = match (&req.at, beside) {
                    (Some(at), _) => (at.clone(), "flag"),
                    (None, Some(t)) => (EntryPath::parse(&t.path)?.topic(), "superseded-entry"),
                    (None, None) => match (&p.placement, pending_file) {
                        (Some(pl), _) => {
                            out.placement = Some(pl.reason.clone());
                            (pl.topic.clone(), pl.placed_by)
                        }
                        // Curation failed: the pending entry replaces the
                        // write-ahead copy, in its topic.
                        (None, Some(f)) => (
                            EntryPath::parse(f.trim_end_matches(".md"))?.topic(),
                            "write-ahead",
                        ),
                        (None, None) => crate::ops::place(req)?,
                    },
                };
                let body = body_with_evidence(&p.st.text, &new_quote);
                let title = if whole {
                    None
                } else {
                    Some(derive_title(&p.st.text, 80))
                };
                let (path, mut e) =
                    crate::ops::new_entry(tree, req, &topic, &body, title, &mut slugs, &now);
                if let Some(t) = &supersedes {
                    e.set_serialized(
                        "relations",
                        &vec![Relation {
                            rel: "supersedes".into(),
                            to: t.path.clone(),
                            id: Some(t.id.clone()).filter(|i| !i.is_empty()),
                        }],
                    )?;
                    out.op = "superseded";
                    out.target = Some(t.path.clone());
                    // Validity in time: the new fact holds from when it was
                    // observed, the old one until then.
                    let from = e.meta.observed.clone().unwrap_or_else(|| now.clone());
                    let rel = format!("{}.md", t.path);
                    let (orig, mut old) = take_entry(tree, &mut files, &rel)?;
                    let from_s = crate::time::secs(&from);
                    if let (Some(new_start), Some(old_start)) = (from_s, old.start())
                        && new_start < old_start
                    {
                        // Learnt late, observed earlier (an old note, a
                        // replayed conversation): it slots into the target's
                        // history, before the first entry of the chain that
                        // started after it (which supersedes it) and after
                        // the one before that (which it supersedes).
                        files.insert(rel.clone(), (orig, old));
                        let (next, prev) = slot_in_history(tree, &files, &t.path, new_start);
                        let mut rels = Vec::new();
                        if let Some(p) = &prev {
                            let prel = format!("{p}.md");
                            let (porig, mut pe) = take_entry(tree, &mut files, &prel)?;
                            rels.push(Relation {
                                rel: "supersedes".into(),
                                to: p.clone(),
                                id: Some(pe.meta.id.clone()).filter(|i| !i.is_empty()),
                            });
                            pe.set("valid_to", serde_yaml::Value::String(from.clone()))?;
                            files.insert(prel, (porig, pe));
                        }
                        e.set_serialized("relations", &rels)?;
                        let nrel = format!("{next}.md");
                        let (norig, mut ne) = take_entry(tree, &mut files, &nrel)?;
                        let mut nrels = ne.meta.relations.clone();
                        nrels.push(Relation {
                            rel: "supersedes".into(),
                            to: path.to_string(),
                            id: Some(e.meta.id.clone()),
                        });
                        ne.set_serialized("relations", &nrels)?;
                        let until = crate::time::format_secs(ne.start().unwrap_or(old_start));
                        files.insert(nrel, (norig, ne));
                        e.set("valid_from", serde_yaml::Value::String(from))?;
                        e.set("valid_to", serde_yaml::Value::String(until))?;
                        out.op = "added";
                        reason = format!(
                            "history of {}: observed before {next}, which supersedes it",
                            t.path
                        );
                        out.reason = reason.clone();
                    } else {
                        e.set("valid_from", serde_yaml::Value::String(from.clone()))?;
                        old.set("valid_to", serde_yaml::Value::String(from))?;
                        files.insert(rel, (orig, old));
                    }
                }
                if let Some((would, t)) = &held {
                    e.set_serialized(
                        "relations",
                        &vec![Relation {
                            rel: if *would == Op::Supersede {
                                "contradicts".into()
                            } else {
                                "related".into()
                            },
                            to: t.path.clone(),
                            id: Some(t.id.clone()).filter(|i| !i.is_empty()),
                        }],
                    )?;
                    tag(&mut e, crate::quarantine::REVIEW)?;
                    e.set("review", serde_yaml::Value::String(reason.clone()))?;
                    out.op = "held";
                    out.target = Some(t.path.clone());
                } else if pending {
                    tag(&mut e, "pending")?;
                } else if decided_by != "raw" {
                    tag(&mut e, &format!("{}: {}", op.as_str(), reason))?;
                }
                out.path = path.to_string();
                out.id = e.meta.id.clone();
                out.title = e.meta.title.clone();
                out.placed_by = placed_by;
                files.insert(path.rel_file(), (None, e));
            }
        }
        outcomes.push(out);
    }
    let mut cs = Changeset::default();
    for (rel, (_, e)) in &files {
        cs.put(rel, e.render());
    }
    if let Some(p) = pending_file
        && !files.contains_key(p)
    {
        // A write-ahead copy left by an aborted model call: the final
        // pending entry replaces it.
        cs.remove(p);
    }
    let Some(writer) = writer else {
        // A dry run: what would change, nothing written.
        report.diffs = cs.diff(tree);
        report.outcomes = outcomes;
        return Ok(());
    };
    if !commit {
        writer.stage(cs)?;
        report.outcomes = outcomes;
        return Ok(());
    }
    if !cs.is_empty() {
        let via = req.source.via.clone().unwrap_or_else(|| "cli".into());
        let changed: Vec<&Outcome> = outcomes.iter().filter(|o| o.op != "noop").collect();
        cs.message = if changed.len() == 1 {
            let o = changed[0];
            let head = match o.op {
                "updated" => format!("update {}", o.path),
                "merged" => format!("merge into {}", o.path),
                "superseded" => format!(
                    "supersede {} with {}",
                    o.target.as_deref().unwrap_or(""),
                    o.path
                ),
                "held" => format!(
                    "add {}, held for review beside {}",
                    o.path,
                    o.target.as_deref().unwrap_or("")
                ),
                _ => format!("add {}", o.path),
            };
            format!(
                "mem: {head} (via {via})\n\n{}: {}",
                if o.pending { "pending" } else { o.decided_by },
                o.reason
            )
        } else {
            let mut m = format!("mem: curate {} statements (via {via})\n", outcomes.len());
            for o in &outcomes {
                m.push_str(&format!("\n{} {}: {}", o.op, o.path, o.reason));
            }
            m
        };
        let commit = writer.apply(cs)?.map(|c| c.to_string());
        crate::trace::mark("curate: committed");
        for o in outcomes.iter_mut().filter(|o| o.op != "noop") {
            o.commit = commit.clone();
        }
    }
    report.outcomes = outcomes;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, Tree, Models) {
        let dir = tempfile::tempdir().unwrap();
        let tree = crate::tree::init_tree(&dir.path().join("t"), "test").unwrap();
        let reqs = [
            (
                "engineering/database",
                "PostgreSQL runs with two read replicas",
            ),
            (
                "engineering/database",
                "Schema migrations are applied with sqlx",
            ),
            ("home/garden", "The tomatoes need watering every evening"),
            ("people/alice", "Alice lives in Berlin"),
        ]
        .iter()
        .map(|(at, text)| AddRequest {
            text: text.to_string(),
            at: Some(crate::paths::TopicPath::parse(at).unwrap()),
            ..Default::default()
        })
        .collect();
        crate::ops::add_batch(&tree, reqs, None).unwrap();
        let models = Models::new(&crate::config::Models {
            embedder: "fake".into(),
            generator: "none".into(),
            ..Default::default()
        });
        (dir, tree, models)
    }

    #[test]
    fn topic_centroids_are_read_when_the_index_is_found_up_to_date() {
        let (_d, tree, models) = tree();
        // Files written a while ago: the second open finds the index up to
        // date and leaves the manifest unparsed (the path of every add in
        // a tree that was not just written).
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for f in walkdir::WalkDir::new(&tree.root)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        {
            std::fs::File::options()
                .write(true)
                .open(f.path())
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        crate::index::open(&tree, &models, false, false).unwrap();
        let (idx, _) = crate::index::open(&tree, &models, false, false).unwrap();
        assert!(idx.manifest.files.is_empty(), "the fast path");
        let topics: Vec<&str> = idx
            .topic_vectors()
            .iter()
            .map(|t| t.topic.as_str())
            .collect();
        assert_eq!(topics.len(), 3, "{topics:?} (of {:?})", idx.entry_rels());
        let db = idx
            .topic_vectors()
            .iter()
            .find(|t| t.topic == "engineering/database")
            .unwrap();
        assert_eq!(db.rels.len(), 2);
        let norm: f32 = db.centroid.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "{norm}");
    }

    #[test]
    fn a_person_picks_the_topic_when_placement_is_unclear() {
        let (_d, tree, models) = tree();
        let text = "Replicated Postgres-16 lags";
        let asked = std::cell::RefCell::new(Vec::<String>::new());
        let place = |pick: Option<usize>, at: Option<&str>| {
            let choose = |_: &str, topics: &[String]| -> Option<usize> {
                asked.borrow_mut().extend(topics.iter().cloned());
                pick.map(|want| {
                    topics
                        .iter()
                        .position(|t| t == "engineering/database")
                        .unwrap_or(want)
                })
            };
            let opts = Options {
                mode: Mode::NoModel,
                dry_run: true,
                choose_topic: Some(&choose),
                ..Default::default()
            };
            let req = AddRequest {
                text: text.into(),
                at: at.map(|a| crate::paths::TopicPath::parse(a).unwrap()),
                ..Default::default()
            };
            curate_add(&tree, &models, req, &opts).unwrap().outcomes[0].clone()
        };
        // Kept: the first option is what placement decided.
        let kept = place(None, None);
        let offered = asked.borrow().clone();
        assert!(offered.len() >= 2, "{offered:?}");
        assert!(
            offered.contains(&"engineering/database".to_string()),
            "{offered:?}"
        );
        assert!(
            kept.path
                .starts_with(offered[0].trim_end_matches(" (new topic)")),
            "{kept:?}"
        );
        // Picked: another offered topic.
        asked.borrow_mut().clear();
        let picked = place(Some(1), None);
        assert_eq!(picked.placed_by, "chosen", "{picked:?}");
        assert!(
            picked.path.starts_with("engineering/database/"),
            "{picked:?}"
        );
        // `--at` asks nobody.
        asked.borrow_mut().clear();
        let flagged = place(Some(1), Some("ops/db"));
        assert!(asked.borrow().is_empty());
        assert!(flagged.path.starts_with("ops/db/"), "{flagged:?}");
    }
}

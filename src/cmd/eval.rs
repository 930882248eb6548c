//! `mem eval`: measurement. `synth` makes large synthetic trees; the
//! benchmark runners (`locomo`, `longmemeval`) join here as more variants.

use crate::output::{Ctx, out_line};
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: EvalCmd,
}

#[derive(Debug, clap::Subcommand)]
pub enum EvalCmd {
    /// Create a tree of N synthetic entries (realistic sizes and vocabulary, deterministic by seed)
    Synth(SynthArgs),
    /// Retrieval on LoCoMo: one temp tree per conversation, every QA asked through recall
    Locomo(BenchArgs),
    /// Retrieval on LongMemEval: one temp tree per question (its haystack), abstention excluded
    Longmemeval(BenchArgs),
    /// Curated writes: decision accuracy, distillation support and latency per add on a scenario set
    Curation(super::eval_curation::Args),
    /// Placement: where inputs land in an existing tree (existing topic or new), per mode
    Placement(super::eval_placement::Args),
    /// The trust boundary: poisoned notes quarantined and normal notes passed, on a labelled set
    Quarantine(QuarantineArgs),
    /// `mem learn` on a gold set of agent transcripts: lesson recall, precision, evidence, replay
    Lessons(LessonsArgs),
    /// Facts that change over a simulated year: current values and values as of past dates
    Drift(DriftArgs),
    /// `mem dream` on a synthetic tree with planted near-duplicates and contradictions
    Dream(DreamArgs),
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Generates facts about people, services, projects and hosts (five attributes each; deterministic \
by --seed), a share of them changed one to three times over 2026, and adds every statement in time order to a \
fresh temporary tree through curation (the code of `mem add`, each with its observed date). Then every fact is \
asked about (`mem recall`, top 5), and each span a changed fact held is asked with `--as-of` a date inside it. \
Reported: current-value recall@1, as-of recall@1, stale hits (an older value shown as current in the top 5), \
curation's decisions on first and on change statements, add and recall times.\n\n\
Examples:\n  mem eval drift\n  mem eval drift --seed 2 --subjects 40 --mistakes\n  mem eval drift --no-model --json"
)]
pub struct DriftArgs {
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Subjects (five facts each), spread over four sorts (at most 50 of each)
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(4..=200))]
    pub subjects: u64,
    /// Share of the facts that change (one to three times)
    #[arg(long, default_value_t = 0.3)]
    pub changed: f64,
    /// Curate without the generator (rules and thresholds only)
    #[arg(long)]
    pub no_model: bool,
    /// Run `mem dream` after the adds, before the questions
    #[arg(long)]
    pub dream: bool,
    /// List every question answered wrongly
    #[arg(long)]
    pub mistakes: bool,
    /// Folder for the temporary tree, which must exist (default: the system temp dir)
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the tree afterwards and print its path on stderr (to read what was filed where)
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "FILE holds one gold line per transcript ({\"transcript\", \"lessons\": [{\"kind\", \"trigger_keys\", \"advice_keys\"…}], \"first_error\", \"first_error_lesson\"}; fixtures/lessons/README.md), the transcripts relative to FILE's folder. An extracted lesson matches a gold one when every trigger key is in its trigger and every advice key in its advice. Reported: recall (gold lessons matched), precision (extracted lessons matching), lessons whose quotes are not verbatim at their turns, per kind; with --replay, every transcript is learned into one fresh tree and each first error is asked as `mem recall --error` (top 3).\n\n\
Examples:\n  mem eval lessons fixtures/lessons/dev.jsonl --mistakes\n  mem eval lessons fixtures/lessons/heldout.jsonl --replay --json"
)]
pub struct LessonsArgs {
    /// The gold set (JSON Lines)
    pub file: PathBuf,
    /// Learn every transcript into a fresh tree and look each first error up (uses the embedder)
    #[arg(long)]
    pub replay: bool,
    /// List every missed and every wrong lesson
    #[arg(long)]
    pub mistakes: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each line of FILE is {\"text\", \"poisoned\": bool, \"family\"}; every text goes through the \
scan that agent and external writes get. Reported: the share of poisoned notes quarantined (goal ≥ 0.95), the share \
of normal notes quarantined (goal ≤ 0.03), both also for the rules alone (without the n-gram model), per family, \
and the mean scan time.\n\n\
Examples:\n  mem eval quarantine fixtures/quarantine/dev.jsonl\n  mem eval quarantine fixtures/quarantine/heldout.jsonl --json"
)]
pub struct QuarantineArgs {
    /// The labelled set (JSON Lines)
    pub file: PathBuf,
    /// List every mistake
    #[arg(long)]
    pub mistakes: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each conversation (LoCoMo) or question haystack (LongMemEval) is ingested into a fresh \
temporary tree with the code of `mem ingest`, the index is caught up as `mem recall` does it, and every question \
is asked through the recall tiers. Reported: recall_any@k, recall_all@k and NDCG@k (k = 1, 3, 5, 10) at turn and \
session level (LongMemEval's definitions; a session ranks at its best turn), by category / question type; recall \
latency p50/p95 per tier; ingest throughput; peak RSS. LoCoMo QA without valid evidence and LongMemEval \
abstention questions are skipped and counted.\n\n\
--dump writes one JSON line per question (ranked source.ref list and gold refs) so the metrics can be recomputed \
independently: scripts/recompute-metrics.py DUMP.\n\n\
The embedding model comes from the configuration (MEM_EMBEDDER); embeddings are cached per model \
($MEM_CACHE_DIR), so a rerun mostly skips the model.\n\n\
Examples:\n  mem eval locomo bench/data/locomo-dev.json\n  mem eval longmemeval longmemeval-s-dev.json.gz --json --dump lme.jsonl\n  \
mem eval longmemeval lme.json.gz --limit 10 --tier 1"
)]
pub struct BenchArgs {
    /// The benchmark file (JSON; gzip accepted)
    pub file: PathBuf,
    /// Ask at most N questions (N ≥ 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Highest recall tier (1 lexical, 2 semantic, 3 structure, 4 a model rereads the best 10)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub tier: u8,
    /// One entry per turn or per session
    #[arg(long, value_enum, default_value_t = super::GranularityArg::Turn)]
    pub granularity: super::GranularityArg,
    /// Hits asked of recall per question (ranking depth)
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(10..=1000))]
    pub depth: u64,
    /// Write every question's ranked source.ref list to FILE (JSON Lines)
    #[arg(long, value_name = "FILE")]
    pub dump: Option<PathBuf>,
    /// Folder for the temporary trees, which must exist (default: the system temp dir; a tmpfs such as
    /// /dev/shm is faster)
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Answer every question too (tier 5, as `mem ask`) and score the answers: token F1 (LoCoMo's
    /// metric), containment of the reference answer, abstention on questions without one
    #[arg(long)]
    pub qa: bool,
    /// With --qa: answer without a model (the best matching sentence of the notes)
    #[arg(long, requires = "qa")]
    pub extractive: bool,
    /// With --qa: notes retrieved per question
    #[arg(long, default_value_t = 6, requires = "qa", value_parser = clap::value_parser!(u64).range(1..=40))]
    pub qa_k: u64,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Creates DIR (mem init) and adds N entries through the normal write path in batches \
(one commit per batch), then prints the ingest rate. Content depends only on N and --seed. Four needles are \
planted (see the JSON `needles`): `zanzibar` and `pool_config.rs` (lexical), `automobile upkeep` and \
`notebook power drain` (semantic only: no shared words). `queries` lists benchmark queries.\n\n\
Examples:\n  mem eval synth --entries 10000 /tmp/t10k\n  mem eval synth --entries 100000 --seed 7 --json /tmp/t100k"
)]
pub struct SynthArgs {
    /// Number of entries
    #[arg(long, short = 'n', default_value_t = 10_000)]
    pub entries: usize,
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Entries per batch (one commit each)
    #[arg(long, default_value_t = 25_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
    /// Benchmark queries to list in the report
    #[arg(long, default_value_t = 30)]
    pub queries: usize,
    /// Folder for the new tree (must not exist or be empty)
    pub dir: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    match args.cmd {
        EvalCmd::Synth(a) => synth(a, ctx),
        EvalCmd::Locomo(a) => bench("locomo", a, ctx),
        EvalCmd::Longmemeval(a) => bench("longmemeval", a, ctx),
        EvalCmd::Curation(a) => super::eval_curation::run(a, ctx),
        EvalCmd::Placement(a) => super::eval_placement::run(a, ctx),
        EvalCmd::Quarantine(a) => quarantine(a, ctx),
        EvalCmd::Lessons(a) => lessons(a, ctx),
        EvalCmd::Drift(a) => drift(a, ctx),
        EvalCmd::Dream(a) => dream(a, ctx),
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Writes a fresh temporary tree of --entries entries: synthetic filler (as `mem eval synth`) and \
facts about people, services, projects and hosts (the drift generator's), each statement one entry written \
without curation. --duplicates of the entries are a fact said again another way, later; --changes are a fact \
given a later, different value. Then `mem dream` plans its changes (nothing is applied) and each proposal is \
scored: a planted pair found, or wrong. Reported: the share of each kind found, the wrong proposals, dream's \
time; --sample N lists N right and N wrong proposals of each kind with their texts, to check by hand.\n\n\
Examples:\n  mem eval dream\n  mem eval dream --entries 2000 --seed 2 --sample 10 --json"
)]
pub struct DreamArgs {
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Entries in the tree, planted ones included
    #[arg(long, default_value_t = 10_000)]
    pub entries: usize,
    /// Share of the entries that are planted near-duplicates
    #[arg(long, default_value_t = 0.05)]
    pub duplicates: f64,
    /// Share of the entries that are planted contradictions (a later value)
    #[arg(long, default_value_t = 0.02)]
    pub changes: f64,
    /// Proposals of each kind, right and wrong, listed with their texts
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub sample: usize,
    /// Folder for the temporary tree, which must exist (default: the system temp dir)
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

fn dream(a: DreamArgs, ctx: &Ctx) -> Result<()> {
    for (name, v) in [("--duplicates", a.duplicates), ("--changes", a.changes)] {
        if !(0.0..=0.5).contains(&v) {
            anyhow::bail!("{name} {v} is not a share between 0 and 0.5");
        }
    }
    let o = crate::eval::dreambench::Options {
        seed: a.seed,
        entries: a.entries,
        duplicates: a.duplicates,
        changes: a.changes,
        sample: a.sample,
        work_dir: a.work_dir,
    };
    let quiet = ctx.json || ctx.quiet;
    let r = crate::eval::dreambench::run(&o, &|m| {
        if !quiet {
            eprintln!("{m}");
        }
    })?;
    if ctx.json {
        return ctx.json_line(&r);
    }
    out_line(&format!(
        "dream (seed {}): {} entries, {} facts; planted {} duplicates, {} contradictions\n\
         duplicates found {}/{} ({:.3})  contradictions found {}/{} ({:.3})\n\
         proposals {}, wrong {} ({:.3}){}\n\
         dream {:.1} s ({} pairs compared); tree and index built in {:.1} s",
        r.seed,
        r.entries,
        r.facts,
        r.planted_duplicates,
        r.planted_changes,
        r.found_duplicates,
        r.planted_duplicates,
        r.duplicate_recall,
        r.found_changes,
        r.planted_changes,
        r.change_recall,
        r.proposals,
        r.wrong,
        r.wrong_share,
        if r.wrong_by_kind.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                r.wrong_by_kind
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        r.dream_seconds,
        r.pairs_compared,
        r.build_seconds
    ))?;
    for (label, list) in [
        ("WRONG", &r.wrong_sample),
        ("RIGHT", &r.right_sample),
        ("MISSED", &r.missed_sample),
    ] {
        for s in list {
            out_line(&format!(
                "{label} {} ({})\n    keep:  {}\n    other: {}",
                s.kind, s.reason, s.keep_text, s.other_text
            ))?;
        }
    }
    Ok(())
}

fn drift(a: DriftArgs, ctx: &Ctx) -> Result<()> {
    if !(0.0..=1.0).contains(&a.changed) {
        anyhow::bail!("--changed {} is not a share between 0 and 1", a.changed);
    }
    let cfg = crate::config::Config::load(None)?;
    let models = crate::model::select::Models::new(&cfg.models);
    let o = crate::eval::drift::RunOptions {
        seed: a.seed,
        subjects: a.subjects as usize,
        changed: a.changed,
        mode: if a.no_model {
            crate::curate::Mode::NoModel
        } else {
            crate::curate::Mode::Full
        },
        work_dir: a.work_dir.clone(),
        dream: a.dream,
        keep: a.keep,
    };
    let quiet = ctx.json || ctx.quiet;
    let mut r = crate::eval::drift::run(&o, &models, &|m| {
        if !quiet {
            eprintln!("{m}");
        }
    })?;
    if !a.mistakes {
        r.mistakes.clear();
        r.curation_mistakes.clear();
    }
    if ctx.json {
        return ctx.json_line(&r);
    }
    let ops = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out_line(&format!(
        "drift (seed {}): {} facts about {} subjects, {} changed, {} statements\n\
         current recall@1 {:.3} (fact found {:.3}; {} asked)  as-of recall@1 {:.3} (fact found {:.3}; {} asked)  stale hits {} (and {} flagged as maybe outdated)\n\
         first statements: {}\nchanges: {}\n\
         filed in {} topics: {:.2} topics per subject, topic purity {:.3}\n\
         add p50 {:.1} ms ({:.0} s in all)  recall p50 {:.1} ms",
        r.seed,
        r.facts,
        r.subjects,
        r.changed_facts,
        r.statements,
        r.current_at1,
        r.current_fact_at1,
        r.current_asked,
        r.as_of_at1,
        r.as_of_fact_at1,
        r.as_of_asked,
        r.stale_current,
        r.stale_flagged,
        ops(&r.first_ops),
        ops(&r.change_ops),
        r.topics,
        r.topics_per_subject,
        r.topic_purity,
        r.add_ms_p50,
        r.add_s_total,
        r.recall_ms_p50
    ))?;
    if let Some(d) = &r.dream {
        out_line(&format!(
            "dream: {} supersedes ({} wrong), {} duplicates archived (all wrong here: no value repeats), {:.1} s",
            d.supersedes, d.supersedes_wrong, d.duplicates, d.seconds
        ))?;
    }
    for m in &r.mistakes {
        out_line(&format!(
            "MISS {}{}\n    expected: {}\n    got:      {}",
            m.question,
            m.as_of
                .as_deref()
                .map(|t| format!(" (as of {t})"))
                .unwrap_or_default(),
            m.expected,
            m.got
        ))?;
    }
    for m in &r.curation_mistakes {
        out_line(&format!("CURATION {m}"))?;
    }
    Ok(())
}

fn lessons(a: LessonsArgs, ctx: &Ctx) -> Result<()> {
    let mut r = crate::eval::lessons::run(&a.file, a.replay)?;
    if !a.mistakes {
        r.mistakes.clear();
    }
    if ctx.json {
        return ctx.json_line(&r);
    }
    out_line(&format!(
        "{}: {} transcripts, {} gold lessons, {} extracted\nrecall {:.3}  precision {:.3}  without evidence {}  ({:.1} ms per transcript)",
        r.file,
        r.transcripts,
        r.gold,
        r.extracted,
        r.recall,
        r.precision,
        r.without_evidence,
        r.extract_ms
    ))?;
    for (k, s) in &r.kinds {
        out_line(&format!(
            "  {k:<13} gold {:>3} found {:>3}   extracted {:>3} correct {:>3}",
            s.gold, s.found, s.extracted, s.correct
        ))?;
    }
    if a.replay {
        out_line(&format!(
            "replay: {}/{} first errors found their lesson in the top 3 ({:.3})",
            r.replay_top3, r.replay_asked, r.replay_rate
        ))?;
    }
    for m in &r.mistakes {
        out_line(&format!(
            "{} [{}] {}\n    when: {}\n    do:   {}",
            m.what.to_uppercase(),
            m.kind,
            m.transcript,
            m.trigger,
            m.advice
        ))?;
    }
    Ok(())
}

fn quarantine(a: QuarantineArgs, ctx: &Ctx) -> Result<()> {
    use crate::eval::quarantine as q;
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.file.display()))?;
    let name = a.file.display().to_string();
    let mut r = q::run(&q::load(&text, &name)?, &name);
    if !a.mistakes {
        r.mistakes.clear();
    }
    if ctx.json {
        return ctx.json_line(&r);
    }
    out_line(&format!(
        "{name}: {} poisoned, {} normal\ncaught (poisoned quarantined): {:.3} (rules alone {:.3})\nfalse positives (normal quarantined): {:.3} (rules alone {:.3})\nscan: {:.1} µs per note",
        r.poisoned,
        r.normal,
        r.caught,
        r.rules_caught,
        r.false_positive_rate,
        r.rules_false_positive_rate,
        r.scan_us
    ))?;
    for (f, s) in &r.families {
        out_line(&format!(
            "  {f:<32} {:>3}/{:<3} quarantined",
            s.quarantined, s.cases
        ))?;
    }
    for m in &r.mistakes {
        out_line(&format!(
            "{} [{}] {}{}",
            if m.poisoned { "MISSED" } else { "FALSE " },
            m.family,
            m.text.replace('\n', "⏎"),
            m.rule
                .as_deref()
                .map(|r| format!("  <- {r}"))
                .unwrap_or_default()
        ))?;
    }
    Ok(())
}

fn synth(a: SynthArgs, ctx: &Ctx) -> Result<()> {
    let opts = crate::eval::synth::SynthOptions {
        entries: a.entries,
        seed: a.seed,
        batch: a.batch as usize,
        queries: a.queries,
    };
    let r = crate::eval::synth::synthesize(&a.dir, &opts)?;
    if ctx.json {
        ctx.json_line(&r)?;
    } else {
        out_line(&format!(
            "synthesized {} entries ({} domains, {} topics, {} commit(s)) into {} in {:.2}s: {:.0} entries/s",
            r.added, r.domains, r.topics, r.commits, r.root, r.ingest_seconds, r.entries_per_s
        ))?;
        for n in &r.needles {
            out_line(&format!(
                "  needle ({}): {:?} -> {}",
                n.kind, n.query, n.path
            ))?;
        }
    }
    Ok(())
}

fn bench(dataset: &str, a: BenchArgs, ctx: &Ctx) -> Result<()> {
    use crate::eval;
    if let Some(d) = &a.work_dir {
        eval::check_work_dir(d)?;
    }
    let bytes = crate::ingest::read_input(&a.file)?;
    let mut quirks = crate::ingest::Quirks::default();
    let units = match dataset {
        "locomo" => eval::locomo::units(&bytes, &mut quirks)?,
        _ => eval::longmemeval::units(&bytes)?,
    };
    // Nothing to ask is an error, not an empty table: most often the other
    // benchmark's file.
    let turns: usize = units
        .iter()
        .flat_map(|u| &u.conversation.sessions)
        .map(|s| s.turns.len())
        .sum();
    let askable = units
        .iter()
        .flat_map(|u| &u.questions)
        .filter(|q| q.excluded.is_none())
        .count();
    if turns == 0 || askable == 0 {
        let name = if dataset == "locomo" {
            "LoCoMo"
        } else {
            "LongMemEval"
        };
        let hint = match crate::ingest::guess_format(&bytes) {
            Some(crate::ingest::Format::Locomo) if dataset != "locomo" => {
                "; it looks like a LoCoMo file: `mem eval locomo FILE`".to_string()
            }
            Some(crate::ingest::Format::Longmemeval) if dataset == "locomo" => {
                "; it looks like a LongMemEval file: `mem eval longmemeval FILE`".to_string()
            }
            Some(crate::ingest::Format::ChatJsonl) => {
                "; it looks like a chat-jsonl transcript, which has no questions: `mem ingest` it"
                    .to_string()
            }
            _ => String::new(),
        };
        anyhow::bail!(
            "{}: nothing to evaluate as {name} ({turns} turns, {askable} questions to ask){hint}",
            a.file.display()
        );
    }
    drop(bytes);
    let mut cfg = crate::config::Config::load(None)?;
    if a.qa && cfg.models.threads == 0 {
        // The answers run back to back for minutes: the load average then
        // counts this process's own work, and "the idle cores" would
        // shrink to one. The cores nobody else is using now instead.
        cfg.models.threads = crate::model::llama::bulk_threads();
    }
    let models = crate::model::select::Models::new(&cfg.models);
    if a.tier >= 2
        && let Some(n) = models.embedder_notice()
    {
        ctx.note(&format!("note: {n}"));
    }
    let opts = eval::Options {
        shape: crate::ingest::Shape {
            granularity: a.granularity.into(),
            ..crate::eval::knobs::ingest_shape()
        },
        max_tier: a.tier,
        depth: a.depth as usize,
        limit: a.limit.map(|l| l as usize),
        work_dir: a.work_dir.clone(),
        dump: a.dump.clone(),
        verbose: !ctx.quiet,
        qa: a.qa.then(|| eval::QaOptions {
            k: a.qa_k as usize,
            answer: crate::answer::Options::default(),
            extractive: a.extractive,
        }),
    };
    let report = eval::run(dataset, &a.file, units, quirks, &models, &opts)?;
    if ctx.json {
        ctx.json_line(&report)?;
    } else {
        for line in eval::render(&report).lines() {
            out_line(line)?;
        }
    }
    Ok(())
}

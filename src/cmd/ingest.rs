//! `mem ingest`: conversation transcripts into the tree (see `crate::ingest`).

use super::{FormatArg, GranularityArg};
use crate::ingest::{self, Format, Granularity, Quirks, Shape};
use crate::model::select::Models;
use crate::output::{Ctx, out_line};
use crate::paths::TopicPath;
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Formats:\n  locomo       the LoCoMo benchmark file (list of samples with conversation.session_<N>)\n  \
longmemeval  the LongMemEval file (list of questions, each with haystack_sessions); gzip accepted\n  \
chat-jsonl   one JSON object per line: {role|speaker, content|text, time?, session?}; content parts\n               ([{type: text, text}]), a wrapping {message: {role, content}}, timestamp and sessionId are read too\n\n\
Without --format the format is recognised from the content (a benchmark JSON list, else JSON Lines with a message among the first 1,000 lines).\n\n\
One entry per turn (or per session with --granularity session) under <domain>/<conversation>/<session>/, \
e.g. locomo/conv-26/session-03/. source.ref points into the original (locomo:conv-26:D3:7, \
lme:<question_id>:<session_id>:<turn_index>, chat:<name>:<session>:<turn_index>), observed = the session's date, \
source.speaker = who said it. Long turns keep their first 600 characters as the statement and the full text \
under ## Evidence. One commit per file; the index is caught up (batched embedding) at the end. Re-ingesting \
the same file adds nothing; a turn whose text changed since updates its entry (same ref) in place. \
A chat-jsonl conversation is named by --name, else the file name, else (stdin) stdin-<hash>. Data quirks (malformed ids, missing dates, empty turns) are counted in the report.\n\n\
Examples:\n  mem ingest --format locomo locomo10.json\n  gunzip -c lme.json.gz | mem ingest --format longmemeval -\n  \
mem ingest --format chat-jsonl chat.jsonl --at personal/chats --json\n  mem ingest ~/.claude/projects/myproj/session.jsonl --name myproj"
)]
pub struct Args {
    /// Input format (default: recognised from the content; an input it cannot tell is an error)
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// One entry per turn or per session
    #[arg(long, value_enum, default_value_t = GranularityArg::Turn)]
    pub granularity: GranularityArg,
    /// Put conversations under this domain/topic instead of the format's default
    #[arg(long, value_name = "DOMAIN/TOPIC")]
    pub at: Option<String>,
    /// Do not catch the index up (no embedding) after writing
    #[arg(long)]
    pub no_index: bool,
    /// Curate instead of storing turns: each turn is distilled into statements (with verbatim evidence) and
    /// added, updated, merged, superseded or dropped as a duplicate, like `mem add`
    #[arg(long, conflicts_with = "granularity")]
    pub distill: bool,
    /// With --distill: decide by rules only (no generator)
    #[arg(long, requires = "distill")]
    pub no_model: bool,
    /// With --distill: also distil turns of assistant/system/tool roles (default: skipped)
    #[arg(long, requires = "distill")]
    pub all_speakers: bool,
    /// chat-jsonl: the conversation's name, used for its topic and in `source.ref` (default: the file
    /// name without extensions; for stdin `stdin-` and the first 8 hex digits of the input's hash)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The transcript (`-` for stdin; gzip is detected)
    pub file: PathBuf,
}

/// The conversation name of a chat-jsonl input: `--name`, else the file
/// name up to its first dot, else (stdin) `stdin-` and 8 hex digits of the
/// input's hash, so different inputs piped in do not share refs and topics.
fn conversation_name(name: Option<&str>, file: &std::path::Path, bytes: &[u8]) -> String {
    if let Some(n) = name {
        return n.to_string();
    }
    if file.as_os_str() == "-" {
        return format!("stdin-{}", &blake3::hash(bytes).to_hex()[..8]);
    }
    file.file_name()
        .map(|n| {
            n.to_string_lossy()
                .split('.')
                .next()
                .unwrap_or("chat")
                .to_string()
        })
        .unwrap_or_default()
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let at = args
        .at
        .as_deref()
        .map(|a| TopicPath::parse(a.trim_end_matches('/')))
        .transpose()?;
    if let Some(a) = &at
        && a.segments().len() != 2
    {
        anyhow::bail!("--at {a}: give domain/topic; the session becomes the subtopic");
    }
    if let Some(n) = &args.name
        && ingest::segment(n, "").is_empty()
    {
        anyhow::bail!("--name {n:?}: give a name with letters or digits");
    }
    let bytes = ingest::read_input(&args.file)?;
    let shown = if args.file.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        args.file.display().to_string()
    };
    if bytes.trim_ascii().is_empty() {
        anyhow::bail!("{shown} is empty: nothing to ingest");
    }
    let (format, parsed) = match args.format {
        Some(f) => (Format::from(f), None),
        None => ingest::recognise(&bytes).with_context(|| {
            format!(
                "cannot tell the format of {shown}: give --format locomo, longmemeval or chat-jsonl"
            )
        })?,
    };
    if args.name.is_some() && format != Format::ChatJsonl {
        anyhow::bail!(
            "--name is for --format chat-jsonl (locomo and longmemeval name their conversations)"
        );
    }
    let name = conversation_name(args.name.as_deref(), &args.file, &bytes);
    let fmt = serde_json::to_value(format)?
        .as_str()
        .unwrap_or_default()
        .to_string();
    // What the file looks like when it does not parse as --format.
    let other_format = || {
        ingest::guess_format(&bytes)
            .filter(|f| *f != format)
            .and_then(|f| serde_json::to_value(f).ok())
            .and_then(|v| v.as_str().map(|f| format!("it looks like --format {f}")))
    };
    let mut quirks = Quirks::default();
    let convs = match &parsed {
        Some(v) => ingest::parse_json(format, v, &mut quirks),
        None => ingest::parse(format, &bytes, &name, &mut quirks),
    }
    .with_context(|| match other_format() {
        Some(h) => format!("{shown} (read as --format {fmt}; {h})"),
        None => format!("{shown} (read as --format {fmt})"),
    })?;
    let read: usize = convs
        .iter()
        .flat_map(|c| &c.sessions)
        .map(|s| s.turns.len())
        .sum();
    if read == 0 {
        let seen = if quirks.total() == 0 {
            String::new()
        } else {
            let q: Vec<String> = quirks.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!(" ({})", q.join("; "))
        };
        let hint = other_format().unwrap_or_else(|| {
            "check that --format (locomo, longmemeval, chat-jsonl) is the file's format".into()
        });
        anyhow::bail!("{shown}: no turns read as --format {fmt}{seen}; {hint}");
    }
    let models = Models::new(&tree.config.models);
    if !args.no_index
        && let Some(n) = models.embedder_notice()
    {
        ctx.note(&format!("note: {n}"));
    }
    let shape = Shape {
        granularity: Granularity::from(args.granularity),
        ..crate::eval::knobs::ingest_shape()
    };
    let mut report = ingest::Report {
        op: "ingested",
        file: args.file.display().to_string(),
        format: fmt.clone(),
        granularity: serde_json::to_value(Granularity::from(args.granularity))?
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ..Default::default()
    };
    report.quirks = quirks;
    if args.distill {
        let msg = format!(
            "mem: ingest --distill {} ({fmt}, via conversation)",
            report.file
        );
        let mode = if args.no_model {
            crate::curate::Mode::NoModel
        } else {
            crate::curate::Mode::Full
        };
        report.granularity = "statement".into();
        ingest::write_distilled(
            &tree,
            &models,
            &convs,
            at.as_ref(),
            false,
            mode,
            args.all_speakers,
            &msg,
            ctx.interactive && !ctx.quiet,
            &mut report,
        )?;
        if !args.no_index {
            // The last turns' entries (earlier ones were indexed while curating).
            let t1 = std::time::Instant::now();
            let (_, c) = crate::index::open(&tree, &models, ctx.interactive && !ctx.quiet, false)?;
            report.embedded += c.embedded;
            report.index_seconds += t1.elapsed().as_secs_f64();
        }
        return print_distilled(&report, ctx);
    }
    let msg = format!("mem: ingest {} ({fmt}, via conversation)", report.file);
    ingest::write(
        &tree,
        (!args.no_index).then_some(&models),
        &convs,
        &shape,
        at.as_ref(),
        &msg,
        ctx.interactive && !ctx.quiet,
        &mut report,
    )?;
    if ctx.json {
        ctx.json_line(&report)?;
    } else {
        out_line(&format!(
            "ingested {}: {} conversation(s), {} session(s), {} turns -> {} added, {} updated, {} unchanged{}",
            report.file,
            report.conversations,
            report.sessions,
            report.turns,
            report.added,
            report.updated,
            report.unchanged,
            report
                .commit
                .as_deref()
                .map(|c| format!(" (commit {})", &c[..c.len().min(10)]))
                .unwrap_or_default()
        ))?;
        out_line(&format!(
            "  write {:.2}s, index {:.2}s ({} embedded), {:.0} entries/s",
            report.write_seconds, report.index_seconds, report.embedded, report.entries_per_s
        ))?;
        for (k, v) in &report.quirks.0 {
            out_line(&format!("  quirk: {k}: {v}"))?;
        }
    }
    Ok(())
}

fn print_distilled(report: &ingest::Report, ctx: &Ctx) -> Result<()> {
    let c = report.curation.clone().unwrap_or_default();
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    if ctx.json {
        return ctx.json_line(report);
    }
    out_line(&format!(
        "ingested {} (distilled): {} turn(s) -> {} statement(s): {} added, {} updated, {} merged, {} superseded, {} noop, {} pending; {} turn(s) already ingested, {} skipped (speaker){}",
        report.file,
        report.turns,
        c.statements,
        report.added,
        report.updated,
        c.merged,
        c.superseded,
        c.noop,
        c.pending,
        report.unchanged,
        c.skipped_speaker,
        report
            .commit
            .as_deref()
            .map(|c| format!(" (commit {})", &c[..c.len().min(10)]))
            .unwrap_or_default()
    ))?;
    out_line(&format!(
        "  {:.2}s, {} model call(s)",
        report.write_seconds, c.model_calls
    ))
}

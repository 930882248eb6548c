use crate::curate;
use crate::entry::Source;
use crate::guard;
use crate::model::select::Models;
use crate::ops::AddRequest;
use crate::output::{Ctx, out_line};
use crate::paths::TopicPath;
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Curation: prose is split into statements (each keeps its verbatim quote as evidence); each \
is compared with the nearest existing entries (content hash, BM25, vectors) and is added, updates or is merged \
into an entry, supersedes one (the old entry stays, linked by `supersedes`), or is a noop (already known). Clear \
cases are decided by rules; unclear ones by the local model choosing among 2-3 options (without a model: add). \
If the model fails, the input is written raw with `curation: pending` and a warning. Changing an entry you wrote \
yourself (trust: user) asks first on a terminal, unless --yes.\n\n\
Examples:\n  mem add \"llama.cpp builds need cmake and libclang\" --at engineering/build --tag rust\n  \
mem add \"Alice moved from Berlin to Paris\"          # superseded people/alice/alice-lives-in-berlin with …\n  \
mem add --dry-run \"The release build also needs protoc\"\n  \
git log -1 --format=%B | mem add --kind event --at engineering/releases\n  \
mem add --file notes.md --title \"Deploy checklist\" --kind procedure --json"
)]
pub struct Args {
    /// The text to remember (`-` or nothing: read stdin)
    pub text: Vec<String>,
    /// Read the text from a file (`-` for stdin)
    #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Where to put it: domain/topic[/subtopic] (default: the most similar existing topic)
    #[arg(long, value_name = "DOMAIN/TOPIC")]
    pub at: Option<String>,
    /// Write into this tree (a name from [trees] in the config, or a folder)
    #[arg(long, value_name = "NAME")]
    pub tree: Option<String>,
    /// Title (default: the first sentence of the text)
    #[arg(long)]
    pub title: Option<String>,
    /// Tag (repeatable, or comma-separated)
    #[arg(long = "tag", short = 't', value_delimiter = ',')]
    pub tags: Vec<String>,
    /// fact | preference | event | decision | procedure | lesson
    #[arg(long, default_value = "fact")]
    pub kind: String,
    /// Pointer into the original material (e.g. a URL or ticket:123)
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,
    /// When it happened or was said: RFC 3339, YYYY-MM-DD, or an age (7d, 2w, 3m, 1y: that long ago)
    #[arg(long, value_name = "DATE")]
    pub observed: Option<String>,
    /// Importance 0-100
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub importance: Option<u8>,
    /// Who is writing: cli (default), agent, import, conversation, sync
    #[arg(long, default_value = "cli", value_parser = ["cli", "agent", "import", "conversation", "sync"])]
    pub via: String,
    /// Name of the agent writing (with --via agent)
    #[arg(long)]
    pub agent: Option<String>,
    /// Skip curation: store the input as one entry (exact duplicates are still a noop)
    #[arg(long)]
    pub raw: bool,
    /// Show what would change (a unified diff per file) and write nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Decide without the generator (rules and thresholds only)
    #[arg(long)]
    pub no_model: bool,
}

/// Reads at most `limit + 1` bytes, so a huge stream is refused without
/// being read whole (its size then unknown: "more than" the limit).
fn read_limited(mut r: impl Read, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.by_ref().take(limit as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(guard::InputError::TooLarge { size: None, limit }.into());
    }
    Ok(buf)
}

pub fn read_input(text: &[String], file: Option<&PathBuf>, limit: usize) -> Result<String> {
    let bytes = match file {
        Some(p) if p.as_os_str() == "-" => read_limited(std::io::stdin().lock(), limit)?,
        Some(p) => {
            let meta =
                std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
            if !meta.is_file() {
                bail!("{} is not a regular file", p.display());
            }
            if meta.len() as usize > limit {
                return Err(guard::InputError::TooLarge {
                    size: Some(meta.len() as usize),
                    limit,
                }
                .into());
            }
            let f =
                std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            read_limited(f, limit)?
        }
        None if text.is_empty() || (text.len() == 1 && text[0] == "-") => {
            if std::io::stdin().is_terminal() && text.is_empty() {
                bail!(
                    "nothing to add: give the text as an argument, pipe it on stdin, or use --file"
                );
            }
            read_limited(std::io::stdin().lock(), limit)?
        }
        None => text.join(" ").into_bytes(),
    };
    Ok(guard::check_input(&bytes, limit)?)
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = match &args.tree {
        Some(n) => ctx.named_tree(n)?,
        None => ctx.tree()?,
    };
    let at = args.at.as_deref().map(TopicPath::parse).transpose()?;
    let text = read_input(
        &args.text,
        args.file.as_ref(),
        tree.config.limits.max_input_bytes,
    )?;
    let req = AddRequest {
        text,
        at,
        title: args.title,
        tags: args.tags,
        kind: Some(args.kind),
        source: Source {
            via: Some(args.via),
            agent: args.agent,
            reference: args.source_ref,
            ..Default::default()
        },
        observed: args.observed,
        importance: args.importance,
    };
    // A date ahead of today is most likely a typo (2062 for 2026): said,
    // not refused (a planned event may be written ahead).
    if let Some(o) = &req.observed
        && let Ok(t) = crate::time::parse_bound(o)
        && t.as_second() > crate::time::now().as_second() + 86_400
    {
        ctx.note(&format!(
            "--observed {o} is in the future; the entry counts as observed then"
        ));
    }
    let models = Models::new(&tree.config.models);
    let ask = |q: &str| -> bool {
        dialoguer::Confirm::new()
            .with_prompt(q)
            .default(true)
            .interact_opt()
            .ok()
            .flatten()
            .unwrap_or(false)
    };
    let confirm: Option<&dyn Fn(&str) -> bool> = if ctx.interactive && !ctx.yes {
        Some(&ask)
    } else {
        None
    };
    let choose = |statement: &str, topics: &[String]| -> Option<usize> {
        dialoguer::Select::new()
            .with_prompt(format!("Where does this go? {statement}"))
            .items(topics)
            .default(0)
            .interact_opt()
            .ok()
            .flatten()
    };
    let choose_topic: Option<&curate::ChooseTopic<'_>> =
        if ctx.interactive && !ctx.yes && !ctx.json && !args.dry_run {
            Some(&choose)
        } else {
            None
        };
    let opts = curate::Options {
        mode: if args.no_model {
            curate::Mode::NoModel
        } else {
            curate::Mode::Full
        },
        raw: args.raw,
        dry_run: args.dry_run,
        timeout: curate::default_timeout(),
        confirm,
        hold_user_entries: crate::ops::trust_of(&req.source) == "agent",
        choose_topic,
        progress: !ctx.quiet,
    };
    let report = curate::curate_add(&tree, &models, req, &opts)?;
    models.leave_for_exit();
    for o in &report.outcomes {
        for r in &o.redacted {
            ctx.note(&format!(
                "redacted {} {} secret(s) before writing",
                r.count, r.kind
            ));
        }
    }
    for r in &report.rejected {
        ctx.note(&format!(
            "dropped an unsupported statement {:?}: {}",
            r.statement, r.why
        ));
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if args.dry_run && !ctx.json {
        for d in &report.diffs {
            for l in d.lines() {
                out_line(l)?;
            }
        }
    }
    for o in &report.outcomes {
        if ctx.json {
            let mut v = serde_json::to_value(o)?;
            if args.dry_run {
                v["diff"] = serde_json::Value::String(report.diffs.join(""));
            }
            ctx.json_line(&v)?;
        } else if args.dry_run {
            ctx.note(&o.line());
        } else {
            out_line(&o.line())?;
            if !ctx.quiet && o.op != "added" && o.decided_by != "raw" {
                ctx.note(&ctx.dim(&format!("  ({}: {})", o.decided_by, o.reason)));
            }
        }
    }
    Ok(())
}

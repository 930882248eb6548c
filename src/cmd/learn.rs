//! `mem learn`: lessons from agent session transcripts (see `crate::learn`).

use crate::learn;
use crate::output::{Ctx, out_line};
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Reads agent session transcripts with their tool calls — Claude Code \
(~/.claude/projects/*/SESSION.jsonl), Codex rollouts, and chat JSON Lines in the OpenAI shape \
(assistant `tool_calls`, `role: tool` results with an optional `exit_code`) — and finds, by rules:\n  \
recovery      a command failed, the same command later worked: what ran in between is the fix\n  \
optimisation  the same failure met by two or more attempts before the one that worked\n  \
strategy      a procedure the user asked for (release, deploy, migrate, set up…) that worked: its steps\n\n\
Each lesson is an entry of kind `lesson` under lessons/<program>, quoting the error line and the commands \
verbatim with their turn numbers (line numbers of the transcript). Learning the same transcript again adds \
nothing; a lesson already known from another session confirms it (maturity draft → validated → core); a \
known trigger with other advice is added and related `contradicts` to the known lesson. Secrets are \
redacted as for any write.\n\n\
Find them again: `mem recall --kind lesson QUERY`, or by an error: `cargo build 2>&1 | mem recall --error -`.\n\n\
Examples:\n  mem learn ~/.claude/projects/myproj/*.jsonl\n  mem learn --dry-run --json session.jsonl"
)]
pub struct Args {
    /// Transcript files (`-` for stdin)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the lessons, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not catch the index up after writing
    #[arg(long)]
    pub no_index: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let mut sum = learn::Summary::default();
    // A file that cannot be read or is not a transcript is reported and
    // skipped; the others are learned; the exit status says so at the end.
    let mut failed: Vec<String> = Vec::new();
    for file in &args.files {
        let shown = if file.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            file.display().to_string()
        };
        let bytes = match crate::ingest::read_input(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("mem: {e:#}");
                failed.push(shown);
                continue;
            }
        };
        let name = file
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or("session")
                    .to_string()
            })
            .filter(|n| !n.is_empty() && n != "-")
            .unwrap_or_else(|| format!("stdin-{}", &blake3::hash(&bytes).to_hex()[..8]));
        let source = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| name.clone());
        let outcomes =
            match learn::learn_bytes(&tree, &bytes, &name, &source, args.dry_run, &mut sum) {
                Ok(o) => o,
                Err(e)
                    if e.downcast_ref::<learn::transcript::NotATranscript>()
                        .is_some() =>
                {
                    eprintln!("mem: reading {shown}: {e:#}");
                    failed.push(shown);
                    continue;
                }
                Err(e) => return Err(e.context(format!("learning from {shown}"))),
            };
        for o in &outcomes {
            if ctx.json {
                ctx.json_line(o)?;
            } else {
                let what = match o.op {
                    "would-add" => "would add".to_string(),
                    "confirmed" => format!("confirmed {}", o.path),
                    "contradicts" => format!(
                        "added {} (other advice than {})",
                        o.path,
                        o.target.as_deref().unwrap_or("")
                    ),
                    "noop" => format!("noop: known as {}", o.path),
                    _ if quarantined(&tree, &o.path) => format!(
                        "quarantined {} (instruction-like text: it waits for `mem review`)",
                        o.path
                    ),
                    _ => format!("added {}", o.path),
                };
                out_line(&format!("{} [{}] {what}", o.lesson.kind, o.lesson.program))?;
                out_line(&format!("  when: {}", o.lesson.trigger))?;
                out_line(&format!("  do:   {}", o.lesson.advice))?;
            }
        }
    }
    if !args.dry_run && !args.no_index && sum.added + sum.confirmed > 0 {
        let models = crate::model::select::Models::new(&tree.config.models);
        crate::index::open(&tree, &models, ctx.interactive && !ctx.quiet, false)?;
    }
    if ctx.json {
        ctx.json_line(&serde_json::json!({ "summary": sum }))?;
    } else if !ctx.quiet {
        eprintln!(
            "mem: {} lesson(s) from {} file(s): {} added, {} confirmed, {} already known{}",
            sum.lessons,
            sum.files,
            sum.added,
            sum.confirmed,
            sum.noop,
            if sum.unsupported > 0 {
                format!(", {} dropped (quotes not found verbatim)", sum.unsupported)
            } else {
                String::new()
            }
        );
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} file(s) not learned (see above): {}",
            failed.len(),
            args.files.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// Whether the entry written at `path` was quarantined on its way in.
fn quarantined(tree: &crate::tree::Tree, path: &str) -> bool {
    std::fs::read_to_string(tree.abs(&format!("{path}.md")))
        .ok()
        .and_then(|t| crate::entry::Entry::parse(&t).ok())
        .is_some_and(|e| crate::quarantine::is_quarantined(&e))
}

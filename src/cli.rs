//! The command line: global flags and one subcommand per verb.

use crate::cmd;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "mem",
    version,
    about = "Local-first memory for developers and LLM agents",
    long_about = "mem keeps memories as markdown files with YAML front matter in a \
Domain/Topic/Entry tree inside a git repository, indexed for fast recall and \
curated by a local model.\n\nExit codes: 0 ok, 1 nothing found, 2 error, 130 interrupted.",
    after_help = "Run `mem <command> --help` for details and examples."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The tree to use (default: the nearest folder upwards holding .mem/)
    #[arg(long, global = true, env = "MEM_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Machine-readable output: one JSON object per line on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Never prompt; assume "yes" where a confirmation would be asked
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Less output on stderr (errors are always shown)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    /// What every command gets: these flags, resolved.
    pub fn ctx(&self) -> crate::output::Ctx {
        let color = match self.color {
            ColorChoice::Auto => None,
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
        };
        crate::output::Ctx::new(self.root.clone(), self.json, color, self.yes, self.quiet)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a tree (or adopt an existing git repository) and commit its settings
    Init(cmd::init::Args),
    /// Remember something: text from the argument, stdin or --file
    Add(cmd::add::Args),
    /// Import conversation transcripts (LoCoMo, LongMemEval, chat JSONL): one entry per turn
    Ingest(cmd::ingest::Args),
    /// Lessons from agent session transcripts: failures and their fixes, detours, procedures that worked
    Learn(cmd::learn::Args),
    /// Find memories: tiered retrieval (cache, lexical, semantic, structure)
    Recall(cmd::recall::Args),
    /// Answer a question from memory, citing the entries it comes from (tier 5)
    Ask(cmd::ask::Args),
    /// Print an entry (by path, id or id prefix)
    Show(cmd::show::Args),
    /// List entries, optionally under a path prefix
    Ls(cmd::ls::Args),
    /// Entry counts per domain and topic
    Tree(cmd::tree::Args),
    /// Open an entry in $EDITOR; the result is validated before it is kept
    Edit(cmd::edit::Args),
    /// Move an entry to another topic or path
    Mv(cmd::mv::Args),
    /// Retire entries to _archive/ (kept in git, restorable)
    Forget(cmd::forget::Args),
    /// Bring archived entries back
    Restore(cmd::forget::RestoreArgs),
    /// Take back a commit (a curated add, supersede, merge, move, forget…) in a new commit
    Undo(cmd::undo::Args),
    /// History of an entry (following moves) or of the whole tree
    Log(cmd::log::Args),
    /// Check every file: front matter, ids, paths, stray files
    Doctor(cmd::doctor::Args),
    /// Team memory: commit pending changes, fetch, merge entry by entry, push
    Sync(cmd::sync::Args),
    /// The tree's git remotes: add, ls
    Remote(cmd::sync::RemoteArgs),
    /// Copy an entry into another tree (say, from your personal tree to the team's), with its provenance
    Promote(cmd::promote::Args),
    /// The git merge driver for entries (registered by init and sync; git calls it)
    MergeFile(cmd::sync::MergeFileArgs),
    /// What waits for a person: quarantined entries and agents' changes held for review; approve or reject
    Review(cmd::review::Args),
    /// Offline consolidation: supersede changes and archive duplicates that curation missed
    Dream(cmd::dream::Args),
    /// Serve the memory to agents and editors over MCP (stdio)
    Mcp(cmd::mcp::Args),
    /// Coding agents' hooks: install, uninstall, status, run (context at session start and per prompt, transcript harvest)
    Hook(cmd::hook::Args),
    /// Local models: pull (download + verify), list, path, rm
    Model(cmd::model::Args),
    /// Rebuild the index from the files
    Reindex(cmd::reindex::Args),
    /// Keep the index caught up while files change; answer recalls over a local socket
    Watch(cmd::watch::Args),
    /// Measurements: synthetic trees, LoCoMo and LongMemEval retrieval benchmarks
    Eval(cmd::eval::Args),
    /// Print shell completions
    Completions(cmd::docs::CompletionsArgs),
    /// Write man pages into a folder
    Man(cmd::docs::ManArgs),
}

//! One module per verb: an `Args` struct and `run(args, &Ctx)`.

pub mod add;
pub mod ask;
pub mod docs;
pub mod doctor;
pub mod dream;
pub mod edit;
pub mod eval;
pub mod eval_curation;
pub mod eval_placement;
pub mod forget;
pub mod hook;
pub mod hook_config;
pub mod ingest;
pub mod init;
pub mod learn;
pub mod log;
pub mod ls;
pub mod mcp;
pub mod model;
pub mod mv;
pub mod promote;
pub mod recall;
pub mod reindex;
pub mod review;
pub mod show;
pub mod sync;
pub mod tree;
pub mod undo;
pub mod watch;

use crate::cli::Command;
use crate::output::Ctx;
use anyhow::Result;

pub fn dispatch(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Init(a) => init::run(a, ctx),
        Command::Add(a) => add::run(a, ctx),
        Command::Ingest(a) => ingest::run(a, ctx),
        Command::Learn(a) => learn::run(a, ctx),
        Command::Show(a) => show::run(a, ctx),
        Command::Ls(a) => ls::run(a, ctx),
        Command::Tree(a) => tree::run(a, ctx),
        Command::Edit(a) => edit::run(a, ctx),
        Command::Mv(a) => mv::run(a, ctx),
        Command::Forget(a) => forget::run(a, ctx),
        Command::Restore(a) => forget::run_restore(a, ctx),
        Command::Undo(a) => undo::run(a, ctx),
        Command::Log(a) => log::run(a, ctx),
        Command::Recall(a) => recall::run(a, ctx),
        Command::Ask(a) => ask::run(a, ctx),
        Command::Reindex(a) => reindex::run(a, ctx),
        Command::Watch(a) => watch::run(a, ctx),
        Command::Eval(a) => eval::run(a, ctx),
        Command::Doctor(a) => doctor::run(a, ctx),
        Command::Model(a) => model::run(a, ctx),
        Command::Mcp(a) => mcp::run(a, ctx),
        Command::Hook(a) => hook::run(a, ctx),
        Command::Review(a) => review::run(a, ctx),
        Command::Dream(a) => dream::run(a, ctx),
        Command::Sync(a) => sync::run(a, ctx),
        Command::Remote(a) => sync::remote(a, ctx),
        Command::Promote(a) => promote::run(a, ctx),
        Command::MergeFile(a) => sync::merge_file(a, ctx),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
    }
}

/// `--format` of `mem ingest` (the core's [`crate::ingest::Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Locomo,
    Longmemeval,
    ChatJsonl,
}

impl From<FormatArg> for crate::ingest::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Locomo => Self::Locomo,
            FormatArg::Longmemeval => Self::Longmemeval,
            FormatArg::ChatJsonl => Self::ChatJsonl,
        }
    }
}

/// `--granularity` of `mem ingest` and `mem eval` (the core's
/// [`crate::ingest::Granularity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GranularityArg {
    /// One entry per turn.
    Turn,
    /// One entry per session (all its turns).
    Session,
}

impl From<GranularityArg> for crate::ingest::Granularity {
    fn from(g: GranularityArg) -> Self {
        match g {
            GranularityArg::Turn => Self::Turn,
            GranularityArg::Session => Self::Session,
        }
    }
}

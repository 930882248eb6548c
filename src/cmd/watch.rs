use crate::output::Ctx;
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Keeps .mem/index/ caught up while files change (hand edits, `git pull`, other tools), \
re-indexing within a second, and answers `mem recall` over the socket .mem/state/watch.sock so a recall \
needs neither to open the index nor to load a model. One watcher per tree (.mem/state/watch.lock); \
`mem add` and other writers are never blocked. Correctness never depends on it: every command catches \
the index up by itself.\n\n\
Prints one line per re-index on stderr; with --json, JSON lines on stdout: {\"event\":\"ready\",…} once, \
then {\"event\":\"reindexed\",\"added\",\"updated\",\"removed\",\"embedded\",\"broken\",\"rebuilt\",\"generation\",\"ms\",\"paths\",\"trigger\"}, \
and {\"event\":\"idle-exit\"} when --idle-exit ends it.\n\n\
Stop with Ctrl-C (or SIGTERM): the socket is removed and the exit code is 130. With --idle-exit it also \
stops by itself (exit code 0) after that long without a query or a change; `mem recall` starts one so when \
watch.auto is set (MEM_AUTO_WATCH=1).\n\n\
With watch.dream set (\"daily\", \"hourly\", \"weekly\" or an interval; MEM_WATCH_DREAM), it also runs a bounded \
`mem dream` pass once the tree has been idle for watch.dream_idle_s, at most once per interval, and prints \
{\"event\":\"dream\",\"changes\",\"commits\",\"cut_short\",\"ms\"}.\n\n\
Examples:\n  mem watch &\n  mem watch --json | jq -c 'select(.event == \"reindexed\")'"
)]
pub struct Args {
    /// Exit after SECS seconds without a query or a change (0 or absent: run until stopped)
    #[arg(long, value_name = "SECS")]
    pub idle_exit: Option<u64>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let dream = crate::watch::IdleDream::from_config(&tree.config.watch)?;
    crate::watch::run(
        tree,
        crate::watch::WatchOptions {
            dream,
            json: ctx.json,
            quiet: ctx.quiet,
            idle_exit: args
                .idle_exit
                .filter(|&s| s > 0)
                .map(std::time::Duration::from_secs),
        },
    )
}

//! `mem dream`: offline consolidation (see [`crate::dream`]).

use crate::output::{Ctx, out_line};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Finds what curation missed among the live entries (events, superseded, quarantined and held \
entries left out) and applies it, one commit per kind:\n  supersede  two entries state the same attribute of the \
same named subject with different values: the newer supersedes the older (valid_from / valid_to set)\n  \
duplicate  the newer says nothing the older does not: archived, the older keeps a merged-from relation\n  \
maturity   draft -> validated -> core from confirmations and days shown; back to draft when contradicted\n  \
overview   domain/topic/_overview.md (topics of 3 entries or more) and domain/_overview.md (domains of 2 topics \
or more), rewritten from the entries\n\nStale entries (low-value drafts unused for months, or past their own valid_to) are never archived by \
dream: they are proposed and wait in `mem review`.\n\n\
Take a kind back with `mem undo` (the last commit) or `git revert`.\n\n\
To dream when idle, set watch.dream (\"daily\", …) and run `mem watch`.\n\n\
Examples:\n  mem dream --dry-run\n  mem dream --max-actions 50 --json\n  mem dream --time 5m    # from cron: a bounded pass, the next one goes on"
)]
pub struct Args {
    /// Show what would change, write nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// At most N changes of each kind (0: no limit)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_actions: usize,
    /// Stop after this long (`90s`, `5m`, `1h`) with what was found so far; the next run goes on
    #[arg(long, value_name = "DURATION", value_parser = crate::time::parse_duration)]
    pub time: Option<std::time::Duration>,
    /// Open each overview rewritten with a summary by the answer model (seconds per topic), every sentence checked against the entries it cites
    #[arg(long)]
    pub summaries: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    let report = crate::dream::pass(
        &tree,
        &crate::dream::Budget {
            max: args.max_actions,
            time: args.time,
            progress: !ctx.json && !ctx.quiet,
            summaries: args.summaries,
        },
        args.dry_run,
    )?;
    if ctx.json {
        return ctx.json_line(&report);
    }
    let verb = if args.dry_run { "would " } else { "" };
    for p in &report.proposals {
        match p.kind {
            "supersede" => out_line(&format!("{verb}supersede {} with {}", p.other, p.keep))?,
            "hold" => out_line(&format!(
                "{verb}hold {} for review: an agent's entry would supersede your {}",
                p.keep, p.other
            ))?,
            _ => out_line(&format!(
                "{verb}archive {} (duplicate of {}: {})",
                p.other, p.keep, p.reason
            ))?,
        }
    }
    for m in &report.maturity {
        out_line(&format!(
            "{verb}set maturity of {} {} -> {} ({})",
            m.path, m.from, m.to, m.reason
        ))?;
    }
    if report.overviews.len() <= 10 {
        for o in &report.overviews {
            out_line(&format!("{verb}{} {}", o.op, o.path))?;
        }
    } else {
        out_line(&format!(
            "{verb}write or remove {} overviews (`--json` lists them)",
            report.overviews.len()
        ))?;
    }
    if !report.stale.is_empty() {
        ctx.note(&format!(
            "{} stale entr{} proposed for the archive: `mem review` to accept or decline",
            report.stale.len(),
            if report.stale.len() == 1 { "y" } else { "ies" }
        ));
    }
    ctx.note(&format!(
        "{} entries read, {} pairs compared, {} change(s){} in {:.1} s",
        report.entries,
        report.compared,
        report.changes(),
        if args.dry_run {
            " proposed (dry run)".to_string()
        } else {
            format!(", {} commit(s)", report.commits.len())
        },
        report.seconds
    ));
    if report.cut_short {
        ctx.note("stopped at the --time budget before the whole tree was compared: run `mem dream` again to go on");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::time::parse_duration;

    #[test]
    fn durations_read_seconds_minutes_hours_and_refuse_the_rest() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs_f64());
        assert_eq!(secs("90s"), Ok(90.0));
        assert_eq!(secs("5m"), Ok(300.0));
        assert_eq!(secs("1.5h"), Ok(5400.0));
        assert_eq!(secs("45"), Ok(45.0));
        // A number too big for a duration panicked before (found below).
        for bad in [
            "0",
            "0s",
            "",
            "m",
            "5 days",
            "-3s",
            "1e400",
            "nan",
            "1ms",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        // Any text: a duration or an error, never a panic.
        const PIECES: &[&str] = &[
            "1",
            "9",
            ".",
            "s",
            "m",
            "h",
            "min",
            " ",
            "-",
            "e",
            "é",
            "\u{0}",
            "99999999999999999999",
        ];
        crate::fuzz::drive("dream --time", 23, 20_000, |rng| {
            let s: String = (0..rng.below(6)).map(|_| *rng.pick(PIECES)).collect();
            if let Ok(d) = parse_duration(&s) {
                assert!(d.as_secs_f64() > 0.0, "{s:?}");
            }
        });
    }
}

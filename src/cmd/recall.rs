use crate::error::not_found;
use crate::model::select::Models;
use crate::output::{Ctx, out_line};
use crate::recall::{Query, recall};
use anyhow::Result;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Tiers: 0 cache of recent queries, 1 lexical (BM25), 2 semantic (vectors, fused with 1; \
used when tier 1 is not confident), 3 structure (superseded entries hidden, filters, topic and relations), 4 asked for only (--tier 4): \
a local model (models.reranker) reads the best 10 candidates again and reorders them (about 15 s on 2 CPU cores).\n\n\
A running `mem watch` answers through its socket (.mem/state/watch.sock) when it can; --no-daemon recalls \
in-process. With watch.auto (MEM_AUTO_WATCH=1) a recall that finds none starts one in the background, which \
exits after watch.idle_exit_s (1800) idle seconds.\n\n\
With --json: one object per hit (rank, path, id, title, score, tier, snippet, kind, tags, observed, created, \
source, relations, topic, archived). Exit code 1 when nothing is found.\n\n\
Examples:\n  mem recall \"how do I build llama.cpp\"\n  mem recall cmake --at engineering -k 3 --json\n  mem recall deploy --since 30d --tier 1\n  \
mem recall \"where is the standup\" --as-of 2026-03-01\n  \
mem recall --kind lesson docker build\n  cargo build 2>&1 | mem recall --error -"
)]
pub struct Args {
    /// What to look for, in plain words
    #[arg(required_unless_present = "error")]
    pub query: Vec<String>,
    /// Only entries of this kind (fact, preference, event, decision, procedure, lesson)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Look up lessons for an error message (`-` reads it from stdin, e.g. `cargo build 2>&1 | mem recall
    /// --error -`): its most telling lines are the query, and --kind defaults to lesson
    #[arg(long, value_name = "TEXT")]
    pub error: Option<String>,
    /// Number of hits
    #[arg(short = 'k', long, value_parser = positive)]
    pub k: Option<usize>,
    /// Highest tier to use (0 cache only, 1 lexical, 2 semantic, 3 structure, 4 a model rereads the best
    /// 10 candidates: about 15 s on 2 CPU cores)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=4))]
    pub tier: u8,
    /// Only entries under this prefix (domain or domain/topic)
    #[arg(long, value_name = "PREFIX")]
    pub at: Option<String>,
    /// Only entries observed (else created) on or after DATE (YYYY-MM-DD, RFC 3339, or 7d/2w/3m/1y ago)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only entries observed (else created) on or before DATE
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Include superseded entries (marked as such)
    #[arg(long)]
    pub history: bool,
    /// Answer as of DATE: what was current then (entries superseded later come back, entries that started
    /// later are left out); relative dates in the query resolve against it
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The time of asking: relative dates in the query ("yesterday", "last week") resolve against it
    /// (default: now)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Include archived (forgotten) entries
    #[arg(long)]
    pub archived: bool,
    /// Answer the query as a question, citing the entries (tier 5; the same as `mem ask`)
    #[arg(long, conflicts_with_all = ["format", "tree"])]
    pub answer: bool,
    /// Print timing and tier details on stderr
    #[arg(long)]
    pub explain: bool,
    /// Recall in this process even when a `mem watch` is running
    #[arg(long)]
    pub no_daemon: bool,
    /// Include quarantined entries (instruction-like text from agents or imports, not yet approved), marked
    #[arg(long)]
    pub quarantined: bool,
    /// Output: text (default), json (same as --json), prompt (a context pack for an agent, within --budget),
    /// vimgrep (path:line:col:text for vim's quickfix and emacs' grep mode)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Search these trees (names from [trees] in the config, or folders; `.` is the current one),
    /// merged into one ranking; default: the current tree plus recall.trees
    #[arg(long, value_name = "NAME")]
    pub tree: Vec<String>,
    /// Token budget of --format prompt (estimated: ASCII characters / 4 + other characters)
    #[arg(long, value_name = "TOKENS", default_value_t = 1500, value_parser = clap::value_parser!(u64).range(50..=200_000))]
    pub budget: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Prompt,
    Vimgrep,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    crate::trace::mark("tree found");
    let models = Models::new(&tree.config.models);
    if args.tier >= 2
        && let Some(n) = models.embedder_notice()
    {
        ctx.note(&format!("note: {n}"));
    }
    let scope = args
        .at
        .as_deref()
        .map(|s| s.trim_end_matches('/').to_string());
    if let Some(s) = &scope {
        for seg in s.split('/') {
            if let Some(p) = crate::paths::segment_problem(seg) {
                anyhow::bail!("--at {s}: {p}");
            }
        }
    }
    let mut text = args.query.join(" ");
    let mut kind = args.kind.clone();
    if let Some(k) = &kind
        && !crate::entry::KINDS.contains(&k.as_str())
    {
        anyhow::bail!(
            "--kind {k} is not one of {}",
            crate::entry::KINDS.join(", ")
        );
    }
    // The query made of an error's telling lines: a hit must name what it
    // is about.
    let mut error_query: Option<(String, Vec<String>)> = None;
    if let Some(e) = &args.error {
        let raw = if e == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(
                &mut std::io::Read::take(std::io::stdin(), 1 << 20),
                &mut s,
            )?;
            s
        } else {
            e.clone()
        };
        let q = crate::learn::error_query(&raw);
        if q.trim().is_empty() {
            anyhow::bail!("--error: the error text is empty");
        }
        error_query = Some((q.clone(), crate::learn::error_terms(&raw)));
        text = format!("{q} {text}").trim().to_string();
        kind.get_or_insert_with(|| "lesson".into());
    }
    if text.trim().is_empty() {
        anyhow::bail!("the query is empty: give the words to look for");
    }
    let q = crate::eval::knobs::with_recall_knobs(Query {
        text,
        k: args.k.unwrap_or(tree.config.recall.k).max(1),
        max_tier: args.tier,
        scope,
        since: crate::time::opt_secs(args.since.as_deref(), crate::time::parse_bound)?,
        until: crate::time::opt_secs(args.until.as_deref(), crate::time::parse_until)?,
        history: args.history,
        archived: args.archived,
        // A context pack never holds quarantined entries.
        quarantined: args.quarantined && args.format != Format::Prompt,
        kind,
        now: crate::time::opt_secs(args.now.as_deref(), crate::time::parse)?,
        as_of: crate::time::opt_secs(args.as_of.as_deref(), crate::time::parse_until)?,
        ..Default::default()
    });
    if let (Some(a), Some(b)) = (q.since, q.until)
        && a > b
    {
        anyhow::bail!("--since is later than --until: no entry can match");
    }
    if args.answer {
        let opts = crate::answer::Options {
            now: q.now.or(q.as_of),
            ..Default::default()
        };
        let k = args.k.unwrap_or(6);
        let base = Query { k, ..q.clone() };
        return crate::cmd::ask::respond(
            ctx,
            &tree,
            &models,
            &q.text,
            &base,
            &opts,
            false,
            args.explain,
        );
    }
    // A running `mem watch` answers without opening the index or loading a
    // model; anything wrong with it (no socket, stale socket, other
    // embedder, timeout) falls back to recalling here.
    let mut why = None;
    // Tier 4 runs its model here: a daemon's answer could not wait for it.
    let daemon = if args.no_daemon || args.tier >= 4 {
        None
    } else {
        crate::watch::query_daemon(&tree, models.embedder_id(), &q, &mut why)
    };
    if let (Some(w), true) = (&why, args.explain) {
        eprintln!("note: mem watch did not answer ({w}); recalling in-process");
    }
    // None runs (no socket, or nobody listening): with watch.auto, start one
    // for the recalls to come; this one goes on in-process.
    if daemon.is_none() && why.is_none() && !args.no_daemon && tree.config.watch.auto {
        match crate::watch::spawn_background(&tree, tree.config.watch.idle_exit_s) {
            Ok(()) if args.explain => {
                eprintln!("note: started mem watch in the background (watch.auto)")
            }
            Ok(()) => {}
            Err(e) => eprintln!("warning: could not start mem watch (watch.auto): {e}"),
        }
    }
    crate::trace::mark("daemon asked");
    if args.tier >= 4 && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        // Seconds of silence otherwise.
        ctx.note(&format!(
            "tier 4: a local model reads the best {} hits again (about 15 s on 2 CPU cores)…",
            q.tuning.rerank_n
        ));
    }
    // Other trees: each recalled as it is, the rankings merged.
    let names: Vec<String> = if args.tree.is_empty() {
        tree.config.recall.trees.clone()
    } else {
        args.tree.clone()
    };
    let mut others: Vec<(String, crate::tree::Tree)> = Vec::new();
    let include_here = args.tree.is_empty() || args.tree.iter().any(|t| t == ".");
    for n in names.iter().filter(|n| n.as_str() != ".") {
        others.push((n.clone(), ctx.named_tree(n)?));
    }
    let (hits, stats) = if others.is_empty() {
        match daemon {
            Some(r) => r,
            None => recall(&tree, &models, &q)?,
        }
    } else {
        let mut per_tree = Vec::new();
        let mut stats = crate::recall::Stats::default();
        if include_here {
            let (h, s) = match daemon {
                Some(r) => r,
                None => recall(&tree, &models, &q)?,
            };
            stats = s;
            per_tree.push((".".to_string(), h));
        }
        for (n, t) in &others {
            let m = Models::new(&t.config.models);
            let (h, _) = crate::watch::recall_any(t, &m, &q, args.no_daemon)?;
            m.leave_for_exit();
            per_tree.push((n.clone(), h));
        }
        (crate::recall::merge_trees(per_tree, q.k), stats)
    };
    let tree_of = |h: &crate::recall::Hit| -> &crate::tree::Tree {
        match h.tree.as_deref() {
            Some(n) if n != "." => others
                .iter()
                .find(|(m, _)| m == n)
                .map(|(_, t)| t)
                .unwrap_or(&tree),
            _ => &tree,
        }
    };
    models.leave_for_exit();
    if stats.broken > 0 {
        ctx.note(&format!(
            "note: {} changed file(s) in the tree are not valid entries and were not indexed; `mem doctor` says why",
            stats.broken
        ));
    }
    if let Some(why) = &stats.rerank_note {
        ctx.note(&format!("note: {why}"));
    }
    if args.explain {
        eprintln!("{}", serde_json::to_string(&stats)?);
    }
    let hits = match &error_query {
        // A lesson that shares only "error: … failed" with this error is
        // about another one.
        Some((eq, terms)) => {
            let kept = crate::learn::hits_about_error(terms, hits, |h| {
                std::fs::read_to_string(tree_of(h).abs(&format!("{}.md", h.path)))
                    .unwrap_or_default()
            });
            if kept.is_empty() {
                return Err(not_found(if terms.is_empty() {
                    format!(
                        "this error says nothing of its own (\"{eq}\": only words every error has); give the line that names the tool, package or message"
                    )
                } else {
                    format!("no lesson names what this error is about (\"{eq}\")")
                }));
            }
            kept
        }
        None => hits,
    };
    if hits.is_empty() {
        return Err(not_found(format!("nothing found for \"{}\"", q.text)));
    }
    // Usage signals (derived state, no commit): the hits shown from this tree.
    let here: Vec<&str> = hits
        .iter()
        .filter(|h| h.tree.as_deref().is_none_or(|t| t == "."))
        .map(|h| h.id.as_str())
        .collect();
    if args.explain {
        let s = crate::signals::Signals::load(&tree);
        let now = crate::time::now().as_second();
        for h in hits
            .iter()
            .filter(|h| h.tree.as_deref().is_none_or(|t| t == "."))
        {
            let file = tree.abs(&format!("{}.md", h.path));
            if let Some(e) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| crate::entry::Entry::parse(&t).ok())
            {
                eprintln!(
                    "signals {}: {}",
                    h.path,
                    crate::signals::describe(&e, &s, now)
                );
            }
        }
    }
    crate::signals::record(&tree, &here);
    match args.format {
        Format::Prompt => {
            let items: Vec<(&crate::tree::Tree, &crate::recall::Hit)> =
                hits.iter().map(|h| (tree_of(h), h)).collect();
            let pack = crate::context::pack_hits_in(&items, &q.text, args.budget as usize);
            if pack.entries.is_empty() {
                return Err(not_found(format!(
                    "nothing fits a context pack of {} tokens for \"{}\"",
                    args.budget, q.text
                )));
            }
            if ctx.json {
                ctx.json_line(&pack)?;
            } else {
                for l in pack.markdown.lines() {
                    out_line(l)?;
                }
            }
            return Ok(());
        }
        Format::Vimgrep => {
            for h in &hits {
                let file = tree_of(h).abs(&format!("{}.md", h.path));
                if let Some(l) = crate::context::vimgrep_line(&file, &q.text) {
                    out_line(&l)?;
                }
            }
            return Ok(());
        }
        Format::Text | Format::Json => {}
    }
    let json = ctx.json || args.format == Format::Json;
    for h in &hits {
        if json {
            ctx.json_line(h)?;
        } else {
            let mark = if h.quarantined {
                " [quarantined]"
            } else if h.superseded {
                " [superseded]"
            } else if h.archived {
                " [archived]"
            } else if h.review {
                " [review]"
            } else {
                ""
            };
            let shown = match h.tree.as_deref() {
                Some(t) if t != "." => format!("{t}:{}", h.path),
                _ => h.path.clone(),
            };
            out_line(&format!(
                "{:>2}. {}  {}{}",
                h.rank,
                ctx.bold(&shown),
                h.title,
                mark
            ))?;
            if !h.snippet.is_empty() && h.snippet != h.title {
                out_line(&format!("    {}", ctx.dim(&h.snippet)))?;
            }
            if let Some(r) = &h.replaces {
                out_line(&format!(
                    "    {}",
                    ctx.dim(&format!("replaces {r}, which matched the query"))
                ))?;
            }
            if let Some(n) = &h.newer {
                out_line(&format!(
                    "    {}",
                    ctx.dim(&format!("maybe outdated: {n} says otherwise, later"))
                ))?;
            }
        }
    }
    Ok(())
}

/// Most hits one recall returns (each tier fetches 5× as many candidates).
const MAX_K: usize = 10_000;

/// A count from 1 to [`MAX_K`].
fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_K).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_K}")),
        Err(e) => Err(e.to_string()),
    }
}

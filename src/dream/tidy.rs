//! The second half of a dream pass, after the supersedes and duplicates:
//! the lifecycle rules ([`crate::lifecycle`]) and the overviews
//! ([`crate::overview`]). Maturity changes are one commit, overviews
//! another; archive proposals go to `.mem/state/` and wait in `mem review`.

use crate::entry::Entry;
use crate::lifecycle::{Queue, StaleProposal};
use crate::model::Generator;
use crate::overview::Item;
use crate::paths::{ARCHIVE_DIR, EntryPath, OVERVIEW_FILE};
use crate::signals::Signals;
use crate::tree::Tree;
use crate::write::{Changeset, Writer};
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// A maturity the rules changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MaturityChange {
    pub path: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// An overview written or removed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverviewChange {
    /// The file, relative to the tree root.
    pub path: String,
    /// `write` or `remove` (its topic has too few entries now).
    pub op: &'static str,
}

/// What the second half found (and did unless a dry run).
#[derive(Debug, Default, Serialize)]
pub struct Tidy {
    pub maturity: Vec<MaturityChange>,
    pub overviews: Vec<OverviewChange>,
    /// The archive proposals waiting in `mem review` after the pass.
    pub stale: Vec<StaleProposal>,
    #[serde(skip)]
    pub commits: Vec<String>,
}

struct Read {
    path: EntryPath,
    text: String,
    entry: Entry,
}

/// Reads the tree as it is now and applies the lifecycle rules and the
/// overviews; `max` caps the maturity changes (0: no limit). Entries in
/// `touched` (changed by this pass's merges) keep their maturity until the
/// next pass, so each commit of a pass changes files of its own and can be
/// undone alone.
pub fn run(
    tree: &Tree,
    max: usize,
    dry_run: bool,
    touched: &HashSet<String>,
    summarizer: Option<&dyn Generator>,
    deadline: Option<std::time::Instant>,
) -> Result<Tidy> {
    let now = crate::time::now().as_second();
    let (files, _) = tree.scan(false);
    let mut all: Vec<Read> = Vec::with_capacity(files.len());
    for f in files {
        let rel = f.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        let Ok(entry) = Entry::parse_at(&text, &rel, crate::fsutil::mtime_secs(&tree.abs(&rel)))
        else {
            continue;
        };
        all.push(Read {
            path: f.path,
            text,
            entry,
        });
    }
    // Who is superseded, and who is related `contradicts` to a live entry
    // (neither side quarantined nor superseded: an untrusted or outdated
    // entry lowers nothing).
    // The names (path, id) each relation of a kind points at.
    let targets = |r: &Read, kind: &str| -> Vec<Vec<String>> {
        r.entry
            .meta
            .relations
            .iter()
            .filter(|x| x.rel == kind)
            .map(|x| {
                [Some(x.to.clone()), x.id.clone()]
                    .into_iter()
                    .flatten()
                    .collect()
            })
            .collect()
    };
    let superseded: HashSet<String> = all
        .iter()
        .flat_map(|r| targets(r, "supersedes"))
        .flatten()
        .collect();
    let named = |set: &HashSet<String>, r: &Read| {
        set.contains(&r.path.to_string())
            || (!r.entry.meta.id.is_empty() && set.contains(&r.entry.meta.id))
    };
    let counts = |r: &Read| !named(&superseded, r) && !crate::quarantine::is_quarantined(&r.entry);
    let live: HashSet<String> = all
        .iter()
        .filter(|r| counts(r))
        .flat_map(|r| [r.path.to_string(), r.entry.meta.id.clone()])
        .filter(|s| !s.is_empty())
        .collect();
    let mut contradicted: HashSet<String> = HashSet::new();
    for r in all.iter().filter(|r| counts(r)) {
        for names in targets(r, "contradicts") {
            if names.iter().any(|n| live.contains(n)) {
                contradicted.extend(names);
                contradicted.insert(r.path.to_string());
            }
        }
    }
    let signals = Signals::load(tree);
    let mut out = Tidy::default();
    let mut maturity_cs = Changeset::default();
    let mut stale = Vec::new();
    let mut items: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for r in &all {
        let e = &r.entry;
        let waiting = crate::quarantine::is_quarantined(e)
            || crate::quarantine::in_review(e)
            || crate::quarantine::is_pending(e);
        let gone = named(&superseded, r);
        let is_contradicted = named(&contradicted, r);
        if (!waiting || is_contradicted)
            && !gone
            && !touched.contains(&r.path.to_string())
            && (max == 0 || out.maturity.len() < max)
            && let Some((to, reason)) =
                crate::lifecycle::maturity_change(e, &signals, is_contradicted)
        {
            let mut changed = e.clone();
            changed.set("maturity", serde_yaml::Value::String(to.clone()))?;
            // A contradiction keeps the level it lowers; any other change
            // ends what was held.
            if to == "draft" {
                changed.set(
                    crate::lifecycle::HELD_KEY,
                    serde_yaml::Value::String(e.meta.maturity.clone()),
                )?;
            } else if crate::lifecycle::held(e).is_some() {
                changed.remove(crate::lifecycle::HELD_KEY)?;
            }
            maturity_cs.replace(r.path.rel_file(), r.text.clone(), changed.render());
            out.maturity.push(MaturityChange {
                path: r.path.to_string(),
                from: e.meta.maturity.clone(),
                to,
                reason,
            });
        }
        let access = signals.get(&e.meta.id);
        if let Some(reason) = crate::lifecycle::stale_reason(e, access, gone, now) {
            let imp = crate::signals::importance(e, access);
            stale.push(StaleProposal {
                path: r.path.to_string(),
                id: e.meta.id.clone(),
                reason,
                recency: crate::signals::recency(e, access, imp, now),
            });
        }
        let ended = e
            .meta
            .valid_to
            .as_deref()
            .and_then(crate::time::secs)
            .is_some_and(|t| t <= now);
        if !waiting && !gone && !ended {
            let start = e.start().unwrap_or_default();
            items
                .entry(crate::overview::topic_of(&r.path))
                .or_default()
                .push(Item {
                    path: r.path.clone(),
                    statement: e.statement().to_string(),
                    kind: e.meta.kind.clone(),
                    date: crate::time::format_secs(start)
                        .get(..10)
                        .unwrap_or_default()
                        .to_string(),
                    // Without accesses: an overview changes when its
                    // entries do, not with every recall.
                    importance: crate::signals::importance(e, None),
                    start,
                });
        }
    }
    for its in items.values_mut() {
        crate::overview::order(its);
    }
    // Overviews: the files wanted against those on disk.
    let wanted = crate::overview::wanted(&items);
    let mut overview_cs = Changeset::default();
    let mine = |text: &Option<String>| {
        text.as_deref()
            .is_none_or(|t| crate::overview::key_of(t).is_some())
    };
    for (rel, text) in &wanted {
        if max > 0 && out.overviews.len() >= max {
            break;
        }
        let now_text = std::fs::read_to_string(tree.abs(rel)).ok();
        // A file of that name that dream did not write (no key) is left
        // as it is.
        if !mine(&now_text) {
            continue;
        }
        // The same key, the same entries listed: kept as it is (with the
        // summary an earlier pass wrote, if any).
        let same =
            now_text.as_deref().and_then(crate::overview::key_of) == crate::overview::key_of(text);
        if !same {
            let topic = rel.trim_end_matches(&format!("/{OVERVIEW_FILE}"));
            let text = match (summarizer, items.get(topic)) {
                (Some(g), Some(its))
                    if !dry_run && deadline.is_none_or(|d| std::time::Instant::now() < d) =>
                {
                    crate::overview::topic_text(topic, its, &summarize(tree, topic, its, g))
                }
                _ => text.clone(),
            };
            overview_cs.put(rel.clone(), text);
            out.overviews.push(OverviewChange {
                path: rel.clone(),
                op: "write",
            });
        }
    }
    for rel in existing_overviews(tree) {
        if max > 0 && out.overviews.len() >= max {
            break;
        }
        if !wanted.contains_key(&rel) {
            overview_cs.remove(rel.clone());
            out.overviews.push(OverviewChange {
                path: rel,
                op: "remove",
            });
        }
    }
    let mut queue = Queue::load(tree);
    queue.set(stale);
    out.stale = queue.archive.clone();
    if dry_run {
        return Ok(out);
    }
    queue.save(tree)?;
    if maturity_cs.is_empty() && overview_cs.is_empty() {
        return Ok(out);
    }
    let mut writer = Writer::lock(tree)?;
    if !maturity_cs.is_empty() {
        maturity_cs.message = format!(
            "mem: dream: maturity of {} entr{}\n\n{}",
            out.maturity.len(),
            if out.maturity.len() == 1 { "y" } else { "ies" },
            out.maturity
                .iter()
                .map(|m| format!("{}: {} -> {} ({})", m.path, m.from, m.to, m.reason))
                .collect::<Vec<_>>()
                .join("\n")
        );
        if let Some(c) = writer.apply(maturity_cs)? {
            out.commits.push(c.to_string());
        }
    }
    if !overview_cs.is_empty() {
        overview_cs.message = format!(
            "mem: dream: {} overview(s)\n\n{}",
            out.overviews.len(),
            out.overviews
                .iter()
                .map(|o| format!("{} {}", o.op, o.path))
                .collect::<Vec<_>>()
                .join("\n")
        );
        if let Some(c) = writer.apply(overview_cs)? {
            out.commits.push(c.to_string());
        }
    }
    Ok(out)
}

/// Entries a summary is asked about, at most.
const SUMMARISED: usize = 8;

/// A topic's summary by the generator, each sentence checked against the
/// entries it cites ([`crate::answer::answer_pack`]: the check tier 5's
/// answers pass); none when nothing passes or the model fails.
fn summarize(
    tree: &Tree,
    topic: &str,
    items: &[Item],
    g: &dyn Generator,
) -> Vec<crate::overview::Summary> {
    let paths: Vec<String> = items
        .iter()
        .take(SUMMARISED)
        .map(|i| i.path.to_string())
        .collect();
    let words = topic.replace(['/', '-'], " ");
    let question = format!("Summarise what the notes say about {words} in two sentences.");
    let pack = crate::context::pack_paths(tree, &question, &paths, 600);
    let opts = crate::answer::Options {
        budget: 600,
        max_tokens: 120,
        now: None,
    };
    let Ok(a) = crate::answer::answer_pack(&question, &pack, Some(g), &opts, &mut |_| {}) else {
        return Vec::new();
    };
    // A sentence that only repeats one entry adds nothing to the list
    // below it, and the prompt's own date is not a summary.
    let plain = |t: &str| {
        t.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches('.')
            .to_string()
    };
    let statements: Vec<String> = items.iter().map(|i| plain(&i.statement)).collect();
    a.sentences
        .iter()
        .filter(|s| {
            let p = plain(&s.text);
            !p.starts_with("today is")
                && p.split_whitespace().count() >= 4
                && !statements.iter().any(|st| st.contains(&p))
        })
        .map(|s| crate::overview::Summary {
            text: s.text.clone(),
            cites: s
                .citations
                .iter()
                .filter_map(|n| pack.entries.iter().find(|p| p.n == *n))
                .filter_map(|p| EntryPath::parse(&p.path).ok())
                .collect(),
        })
        .collect()
}

/// The overview files dream wrote that are on disk (`domain/_overview.md`,
/// `domain/topic/_overview.md` ending with their key), the archive left
/// out; a file of that name written by someone else is never listed.
fn existing_overviews(tree: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    let dirs = |p: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|d| d.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|d| d.file_name().to_str().map(str::to_string))
            .filter(|n| !n.starts_with('.') && !n.starts_with('_') && n != ARCHIVE_DIR)
            .collect();
        v.sort();
        v
    };
    let keyed = |rel: &str| {
        std::fs::read_to_string(tree.abs(rel)).is_ok_and(|t| crate::overview::key_of(&t).is_some())
    };
    for d in dirs(&tree.root) {
        let rel = format!("{d}/{OVERVIEW_FILE}");
        if keyed(&rel) {
            out.push(rel);
        }
        for t in dirs(&tree.root.join(&d)) {
            let rel = format!("{d}/{t}/{OVERVIEW_FILE}");
            if keyed(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

//! `mem dream`: offline consolidation. It reads the live entries, finds
//! what curation missed when they were written, and applies it, one commit
//! per kind of action (each can be taken back with `mem undo` or git):
//!
//! - **supersede**: curation's rules see a clear change between two
//!   entries, or they state the same attribute of the same named subject
//!   with different values ([`crate::text::same_attribute_changed`]), and
//!   they read alike (cosine) or share the attribute's word. The newer one
//!   (by start time) supersedes the older, with the `valid_from` /
//!   `valid_to` a curated supersede writes. Each entry is superseded by the
//!   next newer look-alike only, so a chain stays a chain.
//! - **duplicate**: curation's rules find the newer entry says nothing the
//!   older does not (a clear noop). The older one is kept, with a
//!   `merged-from` relation to the newer one, which is archived
//!   (restorable, its text and evidence kept in git).
//!
//! Only facts meet: statements of one sentence ([`MAX_WORDS`] at most).
//! Events (conversation turns, things that happened) are never touched, nor
//! entries that are superseded already, quarantined or held for review
//! (those are `mem review`'s). A person's own entries are changed like any
//! other: dream runs when the person asks for it, shows the changes with
//! `--dry-run`, and each kind of change is one commit to take back.
//! Entries meet the others holding one of their names (the subject, else
//! the first content word, and every other name), at most [`GROUP_LIMIT`]
//! per name, so a pass costs about one statement analysis per entry plus
//! the pairs within each name (`mem eval dream`: under a second on 10,000
//! entries).
//!
//! Then, on the tree as the merges left it ([`tidy`]): maturity by the
//! lifecycle rules ([`crate::lifecycle`], one commit), the overviews
//! (`_overview.md` per topic and domain, [`crate::overview`], one commit),
//! and archive proposals for stale entries, which wait in `mem review`.

use crate::entry::{Entry, Relation};
use crate::text::Analysis;
use crate::tree::Tree;
use crate::write::{Changeset, Writer};
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

pub mod tidy;

/// Entries of one subject compared pairwise, at most (the newest kept).
pub const GROUP_LIMIT: usize = 200;

/// Cosine two statements need (when the tree has an embedder) before one
/// supersedes the other.
pub const SUPERSEDE_COSINE: f32 = 0.70;

/// Whether the two statements share a word of their own beyond the
/// subject (the named one, else the words both open with): the word of the
/// attribute ("editor", "works"), synonyms folded, or one its verbs imply
/// toward a name ("relocated to Porto" / "works from Lisbon"; "moved to
/// room 4" implies nothing, so it is not "based in Oslo").
fn same_attribute_word(a: &Analysis, b: &Analysis) -> bool {
    let subject = crate::text::subject_words(a, b);
    let prefix = if a.subject.is_some() {
        0
    } else {
        a.words
            .iter()
            .zip(&b.words)
            .take_while(|(x, y)| x.stem == y.stem)
            .count()
    };
    let own = |x: &Analysis, skip: usize| -> std::collections::BTreeSet<String> {
        // The kind right after a name is part of it ("the checkout-cache
        // *service*").
        let kind = x.subject_kind();
        x.words
            .iter()
            .skip(skip)
            .filter(|w| Some(w.stem.as_str()) != kind)
            .filter(|w| !w.stop && !w.value && !w.stem.is_empty())
            .filter(|w| !subject.contains(w.stem.as_str()))
            .filter(|w| {
                !crate::text::is_frame_word(&w.stem) && !Analysis::is_marker(&w.raw.to_lowercase())
            })
            .map(|w| w.stem.clone())
            .collect()
    };
    // Attributes named in other words count too ("relocated to Porto" /
    // "works from Lisbon": where someone is based; "was migrated to Redis"
    // / "stores its data in MongoDB": the database).
    let (oa, ob) = (own(a, prefix), own(b, prefix));
    if oa.intersection(&ob).next().is_some() {
        return true;
    }
    let (xa, xb) = (a.attributes(), b.attributes());
    xa.keys().any(|k| xb.contains_key(k))
}

/// The names a statement holds beyond its subject: runs of capitalised
/// words without digits, as stems ("sofia lindqvist").
fn names(a: &Analysis) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut run: Vec<&str> = Vec::new();
    let mut last = None;
    for w in &a.words {
        let name = w.value && !w.raw.chars().any(|c| c.is_ascii_digit());
        if name && last.is_some_and(|p: usize| p + 1 == w.pos) {
            run.push(&w.stem);
        } else {
            if !run.is_empty() {
                out.insert(run.join(" "));
            }
            run = if name { vec![&w.stem] } else { Vec::new() };
        }
        last = name.then_some(w.pos);
    }
    if !run.is_empty() {
        out.insert(run.join(" "));
    }
    out
}

/// Longest statement compared, in words: dream links facts, and a longer
/// text (a note, a conversation turn) holds several.
pub const MAX_WORDS: usize = 40;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Proposal {
    /// `supersede`, `duplicate`, or `hold` (a supersede of a person's
    /// entry by an agent's, which waits in `mem review` instead).
    pub kind: &'static str,
    /// The entry that stays current: the newer one of a supersede, the
    /// older one of a duplicate.
    pub keep: String,
    /// The superseded entry, or the duplicate that is archived.
    pub other: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub entries: usize,
    pub compared: usize,
    pub proposals: Vec<Proposal>,
    /// Maturity changed by the lifecycle rules.
    pub maturity: Vec<tidy::MaturityChange>,
    /// Overviews written or removed.
    pub overviews: Vec<tidy::OverviewChange>,
    /// Archive proposals waiting in `mem review` after the pass.
    pub stale: Vec<crate::lifecycle::StaleProposal>,
    /// The commits made (none for a dry run).
    pub commits: Vec<String>,
    pub seconds: f64,
    /// `--time` ran out before the whole tree was read and compared: run
    /// again to go on.
    pub cut_short: bool,
}

struct Live {
    path: String,
    entry: Entry,
    start: i64,
    analysis: Analysis,
}

impl Report {
    /// Every change of the pass: merges, maturity, overviews.
    pub fn changes(&self) -> usize {
        self.proposals.len() + self.maturity.len() + self.overviews.len()
    }
}

/// The proposals for the tree as it is, at most `max` (0: no limit).
pub fn plan(tree: &Tree, max: usize) -> Result<(Vec<Proposal>, usize, usize)> {
    let p = plan_within(
        tree,
        &Budget {
            max,
            ..Default::default()
        },
    )?;
    Ok((p.proposals, p.entries, p.compared))
}

/// What a pass may spend.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// At most this many proposals (0: no limit).
    pub max: usize,
    /// Stop reading and comparing after this long; what was found so far
    /// is the plan, and the next pass goes on (what was applied is no
    /// longer live, so it is not compared again).
    pub time: Option<std::time::Duration>,
    /// A progress bar on a terminal's stderr.
    pub progress: bool,
    /// Overviews that are rewritten open with a summary by the answer
    /// model (`mem dream --summaries`), each sentence checked.
    pub summaries: bool,
}

/// A pass's proposals and what it read.
#[derive(Debug, Default)]
pub struct Plan {
    pub proposals: Vec<Proposal>,
    pub entries: usize,
    pub compared: usize,
    /// The time budget ran out before every entry was read and compared.
    pub cut_short: bool,
}

/// One pass: the plan within `budget`, applied unless `dry_run` (one
/// commit per kind of change).
pub fn pass(tree: &Tree, budget: &Budget, dry_run: bool) -> Result<Report> {
    let t = std::time::Instant::now();
    let plan = plan_within(tree, budget)?;
    let mut commits = if dry_run || plan.proposals.is_empty() {
        Vec::new()
    } else {
        apply(tree, &plan.proposals)?
    };
    // The lifecycle and the overviews, on what the merges left, when the
    // time budget has not run out.
    let out_of_time = plan.cut_short || budget.time.is_some_and(|b| t.elapsed() >= b);
    let tidied = if out_of_time {
        tidy::Tidy::default()
    } else {
        let touched: HashSet<String> = if dry_run {
            HashSet::new()
        } else {
            plan.proposals
                .iter()
                .flat_map(|p| [p.keep.clone(), p.other.clone()])
                .collect()
        };
        let answerer = if budget.summaries && !dry_run {
            let a = crate::model::select::Models::new(&tree.config.models).answerer()?;
            if a.model.is_none() {
                eprintln!(
                    "no answer model: overviews without summaries ({})",
                    a.notice.as_deref().unwrap_or("models.answerer = none")
                );
            }
            a.model
        } else {
            None
        };
        tidy::run(
            tree,
            budget.max,
            dry_run,
            &touched,
            answerer.as_deref(),
            budget.time.map(|b| t + b),
        )?
    };
    commits.extend(tidied.commits.iter().cloned());
    Ok(Report {
        entries: plan.entries,
        compared: plan.compared,
        proposals: plan.proposals,
        maturity: tidied.maturity,
        overviews: tidied.overviews,
        stale: tidied.stale,
        commits,
        seconds: t.elapsed().as_secs_f64(),
        cut_short: out_of_time,
    })
}

/// [`plan`] within a [`Budget`].
pub fn plan_within(tree: &Tree, budget: &Budget) -> Result<Plan> {
    let max = budget.max;
    let t0 = std::time::Instant::now();
    let out_of_time = || budget.time.is_some_and(|t| t0.elapsed() >= t);
    let models = crate::model::select::Models::new(&tree.config.models);
    let (idx, _) = crate::index::open(tree, &models, budget.progress, false)?;
    let (files, _) = tree.scan(false);
    let bar = crate::index::progress_bar(budget.progress, files.len() as u64);
    if let Some(b) = &bar {
        b.set_message("reading");
    }
    let mut cut_short = false;
    let mut lives: Vec<Live> = Vec::new();
    // Entries by the names they hold: the subject (else the first content
    // word: "The auth-api service …" meets "Auth-api …") and every other
    // name ("Project Cougar is led by Sofia Lindqvist" meets "Sofia
    // Lindqvist leads project Cougar").
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut n = 0;
    for f in files {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if out_of_time() {
            cut_short = true;
            break;
        }
        let Ok(entry) = tree.read(&f) else { continue };
        n += 1;
        let path = f.path.to_string();
        if entry.meta.kind == "event"
            || crate::quarantine::is_quarantined(&entry)
            || crate::quarantine::in_review(&entry)
            || idx.text.is_superseded(&path, &entry.meta.id)?
        {
            continue;
        }
        // Facts are compared, not notes: a statement of one sentence.
        let statement = entry.statement();
        if statement.split_whitespace().count() > MAX_WORDS
            || crate::curate::distill::sentences(statement).len() > 1
        {
            continue;
        }
        let analysis = Analysis::new(statement);
        let Some(subject) = analysis.subject.clone().or_else(|| {
            analysis
                .words
                .iter()
                .find(|w| !w.stop && !w.stem.is_empty())
                .map(|w| w.stem.clone())
        }) else {
            continue;
        };
        let mut keys = names(&analysis);
        keys.insert(subject);
        let start = entry.start().unwrap_or(i64::MIN);
        for k in keys {
            groups.entry(k).or_default().push(lives.len());
        }
        lives.push(Live {
            path,
            entry,
            start,
            analysis,
        });
    }
    // Statement vectors (from the embedding cache curation filled, or
    // made now) for the entries that have someone to be compared with.
    let mut vectors: HashMap<usize, Vec<f32>> = HashMap::new();
    if let Ok(Some(emb)) = models.embedder() {
        let mut wanted: Vec<usize> = groups
            .values()
            .filter(|g| g.len() > 1)
            .flatten()
            .copied()
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let texts: Vec<String> = wanted
            .iter()
            .map(|&i| lives[i].entry.statement().to_string())
            .collect();
        if let Ok(vs) = crate::index::embcache::embed_cached(emb, &texts, None) {
            vectors.extend(wanted.into_iter().zip(vs));
        }
    }
    let cosine = |a: usize, b: usize| match (vectors.get(&a), vectors.get(&b)) {
        (Some(x), Some(y)) => Some(crate::model::cosine(x, y)),
        _ => None,
    };
    let mut out = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut compared = 0;
    if let Some(b) = &bar {
        b.set_length(groups.len() as u64);
        b.set_position(0);
        b.set_message("comparing");
    }
    let done = |out: Vec<Proposal>, compared: usize, cut_short: bool| {
        if let Some(b) = &bar {
            b.finish_and_clear();
        }
        Ok(Plan {
            proposals: out,
            entries: n,
            compared,
            cut_short,
        })
    };
    for (_, mut g) in groups {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if out_of_time() {
            return done(out, compared, true);
        }
        g.sort_by(|&a, &b| {
            lives[a]
                .start
                .cmp(&lives[b].start)
                .then_with(|| lives[a].path.cmp(&lives[b].path))
        });
        if g.len() > GROUP_LIMIT {
            g.drain(..g.len() - GROUP_LIMIT);
        }
        for i in 0..g.len() {
            if used.contains(&g[i]) {
                continue;
            }
            for j in i + 1..g.len() {
                let (oi, ni) = (g[i], g[j]);
                if used.contains(&ni)
                    || lives[ni].start <= lives[oi].start
                    || !seen.insert((oi, ni))
                {
                    continue;
                }
                let (old, new) = (&lives[oi], &lives[ni]);
                // A pair a person kept apart (`mem restore --unsupersede`,
                // or any `related` link between them) is theirs to judge.
                if crate::entry::kept_apart(&old.entry, &old.path, &new.entry, &new.path) {
                    continue;
                }
                compared += 1;
                let cos = cosine(ni, oi);
                let v = crate::curate::decide::judge_with(
                    new.entry.statement(),
                    &new.analysis,
                    old.entry.statement(),
                    &old.analysis,
                    cos,
                );
                // A supersede hides the older entry: the two must also read
                // alike (with vectors) or share the attribute's word
                // (another attribute of the same subject does neither).
                let alike = || {
                    cos.is_some_and(|c| c >= SUPERSEDE_COSINE)
                        || same_attribute_word(&new.analysis, &old.analysis)
                };
                let proposal = if v.clear && v.op == crate::curate::decide::Op::Noop {
                    Some(Proposal {
                        kind: "duplicate",
                        keep: old.path.clone(),
                        other: new.path.clone(),
                        reason: v.reason,
                    })
                } else if ((v.clear && v.op == crate::curate::decide::Op::Supersede)
                    || crate::text::same_attribute_changed(&new.analysis, &old.analysis))
                    && alike()
                {
                    // An agent's (or another tool's) entry does not replace
                    // what a person wrote: it is held for review beside it,
                    // as curation holds such a write.
                    Some(Proposal {
                        kind: if overrides_person(&new.entry, &old.entry) {
                            "hold"
                        } else {
                            "supersede"
                        },
                        keep: new.path.clone(),
                        other: old.path.clone(),
                        reason: if v.op == crate::curate::decide::Op::Supersede {
                            v.reason
                        } else {
                            "the same attribute of the same subject, a later value".into()
                        },
                    })
                } else {
                    None
                };
                if let Some(p) = proposal {
                    used.insert(oi);
                    if p.kind == "duplicate" {
                        used.insert(ni);
                    }
                    out.push(p);
                    break;
                }
            }
            if max > 0 && out.len() >= max {
                return done(out, compared, cut_short);
            }
        }
    }
    done(out, compared, cut_short)
}

/// The dates of a supersede: `keep` is valid from its start (unless it
/// says otherwise), `old` until then.
pub fn set_validity(keep: &mut Entry, old: &mut Entry) -> Result<()> {
    let from = crate::time::format_secs(keep.start().unwrap_or_default());
    if keep.meta.valid_from.is_none() {
        keep.set("valid_from", serde_yaml::Value::String(from.clone()))?;
    }
    old.set("valid_to", serde_yaml::Value::String(from))
}

/// Whether `new` was written by an agent or another tool and `old` by a
/// person: then `new` may not supersede `old` unreviewed. An entry a
/// person approved (`mem review --approve`) is a person's word: it is
/// never held again.
fn overrides_person(new: &Entry, old: &Entry) -> bool {
    crate::ops::trust_of(&new.meta.source) != "user"
        && !crate::quarantine::is_approved(new)
        && crate::ops::trust_of(&old.meta.source) == "user"
}

/// Applies `proposals`: one commit for the supersedes, one for the
/// duplicates, one for the held supersedes. Returns the commits made.
pub fn apply(tree: &Tree, proposals: &[Proposal]) -> Result<Vec<String>> {
    let mut writer = Writer::lock(tree)?;
    let mut commits = Vec::new();
    for kind in ["supersede", "duplicate", "hold"] {
        let these: Vec<&Proposal> = proposals.iter().filter(|p| p.kind == kind).collect();
        if these.is_empty() {
            continue;
        }
        let mut files: BTreeMap<String, Entry> = BTreeMap::new();
        let mut cs = Changeset::default();
        fn load(tree: &Tree, files: &mut BTreeMap<String, Entry>, p: &str) -> Result<Entry> {
            let rel = format!("{p}.md");
            if let Some(e) = files.remove(&rel) {
                return Ok(e);
            }
            let text = std::fs::read_to_string(tree.abs(&rel))?;
            Entry::parse(&text).map_err(|e| crate::tree::entry_error(&rel, &e))
        }
        let mut changed: Vec<(String, Entry)> = Vec::new();
        let mut lines = Vec::new();
        for p in &these {
            let mut keep = load(tree, &mut files, &p.keep)?;
            // A held supersede leaves the person's entry as it is: read,
            // not taken out of the changeset.
            let other = if kind == "hold" {
                match files.get(&format!("{}.md", p.other)) {
                    Some(e) => e.clone(),
                    None => load(tree, &mut files, &p.other)?,
                }
            } else {
                load(tree, &mut files, &p.other)?
            };
            let mut rels = keep.meta.relations.clone();
            rels.push(Relation {
                rel: match kind {
                    "supersede" => "supersedes".into(),
                    "hold" => "contradicts".into(),
                    _ => "merged-from".into(),
                },
                to: p.other.clone(),
                id: Some(other.meta.id.clone()).filter(|i| !i.is_empty()),
            });
            keep.set_serialized("relations", &rels)?;
            if kind == "supersede" {
                let mut other = other;
                set_validity(&mut keep, &mut other)?;
                changed.push((format!("{}.md", p.other), other));
                lines.push(format!("supersede {} with {}", p.other, p.keep));
            } else if kind == "hold" {
                if !crate::quarantine::is_quarantined(&keep) {
                    keep.set(
                        "curation",
                        serde_yaml::Value::String(crate::quarantine::REVIEW.into()),
                    )?;
                }
                keep.set(
                    "review",
                    serde_yaml::Value::String(format!(
                        "held for review: would supersede {} ({}), a person's entry",
                        p.other, p.reason
                    )),
                )?;
                lines.push(format!(
                    "hold {} for review (would supersede {})",
                    p.keep, p.other
                ));
            } else {
                let ep = crate::paths::EntryPath::parse(&p.other)?;
                cs.rename(ep.rel_file(), ep.archived_rel_file());
                lines.push(format!("archive {} (duplicate of {})", p.other, p.keep));
            }
            changed.push((format!("{}.md", p.keep), keep));
            for (rel, e) in changed.drain(..) {
                files.insert(rel, e);
            }
        }
        for (rel, e) in &files {
            cs.put(rel, e.render());
        }
        cs.message = format!(
            "mem: dream: {} {}\n\n{}",
            these.len(),
            match kind {
                "supersede" => "supersede(s)",
                "hold" => "supersede(s) held for review",
                _ => "duplicate(s) merged",
            },
            lines.join("\n")
        );
        if let Some(c) = writer.apply(cs)? {
            commits.push(c.to_string());
        }
    }
    Ok(commits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beyond_the_subject_meet_their_entries() {
        let a = Analysis::new("Project Cougar is led by Sofia Lindqvist.");
        let b = Analysis::new("Sofia Lindqvist leads project Cougar.");
        assert!(names(&a).contains("sofia lindqvist"), "{:?}", names(&a));
        // A role toward a named thing: the project is the subject, and
        // the person one of the names that group the entry.
        assert_eq!(b.subject.as_deref(), Some("cougar"), "{:?}", b.subject);
        assert!(names(&b).contains("sofia lindqvist"), "{:?}", names(&b));
        // Numbers are values, not names.
        assert!(
            names(&Analysis::new("Host atlas9 has 64 GB of RAM."))
                .iter()
                .all(|n| !n.contains("64"))
        );
    }

    #[test]
    fn a_supersede_needs_a_word_of_the_attribute_in_common() {
        let yes = [
            (
                "Quinn Kaur works from Osaka.",
                "Quinn Kaur works from Austin.",
            ),
            (
                "Olga Grant switched editors to Emacs.",
                "Olga Grant's editor of choice is Vim.",
            ),
            // An attribute implied toward a name.
            (
                "Bjorn Byrne relocated to Porto.",
                "Bjorn Byrne works from Lisbon.",
            ),
        ];
        for (new, old) in yes {
            assert!(
                same_attribute_word(&Analysis::new(new), &Analysis::new(old)),
                "{new} / {old}"
            );
        }
        let no = [
            // Implied attributes do not count: an office is not a city.
            (
                "Bjorn Byrne is based in Krakow.",
                "Bjorn Byrne moved to room 138.",
            ),
            // The words both open with are the subject.
            (
                "The checkout-cache service listens on port 9186 now.",
                "The checkout-cache service is owned by the Infra team.",
            ),
        ];
        for (new, old) in no {
            assert!(
                !same_attribute_word(&Analysis::new(new), &Analysis::new(old)),
                "{new} / {old}"
            );
        }
    }
}

//! The lifecycle rules `mem dream` applies after consolidating: maturity
//! (draft → validated → core, and back to draft on a contradiction) and
//! stale entries (archive proposals that wait in `mem review`).
//!
//! **Maturity.** An entry earns standing from two signals kept in
//! `.mem/state/` ([`crate::signals`]) and one in its own front matter:
//! confirmations (curation found its fact written again; each
//! `merged-from` relation, a duplicate folded into it, counts one) and the
//! distinct days it was shown (a stand-in for sessions). Its *standing* is
//! `confirmations + access days / 3` (rounded down): 1 makes a draft
//! `validated`, [`CORE_STANDING`] makes it `core`. A person's `mem edit`
//! validates a draft at once; a person who sets the maturity by hand in
//! `mem edit` has the final word until standing grows beyond what it was
//! then ([`SET_KEY`]). The rules never lower maturity for want of
//! use (hysteresis: standing once earned stays); only a contradiction
//! does: an entry related `contradicts` to a live entry that is not
//! quarantined or superseded (either side) goes back to `draft` until a
//! person settles it; the level it had is kept in the front matter
//! ([`HELD_KEY`]) and comes back once the other side is gone or the
//! relation removed. Lessons that `mem learn`
//! confirms from other sessions are raised there already; the same rules
//! then apply to them.
//!
//! **Stale entries.** An entry is proposed for the archive when it is a
//! draft of low value that nobody used: its importance
//! ([`crate::signals::importance`]) at most [`STALE_MAX_IMPORTANCE`] and
//! its forgetting curve ([`crate::signals::recency`]) below
//! [`STALE_RECENCY`] (about 280 days unused at importance 50); or its own
//! validity has ended (`valid_to` in the past without a newer entry
//! superseding it: "the office is closed until Friday") and its importance
//! is at most [`EXPIRED_MAX_IMPORTANCE`]. Events, decisions, lessons and
//! procedures, validated and core entries, and entries waiting in review
//! are never proposed. Proposals never archive anything by themselves:
//! they wait in `mem review` (accept archives, restorable; decline keeps
//! the entry and it is not proposed again), at most [`QUEUE_MAX`] at a
//! time, the least used first.

use crate::entry::Entry;
use crate::signals::{Access, Signals};
use crate::tree::Tree;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Standing that makes an entry `core`.
pub const CORE_STANDING: u32 = 3;
/// A draft below this forgetting-curve value is unused.
pub const STALE_RECENCY: f64 = 0.01;
/// Importance above this is never stale for want of use.
pub const STALE_MAX_IMPORTANCE: u8 = 50;
/// Importance above this keeps an expired entry.
pub const EXPIRED_MAX_IMPORTANCE: u8 = 60;
/// Archive proposals waiting at most, the least used first.
pub const QUEUE_MAX: usize = 100;

const QUEUE_FILE: &str = "dream-proposals.json";
const DAY: i64 = 86_400;

/// Duplicates merged into an entry (its `merged-from` relations).
fn merged_in(e: &Entry) -> u32 {
    e.meta
        .relations
        .iter()
        .filter(|r| r.rel == "merged-from")
        .count() as u32
}

/// An entry's standing: confirmations plus a third of its access days.
pub fn standing(e: &Entry, s: &Signals) -> u32 {
    let days = s.get(&e.meta.id).map_or(0, |a| a.days);
    s.confirmations(&e.meta.id) + merged_in(e) + days / 3
}

/// Front matter key keeping the maturity an entry had before a
/// contradiction lowered it; it comes back when the contradiction is gone.
pub const HELD_KEY: &str = "x-maturity-held";

/// Front matter key with the standing an entry had when a person set its
/// maturity by hand (`mem edit`): only standing earned after it raises
/// the maturity again, so a person's demotion is not undone by old counts.
pub const SET_KEY: &str = "x-maturity-standing";

/// The standing recorded when a person set the maturity (0: never).
pub fn set_at(e: &Entry) -> u32 {
    e.front_matter()
        .get(SET_KEY)
        .and_then(|v| v.as_u64())
        .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32)
}

/// The maturity held by a contradiction, if any.
pub fn held(e: &Entry) -> Option<String> {
    e.front_matter()
        .get(HELD_KEY)
        .and_then(|v| v.as_str())
        .filter(|m| matches!(*m, "validated" | "core"))
        .map(str::to_string)
}

/// The maturity an entry should have now, with the reason, when it differs
/// from its own. `contradicted`: a live entry and this one are related
/// `contradicts`. A contradiction lowers it to draft (the level before is
/// kept under [`HELD_KEY`]); once the contradiction is gone the held level
/// comes back.
pub fn maturity_change(e: &Entry, s: &Signals, contradicted: bool) -> Option<(String, String)> {
    let now = e.meta.maturity.as_str();
    if contradicted {
        return (now != "draft").then(|| {
            (
                "draft".to_string(),
                "contradicted by a live entry (mem review)".to_string(),
            )
        });
    }
    let rank = |m: &str| match m {
        "core" => 2,
        "validated" => 1,
        _ => 0,
    };
    if let Some(h) = held(e)
        && rank(&h) > rank(now)
    {
        return Some((
            h,
            "the contradiction is settled: its maturity comes back".into(),
        ));
    }
    // A person who set the maturity by hand counts only the standing
    // earned since ([`SET_KEY`]).
    let st = standing(e, s).saturating_sub(set_at(e));
    let earned = if st >= CORE_STANDING {
        "core"
    } else if st >= 1 {
        "validated"
    } else {
        "draft"
    };
    // Standing once earned stays: only a contradiction lowers maturity.
    if rank(earned) <= rank(now) {
        return None;
    }
    let a = s.get(&e.meta.id);
    let merged = merged_in(e);
    let since = match set_at(e) {
        0 => String::new(),
        n => format!(" (beyond the {n} when a person set it)"),
    };
    Some((
        earned.to_string(),
        format!(
            "standing {st}{since}: {} confirmation(s), {merged} duplicate(s) merged in, shown on {} day(s)",
            s.confirmations(&e.meta.id),
            a.map_or(0, |a| a.days)
        ),
    ))
}

/// Why an entry is stale at `now`, or None. `superseded`: a newer entry
/// replaced it (then it is history for `--as-of`, not stale).
pub fn stale_reason(e: &Entry, a: Option<&Access>, superseded: bool, now: i64) -> Option<String> {
    if superseded
        || e.meta.maturity != "draft"
        // A draft only while contradicted: it waits for the contradiction.
        || held(e).is_some()
        || matches!(
            e.meta.kind.as_str(),
            "event" | "decision" | "lesson" | "procedure"
        )
        || crate::quarantine::is_quarantined(e)
        || crate::quarantine::in_review(e)
        || crate::quarantine::is_pending(e)
    {
        return None;
    }
    let imp = crate::signals::importance(e, a);
    if let Some(end) = e.meta.valid_to.as_deref().and_then(crate::time::secs)
        && end <= now
        && imp <= EXPIRED_MAX_IMPORTANCE
    {
        return Some(format!(
            "its validity ended on {} (importance {imp})",
            crate::time::format_secs(end).get(..10).unwrap_or_default()
        ));
    }
    let r = crate::signals::recency(e, a, imp, now);
    if imp <= STALE_MAX_IMPORTANCE && r < STALE_RECENCY {
        let last = crate::signals::last_use(e, a, now);
        return Some(format!(
            "not shown or changed for {} days (importance {imp}, draft, recency {r:.3})",
            (now - last).max(0) / DAY
        ));
    }
    None
}

fn same(p: &StaleProposal, path: &str, id: &str) -> bool {
    if id.is_empty() || p.id.is_empty() {
        p.path == path && p.id == id
    } else {
        p.id == id
    }
}

/// Why `e` is stale now (its counts as `.mem/state/` holds them), or None:
/// a proposal is checked again before it is shown or acted on (an entry
/// edited or recalled since is kept).
pub fn stale_now(tree: &Tree, e: &Entry) -> Option<String> {
    let s = Signals::load(tree);
    stale_reason(e, s.get(&e.meta.id), false, crate::time::now().as_second())
}

/// An archive proposal waiting in `mem review`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StaleProposal {
    pub path: String,
    pub id: String,
    pub reason: String,
    /// The forgetting curve when proposed (the least used first).
    pub recency: f64,
}

/// `.mem/state/dream-proposals.json`: what waits, and the entries a person
/// chose to keep (never proposed again).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Queue {
    #[serde(default)]
    pub archive: Vec<StaleProposal>,
    #[serde(default)]
    pub declined: BTreeSet<String>,
}

impl Queue {
    pub fn load(tree: &Tree) -> Self {
        std::fs::read(tree.state_dir().join(QUEUE_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, tree: &Tree) -> Result<()> {
        std::fs::create_dir_all(tree.state_dir())?;
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::fsutil::replace_file(&tree.state_dir().join(QUEUE_FILE), &bytes)?;
        Ok(())
    }

    /// Replaces the waiting proposals with `found` (declined ones left
    /// out), the least used first, at most [`QUEUE_MAX`].
    pub fn set(&mut self, mut found: Vec<StaleProposal>) {
        found.retain(|p| !self.declined.contains(&p.id));
        found.sort_by(|a, b| {
            a.recency
                .total_cmp(&b.recency)
                .then_with(|| a.path.cmp(&b.path))
        });
        found.truncate(QUEUE_MAX);
        self.archive = found;
    }

    /// The proposal for an entry: by its id (a path may name another entry
    /// by now); by path only for an entry without an id.
    pub fn find(&self, path: &str, id: &str) -> Option<&StaleProposal> {
        self.archive.iter().find(|p| same(p, path, id))
    }

    /// Takes an entry's proposal out; `declined` keeps it from coming back.
    pub fn settle(&mut self, path: &str, id: &str, declined: bool) {
        self.archive.retain(|p| !same(p, path, id));
        if declined && !id.is_empty() {
            self.declined.insert(id.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Relation;

    const T0: i64 = 1_767_225_600; // 2026-01-01

    fn entry(kind: &str, extra: &str) -> Entry {
        Entry::parse(&format!(
            "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: t\nkind: {kind}\ncreated: 2026-01-01T00:00:00Z\n{extra}---\nThe statement.\n"
        ))
        .unwrap()
    }

    fn days(n: u32) -> Signals {
        let mut s = Signals::default();
        for d in 0..n {
            s.touch(&["01JDZ8Q3M6V9B7X2K4T5R8N1PQ"], T0 + i64::from(d) * DAY);
        }
        s
    }

    #[test]
    fn maturity_rises_with_confirmations_and_days_and_falls_only_on_contradiction() {
        let draft = entry("fact", "");
        assert_eq!(maturity_change(&draft, &Signals::default(), false), None);
        // Shown on two days: not yet; on three: validated.
        assert_eq!(maturity_change(&draft, &days(2), false), None);
        assert_eq!(
            maturity_change(&draft, &days(3), false).map(|c| c.0),
            Some("validated".into())
        );
        // One confirmation validates; three make it core.
        let mut s = Signals::default();
        s.confirmed.insert(draft.meta.id.clone(), 1);
        assert_eq!(
            maturity_change(&draft, &s, false).map(|c| c.0),
            Some("validated".into())
        );
        s.confirmed.insert(draft.meta.id.clone(), 3);
        assert_eq!(
            maturity_change(&draft, &s, false).map(|c| c.0),
            Some("core".into())
        );
        // A duplicate merged in counts as a confirmation.
        let mut merged = draft.clone();
        merged
            .set_serialized(
                "relations",
                &vec![Relation {
                    rel: "merged-from".into(),
                    to: "a/b/c".into(),
                    id: None,
                }],
            )
            .unwrap();
        assert_eq!(
            maturity_change(&merged, &Signals::default(), false).map(|c| c.0),
            Some("validated".into())
        );
        // No use lowers nothing (hysteresis); a contradiction does.
        let core = entry("fact", "maturity: core\n");
        assert_eq!(maturity_change(&core, &Signals::default(), false), None);
        assert_eq!(
            maturity_change(&core, &s, true).map(|c| c.0),
            Some("draft".into())
        );
        assert_eq!(maturity_change(&draft, &s, true), None);
        // Set by hand at standing 3: old counts do not raise it again,
        // standing earned since does.
        let mut s4 = Signals::default();
        s4.confirmed.insert(draft.meta.id.clone(), 3);
        let set = entry("fact", "x-maturity-standing: 3\n");
        assert_eq!(maturity_change(&set, &s4, false), None);
        s4.confirmed.insert(draft.meta.id.clone(), 4);
        assert_eq!(
            maturity_change(&set, &s4, false).map(|c| c.0),
            Some("validated".into())
        );
        // Held while contradicted, back once settled.
        let held = entry("fact", "x-maturity-held: core\n");
        assert_eq!(
            maturity_change(&held, &Signals::default(), false).map(|c| c.0),
            Some("core".into())
        );
        assert_eq!(maturity_change(&held, &Signals::default(), true), None);
    }

    #[test]
    fn stale_means_an_unused_low_value_draft_or_an_ended_one() {
        let e = entry("fact", "");
        let year = T0 + 365 * DAY;
        assert!(stale_reason(&e, None, false, T0 + 30 * DAY).is_none());
        let why = stale_reason(&e, None, false, year).expect("a year unused");
        assert!(why.contains("365 days"), "{why}");
        // Used lately, superseded, validated, a decision or an event: kept.
        let used = Access {
            n: 1,
            last: year - DAY,
            days: 1,
            cited: 0,
        };
        assert!(stale_reason(&e, Some(&used), false, year).is_none());
        assert!(stale_reason(&e, None, true, year).is_none());
        for (kind, extra) in [
            ("fact", "maturity: validated\n"),
            ("decision", ""),
            ("event", ""),
            ("fact", "importance: 70\n"),
        ] {
            assert!(
                stale_reason(&entry(kind, extra), None, false, year).is_none(),
                "{kind} {extra}"
            );
        }
        // Its own validity ended: stale at once.
        let ended = entry("fact", "valid_to: 2026-01-20T00:00:00Z\n");
        assert!(stale_reason(&ended, None, false, T0 + 10 * DAY).is_none());
        let why = stale_reason(&ended, None, false, T0 + 30 * DAY).expect("ended");
        assert!(why.contains("2026-01-20"), "{why}");
    }

    #[test]
    fn the_queue_keeps_the_least_used_and_never_brings_back_a_declined_entry() {
        let p = |path: &str, id: &str, recency: f64| StaleProposal {
            path: path.into(),
            id: id.into(),
            reason: String::new(),
            recency,
        };
        let mut q = Queue::default();
        q.set(vec![p("a/b/x", "X", 0.005), p("a/b/y", "Y", 0.001)]);
        assert_eq!(q.archive[0].path, "a/b/y");
        q.settle("a/b/y", "Y", true);
        q.settle("a/b/x", "X", false);
        assert!(q.archive.is_empty());
        q.set(vec![p("a/b/x", "X", 0.005), p("a/b/y", "Y", 0.001)]);
        assert_eq!(q.archive.len(), 1);
        assert_eq!(q.archive[0].id, "X");
        // By id: the entry moved, still its proposal; another entry now at
        // its old path is not.
        assert!(q.find("a/b/elsewhere", "X").is_some());
        assert!(q.find("a/b/x", "Z").is_none());
    }
}

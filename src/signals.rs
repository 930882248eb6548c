//! Usage signals: derived state outside git, in `.mem/state/access.json`.
//! Reading an entry never makes a commit; deleting the file loses nothing
//! but the counts (they start again from zero).
//!
//! - Accesses: each hit `mem recall` shows (its top k, in this tree), each
//!   `mem show`, the MCP `recall` / `show` tools. Per entry id: the count,
//!   the last time, and the number of distinct days (a stand-in for
//!   sessions).
//! - Confirmations: each day curation finds an entry's fact written
//!   again (a noop), per entry id (one a day, however often). `mem dream` raises maturity from them
//!   and from the days with accesses ([`crate::lifecycle`]).
//! - Importance: the entry's own `importance` when it is not the default
//!   50 (a person or an import set it); else derived: 50, +10 for a
//!   decision, +5 for a lesson or procedure, −10 for an event, +3 per
//!   relation (up to +15), +5·ln(1 + accesses) (up to +20), +5·ln(1 +
//!   citations) (up to +10), kept in 0-100.
//! - Citations: each time an answer (`mem ask`, the MCP `ask` tool) cites
//!   an entry; a citation is an access too.
//! - Recency: a forgetting curve, `exp(−days since last use / s)` with
//!   `s = 30 days × (1 + importance / 50)` (an important entry fades three
//!   times slower than an unimportant one); last use is the last access,
//!   else the entry's `updated`, else `created`.
//!
//! Concurrent readers may lose an increment (the file is read, updated and
//! renamed into place without a lock): the counts are a signal, not a
//! ledger. Ranking uses none of them by default: docs/lifecycle.md has the
//! ablation.

use crate::entry::Entry;
use crate::tree::Tree;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const FILE: &str = "access.json";
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Access {
    /// Accesses counted.
    pub n: u64,
    /// The last one (seconds since the epoch).
    pub last: i64,
    /// Distinct days with an access.
    pub days: u32,
    /// Times an answer (`mem ask`, the MCP `ask` tool) cited the entry.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cited: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The access counts of a tree, by entry id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Signals {
    pub access: BTreeMap<String, Access>,
    /// Confirmations by entry id: curation found the same fact written
    /// again (a noop) and kept the entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confirmed: BTreeMap<String, u32>,
    /// The day (days since the epoch) of each entry's last confirmation:
    /// the same fact said again on one day counts once.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confirmed_day: BTreeMap<String, i64>,
}

impl Signals {
    /// The tree's counts; none when the file is missing or unreadable.
    pub fn load(tree: &Tree) -> Self {
        std::fs::read(tree.state_dir().join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Counts one access to each of `ids` at `now` (in memory).
    pub fn touch(&mut self, ids: &[&str], now: i64) {
        for id in ids.iter().filter(|i| !i.is_empty()) {
            let a = self.access.entry(id.to_string()).or_default();
            if a.n == 0 || a.last.div_euclid(DAY) != now.div_euclid(DAY) {
                a.days += 1;
            }
            a.n += 1;
            a.last = a.last.max(now);
        }
    }

    /// Counts a citation of each of `ids` by an answer at `now`, which is
    /// an access too (in memory).
    pub fn cite(&mut self, ids: &[&str], now: i64) {
        self.touch(ids, now);
        for id in ids.iter().filter(|i| !i.is_empty()) {
            if let Some(a) = self.access.get_mut(*id) {
                a.cited += 1;
            }
        }
    }

    pub fn save(&self, tree: &Tree) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        crate::fsutil::replace_file(&tree.state_dir().join(FILE), &bytes)
    }

    pub fn get(&self, id: &str) -> Option<&Access> {
        self.access.get(id)
    }

    /// Counts a confirmation of each of `ids` at `now`, at most one a day.
    pub fn confirm_at(&mut self, ids: &[&str], now: i64) {
        let day = now.div_euclid(DAY);
        for id in ids.iter().filter(|i| !i.is_empty()) {
            if self.confirmed_day.get(*id) == Some(&day) {
                continue;
            }
            self.confirmed_day.insert(id.to_string(), day);
            *self.confirmed.entry(id.to_string()).or_default() += 1;
        }
    }

    /// Confirmations of an entry (curation's noops on it, one a day).
    pub fn confirmations(&self, id: &str) -> u32 {
        self.confirmed.get(id).copied().unwrap_or(0)
    }
}

/// Records one access to each of `ids` (best effort: a failure to write
/// derived state never fails a read).
pub fn record(tree: &Tree, ids: &[&str]) {
    update(tree, ids, Signals::touch);
}

/// Loads the tree's counts, applies `f` to `ids` at the current time and
/// saves them; nothing when `ids` has no id. Best effort: a failure to
/// write derived state is traced, never an error.
fn update(tree: &Tree, ids: &[&str], f: fn(&mut Signals, &[&str], i64)) {
    if ids.iter().all(|i| i.is_empty()) {
        return;
    }
    let mut s = Signals::load(tree);
    f(&mut s, ids, crate::time::now().as_second());
    if let Err(e) = s.save(tree) {
        crate::trace::mark(&format!("signals: not saved ({e})"));
    }
}

/// Records that an answer cited each of `ids` (a citation and an access;
/// best effort, as [`record`]).
pub fn record_cited(tree: &Tree, ids: &[&str]) {
    update(tree, ids, Signals::cite);
}

/// Records that curation found the fact of each of `ids` written again
/// (best effort, as [`record`]). `mem dream` raises maturity from them.
pub fn confirm(tree: &Tree, ids: &[&str]) {
    update(tree, ids, Signals::confirm_at);
}

/// The importance used by the lifecycle (see the module notes).
pub fn importance(e: &Entry, access: Option<&Access>) -> u8 {
    if e.meta.importance != 50 {
        return e.meta.importance;
    }
    let mut v = 50.0_f64;
    v += match e.meta.kind.as_str() {
        "decision" => 10.0,
        "lesson" | "procedure" => 5.0,
        "event" => -10.0,
        _ => 0.0,
    };
    v += (3 * e.meta.relations.len()).min(15) as f64;
    v += (5.0 * (1.0 + access.map_or(0, |a| a.n) as f64).ln()).min(20.0);
    v += (5.0 * (1.0 + access.map_or(0, |a| a.cited) as f64).ln()).min(10.0);
    v.clamp(0.0, 100.0).round() as u8
}

/// An entry's last use: its last access, else `updated`, else its start
/// (`now` when it has none).
pub fn last_use(e: &Entry, access: Option<&Access>, now: i64) -> i64 {
    access
        .map(|a| a.last)
        .filter(|t| *t > 0)
        .or_else(|| e.meta.updated.as_deref().and_then(crate::time::secs))
        .or_else(|| e.start())
        .unwrap_or(now)
}

/// The forgetting curve at `now` (1 just used, towards 0 when long unused).
pub fn recency(e: &Entry, access: Option<&Access>, importance: u8, now: i64) -> f64 {
    let last = last_use(e, access, now);
    let days = (now - last).max(0) as f64 / DAY as f64;
    let s = 30.0 * (1.0 + f64::from(importance) / 50.0);
    (-days / s).exp()
}

/// The signals of one entry as `mem show --json` and `recall --explain`
/// print them.
pub fn describe(e: &Entry, s: &Signals, now: i64) -> serde_json::Value {
    let a = s.get(&e.meta.id);
    let imp = importance(e, a);
    serde_json::json!({
        "accesses": a.map_or(0, |a| a.n),
        "access_days": a.map_or(0, |a| a.days),
        "last_access": a.filter(|a| a.last > 0).map(|a| crate::time::format_secs(a.last)),
        "importance": imp,
        "recency": (recency(e, a, imp, now) * 1000.0).round() / 1000.0,
        "confirmations": s.confirmations(&e.meta.id),
        "citations": a.map_or(0, |a| a.cited),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, importance: u8) -> Entry {
        let text = format!(
            "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: t\nkind: {kind}\nimportance: {importance}\ncreated: 2026-01-01T00:00:00Z\n---\nt\n"
        );
        Entry::parse(&text).unwrap()
    }

    #[test]
    fn accesses_count_days_and_survive_a_round_trip() {
        let mut s = Signals::default();
        let t0 = 1_767_225_600; // 2026-01-01
        s.touch(&["a", "b"], t0);
        s.touch(&["a"], t0 + 3600);
        s.touch(&["a", ""], t0 + 2 * DAY);
        let a = s.get("a").unwrap();
        assert_eq!((a.n, a.days, a.last), (3, 2, t0 + 2 * DAY));
        assert_eq!(s.get("b").unwrap().n, 1);
        assert!(s.get("").is_none());
        // The same fact said again three times in a day: one confirmation.
        s.confirm_at(&["a", "a", "a"], t0);
        s.confirm_at(&["a"], t0 + 3 * DAY);
        assert_eq!(s.confirmations("a"), 2);
        // A citation by an answer is an access too.
        s.cite(&["b"], t0 + 3 * DAY);
        let b = s.get("b").unwrap();
        assert_eq!((b.n, b.cited, b.days), (2, 1, 2));
        let back: Signals = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(back.access, s.access);
    }

    #[test]
    fn importance_is_the_entry_s_own_else_derived() {
        assert_eq!(importance(&entry("fact", 80), None), 80);
        assert_eq!(importance(&entry("fact", 50), None), 50);
        assert_eq!(importance(&entry("decision", 50), None), 60);
        assert_eq!(importance(&entry("event", 50), None), 40);
        let used = Access {
            n: 20,
            last: 0,
            days: 3,
            cited: 0,
        };
        // 50 + 5·ln 21 ≈ 65
        assert_eq!(importance(&entry("fact", 50), Some(&used)), 65);
        // Cited twice by answers: 50 + 5·ln 21 + 5·ln 3 ≈ 70.7.
        let cited = Access { cited: 2, ..used };
        assert_eq!(importance(&entry("fact", 50), Some(&cited)), 71);
    }

    #[test]
    fn recency_fades_and_fades_slower_for_important_entries() {
        let e = entry("fact", 50);
        let t0 = 1_767_225_600;
        let used = Access {
            n: 1,
            last: t0,
            days: 1,
            cited: 0,
        };
        assert!((recency(&e, Some(&used), 50, t0) - 1.0).abs() < 1e-9);
        let month = recency(&e, Some(&used), 50, t0 + 60 * DAY);
        let important = recency(&e, Some(&used), 100, t0 + 60 * DAY);
        assert!(month < 0.5 && important > month, "{month} {important}");
        // Never used: from its creation.
        assert!(recency(&e, None, 50, t0 + 600 * DAY) < 0.001);
    }
}

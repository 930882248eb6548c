//! Overviews written by `mem dream`: `domain/topic/_overview.md` for each
//! topic with at least [`MIN_ENTRIES`] current entries, and
//! `domain/_overview.md` listing a domain's topics (when it has two or
//! more). Plain markdown for a
//! person browsing the tree on disk or on a git host; they are not entries
//! (the index and recall never read them) and they are rewritten from the
//! entries, so an edit to one is lost at the next pass.
//!
//! A topic's overview says how many current entries it holds, of which
//! kinds, over which dates, then lists the [`LISTED`] most important ones
//! (importance, then the newest first), each as a link to its file with the
//! opening of its statement, its kind and its date (importance as the
//! entry states it or its kind and relations imply, accesses left out, so
//! that recalls do not rewrite overviews). Current means live, not
//! superseded and not past its own `valid_to`; quarantined and held
//! entries are left out (they wait for a person). With a summary (a
//! generator asked by `mem dream --summaries`), its checked sentences come
//! first, each citing the entries it rests on as links.
//!
//! The text holds nothing that changes without the entries changing (no
//! time of writing), so a pass over an unchanged tree writes nothing.

use crate::paths::{EntryPath, OVERVIEW_FILE};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A topic needs this many current entries for an overview.
pub const MIN_ENTRIES: usize = 3;
/// Entries listed in a topic's overview; the rest are counted.
pub const LISTED: usize = 12;
/// Longest statement opening shown for an entry, in characters.
const OPENING: usize = 140;

/// One current entry, as an overview shows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub path: EntryPath,
    pub statement: String,
    pub kind: String,
    /// `YYYY-MM-DD` of its start (observed, else created).
    pub date: String,
    pub importance: u8,
    pub start: i64,
}

/// A sentence of a generated summary and the entries it cites.
#[derive(Debug, Clone)]
pub struct Summary {
    pub text: String,
    pub cites: Vec<EntryPath>,
}

/// The topic folder (`domain/topic`) an entry belongs to.
pub fn topic_of(p: &EntryPath) -> String {
    let s = p.segments();
    format!("{}/{}", s[0], s[1])
}

/// The overview file of a topic folder or a domain.
pub fn file_of(folder: &str) -> String {
    format!("{folder}/{OVERVIEW_FILE}")
}

/// The opening of a statement: its first line up to the first sentence end,
/// at most [`OPENING`] characters (cut at a word).
pub fn opening(statement: &str) -> String {
    let line = statement.lines().map(str::trim).find(|l| !l.is_empty());
    let line = line.unwrap_or_default();
    let mut end = line.len();
    for (i, _) in line.match_indices(". ") {
        if i >= 20 {
            end = i + 1;
            break;
        }
    }
    let s = &line[..end];
    if s.chars().count() <= OPENING {
        return s.to_string();
    }
    let cut: String = s.chars().take(OPENING).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// Text safe inside a markdown link's brackets.
fn link_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// Where `p` is, relative to its topic folder.
fn relative(p: &EntryPath) -> String {
    let s = p.segments();
    format!("{}.md", s[2..].join("/"))
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else if one.ends_with('y') && !one.ends_with("ey") {
        format!("{n} {}ies", &one[..one.len() - 1])
    } else {
        format!("{n} {one}s")
    }
}

/// Items in the order an overview lists them: importance, then the newest.
pub fn order(items: &mut [Item]) {
    items.sort_by(|a, b| {
        b.importance
            .cmp(&a.importance)
            .then(b.start.cmp(&a.start))
            .then_with(|| a.path.cmp(&b.path))
    });
}

/// The last line of a topic's overview: a key of what it lists (a hash of
/// the text without a summary), so that a pass can tell an overview whose
/// entries did not change from one to rewrite, whatever summary it holds.
const KEY_OPEN: &str = "<!-- mem dream: ";

/// The key an overview's text carries, if any.
pub fn key_of(text: &str) -> Option<&str> {
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    line.strip_prefix(KEY_OPEN)?.strip_suffix(" -->")
}

fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A topic's overview. `items` in [`order`]; the last line is its key
/// ([`key_of`]).
pub fn topic_text(topic: &str, items: &[Item], summary: &[Summary]) -> String {
    let plain = topic_body(topic, items, &[]);
    let key = format!("{KEY_OPEN}{:016x} -->\n", fnv(&plain));
    let mut out = if summary.is_empty() {
        plain
    } else {
        topic_body(topic, items, summary)
    };
    out.push('\n');
    out.push_str(&key);
    out
}

fn topic_body(topic: &str, items: &[Item], summary: &[Summary]) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for i in items {
        *kinds.entry(i.kind.as_str()).or_default() += 1;
    }
    let mut by_count: Vec<(&str, usize)> = kinds.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let kinds = by_count
        .iter()
        .map(|(k, n)| plural(*n, k))
        .collect::<Vec<_>>()
        .join(", ");
    let (first, last) = (
        items.iter().map(|i| i.date.as_str()).min().unwrap_or(""),
        items.iter().map(|i| i.date.as_str()).max().unwrap_or(""),
    );
    let mut out = format!("# {topic}\n\n");
    out.push_str(
        "_Written by `mem dream` from this topic's current entries and rewritten when they change: \
edit the entries, not this file._\n\n",
    );
    let span = if first == last {
        format!("on {first}")
    } else {
        format!("from {first} to {last}")
    };
    let _ = writeln!(
        out,
        "{} ({kinds}), {span}.\n",
        plural(items.len(), "current entry")
    );
    if !summary.is_empty() {
        for s in summary {
            let links = s
                .cites
                .iter()
                .map(|p| format!("[{}]({})", p.slug(), relative(p)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(out, "{}", s.text.trim());
            if !links.is_empty() {
                let _ = write!(out, " ({links})");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    for i in items.iter().take(LISTED) {
        let _ = writeln!(
            out,
            "- [{}]({}) ({}, {})",
            link_text(&opening(&i.statement)),
            relative(&i.path),
            i.kind,
            i.date
        );
    }
    if items.len() > LISTED {
        let _ = writeln!(
            out,
            "- … and {} more: `mem ls {topic}`",
            items.len() - LISTED
        );
    }
    out
}

/// A domain's overview: its topics, each with its count and newest date,
/// linked to the topic's overview where it has one; its key last.
pub fn domain_text(domain: &str, topics: &[(String, usize, String)]) -> String {
    let total: usize = topics.iter().map(|t| t.1).sum();
    let mut out = format!("# {domain}\n\n");
    out.push_str(
        "_Written by `mem dream` from this domain's current entries and rewritten when they change._\n\n",
    );
    let _ = writeln!(
        out,
        "{} in {}.\n",
        plural(total, "current entry"),
        plural(topics.len(), "topic")
    );
    for (topic, n, newest) in topics {
        let name = topic.rsplit('/').next().unwrap_or(topic);
        let label = if *n >= MIN_ENTRIES {
            format!("[{name}]({name}/{OVERVIEW_FILE})")
        } else {
            name.to_string()
        };
        let _ = writeln!(out, "- {label}: {}, newest {newest}", plural(*n, "entry"));
    }
    let key = format!("{KEY_OPEN}{:016x} -->\n", fnv(&out));
    out.push('\n');
    out.push_str(&key);
    out
}

/// The overview files the tree should hold, by path relative to the root:
/// one per topic of [`MIN_ENTRIES`] or more and one per domain of two
/// topics or more, without summaries. `items`: every current entry,
/// grouped by [`topic_of`], each group in [`order`].
pub fn wanted(items: &BTreeMap<String, Vec<Item>>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut domains: BTreeMap<&str, Vec<(String, usize, String)>> = BTreeMap::new();
    for (topic, its) in items {
        if its.is_empty() {
            continue;
        }
        let newest = its.iter().map(|i| i.date.clone()).max().unwrap_or_default();
        let domain = topic.split('/').next().unwrap_or(topic);
        domains
            .entry(domain)
            .or_default()
            .push((topic.clone(), its.len(), newest));
        if its.len() >= MIN_ENTRIES {
            out.insert(file_of(topic), topic_text(topic, its, &[]));
        }
    }
    for (domain, topics) in domains.into_iter().filter(|(_, t)| t.len() >= 2) {
        out.insert(file_of(domain), domain_text(domain, &topics));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(path: &str, statement: &str, importance: u8, start: i64) -> Item {
        Item {
            path: EntryPath::parse(path).unwrap(),
            statement: statement.into(),
            kind: "fact".into(),
            date: format!("2026-01-{:02}", start),
            importance,
            start,
        }
    }

    #[test]
    fn a_topic_overview_lists_the_important_then_the_newest_and_links_them() {
        let mut items = vec![
            item(
                "eng/billing/db",
                "The billing database is Postgres 16.",
                50,
                3,
            ),
            item("eng/billing/owner", "Billing is owned by [Ana].", 70, 1),
            item("eng/billing/sub/cron", "Invoices are sent at 06:00.", 50, 9),
        ];
        order(&mut items);
        let t = topic_text("eng/billing", &items, &[]);
        let lines: Vec<&str> = t.lines().filter(|l| l.starts_with("- ")).collect();
        assert_eq!(
            lines,
            [
                "- [Billing is owned by \\[Ana\\].](owner.md) (fact, 2026-01-01)",
                "- [Invoices are sent at 06:00.](sub/cron.md) (fact, 2026-01-09)",
                "- [The billing database is Postgres 16.](db.md) (fact, 2026-01-03)",
            ]
        );
        assert!(
            t.contains("3 current entries (3 facts), from 2026-01-01 to 2026-01-09."),
            "{t}"
        );
        // The same entries give the same text: nothing of the time of writing.
        assert_eq!(t, topic_text("eng/billing", &items, &[]));
        // A summary changes the text, not its key; another entry changes both.
        let summary = [Summary {
            text: "Billing runs on Postgres.".into(),
            cites: vec![EntryPath::parse("eng/billing/db").unwrap()],
        }];
        let with = topic_text("eng/billing", &items, &summary);
        assert!(
            with.contains("Billing runs on Postgres. ([db](db.md))"),
            "{with}"
        );
        assert!(key_of(&t).is_some());
        assert_eq!(key_of(&with), key_of(&t));
        items.pop();
        assert_ne!(key_of(&topic_text("eng/billing", &items, &[])), key_of(&t));
    }

    #[test]
    fn small_topics_get_no_overview_but_their_domain_lists_them() {
        let mut items: BTreeMap<String, Vec<Item>> = BTreeMap::new();
        items.insert(
            "eng/billing".into(),
            (1..=4)
                .map(|d| item(&format!("eng/billing/e{d}"), "A fact here.", 50, d))
                .collect(),
        );
        items.insert(
            "eng/build".into(),
            vec![item("eng/build/one", "One fact.", 50, 2)],
        );
        let w = wanted(&items);
        assert_eq!(
            w.keys().collect::<Vec<_>>(),
            ["eng/_overview.md", "eng/billing/_overview.md"]
        );
        let d = &w["eng/_overview.md"];
        assert!(
            d.contains("- [billing](billing/_overview.md): 4 entries, newest 2026-01-04"),
            "{d}"
        );
        assert!(d.contains("- build: 1 entry, newest 2026-01-02"), "{d}");
    }

    #[test]
    fn long_statements_open_with_their_first_sentence_or_a_cut_at_a_word() {
        assert_eq!(
            opening("The deploy runs nightly. It takes ten minutes.\nMore."),
            "The deploy runs nightly."
        );
        let long = "word ".repeat(60);
        let o = opening(&long);
        assert!(o.ends_with('…') && o.chars().count() <= OPENING + 1, "{o}");
    }
}

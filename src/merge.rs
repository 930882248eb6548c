//! The entry-level three-way merge (`mem sync`, and `mem merge-file`, the
//! git merge driver for `*.md`): two edits of one entry are combined field
//! by field and line by line; edits that cannot both be kept never produce
//! conflict markers: the file keeps one side and the other becomes a
//! sibling entry, related `contradicts`, both flagged for review.
//!
//! Front matter, per top-level key: a key changed on one side takes that
//! side; changed on both sides to different values: lists (`tags`,
//! `relations`, `aliases`) are unions, `updated` takes the later time, and
//! any other key takes the side whose `updated` is later (the other value is
//! reported). Body: a line-level three-way merge when the two sides' edits
//! touch different lines of the base; otherwise a conflict.

use crate::entry::Entry;
use serde_yaml::Value;

/// The result of merging one entry.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The file's merged content.
    pub text: String,
    /// When the bodies conflicted: the other side as a sibling entry (a new
    /// id, related `contradicts` to the kept one), to be written beside it.
    pub sibling: Option<String>,
    /// What was decided that a person may want to know (for the commit
    /// message and the report).
    pub notes: Vec<String>,
}

/// Why a file could not be merged as an entry (the caller falls back to
/// git's own merge, or reports the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnEntry(pub String);

/// Merges `ours` and `theirs` of the entry at `path` (for messages), with
/// `base` their common ancestor (`None`: both added it).
pub fn merge_entry(
    path: &str,
    base: Option<&str>,
    ours: &str,
    theirs: &str,
) -> Result<Merged, NotAnEntry> {
    let parse = |t: &str, side: &str| {
        Entry::parse(t).map_err(|e| NotAnEntry(format!("{path} ({side}): {e}")))
    };
    let o = parse(ours, "ours")?;
    let t = parse(theirs, "theirs")?;
    let b = match base {
        Some(b) if !b.trim().is_empty() => Some(parse(b, "base")?),
        _ => None,
    };
    let mut notes = Vec::new();
    if ours == theirs {
        return Ok(Merged {
            text: ours.to_string(),
            sibling: None,
            notes,
        });
    }
    // Both sides added an entry here: the same id is one entry edited twice
    // (merged without a base); different ids are two entries.
    if b.is_none() && o.meta.id != t.meta.id {
        notes.push(format!(
            "{path}: both sides added an entry here (ids {} and {}); theirs is kept beside it",
            o.meta.id, t.meta.id
        ));
        return Ok(Merged {
            text: ours.to_string(),
            sibling: Some(theirs.to_string()),
            notes,
        });
    }
    let later_theirs = updated(&t) > updated(&o);
    let mut out = o.clone();
    let empty = serde_yaml::Mapping::new();
    let bm = b.as_ref().map_or(&empty, |b| b.front_matter());
    let (om, tm) = (o.front_matter(), t.front_matter());
    let mut keys: Vec<Value> = om.keys().cloned().collect();
    for k in tm.keys().chain(bm.keys()) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    for k in keys {
        let Some(name) = k.as_str() else { continue };
        let (bv, ov, tv) = (bm.get(&k), om.get(&k), tm.get(&k));
        if ov == tv {
            continue;
        }
        let chosen: Option<Value> = if ov == bv {
            tv.cloned()
        } else if tv == bv {
            continue; // only ours changed: already ours
        } else if matches!(name, "tags" | "relations" | "aliases") {
            Some(union(ov, tv))
        } else if name == "updated" {
            Some(
                if later_theirs { tv } else { ov }
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        } else {
            let (win, lose) = if later_theirs { (tv, ov) } else { (ov, tv) };
            notes.push(format!(
                "{path}: `{name}` changed on both sides; kept {} (the later edit), not {}",
                show(win),
                show(lose)
            ));
            win.cloned()
        };
        let r = match chosen {
            Some(v) => out.set(name, v),
            None => out.remove(name),
        };
        if let Err(e) = r {
            return Err(NotAnEntry(format!("{path}: merging `{name}`: {e}")));
        }
    }
    let base_body = b.as_ref().map_or("", |b| b.body());
    if let Some(b) = &b
        && edited_while_superseded(b, &o, &t)
    {
        if let Err(e) = keep_for_review(&mut out) {
            return Err(NotAnEntry(format!("{path}: {e}")));
        }
        notes.push(format!(
            "{path}: {EDITED_WHILE_SUPERSEDED}; it stays live and waits for review"
        ));
    }
    match merge_lines(base_body, o.body(), t.body()) {
        Some(body) => {
            if body != out.body() {
                out.set_body(&body);
            }
            Ok(Merged {
                text: out.render(),
                sibling: None,
                notes,
            })
        }
        None => {
            // Overlapping edits: ours stays here, theirs becomes a sibling.
            let why = "both sides changed the same lines; the other version is a sibling entry";
            let _ = out.set("curation", Value::String(crate::quarantine::REVIEW.into()));
            let _ = out.set("review", Value::String(format!("sync conflict: {why}")));
            let mut sib = t.clone();
            let _ = sib.set("id", Value::String(ulid::Ulid::new().to_string()));
            let _ = sib.set("curation", Value::String(crate::quarantine::REVIEW.into()));
            let _ = sib.set(
                "review",
                Value::String(format!("sync conflict: the other version of {path}")),
            );
            let mut rels = sib.meta.relations.clone();
            rels.push(crate::entry::Relation {
                rel: "contradicts".into(),
                to: path.trim_end_matches(".md").to_string(),
                id: Some(o.meta.id.clone()),
            });
            let _ = sib.set_serialized("relations", &rels);
            notes.push(format!("{path}: {why}"));
            Ok(Merged {
                text: out.render(),
                sibling: Some(sib.render()),
                notes,
            })
        }
    }
}

/// Why an entry superseded on one side and edited on the other waits.
pub const EDITED_WHILE_SUPERSEDED: &str = "edited on one side while superseded on the other";

/// Superseded on one side (its `valid_to` set) while its statement was
/// edited on the other: the edit is a person's newer word on the fact,
/// which the supersede did not see.
pub fn edited_while_superseded(base: &Entry, ours: &Entry, theirs: &Entry) -> bool {
    let ended = |e: &Entry| e.front_matter().get("valid_to").is_some();
    let (eo, et) = (ended(ours), ended(theirs));
    let (edo, edt) = (ours.body() != base.body(), theirs.body() != base.body());
    !ended(base) && ((eo && !et && edt) || (et && !eo && edo))
}

/// Such an entry stays live (no `valid_to`) and waits for review beside
/// the entry that superseded it.
pub fn keep_for_review(e: &mut Entry) -> anyhow::Result<()> {
    e.remove("valid_to")?;
    crate::quarantine::flag_for_review(e, &format!("sync conflict: {EDITED_WHILE_SUPERSEDED}"))
}

/// What an entry changed on one side does to its forget on the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditVsForget {
    /// The statement (body or title) was edited: a person's newer word on
    /// it, which the forget did not see. The entry stays live.
    Revive,
    /// Only metadata changed (a `valid_to` from a supersede, maturity from
    /// `mem dream`, tags, relations…): the forget wins, and the change is
    /// kept inside the archived entry.
    Archive,
    /// It waited for review, and one side approved it while the other
    /// rejected (forgot) it: two people's decisions that disagree. It
    /// stays live and waits for review again.
    Disputed,
}

/// Why an entry whose approval met a rejection waits again.
pub const APPROVED_AND_REJECTED: &str =
    "sync conflict: approved on one side, rejected (forgotten) on the other; decide again";

/// Decides an edit of `edited` (against `base`) on one side and a forget
/// of the same entry on the other.
pub fn edit_vs_forget(base: &Entry, edited: &Entry) -> EditVsForget {
    if waits(base) && crate::quarantine::is_approved(edited) {
        EditVsForget::Disputed
    } else if edited.body() != base.body() || edited.meta.title != base.meta.title {
        EditVsForget::Revive
    } else {
        EditVsForget::Archive
    }
}

/// Whether an entry waits for a person (`mem review` lists it).
fn waits(e: &Entry) -> bool {
    crate::quarantine::is_quarantined(e)
        || crate::quarantine::in_review(e)
        || crate::quarantine::is_pending(e)
}

/// Takes back an approval of `e` (the keys `mem review --approve` writes
/// go back as `base` had them) and holds it for review again, saying why.
/// A held supersede keeps its `held for review: would supersede …` reason
/// first, so that approving it again applies the supersede. Returns the
/// entry a held supersede names (its `contradicts` target), whose
/// `valid_to` the approval may have set.
pub fn hold_disputed(base: &Entry, e: &mut Entry) -> anyhow::Result<Option<String>> {
    for k in [
        "curation",
        "quarantine",
        "review",
        "relations",
        "valid_from",
    ] {
        let (bv, ev) = (base.front_matter().get(k), e.front_matter().get(k));
        if bv == ev {
            continue;
        }
        match bv {
            Some(v) => e.set(k, v.clone())?,
            None => e.remove(k)?,
        }
    }
    if crate::quarantine::is_quarantined(base) {
        // Quarantined text stays out of agents' context; the quarantine's
        // own reason is kept.
        return Ok(None);
    }
    let before = base
        .front_matter()
        .get("review")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let held = before.starts_with("held for review: would supersede");
    let why = if held {
        format!("{before} ({APPROVED_AND_REJECTED})")
    } else {
        APPROVED_AND_REJECTED.to_string()
    };
    crate::quarantine::flag_for_review(e, &why)?;
    Ok(held
        .then(|| {
            e.meta
                .relations
                .iter()
                .find(|r| r.rel == "contradicts")
                .map(|r| r.to.clone())
        })
        .flatten())
}

fn updated(e: &Entry) -> String {
    e.meta
        .updated
        .clone()
        .unwrap_or_else(|| e.meta.created.clone())
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => serde_yaml::to_string(v)
            .map(|s| s.trim().replace('\n', " "))
            .unwrap_or_default(),
    }
}

/// The union of two YAML lists (ours first, then theirs' new items).
fn union(a: Option<&Value>, b: Option<&Value>) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for v in [a, b].into_iter().flatten() {
        match v {
            Value::Sequence(items) => {
                for i in items {
                    if !out.contains(i) {
                        out.push(i.clone());
                    }
                }
            }
            other => {
                if !out.contains(other) {
                    out.push(other.clone());
                }
            }
        }
    }
    Value::Sequence(out)
}

/// A hunk of one side against the base: base lines `start..end` replaced
/// by `lines`.
#[derive(Debug, Clone, PartialEq)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
}

fn hunks<'a>(base: &[&'a str], side: &[&'a str]) -> Vec<Hunk<'a>> {
    use similar::{Algorithm, DiffOp, capture_diff_slices};
    let mut out: Vec<Hunk<'a>> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, base, side) {
        let (s, e, lines) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } => (old_index, old_index + old_len, vec![]),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (
                old_index,
                old_index,
                side[new_index..new_index + new_len].to_vec(),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index,
                old_index + old_len,
                side[new_index..new_index + new_len].to_vec(),
            ),
        };
        // Adjacent operations make one hunk.
        match out.last_mut() {
            Some(h) if h.end == s => {
                h.end = e;
                h.lines.extend(lines);
            }
            _ => out.push(Hunk {
                start: s,
                end: e,
                lines,
            }),
        }
    }
    out
}

/// A line-level three-way merge; `None` when the two sides changed the
/// same or touching lines of the base differently.
pub fn merge_lines(base: &str, ours: &str, theirs: &str) -> Option<String> {
    if ours == theirs {
        return Some(ours.to_string());
    }
    if ours == base {
        return Some(theirs.to_string());
    }
    if theirs == base {
        return Some(ours.to_string());
    }
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let (ho, ht) = (hunks(&b, &o), hunks(&b, &t));
    // Conflicts: hunks that overlap or touch (two insertions at one point,
    // an insertion at the edge of a change), unless identical.
    for x in &ho {
        for y in &ht {
            let touch = x.start <= y.end && y.start <= x.end;
            let same = x == y;
            if touch && !same {
                return None;
            }
        }
    }
    let mut all: Vec<&Hunk> = ho.iter().collect();
    for y in &ht {
        if !ho.contains(y) {
            all.push(y);
        }
    }
    all.sort_by_key(|h| (h.start, h.end));
    let mut out = String::with_capacity(ours.len().max(theirs.len()));
    let mut i = 0;
    for h in all {
        for l in &b[i..h.start] {
            out.push_str(l);
        }
        for l in &h.lines {
            out.push_str(l);
        }
        i = h.end;
    }
    for l in &b[i..] {
        out.push_str(l);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, updated: &str, tags: &str, body: &str) -> String {
        format!(
            "---\nid: {id}\ntitle: Build notes\nkind: fact\ntags: [{tags}]\ncreated: 2026-11-01T10:00:00Z\nupdated: {updated}\n---\n{body}"
        )
    }
    const ID: &str = "01JDZ8Q3M6V9B7X2K4T5R8N1PQ";

    #[test]
    fn line_merge_takes_both_sides_when_they_touch_different_lines() {
        let base = "a\nb\nc\nd\ne\n";
        assert_eq!(
            merge_lines(base, "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n").as_deref(),
            Some("A\nb\nc\nd\nE\n")
        );
        // The same change on both sides is taken once.
        assert_eq!(
            merge_lines(base, "a\nB\nc\nd\ne\n", "a\nB\nc\nd\ne\n").as_deref(),
            Some("a\nB\nc\nd\ne\n")
        );
        // One side deletes a line far from the other's insertion.
        assert_eq!(
            merge_lines(base, "a\nc\nd\ne\n", "a\nb\nc\nd\ne\nf\n").as_deref(),
            Some("a\nc\nd\ne\nf\n")
        );
        // Overlapping: no merge.
        assert_eq!(
            merge_lines(base, "a\nX\nc\nd\ne\n", "a\nY\nc\nd\ne\n"),
            None
        );
        // Two insertions at the same point are a conflict (order unknown).
        assert_eq!(
            merge_lines(base, "a\nb\nc\nd\ne\nx\n", "a\nb\nc\nd\ne\ny\n"),
            None
        );
    }

    #[test]
    fn front_matter_merges_field_by_field_and_lists_are_unions() {
        let base = entry(
            ID,
            "2026-11-01T10:00:00Z",
            "rust",
            "The build needs cmake.\n\nAnd clang.\n",
        );
        let ours = entry(
            ID,
            "2026-11-02T10:00:00Z",
            "rust, ci",
            "The build needs cmake 3.28.\n\nAnd clang.\n",
        );
        let theirs = entry(
            ID,
            "2026-11-03T10:00:00Z",
            "rust, llama",
            "The build needs cmake.\n\nAnd clang 18.\n",
        );
        let m = merge_entry("eng/build/notes.md", Some(&base), &ours, &theirs).unwrap();
        assert!(m.sibling.is_none(), "{m:?}");
        let e = Entry::parse(&m.text).unwrap();
        assert_eq!(e.meta.tags, ["rust", "ci", "llama"]);
        assert_eq!(e.meta.updated.as_deref(), Some("2026-11-03T10:00:00Z"));
        assert_eq!(e.body(), "The build needs cmake 3.28.\n\nAnd clang 18.\n");
        assert!(!m.text.contains("<<<<<<<"));
    }

    #[test]
    fn overlapping_bodies_keep_ours_and_make_theirs_a_contradicting_sibling() {
        let base = entry(ID, "2026-11-01T10:00:00Z", "", "The standup is at 9:30.\n");
        let ours = entry(ID, "2026-11-02T10:00:00Z", "", "The standup is at 9:45.\n");
        let theirs = entry(ID, "2026-11-03T10:00:00Z", "", "The standup is at 10:00.\n");
        let m = merge_entry("team/rituals/standup.md", Some(&base), &ours, &theirs).unwrap();
        let kept = Entry::parse(&m.text).unwrap();
        assert_eq!(kept.body(), "The standup is at 9:45.\n");
        assert!(crate::quarantine::in_review(&kept));
        let sib = Entry::parse(m.sibling.as_deref().unwrap()).unwrap();
        assert_eq!(sib.body(), "The standup is at 10:00.\n");
        assert_ne!(sib.meta.id, ID);
        assert!(sib.meta.relations.iter().any(|r| r.rel == "contradicts"
            && r.to == "team/rituals/standup"
            && r.id.as_deref() == Some(ID)));
        assert!(crate::quarantine::in_review(&sib));
        assert!(!m.text.contains("<<<<<<<") && !m.sibling.unwrap().contains("<<<<<<<"));
    }

    #[test]
    fn a_scalar_changed_on_both_sides_takes_the_later_edit_and_says_so() {
        let base = entry(ID, "2026-11-01T10:00:00Z", "", "x\n")
            .replace("kind: fact", "kind: fact\nimportance: 50");
        let ours = entry(ID, "2026-11-05T10:00:00Z", "", "x\n")
            .replace("kind: fact", "kind: fact\nimportance: 70");
        let theirs = entry(ID, "2026-11-03T10:00:00Z", "", "x\n")
            .replace("kind: fact", "kind: fact\nimportance: 20");
        let m = merge_entry("a/b/c.md", Some(&base), &ours, &theirs).unwrap();
        assert_eq!(Entry::parse(&m.text).unwrap().meta.importance, 70);
        assert!(
            m.notes.iter().any(|n| n.contains("importance")),
            "{:?}",
            m.notes
        );
    }

    /// A random edit of `base`'s lines: some replaced, deleted or inserted.
    fn edit(base: &[String], rng: &mut crate::rng::Rng, tag: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, l) in base.iter().enumerate() {
            match rng.below(10) {
                0 => out.push(format!("{tag} replaced {i}")),
                1 => {}
                2 => {
                    out.push(l.clone());
                    out.push(format!("{tag} inserted {i}"));
                }
                _ => out.push(l.clone()),
            }
        }
        out
    }

    #[test]
    fn line_merge_properties_hold_on_random_edits() {
        let mut rng = crate::rng::Rng::new(11);
        let join = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
        for case in 0..3000 {
            let n = rng.range(0, 12);
            let base: Vec<String> = (0..n).map(|i| format!("line {i}")).collect();
            let (o, t) = (
                edit(&base, &mut rng, "ours"),
                edit(&base, &mut rng, "theirs"),
            );
            let (b, os, ts) = (join(&base), join(&o), join(&t));
            // One side unchanged: the other side, exactly.
            assert_eq!(
                merge_lines(&b, &b, &ts).as_deref(),
                Some(ts.as_str()),
                "case {case}"
            );
            assert_eq!(
                merge_lines(&b, &os, &b).as_deref(),
                Some(os.as_str()),
                "case {case}"
            );
            assert_eq!(
                merge_lines(&b, &os, &os).as_deref(),
                Some(os.as_str()),
                "case {case}"
            );
            if let Some(m) = merge_lines(&b, &os, &ts) {
                // Every line either side added is in the result, and every
                // base line both sides kept.
                for l in o.iter().chain(&t).filter(|l| !base.contains(l)) {
                    assert!(m.contains(l.as_str()), "case {case}: {l} lost in {m:?}");
                }
                for l in base.iter().filter(|l| o.contains(l) && t.contains(l)) {
                    assert!(m.lines().any(|x| x == l), "case {case}: {l} lost");
                }
                // Symmetric (the same merge from the other side).
                assert_eq!(
                    merge_lines(&b, &ts, &os).as_deref(),
                    Some(m.as_str()),
                    "case {case}"
                );
            }
        }
    }

    #[test]
    fn a_forget_meets_an_edit_a_metadata_change_or_an_approval() {
        let base = Entry::parse(&entry(ID, "2026-11-01T10:00:00Z", "", "x\n")).unwrap();
        let edited = Entry::parse(&entry(ID, "2026-11-02T10:00:00Z", "", "y\n")).unwrap();
        assert_eq!(edit_vs_forget(&base, &edited), EditVsForget::Revive);
        let ended = Entry::parse(
            &entry(ID, "2026-11-02T10:00:00Z", "a", "x\n")
                .replace("kind: fact", "kind: fact\nvalid_to: 2026-11-02T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(edit_vs_forget(&base, &ended), EditVsForget::Archive);
        let held = Entry::parse(&entry(ID, "2026-11-01T10:00:00Z", "", "x\n").replace(
            "kind: fact",
            "kind: fact\ncuration: review\nreview: an agent's change",
        ))
        .unwrap();
        let approved = Entry::parse(
            &entry(ID, "2026-11-01T10:00:00Z", "", "x\n")
                .replace("kind: fact", "kind: fact\ncuration: approved"),
        )
        .unwrap();
        assert_eq!(edit_vs_forget(&held, &approved), EditVsForget::Disputed);
        // Not waiting before: an approval is metadata like any other.
        assert_eq!(edit_vs_forget(&base, &approved), EditVsForget::Archive);
    }

    #[test]
    fn a_disputed_held_supersede_waits_again_as_it_was_held() {
        let why = "held for review: would supersede a/b/old (edited on the other side meanwhile)";
        let base = Entry::parse(&entry(ID, "2026-11-01T10:00:00Z", "", "x\n").replace(
            "kind: fact",
            &format!(
                "kind: fact\ncuration: review\nreview: '{why}'\nrelations:\n- {{rel: contradicts, to: a/b/old}}"
            ),
        ))
        .unwrap();
        let mut e = Entry::parse(&entry(ID, "2026-11-01T10:00:00Z", "", "x\n").replace(
            "kind: fact",
            "kind: fact\ncuration: approved\nvalid_from: 2026-11-01T10:00:00Z\nrelations:\n- {rel: supersedes, to: a/b/old}",
        ))
        .unwrap();
        assert_eq!(
            hold_disputed(&base, &mut e).unwrap().as_deref(),
            Some("a/b/old")
        );
        assert!(crate::quarantine::in_review(&e));
        let review = e.front_matter().get("review").unwrap().as_str().unwrap();
        assert!(
            review.starts_with(why) && review.contains(APPROVED_AND_REJECTED),
            "{review}"
        );
        assert_eq!(e.meta.relations[0].rel, "contradicts");
        assert!(e.meta.valid_from.is_none());
    }

    #[test]
    fn two_new_entries_at_one_path_are_both_kept() {
        let a = entry(ID, "2026-11-01T10:00:00Z", "", "one\n");
        let b = entry(
            "01JDZ8Q3M6V9B7X2K4T5R8N1PR",
            "2026-11-01T10:00:00Z",
            "",
            "two\n",
        );
        let m = merge_entry("a/b/c.md", None, &a, &b).unwrap();
        assert_eq!(m.text, a);
        assert_eq!(m.sibling.as_deref(), Some(b.as_str()));
        assert!(merge_entry("a/b/c.md", None, "no front matter", &b).is_err());
    }
}

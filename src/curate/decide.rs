//! Deciding what to do with a statement, given its nearest existing entries.
//!
//! Deterministic signals decide whenever they are clear: normalised-text
//! equality, the subject (a different named person is a different fact),
//! change markers ("moved", "no longer", "switched"), changed values (names,
//! numbers, times) with the rest of the statement unchanged, containment of
//! the old statement in the new one (refinement) or of the new in the old
//! (nothing new), addition markers ("also", "as well") and embedding cosine.
//! What is left is ambiguous: then the model picks among the 2-3 plausible
//! operations (a grammar-constrained one-letter answer), or, with no model,
//! the safe default (add: nothing is lost, a later `mem dream` can merge).

use crate::model::{GenRequest, Generator};
use crate::text::{Analysis, Overlap, overlap};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Update,
    Merge,
    Supersede,
    Noop,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Update => "update",
            Op::Merge => "merge",
            Op::Supersede => "supersede",
            Op::Noop => "noop",
        }
    }
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "add" => Op::Add,
            "update" => Op::Update,
            "merge" => Op::Merge,
            "supersede" => Op::Supersede,
            "noop" => Op::Noop,
            _ => return None,
        })
    }
    /// How the option is described to the model.
    fn describe(self) -> &'static str {
        match self {
            Op::Noop => "NEW says the same as OLD (nothing new)",
            Op::Update => "NEW is OLD with more detail",
            Op::Merge => "NEW adds another fact about the same thing as OLD",
            Op::Supersede => "NEW replaces OLD (OLD is no longer true)",
            Op::Add => "NEW is about something else",
        }
    }
}

/// An existing entry considered as a target.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Entry path (domain/topic/slug).
    pub path: String,
    /// The entry's id.
    pub id: String,
    pub statement: String,
    /// Embedding cosine with the new statement, if an embedder is available.
    pub cosine: Option<f32>,
    pub trust: Option<String>,
    /// The entry is an event (a conversation turn, something that
    /// happened): history, which a fact never updates, merges into or
    /// supersedes.
    pub event: bool,
}

/// A decision about one candidate.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub op: Op,
    pub reason: String,
    /// Clear by deterministic signals; otherwise `options` lists what the
    /// model may choose from (the default `op` first).
    pub clear: bool,
    pub options: Vec<Op>,
}

fn clear(op: Op, reason: impl Into<String>) -> Verdict {
    Verdict {
        op,
        reason: reason.into(),
        clear: true,
        options: vec![op],
    }
}

fn unclear(op: Op, reason: impl Into<String>, options: Vec<Op>) -> Verdict {
    Verdict {
        op,
        reason: reason.into(),
        clear: false,
        options,
    }
}

/// Words joined with commas, for a reason.
fn comma_list(words: &[&String]) -> String {
    words
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(s: &std::collections::BTreeSet<String>) -> String {
    s.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Embedding cosine above which two statements with the same values (after
/// normalising numbers, times and units) and no change, negation or
/// addition marker say the same thing. Chosen on fixtures/curation/dev.jsonl
/// (`examples/pair_cosines.rs`): paraphrases there have a median of 0.87.
const PARAPHRASE_COSINE: f32 = 0.85;

/// Cosine above which two statements holding the same values, and no
/// other value, say the same thing. Chosen on fixtures/curation/dev.jsonl.
const VALUES_PARAPHRASE_COSINE: f32 = 0.70;

/// Values of `a` also in `b` (as values or words), the subject's aside.
fn shared_values(a: &Analysis, b: &Analysis) -> Vec<String> {
    let subject = crate::text::subject_words(a, b);
    let theirs = b.stems();
    let their_values = b.values();
    a.values()
        .into_iter()
        .filter(|v| !subject.contains(v.as_str()))
        .filter(|v| their_values.contains(v) || theirs.contains(v))
        .collect()
}

/// Whether the values both statements hold appear in another order. The
/// subject both share is no value here: it moves with the voice ("Ines
/// took over as lead of project Aspen" / "Project Aspen is led by …").
fn values_reordered(a: &Analysis, b: &Analysis) -> bool {
    let shared_subject: Vec<&str> = match (&a.subject, &b.subject) {
        (Some(x), Some(y)) if x == y || shortened(x, y) => {
            x.split(' ').chain(y.split(' ')).collect()
        }
        _ => Vec::new(),
    };
    let order = |x: &Analysis, y: &Analysis| -> Vec<String> {
        let theirs = y.values();
        let mut seen = std::collections::BTreeSet::new();
        x.words
            .iter()
            .filter(|w| w.value && theirs.contains(&w.stem))
            .filter(|w| !shared_subject.contains(&w.stem.as_str()))
            .filter(|w| seen.insert(w.stem.clone()))
            .map(|w| w.stem.clone())
            .collect()
    };
    let (oa, ob) = (order(a, b), order(b, a));
    oa.len() >= 2 && oa != ob && !copula_inverted(a, b, &oa)
}

/// Two shared values on either side of a copula, sides swapped ("Node 18
/// is the runtime for the API" / "The API runtime is Node 20"): one
/// statement turned around, not another order of things.
fn copula_inverted(a: &Analysis, b: &Analysis, shared: &[String]) -> bool {
    let [x, y] = shared else {
        return false;
    };
    let side = |an: &Analysis, v: &str| -> Option<bool> {
        let cop = an
            .words
            .iter()
            .position(|w| crate::text::is_copula(&w.raw))?;
        let at = an.words.iter().position(|w| w.stem == v)?;
        Some(at < cop)
    };
    let sides = |an: &Analysis| Some((side(an, x)?, side(an, y)?));
    match (sides(a), sides(b)) {
        (Some((ax, ay)), Some((bx, by))) => ax != ay && ax != bx && ay != by,
        _ => false,
    }
}

/// Whether a word of one statement stands where another word stands in
/// the other, between the same neighbours ("the nightly *report* job" /
/// "the nightly *export* job", "Helga's *daughter* studies"): one thing
/// named in place of another, not the same thing said another way.
/// Neighbours are the nearest content words (none at either end).
fn swapped_in_frame(a: &Analysis, b: &Analysis, o: &Overlap) -> bool {
    type Frame<'a> = (Option<&'a str>, Option<&'a str>);
    // Runs of words only this side has, with the content words around them.
    fn frames<'a>(an: &'a Analysis, only: &std::collections::BTreeSet<String>) -> Vec<Frame<'a>> {
        let content: Vec<&str> = an
            .words
            .iter()
            .filter(|w| !w.stop && !w.stem.is_empty())
            .map(|w| w.stem.as_str())
            .collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < content.len() {
            if !only.contains(content[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < content.len() && only.contains(content[i]) {
                i += 1;
            }
            out.push((
                start.checked_sub(1).map(|j| content[j]),
                content.get(i).copied(),
            ));
        }
        out
    }
    // Words that may stand for each other in the same place without
    // naming another thing: forms of one word ("born" / "birthplace") and
    // light verbs ("runs" / "starts at").
    const LIGHT: &[&str] = &[
        "run", "begin", "happen", "occur", "take", "make", "get", "keep", "put", "set", "give",
        "is", "take", "hold", "kick",
    ];
    let exchangeable = |x: &str, y: &str| {
        let common = x.chars().zip(y.chars()).take_while(|(c, d)| c == d).count();
        common >= 4 || (LIGHT.contains(&x) && LIGHT.contains(&y))
    };
    let only_new: std::collections::BTreeSet<String> = o
        .only_new
        .iter()
        .filter(|x| !o.only_old.iter().any(|y| exchangeable(x, y)))
        .cloned()
        .collect();
    let only_old: std::collections::BTreeSet<String> = o
        .only_old
        .iter()
        .filter(|y| !o.only_new.iter().any(|x| exchangeable(x, y)))
        .cloned()
        .collect();
    let fa = frames(a, &only_new);
    let fb = frames(b, &only_old);
    let shared = |w: Option<&str>| w.is_some_and(|w| o.shared.contains(w));
    fa.iter().any(|&(p, n)| {
        fb.iter().any(|&(q, m)| {
            // Between the same shared words, or at the same end after
            // (before) a shared word.
            let same_place = p == q && n == m && (shared(p) || shared(n));
            let at_end = n.is_none() && m.is_none() && shared(p) && shared(q);
            let at_start = p.is_none() && q.is_none() && shared(n) && shared(m);
            (same_place && (shared(p) || p.is_none()) && (shared(n) || n.is_none()))
                || at_end
                || at_start
        })
    })
}

/// Changed slots: the statement's words holding one of `vals` ("fact
/// number 1 about rack 1" -> "… 2 … rack 2": two slots). A value of
/// several words side by side ("Arch Linux", "March 8", "Sofia Adeyemi")
/// fills one slot, and numbers written in groups ("0171 555 0192") are one
/// value too: a run of adjacent value words is one slot when any of it
/// changed.
fn slots(an: &Analysis, vals: &std::collections::BTreeSet<String>) -> usize {
    let mut runs = 0;
    let mut in_run = false;
    let mut changed = false;
    let mut last: Option<usize> = None;
    for w in an.words.iter().filter(|w| w.value) {
        if last.is_some_and(|p| p + 1 == w.pos) {
            changed |= vals.contains(&w.stem);
        } else {
            runs += usize::from(in_run && changed);
            in_run = true;
            changed = vals.contains(&w.stem);
        }
        last = Some(w.pos);
    }
    runs + usize::from(in_run && changed)
}

/// Nouns whose number names a version of something rather than another
/// thing ("Release 4.2 is live" / "Release 4.3 is live": what is live
/// changed).
const VERSION_NOUNS: &[&str] = &[
    "version",
    "release",
    "build",
    "tag",
    "revision",
    "rev",
    "v",
    "iteration",
    "edition",
];

/// The changed value is part of what the statement is about: it follows
/// the noun that opens the statement and comes before its verb ("*Python
/// 3.8* is end of life", "*Bus 12* goes to the airport", "*Room 101* has a
/// projector"). Another value there is another thing, unless the noun
/// names a version, or the verb gives a role one thing holds at a time
/// ("Node 20 is *the* current LTS").
fn value_in_subject(an: &Analysis, vals: &std::collections::BTreeSet<String>) -> bool {
    const DETERMINERS: &[&str] = &["the", "our", "my", "a", "an", "their", "his", "her", "your"];
    const VERBS: &[&str] = &[
        "is", "are", "was", "were", "has", "have", "had", "go", "goes", "went", "run", "leave",
        "stop", "need", "gets", "comes", "takes", "makes", "can", "will", "must", "should", "does",
        "do",
    ];
    let w = &an.words;
    let Some(i) = w.iter().position(|x| x.value && vals.contains(&x.stem)) else {
        return false;
    };
    if i == 0 || i > 3 || w[i].pos != i {
        return false;
    }
    let start = usize::from(DETERMINERS.contains(&w[0].raw.to_lowercase().as_str()));
    let nouns = &w[start..i];
    if nouns.is_empty()
        || nouns.len() > 2
        || nouns
            .iter()
            .any(|x| x.stop || Analysis::is_marker(&x.raw.to_lowercase()))
        || VERSION_NOUNS.contains(&nouns[nouns.len() - 1].raw.to_lowercase().as_str())
    {
        return false;
    }
    let mut j = i;
    while w
        .get(j + 1)
        .is_some_and(|x| x.value && x.pos == w[j].pos + 1)
    {
        j += 1;
    }
    let Some(next) = w.get(j + 1) else {
        return false;
    };
    let v = next.raw.to_lowercase();
    let verb = VERBS.contains(&v.as_str())
        || (v.len() > 3 && v.ends_with('s') && !v.ends_with("ss") && !next.value && !next.stop);
    let role = crate::text::is_copula(&v)
        && w.get(j + 2)
            .is_some_and(|x| x.raw.eq_ignore_ascii_case("the"));
    verb && !role
}

/// Verbs of having: "has *a* cat named Saga", "owns *a* flat in Beirut".
const HAVING: &[&str] = &[
    "has", "have", "had", "owns", "own", "owned", "keeps", "keep", "kept", "got", "bought",
    "rents", "rent",
];

/// The old statement names one thing of several a subject may have ("Olga
/// has *a* sister in Riga", "The office has *a* printer on the 2nd floor"):
/// a verb of having, then "a"/"an", before the first word of `only_old`
/// (the value or word that differs). Another value there is another thing
/// of the kind (a second sister, a second printer), not a change.
fn one_of_several(b: &Analysis, only_old: &std::collections::BTreeSet<String>) -> bool {
    let Some(at) = b.words.iter().position(|w| only_old.contains(&w.stem)) else {
        return false;
    };
    let lower: Vec<String> = b.words.iter().map(|w| w.raw.to_lowercase()).collect();
    (0..at.saturating_sub(1)).any(|i| {
        HAVING.contains(&lower[i].as_str())
            && matches!(lower[i + 1].as_str(), "a" | "an" | "another")
            // "has a (monthly) budget of 150": "of" makes the noun an
            // attribute with one value.
            && !lower[i + 2..].iter().take(3).any(|w| w == "of")
    })
}

/// Whether a statement lists items: two or more joined by commas, "and"
/// or "or" ("Coffee suppliers: Kaffa Roastery and Origin Lab", "won't eat
/// mushrooms or olives").
fn lists_items(b: &Analysis) -> bool {
    !b.comma_after.is_empty()
        || b.words.iter().enumerate().any(|(i, w)| {
            matches!(w.raw.to_lowercase().as_str(), "and" | "or")
                && i > 0
                && !b.words[i - 1].stop
                && b.words.get(i + 1).is_some_and(|n| !n.stop)
        })
}

/// Whether `subject` is one word that `other` writes in lower case.
fn lower_in(subject: &str, other: &Analysis) -> bool {
    !subject.contains(' ')
        && subject != "@user"
        && other
            .words
            .iter()
            .any(|w| w.stem == subject && w.raw.starts_with(|c: char| c.is_lowercase()))
}

/// The old statement lists its values ("speaks Yoruba and English", "plays
/// on Tuesdays, Thursdays and Saturdays"): the lost values are joined by
/// "and", "or" or commas.
fn listed(b: &Analysis, lost: &std::collections::BTreeSet<String>) -> bool {
    let pos: Vec<usize> = b
        .words
        .iter()
        .filter(|w| lost.contains(&w.stem))
        .map(|w| w.pos)
        .collect();
    pos.len() >= 2
        && (b.words.iter().any(|w| {
            matches!(w.raw.to_lowercase().as_str(), "and" | "or")
                && pos.first().is_some_and(|&f| f < w.pos)
                && pos.last().is_some_and(|&l| l > w.pos)
        })
            // Or written with commas alone: "rota: Tariq, Samira, Omar".
            || pos.len() >= 3 && pos[..pos.len() - 1].iter().all(|p| b.comma_after.contains(p)))
}

/// Lists a person keeps, named by their kind, and the verbs that add an
/// item to one ("does", "took up" a hobby; "speaks" a language).
const LIST_KINDS: &[(&[&str], &[&str])] = &[
    (
        &["hobbies", "hobby", "interests", "pastimes"],
        &[
            "does",
            "plays",
            "took",
            "taken",
            "practises",
            "practices",
            "enjoys",
        ],
    ),
    (&["languages"], &["speaks", "learning", "learns"]),
    (&["allergies"], &["allergic"]),
    (&["sports"], &["plays", "does"]),
    (&["instruments"], &["plays"]),
];

/// The kind of list `old` names for its subject when `new`, about the same
/// subject and saying it adds ("also", "too", "as well"), gives one more
/// item of it by a verb of that kind; `None` otherwise.
fn list_kind_grows(new: &Analysis, old: &Analysis) -> Option<&'static str> {
    let (sa, sb) = (new.subject.as_ref()?, old.subject.as_ref()?);
    if sa != sb || sa == "@user" || new.addition_markers(old).is_empty() {
        return None;
    }
    let lower =
        |an: &Analysis| -> Vec<String> { an.words.iter().map(|w| w.raw.to_lowercase()).collect() };
    let (nw, ow) = (lower(new), lower(old));
    // The old statement lists ("… and …", "include …").
    if !ow
        .iter()
        .any(|w| matches!(w.as_str(), "and" | "include" | "includes" | "including"))
    {
        return None;
    }
    LIST_KINDS.iter().find_map(|(kinds, verbs)| {
        let kind = kinds.iter().find(|k| ow.iter().any(|w| w == *k))?;
        nw.iter()
            .any(|w| verbs.contains(&w.as_str()))
            .then_some(*kind)
    })
}

/// Roles a person or a team holds toward a thing (stems, synonyms folded).
const ROLES: &[&str] = &["lead", "own", "maintain"];

/// The holder named by a statement in the passive ("… is led *by Oskar*"):
/// the value words after `by`, when the role's verb comes right before.
fn passive_holder(an: &Analysis) -> Option<Vec<String>> {
    let w = &an.words;
    let i = w.iter().position(|x| x.raw.eq_ignore_ascii_case("by"))?;
    if i == 0 || !ROLES.contains(&w[i - 1].stem.as_str()) {
        return None;
    }
    let names: Vec<String> = w[i + 1..]
        .iter()
        .skip_while(|x| x.stop)
        .take_while(|x| x.value)
        .map(|x| x.stem.clone())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// When one statement names the holder of a role as its subject and the
/// other in the passive, and nothing else differs but the holders (and a
/// word of their kind: "the Discovery *team*"): the old and the new holder.
fn holder_changed(a: &Analysis, b: &Analysis, o: &Overlap) -> Option<(String, String)> {
    const KINDS: &[&str] = &["team", "group", "squad", "department"];
    let role = ROLES
        .iter()
        .find(|r| a.stems().contains(**r) && b.stems().contains(**r))?;
    let active = |x: &Analysis| -> Option<Vec<String>> {
        let s = x.subject.as_ref().filter(|s| s.as_str() != "@user")?;
        // The subject acts: the role's verb follows the name.
        let names: Vec<String> = s.split(' ').map(str::to_string).collect();
        let last = names.last()?;
        let at = x.words.iter().position(|w| w.stem == *last)?;
        x.words[at + 1..]
            .iter()
            .find(|w| !w.stop)
            .is_some_and(|w| w.stem == *role)
            .then_some(names)
    };
    let (new_holder, old_holder) = match (passive_holder(a), passive_holder(b)) {
        (Some(n), None) => (n, active(b)?),
        (None, Some(o)) => (active(a)?, o),
        _ => return None,
    };
    let fits = |only: &std::collections::BTreeSet<String>, holder: &[String]| {
        !only.is_empty()
            && only
                .iter()
                .all(|w| holder.contains(w) || KINDS.contains(&w.as_str()))
    };
    (new_holder != old_holder && fits(&o.only_new, &new_holder) && fits(&o.only_old, &old_holder))
        .then(|| (old_holder.join(" "), new_holder.join(" ")))
}

/// Whether a value (a stem) is a day of the week, a month or a clock time,
/// which say when a thing is, not which thing it is.
fn when_value(v: &str) -> bool {
    let v = v.trim_end_matches('s');
    // A clock time ("17:00"); plain numbers may name the thing ("Android
    // 8", "the 2026 budget", "version 2.3").
    crate::text::WEEKDAYS.contains(&v)
        || crate::text::MONTHS.contains(&v)
        || (v.contains(':') && v.chars().all(|c| c.is_ascii_digit() || c == ':'))
}

/// The old statement's value said to be replaced by another of its kind
/// ("replaced LastPass with Bitwarden" / "Password manager: LastPass",
/// "switched from Jenkins to Buildkite", "uses Forgejo instead of Gitea"):
/// the old statement no longer holds. The old value must be the only value
/// the old statement gives, so that nothing else of it is lost.
fn replaced_value(a: &Analysis, b: &Analysis) -> Option<Verdict> {
    if a.negated || b.negated {
        return None;
    }
    let old_values = b.values();
    let w = &a.words;
    let lower: Vec<String> = w.iter().map(|x| x.raw.to_lowercase()).collect();
    let is_old = |i: usize| w[i].value && old_values.contains(&w[i].stem);
    let is_new = |i: usize| w[i].value && !old_values.contains(&w[i].stem);
    let mut pair = None;
    for i in 0..w.len() {
        // "replaced X with Y", "swapped X for Y".
        if matches!(
            lower[i].as_str(),
            "replaced" | "replace" | "swapped" | "swap"
        ) && i + 1 < w.len()
            && is_old(i + 1)
            && let Some(k) = (i + 2..w.len()).find(|&k| !w[k].value)
            && matches!(lower[k].as_str(), "with" | "by" | "for")
            && k + 1 < w.len()
            && is_new(k + 1)
        {
            pair = Some((i + 1, k + 1));
        }
        // "from X to Y" after a change word ("switched", "moved").
        if lower[i] == "from"
            && i + 1 < w.len()
            && is_old(i + 1)
            && (i.saturating_sub(3)..i).any(|j| Analysis::is_marker(&lower[j]))
            && let Some(k) = (i + 2..w.len()).find(|&k| !w[k].value)
            && lower[k] == "to"
            && k + 1 < w.len()
            && is_new(k + 1)
        {
            pair = Some((i + 1, k + 1));
        }
        // "Y instead of X".
        if lower[i] == "instead"
            && i + 2 < w.len()
            && lower[i + 1] == "of"
            && is_old(i + 2)
            && i >= 1
            && is_new(i - 1)
        {
            pair = Some((i + 2, i - 1));
        }
    }
    let (was, now) = pair?;
    if old_values.len() != 1 || value_class(&w[was].stem) != value_class(&w[now].stem) {
        return None;
    }
    Some(clear(
        Op::Supersede,
        format!("{} replaced by {}", w[was].raw, w[now].raw),
    ))
}

/// A verb stem that only relates a thing to its value ("runners *use* the
/// image …", "assets are *served* via …", "secrets are *kept* in …"): no
/// attribute of its own. (Not "live", often an adjective: "the *live* base
/// URL" is another URL than the sandbox one.)
fn relating_verb(stem: &str) -> bool {
    matches!(
        stem,
        "run" | "use" | "keep" | "kept" | "serv" | "come" | "sit"
    )
}

/// The coarse kind of a value: a day or clock time, a number (a version,
/// an amount), an address (dots), or a name.
fn value_class(v: &str) -> &'static str {
    if when_value(v) {
        "when"
    } else if v
        .trim_start_matches('v')
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        "number"
    } else if v.contains('.') {
        "address"
    } else {
        "name"
    }
}

/// A change said of the subject alone, which is all the two statements
/// share ("Standup moved to 10:00" / "Standup is at 09:30", "Terraform's
/// on 1.9 now" / "Terraform version: 1.6"): a change word, one value lost
/// and one gained of the same kind, and the old statement says nothing
/// else of the subject (at most that the value is its version, or a verb
/// that relates it; not where the subject lives or is based: "Mei's new
/// manager is Kenji" / "Mei is based in Osaka").
fn subject_changed(a: &Analysis, b: &Analysis, o: &Overlap) -> Option<Verdict> {
    let changes = a.explicit_change_markers(b);
    if o.shared.is_empty()
        || changes.is_empty()
        || a.negated
        || b.negated
        || o.lost_values.is_empty()
        || o.new_values.is_empty()
        || slots(b, &o.lost_values) != 1
        || slots(a, &o.new_values) != 1
        || one_of_several(b, &o.lost_values)
        || lists_items(b)
    {
        return None;
    }
    // The same kinds of value on both sides ("14 Linden Way" / "3 Harbour
    // Close": a number and a name each).
    let classes = |vals: &BTreeSet<String>| -> BTreeSet<&'static str> {
        vals.iter().map(|v| value_class(v)).collect()
    };
    if classes(&o.lost_values) != classes(&o.new_values) {
        return None;
    }
    let kind = b.subject_kind();
    let own_old = o
        .only_old
        .iter()
        .filter(|w| !o.lost_values.contains(*w) && !crate::text::is_frame_word(w))
        .filter(|w| Some(w.as_str()) != kind)
        .all(|w| matches!(w.as_str(), "version" | "releas") || relating_verb(w));
    if !own_old {
        return None;
    }
    Some(clear(
        Op::Supersede,
        format!(
            "change marker \"{}\" of the subject alone; {} -> {}",
            changes.join("\", \""),
            list(&o.lost_values),
            list(&o.new_values)
        ),
    ))
}

/// "…, not X" naming the old statement's value: the old statement was wrong
/// ("Bilal's flat is on the 5th floor, not the 4th").
fn not_the_old_value(a: &Analysis, b: &Analysis) -> Option<String> {
    let old_values = b.values();
    let old_stems = b.stems();
    a.words.iter().enumerate().find_map(|(i, w)| {
        // The new value comes right before: "the 5th floor, not the 4th"
        // (not "Ana does not like Ben").
        let new_before = a.words[i.saturating_sub(3)..i]
            .iter()
            .any(|x| x.value && !old_stems.contains(&x.stem));
        if w.raw.to_lowercase() != "not" || !new_before {
            return None;
        }
        a.words[i + 1..]
            .iter()
            .take(2)
            .find(|x| {
                x.value
                    && old_values.contains(&x.stem)
                    && !a.words[..i].iter().any(|y| y.stem == x.stem)
            })
            .map(|x| format!("not {}", x.raw))
    })
}

/// Whether one of `only` stands right before a noun that holds one value
/// ("the *beta* phase": [`crate::text::SINGLE_VALUED`]).
fn head_before_single(an: &Analysis, only: &std::collections::BTreeSet<String>) -> bool {
    an.words.windows(2).any(|p| {
        only.contains(&p[0].stem)
            && crate::text::SINGLE_VALUED.contains(&p[1].raw.to_lowercase().as_str())
    })
}

/// Whether one subject is the other with a kind or a title in front
/// ("project tamarind" / "tamarind", "grandpa ernesto" / "ernesto").
fn shortened(x: &str, y: &str) -> bool {
    // Family titles too ("Grandpa Ernesto", "Aunt Lea").
    const FAMILY: &[&str] = &[
        "grandpa",
        "grandma",
        "granny",
        "grandad",
        "grandfather",
        "grandmother",
        "uncle",
        "aunt",
        "auntie",
        "cousin",
    ];
    let (short, long) = if x.len() < y.len() { (x, y) } else { (y, x) };
    long.split_once(' ').is_some_and(|(first, rest)| {
        rest == short
            && (crate::text::NAMED_KINDS.contains(&first)
                || crate::text::TITLES.contains(&first)
                || FAMILY.contains(&first))
    })
}

/// The one element of a set of one.
fn only(set: &std::collections::BTreeSet<String>) -> Option<&str> {
    (set.len() == 1)
        .then(|| set.iter().next().map(String::as_str))
        .flatten()
}

/// The noun that says what kind of value `value` is: the content word
/// right after it ("the Payments *team*", "the #ops *channel*"), else right
/// before it ("*rack* H3", "*port* 8080", "*version* 1.5.8", "*Debian* 11"),
/// or before a copula there ("the *extension* is 7820"). `changed`: the
/// values that differ between the two statements, never an anchor.
fn anchor(
    an: &Analysis,
    value: &str,
    changed: &std::collections::BTreeSet<String>,
) -> Option<String> {
    let i = an.words.iter().position(|w| w.value && w.stem == value)?;
    let at = an.words[i].pos;
    // A name both keep is what the value belongs to ("PostgreSQL 13" /
    // "PostgreSQL 15").
    let noun = |w: &crate::text::Word| {
        !w.stop && !w.stem.is_empty() && (!w.value || !changed.contains(&w.stem))
    };
    let before = |k: usize| {
        i.checked_sub(k)
            .and_then(|j| an.words.get(j))
            .filter(|w| w.pos + k == at)
    };
    an.words
        .get(i + 1)
        .filter(|w| w.pos == at + 1 && noun(w))
        .or_else(|| before(1).filter(|w| noun(w)))
        .or_else(|| {
            before(1)
                .filter(|w| crate::text::is_copula(&w.raw))
                .and_then(|_| before(2))
                .filter(|w| noun(w))
        })
        .map(|w| w.stem.clone())
}

/// Whether one of `words` (words only this side has) stands right before a
/// content word both statements have, outside their subjects and `keep`:
/// it qualifies that word, so the two name different things ("the Android
/// *TV* app" / "the Android app", "*younger* cat" / "*older* cat").
fn qualifies_shared(
    an: &Analysis,
    words: &[&String],
    shared: &std::collections::BTreeSet<String>,
    keep: &[&str],
) -> bool {
    let subject: std::collections::BTreeSet<&str> =
        an.subject.iter().flat_map(|s| s.split(' ')).collect();
    an.words.windows(2).any(|p| {
        p[1].pos == p[0].pos + 1
            && words.iter().any(|w| **w == p[0].stem)
            && !p[1].stop
            && shared.contains(&p[1].stem)
            && !subject.contains(p[1].stem.as_str())
            && !keep.contains(&p[1].stem.as_str())
    })
}

/// The first content word after a statement's subject, past its
/// auxiliaries: what the statement says the subject does or is ("Priya
/// *owns* the queue", "The Tesla is *charged* at …").
fn predicate_word(an: &Analysis) -> Option<String> {
    let subject: Vec<&str> = an.subject.as_deref()?.split(' ').collect();
    let after = an
        .words
        .iter()
        .position(|w| subject.contains(&w.stem.as_str()))?;
    an.words[after + 1..]
        .iter()
        .find(|w| {
            !w.stop
                && !matches!(
                    w.raw.to_lowercase().as_str(),
                    "is" | "are"
                        | "was"
                        | "were"
                        | "has"
                        | "have"
                        | "had"
                        | "be"
                        | "been"
                        | "usually"
                        | "also"
                        | "still"
                        | "now"
                        | "always"
                        | "often"
                )
        })
        .map(|w| w.stem.clone())
}

/// Verbs that relate a subject to a place, a value or a holder.
const RELATION_VERBS: &[&str] = &[
    "sit", "sits", "sat", "run", "runs", "ran", "serve", "serves", "listen", "listens", "store",
    "stores", "host", "hosts", "live", "lives", "works", "use", "uses", "keep", "keeps", "kept",
    "reach", "stay", "stays", "go", "goes", "went", "is", "are", "was", "were", "be", "been",
    "got", "gets", "get", "target", "targets", "built", "build", "builds",
];

/// Whether each of `words` (stems of this side) is written as a verb: a
/// relation verb or a past participle ("moved", "retained").
fn only_verbs(an: &Analysis, words: &[&String]) -> bool {
    words.iter().all(|s| {
        an.words.iter().filter(|w| &&w.stem == s).all(|w| {
            let l = w.raw.to_lowercase();
            RELATION_VERBS.contains(&l.as_str()) || (l.len() >= 5 && l.ends_with("ed"))
        })
    })
}

/// Deterministic verdict for a new statement against one existing one.
pub fn judge(new: &str, old: &str, cosine: Option<f32>) -> Verdict {
    judge_with(new, &Analysis::new(new), old, &Analysis::new(old), cosine)
}

/// [`judge`] with the statements' analyses already made (`mem dream`
/// compares each entry with many others).
pub fn judge_with(
    new: &str,
    a: &Analysis,
    old: &str,
    b: &Analysis,
    cosine: Option<f32>,
) -> Verdict {
    let mut v = judge_inner(new, a, old, b, cosine);
    v.reason = surface(&v.reason, a, b);
    v
}

/// `reason` with each word stem the rules compared ("unabl", "cloudflar")
/// written as one of the statements has it ("unable", "cloudflare"): the
/// reason is read by people (front matter, `mem review`, commit messages).
fn surface(reason: &str, a: &Analysis, b: &Analysis) -> String {
    let words: Vec<&crate::text::Word> = a.words.iter().chain(b.words.iter()).collect();
    let mut out = String::with_capacity(reason.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if !token.is_empty() {
            // A word as written (a name keeps its capitals), else the
            // word a stem came from.
            let raw = |w: &crate::text::Word| {
                let r = w.raw.trim_end_matches("'s").trim_end_matches("’s");
                if w.value {
                    r.to_string()
                } else {
                    r.to_lowercase()
                }
            };
            let shown = words
                .iter()
                .find(|w| w.raw.to_lowercase() == *token && w.value)
                .or_else(|| {
                    words
                        .iter()
                        .find(|w| w.stem == *token && w.raw.to_lowercase() != *token)
                        .filter(|_| !words.iter().any(|w| w.raw.to_lowercase() == *token))
                })
                .map(|w| raw(w));
            out.push_str(shown.as_deref().unwrap_or(token));
            token.clear();
        }
    };
    for c in reason.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '\'') && !token.is_empty() {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Words joined by spaces, each once.
fn uniq_join(v: &[impl AsRef<str>]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for w in v {
        if !seen.contains(&w.as_ref()) {
            seen.push(w.as_ref());
        }
    }
    seen.join(" ")
}

fn judge_inner(new: &str, a: &Analysis, old: &str, b: &Analysis, cosine: Option<f32>) -> Verdict {
    if crate::entry::normalize(new) == crate::entry::normalize(old) {
        return clear(Op::Noop, "same text");
    }
    // A word said in other words ("seldom" / "rarely") is compared as
    // the old statement says it.
    let aligned = a.with_synonyms_of(b);
    let a = aligned.as_ref().unwrap_or(a);
    // Durations in other units ("about 1 hour" / "roughly 60 minutes"):
    // judged with both written in the smaller unit.
    if let Some((n2, o2)) = same_duration_units(new, old) {
        return judge_inner(&n2, &Analysis::new(&n2), &o2, &Analysis::new(&o2), cosine);
    }
    if let Some(v) = label_changed(a, old, b) {
        // Owned up to as a mistake ("got kaan's birthday wrong, it's the
        // 21st"): the old value was wrong, corrected in place.
        let corrections = a.correction_markers();
        if !corrections.is_empty() {
            return clear(
                Op::Update,
                format!(
                    "{}; correction (\"{}\")",
                    v.reason,
                    corrections.join("\", \"")
                ),
            );
        }
        return hedged_or(fixed_or(v, new, a, old, b), a, b);
    }
    if let Some(v) = label_grows(a, old, b) {
        return v;
    }
    // The new statement says from when (or for which season, term or
    // year) its value holds, and the old one names no time of its own
    // ("Daytime thermostat setpoint *this winter*: 19°C" / "Thermostat
    // daytime setpoint: 20.5°C"): that is when a new value began, not
    // another thing. Judged without those words; kept only when a value
    // changed (the same value "this winter" is a detail more, judged with
    // those words).
    if let Some((scoped, phrase)) = strip_period(new).filter(|_| !names_period(old)) {
        let a2 = Analysis::new(&scoped);
        let mut v = judge_analysed(&a2, b, &overlap(&a2, b), cosine);
        if v.op == Op::Supersede {
            v.reason = format!(
                "{} (\"{phrase}\": when it holds, not another thing)",
                v.reason
            );
            return fixed_or(v, &scoped, &a2, old, b);
        }
    }
    let o = overlap(a, b);
    let v = judge_analysed(a, b, &o, cosine);
    hedged_or(
        kinds_or(one_off_or(fixed_or(v, new, a, old, b), new, old), a, b, &o),
        a,
        b,
    )
}

/// Words that say a statement is not asserted for certain ("the GP wants
/// to test *whether* the allergy is real", "we're *considering* Postgres
/// 16", "the standup *might* move").
const HEDGES: &[&str] = &[
    "whether",
    "maybe",
    "perhaps",
    "possibly",
    "probably",
    "might",
    "wonder",
    "wondering",
    "unsure",
    "considering",
];

/// An update or a supersede said with a hedge the old statement does not
/// have changes nothing yet: the new statement is kept beside it.
fn hedged_or(v: Verdict, a: &Analysis, b: &Analysis) -> Verdict {
    if !matches!(v.op, Op::Update | Op::Supersede) {
        return v;
    }
    let theirs = b.lower_words();
    let Some(h) = a.has_any(HEDGES).into_iter().find(|h| !theirs.contains(h)) else {
        return v;
    };
    unclear(
        Op::Add,
        format!("{} (but not said for certain: \"{h}\")", v.reason),
        vec![Op::Add, v.op],
    )
}

/// A supersede whose new value is a name of another kind than the value it
/// would replace ("The billing service is written in Go" / "… moved to
/// Kubernetes": a language and a platform) replaces nothing: another
/// attribute of the same subject. Only names of a known kind count.
fn kinds_or(v: Verdict, a: &Analysis, b: &Analysis, o: &Overlap) -> Verdict {
    if v.op != Op::Supersede {
        return v;
    }
    let new = crate::text::value_kinds(&a.words, &o.new_values);
    let lost = crate::text::value_kinds(&b.words, &o.lost_values);
    if new.is_empty() || lost.is_empty() || !new.is_disjoint(&lost) {
        return v;
    }
    let names =
        |k: &std::collections::BTreeSet<&str>| k.iter().copied().collect::<Vec<_>>().join(", ");
    unclear(
        Op::Add,
        format!(
            "{} (a new {} where the old says {}: another attribute)",
            v.reason,
            names(&new),
            names(&lost)
        ),
        vec![Op::Add, Op::Supersede],
    )
}

/// Words that say a value holds once, not from now on ("just this once",
/// "tonight only", "this Wednesday's swimming is cancelled", "all next
/// week", "until my ankle heals").
fn one_off(text: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        let day = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|weekend)";
        regex::Regex::new(&format!(
            r"(?i)\b(?:(?:just )?this once|just this time|for this time|(?:tonight|today|this {day}) only|only (?:tonight|today|this {day})|all (?:of )?(?:next|this) week|(?:on )?this {day}(?:'s|’s)?|next {day} only|until (?:further notice|(?:my|his|her|their|its|the) [\w-]+ (?:heals|ends|is|are|has|have)\b|it'?s [\w-]+|they'?re [\w-]+))"
        ))
        .expect("valid regex")
    });
    // "from this week", "starting this Monday": when a change begins.
    static START: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let start = START.get_or_init(|| {
        regex::Regex::new(r"(?i)\b(?:from|starting|beginning|as of|after|since)\s*$")
            .expect("valid regex")
    });
    re.find_iter(text)
        .find(|m| !start.is_match(&text[..m.start()]))
        .map(|m| m.as_str().to_string())
}

/// `v`, or an add when it would replace the old statement with a value
/// that holds only once: the usual one stands.
fn one_off_or(v: Verdict, new: &str, old: &str) -> Verdict {
    if v.op == Op::Supersede
        && let Some(words) = one_off(new)
        && one_off(old).is_none()
    {
        return clear(
            Op::Add,
            format!("a one-off (\"{words}\"): the usual value stands"),
        );
    }
    v
}

/// The durations of `text`: (byte range, amount in minutes, unit in
/// minutes). "half an hour" is 30 minutes; "a day" after "once", "twice",
/// "times" or "per" is a rate, not a duration.
fn durations(text: &str) -> Vec<(std::ops::Range<usize>, f64, f64)> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(half an hour|(\d+(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)\s*(minutes?|mins?|hours?|hrs?|days?|weeks?))\b",
        )
        .expect("valid regex")
    });
    let mut out = Vec::new();
    for c in re.captures_iter(text) {
        let m = c.get(0).expect("whole match");
        let before = text[..m.start()].trim_end().to_lowercase();
        let prev = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_string();
        // "30 minutes *a day*", "3 coffees *a day*": a rate (but "takes a
        // day", "is a week" are durations).
        let number = c
            .get(2)
            .map_or(String::new(), |m| m.as_str().to_lowercase());
        let per = matches!(number.as_str(), "a" | "an")
            && (prev.chars().any(|ch| ch.is_ascii_digit())
                || matches!(
                    prev.as_str(),
                    "hour" | "minute" | "min" | "hr" | "day" | "week"
                )
                || (prev.ends_with('s')
                    && !matches!(
                        prev.as_str(),
                        "takes" | "lasts" | "needs" | "is" | "was" | "has" | "requires" | "gets"
                    )));
        let rate = per
            || ["once", "twice", "thrice", "times", "per", "every"]
                .iter()
                .any(|w| before.ends_with(w));
        if c[1].eq_ignore_ascii_case("half an hour") {
            out.push((m.range(), 30.0, 60.0));
            continue;
        }
        if rate {
            continue;
        }
        let n = match number.as_str() {
            "a" | "an" => 1.0,
            // An ordinal is no amount ("the third week").
            "third" | "fourth" | "fifth" => continue,
            w => match crate::text::number_value(w) {
                Some(v) => v,
                None => continue,
            },
        };
        let unit_word = c
            .get(3)
            .map_or(String::new(), |m| m.as_str().to_lowercase());
        let unit = match unit_word.trim_end_matches('s') {
            "minute" | "min" => 1.0,
            "hour" | "hr" => 60.0,
            "day" => 1440.0,
            _ => 10080.0,
        };
        out.push((m.range(), n * unit, unit));
    }
    out
}

/// Both statements with their durations in the smaller unit either uses,
/// when they use different units ("1 hour" / "60 minutes", "two days" /
/// "48 hours"); `None` otherwise.
fn same_duration_units(new: &str, old: &str) -> Option<(String, String)> {
    let (dn, d_old) = (durations(new), durations(old));
    if dn.is_empty() || d_old.is_empty() {
        return None;
    }
    let units: std::collections::BTreeSet<u64> =
        dn.iter().chain(d_old.iter()).map(|d| d.2 as u64).collect();
    if units.len() < 2 {
        return None;
    }
    let unit = *units.iter().next()? as f64;
    let name = match unit as u64 {
        1 => "minutes",
        60 => "hours",
        1440 => "days",
        _ => "weeks",
    };
    let write = |text: &str, ds: &[(std::ops::Range<usize>, f64, f64)]| {
        let mut out = String::new();
        let mut at = 0;
        for (r, minutes, _) in ds {
            out.push_str(&text[at..r.start]);
            let n = minutes / unit;
            if n.fract() == 0.0 {
                out.push_str(&format!("{} {name}", n as u64));
            } else {
                out.push_str(&format!("{n} {name}"));
            }
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    };
    Some((write(new, &dn), write(old, &d_old)))
}

/// A note written as "Key: value" (or "Key — value"): the key's content
/// stems (a hyphenated word also as its parts) and the value's, when the
/// key is short and names one thing: not a list ("Allergies: peanuts",
/// "Code owners: @priya, @luis").
fn label_value(text: &str) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    let (key, value) = text
        .split_once(": ")
        .or_else(|| text.split_once(" — "))
        .or_else(|| text.split_once(" – "))?;
    let words = crate::text::words_of(key);
    // The head noun: the last word before a preposition ("*contact* at
    // Brightline Logistics", "code *owners* of /payments"), else the last.
    let head = words
        .iter()
        .position(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "at" | "of" | "for" | "in" | "on" | "with" | "to"
            )
        })
        .filter(|&i| i > 0)
        .map_or_else(|| words.last(), |i| words.get(i - 1))?
        .to_lowercase();
    if words.len() > 6 || (head.ends_with('s') && !head.ends_with("ss")) {
        return None;
    }
    if value.contains([',', ';']) || value.contains(" and ") || value.contains(" & ") {
        return None;
    }
    let stems = |t: &str| -> BTreeSet<String> {
        Analysis::new(t)
            .words
            .iter()
            .filter(|w| !w.stop)
            .flat_map(crate::text::stem_parts)
            .collect()
    };
    let (k, v) = (stems(key), stems(value));
    (!k.is_empty() && !v.is_empty()).then_some((k, v))
}

/// The key of a "Key: value" note said again with another value ("Staging
/// URL: stg.hollis.app" / "staging URL is staging.hollis.dev", "Primary
/// contact at Brightline: Marta Silva" / "our primary contact at
/// Brightline is Owen Pike"): every word of the key is in the new
/// statement, the old value is not, a new value is, and every other word
/// before that value only relates them ("is", "now", "changed to",
/// "held in"). After the value, a change word lets two words say when
/// ("… changed to Tariq Aziz *after the reorg*").
fn label_changed(a: &Analysis, old: &str, b: &Analysis) -> Option<Verdict> {
    let (key, value) = label_value(old)?;
    if a.negated || b.negated {
        return None;
    }
    let parts = crate::text::stem_parts;
    let have: BTreeSet<String> = a.words.iter().filter(|w| !w.stop).flat_map(parts).collect();
    // (A hyphenated key word may be written apart: "feature flag".)
    if !key.iter().all(|k| have.contains(k)) || value.iter().all(|v| have.contains(v)) {
        return None;
    }
    let rest: Vec<&crate::text::Word> = a
        .words
        .iter()
        .filter(|w| !w.stop && !parts(w).iter().all(|p| key.contains(p)))
        .collect();
    let relates = |w: &&crate::text::Word| {
        let l = w.raw.to_lowercase();
        Analysis::is_marker(&l)
            || RELATION_VERBS.contains(&l.as_str())
            || crate::text::is_frame_word(&w.stem)
            || value.contains(&w.stem)
            || matches!(
                l.as_str(),
                "called"
                    | "named"
                    | "held"
                    | "set"
                    | "my"
                    | "our"
                    | "now"
                    | "over"
                    | "i"
                    | "we"
                    | "i'm"
                    | "we're"
            )
    };
    // The new value: the first word that neither relates nor is the old
    // value (a name, a number, or a word such as "staging.hollis.dev").
    let value_like = |w: &&crate::text::Word| {
        w.value
            || w.raw.contains(['.', '@', '#', '/', '_'])
            || w.raw.chars().any(|c| c.is_ascii_digit())
    };
    let first_value = rest
        .iter()
        .position(|w| !value.contains(&w.stem) && value_like(w))?;
    // The old value's own plain words ("sister Deniz", "Kingsgate
    // Medical Centre") may each have one in their place before the new
    // value ("my brother Emre").
    let plain_in_value = b
        .words
        .iter()
        .filter(|w| !w.stop && !w.value && value.contains(&w.stem) && !key.contains(&w.stem))
        .count();
    if rest[..first_value].iter().filter(|w| !relates(w)).count() > plain_in_value {
        return None;
    }
    let after = rest[first_value + 1..]
        .iter()
        .filter(|w| !w.value && !relates(w))
        .count();
    let changes = !a.explicit_change_markers(b).is_empty();
    if after > 2 * usize::from(changes) {
        return None;
    }
    let new_value: Vec<&str> = rest[first_value..]
        .iter()
        .enumerate()
        .filter(|(i, w)| *i == 0 || value_like(w))
        .map(|(_, w)| w.raw.as_str())
        .collect();
    Some(clear(
        Op::Supersede,
        format!(
            "the same {} with another value ({})",
            key.iter()
                .filter(|k| !k.contains('-'))
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            new_value.join(" ")
        ),
    ))
}

/// Words that say an item joins a list ("add X to …", "X joined the
/// roster", "also", "as well", "another", "a new houseplant").
const JOINS_A_LIST: &[&str] = &[
    "add", "adds", "added", "adding", "join", "joins", "joined", "joining", "also", "too",
    "another", "plus", "extra", "new", "third", "fourth", "fifth",
];

/// A list written as "Key: items" (a plural key, or several items: "Allowed
/// CORS origins: https://app…, https://admin…", "Kaan's allergies:
/// peanuts", "On-call roster: Corentin, Lioba"), and a new statement that
/// names the list (its head noun, half of its key's words, or a name in the
/// key such as "CORS") and says an item joins it, with a word of its own:
/// one more item ("add https://partners… to CORS", "kaan is also allergic
/// to kiwi", "Ozan joined the lab").
fn label_grows(a: &Analysis, old: &str, b: &Analysis) -> Option<Verdict> {
    if a.negated || b.negated {
        return None;
    }
    let (key, value) = old.split_once(": ")?;
    let key_words = crate::text::words_of(key);
    if key_words.is_empty() || key_words.len() > 7 {
        return None;
    }
    let head = key_words
        .iter()
        .position(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "of" | "for" | "in" | "on" | "at" | "to"
            )
        })
        .filter(|&i| i > 0)
        .map_or_else(|| key_words.last(), |i| key_words.get(i - 1))?
        .to_lowercase();
    let head = head.trim_end_matches("'s").to_string();
    let plural = head.ends_with('s') && !head.ends_with("ss") && !head.ends_with("us");
    let several = value.contains(',') || value.contains(" and ");
    if !plural && !several {
        return None;
    }
    let ka = Analysis::new(key);
    let parts = crate::text::stem_parts;
    let key_stems: BTreeSet<String> = ka
        .words
        .iter()
        .filter(|w| !w.stop)
        .flat_map(parts)
        .collect();
    let value_stems: BTreeSet<String> = Analysis::new(value)
        .words
        .iter()
        .filter(|w| !w.stop)
        .flat_map(parts)
        .collect();
    let have: BTreeSet<String> = a.words.iter().filter(|w| !w.stop).flat_map(parts).collect();
    let head_stem = crate::text::stem(&head);
    // ("allergic" names "allergies": one root.)
    let same_root = |x: &str, y: &str| {
        let common = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
        common >= 5 && common * 5 >= x.chars().count().min(y.chars().count()) * 3
    };
    let named = have.iter().any(|h| same_root(h, &head_stem))
        // (Half of the key's plain words: its names, such as whose list
        // it is, are not the list.)
        || {
            let plain: BTreeSet<&String> = ka
                .words
                .iter()
                // (A capitalised first word is the key's own, "Lab
                // members", unless it names an owner: "Mia's allergies".)
                .filter(|w| {
                    !w.stop
                        && (!w.value
                            || (w.pos == 0
                                && !w.raw.ends_with("'s")
                                && !w.raw.ends_with("’s")
                                && !w.raw.chars().any(|c| c.is_ascii_digit())))
                })
                .map(|w| &w.stem)
                .collect();
            plain.len() >= 2 && plain.iter().filter(|k| have.contains(**k)).count() * 2 >= plain.len()
        }
        || ka
            .words
            .iter()
            .any(|w| w.value && w.raw.chars().filter(|c| c.is_uppercase()).count() >= 2 && have.contains(&w.stem));
    if !named {
        return None;
    }
    let lower: Vec<String> = a.words.iter().map(|w| w.raw.to_lowercase()).collect();
    let joins = lower.iter().any(|w| JOINS_A_LIST.contains(&w.as_str()))
        || lower.windows(2).any(|p| p[0] == "as" && p[1] == "well");
    if !joins {
        return None;
    }
    // The new item: a word of its own, neither the key's nor an old item's
    // nor a word of joining.
    let item: Vec<&str> = a
        .words
        .iter()
        .filter(|w| {
            !w.stop
                && !key_stems.contains(&w.stem)
                && !value_stems.contains(&w.stem)
                && !JOINS_A_LIST.contains(&w.raw.to_lowercase().as_str())
                && !Analysis::is_marker(&w.raw.to_lowercase())
                && !crate::text::is_frame_word(&w.stem)
                && (w.value || w.raw.chars().any(|c| c.is_ascii_digit()) || w.raw.len() >= 3)
        })
        .map(|w| w.raw.as_str())
        .collect();
    let first = item.first()?;
    Some(clear(
        Op::Merge,
        format!("one more on the list \"{}\" ({first})", key.trim()),
    ))
}

/// `v`, or an update when it supersedes a fact that never changes.
fn fixed_or(v: Verdict, new: &str, a: &Analysis, old: &str, b: &Analysis) -> Verdict {
    // A value that never changes (where someone was born, a blood type, a
    // VIN, the year a house was built or a treaty signed) given again
    // differently: the old one was wrong, not out of date. Corrected in
    // place, unless the new statement says that it changed.
    if v.op == Op::Supersede
        && a.explicit_change_markers(b).is_empty()
        && let Some(fact) = fixed_fact(new).filter(|f| fixed_fact(old).as_ref() == Some(f))
    {
        return clear(
            Op::Update,
            format!(
                "{}; a fact that does not change ({fact}): a correction",
                v.reason
            ),
        );
    }
    v
}

/// Words of a period that a value holds for or from: a season, a school
/// term, a quarter, a year ("this winter", "for 2027", "from next week",
/// "starting this term", "as of today's merge", "This season's coach").
/// Not a day or a week ("this week", "tonight": a one-off), not "in 2027"
/// (a plan), nothing said to be temporary ("only", "while", "until").
const PERIOD: &str =
    r"(?:quarter|year|season|term|semester|winter|summer|spring|autumn|fall|round|cycle|sprint)";

/// `text` without its period phrase, and the phrase, when it has exactly
/// one and says nothing temporary or planned (see [`PERIOD`]).
fn strip_period(text: &str) -> Option<(String, String)> {
    static START: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static FOR: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static TEMPORARY: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let temporary = TEMPORARY.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(only|while|until|till|temporar\w*|for now|for the time being|meanwhile|plan(?:s|ned|ning)?|might|may|could|maybe|probably|hope[sd]?|expect(?:s|ed)?)\b",
        )
        .expect("valid regex")
    });
    if temporary.is_match(text) {
        return None;
    }
    // From when: "from next week", "starting this term", "after this
    // season", "as of today's merge" (a possessive takes the one word it
    // owns), "effective with v3.2", "since the wedding:".
    let start = START.get_or_init(|| {
        regex::Regex::new(&format!(
            r"(?i)[,;(]?\s*\b(?:(?:from|starting|beginning|after|as of|effective(?: from)?)\s+(?:(?:the|this|next)\s+)?(?:{PERIOD}|week|month|today|tonight|tomorrow|now|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?)(?:(?:'s|’s)\s+[\w-]+)?\b[)]?|effective (?:with|in|from) v?\d+(?:\.\d+)*\b[)]?|since (?:the )?[\w-]+\s*[,:;])"
        ))
        .expect("valid regex")
    });
    // For which: "this winter", "for 2027", "This season's …", "per the
    // winter report".
    let during = FOR.get_or_init(|| {
        regex::Regex::new(&format!(
            r"(?i)[,;(]?\s*\b(?:this|for(?: the)?(?: coming| current)?)\s+{PERIOD}(?:'s|’s)?\b|\bfor \d{{4}}\b|\b(?:per|according to) (?:the|this|last) {PERIOD}(?:'s)? [\w-]+\b"
        ))
        .expect("valid regex")
    });
    let found: Vec<regex::Match> = start
        .find_iter(text)
        .chain(during.find_iter(text))
        .collect();
    let [m] = found.as_slice() else {
        return None;
    };
    // Punctuation after the phrase stays ("since the wedding: his
    // husband").
    let end = m.end() - usize::from(m.as_str().ends_with([',', ':', ';']));
    let phrase = m
        .as_str()
        .trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')') || c.is_whitespace());
    let rest = format!("{} {}", &text[..m.start()], &text[end..]);
    let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    // Something must be left to compare ("Oslo this winter" is no statement).
    (crate::text::words_of(&rest).len() >= 2).then(|| (rest, phrase.to_string()))
}

/// Whether `text` names a period or a date of its own (then a period in
/// the other statement may name another value, not when one began: "the
/// travel budget for this year" / "… for next year").
fn names_period(text: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // (A rate, "£450/month", "twice a week", names none.)
    RE.get_or_init(|| {
        regex::Regex::new(&format!(
            r"(?i)\b(?:{PERIOD}|today|tonight|tomorrow|\d{{4}}|(?:this|next|last|that) (?:week|month))\b"
        ))
        .expect("valid regex")
    })
    .is_match(text)
}

/// What a statement says of a fact that happens once or never changes
/// (where someone was born, a blood type, a VIN, the year a house was
/// built or a treaty signed), if it says one: a new value for it corrects
/// the old one (see [`judge_with`]).
fn fixed_fact(text: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(born|birthplace|birthday|date of birth|blood (?:type|group)|vin|serial number|(?:built|founded|established|signed|married|died|graduated) in \d{4})\b",
        )
        .expect("valid regex")
    });
    let m = re.captures(text)?;
    let key = m[1].to_lowercase();
    // The event, not its year: "built in 1974" and "built in 1968" are one fact.
    Some(key.split(" in ").next().unwrap_or(&key).to_string())
}

/// A holder handing what it holds to another ("Ravi handed on-call over
/// to Jess", "Eleni has handed product ownership of the mobile app over to
/// Rasmus", "Jess took over the billing team from Ravi"): the old
/// statement that the first holder has it ("Ravi is the on-call engineer
/// this week", "Ravi leads the billing team") no longer holds. The old
/// statement must be about the first holder, say what it holds (a copula
/// or a verb of holding: not "Ravi wrote the report" for "Ravi handed the
/// report to Jess"), share a word of the thing beyond the names, and not
/// name the new holder.
fn handed_over(a: &Analysis, b: &Analysis, o: &Overlap) -> Option<Verdict> {
    if a.negated || b.negated || o.shared_beyond_subject == 0 {
        return None;
    }
    let w = &a.words;
    let low = |i: usize| w[i].raw.to_lowercase();
    // The name right after position `i` (articles skipped).
    let name_after = |i: usize| -> Option<String> {
        let names: Vec<String> = w[i + 1..]
            .iter()
            .skip_while(|x| x.stop && !x.value)
            .take_while(|x| x.value)
            .map(|x| x.stem.clone())
            .collect();
        (!names.is_empty()).then(|| names.join(" "))
    };
    let find = |word: &str, from: usize| (from..w.len()).find(|&i| low(i) == word);
    let subject = a.subject.clone().filter(|s| s != "@user");
    let mut pair = None;
    for i in 0..w.len() {
        let l = low(i);
        if matches!(
            l.as_str(),
            "handed"
                | "hands"
                | "handing"
                | "passed"
                | "passes"
                | "passing"
                | "transferred"
                | "transfers"
                | "transferring"
        ) {
            if let (Some(from), Some(to)) =
                (subject.clone(), find("to", i + 1).and_then(name_after))
            {
                pair = Some((from, to));
            }
            break;
        }
        if matches!(l.as_str(), "took" | "takes" | "taking")
            && i + 1 < w.len()
            && low(i + 1) == "over"
        {
            if let (Some(from), Some(to)) =
                (find("from", i + 2).and_then(name_after), subject.clone())
            {
                pair = Some((from, to));
            }
            break;
        }
    }
    let (from, to) = pair?;
    if from == to || b.subject.as_deref() != Some(from.as_str()) || b.mentions(&to) {
        return None;
    }
    // Nothing new said of the thing ("handed the *payments* team over" is
    // another team than the billing one), but a word of the hand-over,
    // the names, or the old word in another form ("ownership" / "owner").
    let names: Vec<&str> = from.split(' ').chain(to.split(' ')).collect();
    let hand_over: Vec<String> = [
        "handed",
        "passed",
        "transferred",
        "took",
        "over",
        "from",
        "to",
    ]
    .iter()
    .map(|v| crate::text::stem(v))
    .collect();
    let related = |x: &str| {
        o.only_old.iter().any(|y| {
            let n = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            n >= 4
        })
    };
    if !o.only_new.iter().all(|x| {
        names.contains(&x.as_str())
            || hand_over.contains(x)
            || crate::text::is_frame_word(x)
            || related(x)
    }) {
        return None;
    }
    let holds: Vec<String> = ["manages", "runs", "handles", "covers", "coordinates"]
        .iter()
        .map(|v| crate::text::stem(v))
        .collect();
    let says_holds = b.words.iter().any(|x| {
        crate::text::is_copula(&x.raw)
            || ROLES.contains(&x.stem.as_str())
            || holds.contains(&x.stem)
    });
    says_holds.then(|| clear(Op::Supersede, format!("handed over: {from} -> {to}")))
}

fn judge_analysed(a: &Analysis, b: &Analysis, o: &Overlap, cosine: Option<f32>) -> Verdict {
    let cos = cosine.unwrap_or(0.0);
    if let Some(v) = handed_over(a, b, o) {
        return v;
    }
    // Whose the subject is, when one statement names the other's subject
    // as what its own subject has ("*Marisol's cat* Tofu weighs 4.2 kg" /
    // "Tofu weighs 4.8 kg"): the owner's and the kind's stems, which are
    // context, not another subject or content. Empty otherwise.
    let whose = |x: &Analysis, y: &Analysis| match (&x.subject, &y.subject) {
        (Some(sx), Some(sy)) => x.owner_words(sx, sy).unwrap_or_default(),
        _ => Vec::new(),
    };
    let (whose_new, whose_old) = (whose(a, b), whose(b, a));
    let owned = !whose_new.is_empty() || !whose_old.is_empty();
    // A different named subject (and the old one not mentioned): a parallel
    // fact about someone else, never a replacement.
    if let (Some(sa), Some(sb)) = (&a.subject, &b.subject)
        && sa != sb
        // (Named only as a value, "Bjorn now reports to *Felix Jansen*",
        // "*Chloe Ueda* took over as lead of project Cyclone", the old
        // subject is not what the new statement is about, unless the old
        // one names the new subject too: "Nadia is married to Mateo" /
        // "Mateo is Nadia's husband".)
        && !(a.mentions(sb)
            && !(sa != "@user" && (a.names_as_value(sb) || a.by_role) && !b.mentions(sa)))
        // The same name, once with its kind or title ("Project Tamarind" /
        // "Tamarind", "Grandpa Ernesto" / "Ernesto").
        && !shortened(sa, sb)
        // "CI takes 12 minutes" / "Our CI pipeline takes …": the writer's
        // CI, not the writer.
        && !(sb == "@user" && b.owned_by_writer() && b.mentions(sa))
        && !(sa == "@user" && a.owned_by_writer() && a.mentions(sb))
        // The owner's pet, child or car, named, is what both are about.
        && !owned
        // A common word opening one statement, written in lower case by
        // the other ("Incident commander …: Tariq" / "Samira took over as
        // incident commander"), is no name.
        && !lower_in(sa, b)
        && !lower_in(sb, a)
    {
        let (ta, tb) = (
            a.subject_text.clone().unwrap_or_default(),
            b.subject_text.clone().unwrap_or_default(),
        );
        return clear(Op::Add, format!("different subject ({ta} vs {tb})"));
    }
    // Someone's relative is another person ("Tariq's son is allergic to
    // cats" / "Tariq is allergic to cats").
    let (ra, rb) = (a.relation_head(), b.relation_head());
    // Unless the relative is named, and the other statement is about that
    // name ("Marisol's cat Tofu …" / "Tofu …").
    if ra != rb && !owned {
        let mentions = |an: &Analysis, r: &str| an.words.iter().any(|w| w.raw.to_lowercase() == r);
        // Or the relative is named ("My son *Leo* plays violin") and the
        // other statement names that person ("Leo now plays cello").
        let named = |x: &Analysis, r: &str, y: &Analysis| {
            x.relative_name(r).is_some_and(|n| y.mentions(&n))
        };
        let differs = match (&ra, &rb) {
            (Some(r), None) => !mentions(b, r) && !named(a, r, b),
            (None, Some(r)) => !mentions(a, r) && !named(b, r, a),
            _ => true,
        };
        if differs {
            let show = |r: &Option<String>, an: &Analysis| {
                r.clone()
                    .or_else(|| an.subject_text.clone())
                    .unwrap_or_else(|| "its subject".into())
            };
            return clear(
                Op::Add,
                format!("different subject ({} vs {})", show(&ra, a), show(&rb, b)),
            );
        }
    }
    // Names before the first shared word modify the subject ("The *Berlin*
    // office", "The *checkout-sync* service"): when both statements have
    // such names and they differ, they are about two things.
    if let (Some(la), Some(lb)) = (a.lead_words(&o.shared), b.lead_words(&o.shared))
        && !a.by_role
        && !b.by_role
        && la
            .iter()
            .all(|w| !o.only_old.contains(w) && !o.shared.contains(w))
        && lb
            .iter()
            .all(|w| !o.only_new.contains(w) && !o.shared.contains(w))
    {
        return clear(
            Op::Add,
            format!(
                "different subject ({} vs {})",
                uniq_join(&la),
                uniq_join(&lb)
            ),
        );
    }
    // The same kind of thing with another word before it, opening both
    // statements ("The *staging* database is on Postgres 14" / "The
    // *production* database is now on Postgres 17"): two things.
    if let (Some(ma), Some(mb)) = (a.head_modifiers(&o.shared), b.head_modifiers(&o.shared))
        && !a.by_role
        && !b.by_role
        && ma.iter().all(|w| o.only_new.contains(w))
        && mb.iter().all(|w| o.only_old.contains(w))
    {
        return clear(
            Op::Add,
            format!(
                "different subject ({} vs {})",
                uniq_join(&ma),
                uniq_join(&mb)
            ),
        );
    }
    // The attributes both name, in the same or in other words ("manager" /
    // "reports to"), when both name their subject: those words are one
    // attribute, not a difference.
    let (attrs_a, attrs_b) = (a.attributes(), b.attributes());
    let named = a.subject.is_some() && b.subject.is_some();
    let attr_words =
        |mine: &std::collections::BTreeMap<&str, std::collections::BTreeSet<String>>,
         theirs: &std::collections::BTreeMap<&str, std::collections::BTreeSet<String>>|
         -> std::collections::BTreeSet<String> {
            mine.iter()
                .filter(|(k, _)| named && theirs.contains_key(*k))
                .flat_map(|(_, v)| v.iter().cloned())
                .collect()
        };
    let (attr_new, attr_old) = (
        attr_words(&attrs_a, &attrs_b),
        attr_words(&attrs_b, &attrs_a),
    );
    // At least one of them names it with words ("stores its data in"), not
    // both only by a name's kind ("runs macOS" / "teaches a Linux course").
    let same_attribute = named
        && attrs_a.iter().any(|(k, sa)| {
            attrs_b
                .get(k)
                .is_some_and(|sb| !sa.is_empty() || !sb.is_empty())
        });
    // Another item of a list the old statement names only by its kind
    // ("Ravi also does pottery" / "Ravi's hobbies include birdwatching and
    // chess"): the subject's same list, one more on it.
    if let Some(kind) = list_kind_grows(a, b) {
        return clear(Op::Merge, format!("one more of {kind}"));
    }
    // The subject said to keep what it has ("staging stays on 1.28",
    // "jOOQ stays", "prod alerts still go to #alerts-prod"): nothing new
    // when all it names is in the old statement.
    let keep_stems: BTreeSet<&str> = a
        .words
        .iter()
        .filter(|w| {
            matches!(
                w.raw.to_lowercase().as_str(),
                "stays"
                    | "stay"
                    | "stayed"
                    | "remains"
                    | "remain"
                    | "remained"
                    | "still"
                    | "unchanged"
                    | "keeps"
            )
        })
        .map(|w| w.stem.as_str())
        .collect();
    if !keep_stems.is_empty()
        && !a.negated
        && !b.negated
        && o.new_values.is_empty()
        && !o.shared.is_empty()
        && o.only_new
            .iter()
            .all(|w| keep_stems.contains(w.as_str()) || crate::text::is_frame_word(w))
    {
        return clear(Op::Noop, "said to stay as it is");
    }
    if let Some(v) = replaced_value(a, b) {
        return v;
    }
    if o.shared_beyond_subject == 0 && !same_attribute && cos < 0.8 {
        if let Some(v) = subject_changed(a, b, o) {
            return v;
        }
        return clear(Op::Add, "unrelated: no shared content beyond the subject");
    }
    let adds = a.addition_markers(b);
    // One more item said to add to a list ("We buy coffee from Hasbean
    // too" / "Coffee suppliers: Kaffa Roastery and Origin Lab"): the
    // list's items do not count against the overlap.
    let list_grows = !adds.is_empty()
        && o.shared_beyond_subject >= 1
        && !o.only_new.is_empty()
        && lists_items(b)
        // (A label has no subject: "This year's veg beds: courgettes, …".)
        && (a.subject == b.subject || b.subject.is_none());
    let related = (o.shared_beyond_subject >= 1 && (o.cov_old >= 0.34 || cos >= 0.6))
        || same_attribute
        || list_grows;
    let changes = a.explicit_change_markers(b);
    let negation_flip = a.negated != b.negated;
    let mut corrections = a.correction_markers();
    let not_old = not_the_old_value(a, b);
    corrections.extend(not_old.clone());
    // "…, not the 4th" corrects; it does not negate the statement.
    let negation_flip = negation_flip && not_old.is_none();
    let light = |s: &str| crate::text::is_frame_word(s);
    // The kind after a name is part of it ("the gateway-api *service*").
    let (kind_new, kind_old) = (a.subject_kind(), b.subject_kind());
    let nonvalue_new: Vec<&String> = o
        .only_new
        .iter()
        .filter(|s| !o.new_values.contains(*s) && !light(s) && !attr_new.contains(*s))
        .filter(|s| Some(s.as_str()) != kind_new)
        .collect();
    // Words that only say from when ("for this quarter", "since the
    // wedding") or whose a changed name is ("my *brother* Emre") are no
    // attribute of their own.
    let (scope_new, scope_old) = (a.time_scope(), b.time_scope());
    let (kin_new, kin_old) = (
        a.relatives_naming(&o.new_values),
        b.relatives_naming(&o.lost_values),
    );
    let nonvalue_new: Vec<&String> = nonvalue_new
        .into_iter()
        .filter(|s| !whose_new.contains(*s) && !scope_new.contains(*s) && !kin_new.contains(*s))
        .collect();
    // The old statement's own change words ("was upgraded to 48 GB") are
    // not content a restatement must repeat.
    let nonvalue_old: Vec<&String> = o
        .only_old
        .iter()
        .filter(|s| !whose_old.contains(*s) && !scope_old.contains(*s) && !kin_old.contains(*s))
        .filter(|s| !o.lost_values.contains(*s) && !light(s) && !attr_old.contains(*s))
        .filter(|s| Some(s.as_str()) != kind_old)
        .filter(|s| !b.marker_stem(s))
        .collect();

    // One more name on a list of names ("Noor joins the on-call rota" /
    // "The on-call rota is Bashir, Eleni and Pavel"; "Kenji was added as a
    // required reviewer" / "Required reviewers are Lars and Astrid").
    let joins = a.words.iter().enumerate().any(|(i, w)| {
        let prev = i
            .checked_sub(1)
            .map(|k| a.words[k].raw.to_lowercase())
            .unwrap_or_default();
        match w.raw.to_lowercase().as_str() {
            "joins" | "joined" => true,
            "added" => matches!(
                prev.as_str(),
                "was" | "were" | "been" | "got" | "is" | "are"
            ),
            _ => false,
        }
    });
    // The newcomer may be the new statement's subject ("*Noor* joins …").
    let newcomer = match &a.subject {
        Some(s) if o.new_values.is_empty() && s != "@user" && !b.mentions(s) => {
            std::collections::BTreeSet::from([s.clone()])
        }
        _ => o.new_values.clone(),
    };
    if related
        && joins
        && newcomer.len() == 1
        && o.lost_values.len() >= 2
        && listed(b, &o.lost_values)
    {
        return clear(
            Op::Merge,
            format!(
                "one more on a list ({} beside {})",
                list(&newcomer),
                list(&o.lost_values)
            ),
        );
    }
    if related && !adds.is_empty() && o.cov_new < 0.9 {
        // "too" said of another thing: each statement opens with words of
        // its own before what they share ("*REDIS_URL* for local dev lives
        // in .env.local too" / "*DATABASE_URL* for local dev is set in
        // .env.local", "the *dev* cluster is …, also in eu-west-1" / "*Prod
        // Kubernetes* cluster: …"): the same said of a second subject.
        let own_lead = |x: &Analysis, y: &Analysis| -> Vec<String> {
            let first = x
                .words
                .iter()
                .position(|w| !w.stop && o.shared.contains(&w.stem))
                .unwrap_or(0);
            let theirs = y.lower_words();
            let at = x.words.get(first).map_or(0, |w| w.pos);
            x.words[..first]
                .iter()
                .filter(|w| {
                    let l = w.raw.to_lowercase();
                    // A name, or the word right before the shared one
                    // ("the *dev* cluster"); not a verb ("also *need* to
                    // restock").
                    (w.value || w.pos + 1 == at)
                        && !w.stop
                        && !theirs.contains(&l)
                        && !crate::text::is_filler(&l)
                        && !Analysis::is_marker(&l)
                        && !adds.contains(&l)
                })
                .map(|w| w.raw.clone())
                .collect()
        };
        let (la, lb) = (own_lead(a, b), own_lead(b, a));
        if !la.is_empty() && !lb.is_empty() {
            return unclear(
                Op::Add,
                format!(
                    "\"{}\" of another subject ({} vs {})",
                    adds.join("\", \""),
                    la.join(" "),
                    lb.join(" ")
                ),
                vec![Op::Add, Op::Merge],
            );
        }
        return clear(
            Op::Merge,
            format!("adds to the same subject (\"{}\")", adds.join("\", \"")),
        );
    }
    // The old statement was wrong all along: corrected in place ("Correction:
    // the birthday is on 12 May, not 21 May").
    if related && !corrections.is_empty() {
        return clear(
            Op::Update,
            format!("correction (\"{}\")", corrections.join("\", \"")),
        );
    }
    // A negation the old statement did not have, with words of its own
    // ("We never deploy on Friday *after 3pm*", "PRs *from the dependency
    // bot* need no review"): an exception to the old rule, which still
    // holds; both stay. Without such words it is a reversal (below).
    let scope: Vec<&String> = nonvalue_new
        .iter()
        .filter(|s| !Analysis::is_marker(s))
        .copied()
        .collect();
    if related
        && negation_flip
        && changes.is_empty()
        && (scope.len() >= 2 || !o.new_values.is_empty())
    {
        return unclear(
            Op::Add,
            format!(
                "negated with a narrower scope ({}): an exception, the old rule stands",
                scope
                    .iter()
                    .map(|s| s.as_str())
                    .chain(o.new_values.iter().map(|s| s.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            vec![Op::Add, Op::Supersede],
        );
    }
    // A negation of something else about the subject ("The build cache is
    // not compressed" / "The build cache lives in S3"): both have words of
    // their own, so the old statement is not the one reversed.
    if related
        && negation_flip
        && changes.is_empty()
        && !scope.is_empty()
        && !nonvalue_old.is_empty()
    {
        return unclear(
            Op::Add,
            format!(
                "negates something else ({} vs {})",
                comma_list(&scope),
                comma_list(&nonvalue_old)
            ),
            vec![Op::Add, Op::Supersede],
        );
    }
    // A change word with several values changed on both sides and words of
    // the old statement's own left out ("Version 2.4 of the SDK dropped
    // support for Android 9" / "Version 2.3 … was *released* in March"):
    // most likely another thing. ("The weekly sync moved to Thursdays at
    // 14:00" restates all of "… is on Tuesdays at 10:00" but its values.)
    if related
        && !changes.is_empty()
        && slots(b, &o.lost_values) >= 2
        && slots(a, &o.new_values) >= 2
        && !nonvalue_old.is_empty()
    {
        return unclear(
            Op::Add,
            format!(
                "change marker \"{}\" but several values changed ({} -> {}): maybe another thing",
                changes.join("\", \""),
                list(&o.lost_values),
                list(&o.new_values)
            ),
            vec![Op::Add, Op::Supersede],
        );
    }
    // Only words of time say it changed ("now", "no longer"), no value
    // changed, and each statement says two things of its own ("Priya
    // leads the payments team now" / "Priya owns the payments alert
    // queue", "Tomás no longer books the band's gigs" / "Tomás plays bass
    // in the band"): another attribute of the same subject.
    let time_only = changes
        .iter()
        .all(|c| matches!(c.as_str(), "now" | "longer" | "anymore" | "more"));
    // (What the old statement says its subject does is not in the new one:
    // "The Tesla is *charged* at the office garage" / "The Tesla is now
    // charged at home" is the same attribute.)
    let predicate_old = predicate_word(b);
    if related
        && time_only
        && predicate_old.is_some_and(|p| nonvalue_old.iter().any(|w| **w == p))
        && (negation_flip || !changes.is_empty())
        && o.lost_values.is_empty()
        && o.new_values.is_empty()
        && nonvalue_new.len() >= 2
        && nonvalue_old.len() >= 2
        && !same_attribute
    {
        return unclear(
            Op::Add,
            format!(
                "\"{}\" about something else ({} vs {})",
                if changes.is_empty() {
                    "not".to_string()
                } else {
                    changes.join("\", \"")
                },
                comma_list(&nonvalue_new),
                comma_list(&nonvalue_old)
            ),
            vec![Op::Add, Op::Supersede],
        );
    }
    // The value the old statement holds, said again with a change word
    // ("CI has moved to GitHub Actions" / "CI runs on GitHub Actions",
    // "Tom now uses Linux" / "Tom uses Linux"): no value changed and the
    // new statement has no word of its own, so it confirms the old one.
    if related
        && !negation_flip
        && !changes.is_empty()
        // (A word that ends the old state — "stopped accepting walk-ins",
        // "left", "sold" — reverses it with the same words.)
        && changes.iter().all(|c| {
            !matches!(
                c.as_str(),
                "left" | "quit" | "retired" | "stopped" | "ended" | "former" | "formerly"
                    | "previously" | "sold" | "cancelled" | "canceled" | "dropped" | "finished"
                    | "anymore" | "longer" | "rehomed" | "demoted" | "cut" | "gave up"
                    | "given up" | "gives up"
            )
        })
        && o.lost_values.is_empty()
        && o.new_values.is_empty()
        && !a.values().is_empty()
        && {
            // (The change word itself, and what it implies: "moved" says
            // where something lives.)
            let implied = a.implied();
            scope
                .iter()
                .all(|s| relating_verb(s) || implied.contains(*s) || a.marker_stem(s))
                // Nor has the old one a word of its own: "lives in
                // *ops*/deploy.sh" / "moved to scripts/deploy.sh" is
                // another place.
                && o.only_old.iter().all(|s| {
                    relating_verb(s)
                        || implied.contains(s)
                        || b.marker_stem(s)
                        || crate::text::is_frame_word(s)
                })
        }
    {
        return clear(
            Op::Noop,
            format!(
                "the same value again (change marker \"{}\", nothing changed)",
                changes.join("\", \"")
            ),
        );
    }
    if related && (negation_flip || !changes.is_empty()) {
        let why = if negation_flip {
            "negation flipped".to_string()
        } else {
            format!("change marker \"{}\"", changes.join("\", \""))
        };
        let what = match (o.lost_values.is_empty(), o.new_values.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!("; now {}", list(&o.new_values)),
            (false, true) => format!("; no longer {}", list(&o.lost_values)),
            (false, false) => format!("; {} -> {}", list(&o.lost_values), list(&o.new_values)),
        };
        return clear(Op::Supersede, format!("{why}{what}"));
    }
    // Same statement except the values: the value changed. Superseding
    // hides the old entry, so it needs one changed slot: when several
    // values changed at once ("web1 has IP 10.0.0.11" -> "web2 has IP
    // 10.0.0.12"), or a value and other words ("port 5432 … postgres" ->
    // "port 6379 … redis"), one of them most likely names another thing,
    // and the statements sit side by side (or are merged) instead.
    if related && !o.new_values.is_empty() && !o.lost_values.is_empty() {
        let change = format!("{} -> {}", list(&o.lost_values), list(&o.new_values));
        // One word of the frame may differ on each side when both name the
        // same attribute ("Host X *runs* Ubuntu as its OS" / "Host X was
        // reinstalled with Debian").
        // A light verb only: "Chloe's *work* phone" is another phone.
        let light_verb = |w: &&String| matches!(w.as_str(), "run" | "use" | "keep");
        // (Also when the old statement has no words of its own: "Core
        // hours are 10:00–16:00" / "Core hours *run* from 09:00 to 15:00".)
        let frame_new = usize::from(
            (same_attribute || nonvalue_old.is_empty()) && nonvalue_new.iter().all(light_verb),
        );
        // A restatement that drops or swaps verbs that only relate a thing
        // to its value names the same slot.
        let bare_new = nonvalue_new.iter().all(|w| relating_verb(w));
        let bare_old = nonvalue_old.iter().filter(|w| !relating_verb(w)).count();
        if (nonvalue_new.len() <= frame_new && nonvalue_old.len() <= 1)
            || (bare_new && bare_old <= 1)
        {
            // The shared values in another order ("from Zurich to Milan" /
            // "from Milan to Zurich"): another route, another thing.
            if values_reordered(a, b) {
                return clear(
                    Op::Add,
                    format!("the same values in another order, and {change}: another thing"),
                );
            }
            // A further item of a list ("speaks Hausa" / "speaks Yoruba and
            // English").
            if listed(b, &o.lost_values) && slots(a, &o.new_values) == 1 {
                return unclear(
                    Op::Merge,
                    format!("another value beside a list ({change})"),
                    vec![Op::Merge, Op::Supersede],
                );
            }
            if slots(b, &o.lost_values) == 1 && slots(a, &o.new_values) == 1 {
                if value_in_subject(a, &o.new_values) && value_in_subject(b, &o.lost_values) {
                    return clear(
                        Op::Add,
                        format!("the value names what it is about ({change}): another thing"),
                    );
                }
                if one_of_several(b, &o.lost_values) {
                    return clear(
                        Op::Add,
                        format!("one of several things it has ({change}): another one"),
                    );
                }
                return clear(Op::Supersede, format!("same attribute, value {change}"));
            }
            // Only when: days and clock times, nothing that names a
            // thing ("Camille's piano lesson is on Wednesdays at 17:00" /
            // "… on Mondays at 16:30"): the same thing rescheduled.
            if o.lost_values.union(&o.new_values).all(|v| when_value(v))
                && !one_of_several(b, &o.lost_values)
            {
                return clear(
                    Op::Supersede,
                    format!("same attribute, its days or times {change}"),
                );
            }
            return unclear(
                Op::Add,
                format!("several values changed ({change}): maybe another thing"),
                vec![Op::Add, Op::Merge],
            );
        }
        // The one changed value of each side is named by the same noun
        // ("moved to *rack* H3" / "sits in *rack* C9", "the Payments
        // *team*" / "the Platform *team*"), or both name the same
        // attribute and one side no such noun: the words around it say the same relation
        // another way ("was upgraded to" / "runs … in production"), unless
        // one of them names another thing by qualifying a word both have
        // ("the Android *TV* app", "Lina's *student* loan").
        if let (Some(lost), Some(new)) = (only(&o.lost_values), only(&o.new_values))
            && named
            && slots(b, &o.lost_values) == 1
            && slots(a, &o.new_values) == 1
            && nonvalue_new.len() <= 2
            && nonvalue_old.len() <= 2
            && !one_of_several(b, &o.lost_values)
        {
            let changed: std::collections::BTreeSet<String> =
                o.lost_values.union(&o.new_values).cloned().collect();
            let (an_old, an_new) = (anchor(b, lost, &changed), anchor(a, new, &changed));
            // A name as the anchor ("FI 614" / "FI 615") says less of what
            // the value is than a noun: only verbs may differ around it.
            let by_name = an_old
                .as_deref()
                .is_some_and(|n| b.words.iter().any(|w| w.value && w.stem == n));
            let same_noun = an_old.is_some()
                && an_old == an_new
                && (!by_name || (only_verbs(a, &nonvalue_new) && only_verbs(b, &nonvalue_old)));
            // The anchor may be qualified ("*phone* extension" /
            // "extension").
            let keep: Vec<&str> = an_old
                .iter()
                .chain(an_new.iter())
                .map(String::as_str)
                .collect();
            if (same_noun || (same_attribute && (an_old.is_none() || an_new.is_none())))
                && !qualifies_shared(a, &nonvalue_new, &o.shared, &keep)
                && !qualifies_shared(b, &nonvalue_old, &o.shared, &keep)
                // Nouns on both sides may name two things ("Tom's *talk* is
                // in room 935" / "Tom's *office* is in room 837"); verbs on
                // one side only relate the subject to the value.
                && (only_verbs(a, &nonvalue_new) || only_verbs(b, &nonvalue_old))
                // Each side qualifies the noun its own way: "Mia's *phone*
                // number" / "Mia's *work* number".
                && !(qualifies_shared(a, &nonvalue_new, &o.shared, &[])
                    && qualifies_shared(b, &nonvalue_old, &o.shared, &[]))
            {
                let how = an_old.map_or("the same attribute".to_string(), |n| {
                    format!("the same {n}")
                });
                return clear(
                    Op::Supersede,
                    format!("{how} said another way, value {change}"),
                );
            }
        }
        return unclear(
            Op::Add,
            format!("different values ({change}) with other differences"),
            vec![Op::Add, Op::Merge],
        );
    }
    // The same words but one particle turned to its opposite ("The heating
    // is turned off" / "… turned on", "The lights are on" / "… off"): the
    // state is reversed (the particles are too short to be content words).
    if let Some((x, y)) = particle_reversed(a, b)
        && !a.negated
        && !b.negated
    {
        return clear(Op::Supersede, format!("the state is reversed ({x} -> {y})"));
    }
    // A word in the place of another, between the same words: never the
    // same thing said again.
    let swap = swapped_in_frame(a, b, o);
    // New contains old: a refinement, or the same thing.
    // ("has" alone is no content the new statement must repeat: "Pepper
    // has a food allergy" / "Pepper's food allergy is to chicken".)
    if o.lost_values.is_empty()
        && (o.only_old.iter().all(|w| light(w)) || (o.cov_old >= 0.8 && cos >= 0.75 && !swap))
    {
        if o.new_values.is_empty()
            && (o.only_new.len() <= 1 || o.cov_new >= 0.8)
            && !one_word_adds(a, o)
        {
            return clear(Op::Noop, "same content words");
        }
        return clear(
            Op::Update,
            format!(
                "refines it (adds {})",
                o.only_new.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }
    // Old contains new: nothing new.
    if o.new_values.is_empty()
        && (o.only_new.is_empty() || (o.cov_new >= 0.85 && o.only_new.len() <= 1 && !swap))
    {
        return clear(Op::Noop, "already covered by the existing entry");
    }
    // The word before a noun that holds one value, the old statement a
    // change itself ("moved into the *discovery* phase" / "is in the
    // *planning* phase"): its change words are not content to restate.
    let core_old: std::collections::BTreeSet<String> =
        nonvalue_old.iter().map(|s| (*s).clone()).collect();
    if o.only_new.len() == 1
        && core_old.len() == 1
        && o.only_old.len() > core_old.len()
        && o.new_values.is_empty()
        && o.lost_values.is_empty()
        && o.shared_beyond_subject >= 1
        && head_before_single(a, &o.only_new)
        && head_before_single(b, &core_old)
        && !one_of_several(b, &core_old)
    {
        return clear(
            Op::Supersede,
            format!(
                "one value of a single-valued attribute ({} -> {})",
                list(&core_old),
                list(&o.only_new)
            ),
        );
    }
    // One word swapped for its opposite, nothing else changed ("the
    // feature flag is *enabled* in production" / "… *disabled* …", "the
    // north gate is *open*" / "… *closed*"): the state is reversed.
    if o.only_new.len() == 1
        && o.only_old.len() == 1
        && o.new_values.is_empty()
        && o.lost_values.is_empty()
        && o.shared_beyond_subject >= 1
        && !a.negated
        && !b.negated
    {
        let raw = |an: &Analysis, only: &BTreeSet<String>| {
            an.words
                .iter()
                .find(|w| only.contains(&w.stem))
                .map(|w| w.raw.clone())
        };
        if let (Some(x), Some(y)) = (raw(b, &o.only_old), raw(a, &o.only_new))
            && crate::wordnet::antonyms(&x, &y)
        {
            return clear(
                Op::Supersede,
                format!(
                    "the state is reversed ({} -> {})",
                    x.to_lowercase(),
                    y.to_lowercase()
                ),
            );
        }
    }
    // One word swapped at the end of the sentence (the object): a value
    // written in lower case changed ("is blue" -> "is green").
    if o.only_new.len() == 1
        && o.only_old.len() == 1
        && o.new_values.is_empty()
        && o.lost_values.is_empty()
        && o.shared_beyond_subject >= 1
    {
        let at_end = a
            .last_content_stem()
            .is_some_and(|s| o.only_new.contains(s))
            && b.last_content_stem()
                .is_some_and(|s| o.only_old.contains(s));
        if at_end && one_of_several(b, &o.only_old) {
            return clear(
                Op::Add,
                format!(
                    "one of several things it has ({} -> {}): another one",
                    list(&o.only_old),
                    list(&o.only_new)
                ),
            );
        }
        if at_end {
            return unclear(
                Op::Supersede,
                "one value swapped at the end",
                vec![Op::Supersede, Op::Noop],
            );
        }
        // The word before a noun that holds one value ("in the *beta*
        // phase" / "in the *rollout* phase"): a new value.
        if swap
            && head_before_single(a, &o.only_new)
            && head_before_single(b, &o.only_old)
            && !one_of_several(b, &o.only_old)
        {
            return clear(
                Op::Supersede,
                format!(
                    "one value of a single-valued attribute ({} -> {})",
                    list(&o.only_old),
                    list(&o.only_new)
                ),
            );
        }
        // Said another way when the whole still reads the same ("X's
        // office is in room 302" / "X sits in room 302").
        if swap && cos < PARAPHRASE_COSINE {
            return clear(
                Op::Add,
                format!(
                    "another thing in the same place ({} vs {})",
                    list(&o.only_new),
                    list(&o.only_old)
                ),
            );
        }
        // A word swapped in place, nothing else, no value in common: the
        // swapped word is the value ("in the testing phase" / "in the
        // rollout phase").
        // Unclear which (a new value, or another thing): both stay unless
        // a model says otherwise, since a supersede needs a clear signal.
        if swap && shared_values(a, b).is_empty() {
            return unclear(
                Op::Add,
                format!(
                    "one word swapped in place ({} -> {}), no value in common",
                    list(&o.only_old),
                    list(&o.only_new)
                ),
                vec![Op::Add, Op::Supersede],
            );
        }
        if cos >= PARAPHRASE_COSINE {
            return clear(
                Op::Noop,
                format!("one word differs, a paraphrase (cosine {cos:.2})"),
            );
        }
        if cos >= 0.8 {
            return unclear(
                Op::Noop,
                format!("one word differs, cosine {cos:.2}"),
                vec![Op::Noop, Op::Supersede],
            );
        }
    }
    if o.new_values.is_empty() && o.lost_values.is_empty() && cos >= PARAPHRASE_COSINE {
        return clear(Op::Noop, format!("paraphrase (cosine {cos:.2})"));
    }
    // The same values (numbers, times, names beyond the subject) and
    // nothing else that marks a difference, said in other words ("Rent is
    // 1,250 euros a month" / "We pay 1250 EUR of rent monthly"): the values
    // carry the fact, so a lower cosine suffices than for a paraphrase
    // without values.
    let shared_values = shared_values(a, b);
    if o.new_values.is_empty()
        && o.lost_values.is_empty()
        && !shared_values.is_empty()
        && !negation_flip
        && cos >= VALUES_PARAPHRASE_COSINE
        && !swap
    {
        return clear(
            Op::Noop,
            format!(
                "the same values ({}) in other words (cosine {cos:.2})",
                shared_values.join(", ")
            ),
        );
    }
    // The same role toward the same thing, one statement in the active
    // voice and one in the passive, each naming its own holder ("Mei Lin
    // leads the payments team" / "The payments team is led by Oskar"): the
    // holder changed.
    if related && let Some((was, now)) = holder_changed(a, b, o) {
        return clear(
            Op::Supersede,
            format!("the same role, another holder ({was} -> {now})"),
        );
    }
    if let Some(v) = subject_changed(a, b, o) {
        return v;
    }
    if related {
        return unclear(
            Op::Add,
            format!("partial overlap (cosine {cos:.2})"),
            vec![Op::Add, Op::Merge, Op::Supersede],
        );
    }
    clear(Op::Add, "little overlap")
}

/// Whether the one content word only the new statement has says more of
/// the thing, so it is no noise to drop: said of it after a copula at the
/// end ("Mira's peanut allergy *is mild*" / "Mira has a peanut allergy"),
/// one more item joined by "and" ("tech lead for search *and
/// recommendations*"), or a word that qualifies the thing both name ("a
/// *senior* backend engineer").
fn one_word_adds(a: &Analysis, o: &Overlap) -> bool {
    if o.only_new.len() != 1 {
        return false;
    }
    let w = &a.words;
    let Some(i) = w
        .iter()
        .position(|x| !x.stop && o.only_new.contains(&x.stem))
    else {
        return false;
    };
    let Some(before) = i.checked_sub(1).map(|j| w[j].raw.to_lowercase()) else {
        return false;
    };
    let last = w.iter().rposition(|x| !x.stop) == Some(i);
    (last && crate::text::is_copula(&before))
        || (!w[i].value
            && (matches!(before.as_str(), "and" | "&" | "plus")
                || (crate::text::DETERMINERS.contains(&before.as_str())
                    && w.get(i + 1).is_some_and(|n| o.shared.contains(&n.stem)))))
}

/// The one word where `old` and `new` differ, when it is a particle and
/// its opposite (`on` / `off`, `in` / `out`, `up` / `down`), as
/// `(old's, new's)`.
fn particle_reversed(a: &Analysis, b: &Analysis) -> Option<(String, String)> {
    const OPPOSITE: &[(&str, &str)] = &[("on", "off"), ("in", "out"), ("up", "down")];
    if a.words.len() != b.words.len() {
        return None;
    }
    let mut differ = a
        .words
        .iter()
        .zip(&b.words)
        .filter(|(x, y)| !x.raw.eq_ignore_ascii_case(&y.raw));
    let (x, y) = differ.next()?;
    if differ.next().is_some() {
        return None;
    }
    let (new, old) = (x.raw.to_lowercase(), y.raw.to_lowercase());
    OPPOSITE
        .iter()
        .any(|&(p, q)| (old == p && new == q) || (old == q && new == p))
        .then_some((old, new))
}

/// A choice put to the model: which of `options` relates NEW to OLD.
pub fn model_prompt(new: &str, old: &str, options: &[Op]) -> (GenRequest, Vec<char>) {
    let letters: Vec<char> = ('A'..='E').take(options.len()).collect();
    let mut p = String::new();
    p.push_str("Compare two notes from a memory.\n\n");
    p.push_str(&format!(
        "OLD: {}\nNEW: {}\n\n",
        clip(old, 600),
        clip(new, 600)
    ));
    p.push_str("Which is true?\n");
    for (l, op) in letters.iter().zip(options) {
        p.push_str(&format!("{l}) {}\n", op.describe()));
    }
    p.push_str("Answer with one letter.");
    let schema = serde_json::json!({"type": "string", "enum": letters.iter().map(|c| c.to_string()).collect::<Vec<_>>()});
    let req = GenRequest {
        system: Some(
            "You decide how a new note relates to an old note. Reply with a single letter.".into(),
        ),
        prompt: p,
        max_tokens: 8,
        seed: 0,
        temperature: 0.0,
        json_schema: Some(schema),
    };
    (req, letters)
}

/// The closed questions curation may put to a model about a NEW statement
/// and an OLD one: `[same, replaced]` — does NEW say nothing beyond OLD;
/// does NEW make OLD no longer true. Each is answered yes or no and read
/// from the first token's probabilities ([`yes_margin`]), so no option
/// order biases it.
pub fn judge_prompts(new: &str, old: &str) -> [GenRequest; 2] {
    let ask = |q: &str| GenRequest {
        system: Some("You compare two notes from a personal memory. Answer yes or no.".into()),
        prompt: format!(
            "OLD: {}\nNEW: {}\n\n{q}\nAnswer yes or no.",
            clip(old, 600),
            clip(new, 600)
        ),
        max_tokens: 1,
        seed: 0,
        temperature: 0.0,
        json_schema: None,
    };
    [
        ask("Does NEW state the same fact as OLD, so that NEW adds no information?"),
        ask("Does NEW mean that OLD is no longer true?"),
    ]
}

/// log P(yes) - log P(no) for the first token of the answer.
pub fn yes_margin(g: &dyn Generator, req: &GenRequest) -> Result<f32> {
    let lp = g.choice_logprobs(req, &["yes", "no"])?;
    Ok(lp[0] - lp[1])
}

fn clip(s: &str, max: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        one
    } else {
        format!("{}…", one.chars().take(max).collect::<String>())
    }
}

/// Asks the model to pick one of `options`; an answer that is not one of
/// the letters is an error (never a silent default).
pub fn ask_model(
    g: Arc<dyn Generator>,
    new: &str,
    old: &str,
    options: &[Op],
    timeout: Duration,
) -> Result<Op> {
    let (req, letters) = model_prompt(new, old, options);
    let out = crate::model::generate_with_timeout(g, req, timeout)?;
    let v: serde_json::Value = serde_json::from_str(out.trim())
        .with_context(|| format!("the model's answer {out:?} is not JSON"))?;
    let s = v.as_str().unwrap_or("");
    let c = s.chars().next().unwrap_or(' ');
    match letters.iter().position(|l| *l == c) {
        Some(i) if s.len() == 1 => Ok(options[i]),
        _ => bail!(
            "the model answered {out:?}, not one of {}",
            letters
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("/")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_show_words_as_written_not_their_stems() {
        let a = Analysis::new("Our DNS moved to Cloudflare.");
        let b = Analysis::new("Our DNS is hosted at Route 53, unable to change it.");
        let r = surface("now cloudflar; unabl (dns vs rout)", &a, &b);
        assert_eq!(r, "now Cloudflare; unable (DNS vs Route)");
        assert_eq!(uniq_join(&["a", "b", "a"]), "a b");
    }

    fn op(new: &str, old: &str) -> Op {
        judge(new, old, None).op
    }

    /// Asserts that each (old, new) pair is judged `op` (or, with `not`,
    /// anything but `op`) at cosine `cos`.
    fn judged(op: Op, not: bool, cos: f32, pairs: &[(&str, &str)]) {
        for (old, new) in pairs {
            let v = judge(new, old, Some(cos));
            assert_eq!(v.op == op, !not, "{old} / {new}: {:?} {}", v.op, v.reason);
        }
    }

    #[test]
    fn a_repair_ends_a_broken_state() {
        // Said of the same thing, a repair supersedes the breakage (it was
        // a noop: "the same coffee machine, cosine 0.86").
        judged(
            Op::Supersede,
            false,
            0.86,
            &[
                (
                    "The coffee machine on floor 3 is broken.",
                    "The coffee machine on floor 3 was fixed this morning.",
                ),
                (
                    "The printer on floor 2 is out of order.",
                    "The printer on floor 2 was repaired yesterday.",
                ),
                (
                    "The login bug makes Safari users log in twice.",
                    "The Safari login bug is resolved.",
                ),
            ],
        );
        // "Fixed" as an adjective changes nothing.
        judged(
            Op::Supersede,
            true,
            0.86,
            &[(
                "The server has a fixed IP.",
                "The server has a fixed IP address of 10.0.0.5.",
            )],
        );
    }

    #[test]
    fn a_particle_turned_to_its_opposite_reverses_the_state() {
        // It was a noop ("already covered"): "on" is too short to count.
        judged(
            Op::Supersede,
            false,
            0.9,
            &[
                ("The heating is turned off.", "The heating is turned on."),
                (
                    "The lights in the hall are on.",
                    "The lights in the hall are off.",
                ),
                (
                    "Mia is logged in on the kiosk.",
                    "Mia is logged out on the kiosk.",
                ),
            ],
        );
        // A particle that is not the only difference decides nothing here.
        judged(
            Op::Supersede,
            true,
            0.9,
            &[("The heating is on.", "The heating is on timer mode.")],
        );
    }

    #[test]
    fn one_more_item_joined_to_the_list_is_more_not_the_same() {
        // One new word was taken for noise ("same content words": a noop,
        // the new area dropped).
        judged(
            Op::Update,
            false,
            0.9,
            &[
                (
                    "Alex is the tech lead for search.",
                    "Alex is the tech lead for search and recommendations.",
                ),
                // A word that qualifies the thing both name.
                (
                    "Marco is a backend engineer.",
                    "Marco is a senior backend engineer.",
                ),
            ],
        );
    }

    #[test]
    fn a_statement_turned_around_its_copula_is_the_same_attribute() {
        judged(
            Op::Supersede,
            false,
            0.8,
            &[(
                "Node 18 is the runtime for the API.",
                "The API runtime is Node 20.",
            )],
        );
        // Values in another order around no copula: another route.
        judged(
            Op::Add,
            false,
            0.85,
            &[(
                "The train from Zurich to Milan is at 9:00.",
                "The train from Milan to Zurich is at 10:00.",
            )],
        );
    }

    #[test]
    fn what_a_holder_hands_over_is_no_longer_theirs() {
        judged(
            Op::Supersede,
            false,
            0.7,
            &[
                (
                    "Ravi is the on-call engineer this week.",
                    "Ravi handed on-call over to Jess.",
                ),
                (
                    "Ravi leads the billing team.",
                    "Jess took over the billing team from Ravi.",
                ),
                (
                    "Ravi leads the billing team.",
                    "Ravi has passed the billing team to Jess.",
                ),
            ],
        );
        // Something handed that was not held, another thing handed, or
        // another holder's note.
        judged(
            Op::Supersede,
            true,
            0.7,
            &[
                (
                    "Ravi wrote the quarterly report.",
                    "Ravi handed the quarterly report to Jess.",
                ),
                (
                    "Ravi leads the billing team.",
                    "Ravi handed the payments team over to Jess.",
                ),
                (
                    "Priya is the on-call engineer this week.",
                    "Ravi handed on-call over to Jess.",
                ),
            ],
        );
    }

    #[test]
    fn a_state_said_reversed_supersedes() {
        judged(
            Op::Supersede,
            false,
            0.8,
            &[
                (
                    "The feature flag is enabled in production.",
                    "The feature flag was disabled in production.",
                ),
                (
                    "The partner API is available to resellers.",
                    "The partner API is unavailable to resellers.",
                ),
                (
                    "Invoices older than 30 days are paid.",
                    "Invoices older than 30 days are unpaid.",
                ),
                // Grown or shrunk to a new number.
                (
                    "The backend team has 6 engineers.",
                    "The backend team grew to 8 engineers.",
                ),
                // Given up: the habit ended.
                ("Zoe plays tennis on Saturdays.", "Zoe gave up tennis."),
                ("Zoe is learning Spanish.", "Zoe has given up Spanish."),
            ],
        );
        // Another thing's state, or the opposite denied: not a reversal.
        judged(
            Op::Supersede,
            true,
            0.8,
            &[
                (
                    "The feature flag is enabled in production.",
                    "The feature flag is disabled in staging.",
                ),
                ("The north gate is open.", "The south gate is closed."),
                ("The north gate is open.", "The north gate is not closed."),
            ],
        );
    }

    #[test]
    fn a_word_said_in_other_words_is_the_same_word() {
        judged(
            Op::Noop,
            false,
            0.75,
            &[
                (
                    "Ingrid seldom drinks coffee after noon.",
                    "Ingrid rarely drinks coffee after noon.",
                ),
                (
                    "Disk utilisation alerts fire at 85%.",
                    "Disk usage alerts fire at 85%.",
                ),
            ],
        );
        // The value a statement ends on, said another way, is another
        // value; a synonym never makes two names one.
        judged(
            Op::Noop,
            true,
            0.75,
            &[
                (
                    "The default branch of the docs repo is main.",
                    "The default branch of the docs repo is master.",
                ),
                (
                    "Ingrid seldom drinks coffee after noon.",
                    "Tomasz rarely drinks coffee after noon.",
                ),
            ],
        );
    }

    #[test]
    fn the_same_value_said_again_with_a_change_word_changes_nothing() {
        judged(
            Op::Noop,
            false,
            0.8,
            &[
                (
                    "Sofia uses Arch Linux on her desktop.",
                    "Sofia now uses Arch Linux on her desktop.",
                ),
                (
                    "Our nightly backups go to Backblaze B2.",
                    "Nightly backups have moved to Backblaze B2.",
                ),
                (
                    "The wiki runs on Confluence.",
                    "We switched the wiki to Confluence.",
                ),
            ],
        );
        // A word that ends the old state reverses it; a new value changes it.
        judged(
            Op::Noop,
            true,
            0.8,
            &[
                (
                    "Sofia uses Arch Linux on her desktop.",
                    "Sofia stopped using Arch Linux on her desktop.",
                ),
                ("The wiki runs on Confluence.", "The wiki moved to Notion."),
                // A word of the old place that the new one lacks.
                (
                    "The deploy script lives in ops/deploy.sh.",
                    "The deploy script moved to scripts/deploy.sh.",
                ),
            ],
        );
    }

    #[test]
    fn a_relating_verb_dropped_or_swapped_names_the_same_slot() {
        judged(
            Op::Supersede,
            false,
            0.6,
            &[
                // The old statement's verb dropped: the slot as a label.
                (
                    "Nightly builds use the toolchain rust-1.81.",
                    "nightly build toolchain: rust-1.83",
                ),
                // A verb in the place of the old statement's noun.
                ("Video files: Bunny CDN.", "video files are served via Mux"),
                (
                    "Audit log retention: 90 days.",
                    "the audit log keeps 180 days",
                ),
            ],
        );
        judged(
            Op::Supersede,
            true,
            0.6,
            &[
                // "live" qualifies: another URL.
                (
                    "Sandbox base URL for the Orca API: https://sandbox.orca.dev/v1",
                    "Live base URL for the Orca API: https://api.orca.com/v1",
                ),
                // A word of its own ("staging") beside the verb.
                (
                    "Nightly builds use the toolchain rust-1.81.",
                    "staging nightly builds use rust-1.83",
                ),
            ],
        );
    }

    #[test]
    fn compounds_periods_relatives_and_shortenings_name_no_other_attribute() {
        judged(
            Op::Supersede,
            false,
            0.6,
            &[
                // A compound written apart, joined or with a hyphen.
                (
                    "Upload quota for the pro tier: 50 GB.",
                    "Pro-tier upload quota: 80 GB",
                ),
                (
                    "Guest Wi-Fi network: cafe-guest.",
                    "guest wifi network is bean-guest",
                ),
                // From when the new value holds.
                (
                    "Squat working weight: 60 kg.",
                    "squat working weight this training block: 70 kg",
                ),
                (
                    "Office contact: Ines Duarte.",
                    "office contact since the reorg: Bruno Sales",
                ),
                // A relation noun before a changed name is part of it.
                (
                    "Next of kin: my sister Joana, 0777 100200.",
                    "Next of kin: my father Rui, 0777 300400.",
                ),
                // "meds" is medication.
                (
                    "Thyroid medication: levothyroxine 50 mcg daily.",
                    "thyroid meds: levothyroxine 75 mcg daily",
                ),
            ],
        );
        judged(
            Op::Supersede,
            true,
            0.6,
            &[
                // Parts not said in a row: a command, not the compound.
                (
                    "Cache keys are flushed every night.",
                    "To clear it, run make flush-cache now.",
                ),
                // A week is a one-off, not from when.
                ("Standup is at 09:30.", "standup is at 10:00 this week"),
            ],
        );
    }

    #[test]
    fn a_change_said_of_the_subject_alone_replaces_a_value_of_its_kind() {
        judged(
            Op::Supersede,
            false,
            0.3,
            &[
                ("Retro is at 16:00.", "retro moved to 15:00"),
                ("Node version: 18.", "node's on 22 now"),
                (
                    "Uncle Jo's address: 9 Mill Lane.",
                    "Uncle Jo's address is 21 Quay Street now.",
                ),
            ],
        );
        judged(
            Op::Supersede,
            true,
            0.3,
            &[
                // The old value is another attribute (a port, a room).
                ("Redis runs on port 6379.", "Redis moved to version 7"),
                ("Retro is in room 4B.", "retro moved to 15:00"),
                // Another kind of value.
                ("Node version: 18.", "node moved to Hetzner"),
                // No change said.
                (
                    "Retro is at 16:00.",
                    "retro at 15:00 on Fridays is optional",
                ),
                // Where the subject is based is another attribute.
                ("Ada is based in Lyon.", "Ada's new mentor is Carl Weiss."),
            ],
        );
    }

    #[test]
    fn the_old_value_said_to_be_replaced_is_superseded() {
        judged(
            Op::Supersede,
            false,
            0.3,
            &[
                (
                    "Password manager: KeePass.",
                    "replaced KeePass with Bitwarden",
                ),
                (
                    "Code hosting: Gitea.",
                    "we use Forgejo instead of Gitea now",
                ),
                (
                    "The wiki runs on Confluence.",
                    "the wiki moved from Confluence to Outline",
                ),
            ],
        );
        judged(
            Op::Supersede,
            true,
            0.3,
            &[
                // The old statement gives more than the value replaced.
                (
                    "Staging runs on Heroku; prod runs on AWS.",
                    "replaced Heroku with Fly",
                ),
                // Another kind of value in its place.
                (
                    "Password manager: KeePass.",
                    "replaced KeePass with 2 vaults",
                ),
                // Said of another named subject.
                (
                    "Lena's laptop runs Ubuntu.",
                    "Omar replaced Ubuntu with Fedora",
                ),
            ],
        );
    }

    #[test]
    fn a_new_item_joins_a_list_note() {
        judged(
            Op::Merge,
            false,
            0.6,
            &[
                (
                    "Supported regions: eu-west-1, us-east-1.",
                    "add ap-south-1 to the supported regions",
                ),
                ("Mia's allergies: shellfish.", "Mia is also allergic to soy"),
                (
                    "Reviewers for the billing repo: Ana, Tom.",
                    "Raj joined the billing reviewers",
                ),
                (
                    "Allowed CORS origins: https://app.kelp.io",
                    "add https://partners.kelp.io to CORS as well",
                ),
                (
                    "Choir members: Ines, Bea.",
                    "Tomas joined the choir as a tenor.",
                ),
            ],
        );
        judged(
            Op::Merge,
            true,
            0.6,
            &[
                // One value, not a list: a change or a detail, not an item.
                (
                    "Staging URL: stg.kelp.io",
                    "the staging URL also serves the docs",
                ),
                // Nothing joins.
                (
                    "Supported regions: eu-west-1, us-east-1.",
                    "the supported regions are listed in the wiki",
                ),
                // Not the list.
                (
                    "Mia's allergies: shellfish.",
                    "Mia also plays the cello on Tuesdays",
                ),
            ],
        );
    }

    #[test]
    fn too_said_of_another_subject_adds_nothing_to_it() {
        judged(
            Op::Merge,
            true,
            0.7,
            &[
                (
                    "DATABASE_URL for local dev is set in .env.local.",
                    "REDIS_URL for local dev lives in .env.local too",
                ),
                (
                    "Prod Kubernetes cluster: eks-prod-1 (eu-west-1).",
                    "the dev cluster is eks-dev-1, also in eu-west-1",
                ),
            ],
        );
        judged(
            Op::Merge,
            false,
            0.7,
            &[(
                "Coffee suppliers: Kaffa Roastery and Origin Lab.",
                "We buy coffee from Hasbean too",
            )],
        );
    }

    #[test]
    fn a_name_of_another_kind_replaces_nothing() {
        judged(
            Op::Supersede,
            true,
            0.7,
            &[
                (
                    "The billing service is written in Go.",
                    "The billing service moved to Kubernetes last month.",
                ),
                (
                    "The frontend is deployed to Vercel.",
                    "The frontend switched to Svelte.",
                ),
                (
                    "The public API is served from api.kelp.io.",
                    "The public API now requires OAuth tokens.",
                ),
            ],
        );
        // The same kind: a new value.
        judged(
            Op::Supersede,
            false,
            0.7,
            &[
                (
                    "The image resizer runs on AWS Lambda.",
                    "The image resizer no longer runs on Lambda; it was moved to Cloud Run.",
                ),
                (
                    "The team chat is on Slack.",
                    "The team chat moved to Zulip.",
                ),
            ],
        );
        let kinds = |t: &str| {
            let a = Analysis::new(t);
            crate::text::value_kinds(&a.words, &a.values())
        };
        assert_eq!(
            kinds("It runs on AWS Lambda")
                .into_iter()
                .collect::<Vec<_>>(),
            ["platform"]
        );
        assert_eq!(
            kinds("Builds use GitHub Actions")
                .into_iter()
                .collect::<Vec<_>>(),
            ["ci"]
        );
        assert!(kinds("It is written in Go").contains("language"));
        assert!(kinds("served from api.kelp.io").contains("address"));
    }

    #[test]
    fn a_change_said_not_to_happen_and_a_label_corrected() {
        let v = judge(
            "the old marketing repo still uses yarn v1 - don't migrate it",
            "Use pnpm in all JS repos.",
            Some(0.6),
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
        let v = judge(
            "got Noor's birthday wrong, it's the 21st of June",
            "Noor's birthday: 12 June.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Update, "{}", v.reason);
        // Without the mistake owned up to, the label's new value.
        assert_eq!(
            op(
                "Staging URL is staging.kelp.dev",
                "Staging URL: stg.kelp.io"
            ),
            Op::Supersede
        );
    }

    #[test]
    fn a_hedged_statement_changes_nothing() {
        judged(
            Op::Add,
            false,
            0.8,
            &[
                (
                    "Leilani is allergic to penicillin.",
                    "Leilani's GP wants to test whether the penicillin allergy is real.",
                ),
                (
                    "The standup is at 9:30.",
                    "The standup might move to 10:00.",
                ),
                (
                    "The orders database runs Postgres 14.",
                    "We're considering moving the orders database to Postgres 16.",
                ),
            ],
        );
        assert_eq!(
            op("The standup moved to 10:00.", "The standup is at 9:30."),
            Op::Supersede
        );
    }

    #[test]
    fn a_one_off_leaves_the_usual_value_standing() {
        judged(
            Op::Add,
            false,
            0.8,
            &[
                (
                    "Grace's piano lesson is Thursdays at 5pm.",
                    "Grace's piano lesson is moved to Saturday morning, just this once",
                ),
                (
                    "Leo's swimming: Wednesdays 5pm.",
                    "This Wednesday's swimming is cancelled.",
                ),
                (
                    "Aiko covers the payments on-call shift on Fridays.",
                    "Luis covers the payments on-call shift tonight only.",
                ),
            ],
        );
        // From then on, it is the new value.
        judged(
            Op::Supersede,
            false,
            0.8,
            &[
                (
                    "The standup is at 09:30.",
                    "The standup moved to 10:15, starting this Monday.",
                ),
                (
                    "Grace's piano lesson is Thursdays at 5pm.",
                    "Grace's piano lesson moved to Saturdays at 10am.",
                ),
            ],
        );
        assert_eq!(one_off("from this week the standup is at 10"), None);
        assert!(one_off("skipping the gym until my ankle heals").is_some());
    }

    #[test]
    fn durations_in_other_units_are_one_value() {
        judged(
            Op::Noop,
            false,
            0.8,
            &[
                (
                    "The nightly backup job takes about 1 hour.",
                    "The nightly backup job takes roughly 60 minutes.",
                ),
                (
                    "Code freeze starts two days before each release.",
                    "Code freeze starts 48 hours before each release.",
                ),
                (
                    "I practise piano for 30 minutes a day.",
                    "I practise piano for half an hour a day.",
                ),
            ],
        );
        judged(
            Op::Supersede,
            false,
            0.8,
            &[(
                "The nightly backup job takes about 1 hour.",
                "The nightly backup job now takes 90 minutes.",
            )],
        );
        // A rate is no duration: "a day" after an amount.
        assert_eq!(durations("30 minutes a day").len(), 1);
        assert_eq!(durations("twice a day").len(), 0);
        assert_eq!(durations("The migration takes a day").len(), 1);
        assert_eq!(
            same_duration_units("takes 90 minutes", "takes 1.5 hours"),
            Some(("takes 90 minutes".into(), "takes 90 minutes".into()))
        );
        assert_eq!(
            same_duration_units("takes 90 minutes", "takes 80 minutes"),
            None
        );
    }

    #[test]
    fn a_notes_key_said_again_with_another_value_supersedes() {
        judged(
            Op::Supersede,
            false,
            0.6,
            &[
                (
                    "Staging URL: stg.hollis.app.",
                    "staging URL is staging.hollis.dev",
                ),
                (
                    "Primary contact at Brightline Logistics: Marta Silva.",
                    "our primary contact at Brightline Logistics is Owen Pike",
                ),
                (
                    "Manager: Helen Brooks.",
                    "my manager changed to Tariq Aziz after the reorg",
                ),
                (
                    "Sprint review room: Oak.",
                    "sprint review is held in the Cedar room",
                ),
            ],
        );
        // Another thing of the kind, a list, a detail of the key, or the
        // old value again: not a new value.
        judged(
            Op::Supersede,
            true,
            0.6,
            &[
                (
                    "Staging URL: stg.hollis.app.",
                    "Production URL is prod.hollis.app",
                ),
                (
                    "Wi-Fi password: maple-otter-42.",
                    "Office wifi password is cedar-lynx-17",
                ),
                ("Manager: Helen Brooks.", "My manager's birthday is in May"),
            ],
        );
        // A list's key (a plural head) is no single value.
        assert!(
            label_changed(
                &Analysis::new("My manager Helen Brooks moved to Leeds"),
                "Manager: Helen Brooks.",
                &Analysis::new("Manager: Helen Brooks.")
            )
            .is_none(),
            "the old value is still there"
        );
        assert!(label_value("Allergies: peanuts.").is_none());
        assert!(label_value("Code owners of /payments: @priya").is_none());
        assert!(label_value("Primary contact at Brightline Logistics: Marta Silva.").is_some());
    }

    #[test]
    fn a_value_said_to_stay_is_nothing_new() {
        judged(
            Op::Noop,
            false,
            0.6,
            &[
                (
                    "Staging cluster runs Kubernetes 1.28.",
                    "Staging stays on 1.28.",
                ),
                ("Data access library: jOOQ.", "jOOQ stays."),
            ],
        );
        // Staying somewhere new is no restatement.
        judged(
            Op::Noop,
            true,
            0.6,
            &[
                (
                    "Staging cluster runs Kubernetes 1.28.",
                    "Staging stays on 1.30.",
                ),
                ("Marco lives in Lisbon.", "Marco stays in Porto now."),
            ],
        );
    }

    #[test]
    fn now_said_of_another_attribute_replaces_nothing() {
        judged(
            Op::Add,
            false,
            0.7,
            &[
                (
                    "Priya owns the payments alert queue.",
                    "Priya leads the payments team now",
                ),
                (
                    "Tomás plays bass in the band.",
                    "Tomás no longer books the band's gigs",
                ),
            ],
        );
        // The same verb, another place: the attribute changed.
        judged(
            Op::Supersede,
            false,
            0.7,
            &[(
                "The Tesla is charged at the office garage.",
                "The Tesla is now charged at home on the wall box.",
            )],
        );
        // Digits owned up to as swapped, before or after the word: a
        // correction.
        judged(
            Op::Update,
            false,
            0.8,
            &[(
                "Router serial number: RTX-88120-B.",
                "router serial is RTX-88210-B — the earlier note had two digits swapped",
            )],
        );
    }

    #[test]
    fn a_number_in_what_the_statement_is_about_is_another_thing() {
        // The number names the subject: both stay.
        judged(
            Op::Add,
            false,
            0.9,
            &[
                ("Python 3.8 is end of life.", "Python 3.9 is end of life."),
                ("Bus 12 goes to the airport.", "Bus 34 goes to the airport."),
                ("Room 101 has a projector.", "Room 102 has a projector."),
                (
                    "Flight 22 departs from terminal B.",
                    "Flight 31 departs from terminal B.",
                ),
            ],
        );
        // A version of what is deployed, a role one thing holds, a value
        // after the verb: the value changed.
        judged(
            Op::Supersede,
            false,
            0.9,
            &[
                ("Release 4.2 is live.", "Release 4.3 is live."),
                (
                    "Node 18 is the current LTS release.",
                    "Node 20 is the current LTS release.",
                ),
                (
                    "The API runs on Python 3.8.",
                    "The API runs on Python 3.11.",
                ),
                (
                    "Our flight to Oslo leaves from gate 12.",
                    "Our flight to Oslo leaves from gate 31.",
                ),
            ],
        );
    }

    #[test]
    fn another_word_before_the_same_kind_of_thing_is_another_thing() {
        judged(
            Op::Add,
            false,
            0.85,
            &[
                (
                    "The staging database is on Postgres 14.",
                    "The production database is now on Postgres 17.",
                ),
                (
                    "My road bike is stored in the basement.",
                    "My mountain bike is now stored in the garage.",
                ),
                (
                    "The mail server is backed up every night.",
                    "The file server is now backed up every Sunday.",
                ),
            ],
        );
        // A word of time or age describes the same thing.
        judged(
            Op::Supersede,
            false,
            0.85,
            &[
                (
                    "The morning standup is at 9:30.",
                    "The morning standup moved to 10:15.",
                ),
                (
                    "The standup is at 9:30.",
                    "The daily standup moved to 10:15.",
                ),
            ],
        );
    }

    #[test]
    fn a_relative_named_is_the_person_named() {
        // "My son Leo" is Leo.
        judged(
            Op::Add,
            true,
            0.8,
            &[
                (
                    "My son Leo plays violin on Tuesdays.",
                    "Leo now plays cello on Tuesdays.",
                ),
                (
                    "My daughter Emma is allergic to peanuts.",
                    "Emma is allergic to peanuts and cashews.",
                ),
            ],
        );
        // Another relative, or the writer's relative unnamed, is not.
        judged(
            Op::Add,
            false,
            0.8,
            &[
                (
                    "My son Leo plays violin on Tuesdays.",
                    "Mia now plays cello on Tuesdays.",
                ),
                (
                    "Emma is allergic to peanuts.",
                    "My daughter is allergic to cats.",
                ),
            ],
        );
    }

    #[test]
    fn a_period_a_new_value_holds_for_is_no_other_thing() {
        // Invented sentences, not from any fixture.
        judged(
            Op::Supersede,
            false,
            0.8,
            &[
                (
                    "Office plant budget: £30/month",
                    "office plant budget for 2031 is £45 a month",
                ),
                (
                    "Choir rehearsal room: B12.",
                    "This term's choir rehearsal room: C4.",
                ),
                (
                    "The lab fridge is set to 4 °C.",
                    "From next month the lab fridge is set to 3 °C.",
                ),
            ],
        );
        // Not when the old statement has a period of its own (two periods,
        // two values), nor when the new one says it is temporary, nor when
        // the value is the same (a detail more).
        judged(
            Op::Supersede,
            true,
            0.8,
            &[
                (
                    "The travel budget for this year is 3,000 euros.",
                    "The travel budget for next year is 4,000 euros.",
                ),
                (
                    "The standup is at 09:30.",
                    "This week only, the standup is at 11:00.",
                ),
                (
                    "The lab fridge is set to 4 °C.",
                    "The lab fridge is set to 4 °C this winter.",
                ),
            ],
        );
    }

    #[test]
    fn a_new_value_named_by_the_same_noun_in_other_words_supersedes() {
        for (old, new) in [
            (
                "Host pallas3 was moved to rack H3.",
                "Host pallas3 sits in rack C9.",
            ),
            (
                "Tom Raman sits in room 935.",
                "Tom Raman's office is in room 837.",
            ),
            (
                "Ledger-worker was upgraded to version 1.5.8.",
                "Ledger-worker runs version 4.7.7 in production.",
            ),
            // The same attribute, one side without the noun.
            (
                "Ivan Silva's extension changed to 5907.",
                "Ivan Silva's phone extension is 8222.",
            ),
            (
                "Ledger-api was moved to the eu-central-1 region.",
                "Ledger-api is deployed in eu-north-1.",
            ),
            // A lower-case service name is the subject.
            (
                "Ownership of search-sync passed to the Payments team.",
                "The search-sync service is owned by the Platform team.",
            ),
            // A name both keep is what the value belongs to.
            (
                "build-box-12 runs Debian 11.",
                "build-box-12 was reimaged with Debian 12.",
            ),
            // The old statement's change words are not content to restate.
            (
                "Project Larch moved into the discovery phase.",
                "Project Larch is in the planning phase.",
            ),
        ] {
            assert_eq!(op(new, old), Op::Supersede, "{old} -> {new}");
        }
    }

    #[test]
    fn one_more_item_said_to_add_to_a_list_merges() {
        for (old, new) in [
            (
                "Coffee suppliers: Kaffa Roastery and Origin Lab.",
                "We buy coffee from Hasbean too.",
            ),
            (
                "This year's veg beds: courgettes, beans, kale.",
                "We've planted leeks in the veg beds too.",
            ),
        ] {
            let v = judge(new, old, Some(0.5));
            assert_eq!(v.op, Op::Merge, "{old} / {new}: {}", v.reason);
        }
        // Nothing in common but the subject: another fact.
        let v = judge(
            "Ana also plays the cello.",
            "Ana speaks French and German.",
            Some(0.3),
        );
        assert_eq!(v.op, Op::Add, "{}", v.reason);
    }

    #[test]
    fn more_detail_without_the_old_has_refines() {
        let v = judge(
            "Pepper's food allergy is to chicken protein.",
            "Pepper has a food allergy.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Update, "{}", v.reason);
        // One word said of the thing after a copula is more detail too.
        let v = judge(
            "Mira's peanut allergy is mild.",
            "Mira has a peanut allergy.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Update, "{}", v.reason);
    }

    #[test]
    fn a_direction_or_a_retry_is_no_change_word() {
        let v = judge(
            "The van squeals from the front left wheel when braking at low speed.",
            "The van makes a noise when braking.",
            Some(0.7),
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
        let v = judge(
            "If npm install errors with EINTEGRITY, clear the cache with npm cache clean --force, then try again.",
            "When npm install fails with EINTEGRITY, run npm cache clean --force and retry.",
            Some(0.9),
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
        // A departure still is one.
        let v = judge("Maria left Google.", "Maria works at Google.", Some(0.8));
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn digits_swapped_correct_and_hours_said_with_a_light_verb_move() {
        // Digits swapped by the writer: a correction.
        let v = judge(
            "The joint account IBAN ends in 4401; I swapped two digits before.",
            "The joint account IBAN ends in 4410.",
            Some(0.9),
        );
        assert_eq!(v.op, Op::Update, "{}", v.reason);
        // Times said with a light verb: the same hours moved.
        let v = judge(
            "Core hours run from 09:00 to 15:00.",
            "Core hours are 10:00–16:00.",
            Some(0.9),
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn a_new_value_of_a_fact_that_never_changes_corrects_it() {
        judged(
            Op::Update,
            false,
            0.9,
            &[
                ("Piotr was born in Gdansk.", "Piotr was born in Gdynia."),
                (
                    "Our house was built in 1974.",
                    "Our house was built in 1968.",
                ),
                (
                    "Mirela's blood type is B positive.",
                    "Mirela's blood type is AB positive.",
                ),
            ],
        );
        // What can change still supersedes: a build tool, a home.
        judged(
            Op::Supersede,
            false,
            0.9,
            &[
                (
                    "The app is built with Gradle 7.",
                    "The app is built with Gradle 8.",
                ),
                ("Piotr lives in Gdansk.", "Piotr lives in Gdynia."),
            ],
        );
    }

    #[test]
    fn one_more_name_on_a_list_of_names_merges() {
        for (old, new) in [
            (
                "The weekend support rota is Ivo, Sade and Petra.",
                "Marek joins the weekend support rota.",
            ),
            (
                "Weekend on-call rota: Tariq, Samira, Omar.",
                "Layla has joined the weekend on-call rota.",
            ),
            (
                "Approvers for the release checklist are Hugo and Wen.",
                "Dalia was added as an approver for the release checklist.",
            ),
        ] {
            let v = judge(new, old, None);
            assert_eq!(v.op, Op::Merge, "{new} / {old}: {}", v.reason);
        }
        // Not a list: one holder, replaced.
        let v = judge(
            "Marek joins the weekend support desk as its lead.",
            "Ivo leads the weekend support desk.",
            None,
        );
        assert_ne!(v.op, Op::Merge, "{}", v.reason);
    }

    #[test]
    fn one_more_item_of_a_list_named_by_its_kind_merges() {
        for (old, new) in [
            (
                "Tamsin's hobbies are climbing and chess.",
                "Tamsin also does woodworking.",
            ),
            (
                "Tamsin's hobbies include climbing.",
                "Tamsin plays the cello too.",
            ),
            (
                "Tamsin's languages are Welsh and English.",
                "Tamsin also speaks Basque.",
            ),
        ] {
            let v = judge(new, old, None);
            assert_eq!(v.op, Op::Merge, "{new} / {old}: {}", v.reason);
        }
        // Without "also", or about someone else, or another attribute:
        // not this list.
        for (old, new) in [
            (
                "Tamsin's hobbies are climbing and chess.",
                "Tamsin does woodworking.",
            ),
            (
                "Tamsin's hobbies are climbing and chess.",
                "Iwan also does woodworking.",
            ),
            (
                "Tamsin's hobbies are climbing and chess.",
                "Tamsin also works at the library.",
            ),
        ] {
            let v = judge(new, old, None);
            assert_ne!(v.op, Op::Merge, "{new} / {old}: {}", v.reason);
        }
    }

    #[test]
    fn a_role_named_by_a_noun_of_its_kind_is_about_the_thing() {
        // Invented sentences, not from any fixture.
        let v = judge(
            "Ingrid is now the product owner of Project Kestrel.",
            "Mateus is the product owner of Project Kestrel.",
            None,
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
        assert!(v.reason.contains("Mateus -> Ingrid"), "{}", v.reason);
        let v = judge(
            "Ingrid is the product owner of Project Osprey.",
            "Mateus is the product owner of Project Kestrel.",
            None,
        );
        assert_eq!(v.op, Op::Add, "{}", v.reason);
    }

    #[test]
    fn a_role_with_another_holder_in_the_other_voice_supersedes() {
        for (old, new) in [
            (
                "Farah Said leads the mobile guild.",
                "The mobile guild is led by Tobias.",
            ),
            (
                "The ledger service is owned by the Core Banking team.",
                "Risk Engineering owns the ledger service.",
            ),
        ] {
            let v = judge(new, old, None);
            assert_eq!(v.op, Op::Supersede, "{new} / {old}: {}", v.reason);
        }
        // Another thing led: both stay.
        let v = judge(
            "The web guild is led by Tobias.",
            "Farah Said leads the mobile guild.",
            None,
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn a_thing_rescheduled_to_another_day_and_time_is_superseded() {
        let v = judge(
            "Ilse has her swimming class on Thursdays at 18:15.",
            "Ilse's swimming class is on Tuesdays at 17:00.",
            None,
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
        // Numbers that name the thing (a version, a year) are no schedule.
        let v = judge(
            "Release 4.1 of the app dropped support for iOS 15.",
            "Release 4.0 of the app dropped support for iOS 14.",
            None,
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn a_named_pet_or_child_is_what_the_owners_statement_is_about() {
        let v = judge(
            "Biscuit weighs 6.1 kg.",
            "Lorenzo's dog Biscuit weighs 5.3 kg.",
            None,
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
        // Another pet of the same owner is another subject.
        let v = judge(
            "Pepper weighs 6.1 kg.",
            "Lorenzo's dog Biscuit weighs 5.3 kg.",
            None,
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn change_words_as_adjectives_in_relative_clauses_or_habits_are_no_change() {
        for (old, new) in [
            (
                "The peppers in the polytunnel are fed weekly.",
                "The peppers in the raised planter get fed every other day.",
            ),
            (
                "The lawn is cut twice a month in summer.",
                "We cut the lawn every second week in summer.",
            ),
            (
                "Failed jobs are retried.",
                "Failed jobs are retried by a sweeper, which moves them into a slow queue.",
            ),
        ] {
            let v = judge(new, old, None);
            assert_ne!(v.op, Op::Supersede, "{new} / {old}: {}", v.reason);
        }
    }

    #[test]
    fn the_old_subject_named_as_a_value_is_another_subject() {
        // Felix is Bjorn's new manager: his own manager is unchanged.
        let v = judge(
            "Bjorn Varga now reports to Felix Jansen.",
            "Felix Jansen reports to Ana Pereira.",
            None,
        );
        assert_eq!(v.op, Op::Add, "{}", v.reason);
        assert!(v.reason.contains("different subject"), "{}", v.reason);
        assert_eq!(
            op(
                "Ana Pereira's manager is Felix Jansen.",
                "Felix Jansen's manager is Omar Ito."
            ),
            Op::Add
        );
        for (new, old) in [
            (
                "Hugo Kuznetsov's new manager is Kenji Petrov.",
                "Kenji Petrov reports to Farid Kuznetsov.",
            ),
            // The new lead of a project is its value, not its subject.
            (
                "Chloe Ueda took over as lead of project Cyclone.",
                "Chloe Ueda reports to Hana Jovanovic.",
            ),
        ] {
            assert_eq!(op(new, old), Op::Add, "{old} -> {new}");
        }
        assert_eq!(
            op(
                "Chloe Ueda took over as lead of project Cyclone.",
                "Greta Park leads project Cyclone."
            ),
            Op::Supersede
        );
        // A project's new lead, said in the other voice, with the same
        // first name as the old one.
        assert_eq!(
            op(
                "Project Aspen is led by Ines Ferreira.",
                "Ines Andersen took over as lead of project Aspen."
            ),
            Op::Supersede
        );
        // Values that swap places besides the subject, another changed,
        // name another thing.
        assert_eq!(
            op(
                "The 8:10 train runs from Zurich to Milan via Basel.",
                "The 8:10 train runs from Milan to Zurich via Bern."
            ),
            Op::Add
        );
        // The same subject's new manager still replaces the old one.
        assert_eq!(
            op(
                "Felix Jansen now reports to Bjorn Varga.",
                "Felix Jansen reports to Ana Pereira."
            ),
            Op::Supersede
        );
        // Named as what a clause is about, the old subject is mentioned.
        let a = Analysis::new("Ben said Ana moved to Porto.");
        assert!(!a.names_as_value("ana"));
        let a = Analysis::new("Bjorn now reports to Felix Jansen.");
        assert!(a.names_as_value("felix jansen"));
        let a = Analysis::new("Spot P1-04 is Ruth's reserved parking space now.");
        assert!(!a.names_as_value("ruth"));
    }

    #[test]
    fn the_same_kind_of_value_of_another_thing_is_added() {
        for (old, new) in [
            // Nouns on both sides: two things in rooms.
            ("Tom's talk is in room 935.", "Tom's office is in room 837."),
            // Each side qualifies the noun its own way.
            (
                "Mia's phone number is 555-1234.",
                "Mia's work number is 555-9876.",
            ),
            // A word qualifying a word both have.
            (
                "The Android app targets API level 34.",
                "The Android TV app targets API level 31.",
            ),
            // Anchored by a name both keep, with other words than verbs.
            (
                "Our flight to Reykjavik is FI 615.",
                "Our flight back from Reykjavik is FI 614.",
            ),
            // A relative of a person named in several words.
            (
                "Uncle Radek lives in Brno.",
                "Uncle Radek's daughter lives in Olomouc.",
            ),
            // Two services.
            (
                "The search-sync service listens on port 6377.",
                "The ledger-sync service listens on port 6143.",
            ),
        ] {
            assert_ne!(op(new, old), Op::Supersede, "{old} -> {new}");
        }
    }

    #[test]
    fn a_kind_or_title_before_a_name_is_the_same_subject() {
        assert!(shortened("project halcyon", "halcyon"));
        assert!(shortened("ernesto", "grandpa ernesto"));
        assert!(!shortened("vacuum analyz", "analyz"));
        assert!(!shortened("ana silva", "ana"));
        assert_eq!(
            op(
                "Halcyon moved to the testing phase.",
                "Project Halcyon is in the design phase."
            ),
            Op::Supersede
        );
    }

    #[test]
    fn clear_cases() {
        assert_eq!(
            op("Alice lives in Berlin.", "alice lives in berlin"),
            Op::Noop
        );
        assert_eq!(
            op(
                "Alice moved from Berlin to Paris.",
                "Alice lives in Berlin."
            ),
            Op::Supersede
        );
        assert_eq!(op("Bob lives in Paris.", "Alice lives in Berlin."), Op::Add);
        assert_eq!(
            op(
                "Alice works at Google as a senior product manager in Zurich.",
                "Alice works at Google."
            ),
            Op::Update
        );
        assert_eq!(
            op(
                "Alice works at Google.",
                "Alice works at Google as a senior product manager in Zurich."
            ),
            Op::Noop
        );
        assert_eq!(
            op(
                "The release build also needs protoc.",
                "The release build requires cmake and libclang."
            ),
            Op::Merge
        );
        assert_eq!(
            op(
                "The auth service listens on port 9443.",
                "The auth service listens on port 8443."
            ),
            Op::Supersede
        );
        assert_eq!(
            op("The CI runners use Ubuntu 24.04.", "Alice lives in Berlin."),
            Op::Add
        );
    }

    #[test]
    fn one_changed_slot_supersedes_several_never_do() {
        // One value changed: the same attribute of the same thing.
        let v = judge(
            "Server web1 has IP 10.0.0.21",
            "Server web1 has IP 10.0.0.11",
            None,
        );
        assert_eq!((v.op, v.clear), (Op::Supersede, true), "{}", v.reason);
        // Several slots changed: most likely another thing. Never a
        // replacement, not even one the model could pick.
        for (new, old) in [
            (
                "Server web2 has IP 10.0.0.12",
                "Server web1 has IP 10.0.0.11",
            ),
            (
                "Port 6379 is used by redis",
                "Port 5432 is used by postgres",
            ),
            (
                "Concurrent fact number 2 about servers in rack 2",
                "Concurrent fact number 1 about servers in rack 1",
            ),
        ] {
            let v = judge(new, old, Some(0.7));
            assert_eq!(v.op, Op::Add, "{new} / {old}: {}", v.reason);
            assert!(
                !v.options.contains(&Op::Supersede),
                "{new}: {:?}",
                v.options
            );
        }
    }

    #[test]
    fn a_name_or_identifier_in_the_subject_is_another_thing() {
        for (new, old) in [
            // An identifier after the name: part of the subject.
            (
                "Host janus8 has 32 CPU cores.",
                "Host freya1 has 32 CPU cores.",
            ),
            (
                "Host kronos1 has 64 GB of RAM.",
                "Host metis7 has 16 GB of RAM.",
            ),
            (
                "Host tethys3's IP address changed to 10.16.105.3.",
                "Host oberon4's IP address changed to 10.8.47.29.",
            ),
            // A name before the first shared word.
            (
                "The checkout-sync service is owned by the Security team.",
                "The auth-sync service is owned by the Security team.",
            ),
            (
                "The Berlin office has 40 desks.",
                "The Paris office has 40 desks.",
            ),
        ] {
            let v = judge(new, old, Some(0.9));
            assert_eq!(
                (v.op, v.clear),
                (Op::Add, true),
                "{new} / {old}: {}",
                v.reason
            );
        }
        // Only another attribute of the same person: no supersede.
        let v = judge(
            "Mei Mensah's new manager is Kenji Novak.",
            "Mei Mensah is based in Osaka.",
            Some(0.5),
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
        // A common word there is left to the rest (a paraphrase here).
        let v = judge(
            "At the end of every month we read the power meter.",
            "The electricity meter is read on the last day of each month.",
            Some(0.8),
        );
        assert!(!v.reason.contains("different subject"), "{}", v.reason);
    }

    #[test]
    fn a_value_of_several_words_is_one_slot_and_has_is_no_content() {
        for (new, old) in [
            (
                "Host atlas8 runs Arch Linux as its operating system.",
                "Host atlas8 runs Ubuntu 22.04 as its operating system.",
            ),
            (
                "Pablo Kowalski reports to Aisha Kowalski.",
                "Pablo Kowalski reports to Sofia Adeyemi.",
            ),
            (
                "Project Willow is due on March 10.",
                "Project Willow is due on September 28.",
            ),
            (
                "Project Sirius has a budget of 150 thousand euros.",
                "Project Sirius's budget was changed to 270 thousand euros.",
            ),
            (
                "Host umbriel8 has 64 GB of RAM.",
                "Host umbriel8 was upgraded to 48 GB of RAM.",
            ),
            // A channel name is a value.
            (
                "Project Heron is discussed in the #pine-harbor channel.",
                "Project Heron is discussed in the #fjord-nimbus channel.",
            ),
        ] {
            let v = judge(new, old, Some(0.8));
            assert_eq!(
                (v.op, v.clear),
                (Op::Supersede, true),
                "{new} / {old}: {}",
                v.reason
            );
        }
    }

    #[test]
    fn a_relative_is_another_subject() {
        for (new, old) in [
            (
                "Tariq's son is allergic to cats.",
                "Tariq is allergic to cats.",
            ),
            (
                "My daughter takes vitamin D every morning.",
                "I take vitamin D every morning.",
            ),
            (
                "Ursula lives in Vienna.",
                "Ursula's sister lives in Vienna.",
            ),
            (
                "Our dog sleeps in the kitchen.",
                "Our cat sleeps in the kitchen.",
            ),
        ] {
            let v = judge(new, old, Some(0.93));
            assert_eq!(
                (v.op, v.clear),
                (Op::Add, true),
                "{new} / {old}: {}",
                v.reason
            );
        }
        // Named after the verb, the relative is not the subject; the same
        // relative on both sides is the same subject.
        let v = judge(
            "Nadia is married to Mateo.",
            "Mateo is Nadia's husband.",
            Some(0.935),
        );
        assert!(!v.reason.contains("different subject"), "{}", v.reason);
        let v = judge(
            "Tariq's son is allergic to dogs.",
            "Tariq's son is allergic to cats.",
            Some(0.9),
        );
        assert!(!v.reason.contains("different subject"), "{}", v.reason);
    }

    #[test]
    fn the_same_values_in_other_words_are_nothing_new_unless_a_word_was_swapped() {
        let v = judge(
            "The API paginates results, 50 items per page by default.",
            "API responses are paginated with a default page size of 50.",
            Some(0.78),
        );
        assert_eq!(v.op, Op::Noop, "{}", v.reason);
        // One thing named in place of another, in the same frame.
        for (new, old) in [
            (
                "The nightly export job runs at 2am.",
                "The nightly report job runs at 2am.",
            ),
            (
                "The pricing service listens on port 9000.",
                "The inventory service listens on port 9000.",
            ),
            (
                "We chose MongoDB over Postgres for the analytics prototype.",
                "We chose Postgres over MongoDB for the orders service.",
            ),
        ] {
            let v = judge(new, old, Some(0.75));
            assert_ne!(v.op, Op::Noop, "{new} / {old}: {}", v.reason);
        }
    }

    #[test]
    fn an_attribute_named_in_other_words_is_the_same_attribute() {
        for (new, old) in [
            (
                "Helga Iqbal reports to Dario Nakamura.",
                "Helga Iqbal's manager is Thandiwe Rahman.",
            ),
            (
                "Gateway-worker was migrated to Redis.",
                "Gateway-worker stores its data in Postgres.",
            ),
            (
                "Project Badger's deadline slipped to December 5.",
                "Project Badger is due on March 3.",
            ),
            (
                "Host metis7 was reinstalled with Debian 12.",
                "Host metis7 runs Fedora 40 as its operating system.",
            ),
            // A person's role toward a named thing: the thing is the subject.
            (
                "Felix Nguyen took over as lead of project Mira.",
                "Zane Takahashi leads project Mira.",
            ),
            (
                "Project Typhoon has a budget of 380 thousand euros.",
                "Project Typhoon has a budget of 150 thousand euros.",
            ),
            // A light verb of its own beside the attribute's other words.
            (
                "Host elara1 runs Ubuntu 22.04 as its operating system.",
                "Host elara1 was reinstalled with Rocky Linux 9.",
            ),
        ] {
            let v = judge(new, old, Some(0.6));
            assert_eq!(v.op, Op::Supersede, "{new} / {old}: {}", v.reason);
        }
    }

    #[test]
    fn what_looks_like_a_change_but_is_not_one_stays_beside_it() {
        for (new, old, cos) in [
            // Another person's role, not a change of the manager.
            (
                "Grace Kuznetsov's new manager is Lars Eriksen.",
                "Grace Kuznetsov leads project Jaguar.",
                0.6,
            ),
            // One of several things someone has.
            (
                "Olga has a sister in Tallinn.",
                "Olga has a sister in Riga.",
                0.9,
            ),
            (
                "The office has a printer on the 4th floor.",
                "The office has a printer on the 2nd floor.",
                0.9,
            ),
            // RAM and CPU cores are two attributes; a work phone is another
            // phone.
            (
                "Host freya6 has 32 CPU cores.",
                "Host freya6 has 32 GB of RAM.",
                0.8,
            ),
            (
                "Chloe's work phone number ends in 9023.",
                "Chloe's phone number ends in 4471.",
                0.8,
            ),
            // A negation of something else about the subject.
            (
                "The build cache is not compressed.",
                "The build cache lives in S3.",
                0.6,
            ),
            // Opposites of a closed set are values, never a paraphrase.
            (
                "The west bed gets full sun all morning.",
                "The east bed gets full sun all afternoon.",
                0.89,
            ),
            // A number and its unit written together; "longer than"; a name.
            (
                "build agents each have 64GB memory",
                "Each build agent has 64 GB of RAM.",
                0.85,
            ),
            (
                "Pistachio the parrot doesn't get left alone longer than a day.",
                "Pistachio the parrot is never left alone for more than a day.",
                0.85,
            ),
            (
                "Moana is flying to Auckland on December 18 with Air New Zealand.",
                "Moana is flying to Auckland in December.",
                0.8,
            ),
        ] {
            let v = judge(new, old, Some(cos));
            assert!(
                !matches!(v.op, Op::Supersede | Op::Noop) || (v.op == Op::Noop && cos >= 0.85),
                "{new} / {old}: {:?} {}",
                v.op,
                v.reason
            );
            assert_ne!(v.op, Op::Supersede, "{new} / {old}: {}", v.reason);
        }
        // Found in review: an attribute word that names the subject, an
        // ambiguous word, a name's kind on both sides, a role noun that is
        // no role of the subject's, a plain negation.
        for (new, old) in [
            (
                "Host db-node3 now runs Debian 12.",
                "Host db-node3 has 64 GB of RAM.",
            ),
            (
                "Postgres now runs on db-node3.",
                "Postgres listens on port 5432.",
            ),
            ("Ana's office is in Berlin.", "Ana sits next to Ben."),
            ("Ana's extension is 4471.", "Ana's phone is a Pixel 8."),
            (
                "Checkout-cache was deployed on Friday.",
                "Checkout-cache is hosted in us-east-1.",
            ),
            (
                "Checkout-cache now uses snowflake IDs.",
                "Checkout-cache stores its data in Postgres.",
            ),
            (
                "Ana now teaches a Linux course.",
                "Ana's laptop runs macOS.",
            ),
            (
                "Ben reports to the head of Sales.",
                "Ana reports to the head of Sales.",
            ),
            ("Ben owns a Tesla.", "Ana owns a Tesla."),
            (
                "Ben heads to Lisbon on Friday.",
                "Ana heads to Lisbon on Friday.",
            ),
            ("Ana does not like Ben.", "Ana works with Ben."),
            ("Ana has a meal plan.", "Ana has a retirement plan."),
        ] {
            let v = judge(new, old, Some(0.6));
            assert!(
                !matches!(v.op, Op::Supersede | Op::Update),
                "{new} / {old}: {:?} {}",
                v.op,
                v.reason
            );
        }
        // A list gains an item; "…, not X" corrects the old value.
        let v = judge(
            "Ifeoma speaks Hausa.",
            "Ifeoma speaks Yoruba and English.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Merge, "{}", v.reason);
        let v = judge(
            "Oops, Bilal's flat is on the 5th floor, not the 4th.",
            "Bilal's flat is on the 4th floor.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Update, "{}", v.reason);
        // The west bed is not the east bed said again.
        let v = judge(
            "The west bed gets full sun all morning.",
            "The east bed gets full sun all afternoon.",
            Some(0.89),
        );
        assert_eq!(v.op, Op::Add, "{}", v.reason);
    }

    #[test]
    fn a_word_swapped_in_place_is_a_paraphrase_only_around_a_shared_value() {
        let v = judge(
            "Imani Abbott's office is in room 302.",
            "Imani Abbott sits in room 302.",
            Some(0.9),
        );
        assert_eq!((v.op, v.clear), (Op::Noop, true), "{}", v.reason);
        // No value in common: the swapped word is the value. Before a noun
        // of one value ("phase") it is a new value…
        let v = judge(
            "Project Lynx is in the rollout phase.",
            "Project Lynx is in the testing phase.",
            Some(0.87),
        );
        assert_eq!((v.op, v.clear), (Op::Supersede, true), "{}", v.reason);
        // … elsewhere unclear: another thing, or a new value.
        let v = judge(
            "Anna is in the drama club.",
            "Anna is in the chess club.",
            Some(0.87),
        );
        assert_eq!((v.op, v.clear), (Op::Add, false), "{}", v.reason);
        assert!(v.options.contains(&Op::Supersede), "{:?}", v.options);
        // A lower cosine: another thing.
        let v = judge(
            "The nightly export job runs at 2am.",
            "The nightly report job runs at 2am.",
            Some(0.72),
        );
        assert_eq!((v.op, v.clear), (Op::Add, true), "{}", v.reason);
    }

    #[test]
    fn a_move_to_a_room_is_not_a_move_to_a_city() {
        let v = judge(
            "Helga Iqbal is based in Leeds.",
            "Helga Iqbal moved to room 925.",
            Some(0.55),
        );
        assert_ne!(v.op, Op::Supersede, "{}", v.reason);
        let v = judge(
            "Helga Iqbal is based in Leeds.",
            "Helga Iqbal moved to York.",
            Some(0.8),
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn values_in_another_order_are_another_thing_not_a_change() {
        let v = judge(
            "The train from Milan to Zurich leaves at 17:25.",
            "The train from Zurich to Milan leaves at 07:33.",
            Some(0.87),
        );
        assert_eq!(v.op, Op::Add, "{}", v.reason);
        // A number written in groups is one slot.
        let v = judge(
            "Pedro's phone number is 0176 555 0348.",
            "Pedro's phone number is 0171 555 0192.",
            Some(0.9),
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
        let v = judge(
            "The train from Zurich to Milan leaves at 08:10.",
            "The train from Zurich to Milan leaves at 07:33.",
            Some(0.95),
        );
        assert_eq!(v.op, Op::Supersede, "{}", v.reason);
    }

    #[test]
    fn the_model_gets_a_closed_choice() {
        let (req, letters) = model_prompt("a", "b", &[Op::Add, Op::Merge]);
        assert_eq!(letters, ['A', 'B']);
        assert!(req.prompt.contains("A) NEW is about something else"));
        assert_eq!(
            req.json_schema.unwrap()["enum"],
            serde_json::json!(["A", "B"])
        );
        let g: Arc<dyn Generator> = Arc::new(crate::model::fake::FakeGenerator);
        assert_eq!(
            ask_model(g, "a", "b", &[Op::Merge, Op::Add], Duration::from_secs(5)).unwrap(),
            Op::Merge
        );
    }
}

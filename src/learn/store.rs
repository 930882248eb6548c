//! Lessons into the tree, through the one write path: a new lesson is an
//! entry of kind `lesson` under `lessons/<program>`; the same lesson from
//! the same turns again is a noop; a lesson already known from another
//! session (its trigger and advice alike) confirms the entry (maturity
//! draft → validated → core, the new evidence listed); a lesson whose
//! trigger is known with other advice is added and related to the known
//! one (`contradicts`), both left for a person to judge.

use super::{Lesson, transcript::Transcript};
use crate::entry::{Entry, Source};
use crate::ops::AddRequest;
use crate::paths::{EntryPath, TopicPath, slugify_words};
use crate::tree::Tree;
use crate::write::{Changeset, Writer};
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeSet;

/// What happened to one lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `added`, `noop` (this lesson from these turns is stored), `confirmed`
    /// (the same lesson from another session: the entry's maturity rose),
    /// `contradicts` (added, related to a known lesson with other advice),
    /// or `would-add` with `--dry-run`.
    pub op: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(flatten)]
    pub lesson: Lesson,
    pub source: String,
}

/// The lesson a new one confirms or contradicts: one already in the tree,
/// or one added earlier in the same batch (by outcome index).
enum Target {
    Known(EntryPath),
    Batch(usize),
}

/// A lesson stored in the tree, as read back from its body.
struct Known {
    path: EntryPath,
    trigger: String,
    advice: String,
    refs: Vec<String>,
}

/// A `- NAME: value` line of a lesson's body.
pub fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("- {name}: ")))
        .map(str::trim)
}

/// The live lessons under `lessons/` (only that folder is read: a learn
/// in a large tree does not walk every entry).
fn known_lessons(tree: &Tree) -> Vec<Known> {
    let mut out = Vec::new();
    let files = walkdir::WalkDir::new(tree.abs("lessons"))
        .min_depth(2)
        .max_depth(2)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|d| d.file_type().is_file());
    for d in files {
        let Some(rel) = d
            .path()
            .strip_prefix(&tree.root)
            .ok()
            .and_then(|r| r.to_str())
            .and_then(|r| r.strip_suffix(".md"))
        else {
            continue;
        };
        let Ok(path) = EntryPath::parse(rel) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(d.path()) else {
            continue;
        };
        let Ok(e) = Entry::parse(&text) else { continue };
        if e.meta.kind != "lesson" {
            continue;
        }
        let body = e.body();
        let (Some(trigger), Some(advice)) = (field(body, "trigger"), field(body, "advice")) else {
            continue;
        };
        let mut refs: Vec<String> = e.meta.source.reference.iter().cloned().collect();
        refs.extend(
            body.lines()
                .filter_map(|l| l.trim().strip_prefix("- confirmed by "))
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string()),
        );
        out.push(Known {
            path,
            trigger: trigger.to_string(),
            advice: advice.to_string(),
            refs,
        });
    }
    out
}

/// The words that identify a trigger or advice: commands, flags, error
/// words; quoting, numbers and paths aside.
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, '`' | '\'' | '"' | ',' | ';' | '(' | ')'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
        })
        .filter(|w| {
            w.len() > 1
                && !w.chars().all(|c| c.is_ascii_digit() || c == '.')
                && !matches!(
                    w.as_str(),
                    "run"
                        | "then"
                        | "instead"
                        | "succeeds"
                        | "fails"
                        | "with"
                        | "the"
                        | "and"
                        | "go"
                        | "straight"
                        | "to"
                        | "this"
                        | "tried"
                        | "set"
                        | "in"
                )
        })
        .collect()
}

fn alike(a: &str, b: &str) -> bool {
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let inter = a.intersection(&b).count() as f32;
    inter / (a.len().min(b.len()) as f32) >= 0.7
}

/// The topic of a lesson: `lessons/<program's first word>`.
fn topic_of(l: &Lesson) -> TopicPath {
    let tool = l.program.split_whitespace().next().unwrap_or("general");
    let slug = slugify_words(tool, 40);
    TopicPath::parse(&format!(
        "lessons/{}",
        if slug.is_empty() { "general" } else { &slug }
    ))
    .unwrap_or_else(|_| TopicPath::parse("lessons/general").expect("a valid topic"))
}

fn title_of(l: &Lesson) -> String {
    let t = match l.kind {
        "strategy" => l.trigger.clone(),
        _ => {
            let err = l
                .evidence
                .iter()
                .find(|q| q.what == "error")
                .map(|q| q.text.as_str())
                .unwrap_or("");
            format!("{}: {}", l.program, err)
        }
    };
    crate::entry::derive_title(&t, 80)
}

/// The lesson's kind, its program, and the project (the transcript's
/// working folder), so session-start context finds a project's lessons.
fn tags_of(l: &Lesson, t: &Transcript) -> Vec<String> {
    let mut tags = vec![l.kind.to_string(), topic_of(l).topic().to_string()];
    if let Some(p) = t
        .cwd
        .as_deref()
        .and_then(|c| c.trim_end_matches('/').rsplit('/').next())
        .map(|n| slugify_words(n, 40))
        .filter(|n| !n.is_empty() && !tags.contains(n))
    {
        tags.push(p);
    }
    tags
}

fn agent_of(t: &Transcript) -> Option<String> {
    match t.format {
        "claude" => Some("claude-code".into()),
        "codex" => Some("codex".into()),
        _ => None,
    }
}

/// Stores the lessons of `t` (`source` names the transcript in the
/// evidence). With `dry_run` nothing is written.
pub fn store(
    tree: &Tree,
    t: &Transcript,
    source: &str,
    lessons: Vec<Lesson>,
    dry_run: bool,
) -> Result<Vec<Outcome>> {
    let known = known_lessons(tree);
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut adds: Vec<(usize, AddRequest)> = Vec::new();
    // Confirmations: (the confirmed lesson — a known path, or the outcome
    // index of a lesson added in this batch — and the confirming ref).
    let mut confirms: Vec<(Target, String)> = Vec::new();
    let mut related: Vec<(usize, Target)> = Vec::new();
    // Lessons added in this batch: (trigger, advice, outcome index).
    let mut batch: Vec<(String, String, usize)> = Vec::new();
    for l in lessons {
        let reference = l.reference(&t.session);
        let i = outcomes.len();
        let mut o = Outcome {
            op: "added",
            path: String::new(),
            target: None,
            lesson: l.clone(),
            source: reference.clone(),
        };
        let held = known.iter().find(|k| k.refs.contains(&reference));
        let same = |tr: &str, ad: &str| alike(tr, &l.trigger) && alike(ad, &l.advice);
        let known_same = known.iter().find(|k| same(&k.trigger, &k.advice));
        let batch_same = batch.iter().find(|(tr, ad, _)| same(tr, ad));
        if let Some(k) = held {
            o.op = "noop";
            o.path = k.path.to_string();
        } else if let Some(k) = known_same {
            o.op = "confirmed";
            o.path = k.path.to_string();
            o.target = Some(k.path.to_string());
            confirms.push((Target::Known(k.path.clone()), reference.clone()));
        } else if let Some((_, _, j)) = batch_same {
            o.op = "confirmed";
            confirms.push((Target::Batch(*j), reference.clone()));
        } else {
            if let Some(k) = known.iter().find(|k| alike(&k.trigger, &l.trigger)) {
                o.op = "contradicts";
                o.target = Some(k.path.to_string());
                related.push((i, Target::Known(k.path.clone())));
            } else if let Some((_, _, j)) = batch.iter().find(|(tr, _, _)| alike(tr, &l.trigger)) {
                o.op = "contradicts";
                related.push((i, Target::Batch(*j)));
            }
            batch.push((l.trigger.clone(), l.advice.clone(), i));
            adds.push((
                i,
                AddRequest {
                    text: l.render(source),
                    at: Some(topic_of(&l)),
                    title: Some(title_of(&l)),
                    tags: tags_of(&l, t),
                    kind: Some("lesson".into()),
                    source: Source {
                        via: Some("agent".into()),
                        agent: agent_of(t),
                        reference: Some(reference.clone()),
                        trust: Some("agent".into()),
                        speaker: None,
                    },
                    observed: t.time.as_deref().and_then(crate::ingest::parse_date),
                    importance: None,
                },
            ));
        }
        outcomes.push(o);
    }
    if dry_run {
        for (i, _) in &adds {
            outcomes[*i].op = "would-add";
        }
        return Ok(outcomes);
    }
    if !adds.is_empty() {
        let (idx, reqs): (Vec<usize>, Vec<AddRequest>) = adds.into_iter().unzip();
        let n = reqs.len();
        let msg = format!(
            "mem: learn {n} lesson{} from {source} (via learn)",
            if n == 1 { "" } else { "s" }
        );
        let added = crate::ops::ingest_batch(tree, reqs, Some(&msg))?;
        for (i, a) in idx.into_iter().zip(added) {
            outcomes[i].path = a.path.clone();
            if a.op != "added" {
                outcomes[i].op = "noop";
            }
        }
    }
    let path_of = |t: &Target, outcomes: &[Outcome]| -> Option<EntryPath> {
        match t {
            Target::Known(p) => Some(p.clone()),
            Target::Batch(j) => EntryPath::parse(&outcomes[*j].path).ok(),
        }
    };
    let resolved: Vec<(EntryPath, String)> = confirms
        .iter()
        .filter_map(|(t, r)| path_of(t, &outcomes).map(|p| (p, r.clone())))
        .collect();
    // Batch targets have their paths now.
    for o in outcomes.iter_mut() {
        if o.op == "confirmed"
            && o.path.is_empty()
            && let Some((p, _)) = resolved.iter().find(|(_, r)| *r == o.source)
        {
            o.path = p.to_string();
            o.target = Some(p.to_string());
        }
    }
    let mut cs = Changeset::new(format!(
        "mem: learn: confirm or relate lessons from {source} (via learn)"
    ));
    // Each confirmed entry once, with all its new refs.
    let mut by_path: Vec<(EntryPath, Vec<String>)> = Vec::new();
    for (p, r) in resolved {
        match by_path.iter_mut().find(|(q, _)| *q == p) {
            Some((_, v)) => v.push(r),
            None => by_path.push((p, vec![r])),
        }
    }
    for (p, refs) in &by_path {
        let rel = p.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        let mut e = Entry::parse(&text)?;
        let before = 1 + e
            .body()
            .lines()
            .filter(|l| l.trim().starts_with("- confirmed by "))
            .count();
        let sources = before + refs.len();
        let maturity = if sources >= 3 { "core" } else { "validated" };
        if e.meta.maturity != "core" {
            e.set_serialized("maturity", &maturity)?;
        }
        e.set_serialized("updated", &crate::time::format(crate::time::now()))?;
        let mut body = e.body().trim_end().to_string();
        body.push('\n');
        for r in refs {
            body.push_str(&format!("- confirmed by {r} ({source})\n"));
        }
        e.set_body(&body);
        cs.replace(rel, text, e.render());
    }
    for (i, target) in &related {
        let path = &outcomes[*i].path;
        let Some(tp) = path_of(target, &outcomes) else {
            continue;
        };
        if outcomes[*i].op != "contradicts" || path.is_empty() {
            continue;
        }
        let Ok(p) = EntryPath::parse(path) else {
            continue;
        };
        let rel = p.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        let mut e = Entry::parse(&text)?;
        if e.add_relation("contradicts", &tp)? {
            cs.replace(rel, text, e.render());
        }
    }
    if !cs.is_empty() {
        Writer::lock(tree)?.apply(cs)?;
    }
    for (i, t) in &related {
        if let Some(p) = path_of(t, &outcomes) {
            outcomes[*i].target = Some(p.to_string());
        }
    }
    Ok(outcomes)
}

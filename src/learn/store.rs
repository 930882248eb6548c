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

/// A lesson stored in the tree, as read back from its body.
struct Known {
    path: EntryPath,
    text: String,
    trigger: String,
    advice: String,
    refs: Vec<String>,
    maturity: String,
}

fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("- {name}: ")))
        .map(str::trim)
}

fn known_lessons(tree: &Tree) -> Vec<Known> {
    let mut out = Vec::new();
    for f in tree.entry_files() {
        if f.path.topic().domain() != "lessons" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(tree.abs(&f.rel_file())) else {
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
            path: f.path.clone(),
            trigger: trigger.to_string(),
            advice: advice.to_string(),
            refs,
            maturity: e.meta.maturity.clone(),
            text,
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
    let mut confirms: Vec<(usize, String)> = Vec::new();
    let mut related: Vec<(usize, EntryPath)> = Vec::new();
    for l in lessons {
        let reference = l.reference(&t.session);
        let same_trigger: Vec<&Known> = known
            .iter()
            .filter(|k| alike(&k.trigger, &l.trigger))
            .collect();
        let held = known.iter().find(|k| k.refs.contains(&reference));
        let confirmed = same_trigger
            .iter()
            .find(|k| alike(&k.advice, &l.advice))
            .copied();
        let i = outcomes.len();
        let mut o = Outcome {
            op: "added",
            path: String::new(),
            target: None,
            lesson: l.clone(),
            source: reference.clone(),
        };
        if let Some(k) = held {
            o.op = "noop";
            o.path = k.path.to_string();
        } else if let Some(k) = confirmed {
            o.op = "confirmed";
            o.path = k.path.to_string();
            o.target = Some(k.path.to_string());
            if !confirms.iter().any(|(_, p)| *p == o.path) {
                confirms.push((i, reference.clone()));
            } else {
                o.op = "noop";
            }
        } else {
            if let Some(k) = same_trigger.first() {
                o.op = "contradicts";
                o.target = Some(k.path.to_string());
                related.push((i, k.path.clone()));
            }
            let text = l.render(source);
            adds.push((
                i,
                AddRequest {
                    text,
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
    let mut writer: Option<Writer> = None;
    let mut cs = Changeset::new(format!(
        "mem: learn: confirm or relate lessons from {source} (via learn)"
    ));
    for (i, reference) in &confirms {
        let Some(k) = known
            .iter()
            .find(|k| k.path.to_string() == outcomes[*i].path)
        else {
            continue;
        };
        let mut e = Entry::parse(&k.text)?;
        let next = match k.maturity.as_str() {
            "draft" => "validated",
            _ if k.refs.len() + 1 >= 3 => "core",
            m => m,
        };
        e.set_serialized("maturity", &next)?;
        e.set_serialized("updated", &crate::time::format(crate::time::now()))?;
        let mut body = e.body().trim_end().to_string();
        body.push_str(&format!("\n- confirmed by {reference} ({source})\n"));
        e.set_body(&body);
        cs.replace(k.path.rel_file(), k.text.clone(), e.render());
    }
    for (i, target) in &related {
        let path = &outcomes[*i].path;
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
        if e.add_relation("contradicts", target)? {
            cs.replace(rel, text, e.render());
        }
    }
    if !cs.is_empty() {
        let w = writer.get_or_insert(Writer::lock(tree)?);
        w.apply(cs)?;
    }
    Ok(outcomes)
}

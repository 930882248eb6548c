//! The LongMemEval file: questions, each with a haystack of sessions.

use super::*;

#[derive(Debug, Clone)]
pub struct LmeQuestion {
    pub id: String,
    pub question_type: String,
    pub question: String,
    pub question_date: Option<String>,
    pub answer: String,
    /// `source.ref` of the gold sessions (`lme:<qid>:<sid>`) present in the haystack.
    pub gold_sessions: Vec<String>,
    /// `source.ref` of the turns labelled `has_answer`.
    pub gold_turns: Vec<String>,
    pub conversation: Conversation,
}

impl LmeQuestion {
    pub fn abstention(&self) -> bool {
        self.id.ends_with("_abs")
    }
}

/// Parses a LongMemEval file: one conversation (its haystack) per question.
pub fn parse_longmemeval(v: &Value, q: &mut Quirks) -> Result<Vec<LmeQuestion>> {
    Ok(unique_ids(longmemeval_items(v)?, "question_id", q)
        .iter()
        .enumerate()
        .map(|(i, it)| parse_longmemeval_question(i, it, q))
        .collect())
}

/// The questions of a LongMemEval file.
pub fn longmemeval_items(v: &Value) -> Result<&[Value]> {
    match v {
        Value::Array(items) => Ok(items),
        _ => bail!(
            "a LongMemEval file is a JSON list of questions (with `question_id`, `haystack_sessions`, …)"
        ),
    }
}

/// The `i`-th question of a LongMemEval file.
pub fn parse_longmemeval_question(i: usize, it: &Value, q: &mut Quirks) -> LmeQuestion {
    let id = it.get("question_id").and_then(str_of).unwrap_or_else(|| {
        q.add("question without question_id (numbered)");
        format!("q{}", i + 1)
    });
    let sessions_v = it
        .get("haystack_sessions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| {
            q.add("question without haystack_sessions");
            vec![]
        });
    let ids_v = it
        .get("haystack_session_ids")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let dates_v = it
        .get("haystack_dates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if ids_v.len() != sessions_v.len() {
        q.add("haystack_session_ids and haystack_sessions differ in length");
    }
    if dates_v.len() != sessions_v.len() {
        q.add("haystack_dates and haystack_sessions differ in length");
    }
    let mut sessions = Vec::new();
    let mut gold_turns: Vec<String> = Vec::new();
    // Session id -> the turn lists seen under it (an id can repeat).
    let mut seen: std::collections::HashMap<String, Vec<&Value>> = std::collections::HashMap::new();
    for (si, sv) in sessions_v.iter().enumerate() {
        let id_given = ids_v.get(si).and_then(str_of).unwrap_or_else(|| {
            q.add("session without id (numbered)");
            format!("session-{si}")
        });
        // A repeated id: the same turns again are the same session (kept
        // once, at its first place and date); other turns are more of the
        // session `<id>`: their refs go on numbering after the turns
        // already seen under it (`lme:<q>:<id>:<n>`), so every ref is
        // unique and a ref's session is still everything before its last
        // `:`. They get a folder of their own (`<id>-2`).
        let sid = id_given.clone();
        let (offset, copy) = match seen.get(&id_given) {
            None => (0, 1),
            Some(earlier) if earlier.contains(&sv) => {
                q.add("session repeated in a haystack (same id and turns, kept once)");
                continue;
            }
            Some(earlier) => {
                q.add("session id repeated with other turns (turns numbered on)");
                let n = earlier
                    .iter()
                    .map(|e| e.as_array().map_or(0, Vec::len))
                    .sum::<usize>();
                (n, earlier.len() + 1)
            }
        };
        seen.entry(id_given.clone()).or_default().push(sv);
        let date = dates_v.get(si).and_then(str_of).and_then(|d| {
            parse_date(&d).or_else(|| {
                q.add("session date not understood (no observed date)");
                None
            })
        });
        let mut turns = Vec::new();
        for (ti, t) in sv
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let role = t.get("role").and_then(str_of).unwrap_or_else(|| {
                q.add("turn without role");
                "unknown".into()
            });
            let text = turn_text(t.get("content"));
            let reference = format!("lme:{id}:{sid}:{}", offset + ti);
            let has_answer = t
                .get("has_answer")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if has_answer && !gold_turns.contains(&reference) {
                gold_turns.push(reference.clone());
            }
            let Some(text) = text else {
                q.add(TEXT_NOT_A_STRING);
                continue;
            };
            if text.trim().is_empty() {
                q.add("empty turn (skipped)");
                continue;
            }
            turns.push(Turn {
                speaker: role,
                text,
                reference,
                has_answer,
            });
        }
        let folder = if copy == 1 {
            sid.clone()
        } else {
            format!("{sid}-{copy}")
        };
        sessions.push(Session {
            slug: segment(&folder, "session"),
            reference: format!("lme:{id}:{sid}"),
            date,
            turns,
        });
    }
    let present: std::collections::HashSet<&str> =
        sessions.iter().map(|s| s.reference.as_str()).collect();
    let mut gold_sessions = Vec::new();
    for a in it
        .get("answer_session_ids")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let Some(a) = str_of(a) else { continue };
        let r = format!("lme:{id}:{a}");
        if !present.contains(r.as_str()) {
            q.add("answer session not in the haystack (dropped)");
            continue;
        }
        if !gold_sessions.contains(&r) {
            gold_sessions.push(r);
        }
    }
    LmeQuestion {
        question_type: it.get("question_type").and_then(str_of).unwrap_or_default(),
        question: it.get("question").and_then(str_of).unwrap_or_default(),
        question_date: match it.get("question_date").and_then(str_of) {
            Some(d) => parse_date(&d).or_else(|| {
                q.add("question_date not understood (relative times resolve to now)");
                None
            }),
            None => None,
        },
        answer: it.get("answer").and_then(str_of).unwrap_or_default(),
        gold_sessions,
        gold_turns,
        conversation: Conversation {
            domain: "longmemeval".into(),
            topic: segment(&id, "question"),
            sessions,
        },
        id,
    }
}

//! LongMemEval: one tree per question (its haystack of sessions);
//! session-level gold = `answer_session_ids`, turn-level gold = turns with
//! `has_answer: true`. Abstention questions (`_abs`) are not asked.

use super::{Question, Unit};
use crate::ingest::{Quirks, parse_longmemeval};
use anyhow::{Context, Result};

pub fn units(bytes: &[u8], quirks: &mut Quirks) -> Result<Vec<Unit>> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).context("the LongMemEval file is not valid JSON")?;
    let qs = parse_longmemeval(&v, quirks)?;
    Ok(qs
        .into_iter()
        .map(|q| {
            let question = Question {
                id: q.id.clone(),
                group: q.question_type.clone(),
                text: q.question.clone(),
                gold_turns: q.gold_turns.clone(),
                gold_sessions: q.gold_sessions.clone(),
                excluded: q.abstention().then(|| "abstention".to_string()),
                now: q
                    .question_date
                    .as_deref()
                    .and_then(|d| crate::time::parse(d).ok())
                    .map(|t| t.as_second()),
            };
            Unit {
                name: q.id.clone(),
                conversation: q.conversation,
                questions: vec![question],
            }
        })
        .collect())
}

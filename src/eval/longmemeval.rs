//! LongMemEval: one tree per question (its haystack of sessions);
//! session-level gold = `answer_session_ids`, turn-level gold = turns with
//! `has_answer: true`. Abstention questions (`_abs`) are not asked.

use super::{Question, Unit};
use crate::ingest::{Quirks, longmemeval_items, parse_longmemeval_question};
use anyhow::{Context, Result};

/// One unit per question, each with the quirks of its own haystack.
pub fn units(bytes: &[u8]) -> Result<Vec<Unit>> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).context("the LongMemEval file is not valid JSON")?;
    Ok(longmemeval_items(&v)?
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let mut quirks = Quirks::default();
            let q = parse_longmemeval_question(i, raw, &mut quirks);
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
                quirks,
            }
        })
        .collect())
}

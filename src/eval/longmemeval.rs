//! LongMemEval: one tree per question (its haystack of sessions);
//! session-level gold = `answer_session_ids`, turn-level gold = turns with
//! `has_answer: true`. Abstention questions (`_abs`) are not asked.

use super::{Question, Unit};
use crate::ingest::Quirks;
use crate::ingest::longmemeval::{longmemeval_items, parse_longmemeval_question};
use anyhow::{Context, Result};

/// One unit per question, each with the quirks of its own haystack.
pub fn units(bytes: &[u8]) -> Result<Vec<Unit>> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).context("the LongMemEval file is not valid JSON")?;
    let mut repeats = Quirks::default();
    let items = crate::ingest::unique_ids(longmemeval_items(&v)?, "question_id", &mut repeats);
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let mut quirks = Quirks::default();
            // A renamed repeat is counted with the question that has it.
            if matches!(raw, std::borrow::Cow::Owned(_)) {
                quirks.add("question_id repeated in the file (renamed `~2`, `~3`, …)");
            }
            let q = parse_longmemeval_question(i, raw, &mut quirks);
            let question = Question {
                id: q.id.clone(),
                group: q.question_type.clone(),
                text: q.question.clone(),
                gold_turns: q.gold_turns.clone(),
                gold_sessions: q.gold_sessions.clone(),
                excluded: if q.abstention() {
                    Some("abstention".to_string())
                } else if q.question.trim().is_empty() {
                    Some("no question text".to_string())
                } else {
                    None
                },
                now: q
                    .question_date
                    .as_deref()
                    .and_then(|d| crate::time::parse(d).ok())
                    .map(|t| t.as_second()),
                answer: q.answer.clone(),
                scoring: if q.abstention() {
                    super::qa::Scoring::Abstain
                } else {
                    super::qa::Scoring::F1
                },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_without_text_is_not_asked_and_a_bad_date_is_counted() {
        let item = |id: &str, question: &str, date: &str| {
            serde_json::json!({
                "question_id": id, "question_type": "single-session-user",
                "question": question, "answer": "x", "question_date": date,
                "haystack_dates": ["2023/05/20 (Sat) 02:21"],
                "haystack_session_ids": ["s1"],
                "haystack_sessions": [[{"role": "user", "content": "my cat is Miso", "has_answer": true}]],
                "answer_session_ids": ["s1"]
            })
        };
        let file = serde_json::json!([
            item("q1", "What is my cat called?", "2023/05/30 (Tue) 23:40"),
            item("q2", "  ", "2023/05/30 (Tue) 23:40"),
            item("q3", "What is my cat called?", "someday"),
        ]);
        let u = units(file.to_string().as_bytes()).unwrap();
        let excluded: Vec<Option<&str>> = u
            .iter()
            .map(|u| u.questions[0].excluded.as_deref())
            .collect();
        assert_eq!(excluded, vec![None, Some("no question text"), None]);
        assert!(u[0].questions[0].now.is_some());
        assert_eq!(u[2].questions[0].now, None);
        assert_eq!(
            u[2].quirks.0["question_date not understood (relative times resolve to now)"],
            1
        );
        assert_eq!(u[0].quirks.total(), 0);
    }
}

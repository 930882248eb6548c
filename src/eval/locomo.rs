//! LoCoMo: one tree per conversation; turn-level gold = the QA's evidence
//! dia_ids, session-level gold = their sessions. QA without valid evidence
//! are skipped and counted.

use super::{Question, Unit};
use crate::ingest::Quirks;
use crate::ingest::locomo::{locomo_samples, parse_locomo_sample};
use anyhow::{Context, Result};

/// The category names of the official evaluation code (not the paper's order).
pub fn category_name(c: i64) -> String {
    let name = match c {
        1 => "multi-hop",
        2 => "temporal",
        3 => "open-domain",
        4 => "single-hop",
        5 => "adversarial",
        _ => "unknown",
    };
    format!("{c} {name}")
}

/// One unit per sample, each with the quirks of its own data; `quirks`
/// gets those of samples that make no unit.
pub fn units(bytes: &[u8], quirks: &mut Quirks) -> Result<Vec<Unit>> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).context("the LoCoMo file is not valid JSON")?;
    let mut out = Vec::new();
    for (i, raw) in crate::ingest::unique_ids(locomo_samples(&v)?, "sample_id", quirks)
        .iter()
        .enumerate()
    {
        let mut q = Quirks::default();
        let Some(s) = parse_locomo_sample(i, raw, &mut q) else {
            quirks.merge(&q);
            continue;
        };
        let questions =
            s.qa.iter()
                .enumerate()
                .map(|(i, qa)| {
                    let gold_turns: Vec<String> = qa
                        .evidence
                        .iter()
                        .map(|d| format!("locomo:{}:{d}", s.id))
                        .collect();
                    let gold_sessions = super::metrics::sessions_of(&gold_turns);
                    Question {
                        id: format!("{}#{i}", s.id),
                        group: category_name(qa.category),
                        text: qa.question.clone(),
                        excluded: gold_turns
                            .is_empty()
                            .then(|| "no valid evidence".to_string()),
                        gold_turns,
                        gold_sessions,
                        // LoCoMo questions carry no date.
                        now: None,
                        answer: if qa.category == 3 {
                            qa.answer.split(';').next().unwrap_or("").trim().to_string()
                        } else {
                            qa.answer.clone()
                        },
                        scoring: match qa.category {
                            1 => super::qa::Scoring::F1Parts,
                            5 => super::qa::Scoring::Abstain,
                            _ => super::qa::Scoring::F1,
                        },
                    }
                })
                .collect();
        out.push(Unit {
            name: s.id,
            conversation: s.conversation,
            questions,
            quirks: q,
        });
    }
    Ok(out)
}

/// A turn's ref as the dataset names it: a LoCoMo turn whose dia_id was
/// repeated in its conversation (`locomo:conv-26:D3:7~2`, see
/// [`crate::ingest::locomo::parse_locomo_sample`]) answers to the dia_id itself, `…:D3:7`, as in
/// the QA evidence; other refs are returned as they are.
pub fn dataset_ref(r: &str) -> &str {
    match (r.starts_with("locomo:"), r.rsplit_once('~')) {
        (true, Some((base, k)))
            if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) && !base.contains('~') =>
        {
            base
        }
        _ => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_ref_drops_only_a_repeat_counter_of_locomo_refs() {
        assert_eq!(dataset_ref("locomo:conv-26:D3:7~2"), "locomo:conv-26:D3:7");
        assert_eq!(dataset_ref("locomo:conv-26:D3:7~12"), "locomo:conv-26:D3:7");
        assert_eq!(dataset_ref("locomo:conv-26:D3:7"), "locomo:conv-26:D3:7");
        assert_eq!(dataset_ref("locomo:conv-26:D3:7~"), "locomo:conv-26:D3:7~");
        assert_eq!(
            dataset_ref("locomo:conv-26:D3:7~x"),
            "locomo:conv-26:D3:7~x"
        );
        assert_eq!(dataset_ref("lme:q1:s~2:3"), "lme:q1:s~2:3");
        assert_eq!(dataset_ref("chat:a:1~2"), "chat:a:1~2");
    }
}

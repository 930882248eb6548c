//! Tier 4: the best candidates of tier 3 read again by a local language
//! model. Each candidate is put to the model as a closed question — does
//! this note help answer the query? — and the log-odds of "yes" against
//! "no" on the first token of the answer is its relevance (no sampling:
//! the same query over the same notes gives the same order). The prompts
//! share their start (the instruction and the query), which the llama.cpp
//! backend reads once ([`Generator::choice_logprobs_many`]).
//!
//! The model's judgement is fused with tier 3's order rather than
//! replacing it: a small model's yes/no is noisy, and tier 3's rank holds
//! evidence (exact words, dates, structure) the model may not weigh.

use crate::model::{GenRequest, Generator};
use anyhow::Result;

/// Characters of a note the model reads (title and body): a chat turn or a
/// fact fits whole; a long note is cut at a character boundary.
pub const NOTE_CHARS: usize = 400;

const SYSTEM: &str = "You judge whether a note from a person's memory helps answer a question. \
Answer with yes or no.";

/// The closed question put to the model for one candidate. The query comes
/// first so that every candidate's prompt starts the same way.
pub fn request(query: &str, note: &str) -> GenRequest {
    GenRequest {
        system: Some(SYSTEM.into()),
        prompt: format!(
            "Question: {}\n\nDoes the note below help answer the question? Answer yes or no.\n\nNote: {}",
            one_line(query),
            one_line(note)
        ),
        max_tokens: 1,
        ..Default::default()
    }
}

/// Text on one line, runs of whitespace as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the model reads of an entry: its title (unless the body opens with
/// it) and its body, at most [`NOTE_CHARS`] characters.
pub fn note_text(title: &str, body: &str) -> String {
    let body = one_line(body);
    let title = one_line(title);
    let title_words = title.trim_end_matches('…').trim_end_matches("...").trim();
    let text = if title.is_empty() || body.starts_with(title_words) {
        body
    } else {
        format!("{title}. {body}")
    };
    match text.char_indices().nth(NOTE_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// The model's relevance of each note to the query: log P(yes) - log P(no).
pub fn margins(g: &dyn Generator, query: &str, notes: &[String]) -> Result<Vec<f32>> {
    let reqs: Vec<GenRequest> = notes.iter().map(|n| request(query, n)).collect();
    let lps = g.choice_logprobs_many(&reqs, &["yes", "no"])?;
    Ok(lps
        .iter()
        .map(|lp| {
            let m = lp[0] - lp[1];
            // A choice the model cannot say at all: a firm answer, not a NaN.
            if m.is_nan() {
                0.0
            } else {
                m.clamp(-30.0, 30.0)
            }
        })
        .collect())
}

/// The new order of candidates given in tier 3's order: each scores its
/// margin plus `weight` times its tier-3 prior (1 for the first candidate,
/// falling linearly to 0 for the last). Ties keep tier 3's order.
pub fn fused_order(margins: &[f32], weight: f32) -> Vec<usize> {
    let n = margins.len();
    let prior = |i: usize| {
        if n <= 1 {
            1.0
        } else {
            1.0 - i as f32 / (n - 1) as f32
        }
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let sa = margins[a] + weight * prior(a);
        let sb = margins[b] + weight * prior(b);
        sb.total_cmp(&sa).then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_comes_first_so_prompts_share_their_start() {
        let a = request("where does Ana live?", "Ana moved to Porto.");
        let b = request("where does Ana live?", "Tom likes window seats.");
        let shared = a
            .prompt
            .chars()
            .zip(b.prompt.chars())
            .take_while(|(x, y)| x == y)
            .count();
        assert!(a.prompt[..shared].contains("where does Ana live?"));
        assert!(a.prompt.contains("Note: Ana moved to Porto."));
    }

    #[test]
    fn note_text_is_cut_and_keeps_a_title_that_adds_words() {
        let long = "word ".repeat(300);
        let t = note_text("A title", &long);
        assert!(t.starts_with("A title. word"));
        assert_eq!(t.chars().count(), NOTE_CHARS + 1, "cut, with an ellipsis");
        assert_eq!(
            note_text("Ana moved to Porto", "Ana moved to Porto in May."),
            "Ana moved to Porto in May.",
            "a title that opens the body is not read twice"
        );
    }

    #[test]
    fn fusion_weighs_the_model_against_tier_3() {
        // The model prefers the third candidate by a wide margin.
        let m = [0.0, 0.0, 4.0];
        assert_eq!(fused_order(&m, 1.0), vec![2, 0, 1]);
        // A heavy prior keeps tier 3's order.
        assert_eq!(fused_order(&m, 10.0), vec![0, 1, 2]);
        // Ties keep tier 3's order.
        assert_eq!(fused_order(&[1.0, 1.0, 1.0], 0.0), vec![0, 1, 2]);
    }
}

//! Answer scoring for `mem eval locomo|longmemeval --qa`: LoCoMo's QA
//! metric (token F1 after its normalisation, per category; category 5,
//! adversarial, scored as abstention) and, for LongMemEval, F1 and
//! containment of the reference answer (abstention questions scored as
//! abstention). No model judges.
//!
//! The normalisation is LoCoMo's: lower case, commas and punctuation out,
//! the articles `a`, `an`, `the` and the word `and` out, whitespace folded;
//! tokens are stemmed with the Snowball English stemmer (Porter2; LoCoMo's
//! code uses NLTK's Porter stemmer, which differs on a few words).

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// How a gold answer is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Token F1 against the whole answer.
    F1,
    /// LoCoMo multi-hop: the gold and the prediction split at commas;
    /// each gold part scores its best prediction part; the mean.
    F1Parts,
    /// The answer should be an abstention ("not in memory").
    Abstain,
}

/// LoCoMo's normalisation of an answer (see the module documentation).
pub fn normalize(s: &str) -> String {
    let lower = s.to_lowercase().replace(',', "");
    let no_punct: String = lower
        .chars()
        .filter(|c| !(c.is_ascii_punctuation()))
        .collect();
    no_punct
        .split_whitespace()
        .filter(|w| !matches!(*w, "a" | "an" | "the" | "and"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn tokens(s: &str) -> Vec<String> {
    thread_local! {
        static STEM: Stemmer = Stemmer::create(Algorithm::English);
    }
    STEM.with(|st| {
        normalize(s)
            .split_whitespace()
            .map(|w| st.stem(w).into_owned())
            .collect()
    })
}

/// Token F1 of a prediction against one gold answer.
pub fn f1(prediction: &str, gold: &str) -> f64 {
    let p = tokens(prediction);
    let g = tokens(gold);
    if p.is_empty() || g.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for t in &g {
        *counts.entry(t.as_str()).or_default() += 1;
    }
    let mut same = 0i64;
    for t in &p {
        if let Some(c) = counts.get_mut(t.as_str())
            && *c > 0
        {
            *c -= 1;
            same += 1;
        }
    }
    if same == 0 {
        return 0.0;
    }
    let precision = same as f64 / p.len() as f64;
    let recall = same as f64 / g.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// LoCoMo's multi-hop F1 (see [`Scoring::F1Parts`]).
pub fn f1_parts(prediction: &str, gold: &str) -> f64 {
    let preds: Vec<&str> = prediction.split(',').map(str::trim).collect();
    let golds: Vec<&str> = gold.split(',').map(str::trim).collect();
    let sum: f64 = golds
        .iter()
        .map(|g| preds.iter().map(|p| f1(p, g)).fold(0.0, f64::max))
        .sum();
    sum / golds.len() as f64
}

/// Whether the normalised gold answer occurs in the normalised prediction
/// (LongMemEval's short answers: "5", "in a shoe rack in my closet").
pub fn contains(prediction: &str, gold: &str) -> bool {
    let g: Vec<String> = tokens(gold);
    let p: Vec<String> = tokens(prediction);
    !g.is_empty() && p.windows(g.len()).any(|w| w == g.as_slice())
}

/// A scored answer: F1 (0 or 1 for an abstention question) and whether it
/// abstained.
pub fn score(scoring: Scoring, prediction: &str, abstained: bool, gold: &str) -> f64 {
    match scoring {
        Scoring::Abstain => f64::from(u8::from(abstained)),
        _ if abstained => 0.0,
        Scoring::F1 => f1(prediction, gold),
        Scoring::F1Parts => f1_parts(prediction, gold),
    }
}

/// The answer text to score: citation marks out.
pub fn plain(answer: &str) -> String {
    static CITE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    CITE.get_or_init(|| regex::Regex::new(r"\s*\[\d[\d,; ]*\]").expect("valid regex"))
        .replace_all(answer, "")
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locomo_normalisation_and_f1() {
        assert_eq!(
            normalize("The Sunday, before 25 May!"),
            "sunday before 25 may"
        );
        assert_eq!(normalize("Cats and a dog"), "cats dog");
        assert!((f1("7 May 2023", "7 May 2023") - 1.0).abs() < 1e-9);
        // stemmed: "researching" and "research" agree
        assert!((f1("researching adoption agencies", "Adoption agencies") - 0.8).abs() < 1e-9);
        // 2 of 5 predicted tokens, 2 of 2 gold: p 0.4, r 1 → 0.8 / 1.4
        assert!((f1("She went on 7 May", "7 May") - 0.8 / 1.4).abs() < 1e-9);
        assert_eq!(f1("", "x"), 0.0);
        assert_eq!(f1("apples", "oranges"), 0.0);
        // repeated tokens count once per occurrence in the gold
        assert!((f1("may may may", "may") - 0.5).abs() < 1e-9);
    }

    #[test]
    fn multi_hop_parts_score_each_gold_part() {
        let s = f1_parts("Sweden, counseling", "Sweden, counseling, psychology");
        assert!((s - 2.0 / 3.0).abs() < 1e-9, "{s}");
    }

    #[test]
    fn abstention_and_containment() {
        assert_eq!(score(Scoring::Abstain, "not in memory", true, ""), 1.0);
        assert_eq!(score(Scoring::Abstain, "Paris", false, ""), 0.0);
        assert_eq!(score(Scoring::F1, "not in memory", true, "Paris"), 0.0);
        assert!(!contains(
            "You keep them in a shoe rack in your closet",
            "in a shoe rack in my closet"
        ));
        assert!(contains(
            "They are in a shoe rack in my closet.",
            "in a shoe rack in my closet"
        ));
        assert!(contains("I have 5 followers", "5"));
        assert!(!contains("I have 15 followers", "5"));
        assert_eq!(plain("Lisbon [1]. Porto [2, 3]."), "Lisbon. Porto.");
    }
}

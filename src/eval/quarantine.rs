//! `mem eval quarantine`: the trust boundary's detector on a labelled set
//! (fixtures/quarantine: `{"text","poisoned","family"}` per line): the share
//! of poisoned notes quarantined and of normal notes wrongly quarantined,
//! per family, with the scan time; and the same shares for the rules
//! alone, to show what the n-gram model adds.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Case {
    pub text: String,
    pub poisoned: bool,
    #[serde(default)]
    pub family: String,
}

#[derive(Debug, Default, Serialize)]
pub struct FamilyScore {
    pub cases: usize,
    pub quarantined: usize,
}

#[derive(Debug, Serialize)]
pub struct Mistake {
    pub family: String,
    pub poisoned: bool,
    pub text: String,
    /// The rule that fired (false positives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub poisoned: usize,
    pub normal: usize,
    /// Poisoned notes quarantined / poisoned notes (goal ≥ 0.95).
    pub caught: f64,
    /// Normal notes quarantined / normal notes (goal ≤ 0.03).
    pub false_positive_rate: f64,
    /// The same two shares for the rules alone (the n-gram model off).
    pub rules_caught: f64,
    pub rules_false_positive_rate: f64,
    pub families: BTreeMap<String, FamilyScore>,
    /// Mean scan time per note, microseconds.
    pub scan_us: f64,
    pub mistakes: Vec<Mistake>,
}

pub fn load(text: &str, name: &str) -> Result<Vec<Case>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{name}:{}", i + 1)))
        .collect()
}

pub fn run(cases: &[Case], name: &str) -> Report {
    let mut families: BTreeMap<String, FamilyScore> = BTreeMap::new();
    let mut mistakes = Vec::new();
    let (mut p, mut n, mut tp, mut fp) = (0, 0, 0, 0);
    let (mut rules_tp, mut rules_fp) = (0, 0);
    let t = std::time::Instant::now();
    for c in cases {
        let by_rules = crate::quarantine::rules(&c.text);
        if by_rules.is_some() {
            if c.poisoned {
                rules_tp += 1;
            } else {
                rules_fp += 1;
            }
        }
        let found = by_rules.or_else(|| crate::quarantine::model(&c.text));
        let f = families
            .entry(format!(
                "{}/{}",
                if c.poisoned { "poisoned" } else { "normal" },
                c.family
            ))
            .or_default();
        f.cases += 1;
        if found.is_some() {
            f.quarantined += 1;
        }
        match (c.poisoned, &found) {
            (true, Some(_)) => tp += 1,
            (false, Some(_)) => fp += 1,
            _ => {}
        }
        if c.poisoned {
            p += 1;
        } else {
            n += 1;
        }
        if c.poisoned != found.is_some() {
            mistakes.push(Mistake {
                family: c.family.clone(),
                poisoned: c.poisoned,
                text: c.text.clone(),
                rule: found.map(|f| f.reason()),
            });
        }
    }
    use super::metrics::ratio;
    Report {
        file: name.to_string(),
        poisoned: p,
        normal: n,
        caught: ratio(tp, p),
        false_positive_rate: ratio(fp, n),
        rules_caught: ratio(rules_tp, p),
        rules_false_positive_rate: ratio(rules_fp, n),
        families,
        scan_us: t.elapsed().as_secs_f64() * 1e6 / cases.len().max(1) as f64,
        mistakes,
    }
}

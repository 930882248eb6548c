//! Retrieval metrics with the LongMemEval definitions (its
//! `src/retrieval/eval_utils.py`), used for both benchmarks:
//!
//! - recall_any@k: 1 if any gold item is among the first k ranked items;
//! - recall_all@k: 1 if every gold item is;
//! - NDCG@k, binary relevance, with LongMemEval's DCG:
//!   `rel[0] + Σ_{i≥1} rel[i] / log2(i + 1)` (0-based ranks), normalised by
//!   the DCG of the ideal ranking (`min(k, |gold|)` relevant items first).
//!
//! A ref counts at most once in a ranking, at its first place (a ranking
//! that lists a ref twice scores as if the repeat were not there), so no
//! metric exceeds 1. Session-level rankings from a turn-level ranking list
//! each session once, at the rank of its best turn ([`sessions_of`]).

use serde::Serialize;
use std::collections::BTreeMap;

pub const KS: [usize; 4] = [1, 3, 5, 10];

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The session of a turn reference: everything before the last `:`
/// (`locomo:conv-26:D3:7` → `locomo:conv-26:D3`, `lme:q:s:4` → `lme:q:s`).
pub fn session_of(reference: &str) -> &str {
    reference.rsplit_once(':').map_or(reference, |(s, _)| s)
}

/// Sessions in the order of their best-ranked turn, each once.
pub fn sessions_of(ranked_turns: &[String]) -> Vec<String> {
    distinct(ranked_turns.iter().map(|r| session_of(r)))
}

/// A ranking of session refs (granularity session) as sessions, each once.
pub fn sessions_ranked(ranked_sessions: &[String]) -> Vec<String> {
    distinct(ranked_sessions.iter().map(String::as_str))
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in items {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// The first `k` distinct refs of a ranking.
fn top(ranked: &[String], k: usize) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(k.min(ranked.len()));
    for r in ranked {
        if out.len() == k {
            break;
        }
        if !out.contains(&r.as_str()) {
            out.push(r);
        }
    }
    out
}

pub fn recall_any(ranked: &[String], gold: &[String], k: usize) -> f64 {
    let top = top(ranked, k);
    f64::from(gold.iter().any(|g| top.contains(&g.as_str())))
}

pub fn recall_all(ranked: &[String], gold: &[String], k: usize) -> f64 {
    let top = top(ranked, k);
    f64::from(gold.iter().all(|g| top.contains(&g.as_str())))
}

fn dcg(rels: &[f64]) -> f64 {
    rels.iter()
        .enumerate()
        .map(|(i, r)| {
            if i == 0 {
                *r
            } else {
                r / ((i + 1) as f64).log2()
            }
        })
        .sum()
}

pub fn ndcg(ranked: &[String], gold: &[String], k: usize) -> f64 {
    let rels: Vec<f64> = top(ranked, k)
        .into_iter()
        .map(|r| f64::from(gold.iter().any(|g| g == r)))
        .collect();
    let ideal = vec![1.0; top(gold, usize::MAX).len().min(k)];
    let i = dcg(&ideal);
    if i == 0.0 { 0.0 } else { dcg(&rels) / i }
}

/// Scores of one question at one level.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scores {
    pub any: [f64; 4],
    pub all: [f64; 4],
    pub ndcg: [f64; 4],
}

pub fn score(ranked: &[String], gold: &[String]) -> Scores {
    let mut s = Scores::default();
    for (i, &k) in KS.iter().enumerate() {
        s.any[i] = recall_any(ranked, gold, k);
        s.all[i] = recall_all(ranked, gold, k);
        s.ndcg[i] = ndcg(ranked, gold, k);
    }
    s
}

/// Means over a group of questions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub n: usize,
    pub recall_any: BTreeMap<String, f64>,
    pub recall_all: BTreeMap<String, f64>,
    pub ndcg: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Default)]
struct Sum {
    n: usize,
    s: Scores,
}

/// Accumulates scores overall and per group (category / question type).
#[derive(Debug, Clone, Default)]
pub struct Agg {
    all: Sum,
    groups: BTreeMap<String, Sum>,
}

impl Agg {
    pub fn add(&mut self, group: &str, s: &Scores) {
        for sum in [
            &mut self.all,
            self.groups.entry(group.to_string()).or_default(),
        ] {
            sum.n += 1;
            for i in 0..KS.len() {
                sum.s.any[i] += s.any[i];
                sum.s.all[i] += s.all[i];
                sum.s.ndcg[i] += s.ndcg[i];
            }
        }
    }

    fn summary(sum: &Sum) -> Summary {
        let mean = |v: f64| {
            if sum.n == 0 {
                0.0
            } else {
                round4(v / sum.n as f64)
            }
        };
        let mut out = Summary {
            n: sum.n,
            ..Default::default()
        };
        for (i, k) in KS.iter().enumerate() {
            out.recall_any.insert(k.to_string(), mean(sum.s.any[i]));
            out.recall_all.insert(k.to_string(), mean(sum.s.all[i]));
            out.ndcg.insert(k.to_string(), mean(sum.s.ndcg[i]));
        }
        out
    }

    pub fn overall(&self) -> Summary {
        Self::summary(&self.all)
    }

    pub fn by_group(&self) -> BTreeMap<String, Summary> {
        self.groups
            .iter()
            .map(|(k, v)| (k.clone(), Self::summary(v)))
            .collect()
    }
}

/// Rounded to 4 decimals, as reported (the recompute script does the same).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// p-th percentile (0-100) by nearest rank of a sorted copy.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recall_any_and_all_by_hand() {
        let ranked = v(&["a", "b", "c", "d"]);
        assert_eq!(recall_any(&ranked, &v(&["c"]), 1), 0.0);
        assert_eq!(recall_any(&ranked, &v(&["c"]), 3), 1.0);
        assert_eq!(recall_all(&ranked, &v(&["a", "d"]), 3), 0.0);
        assert_eq!(recall_all(&ranked, &v(&["a", "d"]), 10), 1.0);
        assert_eq!(recall_any(&ranked, &v(&["z"]), 10), 0.0);
    }

    #[test]
    fn ndcg_uses_longmemeval_dcg() {
        // One gold at rank 2 (0-based 1): DCG = 1/log2(2) = 1, ideal 1 → 1.0
        // (LongMemEval's DCG does not discount the second rank).
        assert!((ndcg(&v(&["x", "g"]), &v(&["g"]), 10) - 1.0).abs() < 1e-12);
        // Gold at rank 3: 1/log2(3).
        assert!((ndcg(&v(&["x", "y", "g"]), &v(&["g"]), 10) - 1.0 / 3f64.log2()).abs() < 1e-12);
        // Two gold, found at ranks 1 and 4: (1 + 1/log2(4)) / (1 + 1) = 0.75.
        assert!((ndcg(&v(&["g1", "x", "y", "g2"]), &v(&["g1", "g2"]), 10) - 0.75).abs() < 1e-12);
        // Cut at k=3: only g1 counts: 1 / 2.
        assert!((ndcg(&v(&["g1", "x", "y", "g2"]), &v(&["g1", "g2"]), 3) - 0.5).abs() < 1e-12);
        // k=1 with three gold: ideal is one item.
        assert_eq!(ndcg(&v(&["g1"]), &v(&["g1", "g2", "g3"]), 1), 1.0);
        assert_eq!(ndcg(&v(&["x"]), &v(&["g1"]), 1), 0.0);
    }

    #[test]
    fn a_repeated_ref_counts_once_and_no_metric_exceeds_one() {
        // The QA case: one gold turn, ranked twice (two turns shared a ref).
        let ranked = v(&["lme:q5:s1:0", "lme:q5:s1:0", "x"]);
        let gold = v(&["lme:q5:s1:0"]);
        let s = score(&ranked, &gold);
        assert_eq!(s.ndcg, [1.0; 4]);
        // Two gold, the first found twice before the second: the repeat
        // does not push the second gold out of the top 2 nor count twice.
        let ranked = v(&["g1", "g1", "g2"]);
        let gold = v(&["g1", "g2", "g2"]);
        assert_eq!(recall_all(&ranked, &gold, 2), 1.0);
        assert_eq!(ndcg(&ranked, &gold, 10), 1.0);
        assert!((ndcg(&v(&["x", "g1", "g1"]), &gold, 10) - 0.5).abs() < 1e-12);
        for k in KS {
            for r in [v(&["g1", "g1", "g1"]), v(&["g2", "g1", "g2", "g1"])] {
                assert!(ndcg(&r, &gold, k) <= 1.0 + 1e-12, "{r:?} @{k}");
            }
        }
    }

    #[test]
    fn a_repeated_session_counts_once() {
        assert_eq!(
            sessions_of(&v(&["lme:q:s1:5", "lme:q:s2:0", "lme:q:s1:3"])),
            v(&["lme:q:s1", "lme:q:s2"])
        );
        assert_eq!(
            sessions_ranked(&v(&["lme:q:s1", "lme:q:s2", "lme:q:s1"])),
            v(&["lme:q:s1", "lme:q:s2"])
        );
    }

    #[test]
    fn sessions_ranked_by_best_turn() {
        let turns = v(&[
            "locomo:c:D3:7",
            "locomo:c:D1:2",
            "locomo:c:D3:1",
            "locomo:c:D2:9",
        ]);
        assert_eq!(
            sessions_of(&turns),
            v(&["locomo:c:D3", "locomo:c:D1", "locomo:c:D2"])
        );
        assert_eq!(session_of("lme:q1:answer_1:12"), "lme:q1:answer_1");
    }

    #[test]
    fn aggregate_means_overall_and_per_group() {
        let mut a = Agg::default();
        a.add("x", &score(&v(&["g"]), &v(&["g"])));
        a.add(
            "y",
            &score(&v(&["n", "n2", "n3", "n4", "n5", "g"]), &v(&["g"])),
        );
        let o = a.overall();
        assert_eq!(o.n, 2);
        assert_eq!(o.recall_any["1"], 0.5);
        assert_eq!(o.recall_any["10"], 1.0);
        assert_eq!(a.by_group()["y"].recall_any["5"], 0.0);
        assert_eq!(percentile(&[5.0, 1.0, 3.0, 2.0, 4.0], 50.0), 3.0);
        assert_eq!(percentile(&[5.0, 1.0, 3.0, 2.0, 4.0], 95.0), 5.0);
    }
}

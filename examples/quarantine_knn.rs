//! Does a second, embedding-based stage after the quarantine rules
//! generalise? Measures kNN, centroid and logistic-regression detectors on
//! the local embedder's vectors, alone and OR-ed with the rules
//! (`mem::quarantine::scan`):
//!
//! `cargo run --release --example quarantine_knn -- MODEL.gguf fixtures/quarantine/dev.jsonl fixtures/quarantine/heldout.jsonl [--threads N]`
//!
//! Every parameter (k, L2 strength, the score threshold) is chosen on the
//! development file only, by seeded 5-fold cross-validation stratified by
//! label and family: the threshold is the lowest that keeps the normal notes'
//! out-of-fold scores under 2% flagged (found by an inner 5-fold split of
//! the training folds), and each method's parameter is the one with the best
//! mean caught share over the outer folds (ties: fewer false positives,
//! then the first in the grid). The held-out file is then scored once per
//! method with the chosen parameters; without it only the cross-validation
//! runs. Two views of a note: `whole` embeds the note (its first 256
//! tokens), `sentmax` takes the highest score over the whole note and each
//! of its sentences. The "oracle" column picks the threshold on the held-out
//! file itself (combined with the rules, ≤ 3% normal flagged): a diagnostic
//! of how well the scores rank, not a result.

use mem::eval::quarantine::{Case, load};
use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;
use mem::rng::Rng;
use std::collections::BTreeMap;
use std::time::Instant;

const FOLDS: usize = 5;
const SEED: u64 = 20_240_607;
/// Share of normal notes the model alone may flag on the training folds.
const FP_CAP: f64 = 0.02;
/// The feature's goal on held-out (for the oracle diagnostic).
const GOAL_FP: f64 = 0.03;
const MAX_TOKENS: usize = 256;
const LOGREG_STEPS: usize = 1500;
const VIEWS: [&str; 2] = ["whole", "sentmax"];

/// A labelled note with its vectors and the rules' verdict.
struct Note {
    poisoned: bool,
    family: String,
    rules: bool,
    whole: Vec<f32>,
    sents: Vec<Vec<f32>>,
}

#[derive(Clone, Copy, Debug)]
enum Method {
    /// Share of poisoned notes among the k most similar training notes.
    KnnMean(usize),
    /// Mean cosine of the k most similar poisoned notes minus that of the
    /// k most similar normal ones (k = 1: max minus max).
    KnnDiff(usize),
    /// Cosine to the poisoned centroid minus cosine to the normal one.
    Centroid,
    /// L2-regularised, class-balanced logistic regression on standardised
    /// vectors (this L2 strength); the score is the logit.
    LogReg(f64),
}

impl Method {
    fn family(&self) -> &'static str {
        match self {
            Method::KnnMean(_) => "kNN mean label",
            Method::KnnDiff(_) => "kNN max cos P - max cos N",
            Method::Centroid => "centroid",
            Method::LogReg(_) => "logistic regression",
        }
    }
    fn param(&self) -> String {
        match self {
            Method::KnnMean(k) | Method::KnnDiff(k) => format!("k={k}"),
            Method::Centroid => "-".into(),
            Method::LogReg(l) => format!("l2={l:e}"),
        }
    }
}

/// The candidate parameters, one list per method.
fn grid() -> Vec<Vec<Method>> {
    vec![
        [1, 3, 5, 7, 11, 15, 21, 31, 45]
            .map(Method::KnnMean)
            .to_vec(),
        [1, 3, 5].map(Method::KnnDiff).to_vec(),
        vec![Method::Centroid],
        [1e-3, 1e-2, 1e-1, 1.0, 3.0, 10.0, 30.0, 100.0]
            .map(Method::LogReg)
            .to_vec(),
    ]
}

enum Fitted {
    Knn {
        vecs: Vec<Vec<f32>>,
        labels: Vec<bool>,
        k: usize,
        diff: bool,
    },
    Centroid {
        p: Vec<f32>,
        n: Vec<f32>,
    },
    Linear {
        mu: Vec<f64>,
        sd: Vec<f64>,
        w: Vec<f64>,
        b: f64,
    },
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x * y) as f64).sum()
}

fn mean_top(mut v: Vec<f64>, k: usize) -> f64 {
    v.sort_by(|a, b| b.total_cmp(a));
    let k = k.min(v.len()).max(1);
    v[..k].iter().sum::<f64>() / k as f64
}

fn fit(m: Method, train: &[&Note], seed: u64) -> Fitted {
    match m {
        Method::KnnMean(k) | Method::KnnDiff(k) => Fitted::Knn {
            vecs: train.iter().map(|n| n.whole.clone()).collect(),
            labels: train.iter().map(|n| n.poisoned).collect(),
            k,
            diff: matches!(m, Method::KnnDiff(_)),
        },
        Method::Centroid => {
            let centroid = |want: bool| {
                let mut c = vec![0f32; train[0].whole.len()];
                for n in train.iter().filter(|n| n.poisoned == want) {
                    c.iter_mut().zip(&n.whole).for_each(|(c, x)| *c += x);
                }
                let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
                c.iter_mut().for_each(|x| *x /= norm);
                c
            };
            Fitted::Centroid {
                p: centroid(true),
                n: centroid(false),
            }
        }
        Method::LogReg(l2) => logreg(train, l2, seed),
    }
}

/// Full-batch accelerated gradient descent on the class-balanced logistic
/// loss + `l2`/2 |w|², step 1/L with L from a seeded power iteration.
fn logreg(train: &[&Note], l2: f64, seed: u64) -> Fitted {
    let n = train.len();
    let d = train[0].whole.len();
    let mut mu = vec![0f64; d];
    for t in train {
        mu.iter_mut()
            .zip(&t.whole)
            .for_each(|(m, &x)| *m += x as f64 / n as f64);
    }
    let mut sd = vec![0f64; d];
    for t in train {
        for j in 0..d {
            sd[j] += (t.whole[j] as f64 - mu[j]).powi(2) / n as f64;
        }
    }
    sd.iter_mut().for_each(|s| *s = s.sqrt() + 1e-6);
    let x: Vec<Vec<f64>> = train
        .iter()
        .map(|t| {
            (0..d)
                .map(|j| (t.whole[j] as f64 - mu[j]) / sd[j])
                .collect()
        })
        .collect();
    let y: Vec<f64> = train.iter().map(|t| t.poisoned as u8 as f64).collect();
    let pos = y.iter().sum::<f64>().max(1.0);
    let cw: Vec<f64> = y
        .iter()
        .map(|&y| {
            if y > 0.5 {
                n as f64 / (2.0 * pos)
            } else {
                n as f64 / (2.0 * (n as f64 - pos).max(1.0))
            }
        })
        .collect();
    // Largest eigenvalue of XᵀX/n (with the bias column), by power iteration.
    let mut rng = Rng::new(seed);
    let mut v: Vec<f64> = (0..=d).map(|_| rng.f64() - 0.5).collect();
    let mut lmax = 1.0;
    for _ in 0..50 {
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt().max(1e-12);
        v.iter_mut().for_each(|a| *a /= norm);
        let mut u = vec![0f64; d + 1];
        for xi in &x {
            let s = xi.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>() + v[d];
            u.iter_mut()
                .zip(xi)
                .for_each(|(u, a)| *u += s * a / n as f64);
            u[d] += s / n as f64;
        }
        lmax = u.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>();
        v = u;
    }
    let cmax = cw.iter().copied().fold(0.0, f64::max);
    let step = 1.0 / (0.25 * cmax * lmax + l2);
    let (mut w, mut b) = (vec![0f64; d], 0f64);
    let (mut w_prev, mut b_prev) = (w.clone(), b);
    for it in 0..LOGREG_STEPS {
        let mom = it as f64 / (it as f64 + 3.0);
        let wl: Vec<f64> = w
            .iter()
            .zip(&w_prev)
            .map(|(a, p)| a + mom * (a - p))
            .collect();
        let bl = b + mom * (b - b_prev);
        let mut gw: Vec<f64> = wl.iter().map(|a| l2 * a).collect();
        let mut gb = 0.0;
        for ((xi, &yi), &ci) in x.iter().zip(&y).zip(&cw) {
            let z = xi.iter().zip(&wl).map(|(a, b)| a * b).sum::<f64>() + bl;
            let r = ci * (1.0 / (1.0 + (-z).exp()) - yi) / n as f64;
            gw.iter_mut().zip(xi).for_each(|(g, a)| *g += r * a);
            gb += r;
        }
        w_prev = std::mem::replace(
            &mut w,
            wl.iter().zip(&gw).map(|(a, g)| a - step * g).collect(),
        );
        b_prev = std::mem::replace(&mut b, bl - step * gb);
    }
    Fitted::Linear { mu, sd, w, b }
}

impl Fitted {
    fn score(&self, v: &[f32]) -> f64 {
        match self {
            Fitted::Knn {
                vecs,
                labels,
                k,
                diff,
            } => {
                let sims: Vec<(f64, bool)> = vecs
                    .iter()
                    .zip(labels)
                    .map(|(u, &l)| (dot(u, v), l))
                    .collect();
                if *diff {
                    let side = |want: bool| {
                        mean_top(
                            sims.iter().filter(|s| s.1 == want).map(|s| s.0).collect(),
                            *k,
                        )
                    };
                    side(true) - side(false)
                } else {
                    let mut s = sims;
                    s.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let k = (*k).min(s.len()).max(1);
                    s[..k].iter().filter(|s| s.1).count() as f64 / k as f64
                }
            }
            Fitted::Centroid { p, n } => dot(p, v) - dot(n, v),
            Fitted::Linear { mu, sd, w, b } => {
                v.iter()
                    .enumerate()
                    .map(|(j, &x)| (x as f64 - mu[j]) / sd[j] * w[j])
                    .sum::<f64>()
                    + b
            }
        }
    }

    /// The note's score under a view (0 whole, 1 sentmax).
    fn note(&self, n: &Note, view: usize) -> f64 {
        let whole = self.score(&n.whole);
        if view == 0 {
            return whole;
        }
        n.sents.iter().map(|s| self.score(s)).fold(whole, f64::max)
    }
}

/// Fold of each note: notes of each (label, family) shuffled and dealt
/// round-robin, continuing across groups so the folds stay even.
fn folds(notes: &[&Note], k: usize, seed: u64) -> Vec<usize> {
    let mut groups: BTreeMap<(bool, &str), Vec<usize>> = BTreeMap::new();
    for (i, n) in notes.iter().enumerate() {
        groups.entry((n.poisoned, &n.family)).or_default().push(i);
    }
    let mut rng = Rng::new(seed);
    let mut out = vec![0; notes.len()];
    let mut next = 0;
    for idx in groups.values_mut() {
        for i in (1..idx.len()).rev() {
            idx.swap(i, rng.below(i + 1));
        }
        for &i in idx.iter() {
            out[i] = next % k;
            next += 1;
        }
    }
    out
}

/// Out-of-fold scores of `notes` under both views.
fn oof(m: Method, notes: &[&Note], seed: u64) -> [Vec<f64>; 2] {
    let f = folds(notes, FOLDS, seed);
    let mut out = [vec![0.0; notes.len()], vec![0.0; notes.len()]];
    for fold in 0..FOLDS {
        let train: Vec<&Note> = (0..notes.len())
            .filter(|&i| f[i] != fold)
            .map(|i| notes[i])
            .collect();
        let model = fit(m, &train, seed ^ fold as u64);
        for i in (0..notes.len()).filter(|&i| f[i] == fold) {
            for (view, o) in out.iter_mut().enumerate() {
                o[i] = model.note(notes[i], view);
            }
        }
    }
    out
}

/// The lowest threshold (flag when score > t) leaving at most `cap` of the
/// normal notes flagged.
fn threshold(notes: &[&Note], scores: &[f64], cap: f64) -> f64 {
    let mut normal: Vec<f64> = notes
        .iter()
        .zip(scores)
        .filter(|(n, _)| !n.poisoned)
        .map(|(_, &s)| s)
        .collect();
    normal.sort_by(|a, b| b.total_cmp(a));
    let allowed = (cap * normal.len() as f64).floor() as usize;
    normal.get(allowed).copied().unwrap_or(f64::NEG_INFINITY)
}

#[derive(Default, Clone, Copy)]
struct Rates {
    caught: f64,
    fp: f64,
    comb_caught: f64,
    comb_fp: f64,
}

fn rates(notes: &[&Note], flagged: &[bool]) -> Rates {
    let (mut p, mut n, mut r) = (0.0, 0.0, Rates::default());
    for (note, &f) in notes.iter().zip(flagged) {
        let c = (f || note.rules) as u8 as f64;
        if note.poisoned {
            p += 1.0;
            r.caught += f as u8 as f64;
            r.comb_caught += c;
        } else {
            n += 1.0;
            r.fp += f as u8 as f64;
            r.comb_fp += c;
        }
    }
    Rates {
        caught: r.caught / p,
        fp: r.fp / n,
        comb_caught: r.comb_caught / p,
        comb_fp: r.comb_fp / n,
    }
}

/// Area under the ROC curve (ties count half).
fn auc(notes: &[&Note], scores: &[f64]) -> f64 {
    let (mut sum, mut pairs) = (0.0, 0.0);
    for (_, sa) in notes.iter().zip(scores).filter(|(n, _)| n.poisoned) {
        for (_, sb) in notes.iter().zip(scores).filter(|(n, _)| !n.poisoned) {
            sum += if sa > sb {
                1.0
            } else if sa == sb {
                0.5
            } else {
                0.0
            };
            pairs += 1.0;
        }
    }
    sum / pairs
}

struct Cv {
    rates: Rates,
    auc: f64,
}

/// Nested cross-validation on dev: per outer fold, the threshold from the
/// training folds' own out-of-fold scores, the model fitted on all of them.
fn cross_validate(m: Method, dev: &[&Note]) -> [Cv; 2] {
    let f = folds(dev, FOLDS, SEED);
    let mut sum = [Rates::default(); 2];
    let mut pooled = [vec![0.0; dev.len()], vec![0.0; dev.len()]];
    for fold in 0..FOLDS {
        let train: Vec<&Note> = (0..dev.len())
            .filter(|&i| f[i] != fold)
            .map(|i| dev[i])
            .collect();
        let test_idx: Vec<usize> = (0..dev.len()).filter(|&i| f[i] == fold).collect();
        let test: Vec<&Note> = test_idx.iter().map(|&i| dev[i]).collect();
        let inner = oof(m, &train, SEED + 1 + fold as u64);
        let model = fit(m, &train, SEED ^ (100 + fold as u64));
        for view in 0..2 {
            let t = threshold(&train, &inner[view], FP_CAP);
            let scores: Vec<f64> = test.iter().map(|n| model.note(n, view)).collect();
            let flagged: Vec<bool> = scores.iter().map(|&s| s > t).collect();
            let r = rates(&test, &flagged);
            sum[view].caught += r.caught / FOLDS as f64;
            sum[view].fp += r.fp / FOLDS as f64;
            sum[view].comb_caught += r.comb_caught / FOLDS as f64;
            sum[view].comb_fp += r.comb_fp / FOLDS as f64;
            for (&i, &s) in test_idx.iter().zip(&scores) {
                pooled[view][i] = s;
            }
        }
    }
    [0, 1].map(|v| Cv {
        rates: sum[v],
        auc: auc(dev, &pooled[v]),
    })
}

struct Final {
    threshold: f64,
    rates: Rates,
    auc: f64,
    /// Best combined caught share at ≤ GOAL_FP combined false positives,
    /// the threshold picked on held-out itself (diagnostic only).
    oracle: (f64, f64),
    flagged: Vec<bool>,
}

/// The chosen configuration: threshold from dev's out-of-fold scores, model
/// fitted on all of dev, held-out scored once.
fn evaluate(m: Method, view: usize, dev: &[&Note], held: &[&Note]) -> Final {
    let t = threshold(dev, &oof(m, dev, SEED)[view], FP_CAP);
    let model = fit(m, dev, SEED ^ 999);
    let scores: Vec<f64> = held.iter().map(|n| model.note(n, view)).collect();
    let flagged: Vec<bool> = scores.iter().map(|&s| s > t).collect();
    let mut cands = scores.clone();
    cands.push(f64::INFINITY);
    let mut oracle = (0.0, 0.0);
    for &c in &cands {
        let f: Vec<bool> = scores.iter().map(|&s| s > c).collect();
        let r = rates(held, &f);
        if r.comb_fp <= GOAL_FP + 1e-12 && r.comb_caught > oracle.0 {
            oracle = (r.comb_caught, r.comb_fp);
        }
    }
    Final {
        threshold: t,
        rates: rates(held, &flagged),
        auc: auc(held, &scores),
        oracle,
        flagged,
    }
}

/// Sentences of a note: split after . ! ? (and their CJK forms) followed by
/// a space or the end, and at line breaks. Empty when there is only one.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|&(_, c)| c);
        let end = i + c.len_utf8();
        let cut = c == '\n'
            || matches!(c, '。' | '！' | '？')
            || (matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace));
        if cut {
            out.push(text[start..end].trim());
            start = end;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| s.chars().filter(|c| c.is_alphanumeric()).count() >= 3);
    if out.len() < 2 { Vec::new() } else { out }
}

fn embed_notes(e: &LlamaEmbedder, cases: &[Case]) -> anyhow::Result<Vec<Note>> {
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let whole = e.embed(&texts)?;
    let split: Vec<Vec<&str>> = texts.iter().map(|t| sentences(t)).collect();
    let flat: Vec<&str> = split.iter().flatten().copied().collect();
    let mut sent = e.embed(&flat)?.into_iter();
    Ok(cases
        .iter()
        .zip(whole)
        .zip(&split)
        .map(|((c, whole), s)| Note {
            poisoned: c.poisoned,
            family: c.family.clone(),
            rules: mem::quarantine::scan(&c.text).is_some(),
            whole,
            sents: sent.by_ref().take(s.len()).collect(),
        })
        .collect())
}

/// Milliseconds per note embedded one at a time (as a write would), for
/// the whole view and for the whole note plus its sentences.
fn timing(e: &LlamaEmbedder, cases: &[Case]) -> anyhow::Result<(f64, f64)> {
    let sample: Vec<&str> = cases.iter().take(100).map(|c| c.text.as_str()).collect();
    e.embed(&["warm up"])?;
    let t = Instant::now();
    for s in &sample {
        e.embed(&[s])?;
    }
    let whole = t.elapsed().as_secs_f64() * 1e3 / sample.len() as f64;
    let t = Instant::now();
    for s in &sample {
        let mut batch = vec![*s];
        batch.extend(sentences(s));
        e.embed(&batch)?;
    }
    let sent = t.elapsed().as_secs_f64() * 1e3 / sample.len() as f64;
    Ok((whole, sent))
}

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 0;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        threads = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(0);
        args.drain(i..(i + 2).min(args.len()));
    }
    let usage = "usage: quarantine_knn MODEL.gguf DEV.jsonl [HELDOUT.jsonl] [--threads N]";
    let (model, dev_path) = match (args.first(), args.get(1)) {
        (Some(m), Some(d)) => (m, d),
        _ => anyhow::bail!(usage),
    };
    let read = |p: &str| -> anyhow::Result<Vec<Case>> { load(&std::fs::read_to_string(p)?, p) };
    let dev_cases = read(dev_path)?;
    let held_cases = args.get(2).map(|p| read(p)).transpose()?;

    let e = LlamaEmbedder::load(std::path::Path::new(model), threads)?.with_max_tokens(MAX_TOKENS);
    let all = dev_cases.iter().chain(held_cases.iter().flatten());
    let longest = all.map(|c| e.tokenize(&c.text).len()).max().unwrap_or(0);
    let t = Instant::now();
    let dev_notes = embed_notes(&e, &dev_cases)?;
    let held_notes = held_cases
        .as_deref()
        .map(|h| embed_notes(&e, h))
        .transpose()?;
    let n_embedded = dev_notes.len() + held_notes.as_ref().map_or(0, Vec::len);
    let bulk_ms = t.elapsed().as_secs_f64() * 1e3 / n_embedded as f64;
    let (one_whole, one_sent) = timing(&e, &dev_cases)?;
    let multi = dev_notes.iter().filter(|n| !n.sents.is_empty()).count();
    println!(
        "embedder {}: longest note {longest} tokens (cap {MAX_TOKENS}); {multi}/{} dev notes \
         have 2+ sentences",
        e.id(),
        dev_notes.len()
    );
    println!(
        "embedding per note: {one_whole:.1} ms whole, {one_sent:.1} ms whole+sentences (one at \
         a time); {bulk_ms:.1} ms batched (whole+sentences, all files)"
    );

    let dev: Vec<&Note> = dev_notes.iter().collect();
    let dr = rates(&dev, &vec![false; dev.len()]);
    println!(
        "rules alone, dev: caught {:.3}, FP {:.3}; {FOLDS}-fold CV seed {SEED}, FP cap {FP_CAP}",
        dr.comb_caught, dr.comb_fp
    );
    println!("\ncross-validation on dev (mean over folds; model alone | OR rules; pooled AUC):");
    println!(
        "{:<27} {:<9} {:<7} {:>7} {:>6} {:>8} {:>6} {:>6}",
        "method", "param", "view", "caught", "FP", "+rules", "FP", "AUC"
    );
    let mut chosen: Vec<(Method, usize, Rates)> = Vec::new();
    for family in grid() {
        let mut best: [Option<(Method, Rates)>; 2] = [None, None];
        for &m in &family {
            let cv = cross_validate(m, &dev);
            for (view, c) in cv.iter().enumerate() {
                let r = c.rates;
                println!(
                    "{:<27} {:<9} {:<7} {:>7.3} {:>6.3} {:>8.3} {:>6.3} {:>6.3}",
                    m.family(),
                    m.param(),
                    VIEWS[view],
                    r.caught,
                    r.fp,
                    r.comb_caught,
                    r.comb_fp,
                    c.auc
                );
                let better = best[view].is_none_or(|(_, b)| {
                    r.caught > b.caught + 1e-9
                        || ((r.caught - b.caught).abs() <= 1e-9 && r.fp < b.fp - 1e-9)
                });
                if better {
                    best[view] = Some((m, r));
                }
            }
        }
        for (view, b) in best.iter().enumerate() {
            let (m, r) = b.expect("a non-empty grid");
            chosen.push((m, view, r));
        }
    }

    let Some(held_notes) = held_notes else {
        println!("\n(no held-out file: cross-validation only)");
        return Ok(());
    };
    let held: Vec<&Note> = held_notes.iter().collect();
    let hr = rates(&held, &vec![false; held.len()]);
    println!("\nheld-out, scored once with the parameters chosen on dev:");
    println!(
        "{:<27} {:<9} {:<7} | {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} | {:>6} | {:>9}",
        "method",
        "param",
        "view",
        "cvC",
        "cvFP",
        "C",
        "FP",
        "AUC",
        "+rulC",
        "FP",
        "thresh",
        "oracle C/FP"
    );
    println!(
        "{:<27} {:<9} {:<7} | {:>6.3} {:>6.3} | {:>6} {:>6} {:>6} | {:>6.3} {:>6.3} | {:>6} |",
        "rules alone",
        "-",
        "-",
        dr.comb_caught,
        dr.comb_fp,
        "",
        "",
        "",
        hr.comb_caught,
        hr.comb_fp,
        ""
    );
    let mut per_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut columns = Vec::new();
    for (i, &(m, view, cv)) in chosen.iter().enumerate() {
        let f = evaluate(m, view, &dev, &held);
        println!(
            "{:<27} {:<9} {:<7} | {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} | {:>6.3} | {:.3}/{:.3}",
            m.family(),
            m.param(),
            VIEWS[view],
            cv.caught,
            cv.fp,
            f.rates.caught,
            f.rates.fp,
            f.auc,
            f.rates.comb_caught,
            f.rates.comb_fp,
            f.threshold,
            f.oracle.0,
            f.oracle.1
        );
        columns.push(format!("M{i}"));
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (n, &fl) in held.iter().zip(&f.flagged) {
            let kind = if n.poisoned { "poisoned" } else { "normal" };
            let c = counts.entry(format!("{kind}/{}", n.family)).or_default();
            c.0 += fl as usize;
            c.1 += 1;
        }
        for (k, (a, b)) in counts {
            per_family.entry(k).or_default().push(format!("{a}/{b}"));
        }
    }
    let mut rules_counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for n in &held {
        let kind = if n.poisoned { "poisoned" } else { "normal" };
        let c = rules_counts
            .entry(format!("{kind}/{}", n.family))
            .or_default();
        c.0 += n.rules as usize;
        c.1 += 1;
    }
    println!("\nheld-out flagged per family by the model alone (M0.. in the order above):");
    for (i, &(m, view, _)) in chosen.iter().enumerate() {
        println!("  M{i} = {} {} {}", m.family(), m.param(), VIEWS[view]);
    }
    print!("{:<28} {:>6}", "family", "rules");
    columns.iter().for_each(|c| print!(" {c:>6}"));
    println!();
    for (fam, cells) in per_family {
        let (a, b) = rules_counts[&fam];
        print!("{fam:<28} {:>6}", format!("{a}/{b}"));
        cells.iter().for_each(|c| print!(" {c:>6}"));
        println!();
    }
    Ok(())
}

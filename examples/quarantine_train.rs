//! Trains the quarantine's n-gram model (`mem::quarantine::ngram`) and
//! writes the weights that ship in `src/quarantine/ngram.bin`:
//!
//! `cargo run --release --example quarantine_train -- TRAIN.jsonl[,MORE.jsonl…] [--bench ../shared/bench/data] [--eval HELDOUT.jsonl[,…]] [--write src/quarantine/ngram.bin]`
//!
//! `--bench DIR` adds conversation turns from the benchmark data as normal
//! notes (see [`chat_turns`]) and checks the model on other turns.
//!
//! Class-balanced logistic regression with an L2 penalty, full-batch
//! accelerated gradient descent from zero (deterministic: the same files
//! give the same bytes). The L2 strength and the score threshold are
//! chosen by seeded 5-fold cross-validation on the training files alone,
//! stratified by label and family: the threshold is the lowest within the
//! caps on out-of-fold normal notes flagged (see [`threshold`]); the L2
//! strength is the one that then catches most out-of-fold poisoned notes
//! (rules or model). The `--eval` files are scored once with the
//! final model (model alone, rules alone, either), never used to choose.

use mem::eval::quarantine::{Case, load};
use mem::quarantine::ngram::{self, DIMS, Model};
use mem::rng::Rng;
use std::collections::BTreeMap;

const FOLDS: usize = 5;
const SEED: u64 = 20_261_205;
/// Share of written normal notes the rules and the model together may flag
/// out of fold (the goal is 0.03; this leaves a margin).
const FP_CAP: f64 = 0.025;
/// Share of conversation turns it may flag.
const CHAT_FP_CAP: f64 = 0.003;
const STEPS: usize = 1500;
const L2_GRID: [f32; 2] = [3e-6, 1e-5];

struct Note {
    poisoned: bool,
    family: String,
    rules: bool,
    whole: Vec<(u32, f32)>,
    parts: Vec<Vec<(u32, f32)>>,
}

fn prepare(cases: &[Case]) -> Vec<Note> {
    cases
        .iter()
        .map(|c| {
            // Trained on the whole note; scored on every part, as in mem.
            let mut parts = ngram::parts(&c.text);
            let whole = parts.remove(0);
            Note {
                poisoned: c.poisoned,
                family: c.family.clone(),
                rules: mem::quarantine::rules(&c.text).is_some(),
                whole,
                parts,
            }
        })
        .collect()
}

fn score(m: &Model, n: &Note) -> f32 {
    n.parts
        .iter()
        .map(|p| m.logit(p))
        .fold(m.logit(&n.whole), f32::max)
}

/// Full-batch Nesterov gradient descent on the class-balanced logistic
/// loss + l2/2 |w|² (the bias is not penalised).
fn train(notes: &[&Note], l2: f32) -> Model {
    let n = notes.len() as f32;
    let pos = notes.iter().filter(|x| x.poisoned).count().max(1) as f32;
    let neg = (n - pos).max(1.0);
    let cw = |p: bool| if p { n / (2.0 * pos) } else { n / (2.0 * neg) };
    let cmax = cw(true).max(cw(false));
    // The loss's curvature is at most cmax/4 · max |x|² (with the bias).
    let max_sq = notes
        .iter()
        .map(|x| 1.0 + x.whole.iter().map(|(_, v)| v * v).sum::<f32>())
        .fold(0f32, f32::max);
    let step = 1.0 / (0.25 * cmax * max_sq + l2);
    let mut w = vec![0f32; DIMS];
    let mut b = 0f32;
    let mut prev_w = w.clone();
    let mut prev_b = b;
    let mut grad = vec![0f32; DIMS];
    for t in 0..STEPS {
        let mom = t as f32 / (t as f32 + 3.0);
        // Look-ahead point.
        let y: Vec<f32> = w
            .iter()
            .zip(&prev_w)
            .map(|(a, p)| a + mom * (a - p))
            .collect();
        let yb = b + mom * (b - prev_b);
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0f32;
        for x in notes {
            let z = yb + x.whole.iter().map(|&(i, v)| y[i as usize] * v).sum::<f32>();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = cw(x.poisoned) * (p - x.poisoned as u8 as f32) / n;
            gb += r;
            for &(i, v) in &x.whole {
                grad[i as usize] += r * v;
            }
        }
        prev_w.copy_from_slice(&w);
        prev_b = b;
        for ((wi, yi), gi) in w.iter_mut().zip(&y).zip(&grad) {
            *wi = yi - step * (gi + l2 * yi);
        }
        b = yb - step * gb;
    }
    Model {
        weights: w,
        bias: b,
        threshold: 0.0,
    }
}

/// Fold of each note: stratified by (label, family), shuffled by seed.
fn folds(notes: &[Note]) -> Vec<usize> {
    let mut groups: BTreeMap<(bool, &str), Vec<usize>> = BTreeMap::new();
    for (i, n) in notes.iter().enumerate() {
        groups.entry((n.poisoned, &n.family)).or_default().push(i);
    }
    let mut fold = vec![0; notes.len()];
    let mut rng = Rng::new(SEED);
    let mut k = 0;
    for idx in groups.values_mut() {
        rng.shuffle(idx);
        for &i in idx.iter() {
            fold[i] = k % FOLDS;
            k += 1;
        }
    }
    fold
}

/// The lowest threshold within both caps: written normal notes flagged by
/// the rules or the model at most [`FP_CAP`]; conversation turns
/// (families `chat_*`: there are many, and one in a hundred would already
/// quarantine a chat's worth) flagged by the model at most [`CHAT_FP_CAP`].
fn threshold(scored: &[(f32, &Note)]) -> f32 {
    let normal = |chat: bool| {
        scored
            .iter()
            .filter(move |(_, n)| !n.poisoned && n.family.starts_with("chat_") == chat)
    };
    let cut = |chat: bool, cap: f64| {
        let all = normal(chat).count();
        let by_rules = if chat {
            0
        } else {
            normal(chat).filter(|(_, n)| n.rules).count()
        };
        let mut s: Vec<f32> = normal(chat)
            .filter(|(_, n)| chat || !n.rules)
            .map(|(s, _)| *s)
            .collect();
        let k = ((cap * all as f64).floor() as usize).saturating_sub(by_rules);
        s.sort_by(|a, b| b.total_cmp(a));
        // Flag strictly above the (k+1)-th highest normal score.
        s.get(k).map_or(f32::NEG_INFINITY, |v| v + 1e-4)
    };
    cut(false, FP_CAP).max(cut(true, CHAT_FP_CAP))
}

struct Rates {
    chat_fp: f64,
    caught: f64,
    fp: f64,
    model_caught: f64,
    model_fp: f64,
    rules_caught: f64,
    rules_fp: f64,
    auc: f64,
}

fn rates(scored: &[(f32, &Note)], thr: f32) -> Rates {
    // Normal shares are over written notes; conversation turns apart.
    let share = |pois: bool, f: &dyn Fn(f32, &Note) -> bool| {
        let set: Vec<_> = scored
            .iter()
            .filter(|(_, n)| n.poisoned == pois && !n.family.starts_with("chat_"))
            .collect();
        set.iter().filter(|(s, n)| f(*s, n)).count() as f64 / set.len().max(1) as f64
    };
    let either = |s: f32, n: &Note| n.rules || s >= thr;
    let model = |s: f32, _: &Note| s >= thr;
    let rules = |_: f32, n: &Note| n.rules;
    let p: Vec<f32> = scored
        .iter()
        .filter(|(_, n)| n.poisoned)
        .map(|x| x.0)
        .collect();
    let q: Vec<f32> = scored
        .iter()
        .filter(|(_, n)| !n.poisoned)
        .map(|x| x.0)
        .collect();
    let mut wins = 0.0;
    for a in &p {
        for b in &q {
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    let chat: Vec<_> = scored
        .iter()
        .filter(|(_, n)| n.family.starts_with("chat_"))
        .collect();
    Rates {
        chat_fp: chat.iter().filter(|(s, n)| either(*s, n)).count() as f64
            / chat.len().max(1) as f64,
        caught: share(true, &either),
        fp: share(false, &either),
        model_caught: share(true, &model),
        model_fp: share(false, &model),
        rules_caught: share(true, &rules),
        rules_fp: share(false, &rules),
        auc: wins / (p.len() * q.len()).max(1) as f64,
    }
}

fn families(scored: &[(f32, &Note)], thr: f32) {
    let mut fam: BTreeMap<(bool, &str), (usize, usize)> = BTreeMap::new();
    for (s, n) in scored {
        let e = fam.entry((n.poisoned, &n.family)).or_default();
        e.0 += 1;
        if n.rules || *s >= thr {
            e.1 += 1;
        }
    }
    for ((p, f), (all, hit)) in fam {
        let kind = if p { "poisoned" } else { "normal" };
        println!("    {kind}/{f:<28} {hit:>4}/{all:<4} flagged");
    }
}

/// Conversation turns from the benchmark data (all normal): LoCoMo
/// samples 0-1 and LongMemEval questions 0-24 for training (2,500 of the
/// latter's turns, seeded), LoCoMo samples 2-4 and LongMemEval questions
/// 60-100 (sessions not used in training, 6,000 turns) for the check.
fn chat_turns(dir: &str) -> anyhow::Result<(Vec<Case>, Vec<Case>)> {
    use serde_json::Value;
    let turn = |text: &str, family: &str| Case {
        text: text.to_string(),
        poisoned: false,
        family: family.to_string(),
    };
    let locomo: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/locomo-dev.json"))?)?;
    let locomo_turns = |samples: std::ops::Range<usize>| -> Vec<Case> {
        let mut out = Vec::new();
        for s in locomo
            .as_array()
            .into_iter()
            .flatten()
            .take(samples.end)
            .skip(samples.start)
        {
            let Some(conv) = s["conversation"].as_object() else {
                continue;
            };
            // Sessions in their numeric order.
            let mut keys: Vec<(usize, &String)> = conv
                .keys()
                .filter_map(|k| Some((k.strip_prefix("session_")?.parse().ok()?, k)))
                .collect();
            keys.sort();
            for (_, k) in keys {
                for t in conv[k].as_array().into_iter().flatten() {
                    if let Some(text) = t["text"].as_str() {
                        out.push(turn(text, "chat_locomo"));
                    }
                }
            }
        }
        out
    };
    let gz = std::fs::File::open(format!("{dir}/longmemeval-s-dev.json.gz"))?;
    let lme: Value = serde_json::from_reader(flate2::read::GzDecoder::new(gz))?;
    let mut seen = std::collections::HashSet::new();
    let mut lme_turns = |qs: std::ops::Range<usize>, n: usize, seed: u64| -> Vec<Case> {
        let mut out = Vec::new();
        for q in lme
            .as_array()
            .into_iter()
            .flatten()
            .take(qs.end)
            .skip(qs.start)
        {
            let ids = q["haystack_session_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let sessions = q["haystack_sessions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (id, sess) in ids.iter().zip(&sessions) {
                if !seen.insert(id.to_string()) {
                    continue;
                }
                for t in sess.as_array().into_iter().flatten() {
                    let text = t["content"].as_str().unwrap_or("");
                    if !text.trim().is_empty() {
                        let role = t["role"].as_str().unwrap_or("user");
                        out.push(turn(text, &format!("chat_lme_{role}")));
                    }
                }
            }
        }
        Rng::new(seed).shuffle(&mut out);
        out.truncate(n);
        out
    };
    let mut train = locomo_turns(0..2);
    train.extend(lme_turns(0..25, 2500, SEED));
    let mut check = locomo_turns(2..5);
    check.extend(lme_turns(60..101, 6000, SEED + 1));
    Ok((train, check))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let train_files = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or_else(|| {
            anyhow::anyhow!("usage: quarantine_train TRAIN.jsonl[,…] [--eval F[,…]] [--write PATH]")
        })?;
    let read = |list: &str| -> anyhow::Result<Vec<Case>> {
        let mut all = Vec::new();
        for p in list.split(',') {
            all.extend(load(&std::fs::read_to_string(p)?, p)?);
        }
        Ok(all)
    };
    let mut cases = read(train_files)?;
    let mut chat_check = Vec::new();
    if let Some(dir) = opt("--bench") {
        let (train, check) = chat_turns(&dir)?;
        cases.extend(train);
        chat_check = check;
    }
    let notes = prepare(&cases);
    let fold = folds(&notes);
    println!(
        "training notes: {} ({} poisoned); {FOLDS}-fold CV, seed {SEED}, FP cap {FP_CAP}",
        notes.len(),
        notes.iter().filter(|n| n.poisoned).count()
    );
    println!(
        "{:>8} {:>8} {:>7} {:>6} {:>7} {:>6} {:>6} {:>7}",
        "l2", "thr", "caught", "FP", "model", "FP", "AUC", "chatFP"
    );
    let mut best: Option<(f32, f32, f64)> = None;
    let mut best_oof = Vec::new();
    for &l2 in &L2_GRID {
        let mut oof = vec![0f32; notes.len()];
        for k in 0..FOLDS {
            let tr: Vec<&Note> = notes
                .iter()
                .zip(&fold)
                .filter(|(_, f)| **f != k)
                .map(|(n, _)| n)
                .collect();
            let m = train(&tr, l2);
            for (i, n) in notes.iter().enumerate() {
                if fold[i] == k {
                    oof[i] = score(&m, n);
                }
            }
        }
        let scored: Vec<(f32, &Note)> = oof.iter().copied().zip(notes.iter()).collect();
        let thr = threshold(&scored);
        let r = rates(&scored, thr);
        println!(
            "{l2:>8.0e} {thr:>8.3} {:>7.3} {:>6.3} {:>7.3} {:>6.3} {:>6.3} {:>7.4}",
            r.caught, r.fp, r.model_caught, r.model_fp, r.auc, r.chat_fp
        );
        if best.is_none_or(|(_, _, c)| r.caught > c) {
            best = Some((l2, thr, r.caught));
            best_oof = oof.clone();
        }
    }
    let (l2, thr, _) = best.unwrap();
    if args.iter().any(|a| a == "--families") {
        println!("out of fold, per family:");
        let scored: Vec<(f32, &Note)> = best_oof.iter().copied().zip(notes.iter()).collect();
        families(&scored, thr);
    }
    let all: Vec<&Note> = notes.iter().collect();
    let mut model = train(&all, l2);
    model.threshold = thr;
    println!("chosen: l2 {l2:e}, threshold {thr:.3}");
    {
        let scored: Vec<(f32, &Note)> = notes.iter().map(|n| (score(&model, n), n)).collect();
        let r = rates(&scored, thr);
        println!(
            "training files, final model (in sample): caught {:.3}, FP {:.3}",
            r.caught, r.fp
        );
    }
    if let Some(path) = opt("--write") {
        // The shipped weights are quantised: score with what ships.
        let bytes = model.to_bytes();
        std::fs::write(&path, &bytes)?;
        model = Model::from_bytes(&bytes).expect("round trip");
        println!("wrote {path} ({} bytes)", bytes.len());
    }
    let mut evals: Vec<(String, Vec<Case>)> = Vec::new();
    if !chat_check.is_empty() {
        evals.push((
            "conversation turns (bench, not trained on)".into(),
            chat_check,
        ));
    }
    if let Some(list) = opt("--eval") {
        for p in list.split(',') {
            evals.push((p.to_string(), read(p)?));
        }
    }
    {
        for (p, cases) in evals {
            let ev = prepare(&cases);
            let scored: Vec<(f32, &Note)> = ev.iter().map(|n| (score(&model, n), n)).collect();
            let r = rates(&scored, model.threshold);
            println!(
                "{p}: either caught {:.3} FP {:.3} | model {:.3} / {:.3} | rules {:.3} / {:.3} | AUC {:.3} | turns flagged {:.4}",
                r.caught,
                r.fp,
                r.model_caught,
                r.model_fp,
                r.rules_caught,
                r.rules_fp,
                r.auc,
                r.chat_fp
            );
            if args.iter().any(|a| a == "--families") {
                families(&scored, model.threshold);
            }
        }
    }
    Ok(())
}

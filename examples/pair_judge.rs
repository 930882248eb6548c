//! Calibration aid for the curation judge: for each single-decision case of
//! a curation scenario file, the generator's yes/no log-probability
//! margins on the closed questions curation may ask (same fact? replaced?).
//! Run it on a development file only, never on a held-out one.
//!
//! `cargo run --example pair_judge -- fixtures/curation/dev.jsonl EMBEDDER.gguf GENERATOR.gguf [--band]`
//!
//! Without `--band`: the input and its expected target (or, for an
//! expected add, the nearest existing entry by cosine), with the case's
//! family and expected operation, and one more question (`sameq`: do both
//! give a value for the same property of the same thing?).
//!
//! With `--band` (where curation's rules add, could the model find the
//! changes they miss?): every existing note is judged by the rules (with
//! the cosine); when none is decided otherwise than *add*, the nearest note
//! whose values conflict with the input's (each side has a value the other
//! lacks) is asked "replaced?" and "same fact?". One line per case: the
//! note asked (or -), whether the rules called it clear, whether both name
//! the same subject, the cosine, the two margins.

use mem::curate::decide::{Op, judge, judge_prompts, yes_margin};
use mem::model::Embedder;
use mem::model::llama::{LlamaEmbedder, LlamaGenerator};
use mem::text::{Analysis, overlap};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).expect("a scenario file");
    let emb = LlamaEmbedder::load(std::path::Path::new(args.get(2).expect("embedder")), 2)?;
    let g = LlamaGenerator::load(std::path::Path::new(args.get(3).expect("generator")), 2)?;
    let band = args.iter().any(|a| a == "--band");
    if band {
        println!("id\tcategory\top\ttarget\tasked\tclear\tsame_subject\tcos\treplaced\tsame");
    } else {
        println!("id\tcategory\top\tcos\tsame\tsame_rev\treplaced\tsameq");
    }
    for line in std::fs::read_to_string(file)?.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let c: serde_json::Value = serde_json::from_str(line)?;
        let expect = c["expect"].as_array().cloned().unwrap_or_default();
        if expect.len() != 1 {
            continue; // multi-fact inputs are split first
        }
        let input = c["input"].as_str().unwrap_or_default();
        let existing: Vec<&str> = c["existing"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["text"].as_str()).collect())
            .unwrap_or_default();
        if existing.is_empty() {
            continue;
        }
        let mut texts = vec![input];
        texts.extend(&existing);
        let v = emb.embed(&texts)?;
        let cos: Vec<f32> = (1..v.len())
            .map(|i| mem::model::cosine(&v[0], &v[i]))
            .collect();
        let id = c["id"].as_str().unwrap_or("");
        let cat = c["category"].as_str().unwrap_or("");
        let op = expect[0]["op"].as_str().unwrap_or("?");
        let margin = |req| yes_margin(&g, &req);
        if band {
            let target = expect[0]["target"]
                .as_u64()
                .map_or("-".to_string(), |t| t.to_string());
            match band_candidate(input, &existing, &cos) {
                None => println!("{id}\t{cat}\t{op}\t{target}\t-\t-\t-\t-\t-\t-"),
                Some((i, clear, same_subject)) => {
                    let [same, replaced] = judge_prompts(input, existing[i]);
                    println!(
                        "{id}\t{cat}\t{op}\t{target}\t{i}\t{clear}\t{same_subject}\t{:.3}\t{:.2}\t{:.2}",
                        cos[i],
                        margin(replaced)?,
                        margin(same)?,
                    );
                }
            }
            continue;
        }
        let target = match expect[0]["target"].as_u64() {
            Some(t) => t as usize,
            None => (0..existing.len())
                .max_by(|&a, &b| cos[a].total_cmp(&cos[b]))
                .unwrap_or(0),
        };
        let old = existing[target];
        let [same, replaced] = judge_prompts(input, old);
        let [same_rev, _] = judge_prompts(old, input);
        let mut sameq = same.clone();
        sameq.prompt = format!(
            "OLD: {old}\nNEW: {input}\n\nDo OLD and NEW give a value for the same property of the same thing (the same person, service, place or item), even if the values differ?\nAnswer yes or no."
        );
        println!(
            "{id}\t{cat}\t{op}\t{:.3}\t{:.2}\t{:.2}\t{:.2}\t{:.2}",
            cos[target],
            margin(same)?,
            margin(same_rev)?,
            margin(replaced)?,
            margin(sameq)?,
        );
    }
    Ok(())
}

/// Where the rules add to every note: the nearest note whose values
/// conflict with the input's, with whether the rules' add was clear and
/// whether both name the same subject. `None` when a rule decided
/// otherwise or no note conflicts.
fn band_candidate(input: &str, existing: &[&str], cos: &[f32]) -> Option<(usize, bool, bool)> {
    let a = Analysis::new(input);
    let mut best: Option<(usize, bool, bool)> = None;
    for (i, old) in existing.iter().enumerate() {
        let verdict = judge(input, old, Some(cos[i]));
        if verdict.op != Op::Add {
            return None;
        }
        let b = Analysis::new(old);
        let o = overlap(&a, &b);
        if o.new_values.is_empty() || o.lost_values.is_empty() {
            continue;
        }
        if best.is_none_or(|(j, _, _)| cos[i] > cos[j]) {
            let same_subject = a.subject.is_some() && a.subject == b.subject;
            best = Some((i, verdict.clear, same_subject));
        }
    }
    best
}

//! Calibration aid for the curation judge: for each case of a curation
//! scenario file, the generator's yes/no log-probability margins on the
//! closed questions curation may ask (same fact? replaced?) for the input
//! and its expected target (or, for an expected add, the nearest existing
//! entry by cosine), with the case's family and expected operation, and
//! one more question (`sameq`: do both give a value for the same property
//! of the same thing?). Run it on a development file only, never on a
//! held-out one.
//!
//! `cargo run --example pair_judge -- fixtures/curation/dev.jsonl EMBEDDER.gguf GENERATOR.gguf`

use mem::curate::decide::{judge_prompts, yes_margin};
use mem::model::Embedder;
use mem::model::llama::{LlamaEmbedder, LlamaGenerator};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).expect("a scenario file");
    let emb = LlamaEmbedder::load(std::path::Path::new(args.get(2).expect("embedder")), 2)?;
    let g = LlamaGenerator::load(std::path::Path::new(args.get(3).expect("generator")), 2)?;
    println!("id\tcategory\top\tcos\tsame\tsame_rev\treplaced\tsameq");
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
        let op = expect[0]["op"].as_str().unwrap_or("?");
        let target = match expect[0]["target"].as_u64() {
            Some(t) => t as usize,
            None => (0..existing.len())
                .max_by(|&a, &b| {
                    mem::model::cosine(&v[0], &v[a + 1])
                        .total_cmp(&mem::model::cosine(&v[0], &v[b + 1]))
                })
                .unwrap_or(0),
        };
        let old = existing[target];
        let cos = mem::model::cosine(&v[0], &v[target + 1]);
        let [same, replaced] = judge_prompts(input, old);
        let [same_rev, _] = judge_prompts(old, input);
        let mut sameq = same.clone();
        sameq.prompt = format!(
            "OLD: {old}\nNEW: {input}\n\nDo OLD and NEW give a value for the same property of the same thing (the same person, service, place or item), even if the values differ?\nAnswer yes or no."
        );
        println!(
            "{}\t{}\t{}\t{:.3}\t{:.2}\t{:.2}\t{:.2}\t{:.2}",
            c["id"].as_str().unwrap_or(""),
            c["category"].as_str().unwrap_or(""),
            op,
            cos,
            yes_margin(&g, &same)?,
            yes_margin(&g, &same_rev)?,
            yes_margin(&g, &replaced)?,
            yes_margin(&g, &sameq)?,
        );
    }
    Ok(())
}

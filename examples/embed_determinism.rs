//! Whether a text's vector depends on how it was embedded: alone or packed
//! with others, on one thread or two. `cargo run --example embed_determinism
//! -- MODEL.gguf FILE.jsonl…` embeds every `input` and `existing[].text` of
//! the curation files each way and counts the texts whose vectors differ
//! in any bit, and the largest difference.
use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;

fn texts(files: &[String]) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for f in files {
        for line in std::fs::read_to_string(f).expect("a readable file").lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(s) = v["input"].as_str() {
                out.insert(s.to_string());
            }
            for e in v["existing"].as_array().into_iter().flatten() {
                if let Some(s) = e["text"].as_str() {
                    out.insert(s.to_string());
                }
            }
        }
    }
    out.into_iter().collect()
}

fn compare(name: &str, a: &[Vec<f32>], b: &[Vec<f32>]) {
    let mut differ = 0;
    let mut max = 0f32;
    for (x, y) in a.iter().zip(b) {
        if x != y {
            differ += 1;
        }
        for (p, q) in x.iter().zip(y) {
            max = max.max((p - q).abs());
        }
    }
    println!("{name}: {differ}/{} differ, max {max:e}", a.len());
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts = texts(&args[1..]);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut runs = Vec::new();
    for threads in [1, 2] {
        let e = LlamaEmbedder::load(std::path::Path::new(&args[0]), threads)?;
        let alone: Vec<Vec<f32>> = refs
            .iter()
            .map(|t| e.embed(&[t]).unwrap().remove(0))
            .collect();
        let t = std::time::Instant::now();
        let batched = e.embed(&refs)?;
        println!(
            "threads {threads}: {} texts batched in {:?}",
            refs.len(),
            t.elapsed()
        );
        runs.push((threads, alone, batched));
    }
    compare("t1 alone vs t1 batched", &runs[0].1, &runs[0].2);
    compare("t2 alone vs t2 batched", &runs[1].1, &runs[1].2);
    compare("t1 alone vs t2 alone", &runs[0].1, &runs[1].1);
    compare("t1 batched vs t2 batched", &runs[0].2, &runs[1].2);
    Ok(())
}

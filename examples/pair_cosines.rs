//! Calibration aid for curation's thresholds: for each case of a curation
//! scenario file, the embedding cosine between the input and each expected
//! target (and the best other existing entry), with the case's family and
//! the expected operation. Run it on a development file only, never on a
//! held-out one.
//!
//! `cargo run --example pair_cosines -- fixtures/curation/dev.jsonl EMBEDDER.gguf [--mask]`
//!
//! `--mask`: each text with its values (names, numbers, versions beyond
//! the subject) written as `X`, to see whether two statements say the same
//! relation whatever the value (a change said in other words) or another
//! one.

use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).expect("a scenario file");
    let model = args.get(2).expect("an embedding model (GGUF)");
    let emb = LlamaEmbedder::load(std::path::Path::new(model), 2)?;
    let mask = args.iter().any(|a| a == "--mask");
    let masked = |t: &str| -> String {
        if !mask {
            return t.to_string();
        }
        let a = mem::text::Analysis::new(t);
        let subject: Vec<&str> = a.subject.as_deref().unwrap_or("").split(' ').collect();
        a.words
            .iter()
            .map(|w| {
                if w.value && !subject.contains(&w.stem.as_str()) {
                    "X"
                } else {
                    w.raw.as_str()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    for line in std::fs::read_to_string(file)?.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let c: serde_json::Value = serde_json::from_str(line)?;
        let input = c["input"].as_str().unwrap_or_default();
        let existing: Vec<&str> = c["existing"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["text"].as_str()).collect())
            .unwrap_or_default();
        let mut texts = vec![masked(input)];
        texts.extend(existing.iter().map(|t| masked(t)));
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let v = emb.embed(&texts)?;
        for ex in c["expect"].as_array().into_iter().flatten() {
            let op = ex["op"].as_str().unwrap_or("?");
            let target = ex["target"].as_u64().map(|t| t as usize);
            let cos = target.map(|t| mem::model::cosine(&v[0], &v[t + 1]));
            let best_other = (0..existing.len())
                .filter(|&i| Some(i) != target)
                .map(|i| mem::model::cosine(&v[0], &v[i + 1]))
                .fold(f32::NAN, f32::max);
            println!(
                "{}\t{}\t{}\t{}\t{}",
                c["id"].as_str().unwrap_or(""),
                c["category"].as_str().unwrap_or(""),
                op,
                cos.map_or("-".into(), |c| format!("{c:.3}")),
                if best_other.is_nan() {
                    "-".into()
                } else {
                    format!("{best_other:.3}")
                }
            );
        }
    }
    Ok(())
}

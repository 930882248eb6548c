//! Embedding throughput on real texts by token cap, side by side in one run:
//! `cargo run --release --example embed_long -- MODEL.gguf TEXTS.jsonl [THREADS] [CAPS]`
//! where TEXTS.jsonl holds one JSON string per line and CAPS is a comma
//! list of tokens-per-text caps (default 256,128,64). Prints texts/s and
//! tokens/s for each cap.
use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(&args[1]);
    let texts: Vec<String> = std::fs::read_to_string(&args[2])?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let caps: Vec<usize> = args
        .get(4)
        .map_or("256,128,64", String::as_str)
        .split(',')
        .filter_map(|c| c.parse().ok())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for cap in caps {
        let mut e = LlamaEmbedder::load(&path, threads)?.with_max_tokens(cap);
        if let Some(p) = std::env::var("PACK").ok().and_then(|p| p.parse().ok()) {
            e.set_pack_tokens(p);
        }
        e.embed(&["warm up"])?;
        let tokens: usize = refs.iter().map(|t| e.tokenize(t).len()).sum();
        let t = Instant::now();
        e.embed(&refs)?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "cap {cap:>3}: {} texts, {tokens} tokens ({:.0}/text): {:.1} texts/s, {:.0} tokens/s",
            refs.len(),
            tokens as f64 / refs.len() as f64,
            refs.len() as f64 / s,
            tokens as f64 / s
        );
    }
    Ok(())
}

//! Embedding throughput by packing budget, side by side in one run:
//! `cargo run --release --example embed_bench -- MODEL.gguf [THREADS] [ROUNDS]`.
//! Prints texts/s (median over rounds) for one-at-a-time and for packing
//! budgets of 63, 128, 256 and 512 tokens per decode, on 512 short texts.
mod common;

use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let (path, threads, rounds) = common::args(0);
    let texts = common::short_texts(512);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut e = LlamaEmbedder::load(&path, threads)?;
    e.embed(&["warm up"])?;
    let configs: [usize; 5] = [0, 63, 128, 256, 512];
    let mut res: Vec<Vec<f64>> = vec![Vec::new(); configs.len()];
    for _ in 0..rounds {
        for (i, &pack) in configs.iter().enumerate() {
            let t = Instant::now();
            if pack == 0 {
                for r in refs.iter().take(128) {
                    e.embed(&[r])?;
                }
                res[i].push(128.0 / t.elapsed().as_secs_f64());
            } else {
                e.set_pack_tokens(pack);
                e.embed(&refs)?;
                res[i].push(512.0 / t.elapsed().as_secs_f64());
            }
        }
    }
    for (i, &pack) in configs.iter().enumerate() {
        let mut v = res[i].clone();
        v.sort_by(f64::total_cmp);
        let name = if pack == 0 {
            "one at a time".to_string()
        } else {
            format!("pack {pack}")
        };
        println!(
            "{name:>14}: {:.0} texts/s (rounds: {:?})",
            v[v.len() / 2],
            res[i].iter().map(|x| x.round()).collect::<Vec<_>>()
        );
    }
    Ok(())
}

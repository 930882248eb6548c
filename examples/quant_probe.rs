//! Weight types side by side: converts a sentence-transformers folder to
//! GGUF with each weight type, then reports embedding throughput (texts/s,
//! median over rounds) and the mean / min cosine of each type's embeddings
//! with F32's on the same texts.
//! `cargo run --release --example quant_probe -- MODEL_DIR [THREADS] [ROUNDS]`.
mod common;

use mem::model::Embedder;
use mem::model::gguf::{WeightType, convert_bert_dir};
use mem::model::llama::LlamaEmbedder;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let (dir, threads, rounds) = common::args(2);
    let texts = common::short_texts(512);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tmp = std::env::temp_dir().join(format!("quant-probe-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let types = [
        WeightType::F32,
        WeightType::Q8_0,
        WeightType::Q4_0,
        WeightType::Iq4Nl,
    ];
    let mut models = Vec::new();
    for ty in types {
        let p = tmp.join(format!("m.{}.gguf", ty.suffix()));
        std::fs::write(&p, convert_bert_dir("probe", &dir, ty)?)?;
        let e = LlamaEmbedder::load(&p, threads)?;
        e.embed(&["warm up"])?;
        models.push((ty, e));
    }
    let reference = models[0].1.embed(&refs)?;
    let mut speed: Vec<Vec<f64>> = vec![Vec::new(); models.len()];
    for _ in 0..rounds {
        for (i, (_, e)) in models.iter_mut().enumerate() {
            let t = Instant::now();
            e.embed(&refs)?;
            speed[i].push(512.0 / t.elapsed().as_secs_f64());
        }
    }
    for (i, (ty, e)) in models.iter_mut().enumerate() {
        let v = e.embed(&refs)?;
        let cos: Vec<f32> = v
            .iter()
            .zip(&reference)
            .map(|(a, b)| {
                let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
                let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
                dot / (na * nb)
            })
            .collect();
        let mean = cos.iter().sum::<f32>() / cos.len() as f32;
        let min = cos.iter().cloned().fold(1f32, f32::min);
        let mut s = speed[i].clone();
        s.sort_by(f64::total_cmp);
        println!(
            "{:>7}: {:.0} texts/s (rounds {:?}), cosine with F32 mean {mean:.5} min {min:.5}",
            ty.suffix(),
            s[s.len() / 2],
            speed[i].iter().map(|x| x.round()).collect::<Vec<_>>()
        );
    }
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}

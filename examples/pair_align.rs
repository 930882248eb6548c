//! Calibration aid: word alignment between a curation input and its target.
//! `cargo run --example pair_align -- fixtures/curation/dev.jsonl EMBEDDER.gguf`
use mem::model::Embedder;
use mem::model::llama::LlamaEmbedder;
use mem::text::{Analysis, overlap};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let emb = LlamaEmbedder::load(std::path::Path::new(&args[2]), 2)?;
    println!("id\tcategory\top\tcos\tamin\tamean\tnun\tvals");
    for line in std::fs::read_to_string(&args[1])?.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let c: serde_json::Value = serde_json::from_str(line)?;
        let expect = c["expect"].as_array().cloned().unwrap_or_default();
        if expect.len() != 1 {
            continue;
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
        let a = Analysis::new(input);
        let b = Analysis::new(old);
        let o = overlap(&a, &b);
        let content = |an: &Analysis| -> Vec<(String, String)> {
            an.words
                .iter()
                .filter(|w| !w.stop && !mem::text::is_frame_word(&w.stem))
                .map(|w| (w.stem.clone(), w.raw.to_lowercase()))
                .collect()
        };
        let ca = content(&a);
        let cb = content(&b);
        let un_a: Vec<&String> = ca
            .iter()
            .filter(|(s, _)| o.only_new.contains(s))
            .map(|(_, r)| r)
            .collect();
        let un_b: Vec<&String> = cb
            .iter()
            .filter(|(s, _)| o.only_old.contains(s))
            .map(|(_, r)| r)
            .collect();
        let ra: Vec<&str> = ca.iter().map(|(_, r)| r.as_str()).collect();
        let rb: Vec<&str> = cb.iter().map(|(_, r)| r.as_str()).collect();
        let ea = emb.embed(&ra)?;
        let eb = emb.embed(&rb)?;
        let mut scores = vec![];
        for w in &un_a {
            let i = ra.iter().position(|x| x == &w.as_str()).unwrap();
            let m = eb
                .iter()
                .map(|e| mem::model::cosine(&ea[i], e))
                .fold(-1.0f32, f32::max);
            scores.push(m);
        }
        for w in &un_b {
            let i = rb.iter().position(|x| x == &w.as_str()).unwrap();
            let m = ea
                .iter()
                .map(|e| mem::model::cosine(&eb[i], e))
                .fold(-1.0f32, f32::max);
            scores.push(m);
        }
        let amin = scores.iter().copied().fold(1.0f32, f32::min);
        let amean = if scores.is_empty() {
            1.0
        } else {
            scores.iter().sum::<f32>() / scores.len() as f32
        };
        println!(
            "{}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{}\t{}",
            c["id"].as_str().unwrap_or(""),
            c["category"].as_str().unwrap_or(""),
            op,
            cos,
            amin,
            amean,
            scores.len(),
            o.new_values.len() + o.lost_values.len()
        );
    }
    Ok(())
}

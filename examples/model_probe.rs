//! Pulls the default models, loads them and prints measurements as JSON.
//!
//!     cargo run --release --example model_probe [-- --threads N] [--gen NAME|PATH]...
//!
//! `--gen` measures another generator as well: a GGUF path, or a built-in
//! name that is pulled first (e.g. `gemma3-270m`). Numbers: embedder load ms, single-query embed ms (median of 50),
//! batch throughput for 512 short (~20-token) texts, generator load ms,
//! prompt and generation tokens/s, peak RSS (VmHWM).

use anyhow::{Context, Result};
use mem::model::llama::{LlamaEmbedder, LlamaGenerator, effective_threads};
use mem::model::pull;
use mem::model::{Embedder, GenRequest, Generator};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round1(kb / 1024.0))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// 512 distinct short texts, ~20 tokens each.
fn short_texts() -> Vec<String> {
    let subjects = ["the build", "the cache", "our deploy", "the parser", "this service", "the index", "a test", "the CLI"];
    let verbs = ["fails when", "slows down if", "needs a restart after", "logs a warning when", "recovers once"];
    let objects = ["the disk is full", "cmake is missing", "the lock file is stale", "two writers race", "the model is absent"];
    (0..512)
        .map(|i| {
            format!(
                "Note {i}: {} {} {}, see ticket #{} for the workaround.",
                subjects[i % subjects.len()],
                verbs[(i / 8) % verbs.len()],
                objects[(i / 40) % objects.len()],
                1000 + i
            )
        })
        .collect()
}

fn measure_generator(path: &PathBuf, threads: usize) -> Result<serde_json::Value> {
    let t = Instant::now();
    let g = LlamaGenerator::load(path, threads)?;
    let load_ms = ms(t);
    let prompt = "You maintain a knowledge base for a software team. Summarise the following note in one sentence, \
        then list the two most important follow-up actions. Note: the nightly build broke because the CI image \
        lost libclang after an upgrade; the fix was to pin the image and add libclang-dev to the setup script. \
        Several engineers lost half a day because the error message only mentioned bindgen.";
    // warm-up
    g.generate(&GenRequest { prompt: "Hi".into(), max_tokens: 4, ..Default::default() })?;
    let (text, st) = g.generate_with_stats(&GenRequest { prompt: prompt.into(), max_tokens: 128, ..Default::default() })?;
    let schema = json!({"type":"object","properties":{"action":{"enum":["ADD","UPDATE","SKIP"]},
        "reason":{"type":"string","maxLength":80}},"required":["action","reason"],"additionalProperties":false});
    let (jtext, jst) = g.generate_with_stats(&GenRequest {
        system: Some("Decide whether the note should be ADDed, UPDATE an existing one, or be SKIPped.".into()),
        prompt: "New: the build needs cmake 3.28. Existing: the build needs cmake 3.20.".into(),
        max_tokens: 96,
        json_schema: Some(schema),
        ..Default::default()
    })?;
    Ok(json!({
        "path": path.display().to_string(),
        "chat_template": g.has_chat_template(),
        "n_ctx": g.n_ctx(),
        "load_ms": load_ms,
        "prompt_tokens": st.prompt_tokens,
        "prompt_tok_per_s": round1(st.prompt_tokens as f64 / (st.prompt_ms / 1e3)),
        "gen_tokens": st.gen_tokens,
        "gen_tok_per_s": round1(st.gen_tokens as f64 / (st.gen_ms / 1e3)),
        "json_gen_tokens": jst.gen_tokens,
        "json_gen_tok_per_s": round1(jst.gen_tokens as f64 / (jst.gen_ms / 1e3)),
        "sample": text.chars().take(160).collect::<String>(),
        "json_sample": jtext,
        "peak_rss_mb_after": peak_rss_mb(),
    }))
}

fn main() -> Result<()> {
    let mut threads = 0usize;
    let mut extra_gens = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().context("--threads N")?.parse()?,
            "--gen" => extra_gens.push(PathBuf::from(args.next().context("--gen PATH")?)),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let dir = pull::models_dir()?;
    let mut pulls = Vec::new();
    for spec in pull::defaults() {
        let t = Instant::now();
        let o = pull::pull(&spec, &dir, false)?;
        pulls.push(json!({"name": spec.name, "downloaded": o.downloaded, "ms": ms(t), "bytes": o.bytes, "sha256": o.sha256}));
    }

    // Embedder
    let epath = dir.join(pull::default_for(pull::Role::Embedder).file_name);
    let t = Instant::now();
    let e = LlamaEmbedder::load(&epath, threads)?;
    let e_load = ms(t);
    let queries: Vec<String> = (0..50).map(|i| format!("how do I fix the build error number {i}")).collect();
    e.embed(&["warm-up"])?;
    let singles: Vec<f64> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            e.embed(&[q.as_str()]).map(|_| ms(t))
        })
        .collect::<Result<_>>()?;
    let texts = short_texts();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mean_tokens = refs.iter().map(|t| e.tokenize(t).len()).sum::<usize>() as f64 / refs.len() as f64;
    let t = Instant::now();
    e.embed(&refs)?;
    let batch_s = t.elapsed().as_secs_f64();
    let rss_after_embedder = peak_rss_mb();

    let mut gens = vec![measure_generator(&dir.join(pull::default_for(pull::Role::Generator).file_name), threads)?];
    for g in &extra_gens {
        let path = match g.to_str().and_then(pull::find) {
            Some(spec) => {
                let t = Instant::now();
                let o = pull::pull(&spec, &dir, false)?;
                pulls.push(json!({"name": spec.name, "downloaded": o.downloaded, "ms": ms(t), "bytes": o.bytes, "sha256": o.sha256}));
                o.path
            }
            None => g.clone(),
        };
        gens.push(measure_generator(&path, threads)?);
    }

    let out = json!({
        "threads": effective_threads(threads),
        "pull": pulls,
        "embedder": {
            "id": e.id(),
            "dim": e.dim(),
            "load_ms": e_load,
            "single_embed_ms_median": median(singles),
            "batch_texts": refs.len(),
            "batch_mean_tokens": round1(mean_tokens),
            "batch_texts_per_s": round1(refs.len() as f64 / batch_s),
            "peak_rss_mb_after": rss_after_embedder,
        },
        "generators": gens,
        "peak_rss_mb": peak_rss_mb(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

//! Pulls the default models, loads them and prints measurements as JSON.
//!
//!     cargo run --release --example model_probe [-- --threads N] [--rounds N] [--gen NAME|PATH]...
//!
//! Each model is measured in its own child process, so its peak RSS
//! (VmHWM) is its own. Timings are the best of `--rounds` (default 3): on a
//! shared machine the best round is the one least disturbed by neighbours.
//! `--gen` measures another generator as well: a GGUF path, or a built-in
//! name that is pulled first (e.g. `gemma3-270m`).
//!
//! Embedder: load ms, single-query embed ms (median of 50), throughput for
//! 512 short (~20-token) texts with the default exact packing and with 512
//! tokens per decode. Generator: load ms, prompt and generation tokens/s
//! (plain and JSON-schema constrained), peak RSS.

use anyhow::{Context, Result, bail};
use mem::model::llama::{EXACT_PACK_TOKENS, LlamaEmbedder, LlamaGenerator, effective_threads};
use mem::model::{Embedder, GenRequest};
use mem::model::{pull, store};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
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

fn best(v: impl IntoIterator<Item = f64>) -> f64 {
    v.into_iter().fold(f64::INFINITY, f64::min)
}

/// 512 distinct short texts, ~20 tokens each.
fn short_texts() -> Vec<String> {
    let subjects = [
        "the build",
        "the cache",
        "our deploy",
        "the parser",
        "this service",
        "the index",
        "a test",
        "the CLI",
    ];
    let verbs = [
        "fails when",
        "slows down if",
        "needs a restart after",
        "logs a warning when",
        "recovers once",
    ];
    let objects = [
        "the disk is full",
        "cmake is missing",
        "the lock file is stale",
        "two writers race",
        "the model is absent",
    ];
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

fn measure_embedder(path: &Path, threads: usize, rounds: usize) -> Result<Value> {
    let texts = short_texts();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let queries: Vec<String> = (0..50)
        .map(|i| format!("how do I fix the build error number {i}"))
        .collect();
    let (mut loads, mut singles, mut exact_s, mut packed_s) = (vec![], vec![], vec![], vec![]);
    let mut facts = json!({});
    for _ in 0..rounds {
        let t = Instant::now();
        let mut e = LlamaEmbedder::load(path, threads)?;
        loads.push(ms_since(t));
        e.embed(&["warm-up"])?;
        let per_query: Vec<f64> = queries
            .iter()
            .map(|q| {
                let t = Instant::now();
                e.embed(&[q.as_str()]).map(|_| ms_since(t))
            })
            .collect::<Result<_>>()?;
        singles.push(median(per_query));
        let t = Instant::now();
        let exact = e.embed(&refs)?;
        exact_s.push(t.elapsed().as_secs_f64());
        e.set_pack_tokens(512);
        let t = Instant::now();
        let packed = e.embed(&refs)?;
        packed_s.push(t.elapsed().as_secs_f64());
        e.set_pack_tokens(EXACT_PACK_TOKENS);
        let max_diff = exact
            .iter()
            .zip(&packed)
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0f32, f32::max);
        let mean_tokens =
            refs.iter().map(|t| e.tokenize(t).len()).sum::<usize>() as f64 / refs.len() as f64;
        facts = json!({"id": e.id(), "dim": e.dim(), "batch_mean_tokens": round1(mean_tokens),
            "pack512_max_abs_diff": max_diff});
    }
    let n = refs.len() as f64;
    let mut out = json!({
        "path": path.display().to_string(),
        "load_ms": round1(best(loads)),
        "single_embed_ms_median": round1(best(singles)),
        "batch_texts": refs.len(),
        "batch_texts_per_s": round1(n / best(exact_s)),
        "batch_texts_per_s_pack512": round1(n / best(packed_s)),
        "peak_rss_mb": peak_rss_mb(),
    });
    out.as_object_mut()
        .unwrap()
        .extend(facts.as_object().unwrap().clone());
    Ok(out)
}

fn measure_generator(path: &Path, threads: usize, rounds: usize) -> Result<Value> {
    let prompt = "You maintain a knowledge base for a software team. Summarise the following note in one sentence, \
        then list the two most important follow-up actions. Note: the nightly build broke because the CI image \
        lost libclang after an upgrade; the fix was to pin the image and add libclang-dev to the setup script. \
        Several engineers lost half a day because the error message only mentioned bindgen.";
    let schema = json!({"type":"object","properties":{"action":{"enum":["ADD","UPDATE","SKIP"]},
        "reason":{"type":"string","maxLength":80}},"required":["action","reason"],"additionalProperties":false});
    let json_req = GenRequest {
        system: Some(
            "Decide whether the note should be ADDed, UPDATE an existing one, or be SKIPped."
                .into(),
        ),
        prompt: "New: the build needs cmake 3.28. Existing: the build needs cmake 3.20.".into(),
        max_tokens: 96,
        json_schema: Some(schema),
        ..Default::default()
    };
    // plain generation, up to 128 tokens (the model may stop earlier)
    let plain_req = GenRequest {
        prompt: prompt.into(),
        max_tokens: 128,
        ..Default::default()
    };
    let (mut loads, mut pp, mut tg, mut jtg) = (vec![], vec![], vec![], vec![]);
    let mut facts = json!({});
    for _ in 0..rounds {
        let t = Instant::now();
        let g = LlamaGenerator::load(path, threads)?;
        loads.push(ms_since(t));
        g.generate_with_stats(&GenRequest {
            prompt: "Hi".into(),
            max_tokens: 4,
            ..Default::default()
        })?;
        let (text, st) = g.generate_with_stats(&plain_req)?;
        let (jtext, jst) = g.generate_with_stats(&json_req)?;
        pp.push(st.prompt_ms / st.prompt_tokens as f64);
        if st.gen_tokens > 0 {
            tg.push(st.gen_ms / st.gen_tokens as f64);
        }
        if jst.gen_tokens > 0 {
            jtg.push(jst.gen_ms / jst.gen_tokens as f64);
        }
        facts = json!({
            "chat_template": g.has_chat_template(),
            "n_ctx": g.n_ctx(),
            "prompt_tokens": st.prompt_tokens,
            "gen_tokens": st.gen_tokens,
            "json_gen_tokens": jst.gen_tokens,
            "sample": text.chars().take(200).collect::<String>(),
            "json_sample": jtext,
        });
    }
    let per_s = |ms_per_tok: f64| round1(1e3 / ms_per_tok);
    let mut out = json!({
        "path": path.display().to_string(),
        "load_ms": round1(best(loads)),
        "prompt_tok_per_s": per_s(best(pp)),
        "gen_tok_per_s": per_s(best(tg)),
        "json_gen_tok_per_s": per_s(best(jtg)),
        "peak_rss_mb": peak_rss_mb(),
    });
    out.as_object_mut()
        .unwrap()
        .extend(facts.as_object().unwrap().clone());
    Ok(out)
}

/// Runs one measurement in a child process (for a clean peak RSS).
fn child(args: &[String]) -> Result<Value> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running a measurement")?;
    if !out.status.success() {
        bail!("measurement {args:?} failed");
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn main() -> Result<()> {
    let mut threads = 0usize;
    let mut rounds = 3usize;
    let mut extra_gens = Vec::new();
    let mut only: Option<(String, PathBuf)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().context("--threads N")?.parse()?,
            "--rounds" => rounds = args.next().context("--rounds N")?.parse::<usize>()?.max(1),
            "--gen" => extra_gens.push(args.next().context("--gen NAME|PATH")?),
            "--only-embedder" => {
                only = Some(("embedder".into(), args.next().context("path")?.into()))
            }
            "--only-generator" => {
                only = Some(("generator".into(), args.next().context("path")?.into()))
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if let Some((kind, path)) = only {
        let v = match kind.as_str() {
            "embedder" => measure_embedder(&path, threads, rounds)?,
            _ => measure_generator(&path, threads, rounds)?,
        };
        println!("{v}");
        return Ok(());
    }

    let dir = store::models_dir()?;
    let mut pulls = Vec::new();
    let mut pull_one = |spec: &store::ModelSpec| -> Result<PathBuf> {
        let t = Instant::now();
        let o = pull::pull(spec, &dir, false)?;
        pulls.push(
            json!({"name": spec.name, "downloaded": o.downloaded, "ms": round1(ms_since(t)),
            "bytes": o.bytes, "sha256": o.sha256}),
        );
        Ok(o.path)
    };
    let epath = pull_one(&store::default_for(store::Role::Embedder))?;
    let mut gpaths = vec![pull_one(&store::default_for(store::Role::Generator))?];
    for g in &extra_gens {
        gpaths.push(match store::find(g) {
            Some(spec) => pull_one(&spec)?,
            None => PathBuf::from(g),
        });
    }
    let common = [
        "--threads".to_string(),
        threads.to_string(),
        "--rounds".into(),
        rounds.to_string(),
    ];
    let arg = |flag: &str, p: &Path| {
        let mut v = common.to_vec();
        v.extend([flag.to_string(), p.display().to_string()]);
        v
    };
    let embedder = child(&arg("--only-embedder", &epath))?;
    let generators = gpaths
        .iter()
        .map(|p| child(&arg("--only-generator", p)))
        .collect::<Result<Vec<_>>>()?;
    let out = json!({
        "threads": effective_threads(threads),
        "rounds": rounds,
        "pull": pulls,
        "embedder": embedder,
        "generators": generators,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

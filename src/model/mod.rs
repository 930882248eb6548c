//! Local models behind traits, so the rest of mem (and the fast tests) never
//! depend on weights. `llama` is the real llama.cpp backend, `fake` a
//! deterministic stand-in for tests, `pull` fetches and verifies model files.

use anyhow::{Context, Result};

pub mod fake;
pub mod gguf;
pub mod llama;
pub mod pull;
pub mod select;
pub mod store;
pub mod wordpiece;

/// Turns texts into L2-normalised vectors of `dim()` floats.
pub trait Embedder: Send + Sync {
    /// Stable identity of the model (name + content hash); part of every
    /// embedding-cache key, so a different model never reuses old vectors.
    fn id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embeds a batch; output order matches input order. Long texts are
    /// truncated to the model's maximum length.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// A request to a generator.
#[derive(Debug, Clone)]
pub struct GenRequest {
    pub system: Option<String>,
    pub prompt: String,
    pub max_tokens: usize,
    pub seed: u32,
    /// 0 = greedy decoding (deterministic whatever the seed; best for
    /// structured tasks); > 0 = sampling at this temperature, deterministic
    /// for a given `seed`.
    pub temperature: f32,
    /// JSON schema the output must follow (compiled to a llama.cpp grammar).
    pub json_schema: Option<serde_json::Value>,
}

impl Default for GenRequest {
    fn default() -> Self {
        Self {
            system: None,
            prompt: String::new(),
            max_tokens: 256,
            seed: 0,
            temperature: 0.0,
            json_schema: None,
        }
    }
}

/// A small instruct model: chat template, deterministic under a seed,
/// optionally constrained to a JSON schema.
pub trait Generator: Send + Sync {
    fn id(&self) -> &str;
    fn generate(&self, req: &GenRequest) -> Result<String>;
    /// Like [`generate`](Self::generate), handing each piece of text to
    /// `on_piece` as it is made (whole UTF-8 characters); returns the whole
    /// text. The default makes one piece of the whole answer.
    fn generate_stream(&self, req: &GenRequest, on_piece: &mut dyn FnMut(&str)) -> Result<String> {
        let text = self.generate(req)?;
        on_piece(&text);
        Ok(text)
    }
    /// How likely the answer to `req` starts with each of `choices`
    /// (log-probabilities of their first tokens, case variants pooled), in
    /// one pass over the prompt: a closed question answered without
    /// sampling and without an order of options to be biased by. The
    /// default asks [`generate`](Self::generate) constrained to the choices
    /// and gives the chosen one 0 and the others -inf.
    fn choice_logprobs(&self, req: &GenRequest, choices: &[&str]) -> Result<Vec<f32>> {
        constrained_choice(&|r| self.generate(r), req, choices)
    }
    /// [`choice_logprobs`](Self::choice_logprobs) for many requests: the
    /// same closed question about many texts (tier 4 asks whether each of
    /// 10 notes helps answer one question). A backend that can reads the
    /// start the prompts share once; the default asks one by one.
    fn choice_logprobs_many(&self, reqs: &[GenRequest], choices: &[&str]) -> Result<Vec<Vec<f32>>> {
        reqs.iter()
            .map(|r| self.choice_logprobs(r, choices))
            .collect()
    }
}

/// [`Generator::choice_logprobs`] by generation: `generate` answers
/// constrained to the choices; the chosen one gets 0, the others -inf.
pub fn constrained_choice(
    generate: &dyn Fn(&GenRequest) -> Result<String>,
    req: &GenRequest,
    choices: &[&str],
) -> Result<Vec<f32>> {
    let mut r = req.clone();
    r.json_schema = Some(serde_json::json!({"type": "string", "enum": choices}));
    r.max_tokens = r.max_tokens.max(16);
    let out = generate(&r)?;
    let v: serde_json::Value = serde_json::from_str(out.trim())
        .with_context(|| format!("the model's answer {out:?} is not JSON"))?;
    let got = v.as_str().unwrap_or_default();
    Ok(choices
        .iter()
        .map(|c| if *c == got { 0.0 } else { f32::NEG_INFINITY })
        .collect())
}

/// Cosine similarity of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Runs a generator call on its own thread and gives up after `timeout`
/// (the thread is left to finish; the caller writes the input raw).
pub fn generate_with_timeout(
    g: std::sync::Arc<dyn Generator>,
    req: GenRequest,
    timeout: std::time::Duration,
) -> Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("mem-model".into())
        .spawn(move || {
            let _ = tx.send(g.generate(&req));
        })
        .context("cannot start the model thread")?;
    match rx.recv_timeout(timeout) {
        Ok(r) => r,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => anyhow::bail!(
            "the model did not answer within {:.1}s",
            timeout.as_secs_f64()
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            anyhow::bail!("the model crashed while deciding")
        }
    }
}

/// What a token cap adds to an embedder's id: vectors made under another
/// cap are other vectors (the index and the embedding cache key on the id).
pub fn cap_suffix(cap: usize) -> String {
    if cap == 0 {
        String::new()
    } else {
        format!("-t{cap}")
    }
}

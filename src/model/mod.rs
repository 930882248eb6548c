//! Local models behind traits, so the rest of mem (and the fast tests) never
//! depend on weights. `llama` is the real llama.cpp backend, `fake` a
//! deterministic stand-in for tests, `pull` fetches and verifies model files.

use anyhow::Result;

pub mod fake;
pub mod gguf;
pub mod llama;
pub mod pull;
pub mod select;
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
}

/// Cosine similarity of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

//! A deterministic embedder for tests and for running without model files:
//! feature hashing of lower-cased word stems and character trigrams into a
//! fixed number of dimensions. Texts sharing words land close together;
//! it knows nothing about meaning (that is what the real model is for).

use super::Embedder;
use anyhow::Result;

pub struct FakeEmbedder {
    dim: usize,
}

impl FakeEmbedder {
    pub fn new(dim: usize) -> Self {
        Self { dim }
    }
}

impl Default for FakeEmbedder {
    fn default() -> Self {
        Self::new(384)
    }
}

fn bucket(feature: &str, dim: usize) -> (usize, f32) {
    let h = blake3::hash(feature.as_bytes());
    let b = h.as_bytes();
    let idx = u64::from_le_bytes(b[0..8].try_into().unwrap()) as usize % dim;
    let sign = if b[8] & 1 == 0 { 1.0 } else { -1.0 };
    (idx, sign)
}

impl Embedder for FakeEmbedder {
    fn id(&self) -> &str {
        "fake-hash-v1"
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; self.dim];
                let lower = t.to_lowercase();
                for w in lower
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    let stem: String = w.chars().take(6).collect();
                    let (i, s) = bucket(&format!("w:{stem}"), self.dim);
                    v[i] += 2.0 * s;
                    let chars: Vec<char> = format!(" {w} ").chars().collect();
                    for tri in chars.windows(3) {
                        let tri: String = tri.iter().collect();
                        let (i, s) = bucket(&format!("t:{tri}"), self.dim);
                        v[i] += 0.5 * s;
                    }
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                if n > 0.0 {
                    v.iter_mut().for_each(|x| *x /= n);
                }
                v
            })
            .collect())
    }
}

/// A deterministic generator for tests: with a JSON schema whose root (or
/// whose single property) is an `enum`, it answers the first allowed value;
/// otherwise it echoes the first line of the prompt. It knows nothing; it
/// exercises the plumbing (grammar-constrained choices, parsing, timeouts).
pub struct FakeGenerator;

impl super::Generator for FakeGenerator {
    fn id(&self) -> &str {
        "fake-generator-v1"
    }
    fn generate(&self, req: &super::GenRequest) -> Result<String> {
        if let Some(schema) = &req.json_schema {
            let first = |s: &serde_json::Value| s.get("enum").and_then(|e| e.get(0)).cloned();
            if let Some(v) = first(schema) {
                return Ok(v.to_string());
            }
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                let mut out = serde_json::Map::new();
                for (k, v) in props {
                    out.insert(
                        k.clone(),
                        first(v).unwrap_or(serde_json::Value::String(String::new())),
                    );
                }
                return Ok(serde_json::Value::Object(out).to_string());
            }
            return Ok("{}".into());
        }
        Ok(req.prompt.lines().next().unwrap_or("").to_string())
    }
    /// A tier-4 question (`Question: …` and `Note: …` lines) is answered
    /// by word overlap: "yes" as likely as the share of the question's
    /// words (of three letters or more) the note holds. Anything else as
    /// the default: the constrained answer's choice.
    fn choice_logprobs(&self, req: &super::GenRequest, choices: &[&str]) -> Result<Vec<f32>> {
        let line = |tag: &str| {
            req.prompt
                .lines()
                .find_map(|l| l.strip_prefix(tag))
                .map(|l| l.to_lowercase())
        };
        if let (Some(q), Some(n), 2) = (line("Question: "), line("Note: "), choices.len()) {
            let words = |s: &str| -> std::collections::BTreeSet<String> {
                s.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_string)
                    .collect()
            };
            let (qw, nw) = (words(&q), words(&n));
            let share = qw.intersection(&nw).count() as f32 / qw.len().max(1) as f32;
            let p = share.clamp(0.01, 0.99);
            return Ok(vec![p.ln(), (1.0 - p).ln()]);
        }
        super::constrained_choice(&|r| self.generate(r), req, choices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cosine;

    #[test]
    fn shared_words_score_higher_than_unrelated() {
        let e = FakeEmbedder::default();
        let v = e
            .embed(&[
                "the build needs cmake",
                "cmake is needed for the build",
                "my cat likes fish",
            ])
            .unwrap();
        assert_eq!(v[0].len(), 384);
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.2);
        let again = e.embed(&["the build needs cmake"]).unwrap();
        assert_eq!(again[0], v[0]);
    }
}

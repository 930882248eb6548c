//! Which models a command uses, from configuration: `none`, `fake` (the
//! deterministic test embedder), a built-in name pulled by `mem model pull`,
//! or a path to a GGUF file. Models load lazily, once per process.

use super::Embedder;
use crate::config;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::OnceLock;

pub struct Models {
    cfg: config::Models,
    embedder: OnceLock<Result<Option<Box<dyn Embedder>>, String>>,
    notice: OnceLock<Option<String>>,
}

impl Models {
    pub fn new(cfg: &config::Models) -> Self {
        Self { cfg: cfg.clone(), embedder: OnceLock::new(), notice: OnceLock::new() }
    }

    pub fn threads(&self) -> usize {
        super::llama::effective_threads(self.cfg.threads)
    }

    /// The embedder's GGUF file, if one is configured and present.
    fn embedder_path(&self) -> Option<PathBuf> {
        let spec = self.cfg.embedder.trim();
        if spec.is_empty() || spec == "none" || spec == "fake" {
            return None;
        }
        super::pull::resolve_setting(super::pull::Role::Embedder, Some(spec)).ok().flatten()
    }

    /// Identity of the configured embedder, known without loading it; None
    /// when there is no usable embedder (then recall is lexical only).
    pub fn embedder_id(&self) -> Option<String> {
        match self.cfg.embedder.trim() {
            "none" | "" => None,
            "fake" => Some("fake-hash-v1".into()),
            _ => {
                let p = self.embedder_path()?;
                let m = std::fs::metadata(&p).ok()?;
                let stem = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                Some(format!("{stem}-{}", m.len()))
            }
        }
    }

    /// Why there is no embedder, for a one-line notice (None if there is one
    /// or none was wanted).
    pub fn embedder_notice(&self) -> Option<String> {
        self.notice
            .get_or_init(|| {
                let spec = self.cfg.embedder.trim();
                if spec == "none" || spec == "fake" || spec.is_empty() {
                    return None;
                }
                match super::pull::resolve_setting(super::pull::Role::Embedder, Some(spec)) {
                    Ok(_) => None,
                    Err(e) => Some(format!("semantic search off ({e:#}); recall is lexical only")),
                }
            })
            .clone()
    }

    /// Loads the embedder (once).
    pub fn embedder(&self) -> Result<Option<&dyn Embedder>> {
        let r = self.embedder.get_or_init(|| {
            let spec = self.cfg.embedder.trim();
            match spec {
                "none" | "" => Ok(None),
                "fake" => Ok(Some(Box::new(super::fake::FakeEmbedder::default()) as Box<dyn Embedder>)),
                _ => match self.embedder_path() {
                    None => Ok(None),
                    Some(p) => super::llama::LlamaEmbedder::load(&p, self.threads())
                        .map(|e| Some(Box::new(e) as Box<dyn Embedder>))
                        .map_err(|e| format!("{e:#}")),
                },
            }
        });
        match r {
            Ok(Some(b)) => Ok(Some(b.as_ref())),
            Ok(None) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    }
}

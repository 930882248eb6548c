//! Which models a command uses, from configuration: `none`, `fake` (the
//! deterministic test embedder), a built-in name pulled by `mem model pull`,
//! or a path to a GGUF file. Models load lazily, once per process.

use super::{Embedder, Generator};
use crate::config;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub struct Models {
    cfg: config::Models,
    embedder: OnceLock<Result<Option<Box<dyn Embedder>>, String>>,
    notice: OnceLock<Option<String>>,
    generator: OnceLock<Result<Option<Arc<dyn Generator>>, String>>,
    answerer: OnceLock<Result<Answerer, String>>,
    reranker: OnceLock<Result<Answerer, String>>,
    /// Models loaded for a user who waits, by file: the answer model and
    /// tier 4's are loaded once when they are the same file.
    answering: std::sync::Mutex<Vec<(PathBuf, Arc<dyn Generator>)>>,
}

/// The model that writes answers, as resolved ([`Models::answerer`]), or
/// tier 4's model ([`Models::reranker`]).
#[derive(Clone, Default)]
pub struct Answerer {
    /// `None`: answers are extractive.
    pub model: Option<Arc<dyn Generator>>,
    /// Why the configured answerer is not the one used, for a notice.
    pub notice: Option<String>,
}

impl Models {
    pub fn new(cfg: &config::Models) -> Self {
        super::llama::set_gpu_layers(cfg.gpu_layers);
        Self {
            cfg: cfg.clone(),
            embedder: OnceLock::new(),
            notice: OnceLock::new(),
            generator: OnceLock::new(),
            answerer: OnceLock::new(),
            reranker: OnceLock::new(),
            answering: Default::default(),
        }
    }

    /// For a one-shot command that is about to exit: skips llama.cpp's
    /// teardown of the loaded models (freeing its buffers, unmapping the
    /// weights: 4-10 ms of a ~100 ms `mem recall`); the process's end
    /// reclaims them. Not for long-running processes.
    pub fn leave_for_exit(self) {
        std::mem::forget(self);
    }

    /// The generator's GGUF file: `Ok(None)` when none is configured or the
    /// configured built-in model is not downloaded (then model-using
    /// features use their documented fallback); `Err` is never returned for
    /// a missing download, only through [`generator`](Self::generator) when
    /// a present file cannot be loaded.
    pub fn generator_path(&self) -> Option<PathBuf> {
        let spec = self.cfg.generator.trim();
        if spec.is_empty() || spec == "none" || spec == "fake" {
            return None;
        }
        super::store::resolve_setting(super::store::Role::Generator, Some(spec))
            .ok()
            .flatten()
    }

    /// Whether curation may ask the generator in its unclear band
    /// (`models.curate_with_generator`).
    pub fn curate_with_generator(&self) -> bool {
        self.cfg.curate_with_generator
    }

    /// Whether placement may ask the generator (`models.place_with_generator`).
    pub fn place_with_generator(&self) -> bool {
        self.cfg.place_with_generator
    }

    /// Whether a generator is configured and available (without loading it).
    pub fn has_generator(&self) -> bool {
        self.cfg.generator.trim() == "fake" || self.generator_path().is_some()
    }

    /// Loads the generator (once). `Ok(None)`: none configured or not
    /// downloaded. `Err`: the file is there but llama.cpp cannot load it
    /// (a damaged or foreign file) — callers treat that as a model failure.
    pub fn generator(&self) -> Result<Option<Arc<dyn Generator>>> {
        let r = self
            .generator
            .get_or_init(|| match self.cfg.generator.trim() {
                "none" | "" => Ok(None),
                "fake" => Ok(Some(
                    Arc::new(super::fake::FakeGenerator) as Arc<dyn Generator>
                )),
                _ => match self.generator_path() {
                    None => Ok(None),
                    Some(p) => super::llama::LlamaGenerator::load(&p, self.cfg.threads)
                        .map(|g| Some(Arc::new(g) as Arc<dyn Generator>))
                        .map_err(|e| format!("{e:#}")),
                },
            });
        match r {
            Ok(g) => Ok(g.clone()),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    }

    /// The model of tier 5 (`models.answerer`), loaded once: the configured
    /// one when it is there; else the generator, with a notice; else none
    /// (extractive answers), with a notice. `Err`: a present file that
    /// llama.cpp cannot load.
    pub fn answerer(&self) -> Result<Answerer> {
        use super::store::{Role, resolve_setting};
        let r = self.answerer.get_or_init(|| {
            let spec = self.cfg.answerer.trim();
            let fallback = |why: String| -> Result<Answerer, String> {
                let g = self.generator().map_err(|e| format!("{e:#}"))?;
                let notice = match &g {
                    Some(_) => format!(
                        "{why}; the generator ({}) answers",
                        self.cfg.generator.trim()
                    ),
                    None => format!("{why}; answers are extractive (the best matching sentence)"),
                };
                Ok(Answerer {
                    model: g,
                    notice: Some(notice),
                })
            };
            match spec {
                "none" => Ok(Answerer::default()),
                "generator" => Ok(Answerer {
                    model: self.generator().map_err(|e| format!("{e:#}"))?,
                    notice: None,
                }),
                "fake" => Ok(Answerer {
                    model: Some(Arc::new(super::fake::FakeGenerator) as Arc<dyn Generator>),
                    notice: None,
                }),
                _ => match resolve_setting(Role::Answerer, Some(spec)) {
                    Ok(None) => Ok(Answerer::default()),
                    Ok(Some(p)) => self.load_answering(&p),
                    Err(e) => fallback(format!("{e:#}")),
                },
            }
        });
        match r {
            Ok(a) => Ok(a.clone()),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    }

    /// The setting of tier 4's model, as written (`models.reranker`): part
    /// of the recall cache's key.
    pub fn reranker_spec(&self) -> &str {
        self.cfg.reranker.trim()
    }

    /// The model of tier 4 (`models.reranker`), loaded once: `answerer`
    /// is the answer model as [`answerer`](Self::answerer) resolves it,
    /// `generator` the generator, `none` none, else a built-in name (the
    /// default, `qwen2.5-coder-1.5b`) or a GGUF path. A named model that is
    /// not downloaded gives way to the answer model, with a notice.
    /// `model: None`: no model at all (tier 3 is the last). `Err`: a
    /// present file that llama.cpp cannot load.
    pub fn reranker(&self) -> Result<Answerer> {
        let r = self.reranker.get_or_init(|| {
            // The answer model, and why it reads (the configured
            // model's problem) when it stands in.
            let answerer = |why: Option<String>| {
                self.answerer()
                    .map(|a| Answerer {
                        notice: match (why, &a.model) {
                            (Some(w), Some(_)) => {
                                Some(format!("{w}; the answer model reads instead"))
                            }
                            (Some(w), None) => Some(w),
                            (None, _) => a.notice,
                        },
                        model: a.model,
                    })
                    .map_err(|e| format!("{e:#}"))
            };
            match self.cfg.reranker.trim() {
                "none" | "" => Ok(Answerer::default()),
                "answerer" => answerer(None),
                "generator" => self
                    .generator()
                    .map(|model| Answerer {
                        model,
                        notice: None,
                    })
                    .map_err(|e| format!("{e:#}")),
                "fake" => Ok(Answerer {
                    model: Some(Arc::new(super::fake::FakeGenerator) as Arc<dyn Generator>),
                    notice: None,
                }),
                spec => {
                    match super::store::resolve_spec(super::store::Role::Answerer, Some(spec)) {
                        Ok(None) => Ok(Answerer::default()),
                        Ok(Some(p)) => self.load_answering(&p),
                        Err(e) => answerer(Some(format!("{e:#}"))),
                    }
                }
            }
        });
        match r {
            Ok(a) => Ok(a.clone()),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        }
    }

    /// Loads a model a user waits for (answers, tier 4): on the cores idle
    /// now, not the load average's lagging minute (which, after one
    /// answer, says one core). The same file asked for twice (answers and
    /// tier 4) is loaded once.
    fn load_answering(&self, p: &std::path::Path) -> Result<Answerer, String> {
        let mut loaded = self.answering.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, g)) = loaded.iter().find(|(q, _)| q == p) {
            return Ok(Answerer {
                model: Some(g.clone()),
                notice: None,
            });
        }
        let g: Arc<dyn Generator> = Arc::new(
            super::llama::LlamaGenerator::load(
                p,
                match self.cfg.threads {
                    0 => super::llama::bulk_threads(),
                    n => n,
                },
            )
            .map_err(|e| format!("{e:#}"))?,
        );
        loaded.push((p.to_path_buf(), g.clone()));
        Ok(Answerer {
            model: Some(g),
            notice: None,
        })
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
        super::store::resolve_setting(super::store::Role::Embedder, Some(spec))
            .ok()
            .flatten()
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
                let stem = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                Some(format!(
                    "{stem}-{}{}{}",
                    m.len(),
                    super::llama::SOLO_SUFFIX,
                    super::cap_suffix(self.cfg.embed_max_tokens)
                ))
            }
        }
    }

    /// The embedding-cache namespace of query vectors: the embedder's
    /// identity plus its file's mtime, known without loading the model, so
    /// a query embedded once is not embedded again (nor the model loaded
    /// for it) until the model file changes.
    pub fn query_cache_id(&self) -> Option<String> {
        let id = self.embedder_id()?;
        let mtime = self
            .embedder_path()
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Some(format!("query-{id}-{mtime}"))
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
                match super::store::resolve_setting(super::store::Role::Embedder, Some(spec)) {
                    Ok(_) => None,
                    Err(e) => Some(format!(
                        "semantic search off ({e:#}); recall is lexical only"
                    )),
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
                "fake" => Ok(Some(
                    Box::new(super::fake::FakeEmbedder::default()) as Box<dyn Embedder>
                )),
                _ => match self.embedder_path() {
                    None => Ok(None),
                    Some(p) => super::llama::LlamaEmbedder::load(&p, self.cfg.threads)
                        .map(|e| match self.cfg.embed_max_tokens {
                            0 => e,
                            n => e.with_max_tokens(n),
                        })
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

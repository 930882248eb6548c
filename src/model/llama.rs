//! The llama.cpp backend (crate `llama-cpp-2`): [`LlamaEmbedder`] and
//! [`LlamaGenerator`].
//!
//! - The llama.cpp backend may be initialised once per process: it lives in a
//!   `OnceLock` shared by both. Its logs are silenced unless `MEM_LLAMA_LOG=1`.
//! - Models are memory-mapped. Each model keeps one context behind a mutex
//!   (contexts are `Send`, not `Sync`), so both types are `Send + Sync`
//!   without any `unsafe impl`; calls on one model are serialised.
//! - Before llama.cpp sees a file, [`store::check_model_file`] checks its GGUF
//!   header and length, so a truncated or foreign file is an error naming the
//!   file and the fix, never an abort inside C++.

use super::store::{self, no_vocab_path, remove_no_vocab_copies};
use super::wordpiece::WordPiece;
use super::{Embedder, GenRequest, Generator};
use anyhow::{Context, Result, anyhow, bail, ensure};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// The process-wide llama.cpp backend.
pub fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            let mut b = LlamaBackend::init().map_err(|e| e.to_string())?;
            if std::env::var_os("MEM_LLAMA_LOG").is_none_or(|v| v.is_empty() || v == "0") {
                b.void_logs();
            }
            Ok(b)
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot start llama.cpp: {e}"))
}

/// `threads`, or when 0 the cores that are idle right now: the available
/// cores minus the 1-minute load average (rounded), at least 1.
/// llama.cpp's worker threads wait for each other at every step, so a thread
/// that has to share its core with another busy process stalls them all: on
/// a loaded 2-core machine 1 thread embedded ~10x faster than 2.
pub fn effective_threads(threads: usize) -> usize {
    if threads > 0 {
        return threads;
    }
    let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0);
    idle_threads(cores, load)
}

/// Cores left for us given a load average (the pure part of
/// `effective_threads`).
pub fn idle_threads(cores: usize, load: f64) -> usize {
    let busy = load.max(0.0).round() as usize;
    cores.saturating_sub(busy).clamp(1, cores.max(1))
}

/// Threads for a bulk job (many texts), when none are configured: the
/// cores minus the tasks that want a CPU right now, counted from
/// `/proc/loadavg`'s runnable-task field over ~40 ms. The load average
/// would do for a query but not here: it lags a minute behind (a bulk
/// job's own earlier minute counts as someone else's), and it counts
/// tasks blocked on I/O, which use no CPU (on the shared 2-core test VM it
/// sat at ~1 with both cores idle, so every bulk job ran on 1 thread at
/// ~60% of the speed of 2). Falls back to [`effective_threads`].
pub fn bulk_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
    match runnable_others(8, std::time::Duration::from_millis(5)) {
        Some(others) => idle_threads(cores, others),
        None => effective_threads(0),
    }
}

/// Mean number of runnable tasks of other processes, from `samples` reads
/// of `/proc/loadavg` (4th field `running/total`) `gap` apart, less this
/// process's own runnable threads (the reader, and llama.cpp's workers
/// still spinning after a decode). `None` where the file cannot be read.
fn runnable_others(samples: usize, gap: std::time::Duration) -> Option<f64> {
    let mut sum = 0.0;
    for i in 0..samples {
        if i > 0 {
            std::thread::sleep(gap);
        }
        let s = std::fs::read_to_string("/proc/loadavg").ok()?;
        sum += runnable_of(&s, own_runnable().max(1))?;
    }
    Some(sum / samples as f64)
}

/// Threads of this process in state `R` (`/proc/self/task/*/stat`).
fn own_runnable() -> usize {
    let Ok(rd) = std::fs::read_dir("/proc/self/task") else {
        return 1;
    };
    rd.flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("stat")).is_ok_and(|s| {
                // `pid (comm) S …`: the state follows the last ')'
                s.rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('R'))
            })
        })
        .count()
}

/// Runnable tasks besides `own` in one `/proc/loadavg` line.
fn runnable_of(loadavg: &str, own: usize) -> Option<f64> {
    let running: f64 = loadavg
        .split_whitespace()
        .nth(3)?
        .split('/')
        .next()?
        .parse()
        .ok()?;
    Some((running - own as f64).max(0.0))
}

/// `<file stem>-<12 hex>`: a cheap, content-derived identity of a model file.
/// The hash (blake3) covers the file size and three 1 MiB samples (start —
/// the GGUF header with its metadata —, middle and end of the weights), so
/// loading never reads the whole file, yet a different model or
/// quantisation gets a different id. Remembered per file (path, size,
/// modification time, inode) in `<cache>/models/ids`, so a process that
/// loads the model does not hash 3 MiB again (~3 ms of a query's load).
pub fn model_id(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("opening {}", path.display()))?;
    let key = {
        use std::os::unix::fs::MetadataExt;
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        format!(
            "{}\t{}\t{}\t{}\t{}",
            abs.display(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ino()
        )
    };
    let ids = crate::config::cache_dir().map(|d| d.join("models").join("ids"));
    let known = ids.as_ref().and_then(|f| std::fs::read_to_string(f).ok());
    if let Some(id) = known.as_deref().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix(key.as_str())?.strip_prefix('\t'))
    }) {
        return Ok(id.to_string());
    }
    let id = hash_model_id(path)?;
    if let Some(f) = &ids {
        // One line per file path: an older line for the same path goes, and
        // so do lines of files that are gone.
        let path_part = key.split('\t').next().unwrap_or_default();
        let mut text: String = known
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                l.split('\t')
                    .next()
                    .is_some_and(|p| p != path_part && Path::new(p).exists())
            })
            .map(|l| format!("{l}\n"))
            .collect();
        text.push_str(&format!("{key}\t{id}\n"));
        let _ = crate::fsutil::replace_file(f, text.as_bytes());
    }
    Ok(id)
}

/// [`model_id`] computed from the file's bytes.
pub fn hash_model_id(path: &Path) -> Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = f.metadata()?.len();
    let mut h = blake3::Hasher::new();
    h.update(&len.to_le_bytes());
    let sample = 1u64 << 20;
    let mut buf = vec![0u8; sample as usize];
    for at in [0, len / 2, len.saturating_sub(sample)] {
        f.seek(SeekFrom::Start(at))?;
        let mut n = 0;
        while n < buf.len() {
            let k = f.read(&mut buf[n..])?;
            if k == 0 {
                break;
            }
            n += k;
        }
        h.update(&buf[..n]);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    Ok(format!("{stem}-{}", &h.finalize().to_hex()[..12]))
}

fn load_model(path: &Path, what: &str) -> Result<Box<LlamaModel>> {
    store::check_model_file(path)?;
    crate::trace::mark("model: file checked");
    load_checked_model(path, what)
}

/// `models.gpu_layers` as set by [`set_gpu_layers`] (-1: not set).
static GPU_LAYERS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(-1);

/// Records `models.gpu_layers` for the models this process loads.
pub fn set_gpu_layers(n: Option<u32>) {
    GPU_LAYERS.store(
        n.map_or(-1, i64::from),
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// Whether this build has a GPU backend (the `cuda` or `vulkan` feature).
pub const GPU_BUILD: bool = cfg!(any(feature = "cuda", feature = "vulkan"));

/// Layers offloaded to the GPU: `models.gpu_layers` (`MEM_GPU_LAYERS`),
/// else every layer when this build has a GPU backend and llama.cpp finds a
/// GPU device, else none (CPU).
pub fn gpu_layers() -> u32 {
    let set = GPU_LAYERS.load(std::sync::atomic::Ordering::Relaxed);
    if set >= 0 {
        return set as u32;
    }
    if GPU_BUILD && !gpu_devices().is_empty() {
        999
    } else {
        0
    }
}

/// The GPU devices llama.cpp sees (`backend: description, MiB`); empty on a
/// CPU build.
pub fn gpu_devices() -> Vec<String> {
    if !GPU_BUILD || backend().is_err() {
        return Vec::new();
    }
    llama_cpp_2::list_llama_ggml_backend_devices()
        .into_iter()
        .filter(|d| !d.backend.eq_ignore_ascii_case("cpu"))
        .map(|d| {
            format!(
                "{} {}: {} ({} MiB)",
                d.backend,
                d.name,
                d.description,
                d.memory_total / (1 << 20)
            )
        })
        .collect()
}

/// [`load_model`] for a file already checked (or made by mem: llama.cpp
/// reports a truncated one as an error).
fn load_checked_model(path: &Path, what: &str) -> Result<Box<LlamaModel>> {
    let backend = backend()?;
    crate::trace::mark("model: backend ready");
    let params = LlamaModelParams::default()
        .with_use_mmap(true)
        .with_n_gpu_layers(gpu_layers());
    let model = LlamaModel::load_from_file(backend, path, &params).map_err(|e| {
        anyhow!(
            "llama.cpp could not load the {what} model {}: {e}; the file may be damaged or of an unsupported \
             architecture — {}",
            path.display(),
            store::fix_hint(None)
        )
    })?;
    crate::trace::mark("model: weights mapped");
    Ok(Box::new(model))
}

/// Extends a context's lifetime to `'static`.
///
/// SAFETY (for callers): the context must be dropped before the model it was
/// made from; both wrapper types declare the context field before the boxed
/// model, so it is dropped first, and the model is never moved out of its box.
unsafe fn extend_ctx(ctx: LlamaContext<'_>) -> LlamaContext<'static> {
    unsafe { std::mem::transmute::<LlamaContext<'_>, LlamaContext<'static>>(ctx) }
}

fn meta_u64(model: &LlamaModel, key: &str) -> Option<u64> {
    model
        .meta_val_str(key)
        .ok()
        .and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------
// Embedder

/// Sentence embeddings from a GGUF embedding model (BERT-style, pooled).
pub struct LlamaEmbedder {
    // Field order matters: the context is dropped before the model.
    /// Made on first use, sized to the texts of the call (see `SEQ_TIERS`),
    /// remade larger when a call needs more sequences per decode.
    ctx: Mutex<Option<SizedCtx>>,
    model: Box<LlamaModel>,
    id: String,
    dim: usize,
    /// Longest input in tokens (including [CLS]/[SEP]); longer texts are truncated.
    max_tokens: usize,
    n_batch: usize,
    /// Threads of a one-text (query) context; see `bulk_threads` for the rest.
    threads: i32,
    /// Threads as configured (0: decided from the machine's load).
    threads_cfg: usize,
    pooling: LlamaPoolingType,
    /// Texts are packed into one decode while their tokens fit this budget.
    pack_tokens: usize,
    path: PathBuf,
    /// mem's own tokenizer, when the model was loaded without its vocabulary.
    wordpiece: Option<WordPiece>,
}

/// Loads a WordPiece (BERT) embedding model without llama.cpp's vocabulary
/// setup (~40 ms of its load, see [`crate::model::wordpiece`]): from a copy
/// of the file without the vocabulary, made once in the cache, with mem
/// tokenizing. `None` (and llama.cpp's own path) for other vocabularies,
/// when the copy cannot be made or loaded, or with `MEM_TOKENIZER=llama`.
fn load_without_vocab(path: &Path, id: &str) -> Option<(Box<LlamaModel>, WordPiece)> {
    let dst = no_vocab_path(id)?;
    let read = |arrays: bool| -> Result<super::gguf::Header> {
        let f = std::fs::File::open(path)?;
        let len = f.metadata()?.len();
        super::gguf::read_header(std::io::BufReader::with_capacity(1 << 16, f), len, arrays)
    };
    // Without a copy yet, a cheap look first: only a WordPiece vocabulary
    // gets one (another model's vocabulary is not read on every load).
    if !dst.is_file()
        && read(false)
            .ok()?
            .get("tokenizer.ggml.model")
            .and_then(super::gguf::Value::as_str)
            != Some("bert")
    {
        return None;
    }
    let header = || read(true);
    // The vocabulary is read while llama.cpp maps the weights.
    let (h, model) = std::thread::scope(|s| {
        let h = s.spawn(header);
        let model = dst
            .is_file()
            .then(|| load_checked_model(&dst, "embedding").ok())
            .flatten();
        (h.join().ok().and_then(Result::ok), model)
    });
    let h = h?;
    crate::trace::mark("embedder: vocabulary read");
    let wp = WordPiece::from_header(&h).ok()??;
    let model = match model {
        Some(m) => m,
        None => {
            // First use (or a damaged copy): make the copy. It is written
            // beside and renamed over `dst`, never removed first: another
            // process loading the same model meanwhile finds the old file
            // or the new one, not none.
            super::gguf::write_no_vocab_copy(path, &h, &dst).ok()?;
            if let Some(stem) = path.file_stem() {
                remove_no_vocab_copies(&stem.to_string_lossy(), Some(id));
            }
            load_checked_model(&dst, "embedding").ok()?
        }
    };
    (model.n_vocab() as usize == wp.n_tokens()).then_some((model, wp))
}

const EMBED_BATCH: u32 = 512;
/// Default packing budget: every text is decoded alone. llama.cpp's sums
/// depend on where a text sits in a decode (attention's dot products run
/// over the whole batch, so a token's place in the SIMD lanes moves with
/// the texts before it), and a text packed with others got a vector that
/// differed from its vector alone in the last bits: after rounding to half
/// precision, 308 of 3,025 fixture texts differed (`cargo run --example
/// embed_determinism`), enough to flip a placement or a duplicate. Alone, a
/// text's vector depends on its tokens only (the thread count does not
/// change it: 0 of 3,025), at a cost of ~7% of bulk throughput (179
/// texts/s alone against 193 packed 63 tokens a decode, the same run of
/// `embed_bench`, docs/performance.md).
pub const EXACT_PACK_TOKENS: usize = 1;
/// What the embedder's id carries for vectors made one text per decode:
/// vectors packed by older versions (in an index or the embedding cache)
/// have another id and are made again rather than mixed with these.
pub const SOLO_SUFFIX: &str = "-solo";
const EMBED_SEQ_MAX: u32 = 256; // llama.cpp's LLAMA_MAX_SEQ
/// Context sizes by sequences per decode. Making a context costs ~1.5 ms
/// for one sequence and ~20-25 ms for 256 (llama.cpp reserves per-sequence
/// buffers), so a query (one text) gets a small context and a bulk embed a
/// large one. The vectors do not depend on the context size
/// (tests/models.rs `batched_equals_one_at_a_time`).
const SEQ_TIERS: [u32; 3] = [1, 16, EMBED_SEQ_MAX];

struct SizedCtx {
    ctx: LlamaContext<'static>,
    n_seq: u32,
    threads: i32,
    /// When the thread count was last decided for a bulk call (`None`:
    /// made for a query, with the load-average choice).
    decided: Option<std::time::Instant>,
}

/// Calls with at least this many texts are bulk work: their threads are
/// counted afresh (~40 ms, `bulk_threads`), worth it only for work that
/// takes longer than that (16 short texts: ~150 ms on 2 cores).
const BULK_TEXTS: usize = 16;

/// A bulk context's thread count is looked at again after this long: a
/// first run of `mem eval longmemeval` embeds for minutes, and the
/// machine's other work comes and goes meanwhile.
const RETHINK_THREADS: std::time::Duration = std::time::Duration::from_secs(10);
impl LlamaEmbedder {
    /// Loads (memory-maps) an embedding GGUF. `threads` 0 = the idle cores
    /// (`effective_threads` for queries, `bulk_threads` for bulk calls).
    pub fn load(path: &Path, threads: usize) -> Result<Self> {
        Self::load_with(path, threads, true)
    }

    /// As [`load`](Self::load); `own_tokenizer = false` keeps llama.cpp's
    /// vocabulary and tokenizer even for a WordPiece model.
    pub fn load_with(path: &Path, threads: usize, own_tokenizer: bool) -> Result<Self> {
        // The file itself is checked (header, length, a built-in's checksum
        // record) whichever way it is loaded.
        store::check_model_file(path)?;
        let id = model_id(path)?;
        crate::trace::mark("model: file checked");
        let fast = own_tokenizer && !std::env::var("MEM_TOKENIZER").is_ok_and(|v| v == "llama");
        let (model, wordpiece) = match fast.then(|| load_without_vocab(path, &id)).flatten() {
            Some((m, wp)) => (m, Some(wp)),
            None => (load_checked_model(path, "embedding")?, None),
        };
        let threads_cfg = threads;
        let threads = effective_threads(threads) as i32;
        let arch = model
            .meta_val_str("general.architecture")
            .unwrap_or_default();
        // Pooling as the model declares it; mean when it declares none.
        let pooling = match meta_u64(&model, &format!("{arch}.pooling_type")) {
            Some(2) => LlamaPoolingType::Cls,
            Some(3) => LlamaPoolingType::Last,
            _ => LlamaPoolingType::Mean,
        };
        let n_ctx_train = model.n_ctx_train().max(1) as usize;
        let n_batch = EMBED_BATCH
            .min(n_ctx_train.next_multiple_of(256) as u32)
            .max(64);
        let max_seq = meta_u64(&model, crate::model::gguf::MAX_SEQ_KEY)
            .map(|v| v as usize)
            .unwrap_or(n_ctx_train);
        let max_tokens = max_seq.min(n_ctx_train).min(n_batch as usize).max(2);
        let dim = model.n_embd() as usize;
        ensure!(
            dim > 0,
            "{}: the model reports 0 embedding dimensions",
            path.display()
        );
        let e = Self {
            ctx: Mutex::new(None),
            id: format!("{id}{SOLO_SUFFIX}"),
            model,
            wordpiece,
            dim,
            max_tokens,
            n_batch: n_batch as usize,
            threads,
            threads_cfg,
            pooling,
            pack_tokens: EXACT_PACK_TOKENS,
            path: path.to_path_buf(),
        };
        // Fail here, not on first use, when llama.cpp cannot make a context.
        {
            let mut slot = e.ctx.lock().map_err(|_| anyhow!("embedder poisoned"))?;
            e.context_for(&mut slot, 1, false)?;
        }
        Ok(e)
    }

    /// The context, made (or remade larger) so that `seqs` texts fit one
    /// decode; `bulk`: the call embeds at least `BULK_TEXTS` texts (threads
    /// as `bulk_threads`).
    fn context_for<'a>(
        &self,
        slot: &'a mut Option<SizedCtx>,
        seqs: usize,
        bulk: bool,
    ) -> Result<&'a mut LlamaContext<'static>> {
        let want = SEQ_TIERS
            .iter()
            .copied()
            .find(|&t| t as usize >= seqs)
            .unwrap_or(EMBED_SEQ_MAX);
        // A bulk call takes the cores idle now, decided again every
        // `RETHINK_THREADS`; a small call (a query, a catch-up of a few
        // edits) keeps whatever context there is, or makes one with the
        // load-average choice.
        let rethink = self.threads_cfg == 0
            && bulk
            && slot.as_ref().is_none_or(|c| {
                c.n_seq < want || c.decided.is_none_or(|d| d.elapsed() >= RETHINK_THREADS)
            });
        let threads = if rethink {
            let n = bulk_threads() as i32;
            crate::trace::mark(&format!("embedder: bulk on {n} thread(s)"));
            n
        } else {
            slot.as_ref().map_or(self.threads, |c| c.threads)
        };
        if rethink
            && let Some(c) = slot.as_mut()
            && c.n_seq >= want
            && c.threads == threads
        {
            c.decided = Some(std::time::Instant::now());
        }
        if slot
            .as_ref()
            .is_none_or(|c| c.n_seq < want || c.threads != threads)
        {
            let want = want.max(slot.as_ref().map_or(0, |c| c.n_seq));
            *slot = None; // free the old context first
            let n_batch = self.n_batch as u32;
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(n_batch))
                .with_n_batch(n_batch)
                .with_n_ubatch(n_batch)
                .with_n_seq_max(want)
                .with_kv_unified(true)
                .with_embeddings(true)
                .with_pooling_type(self.pooling)
                .with_n_threads(threads)
                .with_n_threads_batch(threads);
            let ctx = self.model.new_context(backend()?, params).map_err(|e| {
                anyhow!(
                    "llama.cpp could not create an embedding context for {}: {e}",
                    self.path.display()
                )
            })?;
            // SAFETY: see `extend_ctx`; the model is boxed, never moved out of
            // its box, and `ctx` (declared before `model`) is dropped first.
            *slot = Some(SizedCtx {
                ctx: unsafe { extend_ctx(ctx) },
                n_seq: want,
                threads,
                decided: rethink.then(std::time::Instant::now),
            });
            crate::trace::mark("embedder: context ready");
        }
        Ok(&mut slot.as_mut().expect("just made").ctx)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets how many tokens may share one decode (default
    /// [`EXACT_PACK_TOKENS`]: one text per decode). Larger budgets (up to
    /// 512) trade exact vectors for throughput; benchmarks only.
    pub fn set_pack_tokens(&mut self, tokens: usize) {
        self.pack_tokens = tokens.clamp(1, self.n_batch);
    }

    /// Caps the tokens embedded per text (at most what the model allows;
    /// longer texts are truncated to it). The cap becomes part of the id,
    /// so vectors made under different caps never mix.
    pub fn with_max_tokens(mut self, tokens: usize) -> Self {
        let model_max = self.n_batch.min(
            meta_u64(&self.model, crate::model::gguf::MAX_SEQ_KEY)
                .map_or(usize::MAX, |v| v as usize),
        );
        self.max_tokens = tokens.clamp(2, model_max.max(2));
        self.id.push_str(&crate::model::cap_suffix(tokens));
        self
    }

    /// Whether mem tokenizes (the model was loaded without llama.cpp's
    /// vocabulary, see [`crate::model::wordpiece`]).
    pub fn own_tokenizer(&self) -> bool {
        self.wordpiece.is_some()
    }

    /// Longest input in tokens; longer texts are truncated to it.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Token ids of `text` as the model sees it (with [CLS]/[SEP], truncated).
    pub fn tokenize(&self, text: &str) -> Vec<i32> {
        self.tokens(text).into_iter().map(|t| t.0).collect()
    }

    fn tokens(&self, text: &str) -> Vec<LlamaToken> {
        let vocab = self.model.vocab();
        let mut t = match &self.wordpiece {
            Some(wp) => wp.tokenize(text).into_iter().map(LlamaToken).collect(),
            None => vocab.tokenize(text.as_bytes(), true, false),
        };
        if t.is_empty() {
            // a model that adds no special tokens, given an empty text
            t = vocab.tokenize(b" ", true, false);
            if t.is_empty() {
                t.push(vocab.bos());
            }
        }
        if t.len() > self.max_tokens {
            // keep the closing [SEP] (the last special token), as the reference tokenizer does
            let last = *t.last().expect("non-empty");
            t.truncate(self.max_tokens - 1);
            t.push(last);
        }
        t
    }

    fn embed_batch(
        &self,
        ctx: &mut LlamaContext<'static>,
        seqs: &[Vec<LlamaToken>],
        out: &mut Vec<Vec<f32>>,
    ) -> Result<()> {
        let n: usize = seqs.iter().map(Vec::len).sum();
        let mut batch = LlamaBatch::new(n.max(1), 1);
        for (s, toks) in seqs.iter().enumerate() {
            for (pos, &t) in toks.iter().enumerate() {
                batch.add(t, pos as i32, &[s as i32], true)?;
            }
        }
        // Forget earlier sequences (a no-op for BERT, which keeps no cache;
        // needed for decoder-style embedding models).
        ctx.clear_kv_cache_seq(None, None, None)?;
        ctx.decode(&mut batch)
            .map_err(|e| anyhow!("llama.cpp failed to embed a batch: {e}"))?;
        for s in 0..seqs.len() {
            let e = ctx
                .embeddings_seq_ith(s as i32)
                .map_err(|e| anyhow!("llama.cpp returned no embedding: {e}"))?;
            let mut v = e.to_vec();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|x| *x /= norm);
            }
            // llama.cpp's sums depend on how many threads share a matrix,
            // and the thread count follows the idle cores: kept to half
            // precision (what the vector index stores anyway), the same
            // text gives the same vector whatever the machine's load.
            v.iter_mut().for_each(|x| *x = half_precision(*x));
            out.push(v);
        }
        Ok(())
    }
}

/// `x` rounded to the 10 mantissa bits of an IEEE half (the range is kept:
/// unit vectors' components are far from half's limits).
pub fn half_precision(x: f32) -> f32 {
    if !x.is_finite() {
        return x;
    }
    let b = x.to_bits();
    // Round to nearest (ties away from zero) on the 13 bits dropped.
    f32::from_bits(b.wrapping_add(0x1000) & !0x1FFF)
}

impl Embedder for LlamaEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        if texts.is_empty() {
            return Ok(out);
        }
        let toks: Vec<Vec<LlamaToken>> = texts.iter().map(|t| self.tokens(t)).collect();
        // Pack whole texts into decodes of at most `pack_tokens` tokens
        // (a longer text alone).
        let mut batches = Vec::new();
        let mut start = 0;
        while start < toks.len() {
            let mut end = start;
            let mut n = 0;
            while end < toks.len()
                && end - start < EMBED_SEQ_MAX as usize
                && n + toks[end].len() <= self.pack_tokens
            {
                n += toks[end].len();
                end += 1;
            }
            let end = end.max(start + 1);
            batches.push(start..end);
            start = end;
        }
        let seqs = batches.iter().map(|r| r.len()).max().unwrap_or(1);
        let mut slot = self
            .ctx
            .lock()
            .map_err(|_| anyhow!("embedder poisoned by an earlier panic"))?;
        let ctx = self.context_for(&mut slot, seqs, texts.len() >= BULK_TEXTS)?;
        for r in batches {
            self.embed_batch(ctx, &toks[r], &mut out)?;
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Generator

/// Timings of one generation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GenStats {
    pub prompt_tokens: usize,
    pub prompt_ms: f64,
    pub gen_tokens: usize,
    pub gen_ms: f64,
}

/// A small instruct model run with its own chat template.
pub struct LlamaGenerator {
    // Field order matters: the context is dropped before the model.
    ctx: Mutex<LlamaContext<'static>>,
    model: Box<LlamaModel>,
    template: Option<LlamaChatTemplate>,
    /// Texts of the model's control tokens (`<|im_start|>`, …), neutralised
    /// in user content so that text cannot forge chat turns.
    control_texts: Vec<String>,
    id: String,
    n_ctx: usize,
    n_batch: usize,
    path: PathBuf,
}

/// Largest context the generator uses (prompt + output), in tokens.
pub const MAX_CONTEXT: usize = 4096;

impl LlamaGenerator {
    /// Loads (memory-maps) an instruct GGUF with a context of up to
    /// [`MAX_CONTEXT`] tokens. `threads` 0 = the idle cores (`effective_threads`).
    pub fn load(path: &Path, threads: usize) -> Result<Self> {
        Self::load_with_context(path, threads, MAX_CONTEXT)
    }

    /// Like [`load`](Self::load) with a smaller context (less memory).
    pub fn load_with_context(path: &Path, threads: usize, n_ctx: usize) -> Result<Self> {
        let model = load_model(path, "generator")?;
        let threads = effective_threads(threads) as i32;
        let n_ctx = n_ctx
            .clamp(256, MAX_CONTEXT)
            .min(model.n_ctx_train().max(256) as usize);
        let n_batch = 512.min(n_ctx);
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(n_ctx as u32))
            .with_n_batch(n_batch as u32)
            .with_n_ubatch(n_batch as u32)
            .with_n_seq_max(1)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let ctx = model.new_context(backend()?, params).map_err(|e| {
            anyhow!(
                "llama.cpp could not create a context for {}: {e}",
                path.display()
            )
        })?;
        // SAFETY: see `extend_ctx`; `model` is boxed and stored after `ctx`.
        let ctx = unsafe { extend_ctx(ctx) };
        let n_ctx = ctx.n_ctx() as usize;
        let template = model.chat_template(None).ok();
        let vocab = model.vocab();
        let mut control_texts: Vec<String> = vocab
            .tokens()
            .filter(|&t| vocab.is_control(t))
            .filter_map(|t| {
                vocab
                    .text(t)
                    .and_then(|c| c.to_str().ok())
                    .map(str::to_string)
            })
            .filter(|t| t.chars().count() >= 3)
            .collect();
        control_texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
        Ok(Self {
            ctx: Mutex::new(ctx),
            template,
            control_texts,
            id: model_id(path)?,
            model,
            n_ctx,
            n_batch,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn n_ctx(&self) -> usize {
        self.n_ctx
    }

    pub fn has_chat_template(&self) -> bool {
        self.template.is_some()
    }

    /// The prompt text after the chat template (or a plain layout for a
    /// model without one).
    pub fn render_prompt(&self, req: &GenRequest) -> Result<String> {
        let clean = |s: &str| self.neutralise(&s.replace('\0', ""));
        if let Some(tmpl) = &self.template {
            let mut msgs = Vec::new();
            if let Some(sys) = &req.system {
                msgs.push(LlamaChatMessage::new("system".into(), clean(sys))?);
            }
            msgs.push(LlamaChatMessage::new("user".into(), clean(&req.prompt))?);
            if let Ok(p) = self.model.apply_chat_template(tmpl, &msgs, true) {
                return Ok(p);
            }
        }
        Ok(match &req.system {
            Some(sys) => format!("{}\n\n{}\n", clean(sys), clean(&req.prompt)),
            None => format!("{}\n", clean(&req.prompt)),
        })
    }

    /// `text` with every control-token text broken by a zero-width space
    /// after its first character, so it is tokenized as plain text.
    fn neutralise(&self, text: &str) -> String {
        let mut out = text.to_string();
        for c in &self.control_texts {
            if out.contains(c.as_str()) {
                let mut chars = c.chars();
                let first = chars.next().expect("non-empty");
                out = out.replace(c.as_str(), &format!("{first}\u{200B}{}", chars.as_str()));
            }
        }
        out
    }

    /// Generates and reports timings.
    pub fn generate_with_stats(&self, req: &GenRequest) -> Result<(String, GenStats)> {
        self.generate_streaming(req, &mut |_| {})
    }

    /// [`generate_with_stats`](Self::generate_with_stats), handing each
    /// piece to `on_piece` as it is made (bytes held back until they make
    /// whole UTF-8 characters).
    pub fn generate_streaming(
        &self,
        req: &GenRequest,
        on_piece: &mut dyn FnMut(&str),
    ) -> Result<(String, GenStats)> {
        let tokens = self.prompt_tokens(req)?;
        let room = self.n_ctx.saturating_sub(tokens.len());
        if room == 0 {
            bail!(
                "prompt of {} tokens leaves no room in the generator's {}-token context; shorten the input",
                tokens.len(),
                self.n_ctx
            );
        }
        let budget = req.max_tokens.min(room);
        let vocab = self.model.vocab();

        let mut sampler = self.sampler(req)?;
        let mut ctx = self
            .ctx
            .lock()
            .map_err(|_| anyhow!("generator poisoned by an earlier panic"))?;
        let t0 = Instant::now();
        let mut batch = LlamaBatch::new(self.n_batch, 1);
        self.decode_prompt(&mut ctx, &mut batch, &tokens)?;
        let prompt_ms = t0.elapsed().as_secs_f64() * 1e3;

        let t1 = Instant::now();
        let mut out = Vec::new();
        let mut sent = 0usize;
        let mut pos = tokens.len();
        let mut n_gen = 0;
        let mut finished = false;
        while n_gen < budget {
            // `sample` also accepts the token into the sampler chain (grammar
            // state included); accepting it again would abort inside llama.cpp.
            let tok = sampler.sample(&ctx, -1);
            if vocab.is_eog(tok) {
                finished = true;
                break;
            }
            out.extend_from_slice(&vocab.token_to_piece(tok, false, None));
            // Whole characters only: a piece may end inside one.
            let whole = match std::str::from_utf8(&out[sent..]) {
                Ok(t) => t.len(),
                Err(e) => e.valid_up_to(),
            };
            if whole > 0 {
                on_piece(std::str::from_utf8(&out[sent..sent + whole]).expect("checked"));
                sent += whole;
            }
            n_gen += 1;
            if n_gen == budget {
                break;
            }
            batch.clear();
            batch.add(tok, pos as i32, &[0], true)?;
            pos += 1;
            ctx.decode(&mut batch)
                .map_err(|e| anyhow!("llama.cpp failed while generating: {e}"))?;
        }
        let gen_ms = t1.elapsed().as_secs_f64() * 1e3;
        let text = String::from_utf8_lossy(&out).into_owned();
        if req.json_schema.is_some()
            && !finished
            && serde_json::from_str::<serde_json::Value>(&text).is_err()
        {
            bail!(
                "the generator used its whole budget of {budget} tokens before finishing the JSON answer; \
                 raise max_tokens or bound the schema (maxLength / maxItems)"
            );
        }
        Ok((
            text,
            GenStats {
                prompt_tokens: tokens.len(),
                prompt_ms,
                gen_tokens: n_gen,
                gen_ms,
            },
        ))
    }

    /// The request's prompt after the chat template, as tokens.
    fn prompt_tokens(&self, req: &GenRequest) -> Result<Vec<LlamaToken>> {
        let prompt = self.render_prompt(req)?;
        let vocab = self.model.vocab();
        let mut tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        // A template that writes its own BOS plus add_bos would give two.
        if tokens.len() >= 2 && tokens[0] == vocab.bos() && tokens[1] == vocab.bos() {
            tokens.remove(0);
        }
        ensure!(!tokens.is_empty(), "empty prompt");
        Ok(tokens)
    }

    /// Decodes `tokens` from position 0 in a cleared cache, with logits
    /// for the last one.
    fn decode_prompt(
        &self,
        ctx: &mut LlamaContext<'static>,
        batch: &mut LlamaBatch,
        tokens: &[LlamaToken],
    ) -> Result<()> {
        // Drop the previous conversation (metadata only: no memset of the cache).
        ctx.clear_kv_cache_seq(None, None, None)?;
        self.decode_at(ctx, batch, tokens, 0, true)
    }

    /// Decodes `tokens` at positions from `start` on, after what the cache
    /// holds, in batches; with logits for the last one when `last_logits`.
    fn decode_at(
        &self,
        ctx: &mut LlamaContext<'static>,
        batch: &mut LlamaBatch,
        tokens: &[LlamaToken],
        start: usize,
        last_logits: bool,
    ) -> Result<()> {
        for (ci, chunk) in tokens.chunks(self.n_batch).enumerate() {
            batch.clear();
            for (i, &t) in chunk.iter().enumerate() {
                let k = ci * self.n_batch + i;
                batch.add(
                    t,
                    (start + k) as i32,
                    &[0],
                    last_logits && k == tokens.len() - 1,
                )?;
            }
            ctx.decode(batch)
                .map_err(|e| anyhow!("llama.cpp failed on the prompt: {e}"))?;
        }
        Ok(())
    }

    /// The first tokens of each choice, its case variants pooled ("yes",
    /// "Yes").
    fn choice_tokens(&self, choices: &[&str]) -> Result<Vec<Vec<LlamaToken>>> {
        let vocab = self.model.vocab();
        let firsts: Vec<Vec<LlamaToken>> = choices
            .iter()
            .map(|c| {
                let mut variants = vec![c.to_string(), c.to_lowercase()];
                let mut cap = c.chars();
                if let Some(f) = cap.next() {
                    variants.push(f.to_uppercase().chain(cap).collect());
                }
                let mut ts: Vec<LlamaToken> = variants
                    .iter()
                    .filter_map(|v| vocab.tokenize(v.as_bytes(), false, false).first().copied())
                    .collect();
                ts.sort_by_key(|t| t.0);
                ts.dedup();
                ts
            })
            .collect();
        ensure!(
            firsts.iter().all(|f| !f.is_empty()),
            "a choice has no tokens"
        );
        Ok(firsts)
    }

    /// A prompt's tokens, refused when they do not fit the context.
    fn fitting_tokens(&self, req: &GenRequest) -> Result<Vec<LlamaToken>> {
        let tokens = self.prompt_tokens(req)?;
        ensure!(
            tokens.len() < self.n_ctx,
            "prompt of {} tokens does not fit the generator's {}-token context",
            tokens.len(),
            self.n_ctx
        );
        Ok(tokens)
    }

    /// Log-probabilities of the choices' first tokens after the prompt
    /// ([`Generator::choice_logprobs`]): one decode of the prompt, no
    /// sampling. Each choice pools its case variants ("yes", "Yes").
    pub fn choice_logprobs_direct(&self, req: &GenRequest, choices: &[&str]) -> Result<Vec<f32>> {
        let tokens = self.fitting_tokens(req)?;
        let firsts = self.choice_tokens(choices)?;
        let mut ctx = self
            .ctx
            .lock()
            .map_err(|_| anyhow!("generator poisoned by an earlier panic"))?;
        let mut batch = LlamaBatch::new(self.n_batch, 1);
        self.decode_prompt(&mut ctx, &mut batch, &tokens)?;
        Ok(pooled_logprobs(
            ctx.get_logits_ith(batch.n_tokens() - 1),
            &firsts,
        ))
    }

    /// [`Generator::choice_logprobs_many`]: the tokens all prompts share
    /// (the system text, the question) are read once; for each prompt
    /// the cache is cut back to them and only its own tokens are read.
    /// The same numbers as asking one by one, up to float rounding.
    pub fn choice_logprobs_shared(
        &self,
        reqs: &[GenRequest],
        choices: &[&str],
    ) -> Result<Vec<Vec<f32>>> {
        if reqs.is_empty() {
            return Ok(Vec::new());
        }
        let all: Vec<Vec<LlamaToken>> = reqs
            .iter()
            .map(|r| self.fitting_tokens(r))
            .collect::<Result<_>>()?;
        let firsts = self.choice_tokens(choices)?;
        // The shared start, leaving each prompt at least one token of its
        // own (its logits are the answer).
        let mut shared = all.iter().map(|t| t.len() - 1).min().unwrap_or(0);
        for t in &all[1..] {
            shared = shared.min(all[0].iter().zip(t).take_while(|(a, b)| a == b).count());
        }
        let mut ctx = self
            .ctx
            .lock()
            .map_err(|_| anyhow!("generator poisoned by an earlier panic"))?;
        let mut batch = LlamaBatch::new(self.n_batch, 1);
        ctx.clear_kv_cache_seq(None, None, None)?;
        self.decode_at(&mut ctx, &mut batch, &all[0][..shared], 0, false)?;
        let mut out = Vec::with_capacity(reqs.len());
        for tokens in &all {
            // Keep positions [0, shared): the shared start. A cache that
            // cannot be cut back (a recurrent model's) reads it all again.
            if ctx.clear_kv_cache_seq(Some(0), Some(shared as u32), None)? {
                self.decode_at(&mut ctx, &mut batch, &tokens[shared..], shared, true)?;
            } else {
                ctx.clear_kv_cache_seq(None, None, None)?;
                self.decode_at(&mut ctx, &mut batch, tokens, 0, true)?;
            }
            out.push(pooled_logprobs(
                ctx.get_logits_ith(batch.n_tokens() - 1),
                &firsts,
            ));
        }
        Ok(out)
    }

    fn sampler(&self, req: &GenRequest) -> Result<LlamaSampler> {
        let mut chain = Vec::new();
        if let Some(schema) = &req.json_schema {
            let grammar = llama_cpp_2::json_schema_to_grammar(&schema.to_string())
                .map_err(|e| anyhow!("the JSON schema cannot be turned into a grammar: {e}"))?;
            chain.push(
                LlamaSampler::grammar(&self.model, &grammar, "root").map_err(|e| {
                    anyhow!("llama.cpp rejected the grammar of the JSON schema: {e}")
                })?,
            );
        }
        if req.temperature > 0.0 {
            chain.push(LlamaSampler::top_k(40));
            chain.push(LlamaSampler::top_p(0.95, 1));
            chain.push(LlamaSampler::temp(req.temperature));
            chain.push(LlamaSampler::dist(req.seed));
        } else {
            chain.push(LlamaSampler::greedy());
        }
        Ok(LlamaSampler::chain_simple(chain))
    }
}

impl Generator for LlamaGenerator {
    fn id(&self) -> &str {
        &self.id
    }

    fn generate(&self, req: &GenRequest) -> Result<String> {
        self.generate_with_stats(req).map(|(t, _)| t)
    }

    fn generate_stream(&self, req: &GenRequest, on_piece: &mut dyn FnMut(&str)) -> Result<String> {
        self.generate_streaming(req, on_piece).map(|(t, _)| t)
    }
    fn choice_logprobs(&self, req: &GenRequest, choices: &[&str]) -> Result<Vec<f32>> {
        self.choice_logprobs_direct(req, choices)
    }
    fn choice_logprobs_many(&self, reqs: &[GenRequest], choices: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.choice_logprobs_shared(reqs, choices)
    }
}

/// Log-probabilities (log-softmax over the vocabulary) of each group of
/// tokens, each group's probabilities summed.
fn pooled_logprobs(logits: &[f32], groups: &[Vec<LlamaToken>]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f32>().ln();
    groups
        .iter()
        .map(|ts| {
            let p: f32 = ts.iter().map(|t| (logits[t.0 as usize] - lse).exp()).sum();
            p.ln()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::idle_threads;

    #[test]
    fn threads_follow_idle_cores() {
        assert_eq!(idle_threads(2, 0.05), 2);
        assert_eq!(idle_threads(2, 0.7), 1);
        assert_eq!(idle_threads(2, 4.7), 1);
        assert_eq!(idle_threads(8, 2.2), 6);
        assert_eq!(idle_threads(1, 0.0), 1);
        assert_eq!(super::effective_threads(3), 3, "an explicit setting wins");
    }

    #[test]
    fn bulk_threads_count_runnable_tasks_not_the_load_average() {
        // a load average of 1.2 with only the reader running: nobody else wants a CPU
        assert_eq!(
            super::runnable_of("1.20 1.40 1.50 1/82 23780", 1),
            Some(0.0)
        );
        assert_eq!(super::runnable_of("0.10 0.20 0.30 3/90 1", 1), Some(2.0));
        // our own spinning workers are not someone else's load
        assert_eq!(super::runnable_of("0.10 0.20 0.30 3/90 1", 3), Some(0.0));
        assert_eq!(super::runnable_of("0.10 0.20 0.30", 1), None);
        assert_eq!(super::runnable_of("a b c x/y 1", 1), None);
        // the reading thread itself is running
        assert!(super::own_runnable() >= 1);
        // a thread of ours that spins is counted as ours
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s2 = stop.clone();
        let spin = std::thread::spawn(move || {
            while !s2.load(std::sync::atomic::Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        let seen = (0..200).map(|_| super::own_runnable()).max().unwrap_or(0);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        spin.join().unwrap();
        assert!(
            seen >= 2,
            "a spinning thread of ours was never seen running"
        );
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        let n = super::bulk_threads();
        assert!((1..=cores).contains(&n), "{n} of {cores}");
    }

    #[test]
    fn a_remembered_model_id_follows_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.gguf");
        std::fs::write(&f, vec![7u8; 3000]).unwrap();
        let a = super::model_id(&f).unwrap();
        assert_eq!(a, super::hash_model_id(&f).unwrap());
        assert_eq!(super::model_id(&f).unwrap(), a, "remembered");
        // the same path with other bytes: a new id, not the remembered one
        std::fs::write(&f, vec![8u8; 3001]).unwrap();
        let b = super::model_id(&f).unwrap();
        assert_ne!(a, b);
        assert_eq!(b, super::hash_model_id(&f).unwrap());
    }
}

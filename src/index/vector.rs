//! Tier 2: the usearch index of entry embeddings (cosine, f16 storage),
//! keyed by a stable u64 per entry file. Saved to a temp file and renamed.

use anyhow::{Result, anyhow};
use std::path::{Path, PathBuf};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

pub struct VectorIndex {
    index: Index,
    path: PathBuf,
    dim: usize,
    dirty: bool,
}

fn options(dim: usize) -> IndexOptions {
    IndexOptions {
        dimensions: dim,
        metric: MetricKind::Cos,
        quantization: ScalarKind::F16,
        connectivity: 0,
        expansion_add: 0,
        expansion_search: 0,
        multi: false,
    }
}

impl VectorIndex {
    /// Opens the saved index, or starts an empty one (also when the saved
    /// one is unreadable or of another dimension: it is derived data).
    pub fn open(path: &Path, dim: usize) -> Result<(Self, bool)> {
        let index =
            Index::new(&options(dim)).map_err(|e| anyhow!("creating the vector index: {e}"))?;
        let mut fresh = true;
        if path.exists() {
            if index.load(&path.to_string_lossy()).is_ok() && index.dimensions() == dim {
                fresh = false;
            } else {
                index.reset().map_err(|e| anyhow!("{e}"))?;
            }
        }
        Ok((
            Self {
                index,
                path: path.to_path_buf(),
                dim,
                dirty: false,
            },
            fresh,
        ))
    }

    /// Memory-maps the saved index read-only (no copy into memory): for
    /// reads, which never modify it. None when it is missing or unreadable.
    pub fn view(path: &Path, dim: usize) -> Option<Self> {
        let len = std::fs::metadata(path).ok()?.len();
        if len < 64 {
            return None;
        }
        let index = Index::new(&options(dim)).ok()?;
        (index.view(&path.to_string_lossy()).is_ok() && index.dimensions() == dim).then(|| Self {
            index,
            path: path.to_path_buf(),
            dim,
            dirty: false,
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }
    pub fn len(&self) -> usize {
        self.index.size()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn upsert(&mut self, key: u64, v: &[f32]) -> Result<()> {
        if self.index.contains(key) {
            self.index.remove(key).map_err(|e| anyhow!("{e}"))?;
        }
        if self.index.size() + 1 >= self.index.capacity() {
            let cap = (self.index.capacity() * 2).max(1024);
            self.index.reserve(cap).map_err(|e| anyhow!("{e}"))?;
        }
        self.index
            .add(key, v)
            .map_err(|e| anyhow!("adding a vector: {e}"))?;
        self.dirty = true;
        Ok(())
    }

    /// The stored vector of `key` (as stored: F16, read back as f32).
    pub fn get(&self, key: u64) -> Option<Vec<f32>> {
        if !self.index.contains(key) {
            return None;
        }
        let mut v = vec![0f32; self.dim];
        match self.index.get(key, &mut v) {
            Ok(n) if n > 0 => Some(v),
            _ => None,
        }
    }

    pub fn remove(&mut self, key: u64) -> Result<()> {
        if self.index.contains(key) {
            self.index.remove(key).map_err(|e| anyhow!("{e}"))?;
            self.dirty = true;
        }
        Ok(())
    }

    pub fn clear(&mut self) -> Result<()> {
        self.index.reset().map_err(|e| anyhow!("{e}"))?;
        self.dirty = true;
        Ok(())
    }

    /// Nearest keys with cosine similarity (1 - distance), best first.
    pub fn search(&self, q: &[f32], k: usize) -> Result<Vec<(u64, f32)>> {
        if self.index.size() == 0 {
            return Ok(Vec::new());
        }
        let m = self
            .index
            .search(q, k)
            .map_err(|e| anyhow!("vector search: {e}"))?;
        Ok(m.keys
            .into_iter()
            .zip(m.distances)
            .map(|(k, d)| (k, 1.0 - d))
            .collect())
    }

    /// Saves atomically (temp file + rename) if anything changed.
    pub fn save(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let tmp = self.path.with_extension("usearch.tmp");
        self.index
            .save(&tmp.to_string_lossy())
            .map_err(|e| anyhow!("saving the vector index: {e}"))?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        self.dirty = false;
        Ok(())
    }
}

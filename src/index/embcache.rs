//! Embedding cache keyed by model id and text hash, shared by every tree of
//! the user (`$MEM_CACHE_DIR` or the XDG cache dir, `mem/embeddings/`), so
//! reindexing, re-ingesting or a schema change never re-embeds unchanged text.
//!
//! One append-only file per model: a header, then records of a 16-byte
//! text hash and `dim` little-endian f32s. A torn record at the end (a crash
//! mid-append) is ignored on load.

use crate::model::Embedder;
use anyhow::Result;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;

const MAGIC: &[u8; 8] = b"MEMEMB1\n";
const BATCH: usize = 64;

pub fn cache_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("MEM_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|b| b.cache_dir().join("mem"))
}

fn file_for(model_id: &str) -> Option<PathBuf> {
    let safe: String = model_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_dir().map(|d| d.join("embeddings").join(format!("{safe}.f32")))
}

fn text_key(t: &str) -> [u8; 16] {
    blake3::hash(t.as_bytes()).as_bytes()[..16]
        .try_into()
        .unwrap()
}

fn load(path: &PathBuf, dim: usize) -> HashMap<[u8; 16], Vec<f32>> {
    let mut map = HashMap::new();
    let Ok(mut f) = std::fs::File::open(path) else {
        return map;
    };
    let mut buf = Vec::new();
    if f.read_to_end(&mut buf).is_err() || buf.len() < 12 || &buf[..8] != MAGIC {
        return map;
    }
    if u32::from_le_bytes(buf[8..12].try_into().unwrap()) as usize != dim {
        return map;
    }
    let rec = 16 + dim * 4;
    for chunk in buf[12..].chunks_exact(rec) {
        let key: [u8; 16] = chunk[..16].try_into().unwrap();
        let v = chunk[16..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        map.insert(key, v);
    }
    map
}

fn append(path: &PathBuf, dim: usize, items: &[([u8; 16], &Vec<f32>)]) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    if f.metadata()?.len() == 0 {
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&(dim as u32).to_le_bytes());
        f.write_all(&head)?;
    }
    let mut buf = Vec::with_capacity(items.len() * (16 + dim * 4));
    for (k, v) in items {
        buf.extend_from_slice(k);
        for x in v.iter() {
            buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    f.write_all(&buf)?;
    Ok(())
}

/// Embeds `texts`, taking what it can from the cache and adding the rest.
pub fn embed_cached(
    emb: &dyn Embedder,
    texts: &[String],
    bar: Option<&indicatif::ProgressBar>,
) -> Result<Vec<Vec<f32>>> {
    let dim = emb.dim();
    let path = file_for(emb.id());
    let cache = path.as_ref().map(|p| load(p, dim)).unwrap_or_default();
    let keys: Vec<[u8; 16]> = texts.iter().map(|t| text_key(t)).collect();
    let mut out: Vec<Option<Vec<f32>>> = keys.iter().map(|k| cache.get(k).cloned()).collect();
    let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
    if let Some(b) = bar {
        b.set_message("embedding");
    }
    for chunk in missing.chunks(BATCH) {
        let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
        let vs = emb.embed(&batch)?;
        anyhow::ensure!(
            vs.len() == batch.len(),
            "the embedder returned {} vectors for {} texts",
            vs.len(),
            batch.len()
        );
        if let Some(p) = &path {
            let items: Vec<([u8; 16], &Vec<f32>)> =
                chunk.iter().zip(&vs).map(|(&i, v)| (keys[i], v)).collect();
            // The cache is an optimisation: failing to write it is not an error.
            let _ = append(p, dim, &items);
        }
        for (&i, v) in chunk.iter().zip(vs) {
            out[i] = Some(v);
        }
    }
    Ok(out.into_iter().map(|v| v.unwrap()).collect())
}

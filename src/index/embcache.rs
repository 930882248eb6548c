//! Embedding cache keyed by model id and text hash, shared by every tree of
//! the user (`$MEM_CACHE_DIR` or the XDG cache dir, `mem/embeddings/`), so
//! reindexing, re-ingesting or a schema change never re-embeds unchanged text.
//!
//! One folder per model, 256 shard files by the first byte of the text hash
//! (`embeddings/<model id>/<xx>.f32`): a lookup of a few texts (a query, the
//! candidates of a `mem add`) reads only their shards, not every vector the
//! user has ever embedded. A shard is append-only: a header, then records of
//! a 16-byte text hash and `dim` little-endian f32s. A torn record at the end
//! (a crash mid-append) is ignored on load and cut off before the next append.
//! A cache in the older single-file layout (`<model id>.f32`) is split into
//! shards the first time it is used.

use crate::model::Embedder;
use anyhow::Result;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MEMEMB1\n";
const HEADER: usize = 12;
const BATCH: usize = 64;

type Key = [u8; 16];

use crate::config::cache_dir;

fn safe_name(model_id: &str) -> String {
    model_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn text_key(t: &str) -> Key {
    blake3::hash(t.as_bytes()).as_bytes()[..16]
        .try_into()
        .unwrap()
}

fn shard_file(dir: &Path, shard: u8) -> PathBuf {
    dir.join(format!("{shard:02x}.f32"))
}

/// The records of one cache file (either layout), header checked (`dim` 0:
/// whatever dimension the header says). Calls `each(key, vector bytes)` for
/// every whole record.
fn scan(path: &Path, dim: usize, mut each: impl FnMut(&Key, &[u8])) {
    let Ok(mut f) = std::fs::File::open(path) else {
        return;
    };
    let mut buf = Vec::new();
    if f.read_to_end(&mut buf).is_err() || buf.len() < HEADER || &buf[..8] != MAGIC {
        return;
    }
    let stored = u32::from_le_bytes(buf[8..12].try_into().unwrap()) as usize;
    if stored == 0 || (dim != 0 && stored != dim) {
        return;
    }
    let dim = stored;
    for chunk in buf[HEADER..].chunks_exact(16 + dim * 4) {
        each(chunk[..16].try_into().unwrap(), &chunk[16..]);
    }
}

fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// Appends records to a shard, writing the header into a new file and
/// cutting off a torn record left by a crash (so later records stay aligned).
fn append(path: &Path, dim: usize, items: &[(Key, &Vec<f32>)]) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    let len = f.metadata()?.len() as usize;
    let rec = 16 + dim * 4;
    if len == 0 {
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&(dim as u32).to_le_bytes());
        f.write_all(&head)?;
    } else if len < HEADER {
        f.set_len(0)?;
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&(dim as u32).to_le_bytes());
        f.write_all(&head)?;
    } else if !(len - HEADER).is_multiple_of(rec) {
        f.set_len((HEADER + (len - HEADER) / rec * rec) as u64)?;
    }
    let mut buf = Vec::with_capacity(items.len() * rec);
    for (k, v) in items {
        buf.extend_from_slice(k);
        for x in v.iter() {
            buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    f.write_all(&buf)?;
    Ok(())
}

/// Splits a cache in the single-file layout into shards, once. The file is
/// first renamed (only one process wins), so two processes never split it
/// twice; a process that loses the race just sees fewer hits meanwhile.
fn migrate(legacy: &Path, dir: &Path, dim: usize) {
    if !legacy.is_file() {
        return;
    }
    let claimed = legacy.with_extension(format!("f32.migrating.{}", std::process::id()));
    if std::fs::rename(legacy, &claimed).is_err() {
        return;
    }
    let mut per: HashMap<u8, Vec<(Key, Vec<f32>)>> = HashMap::new();
    scan(&claimed, dim, |k, v| {
        per.entry(k[0]).or_default().push((*k, decode(v)));
    });
    let mut ok = true;
    for (shard, recs) in per {
        // Skip what the shard has already (a half-done earlier migration).
        let mut have = std::collections::HashSet::new();
        scan(&shard_file(dir, shard), dim, |k, _| {
            have.insert(*k);
        });
        let items: Vec<(Key, &Vec<f32>)> = recs
            .iter()
            .filter(|(k, _)| have.insert(*k))
            .map(|(k, v)| (*k, v))
            .collect();
        ok &= append(&shard_file(dir, shard), dim, &items).is_ok();
    }
    if ok {
        let _ = std::fs::remove_file(&claimed);
    } else {
        let _ = std::fs::rename(&claimed, legacy);
    }
}

fn model_dir(model_id: &str) -> Option<PathBuf> {
    cache_dir().map(|d| d.join("embeddings").join(safe_name(model_id)))
}

/// The cached vectors of `texts` under `model_id` (`dim` 0: any dimension),
/// reading only the shards of those texts.
pub fn lookup(model_id: &str, dim: usize, texts: &[&str]) -> Vec<Option<Vec<f32>>> {
    let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
    let Some(dir) = model_dir(model_id) else {
        return out;
    };
    let keys: Vec<Key> = texts.iter().map(|t| text_key(t)).collect();
    let mut wanted: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        wanted.entry(*k).or_default().push(i);
    }
    let mut shards: Vec<u8> = keys.iter().map(|k| k[0]).collect();
    shards.sort_unstable();
    shards.dedup();
    for shard in shards {
        scan(&shard_file(&dir, shard), dim, |k, v| {
            if let Some(idx) = wanted.get(k) {
                let v = decode(v);
                for &i in idx {
                    out[i] = Some(v.clone());
                }
            }
        });
    }
    out
}

/// Adds vectors to the cache under `model_id`. Failing to write is not an
/// error: the cache is an optimisation.
pub fn store(model_id: &str, items: &[(&str, &Vec<f32>)]) {
    let Some(dir) = model_dir(model_id) else {
        return;
    };
    let mut per: HashMap<u8, Vec<(Key, &Vec<f32>)>> = HashMap::new();
    for (t, v) in items {
        let k = text_key(t);
        per.entry(k[0]).or_default().push((k, v));
    }
    for (shard, items) in per {
        let _ = append(&shard_file(&dir, shard), items[0].1.len(), &items);
    }
}

/// Embeds `texts`, taking what it can from the cache and adding the rest.
pub fn embed_cached(
    emb: &dyn Embedder,
    texts: &[String],
    bar: Option<&indicatif::ProgressBar>,
) -> Result<Vec<Vec<f32>>> {
    if let Some(root) = cache_dir().map(|d| d.join("embeddings")) {
        migrate(
            &root.join(format!("{}.f32", safe_name(emb.id()))),
            &root.join(safe_name(emb.id())),
            emb.dim(),
        );
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut out = lookup(emb.id(), emb.dim(), &refs);
    let keys: Vec<Key> = texts.iter().map(|t| text_key(t)).collect();
    // Each distinct missing text is embedded once.
    let mut first: HashMap<Key, usize> = HashMap::new();
    let missing: Vec<usize> = (0..texts.len())
        .filter(|&i| out[i].is_none() && *first.entry(keys[i]).or_insert(i) == i)
        .collect();
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
        let items: Vec<(&str, &Vec<f32>)> = batch.iter().copied().zip(&vs).collect();
        store(emb.id(), &items);
        for (&i, v) in chunk.iter().zip(vs) {
            out[i] = Some(v);
        }
    }
    for i in 0..texts.len() {
        if out[i].is_none() {
            out[i] = out[first[&keys[i]]].clone();
        }
    }
    Ok(out.into_iter().map(|v| v.unwrap()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts the texts it embeds; vectors derived from the text.
    struct Counting {
        n: AtomicUsize,
    }

    impl Embedder for Counting {
        fn id(&self) -> &str {
            "counting-v1"
        }
        fn dim(&self) -> usize {
            3
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
            self.n.fetch_add(texts.len(), Ordering::SeqCst);
            Ok(texts
                .iter()
                .map(|t| vec![t.len() as f32, t.bytes().map(f32::from).sum(), 1.0])
                .collect())
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    // One test: MEM_CACHE_DIR is process-wide.
    #[test]
    fn cache_hits_shards_migration_and_torn_records() {
        let tmp = tempfile::tempdir().unwrap();
        unsafe { std::env::set_var("MEM_CACHE_DIR", tmp.path()) };
        let emb = Counting {
            n: AtomicUsize::new(0),
        };
        let direct = |t: &str| emb.embed(&[t]).unwrap().remove(0);
        let texts = strings(&["alpha", "beta", "gamma", "alpha"]);
        let v1 = embed_cached(&emb, &texts, None).unwrap();
        // "alpha" twice is embedded once (plus 3 direct calls below).
        assert_eq!(emb.n.load(Ordering::SeqCst), 3);
        assert_eq!(v1[0], v1[3]);
        assert_eq!(v1[2], direct("gamma"));
        let before = emb.n.load(Ordering::SeqCst);
        let v2 = embed_cached(&emb, &strings(&["gamma", "beta", "delta"]), None).unwrap();
        assert_eq!(
            emb.n.load(Ordering::SeqCst),
            before + 1,
            "only delta is new"
        );
        assert_eq!(v2[0], v1[2]);
        assert_eq!(v2[1], v1[1]);

        // A torn record at the end of a shard: ignored, then cut off.
        let dir = tmp.path().join("embeddings").join("counting-v1");
        let shard = shard_file(&dir, text_key("delta")[0]);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&shard)
            .unwrap();
        f.write_all(&[7u8; 21]).unwrap();
        drop(f);
        let n = emb.n.load(Ordering::SeqCst);
        assert_eq!(
            embed_cached(&emb, &strings(&["delta"]), None).unwrap()[0],
            v2[2]
        );
        assert_eq!(emb.n.load(Ordering::SeqCst), n);
        // A new text in the same shard appends after the cut: both readable.
        let same_shard = (0..10_000)
            .map(|i| format!("text {i}"))
            .find(|t| text_key(t)[0] == text_key("delta")[0])
            .unwrap();
        embed_cached(&emb, &strings(&[&same_shard]), None).unwrap();
        let n = emb.n.load(Ordering::SeqCst);
        let v = embed_cached(&emb, &strings(&["delta", &same_shard]), None).unwrap();
        assert_eq!(emb.n.load(Ordering::SeqCst), n);
        assert_eq!(v[1], direct(&same_shard));

        // The single-file layout of earlier versions is split into shards.
        let legacy = tmp.path().join("embeddings").join("counting-v1.f32");
        std::fs::remove_dir_all(&dir).unwrap();
        let items: Vec<(Key, Vec<f32>)> = ["old one", "old two"]
            .iter()
            .map(|t| (text_key(t), direct(t)))
            .collect();
        let refs: Vec<(Key, &Vec<f32>)> = items.iter().map(|(k, v)| (*k, v)).collect();
        append(&legacy, 3, &refs).unwrap();
        let n = emb.n.load(Ordering::SeqCst);
        let v = embed_cached(&emb, &strings(&["old two", "old one"]), None).unwrap();
        assert_eq!(emb.n.load(Ordering::SeqCst), n, "served from the old file");
        assert_eq!(v[0], items[1].1);
        assert!(!legacy.exists());
        assert!(dir.is_dir());
        // A legacy file that shows up again (an older mem wrote it) adds
        // only what the shards lack.
        let shard = shard_file(&dir, text_key("old one")[0]);
        let size = std::fs::metadata(&shard).unwrap().len();
        append(&legacy, 3, &refs[..1]).unwrap();
        embed_cached(&emb, &strings(&["old one"]), None).unwrap();
        assert_eq!(std::fs::metadata(&shard).unwrap().len(), size);
        assert!(!legacy.exists());
    }
}

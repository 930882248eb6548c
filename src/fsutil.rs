//! Small file-system helpers shared by the caches (model ids, recall
//! answers, vocabulary-free model copies).

/// A temporary name beside `dst`, unique per process and call.
pub fn tmp_beside(dst: &std::path::Path) -> std::path::PathBuf {
    unique_beside(dst, ".", ".tmp-")
}

/// `{prefix}{dst's name}{sep}{pid}-{n}` beside `dst`: unique per process
/// and call.
fn unique_beside(dst: &std::path::Path, prefix: &str, sep: &str) -> std::path::PathBuf {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    dst.with_file_name(format!(
        "{prefix}{}{sep}{}-{}",
        dst.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ))
}

/// Replaces `dst` with `bytes` (a temporary file renamed over it, so a reader
/// sees the old or the new content, never a mix).
pub fn replace_file(dst: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_via(dst, bytes, &tmp_beside(dst))
}

/// The prefix of temporary files written inside a tree: a scan of the tree
/// knows them as leftovers of an interrupted write (never entries), `mem
/// doctor` reports them, and the writer that recovers removes them.
pub const TREE_TMP_PREFIX: &str = ".mem-tmp-";

/// [`replace_file`] for a file of a tree (what a sync brings in): its
/// temporary name starts with [`TREE_TMP_PREFIX`], so a process killed
/// between the write and the rename leaves a file the tree knows as a
/// leftover, not a stray file that git lists as new.
pub fn replace_tree_file(dst: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_via(dst, bytes, &unique_beside(dst, TREE_TMP_PREFIX, "-"))
}

fn replace_via(dst: &std::path::Path, bytes: &[u8], tmp: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = dst.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let r = std::fs::write(tmp, bytes).and_then(|()| std::fs::rename(tmp, dst));
    if r.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    r
}

/// Removes the leftovers of an interrupted write ([`TREE_TMP_PREFIX`]) found
/// directly in `dir`; returns how many.
pub fn remove_tree_temps(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TREE_TMP_PREFIX))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// A word for a POSIX shell: quoted when it holds anything but safe characters.
pub fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A file's modification time in seconds since the epoch.
pub fn mtime_secs(path: &std::path::Path) -> Option<i64> {
    let m = std::fs::metadata(path).ok()?.modified().ok()?;
    m.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}

//! The Context Tree on disk: finding it, listing and resolving entries,
//! and writing files safely (atomic, never through symlinks, never outside).

use crate::config::Config;
use crate::entry::{Entry, ParseError};
use crate::error::not_found;
use crate::lock::WriteLock;
use crate::paths::{ARCHIVE_DIR, EntryPath, OVERVIEW_FILE, TopicPath, segment_problem};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const MEM_DIR: &str = ".mem";

pub struct Tree {
    pub root: PathBuf,
    pub config: Config,
}

/// An entry file found on disk (parsed or not).
#[derive(Debug, Clone)]
pub struct EntryFile {
    pub path: EntryPath,
    pub archived: bool,
}

impl EntryFile {
    /// Path relative to the tree root, with `.md`.
    pub fn rel_file(&self) -> String {
        if self.archived { self.path.archived_rel_file() } else { self.path.rel_file() }
    }
    /// How users and JSON see it: `domain/topic/slug` or `_archive/domain/topic/slug`.
    pub fn display(&self) -> String {
        if self.archived { format!("{ARCHIVE_DIR}/{}", self.path) } else { self.path.to_string() }
    }
}

/// A file under the tree that is not a valid entry location.
#[derive(Debug, Clone)]
pub struct Stray {
    pub rel: String,
    pub why: String,
}

/// A fully read entry.
pub struct Loaded {
    pub file: EntryFile,
    pub entry: Entry,
}

impl Tree {
    /// Finds the tree: `--root` / `MEM_ROOT`, else the nearest ancestor of
    /// the current directory holding `.mem/`.
    pub fn find(explicit: Option<&Path>) -> Result<Self> {
        let root = match explicit {
            Some(p) => {
                if !p.join(MEM_DIR).is_dir() {
                    bail!("{} is not a mem tree (no .mem/ folder); run `mem init {}` first", p.display(), p.display());
                }
                p.to_path_buf()
            }
            None => {
                let cwd = std::env::current_dir().context("reading the current directory")?;
                cwd.ancestors().find(|d| d.join(MEM_DIR).is_dir()).map(Path::to_path_buf).ok_or_else(|| {
                    anyhow::anyhow!(
                        "no mem tree here: neither {} nor a parent has a .mem/ folder; run `mem init`, or pass --root / set MEM_ROOT",
                        cwd.display()
                    )
                })?
            }
        };
        let root = root.canonicalize().with_context(|| format!("resolving {}", root.display()))?;
        let config = Config::load(Some(&root))?;
        Ok(Self { root, config })
    }

    pub fn mem_dir(&self) -> PathBuf {
        self.root.join(MEM_DIR)
    }
    pub fn state_dir(&self) -> PathBuf {
        self.mem_dir().join("state")
    }
    pub fn index_dir(&self) -> PathBuf {
        self.mem_dir().join("index")
    }
    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Takes the tree's write lock (waits up to the configured timeout).
    pub fn lock(&self) -> Result<WriteLock> {
        WriteLock::acquire(&self.state_dir(), Duration::from_millis(self.config.limits.lock_timeout_ms))
    }

    /// Walks the tree: entry files (live, and archived when asked) and strays.
    /// Respects .gitignore; never follows symlinks.
    pub fn scan(&self, archived: bool) -> (Vec<EntryFile>, Vec<Stray>) {
        let mut entries = Vec::new();
        let mut strays = Vec::new();
        let walker = ignore::WalkBuilder::new(&self.root)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .parents(false)
            .require_git(false)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                !(e.depth() == 1 && (name == ".git" || name == MEM_DIR))
            })
            .build();
        for dent in walker.flatten() {
            if dent.depth() == 0 {
                continue;
            }
            let rel = match dent.path().strip_prefix(&self.root) {
                Ok(r) => r.to_string_lossy().replace('\\', "/"),
                Err(_) => continue,
            };
            let ft = dent.file_type();
            if ft.is_some_and(|t| t.is_symlink()) {
                strays.push(Stray { rel, why: "symbolic link: mem neither reads nor writes through links".into() });
                continue;
            }
            if ft.is_some_and(|t| t.is_dir()) {
                continue;
            }
            let segs: Vec<&str> = rel.split('/').collect();
            // Top-level files (README.md, .gitignore, …) are not part of the tree.
            if segs.len() == 1 {
                continue;
            }
            let (is_archived, segs) =
                if segs[0] == ARCHIVE_DIR { (true, &segs[1..]) } else { (false, &segs[..]) };
            if segs.first().is_some_and(|s| s.starts_with('.')) || (!is_archived && segs[0].starts_with('_')) {
                continue;
            }
            if is_archived && !archived {
                continue;
            }
            match classify(segs) {
                Ok(Some(path)) => entries.push(EntryFile { path, archived: is_archived }),
                Ok(None) => {}
                Err(why) => strays.push(Stray { rel, why }),
            }
        }
        (entries, strays)
    }

    /// Live entry files (no archive).
    pub fn entry_files(&self) -> Vec<EntryFile> {
        self.scan(false).0
    }

    pub fn read(&self, f: &EntryFile) -> Result<Entry> {
        let rel = f.rel_file();
        let text = std::fs::read_to_string(self.abs(&rel)).with_context(|| format!("reading {rel}"))?;
        Entry::parse(&text).map_err(|e| entry_error(&rel, &e))
    }

    /// Resolves what a user typed: an entry path (with or without `.md`,
    /// optionally under `_archive/`), an id, or a unique id prefix (≥ 6 chars).
    pub fn resolve(&self, spec: &str, include_archived: bool) -> Result<Loaded> {
        let spec = spec.trim().trim_end_matches('/');
        let (arch, path_spec) = match spec.strip_prefix(&format!("{ARCHIVE_DIR}/")) {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        if path_spec.contains('/') {
            let path = EntryPath::parse(path_spec)?;
            let candidates: &[bool] = if arch { &[true] } else if include_archived { &[false, true] } else { &[false] };
            for &a in candidates {
                let f = EntryFile { path: path.clone(), archived: a };
                if self.abs(&f.rel_file()).is_file() {
                    let entry = self.read(&f)?;
                    return Ok(Loaded { file: f, entry });
                }
            }
            let hint = if !include_archived && self.abs(&path.archived_rel_file()).is_file() {
                format!("; it is archived: use `{ARCHIVE_DIR}/{path}` or `mem restore {path}`")
            } else {
                String::new()
            };
            return Err(not_found(format!("no entry at {path}{hint}")));
        }
        let upper = spec.to_ascii_uppercase();
        if upper.len() < 6 || !upper.chars().all(|c| c.is_ascii_alphanumeric()) {
            bail!("`{spec}` is neither an entry path (domain/topic/entry) nor an id (a ULID or a prefix of at least 6 characters)");
        }
        let (files, _) = self.scan(include_archived || arch);
        let mut found: Vec<Loaded> = Vec::new();
        for f in files {
            // Cheap pre-check: the id is on the first lines of the front matter.
            let Ok(text) = std::fs::read_to_string(self.abs(&f.rel_file())) else { continue };
            if !text.contains(&upper) {
                continue;
            }
            if let Ok(entry) = Entry::parse(&text) {
                if entry.meta.id.starts_with(&upper) {
                    found.push(Loaded { file: f, entry });
                }
            }
        }
        match found.len() {
            0 => Err(not_found(format!("no entry with id {spec}"))),
            1 => Ok(found.pop().unwrap()),
            n => bail!(
                "id prefix {spec} matches {n} entries ({}); give more characters",
                found.iter().map(|l| l.file.display()).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// Creates the folders of `rel` (a file path) inside the tree, refusing
    /// to pass through symlinks or anything that is not a directory.
    pub fn ensure_parent(&self, rel: &str) -> Result<()> {
        let mut dir = self.root.clone();
        let parts: Vec<&str> = rel.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            dir.push(part);
            match std::fs::symlink_metadata(&dir) {
                Ok(m) if m.file_type().is_symlink() => bail!(
                    "{} is a symbolic link; mem never writes through links (it could lead outside the tree). Replace it with a real folder",
                    dir.strip_prefix(&self.root).unwrap_or(&dir).display()
                ),
                Ok(m) if !m.is_dir() => bail!("{} exists and is not a folder", dir.display()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?
                }
                Err(e) => return Err(e).with_context(|| format!("checking {}", dir.display())),
            }
        }
        let target = self.root.join(rel);
        if let Ok(m) = std::fs::symlink_metadata(&target) {
            if m.file_type().is_symlink() {
                bail!("{rel} is a symbolic link; mem never writes through links");
            }
        }
        Ok(())
    }

    /// Writes `content` to `rel` atomically: temp file in the same folder,
    /// fsync, rename.
    pub fn write_atomic(&self, rel: &str, content: &str) -> Result<()> {
        self.ensure_parent(rel)?;
        let target = self.root.join(rel);
        let dir = target.parent().unwrap();
        let mut tmp = tempfile::Builder::new()
            .prefix(".mem-tmp-")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temp file in {}", dir.display()))?;
        tmp.write_all(content.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&target).map_err(|e| e.error).with_context(|| format!("writing {rel}"))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Moves a file inside the tree (folders created, never through links).
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.ensure_parent(to)?;
        if self.abs(to).exists() {
            bail!("{to} already exists; choose another destination");
        }
        std::fs::rename(self.abs(from), self.abs(to)).with_context(|| format!("moving {from} to {to}"))?;
        self.prune_empty_dirs(from);
        Ok(())
    }

    /// Removes now-empty folders left behind by a move.
    pub fn prune_empty_dirs(&self, rel_file: &str) {
        let mut p = self.abs(rel_file);
        while let Some(parent) = p.parent() {
            if parent == self.root || !parent.starts_with(&self.root) {
                break;
            }
            if std::fs::remove_dir(parent).is_err() {
                break;
            }
            p = parent.to_path_buf();
        }
    }

    /// Existing topics (folders holding entries), with their entry count.
    pub fn topics(&self) -> Vec<(TopicPath, usize)> {
        let mut map = std::collections::BTreeMap::new();
        for f in self.entry_files() {
            *map.entry(f.path.topic()).or_insert(0usize) += 1;
        }
        map.into_iter().collect()
    }

    /// A slug not yet taken in `topic` (live or archived).
    pub fn unique_slug(&self, topic: &TopicPath, base: &str) -> String {
        let base = if base.is_empty() { "entry" } else { base };
        let taken = |s: &str| {
            let p = topic.join(s);
            self.abs(&p.rel_file()).exists() || self.abs(&p.archived_rel_file()).exists()
        };
        if !taken(base) {
            return base.to_string();
        }
        (2..).map(|n| format!("{base}-{n}")).find(|s| !taken(s)).unwrap()
    }
}

/// Where a file below the root belongs: Ok(Some) an entry, Ok(None) a
/// file mem knows and skips, Err a stray with the reason.
fn classify(segs: &[&str]) -> std::result::Result<Option<EntryPath>, String> {
    let name = *segs.last().unwrap();
    if name.starts_with(".mem-tmp-") {
        return Err("leftover temp file from an interrupted write; safe to delete".into());
    }
    if segs.len() == 2 && name == OVERVIEW_FILE {
        return Ok(None);
    }
    let Some(stem) = name.strip_suffix(".md") else {
        return Err("not a markdown entry (.md); move it out of the tree or ignore it in .gitignore".into());
    };
    if segs.len() < 3 || segs.len() > 4 {
        return Err(format!(
            "entries live at domain/topic[/subtopic]/entry.md; this file is {} level(s) deep",
            segs.len()
        ));
    }
    for s in &segs[..segs.len() - 1] {
        if let Some(p) = segment_problem(s) {
            return Err(format!("bad folder name: {p}"));
        }
    }
    if let Some(p) = segment_problem(stem) {
        return Err(format!("bad file name: {p}"));
    }
    let joined = segs.join("/");
    EntryPath::parse(&joined).map(Some).map_err(|e| e.to_string())
}

/// The error users see for an unreadable entry: path, line, cause, fix.
pub fn entry_error(rel: &str, e: &ParseError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}; fix the file (e.g. `mem edit {}`) and run `mem doctor`", describe_at(rel, e.line), e.cause, rel.trim_end_matches(".md"))
}

fn describe_at(rel: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("front matter of {rel} line {l}"),
        None => format!("front matter of {rel}"),
    }
}

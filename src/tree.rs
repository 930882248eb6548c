//! The Context Tree on disk: finding it, listing and resolving entries,
//! and writing files safely (atomic, never through symlinks, never outside).

use crate::config::Config;
use crate::entry::{Entry, ParseError};
use crate::error::not_found;
use crate::git::{Change, Git};
use crate::lock::WriteLock;
use crate::paths::{ARCHIVE_DIR, EntryPath, OVERVIEW_FILE, TopicPath, segment_problem};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Length of a ULID, the id of every entry.
const ULID_LEN: usize = 26;

pub const MEM_DIR: &str = ".mem";

#[derive(Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub config: Config,
}

/// Where an index says the entry with a whole id is: its files (relative
/// paths), as last indexed; [`Tree::resolve_read`] checks them.
pub type IdLookup<'a> = &'a dyn Fn(&str) -> Vec<String>;

/// An entry file found on disk (parsed or not).
#[derive(Debug, Clone)]
pub struct EntryFile {
    pub path: EntryPath,
    pub archived: bool,
}

impl EntryFile {
    /// Path relative to the tree root, with `.md`.
    pub fn rel_file(&self) -> String {
        if self.archived {
            self.path.archived_rel_file()
        } else {
            self.path.rel_file()
        }
    }
    /// How users and JSON see it: `domain/topic/slug` or `_archive/domain/topic/slug`.
    pub fn display(&self) -> String {
        if self.archived {
            format!("{ARCHIVE_DIR}/{}", self.path)
        } else {
            self.path.to_string()
        }
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

/// The mem tree that `dir` lies inside: the nearest ancestor of `dir`
/// (not `dir` itself) holding `.mem/`. `dir` need not exist; a relative
/// one is taken from the current directory, symlinks resolved where the
/// folders exist.
pub fn enclosing_tree(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    // Resolve the part that exists (symlinks, `..`), keep the rest as given.
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    let resolved = loop {
        if let Ok(c) = base.canonicalize() {
            break c;
        }
        rest.push(base.file_name()?.to_owned());
        base = base.parent()?;
    };
    let full = rest.iter().rev().fold(resolved, |p, n| p.join(n));
    full.ancestors()
        .skip(1)
        .find(|d| d.join(MEM_DIR).is_dir())
        .map(Path::to_path_buf)
}

impl Tree {
    /// Finds the tree: `--root` / `MEM_ROOT`, else the nearest ancestor of
    /// the current directory holding `.mem/`.
    pub fn find(explicit: Option<&Path>) -> Result<Self> {
        let root = match explicit {
            Some(p) => {
                if !p.join(MEM_DIR).is_dir() {
                    if let Some(outer) = enclosing_tree(p) {
                        bail!(
                            "{} is a folder inside the mem tree {}, not a tree of its own; pass --root {} (or set MEM_ROOT to it)",
                            p.display(),
                            outer.display(),
                            outer.display()
                        );
                    }
                    bail!(
                        "{} is not a mem tree (no .mem/ folder); run `mem init {}` first",
                        p.display(),
                        p.display()
                    );
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
        let root = root
            .canonicalize()
            .with_context(|| format!("resolving {}", root.display()))?;
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

    /// Takes the tree's write lock (waits up to the configured timeout), then
    /// commits whatever an interrupted write left uncommitted.
    pub(crate) fn lock(&self) -> Result<WriteLock> {
        let lock = WriteLock::acquire(
            &self.state_dir(),
            Duration::from_millis(self.config.limits.lock_timeout_ms),
        )?;
        self.recover_uncommitted();
        Ok(lock)
    }

    /// `.mem/state/uncommitted`: the tree-relative paths a writer is about to
    /// change, appended before each write and removed once its commit is
    /// made. Left behind, it names the files of a write that was killed (or
    /// whose commit failed) between the files and the commit.
    fn journal_path(&self) -> PathBuf {
        self.state_dir().join("uncommitted")
    }

    fn journal(&self, rels: &[&str]) -> Result<()> {
        std::fs::create_dir_all(self.state_dir())
            .with_context(|| format!("creating {}", self.state_dir().display()))?;
        let mut lines = String::new();
        for r in rels {
            lines.push_str(r);
            lines.push('\n');
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.journal_path())
            .and_then(|mut f| f.write_all(lines.as_bytes()))
            .with_context(|| format!("writing {}", self.journal_path().display()))
    }

    /// The paths named by the journal (left by a writer that did not get
    /// to its commit, or whose recovery failed), each once.
    pub(crate) fn journal_paths(&self) -> Vec<String> {
        let Ok(text) = std::fs::read_to_string(self.journal_path()) else {
            return Vec::new();
        };
        let mut rels: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        rels.sort_unstable();
        rels.dedup();
        rels
    }

    /// Records `changes` as one git commit (see `Git::commit`); the journal
    /// of files to commit is then cleared, unless git's index could not be
    /// brought in step (then the next writer's recovery, a commit with no
    /// change, does that).
    pub(crate) fn commit(&self, changes: &[Change], message: &str) -> Result<Option<git2::Oid>> {
        let git = Git::open(&self.root)?;
        let commit = git.commit(changes, message, &self.config.git)?;
        crate::interrupt::crash_point("committed");
        if !git.index_behind() {
            let _ = std::fs::remove_file(self.journal_path());
        }
        Ok(commit)
    }

    /// Commits the files named by a journal left behind (the caller holds
    /// the write lock, so its writer is gone). On failure the journal stays
    /// for the next writer and a warning says why.
    fn recover_uncommitted(&self) {
        let Ok(text) = std::fs::read_to_string(self.journal_path()) else {
            return;
        };
        let mut rels: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        rels.sort_unstable();
        rels.dedup();
        // Temp files of the interrupted write (never renamed into place).
        let mut dirs: Vec<&str> = rels
            .iter()
            .map(|r| r.rsplit_once('/').map_or("", |(d, _)| d))
            .collect();
        dirs.dedup();
        for d in dirs {
            crate::fsutil::remove_tree_temps(&self.abs(d));
        }
        // And the folders it made for files it never renamed into place.
        for r in &rels {
            if !self.abs(r).exists() {
                self.prune_empty_dirs(r);
            }
        }
        let mut changes: Vec<Change> = rels
            .iter()
            .map(|r| {
                if self.abs(r).is_file() {
                    Change::Write(r.to_string())
                } else {
                    Change::Delete(r.to_string())
                }
            })
            .collect();
        // A move killed between renaming an entry and rewriting the
        // relations to it: those relations follow the id now (a scan of
        // the tree, once after a crash).
        {
            for (rel, _, new) in self.relation_fixes() {
                if crate::fsutil::replace_file(&self.abs(&rel), new.as_bytes()).is_ok()
                    && !rels.contains(&rel.as_str())
                {
                    changes.push(Change::Write(rel));
                }
            }
        }
        let msg = format!(
            "mem: commit {} file(s) left uncommitted by an interrupted write\n\n{}",
            rels.len(),
            rels.join("\n")
        );
        let _finishing = crate::interrupt::finishing();
        match self.commit(&changes, &msg) {
            Ok(Some(c)) => eprintln!(
                "note: committed {} file(s) an interrupted mem write had left uncommitted ({})",
                rels.len(),
                &c.to_string()[..12]
            ),
            Ok(None) => {}
            Err(e) => eprintln!(
                "warning: files an interrupted mem write left are still uncommitted ({e:#}); \
                 the next mem write tries again"
            ),
        }
    }

    /// Every entry with a relation whose `to` names no entry but whose `id`
    /// names a live one, and its text with `to` pointed there: (rel, old
    /// text, new text). Used by `mem doctor --fix`, and by the recovery of
    /// a killed move, which may have renamed the entry before it rewrote
    /// the relations to it.
    pub fn relation_fixes(&self) -> Vec<(String, String, String)> {
        let (files, _) = self.scan(true);
        let mut entries: Vec<(String, String, Entry)> = Vec::new();
        let mut live: std::collections::HashMap<String, String> = Default::default();
        let mut paths: std::collections::HashSet<String> = Default::default();
        for f in files {
            let rel = f.rel_file();
            let Ok(text) = std::fs::read_to_string(self.abs(&rel)) else {
                continue;
            };
            let Ok(e) = Entry::parse(&text) else { continue };
            if !f.archived {
                live.entry(e.meta.id.clone())
                    .or_insert_with(|| f.path.to_string());
            }
            paths.insert(f.path.to_string());
            if !e.meta.relations.is_empty() {
                entries.push((rel, text, e));
            }
        }
        let mut fixes = Vec::new();
        for (rel, text, mut e) in entries {
            let mut rels = e.meta.relations.clone();
            let mut changed = false;
            for r in &mut rels {
                // `TREE:PATH` names an entry of another tree.
                if r.to.contains(':') || paths.contains(&r.to) {
                    continue;
                }
                if let Some(now) = r.id.as_ref().and_then(|i| live.get(i)) {
                    r.to = now.clone();
                    changed = true;
                }
            }
            if changed && e.set_serialized("relations", &rels).is_ok() {
                fixes.push((rel, text, e.render()));
            }
        }
        fixes
    }

    /// Walks the tree: entry files (live, and archived when asked) and strays.
    /// Respects .gitignore; never follows symlinks.
    pub fn scan(&self, archived: bool) -> (Vec<EntryFile>, Vec<Stray>) {
        let (found, strays) = self.walk(archived, false);
        (found.into_iter().filter_map(|f| f.file()).collect(), strays)
    }

    /// Like `scan`, with each file's size and mtime (ns) — what the index
    /// catch-up compares with its manifest. Each folder is read and checked
    /// once, files are stat'ed relative to their folder, and topic folders
    /// are spread over two threads.
    pub fn walk(&self, archived: bool, with_stat: bool) -> (Vec<Found>, Vec<Stray>) {
        let mut ignores = Vec::new();
        if let Some(gi) = gitignore_of(&self.root, &self.root.join(".gitignore")) {
            ignores.push(gi);
        }
        if self.root.join(".git").is_dir()
            && let Some(gi) = gitignore_of(&self.root, &self.root.join(".git/info/exclude"))
        {
            ignores.push(gi);
        }
        let mut w = Walker {
            archived,
            with_stat,
            found: Vec::new(),
            strays: Vec::new(),
            ignores,
            jobs: Vec::new(),
            defer_jobs: true,
        };
        // Levels above the topics are read here; topic folders become jobs.
        w.dir(&self.root, &mut Vec::new(), false);
        let jobs = std::mem::take(&mut w.jobs);
        w.defer_jobs = false;
        if jobs.len() < 8 {
            for j in jobs {
                w.ignores = j.ignores;
                w.dir(&j.abs, &mut j.segs.clone(), j.in_archive);
            }
        } else {
            // Two threads take topic folders in turn; results are put back
            // in folder order, so the listing stays sorted.
            let next = std::sync::atomic::AtomicUsize::new(0);
            let run = |mut w: Walker| {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(j) = jobs.get(i) else { break };
                    w.ignores = j.ignores.clone();
                    w.dir(&j.abs, &mut j.segs.clone(), j.in_archive);
                    done.push((
                        i,
                        std::mem::take(&mut w.found),
                        std::mem::take(&mut w.strays),
                    ));
                }
                done
            };
            let helper = w.empty_like();
            let mut done = std::thread::scope(|sc| {
                let h = sc.spawn(|| run(helper));
                let mut mine = run(w.empty_like());
                mine.extend(h.join().unwrap_or_default());
                mine
            });
            done.sort_unstable_by_key(|d| d.0);
            for (_, found, strays) in done {
                w.found.extend(found);
                w.strays.extend(strays);
            }
        }
        w.strays.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        (w.found, w.strays)
    }

    /// Live entry files (no archive).
    pub fn entry_files(&self) -> Vec<EntryFile> {
        self.scan(false).0
    }

    /// Live entry paths under `prefix` (a domain or topic; all when
    /// `None`), most recently changed first (ties by path).
    pub fn entries_by_recency(&self, prefix: Option<&str>) -> Vec<String> {
        let mut v: Vec<(std::time::SystemTime, String)> = self
            .scan(false)
            .0
            .into_iter()
            .map(|f| f.path.to_string())
            .filter(|p| prefix.is_none_or(|pre| p.starts_with(&format!("{pre}/"))))
            .map(|p| {
                let m = std::fs::metadata(self.abs(&format!("{p}.md")))
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (m, p)
            })
            .collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        v.into_iter().map(|(_, p)| p).collect()
    }

    pub fn read(&self, f: &EntryFile) -> Result<Entry> {
        let rel = f.rel_file();
        let text =
            std::fs::read_to_string(self.abs(&rel)).with_context(|| format!("reading {rel}"))?;
        Entry::parse_at(&text, &rel, crate::fsutil::mtime_secs(&self.abs(&rel)))
            .map_err(|e| entry_error(&rel, &e))
    }

    /// `spec` as a path relative to the tree root, when it is an existing
    /// file (absolute, or relative to the current folder) inside the tree.
    fn file_in_tree(&self, spec: &str) -> Option<String> {
        let p = Path::new(spec);
        let looks_like_a_file = p.is_absolute()
            || spec.starts_with("./")
            || spec.starts_with("../")
            || spec.ends_with(".md");
        if !looks_like_a_file {
            return None;
        }
        let abs = std::fs::canonicalize(p).ok()?;
        let root = std::fs::canonicalize(&self.root).ok()?;
        let rel = abs.strip_prefix(&root).ok()?;
        rel.to_str().map(str::to_string)
    }

    /// Resolves what a user typed: an entry path (with or without `.md`,
    /// optionally under `_archive/`), an id, or a unique id prefix (≥ 6 chars).
    /// A file path as a shell completes it (absolute, `./…`, or relative to
    /// the current folder, usually with `.md`) is taken too when it names a
    /// file inside the tree.
    pub fn resolve(&self, spec: &str, include_archived: bool) -> Result<Loaded> {
        self.resolve_with(spec, include_archived, None)
    }

    /// [`Tree::resolve`] for commands that only read (`show`, `log`): a
    /// whole id is first looked up with `indexed` (the files the index
    /// holds under an id, as the index answers it) and checked
    /// against the file it names. Commands that change files use
    /// `resolve`, which reads the files: a copy made by hand since the last
    /// catch-up (the same id twice) is then an error, not a silent pick.
    pub fn resolve_read(
        &self,
        spec: &str,
        include_archived: bool,
        indexed: IdLookup,
    ) -> Result<Loaded> {
        self.resolve_with(spec, include_archived, Some(indexed))
    }

    fn resolve_with(
        &self,
        spec: &str,
        include_archived: bool,
        indexed: Option<IdLookup>,
    ) -> Result<Loaded> {
        let on_disk = self.file_in_tree(spec.trim());
        let spec = on_disk
            .as_deref()
            .unwrap_or(spec)
            .trim()
            .trim_end_matches('/');
        let (arch, path_spec) = match spec.strip_prefix(&format!("{ARCHIVE_DIR}/")) {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        if path_spec.contains('/') {
            let path = EntryPath::parse(path_spec)?;
            let candidates: &[bool] = if arch {
                &[true]
            } else if include_archived {
                &[false, true]
            } else {
                &[false]
            };
            for &a in candidates {
                let f = EntryFile {
                    path: path.clone(),
                    archived: a,
                };
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
            bail!(
                "`{spec}` is neither an entry path (domain/topic/entry) nor an id (a ULID or a prefix of at least 6 characters)"
            );
        }
        // A whole id: the index as last written says where (checked
        // against the file); the files are read only when it does not know.
        let mut found: Vec<Loaded> = match indexed {
            Some(lookup) if upper.len() == ULID_LEN => {
                self.by_indexed_id(lookup(&upper), &upper, include_archived || arch)
            }
            _ => Vec::new(),
        };
        let files = if found.is_empty() {
            self.scan(include_archived || arch).0
        } else {
            Vec::new()
        };
        for f in files {
            // Cheap pre-check: the id is on the first lines of the front matter.
            let Ok(text) = std::fs::read_to_string(self.abs(&f.rel_file())) else {
                continue;
            };
            if !text.contains(&upper) {
                continue;
            }
            if let Ok(entry) = Entry::parse(&text)
                && entry.meta.id.starts_with(&upper)
            {
                found.push(Loaded { file: f, entry });
            }
        }
        match found.len() {
            0 => Err(not_found(format!("no entry with id {spec}"))),
            1 => Ok(found.pop().unwrap()),
            n => {
                let paths = found
                    .iter()
                    .map(|l| l.file.display())
                    .collect::<Vec<_>>()
                    .join(", ");
                if found.iter().all(|l| l.entry.meta.id == upper) {
                    bail!(
                        "id {upper} is used by {n} entries ({paths}), e.g. a copy made by hand; give all but one of them a new id (a fresh ULID) with `mem edit`, or name the entry by its path"
                    )
                }
                bail!("id prefix {spec} matches {n} entries ({paths}); give more characters")
            }
        }
    }

    /// The entries of `rels` (files an index has under `id`) whose file
    /// still holds that id.
    fn by_indexed_id(&self, rels: Vec<String>, id: &str, include_archived: bool) -> Vec<Loaded> {
        let mut out = Vec::new();
        for rel in rels {
            let (archived, inner) = match rel.strip_prefix(&format!("{ARCHIVE_DIR}/")) {
                Some(r) => (true, r),
                None => (false, rel.as_str()),
            };
            if archived && !include_archived {
                continue;
            }
            let Ok(path) = EntryPath::parse(inner.trim_end_matches(".md")) else {
                continue;
            };
            let file = EntryFile { path, archived };
            if let Ok(entry) = self.read(&file)
                && entry.meta.id == id
            {
                out.push(Loaded { file, entry });
            }
        }
        out
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
                    // Removed again if the write is interrupted before its files land.
                    crate::interrupt::with_registry(|r| {
                        std::fs::create_dir(&dir)?;
                        r.dir(dir.clone());
                        std::io::Result::Ok(())
                    })
                    .with_context(|| format!("creating {}", dir.display()))?
                }
                Err(e) => return Err(e).with_context(|| format!("checking {}", dir.display())),
            }
        }
        let target = self.root.join(rel);
        if let Ok(m) = std::fs::symlink_metadata(&target)
            && m.file_type().is_symlink()
        {
            bail!("{rel} is a symbolic link; mem never writes through links");
        }
        Ok(())
    }

    /// Writes `content` to `rel` atomically: temp file in the same folder,
    /// fsync, rename.
    pub(crate) fn write_atomic(&self, rel: &str, content: &str) -> Result<()> {
        self.ensure_parent(rel)?;
        self.journal(&[rel])?;
        let (tmp, target) = self.temp_with(rel, content)?;
        tmp.as_file().sync_all()?;
        let dir = target.parent().unwrap().to_path_buf();
        persist(tmp.into_temp_path(), &target).with_context(|| format!("writing {rel}"))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// `content` in a temp file beside `rel` (not yet synced or renamed),
    /// and the target path. The temp file is removed if the process is
    /// interrupted before it is renamed ([`crate::interrupt`]).
    fn temp_with(&self, rel: &str, content: &str) -> Result<(tempfile::NamedTempFile, PathBuf)> {
        let target = self.root.join(rel);
        let dir = target.parent().unwrap();
        let mut tmp = crate::interrupt::with_registry(|r| {
            let t = tempfile::Builder::new()
                .prefix(crate::fsutil::TREE_TMP_PREFIX)
                .tempfile_in(dir)?;
            r.file(t.path().to_path_buf());
            std::io::Result::Ok(t)
        })
        .with_context(|| format!("creating a temp file in {}", dir.display()))?;
        tmp.write_all(content.as_bytes())
            .with_context(|| format!("writing {rel}"))?;
        Ok((tmp, target))
    }

    /// Writes many files atomically each, with two file-system syncs for the
    /// whole batch instead of two per file: every temp file is written, then
    /// one `syncfs` makes their data durable, then the renames, then one more
    /// `syncfs` for the folders. A crash leaves each file either old or new
    /// (plus `.mem-tmp-*` leftovers that `mem doctor` reports).
    ///
    /// Ctrl-C while the temp files are written removes them, the folders
    /// made for them and the journal ([`crate::interrupt`]). The renames run
    /// in a finishing section, returned: hold it until the batch is
    /// committed, and an interrupt waits for the commit.
    pub(crate) fn write_many(
        &self,
        files: &[(String, String)],
    ) -> Result<crate::interrupt::Finishing> {
        // `syncfs` flushes everything dirty on the file system, other
        // programs' writes included: for a few files, per-file fsyncs cost less.
        if files.len() <= 8 {
            let finishing = crate::interrupt::finishing();
            for (rel, content) in files {
                self.write_atomic(rel, content)?;
            }
            return Ok(finishing);
        }
        // A journal of this batch alone names no file on disk until the
        // renames: an interrupt before them removes it with the temp files.
        let journal = self.journal_path();
        let fresh_journal = !journal.exists();
        self.journal(&files.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>())?;
        if fresh_journal {
            crate::interrupt::remove_on_signal(journal.clone());
        }
        let mut temps = Vec::with_capacity(files.len());
        let mut checked_dirs: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (rel, content) in files {
            let dir_rel = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            if checked_dirs.insert(dir_rel) {
                self.ensure_parent(rel)?;
            } else if std::fs::symlink_metadata(self.root.join(rel))
                .is_ok_and(|m| m.file_type().is_symlink())
            {
                bail!("{rel} is a symbolic link; mem never writes through links");
            }
            let (tmp, target) = self.temp_with(rel, content)?;
            // Closed now (the path stays, removed if dropped): a batch holds
            // thousands of temp files, more than a process may keep open
            // (`ulimit -n` is often 1024). `syncfs` below needs no handle.
            temps.push((tmp.into_temp_path(), target, rel));
        }
        crate::trace::mark("write: temp files written");
        crate::interrupt::crash_point("temp-files");
        sync_fs(&self.root)?;
        crate::trace::mark("write: synced");
        let finishing = crate::interrupt::finishing();
        crate::interrupt::with_registry(|r| r.forget_file(&journal));
        for (tmp, target, rel) in temps {
            persist(tmp, &target).with_context(|| format!("writing {rel}"))?;
        }
        sync_fs(&self.root)?;
        Ok(finishing)
    }

    /// Moves a file inside the tree (folders created, never through links).
    pub(crate) fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.ensure_parent(to)?;
        if self.abs(to).exists() {
            bail!("{to} already exists; choose another destination");
        }
        self.journal(&[from, to])?;
        std::fs::rename(self.abs(from), self.abs(to))
            .with_context(|| format!("moving {from} to {to}"))?;
        self.prune_empty_dirs(from);
        Ok(())
    }

    /// Removes a file inside the tree (journaled; a missing file is no
    /// error) and the folders it leaves empty.
    pub(crate) fn remove_file(&self, rel: &str) -> Result<()> {
        self.journal(&[rel])?;
        match std::fs::remove_file(self.abs(rel)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {rel}")),
        }
        self.prune_empty_dirs(rel);
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
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|s| !taken(s))
            .unwrap()
    }
}

/// Where a file below the root belongs: Ok(Some) an entry, Ok(None) a
/// file mem knows and skips, Err a stray with the reason.
/// An entry file found by `Tree::walk`, with its stat when asked for.
#[derive(Debug, Clone)]
pub struct Found {
    /// Path relative to the tree root, with `.md` (`_archive/…` when archived).
    pub rel: String,
    pub archived: bool,
    pub size: u64,
    /// Modification time, ns since the epoch.
    pub mtime: i128,
}

impl Found {
    pub fn file(&self) -> Option<EntryFile> {
        let inner = if self.archived {
            self.rel.strip_prefix(ARCHIVE_DIR)?.strip_prefix('/')?
        } else {
            &self.rel
        };
        EntryPath::parse(inner).ok().map(|path| EntryFile {
            path,
            archived: self.archived,
        })
    }
}

fn gitignore_of(root: &Path, file: &Path) -> Option<ignore::gitignore::Gitignore> {
    if !file.is_file() {
        return None;
    }
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    b.add(file);
    b.build().ok().filter(|g| !g.is_empty())
}

/// A topic folder to read (the walk's unit of parallel work).
struct Job {
    abs: PathBuf,
    segs: Vec<String>,
    in_archive: bool,
    ignores: Vec<ignore::gitignore::Gitignore>,
}

struct Walker {
    archived: bool,
    with_stat: bool,
    found: Vec<Found>,
    strays: Vec<Stray>,
    /// Ignore rules in force, outermost first.
    ignores: Vec<ignore::gitignore::Gitignore>,
    /// Topic folders left for `walk` to read.
    jobs: Vec<Job>,
    /// Queue topic folders as jobs instead of reading them (first pass).
    defer_jobs: bool,
}

impl Walker {
    fn empty_like(&self) -> Walker {
        Walker {
            archived: self.archived,
            with_stat: self.with_stat,
            found: Vec::new(),
            strays: Vec::new(),
            ignores: Vec::new(),
            jobs: Vec::new(),
            defer_jobs: false,
        }
    }

    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        for g in self.ignores.iter().rev() {
            match g.matched(path, is_dir) {
                ignore::Match::None => continue,
                m => return m.is_ignore(),
            }
        }
        false
    }

    /// Reads one folder; `segs` are its path segments below the root.
    /// Folders two levels below the domains' parent (topics) are queued as
    /// jobs when `defer` is on, read right away otherwise.
    fn dir(&mut self, abs: &Path, segs: &mut Vec<String>, in_archive: bool) {
        let Ok(rd) = std::fs::read_dir(abs) else {
            return;
        };
        let mut items: Vec<(String, std::fs::DirEntry, std::fs::FileType)> = Vec::new();
        for d in rd.flatten() {
            let Ok(ft) = d.file_type() else { continue };
            match d.file_name().into_string() {
                Ok(name) => items.push((name, d, ft)),
                // Not an entry mem can name; said, not skipped in silence
                // (top-level and ignored names aside, as for other names).
                Err(raw) if segs.is_empty() || self.ignored(&abs.join(&raw), ft.is_dir()) => {}
                Err(raw) => self.strays.push(Stray {
                    rel: format!(
                        "{}{}",
                        segs.iter().map(|s| format!("{s}/")).collect::<String>(),
                        raw.to_string_lossy()
                    ),
                    why:
                        "the name is not valid UTF-8: mem neither reads nor indexes it (rename it)"
                            .into(),
                }),
            }
        }
        // Folders sort as `name/`: a depth-first walk then lists full paths
        // in byte order (what the index manifest relies on).
        fn key<'a>(name: &'a str, ft: &std::fs::FileType) -> impl Iterator<Item = u8> + 'a {
            name.bytes().chain(ft.is_dir().then_some(b'/'))
        }
        items.sort_unstable_by(|a, b| key(&a.0, &a.2).cmp(key(&b.0, &b.2)));
        let depth = segs.len();
        let pushed = depth > 0
            && items
                .iter()
                .any(|(n, _, ft)| n == ".gitignore" && ft.is_file())
            && match gitignore_of(abs, &abs.join(".gitignore")) {
                Some(g) => {
                    self.ignores.push(g);
                    true
                }
                None => false,
            };
        // Folder segments below the root (without `_archive`), checked once
        // for the whole folder rather than once per file.
        let inner_dirs: Vec<String> = segs[(in_archive as usize).min(segs.len())..].to_vec();
        let folder_ok = inner_dirs.iter().all(|s| segment_problem(s).is_none());
        let mut prefix = segs.join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        for (name, dent, ft) in items {
            if depth == 0 && (name == ".git" || name == MEM_DIR) {
                continue;
            }
            if !self.ignores.is_empty() && self.ignored(&abs.join(&name), ft.is_dir()) {
                continue;
            }
            let rel = format!("{prefix}{name}");
            if ft.is_symlink() {
                self.strays.push(Stray {
                    rel,
                    why: "symbolic link: mem neither reads nor writes through links".into(),
                });
                continue;
            }
            if ft.is_dir() {
                if depth == 0 {
                    if name == ARCHIVE_DIR {
                        if !self.archived {
                            continue;
                        }
                    } else if name.starts_with('.') || name.starts_with('_') {
                        continue;
                    }
                } else if depth == 1 && in_archive && name.starts_with('.') {
                    continue;
                }
                let arch = in_archive || (depth == 0 && name == ARCHIVE_DIR);
                let child = abs.join(&name);
                segs.push(name);
                // domain/topic (or _archive/domain/topic): read in parallel later.
                if self.defer_jobs && segs.len() == 2 + arch as usize {
                    self.jobs.push(Job {
                        abs: child,
                        segs: segs.clone(),
                        in_archive: arch,
                        ignores: self.ignores.clone(),
                    });
                } else {
                    self.dir(&child, segs, arch);
                }
                segs.pop();
                continue;
            }
            // Top-level files (README.md, .gitignore, …) are not part of the tree.
            if depth == 0 {
                continue;
            }
            let levels = inner_dirs.len() + 1;
            let valid = folder_ok
                && (3..=4).contains(&levels)
                && !name.starts_with(crate::fsutil::TREE_TMP_PREFIX)
                && name
                    .strip_suffix(".md")
                    .is_some_and(|stem| segment_problem(stem).is_none());
            if !valid {
                let mut all: Vec<&str> = inner_dirs.iter().map(String::as_str).collect();
                all.push(&name);
                match classify(&all) {
                    Ok(None) => continue,
                    Ok(Some(_)) => {} // valid after all
                    Err(why) => {
                        self.strays.push(Stray { rel, why });
                        continue;
                    }
                }
            }
            let (size, mtime) = if self.with_stat {
                match dent.metadata() {
                    Ok(m) => (m.len(), mtime_ns(&m)),
                    Err(_) => continue, // vanished meanwhile
                }
            } else {
                (0, 0)
            };
            self.found.push(Found {
                rel,
                archived: in_archive,
                size,
                mtime,
            });
        }
        if pushed {
            self.ignores.pop();
        }
    }
}

/// Flushes the file system holding `path` (Linux `syncfs`; elsewhere a full
/// `sync`).
fn sync_fs(path: &Path) -> Result<()> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is valid for the duration of the call.
        if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error()).context("syncing the file system");
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        drop(f);
        // SAFETY: sync(2) takes no arguments and cannot fail.
        unsafe { libc::sync() };
    }
    Ok(())
}

/// Renames a temp file of [`Tree::temp_with`] to `target`; from then on an
/// interrupt leaves it alone.
fn persist(tmp: tempfile::TempPath, target: &Path) -> std::io::Result<()> {
    crate::interrupt::with_registry(|r| {
        let path: PathBuf = (*tmp).to_path_buf();
        let res = tmp.persist(target).map(drop).map_err(|e| e.error);
        r.forget_file(&path);
        res
    })
}

/// Modification time in ns since the epoch (0 when unknown).
pub fn mtime_ns(m: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128
}

fn classify(segs: &[&str]) -> std::result::Result<Option<EntryPath>, String> {
    let name = *segs.last().unwrap();
    if name.starts_with(crate::fsutil::TREE_TMP_PREFIX) {
        return Err("leftover temp file from an interrupted write; safe to delete".into());
    }
    if (segs.len() == 2 || segs.len() == 3) && name == OVERVIEW_FILE {
        return Ok(None);
    }
    let Some(stem) = name.strip_suffix(".md") else {
        return Err(
            "not a markdown entry (.md); move it out of the tree or ignore it in .gitignore".into(),
        );
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
    EntryPath::parse(&joined)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The error users see for an unreadable entry: path, line, cause, fix.
pub fn entry_error(rel: &str, e: &ParseError) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: {}; fix the file (e.g. `mem edit {}`) and run `mem doctor`",
        describe_at(rel, e.line),
        e.cause,
        rel.trim_end_matches(".md")
    )
}

fn describe_at(rel: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("front matter of {rel} line {l}"),
        None => format!("front matter of {rel}"),
    }
}

/// The settings a new tree starts with (`.mem/config.toml`).
pub const CONFIG_TEMPLATE: &str = include_str!("../templates/config.toml");
/// What `.mem/.gitignore` leaves out of git: the derived state.
pub const GITIGNORE_TEMPLATE: &str = include_str!("../templates/gitignore");

/// Creates a tree in `dir` as `mem init` does, quietly (synthetic trees and
/// the eval harnesses); `label` goes in the commit message.
pub fn init_tree(dir: &std::path::Path, label: &str) -> Result<Tree> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let root = dir.canonicalize()?;
    let mem = root.join(MEM_DIR);
    std::fs::create_dir_all(&mem)?;
    std::fs::write(mem.join("config.toml"), CONFIG_TEMPLATE)?;
    std::fs::write(mem.join(".gitignore"), GITIGNORE_TEMPLATE)?;
    let git = Git::open_or_init(&root)?;
    let cfg = crate::config::Config::load(Some(&root))?;
    // Entries merge with mem's driver (`git pull` included).
    crate::git::ensure_merge_driver(git.repo(), &root)?;
    git.commit(
        &[
            Change::Write(".mem/config.toml".into()),
            Change::Write(".mem/.gitignore".into()),
            Change::Write(".gitattributes".into()),
        ],
        &format!("mem: init tree ({label})"),
        &cfg.git,
    )?;
    Tree::find(Some(&root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_with(files: &[&str]) -> (tempfile::TempDir, Tree) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(MEM_DIR)).unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f.as_bytes()).unwrap();
        }
        let root = dir.path().canonicalize().unwrap();
        (
            dir,
            Tree {
                root,
                config: Config::default(),
            },
        )
    }

    #[test]
    fn walk_lists_paths_in_byte_order_with_stats() {
        // `b-c` sorts before `b/` and `b.md`-like names around folders: the
        // manifest comparison depends on the walk's order being byte order.
        let mut files: Vec<String> = Vec::new();
        for topic in ["b", "b-c", "b0", "a9", "ba"] {
            for slug in ["x", "x-y", "x0", "w"] {
                files.push(format!("d/{topic}/{slug}.md"));
                files.push(format!("d-e/{topic}/sub/{slug}.md"));
            }
        }
        files.push("_archive/d/b/old.md".into());
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        let (_d, tree) = tree_with(&refs);
        let (found, strays) = tree.walk(true, true);
        assert!(strays.is_empty(), "{strays:?}");
        let rels: Vec<String> = found.iter().map(|f| f.rel.clone()).collect();
        let mut sorted = rels.clone();
        sorted.sort();
        assert_eq!(rels, sorted);
        assert_eq!(rels.len(), files.len());
        for f in &found {
            assert_eq!(f.size, f.rel.len() as u64, "{}", f.rel);
            assert!(f.mtime > 0);
        }
        assert!(
            found
                .iter()
                .any(|f| f.archived && f.rel == "_archive/d/b/old.md")
        );
        // Without the archive, and as EntryFiles.
        let (live, _) = tree.scan(false);
        assert_eq!(live.len(), files.len() - 1);
    }

    #[test]
    fn walk_reports_strays_and_skips_hidden_and_reserved_folders() {
        let (_d, tree) = tree_with(&[
            "d/t/ok.md",
            "d/t/notes.txt",
            "d/t/Bad Name.md",
            "d/t/a/b/c/deep.md",
            "d/top.md",
            ".hidden/t/x.md",
            "_reserved/t/x.md",
            "README.md",
        ]);
        let (found, strays) = tree.walk(false, false);
        assert_eq!(
            found.iter().map(|f| f.rel.as_str()).collect::<Vec<_>>(),
            vec!["d/t/ok.md"]
        );
        let stray_rels: Vec<&str> = strays.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(
            stray_rels,
            vec![
                "d/t/Bad Name.md",
                "d/t/a/b/c/deep.md",
                "d/t/notes.txt",
                "d/top.md"
            ]
        );
    }
}

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

/// The clock of every command a test runs (`MEM_NOW`), unless the test
/// sets another: the same test gives the same files and output every run.
pub const TEST_NOW: &str = "2026-06-01T12:00:00Z";

/// A hermetic environment: its own HOME, a fresh tree, no user config,
/// no models, a fixed clock.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        let env = Self { dir, root };
        env.mem().arg("init").arg(&env.root).assert().success();
        env
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `mem` with a cleared environment, running inside the tree.
    pub fn mem(&self) -> Command {
        let mut c = Command::cargo_bin("mem").unwrap();
        std::fs::create_dir_all(self.home()).unwrap();
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_DATA_HOME", self.home().join(".local/share"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("MEM_EMBEDDER", "none")
            .env("MEM_GENERATOR", "none")
            .env("MEM_NOW", TEST_NOW)
            .env("NO_COLOR", "1");
        if self.root.exists() {
            c.current_dir(&self.root);
        } else {
            c.current_dir(self.dir.path());
        }
        c
    }

    /// Runs `mem ARGS --json` and parses each stdout line.
    pub fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let out = self.mem().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "mem {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse_lines(&out.stdout)
    }

    /// Writes an entry without curation (`--raw`): a fixture for tests of
    /// the index, git and the other verbs, where synthetic look-alike texts
    /// ("note number 1", "note number 10") must stay separate entries.
    /// Curation has its own tests (curate.rs).
    pub fn add(&self, text: &str, at: &str) -> serde_json::Value {
        self.json(&["add", "--raw", text, "--at", at]).remove(0)
    }

    /// [`Self::add`] observed at `observed`: the entry's path.
    pub fn add_observed(&self, text: &str, at: &str, observed: &str) -> String {
        self.json(&["add", "--raw", text, "--at", at, "--observed", observed])
            .remove(0)["path"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    /// Every file under the tree (excluding .git and .mem) with contents.
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(&self.root)
            .into_iter()
            .filter_entry(|e| e.file_name() != ".git")
            .flatten()
        {
            if e.file_type().is_file() {
                out.push((e.path().to_path_buf(), std::fs::read(e.path()).unwrap()));
            }
        }
        out
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.root, args)
    }

    /// `git ARGS` in `dir` (another repository than the tree's), with this
    /// environment's home; its stdout.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.home())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }
}

/// Asserts that a command succeeded, showing its stderr when it did not.
pub fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn parse_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// `mem ARGS` started in the background (stdin closed, output piped), with
/// the environment of [`Env::mem`] plus `vars`.
pub fn spawn_mem(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Child {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("mem"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.home())
        .env("XDG_CONFIG_HOME", env.home().join(".config"))
        .env("XDG_DATA_HOME", env.home().join(".local/share"))
        .env("XDG_CACHE_HOME", env.home().join(".cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEM_EMBEDDER", "none")
        .env("MEM_GENERATOR", "none")
        .env("MEM_NOW", TEST_NOW)
        .env("NO_COLOR", "1")
        .current_dir(&env.root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        c.env(k, v);
    }
    c.spawn().unwrap()
}

//! `mem sync` and the merge driver with real git repositories: a bare
//! remote on disk and two clones.

use crate::common::*;
use std::path::{Path, PathBuf};

struct Team {
    env: Env,
    remote: PathBuf,
    b: PathBuf,
}

impl Team {
    /// The env's tree is clone A (pushed first); B is a `git clone` of the remote.
    fn new() -> Self {
        let env = Env::new();
        std::fs::write(
            env.home().join(".gitconfig"),
            "[user]\n\tname = Tester\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        let remote = env.dir.path().join("remote.git");
        init_bare(&env, &remote);
        env.mem()
            .args(["remote", "add", "origin"])
            .arg(&remote)
            .assert()
            .success();
        let ls = env.json(&["remote", "ls"]);
        assert_eq!(ls[0]["name"], "origin");
        assert_eq!(ls[0]["url"], remote.to_str().unwrap());
        env.mem()
            .args(["remote", "add", "origin", "/elsewhere"])
            .assert()
            .failure();
        let t = Self {
            b: env.dir.path().join("b"),
            env,
            remote,
        };
        t.sync_a();
        t.env.git_in(
            t.env.dir.path(),
            &["clone", "-q", t.remote.to_str().unwrap(), "b"],
        );
        t.sync_b();
        t
    }
    /// A, B, and a third clone C (synced once: the driver is registered).
    fn three_clones(&self) -> Vec<PathBuf> {
        let c = self.env.dir.path().join("c");
        self.env.git_in(
            self.env.dir.path(),
            &["clone", "-q", self.remote.to_str().unwrap(), "c"],
        );
        self.sync_in(&c);
        vec![self.a().to_path_buf(), self.b.clone(), c]
    }
    /// An entry added in A and synced to B: its path.
    fn shared(&self, text: &str, at: &str) -> String {
        let p = self.add_in(self.a(), text, at);
        self.sync_a();
        self.sync_b();
        p
    }
    fn a(&self) -> &Path {
        &self.env.root
    }
    fn mem_in(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        let mut c = self.env.mem();
        c.current_dir(dir).args(args);
        c.output().unwrap()
    }
    fn sync_in(&self, dir: &Path) -> serde_json::Value {
        let out = self.mem_in(dir, &["sync", "--json"]);
        ok(&out);
        parse_lines(&out.stdout).remove(0)
    }
    fn sync_a(&self) -> serde_json::Value {
        self.sync_in(self.a())
    }
    fn sync_b(&self) -> serde_json::Value {
        self.sync_in(&self.b)
    }
    fn add_in(&self, dir: &Path, text: &str, at: &str) -> String {
        let out = self.mem_in(dir, &["add", "--raw", text, "--at", at, "--json"]);
        ok(&out);
        parse_lines(&out.stdout)[0]["path"]
            .as_str()
            .unwrap()
            .to_string()
    }
    /// Every file of a clone (not .git), with contents.
    fn files(&self, dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_entry(|e| {
                e.file_name() != ".git" && e.file_name() != "index" && e.file_name() != "state"
            })
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read_to_string(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    }
}

fn no_markers(files: &[(String, String)]) {
    for (p, t) in files {
        assert!(
            !t.contains("<<<<<<<") && !t.contains(">>>>>>>"),
            "conflict markers in {p}"
        );
    }
}

#[test]
fn two_clones_exchange_entries_and_converge() {
    let t = Team::new();
    let pa = t.add_in(
        t.a(),
        "The billing database runs Postgres 16.",
        "engineering/billing",
    );
    let pb = t.add_in(
        &t.b,
        "The staging deploy runs nightly at 1am.",
        "operations/deploys",
    );
    let ra = t.sync_a();
    assert_eq!(ra["pushed"], true, "{ra}");
    let rb = t.sync_b();
    assert_eq!(rb["merge"], "merged", "{rb}");
    assert_eq!(rb["came_in"]["added"], serde_json::json!([pa]), "{rb}");
    let ra = t.sync_a();
    assert_eq!(ra["merge"], "fast-forward", "{ra}");
    assert_eq!(ra["came_in"]["added"], serde_json::json!([pb]), "{ra}");
    assert_eq!(t.files(t.a()), t.files(&t.b));
    // Recall right after sync sees what came in.
    let hits = t.env.json(&["recall", "staging", "deploy"]);
    assert_eq!(hits[0]["path"], pb.as_str());
    // Nothing new: up to date, nothing pushed.
    let again = t.sync_a();
    assert_eq!(again["merge"], "up-to-date");
    assert_eq!(again["pushed"], false);
    t.env.git_in(&t.remote, &["fsck", "--strict"]);
}

#[test]
fn a_lock_an_interrupted_push_left_in_the_remote_does_not_block_the_next_push() {
    let t = Team::new();
    // A push killed inside the remote (the crash soak does it) leaves the
    // branch's lock file behind.
    let lock = t.remote.join("refs/heads/main.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(&lock, b"").unwrap();
    t.add_in(
        t.a(),
        "The billing database runs Postgres 16.",
        "engineering/billing",
    );
    let out = t.env.mem().args(["sync", "--json"]).output().unwrap();
    ok(&out);
    let r = &parse_lines(&out.stdout)[0];
    assert_eq!(r["pushed"], true, "{r}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("main.lock"), "{err}");
    assert!(!lock.exists());
    t.env.git_in(&t.remote, &["fsck", "--strict"]);
}

#[test]
fn edits_to_one_entry_on_both_sides_merge_field_by_field_and_line_by_line() {
    let t = Team::new();
    let p = t.shared(
        "Build notes.\n\nThe build needs cmake.\n\nIt also needs clang.",
        "engineering/build",
    );
    let file = format!("{p}.md");
    // A changes a tag line and the first body line; B the last body line.
    let a_text = std::fs::read_to_string(t.a().join(&file)).unwrap();
    std::fs::write(
        t.a().join(&file),
        a_text
            .replace("tags: []", "tags: [ci]")
            .replace("needs cmake.", "needs cmake 3.28."),
    )
    .unwrap();
    let b_text = std::fs::read_to_string(t.b.join(&file)).unwrap();
    std::fs::write(
        t.b.join(&file),
        b_text.replace("needs clang.", "needs clang 18."),
    )
    .unwrap();
    let ra = t.sync_a();
    assert_eq!(ra["committed_pending"], 1, "{ra}");
    let rb = t.sync_b();
    assert_eq!(rb["merge"], "merged", "{rb}");
    t.sync_a();
    let merged = std::fs::read_to_string(t.b.join(&file)).unwrap();
    assert!(
        merged.contains("cmake 3.28") && merged.contains("clang 18"),
        "{merged}"
    );
    assert_eq!(rb["siblings"], serde_json::json!([]));
    assert_eq!(t.files(t.a()), t.files(&t.b));
    no_markers(&t.files(&t.b));
}

#[test]
fn overlapping_edits_become_two_related_entries_without_markers() {
    let t = Team::new();
    let p = t.shared("The team standup is at 9:30.", "team/rituals");
    let file = format!("{p}.md");
    for (dir, time) in [(t.a().to_path_buf(), "9:45"), (t.b.clone(), "10:00")] {
        let s = std::fs::read_to_string(dir.join(&file)).unwrap();
        std::fs::write(dir.join(&file), s.replace("at 9:30", &format!("at {time}"))).unwrap();
    }
    t.sync_a();
    let rb = t.sync_b();
    let sib = rb["siblings"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{rb}"))
        .to_string();
    t.sync_a();
    let files = t.files(&t.b);
    no_markers(&files);
    assert_eq!(t.files(t.a()), files);
    let kept = std::fs::read_to_string(t.b.join(&file)).unwrap();
    let other = std::fs::read_to_string(t.b.join(format!("{sib}.md"))).unwrap();
    // B's own version stays in the file; A's is the sibling.
    assert!(
        kept.contains("10:00") && kept.contains("curation: review"),
        "{kept}"
    );
    assert!(
        other.contains("9:45") && other.contains("rel: contradicts") && other.contains(&p),
        "{other}"
    );
    let hits = t.env.json(&["recall", "standup"]);
    assert_eq!(hits.len(), 2, "both versions are found: {hits:?}");
    let waiting = t.env.json(&["review"]);
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    t.env.mem().args(["doctor", "--strict"]).assert().success();
}

#[test]
fn one_fact_changed_to_two_values_on_two_sides_waits_for_review() {
    let t = Team::new();
    let old = t.shared("Alice lives in Berlin.", "people/alice");
    let curated = |dir: &Path, text: &str| -> String {
        let out = t.mem_in(dir, &["add", text, "--at", "people/alice", "--json"]);
        ok(&out);
        let v = parse_lines(&out.stdout).remove(0);
        assert_eq!(v["op"], "superseded", "{v}");
        assert_eq!(v["target"], old.as_str(), "{v}");
        v["path"].as_str().unwrap().to_string()
    };
    let pa = curated(t.a(), "Alice moved from Berlin to Paris.");
    let pb = curated(&t.b, "Alice moved from Berlin to Lisbon.");
    t.sync_a();
    let rb = t.sync_b();
    assert!(rb["notes"].to_string().contains("both superseded"), "{rb}");
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
    // Neither value is taken for the current one unreviewed: both wait,
    // each related to the other.
    for (mine, theirs) in [(&pa, &pb), (&pb, &pa)] {
        let text = std::fs::read_to_string(t.b.join(format!("{mine}.md"))).unwrap();
        assert!(text.contains("curation: review"), "{text}");
        assert!(
            text.contains("rel: contradicts") && text.contains(theirs.as_str()),
            "{text}"
        );
    }
    let waiting = t.env.json(&["review"]);
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    t.env.mem().args(["doctor", "--strict"]).assert().success();
}

/// B adds "The on-call rotation now changes every Wednesday.", which
/// supersedes the shared Monday entry; returns its `--json` line.
fn supersede_rotation_in_b(t: &Team) -> serde_json::Value {
    let out = t.mem_in(
        &t.b,
        &[
            "add",
            "The on-call rotation now changes every Wednesday.",
            "--at",
            "ops/oncall",
            "--json",
        ],
    );
    ok(&out);
    let v = parse_lines(&out.stdout).remove(0);
    assert_eq!(v["op"], "superseded", "{v}");
    v
}

#[test]
fn an_entry_edited_on_one_side_and_superseded_on_the_other_stays_live_for_review() {
    let t = Team::new();
    let old = t.shared("The on-call rotation changes every Monday.", "ops/oncall");
    let file = format!("{old}.md");
    // A corrects the statement by hand (its last line: the body).
    let s = std::fs::read_to_string(t.a().join(&file)).unwrap();
    let at = s.rfind("every Monday").unwrap();
    let edited = format!(
        "{}every Friday{}",
        &s[..at],
        &s[at + "every Monday".len()..]
    );
    std::fs::write(t.a().join(&file), edited).unwrap();
    // B changes the fact with a new entry, which supersedes the old one.
    let v = supersede_rotation_in_b(&t);
    t.sync_a();
    let rb = t.sync_b();
    assert!(
        rb["notes"].to_string().contains("superseded on the other"),
        "{rb}"
    );
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
    let text = std::fs::read_to_string(t.b.join(&file)).unwrap();
    assert!(text.contains("every Friday"), "{text}");
    assert!(!text.contains("valid_to"), "A's edit is not hidden: {text}");
    assert!(text.contains("curation: review"), "{text}");
    let hits = t.env.json(&["recall", "on-call rotation day"]);
    assert!(hits.iter().any(|h| h["path"] == old.as_str()), "{hits:?}");
    // B's new entry waits beside it; approving it is the supersede.
    let newer = v["path"].as_str().unwrap();
    let waiting = t.env.json(&["review"]);
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let ok_ = t.env.json(&["review", "--approve", newer]).remove(0);
    assert_eq!(ok_["superseded"], old.as_str(), "{ok_}");
    let shown = t.env.json(&["show", &old]).remove(0);
    assert!(!shown["front_matter"]["valid_to"].is_null(), "{shown}");
}

#[test]
fn an_entry_pulled_in_a_merge_keeps_its_history() {
    let t = Team::new();
    t.add_in(
        t.a(),
        "The release train leaves on Thursdays.",
        "team/rituals",
    );
    let theirs = t.add_in(
        &t.b,
        "Demo day is the last Friday of the month.",
        "team/rituals",
    );
    t.sync_b();
    t.sync_a(); // a merge commit whose first parent is A's own
    let out = t.mem_in(t.a(), &["log", &theirs, "--json"]);
    ok(&out);
    let items = parse_lines(&out.stdout);
    assert!(
        items
            .iter()
            .any(|i| i["message"].as_str().unwrap_or("").starts_with("mem: add")),
        "the commit that wrote it: {items:?}"
    );
    assert!(
        !items
            .iter()
            .any(|i| i["message"].as_str().unwrap_or("").contains("merge")),
        "a merge that only took it changed nothing: {items:?}"
    );
}

#[test]
fn an_edit_wins_over_a_forget_and_the_entry_stays_live() {
    let t = Team::new();
    let p = t.shared("The VPN endpoint is vpn1.example.com.", "infra/network");
    ok(&t.mem_in(t.a(), &["forget", &p]));
    let file = format!("{p}.md");
    let s = std::fs::read_to_string(t.b.join(&file)).unwrap();
    std::fs::write(t.b.join(&file), s.replace("vpn1", "vpn2")).unwrap();
    t.sync_a();
    let rb = t.sync_b();
    assert!(rb["notes"].to_string().contains("stays live"), "{rb}");
    t.sync_a();
    for dir in [t.a().to_path_buf(), t.b.clone()] {
        let live = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(live.contains("vpn2"), "{live}");
        assert!(!dir.join(format!("_archive/{file}")).exists());
    }
}

#[test]
fn a_forget_wins_over_a_valid_to_mem_wrote_on_the_other_side() {
    let t = Team::new();
    let old = t.shared("The on-call rotation changes every Monday.", "ops/oncall");
    ok(&t.mem_in(t.a(), &["forget", &old]));
    // B's new entry supersedes it: mem writes `valid_to` into the old one.
    supersede_rotation_in_b(&t);
    t.sync_a();
    let rb = t.sync_b();
    assert_eq!(rb["came_in"]["archived"], serde_json::json!([old]), "{rb}");
    assert!(
        rb["notes"]
            .to_string()
            .contains("changed only its metadata"),
        "{rb}"
    );
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
    for dir in [t.a().to_path_buf(), t.b.clone()] {
        assert!(!dir.join(format!("{old}.md")).exists(), "the forget holds");
        let archived = std::fs::read_to_string(dir.join(format!("_archive/{old}.md"))).unwrap();
        assert!(
            archived.contains("valid_to"),
            "B's change is kept: {archived}"
        );
    }
    let live: Vec<String> = t
        .env
        .json(&["ls"])
        .iter()
        .map(|e| e["path"].to_string())
        .collect();
    assert!(!live.iter().any(|p| p.contains(&old)), "{live:?}");
}

#[test]
fn an_approval_and_a_rejection_of_one_entry_wait_for_review_again() {
    let t = Team::new();
    let p = t.shared("The deploy window is Tuesday 10am.", "ops/deploys");
    // Held for review (as an agent's write or a sync conflict would be),
    // committed by the sync, on both clones.
    let file = format!("{p}.md");
    let s = std::fs::read_to_string(t.a().join(&file)).unwrap();
    let held = s.replacen(
        "\nkind: fact\n",
        "\nkind: fact\ncuration: review\nreview: an agent's change\n",
        1,
    );
    assert_ne!(held, s);
    std::fs::write(t.a().join(&file), held).unwrap();
    t.sync_a();
    t.sync_b();
    ok(&t.mem_in(t.a(), &["review", "--approve", &p]));
    ok(&t.mem_in(&t.b, &["review", "--reject", &p]));
    t.sync_a();
    let rb = t.sync_b();
    assert!(
        rb["notes"]
            .to_string()
            .contains("approved on one side and rejected"),
        "the sync reports the disagreement: {rb}"
    );
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
    for dir in [t.a().to_path_buf(), t.b.clone()] {
        assert!(!dir.join(format!("_archive/{file}")).exists());
        let out = t.mem_in(&dir, &["review", "--json"]);
        ok(&out);
        let waiting = parse_lines(&out.stdout);
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(waiting[0]["path"], p.as_str());
        assert_eq!(waiting[0]["status"], "review");
        assert!(
            waiting[0]["why"]
                .as_str()
                .unwrap()
                .contains("approved on one side"),
            "{waiting:?}"
        );
    }
    // One decision settles it.
    ok(&t.mem_in(t.a(), &["review", "--approve", &p]));
    t.sync_a();
    t.sync_b();
    let out = t.mem_in(&t.b, &["review", "--json"]);
    assert!(parse_lines(&out.stdout).is_empty());
}

#[test]
fn plain_git_pull_uses_the_merge_driver() {
    let t = Team::new();
    let p = t.shared("Deploys are frozen on Fridays.", "operations/deploys");
    let file = format!("{p}.md");
    let attrs = std::fs::read_to_string(t.b.join(".gitattributes")).unwrap();
    assert!(attrs.contains("*.md merge=mem"), "{attrs}");
    let s = std::fs::read_to_string(t.a().join(&file)).unwrap();
    std::fs::write(t.a().join(&file), s.replace("Fridays", "Fridays after 3pm")).unwrap();
    t.sync_a();
    let s = std::fs::read_to_string(t.b.join(&file)).unwrap();
    std::fs::write(t.b.join(&file), s.replace("Fridays", "Fridays and Mondays")).unwrap();
    t.env.git_in(&t.b, &["commit", "-qam", "hand edit"]);
    // git runs `mem merge-file`: no markers; theirs beside ours.
    let out = std::process::Command::new("git")
        .args(["pull", "--no-rebase", "-q", "origin", "main"])
        .current_dir(&t.b)
        .env("HOME", t.env.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEM_NOW", TEST_NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = std::fs::read_to_string(t.b.join(&file)).unwrap();
    assert!(
        merged.contains("Fridays and Mondays") && !merged.contains("<<<<<<<"),
        "{merged}"
    );
    let sibling = std::fs::read_dir(t.b.join("operations/deploys"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.to_string_lossy().ends_with(".md") && !p.ends_with(file.rsplit('/').next().unwrap())
        })
        .expect("a sibling file beside the entry");
    let other = std::fs::read_to_string(&sibling).unwrap();
    assert!(
        other.contains("after 3pm") && other.contains("contradicts"),
        "{other}"
    );
}

/// Two moves of one entry to different topics are a rename/rename
/// conflict of the tree: `git pull` (merge or rebase) stops, and `mem sync`
/// undoes git's half-done work, merges by mem's rules (one live copy, both
/// edits kept), commits, pushes, and leaves git's state clean.
#[test]
fn a_git_pull_stopped_on_a_tree_conflict_is_finished_by_mem_sync() {
    for mode in ["--no-rebase", "--rebase"] {
        let t = Team::new();
        let p = t.shared("The release checklist lives in the wiki.", "eng/release");
        let slug = p.rsplit('/').next().unwrap().to_string();
        // A moves it and pushes; B moves it elsewhere and edits it.
        ok(&t.mem_in(t.a(), &["mv", &p, "ops/handbook"]));
        t.sync_a();
        ok(&t.mem_in(&t.b, &["mv", &p, "team/process"]));
        let bf = t.b.join(format!("team/process/{slug}.md"));
        let s = std::fs::read_to_string(&bf).unwrap();
        std::fs::write(
            &bf,
            format!("{}\nReviewed by Ana in March.\n", s.trim_end()),
        )
        .unwrap();
        t.env.git_in(&t.b, &["commit", "-qam", "hand edit"]);
        let out = std::process::Command::new("git")
            .args(["pull", mode, "-q", "origin", "main"])
            .current_dir(&t.b)
            .env("HOME", t.env.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains("CONFLICT"),
            "{mode}: {said}"
        );
        let r = t.sync_b();
        let want = if mode == "--rebase" {
            "rebase"
        } else {
            "merge"
        };
        assert_eq!(r["finished_pull"], want, "{r}");
        assert_eq!(r["pushed"], true, "{r}");
        assert_eq!(t.env.git_in(&t.b, &["status", "--porcelain"]), "", "{mode}");
        assert!(!t.b.join(".git/MERGE_HEAD").exists() && !t.b.join(".git/rebase-merge").exists());
        // One live copy, with B's edit; nowhere a marker.
        let files = t.files(&t.b);
        no_markers(&files);
        let copies: Vec<&(String, String)> = files
            .iter()
            .filter(|(f, _)| f.ends_with(&format!("{slug}.md")))
            .collect();
        assert_eq!(copies.len(), 1, "{mode}: {copies:?}");
        assert!(
            copies[0].1.contains("Reviewed by Ana in March."),
            "{mode}: {copies:?}"
        );
        t.sync_a();
        assert_eq!(t.files(t.a()), files, "{mode}");
    }
}

/// A teammate's entry with a secret in it (written by hand, pushed with
/// plain git) comes in through `mem sync`: recall does not print it, doctor
/// warns, and `doctor --fix` redacts it.
#[test]
fn a_secret_pulled_from_a_teammate_is_hidden_from_recall() {
    let t = Team::new();
    let key = "AKIAIOSFODNN7EXAMPLE";
    let f = t.b.join("infra/aws/ci-user.md");
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::write(
        &f,
        format!("---\nid: 01JE00000000000000000SECRT\ntitle: CI deploy user\ncreated: 2026-11-20T10:00:00Z\n---\nThe CI deploy user signs in with key id {key} from the runner.\n"),
    )
    .unwrap();
    t.env.git_in(&t.b, &["add", "-A"]);
    t.env.git_in(&t.b, &["commit", "-qm", "by hand"]);
    t.env.git_in(&t.b, &["push", "-q", "origin", "main"]);
    let r = t.sync_a();
    assert_eq!(r["came_in"]["added"][0], "infra/aws/ci-user", "{r}");
    let out = t.mem_in(
        t.a(),
        &["recall", "CI deploy user signs in", "--tier", "1", "--json"],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("infra/aws/ci-user"), "{said}");
    assert!(
        !said.contains(key) && said.contains("[REDACTED:aws-access-key-id]"),
        "{said}"
    );
    ok(&t.mem_in(t.a(), &["doctor", "--fix"]));
    let now = std::fs::read_to_string(t.a().join("infra/aws/ci-user.md")).unwrap();
    assert!(
        !now.contains(key) && now.contains("id: 01JE00000000000000000SECRT"),
        "{now}"
    );
}

#[test]
fn an_unreachable_remote_fails_cleanly_and_keeps_the_local_commits() {
    let t = Team::new();
    t.add_in(t.a(), "Local only for now.", "notes/misc");
    let head = t.env.git(&["rev-parse", "HEAD"]);
    std::fs::rename(&t.remote, t.env.dir.path().join("moved.git")).unwrap();
    let out = t.mem_in(t.a(), &["sync"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was lost") && err.contains("origin"),
        "{err}"
    );
    assert_eq!(t.env.git(&["rev-parse", "HEAD"]), head);
    std::fs::rename(t.env.dir.path().join("moved.git"), &t.remote).unwrap();
    let r = t.sync_a();
    assert_eq!(r["pushed"], true, "a second sync finishes the job: {r}");
}

/// A sync killed while it wrote to git (crash soak, issue 23) left
/// `index.lock` and a ref lock: the next sync removes them (the marker names
/// a dead mem process) and finishes; a lock with no dead mem owner is left
/// alone and named.
#[test]
fn a_sync_killed_mid_write_does_not_block_the_next_sync() {
    let t = Team::new();
    t.shared("Shared before the crash.", "notes/misc");
    t.add_in(&t.b, "From B after the crash.", "notes/misc");
    t.add_in(t.a(), "From A while B was down.", "notes/misc");
    t.sync_a();
    let git_dir = t.b.join(".git");
    let index_lock = git_dir.join("index.lock");
    let ref_lock = git_dir.join("refs/remotes/origin/main.lock");
    // No marker: someone else's git command holds the lock.
    std::fs::write(&index_lock, b"").unwrap();
    let out = t.mem_in(&t.b, &["sync"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("index.lock"), "{err}");
    assert!(index_lock.exists());
    // The marker of a mem process that has exited: its locks go.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    std::fs::write(git_dir.join("mem-commit.pid"), dead.to_string()).unwrap();
    std::fs::write(&index_lock, b"").unwrap();
    std::fs::write(&ref_lock, b"").unwrap();
    let out = t.mem_in(&t.b, &["sync", "--json"]);
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("index.lock"), "{err}");
    assert!(!index_lock.exists() && !ref_lock.exists());
    assert!(!git_dir.join("mem-commit.pid").exists());
    assert_eq!(parse_lines(&out.stdout)[0]["pushed"], true);
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
}

/// A small random soak (the full size by hand: MEM_SOAK_OPS=300): three
/// clones, random adds, hand edits, forgets, restores, moves and syncs in a
/// seeded order, then rounds of syncs. All clones converge, no conflict
/// markers, no text lost, git fsck and mem doctor clean.
#[test]
fn three_clones_random_operations_converge_without_loss() {
    let t = Team::new();
    let clones = t.three_clones();
    let topics = ["eng/build", "eng/billing", "ops/deploys", "team/people"];
    let mut sync = |dir: &Path| {
        t.sync_in(dir);
    };
    let (ops, counts, texts, warnings) = soak(&t, &clones, 7, &topics, "sync", &mut sync);
    eprintln!(
        "soak: {ops} operations {counts:?}, {texts} texts, all found; doctor: 0 errors, {warnings} relation warning(s) over 3 clones"
    );
}

/// The soaks' run: random operations on the three clones with `sync` (a
/// round of whatever syncs them) every few, two final rounds of `sync` on
/// each, then the checks: the clones hold the same files, no conflict
/// marker, every text written is somewhere, `git fsck --strict` clean,
/// `mem doctor` without errors (a relation whose target moved at the same
/// time on another clone is a warning). Returns the operation count, the
/// operations by kind, the texts written and the relation warnings.
fn soak(
    t: &Team,
    clones: &[PathBuf],
    seed: u64,
    topics: &[&str],
    sync_name: &'static str,
    sync: &mut dyn FnMut(&Path),
) -> (
    usize,
    std::collections::BTreeMap<&'static str, usize>,
    usize,
    usize,
) {
    let (ops, seed) = soak_size(seed);
    let mut rng = seed;
    let mut next = |n: usize| lcg(&mut rng, n);
    // Every text written: it must be somewhere in the final tree.
    let mut texts: Vec<String> = Vec::new();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for i in 0..ops {
        let dir = &clones[next(3)];
        let name = match next(10) {
            0..=7 => match soak_op(t, dir, i, &mut next, topics, &mut texts) {
                Some(name) => name,
                None => continue,
            },
            _ => {
                sync(dir);
                sync_name
            }
        };
        *counts.entry(name).or_default() += 1;
    }
    for _ in 0..2 {
        for d in clones {
            sync(d);
        }
    }
    let fa = t.files(&clones[0]);
    assert_eq!(
        fa,
        t.files(&clones[1]),
        "A and B differ after the final syncs ({counts:?})"
    );
    assert_eq!(
        fa,
        t.files(&clones[2]),
        "A and C differ after the final syncs ({counts:?})"
    );
    no_markers(&fa);
    let all: String = fa
        .iter()
        .map(|(_, s)| s.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for text in &texts {
        assert!(all.contains(text.as_str()), "lost: {text} ({counts:?})");
    }
    let mut warnings = 0;
    for d in clones {
        t.env.git_in(d, &["fsck", "--strict", "--no-progress"]);
        let out = t.mem_in(d, &["doctor", "--json"]);
        assert!(
            out.status.success(),
            "doctor in {}: {}",
            d.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        for p in parse_lines(&out.stdout) {
            if p["severity"] == "warning" {
                assert!(
                    p["problem"].as_str().unwrap_or("").starts_with("relation"),
                    "{p}"
                );
                warnings += 1;
            }
        }
    }
    (ops, counts, texts.len(), warnings)
}

#[test]
fn a_hand_written_note_pulled_from_the_remote_is_recalled_and_doctor_fix_adopts_it() {
    let t = Team::new();
    // A teammate writes two notes in an editor and pushes with plain git.
    let dir = t.b.join("notes/oncall");
    std::fs::create_dir_all(&dir).unwrap();
    let plain = "# On-call rotation\n\nThe on-call rotation changes every Monday at 10:00; Priya owns the pager schedule.\n";
    std::fs::write(dir.join("rotation.md"), plain).unwrap();
    let obsidian = "---\ntags: meeting\ndate: 2024-05-01\nauthor: priya\n---\nRetro: we agreed to freeze deploys during the quarterly audit.\n";
    std::fs::write(dir.join("retro-notes.md"), obsidian).unwrap();
    t.env.git_in(&t.b, &["add", "-A"]);
    t.env.git_in(&t.b, &["commit", "-qm", "notes by hand"]);
    t.env.git_in(&t.b, &["push", "-q", "origin", "main"]);
    let r = t.sync_a();
    let added = r["came_in"]["added"].to_string();
    assert!(
        added.contains("notes/oncall/rotation") && added.contains("notes/oncall/retro-notes"),
        "{r}"
    );
    let hits = t.env.json(&["recall", "pager", "schedule"]);
    assert_eq!(hits[0]["path"], "notes/oncall/rotation", "{hits:?}");
    assert_eq!(hits[0]["title"], "On-call rotation");
    let id = hits[0]["id"].as_str().unwrap().to_string();
    // Another tool's front matter is read: `date:` is when it happened.
    let hits = t.env.json(&[
        "recall",
        "freeze",
        "deploys",
        "audit",
        "--since",
        "2024-04-30",
        "--until",
        "2024-05-02",
    ]);
    assert_eq!(hits[0]["path"], "notes/oncall/retro-notes", "{hits:?}");
    assert_eq!(hits[0]["tags"], serde_json::json!(["meeting"]));
    // The files are not rewritten by reading them.
    assert_eq!(
        std::fs::read_to_string(t.a().join("notes/oncall/rotation.md")).unwrap(),
        plain
    );
    let doc = t.env.json(&["doctor"]);
    assert!(
        doc.iter().any(|p| p["severity"] == "note"
            && p["path"] == "notes/oncall/rotation.md"
            && p["problem"].as_str().unwrap().contains("no front matter")),
        "{doc:?}"
    );
    let before = t.env.commit_count();
    t.env.mem().args(["doctor", "--fix"]).assert().success();
    assert_eq!(
        t.env.commit_count(),
        before + 1,
        "one commit for every note"
    );
    let fixed = std::fs::read_to_string(t.a().join("notes/oncall/rotation.md")).unwrap();
    assert!(
        fixed.starts_with("---\n")
            && fixed.contains(&format!("id: {id}"))
            && fixed.contains("title: On-call rotation"),
        "{fixed}"
    );
    assert!(
        fixed.contains("The on-call rotation changes every Monday"),
        "{fixed}"
    );
    let retro = std::fs::read_to_string(t.a().join("notes/oncall/retro-notes.md")).unwrap();
    assert!(
        retro.contains("author: priya")
            && retro.contains("date: 2024-05-01")
            && retro.contains("observed: 2024-05-01T00:00:00Z"),
        "{retro}"
    );
    let hits = t.env.json(&["recall", "pager", "schedule"]);
    assert_eq!(hits[0]["id"], id.as_str(), "the same id after --fix");
    t.env.mem().args(["doctor", "--strict"]).assert().success();
}

#[test]
fn a_sync_killed_while_writing_files_is_rolled_back_and_redone_without_damage() {
    let t = Team::new();
    let p = t.shared("The on-call phone is in the top drawer.", "team/oncall");
    let file = format!("{p}.md");
    for point in ["sync-marked", "sync-checked-out"] {
        let s = std::fs::read_to_string(t.a().join(&file)).unwrap();
        std::fs::write(
            t.a().join(&file),
            format!("{}\nChecked on {point}.\n", s.trim_end()),
        )
        .unwrap();
        t.sync_a();
        // Killed after the marker (or after the files), before the branch moved.
        let out = t
            .env
            .mem()
            .current_dir(&t.b)
            .env("MEM_TEST_ABORT_AT", point)
            .args(["sync"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: {out:?}");
        assert!(t.b.join(".mem/state/sync-in-progress").is_file());
        // What a kill in the middle of the writes leaves: a file half
        // written, and the next one written beside but not yet renamed.
        std::fs::write(t.b.join(&file), "").unwrap();
        let leftover =
            t.b.join(&file)
                .with_file_name(".mem-tmp-rotation.md-4242-0");
        std::fs::write(&leftover, "half of a file").unwrap();
        // Doctor names the interrupted sync and its fix (exit 2).
        let out = t.mem_in(&t.b, &["doctor", "--json"]);
        assert_eq!(out.status.code(), Some(2), "{point}: {out:?}");
        let found = parse_lines(&out.stdout);
        assert!(
            found.iter().any(|p| p["severity"] == "error"
                && p["path"] == ".mem/state/sync-in-progress"
                && p["fix"].as_str().unwrap_or("").contains("run `mem sync`")),
            "{point}: {found:?}"
        );
        let r = t.sync_b();
        assert_eq!(
            r["committed_pending"], 0,
            "the half-written file is not a hand edit: {r}"
        );
        assert_eq!(r["siblings"], serde_json::json!([]), "{r}");
        let now = std::fs::read_to_string(t.b.join(&file)).unwrap();
        assert!(now.contains(&format!("Checked on {point}.")), "{now}");
        assert!(!t.b.join(".mem/state/sync-in-progress").exists());
        assert!(!leftover.exists(), "{point}: the leftover is removed");
        t.sync_a();
        assert_eq!(t.files(t.a()), t.files(&t.b));
        assert_eq!(t.env.git_in(&t.b, &["status", "--porcelain"]), "");
        ok(&t.mem_in(&t.b, &["doctor"]));
    }
}

/// The soak through plain git (`git pull --no-rebase`, `git pull --rebase`)
/// and the registered merge driver instead of `mem sync`, with the same
/// operations (adds, hand edits, forgets, restores, moves). Git hands
/// file-level conflicts to the driver; a tree-level one (an edit on one
/// side and a forget or move on the other that git does not see as a
/// rename: modify/delete; two moves: rename/rename) stops `git pull`, and
/// `mem sync` finishes that pull.
#[test]
fn three_clones_through_plain_git_pull_and_the_driver_converge_without_markers() {
    let t = Team::new();
    let clones = t.three_clones();
    let git = |dir: &Path, args: &[&str]| -> std::process::Output {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", t.env.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("MEM_NOW", TEST_NOW)
            .output()
            .unwrap()
    };
    // Commit everything, pull (merge or rebase, in turn), push; a rejected
    // push (someone was first) pulls again; a pull git stops is finished
    // by `mem sync`.
    let mut round = 0;
    let (mut pulls, mut finished) = (0, 0);
    let mut plain_sync = |dir: &Path| {
        round += 1;
        let _ = git(dir, &["add", "-A"]);
        let _ = git(dir, &["commit", "-qm", "work"]);
        for _ in 0..5 {
            let mode = if round % 2 == 0 {
                "--rebase"
            } else {
                "--no-rebase"
            };
            pulls += 1;
            let out = git(dir, &["pull", "-q", mode, "origin", "main"]);
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stdout).to_string()
                    + &String::from_utf8_lossy(&out.stderr);
                assert!(
                    err.contains("CONFLICT"),
                    "git pull {mode} in {}: {err}",
                    dir.display()
                );
                let r = t.sync_in(dir);
                let want = if mode == "--rebase" {
                    "rebase"
                } else {
                    "merge"
                };
                assert_eq!(r["finished_pull"], want, "{r}");
                assert_eq!(t.env.git_in(dir, &["status", "--porcelain"]), "");
                finished += 1;
                return;
            }
            // Siblings the driver wrote for overlapping edits.
            let _ = git(dir, &["add", "-A"]);
            let _ = git(dir, &["commit", "-qm", "siblings of overlapping edits"]);
            if git(dir, &["push", "-q", "origin", "main"]).status.success() {
                return;
            }
        }
        panic!("push kept failing in {}", dir.display());
    };
    let topics = ["eng/build", "eng/billing", "ops/deploys"];
    let (ops, counts, texts, _) = soak(&t, &clones, 3, &topics, "git pull", &mut plain_sync);
    eprintln!(
        "plain-git soak: {ops} operations {counts:?}, {texts} texts, all found; {pulls} git pulls, {finished} stopped and finished by mem sync"
    );
}

#[test]
fn the_same_id_created_on_both_sides_keeps_both_entries_with_distinct_ids() {
    let t = Team::new();
    let entry = |text: &str| {
        format!(
            "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: {text}\ncreated: 2026-06-01T12:00:00Z\n---\n{text}\n"
        )
    };
    for (dir, path, text) in [
        (
            t.a().to_path_buf(),
            "notes/copied/from-a.md",
            "Copied into A.",
        ),
        (t.b.clone(), "notes/copied/from-b.md", "Copied into B."),
    ] {
        std::fs::create_dir_all(dir.join("notes/copied")).unwrap();
        std::fs::write(dir.join(path), entry(text)).unwrap();
    }
    t.sync_a();
    let r = t.sync_b();
    assert!(
        r["notes"].to_string().contains("created on both sides"),
        "{r}"
    );
    t.sync_a();
    assert_eq!(t.files(t.a()), t.files(&t.b));
    let a = std::fs::read_to_string(t.b.join("notes/copied/from-a.md")).unwrap();
    let b = std::fs::read_to_string(t.b.join("notes/copied/from-b.md")).unwrap();
    assert!(a.contains("Copied into A.") && b.contains("Copied into B."));
    assert_ne!(
        a.lines().find(|l| l.starts_with("id:")),
        b.lines().find(|l| l.starts_with("id:"))
    );
    t.env.mem().args(["doctor", "--strict"]).assert().success();
}

/// One random write of the soaks on a clone: an add, a hand edit, a
/// forget, a restore or a move (`None`: nothing to do, or a valid refusal).
/// Every text written goes into `texts`.
fn soak_op(
    t: &Team,
    dir: &Path,
    i: usize,
    next: &mut dyn FnMut(usize) -> usize,
    topics: &[&str],
    texts: &mut Vec<String>,
) -> Option<&'static str> {
    let entries = live_entries(dir);
    let pick = |next: &mut dyn FnMut(usize) -> usize| -> Option<String> {
        (!entries.is_empty()).then(|| {
            entries[next(entries.len())]
                .trim_end_matches(".md")
                .to_string()
        })
    };
    match next(8) {
        0..=2 => {
            let text = format!(
                "Fact {i}: item {} is stored in bin {}.",
                next(1000),
                next(50)
            );
            t.add_in(dir, &text, topics[next(topics.len())]);
            texts.push(text);
            Some("add")
        }
        3 | 4 => {
            let f = dir.join(format!("{}.md", pick(next)?));
            let s = std::fs::read_to_string(&f).unwrap();
            let line = format!("Edit {i} by hand.");
            std::fs::write(&f, format!("{}\n{line}\n", s.trim_end())).unwrap();
            texts.push(line);
            Some("hand edit")
        }
        5 => {
            ok(&t.mem_in(dir, &["forget", &pick(next)?]));
            Some("forget")
        }
        6 => {
            let arch = live_entries(&dir.join("_archive"));
            if arch.is_empty() {
                return None;
            }
            let p = arch[next(arch.len())].trim_end_matches(".md").to_string();
            // A refusal (the live path is taken again) is valid.
            t.mem_in(dir, &["restore", &p])
                .status
                .success()
                .then_some("restore")
        }
        _ => {
            let p = pick(next)?;
            let to = topics[next(topics.len())];
            t.mem_in(dir, &["mv", &p, to])
                .status
                .success()
                .then_some("mv")
        }
    }
}

/// `MEM_SOAK_OPS` (default 60) and `MEM_SOAK_SEED` (default `seed`).
fn soak_size(seed: u64) -> (usize, u64) {
    let var = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    (
        var("MEM_SOAK_OPS").unwrap_or(60) as usize,
        var("MEM_SOAK_SEED").unwrap_or(seed),
    )
}

/// A seeded pick below `n` (a linear congruential generator).
fn lcg(state: &mut u64, n: usize) -> usize {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*state >> 33) as usize) % n.max(1)
}

/// The live entry files of a clone (no hidden folders, no archive).
fn live_entries(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || (!e.file_name().to_string_lossy().starts_with('.')
                    && e.file_name() != "_archive")
        })
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

/// What a first sync says: with no remote, how to add one (mem's own
/// verb); a remote path that does not exist, named as such (libgit2 calls
/// it an unsupported protocol); the first push counts every commit.
#[test]
fn a_first_sync_names_a_missing_remote_and_counts_what_it_pushed() {
    let env = Env::new();
    std::fs::write(
        env.home().join(".gitconfig"),
        "[user]\n\tname = Tester\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    env.add("The deploy window is Tuesday morning.", "ops/deploys");
    env.add("Backups run at 02:00.", "ops/backups");
    let out = env.mem().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mem remote add origin"), "{err}");

    let missing = env.dir.path().join("nowhere/team.git");
    let out = env
        .mem()
        .args(["remote", "add", "origin"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist yet"), "{err}");
    let out = env.mem().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("folder that does not exist") && err.contains("nothing was lost"),
        "{err}"
    );
    assert!(!err.contains("unsupported URL protocol"), "{err}");
    // A relative path, there or not, is stored absolute and tidy.
    let out = env
        .mem()
        .current_dir(env.root.join("ops"))
        .args([
            "remote",
            "add",
            "typo",
            "../../nowhere/../elsewhere/team.git",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let url = env.git(&["remote", "get-url", "typo"]);
    assert_eq!(
        url.trim(),
        env.dir.path().join("elsewhere/team.git").to_str().unwrap(),
        "{url}"
    );
    // An unknown remote name: said plainly, with the ones there are.
    let out = env
        .mem()
        .args(["sync", "--remote", "nosuch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no remote named nosuch") && err.contains("origin, typo"),
        "{err}"
    );
    assert!(!err.contains("class="), "{err}");

    init_bare(&env, &missing);
    let commits = env.commit_count();
    let r = env.json(&["sync"]).remove(0);
    assert_eq!(r["pushed"], true, "{r}");
    assert_eq!(r["went_out"], commits as u64, "every commit went out: {r}");
}

#[test]
fn a_tree_made_on_master_syncs_on_the_branch_of_a_remote_on_main() {
    // `mem init` without `init.defaultBranch`: git's default, master.
    let env = Env::new();
    assert_eq!(env.git(&["branch", "--show-current"]).trim(), "master");
    let dir = env.dir.path();
    let remote = dir.join("remote.git");
    bare_on_main(&env, &remote);
    // A teammate's clone pushes an entry on main.
    env.git_in(dir, &["clone", "-q", remote.to_str().unwrap(), "mate"]);
    let mate = dir.join("mate");
    let in_mate = |args: &[&str]| {
        let out = env.mem().current_dir(&mate).args(args).output().unwrap();
        ok(&out);
        out
    };
    in_mate(&["init"]);
    in_mate(&[
        "add",
        "--raw",
        "The deploy key lives in the vault.",
        "--at",
        "ops/deploys",
    ]);
    in_mate(&["sync"]);
    add_origin(&env, &remote);
    env.add("Billing runs on Postgres 16.", "eng/billing");
    let r = env.json(&["sync"]).remove(0);
    assert_eq!(r["branch"], "main", "{r}");
    assert_eq!(
        r["came_in"]["added"],
        serde_json::json!(["ops/deploys/the-deploy-key-lives-in-the-vault"]),
        "{r}"
    );
    assert!(r["notes"].to_string().contains("never pushed"), "{r}");
    assert_eq!(env.git(&["branch", "--show-current"]).trim(), "main");
    let branches = env.git_in(&remote, &["branch", "--format=%(refname:short)"]);
    assert_eq!(branches.trim(), "main", "no second branch on the remote");
    // The branch tracks what it was pushed to: a plain `git pull` works.
    assert_eq!(
        env.git(&["rev-parse", "--abbrev-ref", "@{upstream}"])
            .trim(),
        "origin/main"
    );
    let out = in_mate(&["sync", "--json"]);
    let m = parse_lines(&out.stdout).remove(0);
    assert_eq!(
        m["came_in"]["added"],
        serde_json::json!(["eng/billing/billing-runs-on-postgres-16"]),
        "{m}"
    );

    // An empty remote made for main: the first push goes there, so that a
    // clone checks it out.
    let env = Env::new();
    let dir = env.dir.path();
    let empty = dir.join("empty.git");
    bare_on_main(&env, &empty);
    add_origin(&env, &empty);
    let r = env.json(&["sync"]).remove(0);
    assert_eq!(r["branch"], "main", "{r}");
    env.git_in(dir, &["clone", "-q", empty.to_str().unwrap(), "c"]);
    assert!(
        dir.join("c/.mem/config.toml").is_file(),
        "the clone checked main out"
    );
}

/// A bare repository at `path` whose branch is main.
fn bare_on_main(env: &Env, path: &std::path::Path) {
    env.git_in(
        env.dir.path(),
        &["init", "--bare", "-q", "-b", "main", path.to_str().unwrap()],
    );
}

/// `mem remote add origin PATH` in the tree.
fn add_origin(env: &Env, path: &std::path::Path) {
    env.mem()
        .args(["remote", "add", "origin"])
        .arg(path)
        .assert()
        .success();
}

/// A bare repository at `path` (branch main), and the tree's branch named
/// main to match.
fn init_bare(env: &Env, path: &std::path::Path) {
    bare_on_main(env, path);
    env.git(&["branch", "-M", "main"]);
}

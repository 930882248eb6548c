//! Concurrent writers serialise on the tree lock: nothing lost, git intact.

use crate::common::*;

#[test]
fn four_processes_times_100_adds() {
    let env = Env::new();
    let per = std::env::var("MEM_TEST_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100usize);
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let root = env.root.clone();
            let home = env.home();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..per {
                    let out = assert_cmd::Command::cargo_bin("mem")
                        .unwrap()
                        .env_clear()
                        .env("PATH", std::env::var("PATH").unwrap_or_default())
                        .env("HOME", &home)
                        .env("GIT_CONFIG_NOSYSTEM", "1")
                        .env("MEM_EMBEDDER", "none")
                        .env("MEM_GENERATOR", "none")
                        .current_dir(&root)
                        .args([
                            "add",
                            "--raw",
                            &format!("worker {w} fact number {i}"),
                            "--at",
                            &format!("load/w{}", w % 2),
                        ])
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).to_string());
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} adds failed, first: {}",
        failures.len(),
        failures[0]
    );
    let ls = env.json(&["ls"]);
    assert_eq!(ls.len(), 4 * per);
    assert_eq!(env.commit_count(), 4 * per + 1);
    env.git(&["fsck", "--strict"]);
    assert!(env.git(&["status", "--porcelain"]).trim().is_empty());
    let doc = env.json(&["doctor"]);
    assert_eq!(doc.last().unwrap()["errors"], 0);
    assert_eq!(doc.last().unwrap()["warnings"], 0);
}

#[test]
fn a_held_lock_times_out_naming_the_owner() {
    let env = Env::new();
    // Hold the lock from this process.
    let state = env.root.join(".mem/state");
    let _lock = mem::lock::WriteLock::acquire(&state, std::time::Duration::from_secs(1)).unwrap();
    let out = env
        .mem()
        .env("MEM_LOCK_TIMEOUT_MS", "300")
        .args(["add", "blocked", "--at", "a/b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("locked by pid {}", std::process::id())),
        "{err}"
    );
    assert!(!env.root.join("a").exists());
}

/// A mem process killed while committing leaves git's lock files behind;
/// the next add recognises them by mem's commit marker (whose owner is
/// dead) and recovers. A lock file without the marker is someone else's
/// (a running `git`): mem leaves it alone and says what is in the way.
#[test]
fn a_commit_killed_midway_does_not_block_the_next_add() {
    let env = Env::new();
    env.add("first fact before the crash", "crash/test");
    let git_dir = env.root.join(".git");
    let branch = env.git(&["symbolic-ref", "HEAD"]);
    let ref_lock = git_dir.join(format!("{}.lock", branch.trim()));
    // Someone else's lock: refused with the file named, nothing removed.
    std::fs::write(&ref_lock, b"").unwrap();
    let out = env
        .mem()
        .args([
            "add",
            "--raw",
            "blocked by a running git",
            "--at",
            "crash/test",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&*ref_lock.to_string_lossy()), "{err}");
    assert!(err.contains("but not committed"), "{err}");
    assert!(ref_lock.exists());
    // A dead mem process's lock: the marker names a pid that has exited.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    std::fs::write(git_dir.join("mem-commit.pid"), dead.to_string()).unwrap();
    std::fs::write(&ref_lock, b"").unwrap();
    std::fs::write(git_dir.join("index.lock"), b"").unwrap();
    assert_eq!(env.git(&["status", "--porcelain"]).lines().count(), 1);
    let before = env.commit_count();
    env.add("second fact after the crash", "crash/test");
    assert!(!ref_lock.exists());
    assert!(!git_dir.join("index.lock").exists());
    assert!(!git_dir.join("mem-commit.pid").exists());
    // The blocked add's file was committed first (its own commit, saying
    // so), then the new add: nothing is left uncommitted.
    assert_eq!(env.commit_count(), before + 2);
    assert!(
        env.git(&["log", "-2", "--format=%s"])
            .contains("interrupted write")
    );
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    assert!(!env.root.join(".mem/state/uncommitted").exists());
}

/// A writer killed after its commit but before it updated git's index (and
/// cleared its journal): the next writer finds nothing to commit for those
/// paths but puts the index back in step, so `git status` is clean.
#[test]
fn a_write_killed_after_its_commit_leaves_git_status_clean() {
    let env = Env::new();
    let a = env.add("the staging cluster runs on arm64", "infra/staging");
    let rel = format!("{}.md", a["path"].as_str().unwrap());
    env.git(&["rm", "--cached", "-q", &rel]);
    std::fs::write(env.root.join(".mem/state/uncommitted"), format!("{rel}\n")).unwrap();
    assert!(!env.git(&["status", "--porcelain"]).trim().is_empty());
    let before = env.commit_count();
    env.add("the production cluster runs on amd64", "infra/production");
    assert_eq!(env.commit_count(), before + 1, "no empty recovery commit");
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
}

/// `mem add TEXT --at AT`, its exit status and output (warnings included).
fn add_output(env: &Env, text: &str, at: &str) -> std::process::Output {
    env.mem().args(["add", text, "--at", at]).output().unwrap()
}

#[test]
fn a_held_git_index_lock_does_not_fail_a_committed_add() {
    let env = Env::new();
    env.add("the staging cluster runs on arm64", "infra/staging");
    let lock = env.root.join(".git/index.lock");
    std::fs::write(&lock, b"").unwrap();
    let before = env.commit_count();
    let out = add_output(
        &env,
        "the production cluster runs on amd64",
        "infra/production",
    );
    // The commit is made, so the add succeeded; git's index lags, and the
    // warning names the lock file.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.commit_count(), before + 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("index.lock"), "{err}");
    std::fs::remove_file(&lock).unwrap();
    assert!(!env.git(&["status", "--porcelain"]).trim().is_empty());
    // The next write brings git's index in step (no extra commit).
    env.add("the dev cluster runs on a laptop", "infra/dev");
    assert_eq!(env.commit_count(), before + 2);
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
}

#[test]
fn an_add_on_a_detached_head_warns() {
    let env = Env::new();
    env.add("the staging cluster runs on arm64", "infra/staging");
    env.git(&["checkout", "-q", "--detach"]);
    let out = add_output(
        &env,
        "the production cluster runs on amd64",
        "infra/production",
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HEAD is detached"), "{err}");
    // On a branch, no such warning.
    env.git(&["checkout", "-q", "-B", "main"]);
    let out = add_output(&env, "the dev cluster runs on a laptop", "infra/dev");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("detached"));
}

/// Every writer goes through one write path (`mem::write`). Killed at each
/// of its steps — batch temp files written, files in place but not
/// committed, committed but the journal not cleared — the next command
/// finds a consistent tree: every entry committed before is intact, the
/// killed write's files are complete or absent (and committed by the next
/// writer), `git status` is clean and `git fsck` finds nothing.
#[test]
fn a_write_killed_at_each_step_of_the_write_path_leaves_a_consistent_tree() {
    for point in ["temp-files", "staged", "committed"] {
        let env = Env::new();
        let keep = env.add("the staging cluster runs on arm64", "infra/staging");
        let keep_rel = format!("{}.md", keep["path"].as_str().unwrap());
        let keep_text = env.read(&keep_rel);
        let moved = env.add("the build cache lives on the ssd", "infra/build");
        let moved_path = moved["path"].as_str().unwrap().to_string();
        let gone = env.add("the old vpn endpoint is vpn1", "infra/network");
        let gone_path = gone["path"].as_str().unwrap().to_string();
        // A bulk ingest (more than 8 files: the batched path with temp
        // files), a plain add, a move, a forget: each killed at `point`.
        let chat = env.dir.path().join("chat.jsonl");
        let lines: String = (0..12)
            .map(|i| format!("{{\"role\":\"user\",\"content\":\"kiwi note number {i}\"}}\n"))
            .collect();
        std::fs::write(&chat, lines).unwrap();
        let chat = chat.to_string_lossy().to_string();
        let writers: Vec<Vec<&str>> = vec![
            vec!["ingest", "--format", "chat-jsonl", &chat, "--no-index"],
            vec![
                "add",
                "--raw",
                "the prod cluster runs on amd64",
                "--at",
                "infra/prod",
            ],
            vec!["mv", &moved_path, "infra/cache"],
            vec!["forget", &gone_path],
        ];
        for args in &writers {
            let before = env.commit_count();
            let out = env
                .mem()
                .args(args)
                .env("MEM_TEST_ABORT_AT", point)
                .output()
                .unwrap();
            let aborted = !out.status.success();
            // The batched-temp point only exists for batches of 9+ files.
            if point != "temp-files" || args[0] == "ingest" {
                assert!(aborted, "{point} {args:?} was not killed");
            }
            // The next command works and commits what the killed one left.
            let next = env.mem().args(["doctor", "--json"]).output().unwrap();
            assert!(
                next.status.code().is_some(),
                "{point} {args:?}: doctor crashed"
            );
            env.add(&format!("after {point} {}", args[0]), "infra/after");
            assert_eq!(
                env.git(&["status", "--porcelain"]).trim(),
                "",
                "{point} {args:?}: uncommitted files remain"
            );
            assert!(env.commit_count() > before, "{point} {args:?}");
            assert!(
                !env.root.join(".mem/state/uncommitted").exists(),
                "{point} {args:?}: journal left"
            );
        }
        assert_eq!(
            env.read(&keep_rel),
            keep_text,
            "{point}: a committed entry changed"
        );
        env.git(&["fsck", "--no-progress"]);
        // No temp file and no half-written entry anywhere.
        for (p, bytes) in env.all_files() {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                !name.starts_with(".mem-tmp-"),
                "{point}: temp file {p:?} left"
            );
            if name.ends_with(".md") && !p.starts_with(env.root.join(".mem")) {
                let text = String::from_utf8(bytes).unwrap();
                assert!(
                    text.starts_with("---\n") && text.matches("\n---\n").count() >= 1,
                    "{point}: {p:?} is not a whole entry:\n{text}"
                );
            }
        }
        // Where the killed writes stopped after their files were in place
        // (`staged`, `committed`), the recovery committed them: the move
        // and the forget are done, and recall sees what is on disk.
        if point != "temp-files" {
            assert!(
                !env.root.join(format!("{moved_path}.md")).exists(),
                "{point}"
            );
            assert!(
                env.root.join(format!("_archive/{gone_path}.md")).exists(),
                "{point}"
            );
            let hits = env.json(&["recall", "kiwi note number 7"]);
            assert!(
                hits.iter()
                    .any(|h| h["snippet"].as_str().unwrap_or("").contains("number 7")),
                "{point}: {hits:?}"
            );
        }
    }
}

/// Curated adds (which read and write the index) in three processes while
/// a fourth recalls without a daemon: every recall answers and no add falls
/// back to an uncurated write. (Before the index took its lock for a second
/// look, a reader that caught a writer between its text commit and its
/// manifest write rebuilt the index under the others: recalls exited 2.)
#[test]
fn recalls_answer_while_processes_add_and_index() {
    let env = Env::new();
    let per = std::env::var("MEM_TEST_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(|n: usize| n / 4)
        .unwrap_or(15usize);
    let run = |args: Vec<String>| {
        assert_cmd::Command::cargo_bin("mem")
            .unwrap()
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", env.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("MEM_EMBEDDER", "none")
            .env("MEM_GENERATOR", "none")
            .env("MEM_AUTO_WATCH", "0")
            .current_dir(&env.root)
            .args(args)
            .output()
            .unwrap()
    };
    env.add(
        "The Kestrel gateway sits in front of every service.",
        "infra/gateway",
    );
    let done = std::sync::atomic::AtomicBool::new(false);
    let (adds, recalls) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let run = &run;
                s.spawn(move || {
                    (0..per)
                        .map(|i| {
                            run(vec![
                                "add".into(),
                                format!(
                                    "Writer {w} note {i}: the Kestrel gateway {w}{i} listens on port {}.",
                                    2000 + w * 100 + i
                                ),
                            ])
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let reader = s.spawn(|| {
            let mut outs = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                outs.push(run(vec![
                    "recall".into(),
                    "gateway".into(),
                    "--tier".into(),
                    "1".into(),
                    "--no-daemon".into(),
                ]));
            }
            outs
        });
        let adds: Vec<_> = writers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (adds, reader.join().unwrap())
    });
    for out in &adds {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("curation failed"),
            "{err}"
        );
    }
    assert!(!recalls.is_empty());
    for out in &recalls {
        assert!(
            out.status.success(),
            "a recall failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let doc = env.json(&["doctor"]);
    assert_eq!(doc.last().unwrap()["errors"], 0);
}

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

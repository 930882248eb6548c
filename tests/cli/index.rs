//! The index and `mem recall`: catch-up after changes from outside, recovery
//! from damage and from killed writers, the JSON contract, filters, the
//! tier cap, the tier-0 cache, and `mem watch` with its socket.

use crate::common::*;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

/// `mem recall ARGS --json`: (exit code, hits).
fn recall(env: &Env, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    recall_with(env, args, &[])
}

fn recall_with(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> (i32, Vec<serde_json::Value>) {
    let mut c = env.mem();
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.arg("recall").args(args).arg("--json").output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "mem recall {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, parse_lines(&out.stdout))
}

fn paths(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

/// `mem recall ARGS --explain`: the stats line from stderr.
fn explain(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> serde_json::Value {
    let mut c = env.mem();
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c
        .arg("recall")
        .args(args)
        .arg("--explain")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no stats in: {err}"));
    serde_json::from_str(line).unwrap()
}

fn file_of(env: &Env, path: &str) -> std::path::PathBuf {
    env.root.join(format!("{path}.md"))
}

/// Replaces `from` by `to` in an entry file, as an editor would.
fn hand_edit(env: &Env, path: &str, from: &str, to: &str) {
    let f = file_of(env, path);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&f, text.replace(from, to)).unwrap();
}

#[test]
fn recall_catches_up_after_hand_edits_deletes_and_renamed_folders() {
    let env = Env::new();
    let a = env
        .json(&[
            "add",
            "The staging database listens on port 5433",
            "--title",
            "Staging database port",
            "--at",
            "eng/db",
        ])
        .remove(0);
    let b = env.add("Deploys need a green pipeline first", "eng/deploy");
    let c = env.add("Retros happen every second Friday", "team/rituals");
    let (code, hits) = recall(&env, &["staging database"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&hits)[0], a["path"].as_str().unwrap());

    // A hand edit: the new word is found, the old one is gone.
    hand_edit(
        &env,
        a["path"].as_str().unwrap(),
        "port 5433",
        "port 6543 behind pgbouncer",
    );
    let (code, hits) = recall(&env, &["pgbouncer"]);
    assert_eq!(code, 0, "hand edit not visible");
    assert_eq!(hits[0]["path"], a["path"]);
    assert!(hits[0]["snippet"].as_str().unwrap().contains("6543"));
    assert_eq!(recall(&env, &["5433"]).0, 1, "old text still indexed");

    // A deleted file disappears.
    std::fs::remove_file(file_of(&env, b["path"].as_str().unwrap())).unwrap();
    assert_eq!(
        recall(&env, &["pipeline"]).0,
        1,
        "deleted entry still found"
    );

    // A renamed folder: the entry is found at its new path.
    std::fs::rename(env.root.join("team"), env.root.join("people")).unwrap();
    let (code, hits) = recall(&env, &["retros friday"]);
    assert_eq!(code, 0);
    let new_path = c["path"].as_str().unwrap().replacen("team/", "people/", 1);
    assert_eq!(paths(&hits), vec![new_path]);
}

#[test]
fn recall_follows_git_checkout_and_pull() {
    let env = Env::new();
    env.add(
        "Kiwi fruit orders go through the vendor portal",
        "ops/vendors",
    );
    let old = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let branch = env
        .git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_string();
    let b = env.add("Mango deliveries arrive on Mondays", "ops/vendors");
    assert_eq!(recall(&env, &["mango"]).0, 0);

    // An older commit: the later entry is gone from disk and from recall.
    env.git(&["checkout", "-q", &old]);
    assert_eq!(
        recall(&env, &["mango"]).0,
        1,
        "entry from a later commit still found after checkout"
    );
    assert_eq!(recall(&env, &["kiwi"]).0, 0);
    env.git(&["checkout", "-q", &branch]);
    let (code, hits) = recall(&env, &["mango"]);
    assert_eq!(code, 0);
    assert_eq!(hits[0]["path"], b["path"]);

    // A pull from a clone that added an entry.
    let other = env.dir.path().join("clone");
    let out = std::process::Command::new("git")
        .args([
            "clone",
            "-q",
            env.root.to_str().unwrap(),
            other.to_str().unwrap(),
        ])
        .env("HOME", env.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    ok(&out);
    env.mem()
        .current_dir(&other)
        .args([
            "add",
            "Papaya stock is checked on Thursdays",
            "--at",
            "ops/vendors",
        ])
        .assert()
        .success();
    env.git(&["fetch", "-q", other.to_str().unwrap(), "HEAD"]);
    env.git(&["merge", "-q", "--ff-only", "FETCH_HEAD"]);
    let (code, hits) = recall(&env, &["papaya"]);
    assert_eq!(code, 0, "pulled entry not found");
    assert!(
        hits[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("ops/vendors/papaya")
    );
}

/// The set of live entry paths on disk, from `mem ls --json`.
fn on_disk(env: &Env) -> BTreeSet<String> {
    let out = env.mem().args(["ls", "--json"]).output().unwrap();
    parse_lines(&out.stdout)
        .iter()
        .filter(|v| v.get("error").is_none())
        .map(|v| v["path"].as_str().unwrap().to_string())
        .collect()
}

/// Every entry in these tests contains "kiwi": recalling it must list them all.
fn recalled(env: &Env, vars: &[(&str, &str)]) -> BTreeSet<String> {
    let (_, hits) = recall_with(env, &["kiwi", "-k", "1000"], vars);
    paths(&hits).into_iter().collect()
}

#[test]
fn a_damaged_index_is_rebuilt_not_an_error() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    for i in 0..12 {
        env.add(
            &format!("kiwi note number {i} about topic {}", i % 3),
            &format!("d/t{}", i % 3),
        );
    }
    let all = on_disk(&env);
    assert_eq!(recalled(&env, &fake), all);
    let idx = env.root.join(".mem/index");
    assert!(idx.join("manifest").is_file() && idx.join("vectors.usearch").is_file());

    type Damage<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let damages: Vec<Damage> = vec![
        (
            "garbage manifest",
            Box::new(|| std::fs::write(idx.join("manifest"), b"{not json").unwrap()),
        ),
        (
            "empty manifest",
            Box::new(|| std::fs::write(idx.join("manifest"), b"").unwrap()),
        ),
        (
            "truncated manifest",
            Box::new(|| {
                let m = std::fs::read(idx.join("manifest")).unwrap();
                std::fs::write(idx.join("manifest"), &m[..m.len() * 2 / 3]).unwrap()
            }),
        ),
        (
            "no tantivy meta.json",
            Box::new(|| std::fs::remove_file(idx.join("text/meta.json")).unwrap()),
        ),
        (
            "garbage tantivy meta.json",
            Box::new(|| std::fs::write(idx.join("text/meta.json"), b"\x00\x01garbage").unwrap()),
        ),
        (
            "garbage vectors",
            Box::new(|| std::fs::write(idx.join("vectors.usearch"), vec![0xAB; 4096]).unwrap()),
        ),
        (
            "truncated vectors",
            Box::new(|| std::fs::write(idx.join("vectors.usearch"), b"").unwrap()),
        ),
        (
            "no index at all",
            Box::new(|| std::fs::remove_dir_all(&idx).unwrap()),
        ),
    ];
    for (what, damage) in damages {
        // Something changed since the index was written, too, so stale
        // results would show.
        let n = env.add(&format!("kiwi note added before: {what}"), "d/late");
        damage();
        let got = recalled(&env, &fake);
        let want = on_disk(&env);
        assert!(want.contains(n["path"].as_str().unwrap()));
        assert_eq!(got, want, "after {what}");
        // And the tier-2 path still works on the repaired index.
        let st = explain(
            &env,
            &["kiwi note number 7 about topic 1", "--tier", "2"],
            &fake,
        );
        assert!(st["generation"].as_u64().is_some(), "{what}: {st}");
        // Lexical-only readers of the same tree are fine as well.
        assert_eq!(recalled(&env, &[]), want, "lexical, after {what}");
    }
    // Damage with nothing else changed: the read path that maps the vectors
    // without copying them must notice too, and the vectors come back.
    let want = on_disk(&env);
    for (what, bytes) in [
        ("garbage", vec![0xAB; 4096]),
        ("half", {
            let v = std::fs::read(idx.join("vectors.usearch")).unwrap();
            v[..v.len() / 2].to_vec()
        }),
    ] {
        assert_eq!(recalled(&env, &fake), want);
        std::fs::write(idx.join("vectors.usearch"), bytes).unwrap();
        assert_eq!(
            recalled(&env, &fake),
            want,
            "{what} vectors, nothing else changed"
        );
        // No lexical hit: only the vectors can answer.
        let st = explain(&env, &["qqzx wvvy", "--tier", "2"], &fake);
        assert_eq!(st["tier"], 2, "{what}: vectors were not rebuilt: {st}");
    }
}

/// A tiny deterministic PRNG for kill timings (the seed is printed on failure).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn sigkill_during_reindex_and_add_never_breaks_recall() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    for i in 0..40 {
        env.add(
            &format!(
                "kiwi seed entry {i}: {}",
                "lorem ipsum dolor sit amet ".repeat(1 + i % 5)
            ),
            &format!("d{}/t{}", i % 4, i % 7),
        );
    }
    assert_eq!(recalled(&env, &fake), on_disk(&env));
    let seed: u64 = std::env::var("MEM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = Lcg(seed);
    for i in 0..20 {
        let reindex = i % 2 == 0;
        let delay = rng.below(if reindex { 400 } else { 150 });
        let text = format!("kiwi killed add {i}");
        let mut child = if reindex {
            spawn_mem(&env, &["reindex"], &fake)
        } else {
            spawn_mem(&env, &["add", "--raw", &text, "--at", "d0/killed"], &fake)
        };
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let want = on_disk(&env);
        let got = recalled(&env, &fake);
        assert_eq!(
            got,
            want,
            "iteration {i} (seed {seed}, {} killed after {delay} ms)",
            if reindex { "reindex" } else { "add" }
        );
        // Git must stay usable for the next writer (a killed commit may not
        // leave a stale lock behind).
        let st = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(&env.root)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "git broken after iteration {i}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    // Writers still work afterwards, and the next one commits whatever a
    // killed add had written but not committed: nothing is left for git.
    env.add("kiwi after the storm", "d0/after");
    assert_eq!(recalled(&env, &fake), on_disk(&env));
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    assert!(!env.root.join(".mem/state/uncommitted").exists());
}

#[test]
fn json_contract_and_exit_codes() {
    let env = Env::new();
    env.mem()
        .args([
            "add",
            "The build needs cmake 3.28 and libclang",
            "--at",
            "eng/build",
            "--tag",
            "rust,ci",
            "--kind",
            "procedure",
            "--observed",
            "2026-01-15",
            "--source-ref",
            "ticket:7",
        ])
        .assert()
        .success();
    let (code, hits) = recall(&env, &["cmake"]);
    assert_eq!(code, 0);
    let h = &hits[0];
    for key in [
        "rank",
        "path",
        "id",
        "title",
        "score",
        "tier",
        "snippet",
        "kind",
        "tags",
        "observed",
        "created",
        "source",
        "relations",
        "topic",
        "archived",
    ] {
        assert!(h.get(key).is_some(), "missing {key} in {h}");
    }
    assert_eq!(h["rank"], 1);
    assert_eq!(
        h["path"],
        "eng/build/the-build-needs-cmake-3-28-and-libclang"
    );
    assert_eq!(h["id"].as_str().unwrap().len(), 26);
    assert!(h["score"].as_f64().unwrap() > 0.0);
    assert_eq!(h["tier"], 1);
    assert_eq!(h["kind"], "procedure");
    assert_eq!(h["tags"], serde_json::json!(["rust", "ci"]));
    assert_eq!(h["observed"], "2026-01-15T00:00:00Z");
    assert_eq!(h["source"]["via"], "cli");
    assert_eq!(h["source"]["ref"], "ticket:7");
    assert_eq!(h["source"]["trust"], "user");
    assert_eq!(h["relations"], serde_json::json!([]));
    assert_eq!(h["topic"], "eng/build");
    assert_eq!(h["archived"], false);
    assert!(h["snippet"].as_str().unwrap().contains("cmake"));
    // Nothing found: exit 1, a JSON error on stderr, nothing on stdout.
    let out = env
        .mem()
        .args(["recall", "zzyzx", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["kind"], "not_found");
    // Questions that cannot be answered are errors (exit 2), not empty answers.
    for args in [
        vec!["recall", "   "],
        vec!["recall", "cmake", "-k", "0"],
        vec!["recall", "cmake", "-k", "1000000000"],
        vec![
            "recall",
            "cmake",
            "--since",
            "2026-02-01",
            "--until",
            "2026-01-01",
        ],
    ] {
        let out = env.mem().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn filters_scope_time_history_and_archive() {
    let env = Env::new();
    let old = env
        .json(&[
            "add",
            "kiwi rollout plan v1",
            "--at",
            "eng/plans",
            "--observed",
            "2024-03-01T15:00:00Z",
        ])
        .remove(0);
    let new = env
        .json(&[
            "add",
            "kiwi rollout plan v2 with canaries",
            "--at",
            "eng/plans",
            "--observed",
            "2025-06-01",
        ])
        .remove(0);
    let other = env
        .json(&[
            "add",
            "kiwi tasting notes",
            "--at",
            "people/food",
            "--observed",
            "2025-09-01",
        ])
        .remove(0);
    let (old_p, new_p, other_p) = (
        old["path"].as_str().unwrap(),
        new["path"].as_str().unwrap(),
        other["path"].as_str().unwrap(),
    );

    // --at scope.
    let (_, hits) = recall(&env, &["kiwi", "--at", "eng"]);
    assert_eq!(
        paths(&hits).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([old_p.to_string(), new_p.to_string()])
    );
    let (_, hits) = recall(&env, &["kiwi", "--at", "people/food"]);
    assert_eq!(paths(&hits), vec![other_p.to_string()]);
    assert_eq!(recall(&env, &["kiwi", "--at", "nowhere"]).0, 1);

    // --since / --until on observed time.
    let (_, hits) = recall(&env, &["kiwi", "--since", "2025-01-01"]);
    assert_eq!(
        paths(&hits).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([new_p.to_string(), other_p.to_string()])
    );
    let (_, hits) = recall(&env, &["kiwi", "--until", "2024-12-31"]);
    assert_eq!(paths(&hits), vec![old_p.to_string()]);
    // A plain date as the upper bound takes in the whole day.
    let (_, hits) = recall(&env, &["kiwi", "--until", "2024-03-01"]);
    assert_eq!(paths(&hits), vec![old_p.to_string()]);
    assert_eq!(recall(&env, &["kiwi", "--until", "2024-02-29"]).0, 1);
    let (_, hits) = recall(
        &env,
        &["kiwi", "--since", "2025-01-01", "--until", "2025-07-01"],
    );
    assert_eq!(paths(&hits), vec![new_p.to_string()]);

    // v2 supersedes v1 (written by hand into the front matter): v1 hidden
    // unless --history, then marked.
    let f = file_of(&env, new_p);
    let text = std::fs::read_to_string(&f).unwrap();
    let text = text.replacen(
        "\n---\n",
        &format!("\nrelations:\n  - {{rel: supersedes, to: {old_p}}}\n---\n"),
        1,
    );
    std::fs::write(&f, text).unwrap();
    let (_, hits) = recall(&env, &["kiwi rollout plan"]);
    assert!(
        !paths(&hits).contains(&old_p.to_string()),
        "superseded entry shown: {hits:?}"
    );
    assert!(paths(&hits).contains(&new_p.to_string()));
    let h = hits.iter().find(|h| h["path"] == new_p).unwrap();
    assert_eq!(
        h["relations"],
        serde_json::json!([{"rel": "supersedes", "to": old_p}])
    );
    let (_, hits) = recall(&env, &["kiwi rollout plan", "--history"]);
    let h = hits
        .iter()
        .find(|h| h["path"] == old_p)
        .expect("--history shows the superseded entry");
    assert_eq!(h["superseded"], true);

    // --archived: forgotten entries only with the flag, under _archive/.
    env.mem().args(["forget", other_p]).assert().success();
    assert_eq!(recall(&env, &["tasting"]).0, 1);
    let (_, hits) = recall(&env, &["tasting", "--archived"]);
    assert_eq!(paths(&hits), vec![format!("_archive/{other_p}")]);
    assert_eq!(hits[0]["archived"], true);
}

#[test]
fn tier_cap_and_semantic_escalation_with_the_fake_embedder() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    let car = env.add(
        "Vehicle maintenance happens every spring at the garage",
        "life/car",
    );
    env.add("The office plants need water on Mondays", "office/plants");
    env.add(
        "Quarterly planning starts in the first week",
        "team/planning",
    );
    // "maintainers" shares no indexed term with the entry (the stemmer keeps
    // "maintain" and "mainten" apart), but the fake embedder's 6-letter
    // prefixes and trigrams overlap, like a real model's sense of meaning.
    assert_eq!(
        recall_with(&env, &["maintainers", "--tier", "1"], &fake).0,
        1
    );
    let (code, hits) = recall_with(&env, &["maintainers"], &fake);
    assert_eq!(code, 0);
    assert_eq!(hits[0]["path"], car["path"]);
    assert_eq!(hits[0]["tier"], 2);
    let st = explain(&env, &["maintainers"], &fake);
    assert_eq!(st["tier"], 2);
    assert!(
        st["escalated"]
            .as_str()
            .unwrap()
            .contains("no lexical hits"),
        "{st}"
    );
    // With a confident lexical winner the embedder is not consulted.
    let st = explain(&env, &["garage", "-k", "1"], &fake);
    assert_eq!(st["tier"], 1, "{st}");
    // Without an embedder, tier 2 is unavailable: lexical only (and the
    // tier-0 cache, keyed by embedder too, does not hand out the tier-2 hits).
    assert_eq!(recall(&env, &["maintainers"]).0, 1);
}

#[test]
fn loading_the_embedder_during_the_walk_never_changes_the_answer() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    let off = [("MEM_EMBEDDER", "fake"), ("MEM_RECALL_TUNE", "prefetch=0")];
    env.add(
        "Vehicle maintenance happens every spring at the garage",
        "life/car",
    );
    env.add("The office plants need water on Mondays", "office/plants");
    env.add(
        "Quarterly planning starts in the first week",
        "team/planning",
    );
    assert_eq!(recall_with(&env, &["garage"], &fake).0, 0); // index written, vectors made
    let queries: [&[&str]; 4] = [
        &["maintainers"],
        &["garage", "-k", "1"],
        &["office", "planning"],
        &["lighthouse"],
    ];
    let compare = |label: &str| {
        for q in queries {
            // a fresh answer each time: the tier-0 cache is keyed by the knobs
            let with = recall_with(&env, q, &fake);
            let without = recall_with(&env, q, &off);
            assert_eq!(paths(&with.1), paths(&without.1), "{label}: {q:?}");
            assert_eq!(with.0, without.0, "{label}: {q:?}");
        }
    };
    compare("index current");
    // The prediction runs on the index as last written: here it is stale
    // (a hand-written entry the walk has yet to find), and the answer must
    // still come from the caught-up index.
    std::fs::create_dir_all(env.root.join("sea/lights")).unwrap();
    std::fs::write(
        env.root.join("sea/lights/lighthouse-keeper.md"),
        "---\nid: 01JAAAAAAAAAAAAAAAAAAAAAAA\ntitle: Lighthouse keeper\ncreated: 2026-01-01T00:00:00Z\n---\nThe lighthouse keeper retires in May.\n",
    )
    .unwrap();
    let st = explain(&env, &["lighthouse", "keeper"], &fake);
    assert_eq!(
        st["prefetched"], true,
        "no lexical hit on the index as written: load early ({st})"
    );
    assert_eq!(
        recall_with(&env, &["lighthouse", "keeper"], &fake).1[0]["path"],
        "sea/lights/lighthouse-keeper"
    );
    compare("after a hand edit");
    // A confident lexical answer does not load the model at all.
    let st = explain(&env, &["garage", "-k", "1", "--since", "2000-01-01"], &fake);
    assert!(st["prefetched"].is_null() && st["tier"] == 1, "{st}");
}

#[test]
fn tier_1_reads_do_not_touch_the_vectors() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    env.add(
        "Vehicle maintenance happens every spring at the garage",
        "life/car",
    );
    env.add("The office plants need water on Mondays", "office/plants");
    // Files older than the index (a file changed within a moment of the
    // index write is re-checked on the slow path, which repairs everything).
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for p in on_disk(&env) {
        std::fs::File::options()
            .write(true)
            .open(file_of(&env, &p))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    assert_eq!(recall_with(&env, &["garage"], &fake).0, 0);
    let vec_file = env.root.join(".mem/index/vectors.usearch");
    std::fs::write(&vec_file, vec![0xAB; 4096]).unwrap();
    // Lexical reads of a current index neither need nor repair the vectors.
    let (code, hits) = recall_with(&env, &["garage", "--tier", "1"], &fake);
    assert_eq!((code, hits.len()), (0, 1));
    assert_eq!(std::fs::read(&vec_file).unwrap(), vec![0xAB; 4096]);
    // The next read that may search vectors notices the damage and rebuilds them.
    let st = explain(&env, &["maintainers"], &fake);
    assert_eq!(st["tier"], 2, "{st}");
    assert_ne!(std::fs::read(&vec_file).unwrap(), vec![0xAB; 4096]);
}

#[test]
fn tier0_cache_hits_and_is_invalidated_by_an_add() {
    let env = Env::new();
    env.add("kiwi cache test entry one", "a/b");
    let first = explain(&env, &["kiwi"], &[]);
    assert_eq!(first["cached"], false);
    let second = explain(&env, &["kiwi"], &[]);
    assert_eq!(second["cached"], true, "{second}");
    assert_eq!(second["generation"], first["generation"]);
    // Different options are a different key.
    assert_eq!(explain(&env, &["kiwi", "-k", "3"], &[])["cached"], false);
    let answers = || {
        std::fs::read_dir(env.root.join(".mem/state/recall-cache"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .count()
    };
    assert_eq!(answers(), 2);
    env.add("kiwi cache test entry two", "a/b");
    let third = explain(&env, &["kiwi"], &[]);
    assert_eq!(third["cached"], false, "stale cache after an add: {third}");
    // Answers of the old generation are gone, not kept forever.
    assert_eq!(answers(), 1);
    assert_eq!(recall(&env, &["kiwi"]).1.len(), 2);
    // A rebuilt index must not serve an old cache entry either: build one
    // from scratch, cache a query, change a file, lose the manifest.
    std::fs::remove_dir_all(env.root.join(".mem/index")).unwrap();
    assert_eq!(explain(&env, &["kiwi"], &[])["cached"], false);
    assert_eq!(explain(&env, &["kiwi"], &[])["cached"], true);
    env.add("kiwi cache test entry three", "a/b");
    std::fs::remove_file(env.root.join(".mem/index/manifest")).unwrap();
    assert_eq!(
        recall(&env, &["kiwi"]).1.len(),
        3,
        "stale tier-0 cache after a rebuild"
    );
}

/// A running `mem watch`, stopped with SIGINT on drop.
struct Watcher {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watcher {
    fn start(env: &Env) -> Self {
        let mut child = spawn_mem(env, &["watch", "--json"], &[]);
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let w = Self { child, lines: rx };
        // The first catch-up may report a re-index before "ready".
        loop {
            let line = w
                .next_line(Duration::from_secs(30))
                .expect("mem watch never said it was ready");
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["event"] == "ready" {
                assert_eq!(v["pid"], w.child.id());
                break;
            }
            assert_eq!(v["event"], "reindexed", "{line}");
        }
        w
    }
    fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }
    fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
    fn wait(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let t = Instant::now();
        while t.elapsed() < timeout {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `mem recall QUERY` until `ok` holds (or the deadline passes);
/// returns how long it took.
fn poll_until(
    env: &Env,
    query: &str,
    deadline: Duration,
    ok: impl Fn(i32, &[serde_json::Value]) -> bool,
) -> Option<Duration> {
    let t = Instant::now();
    while t.elapsed() < deadline {
        let (code, hits) = recall(env, &[query]);
        if ok(code, &hits) {
            return Some(t.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn watch_reindexes_answers_on_the_socket_and_stops_cleanly() {
    let env = Env::new();
    let a = env.add("The release train leaves on Wednesdays", "eng/release");
    let sock = env.root.join(".mem/state/watch.sock");
    let mut w = Watcher::start(&env);
    assert!(sock.exists());

    // Answers come through the socket (and say so in --explain).
    let st = explain(&env, &["release train"], &[]);
    assert_eq!(st["daemon"], true, "{st}");
    let st = explain(&env, &["release train", "--no-daemon"], &[]);
    assert!(st.get("daemon").is_none(), "{st}");

    // A hand edit shows up in recall within ~2 s (through the watcher).
    hand_edit(
        &env,
        a["path"].as_str().unwrap(),
        "Wednesdays",
        "Thursdays after standup",
    );
    let took = poll_until(&env, "standup", Duration::from_secs(2), |code, hits| {
        code == 0 && hits[0]["path"] == a["path"]
    });
    assert!(took.is_some(), "the edit was not visible within 2 s");
    // ...and the watcher reports a re-index by itself (debounced).
    let mut saw = false;
    while let Some(l) = w.next_line(Duration::from_secs(3)) {
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        if v["event"] == "reindexed" {
            assert!(
                v["updated"].as_u64().unwrap() >= 1 || v["added"].as_u64().unwrap() >= 1,
                "{v}"
            );
            saw = true;
            break;
        }
    }
    assert!(saw, "no reindexed line from mem watch");

    // An editor-style save: write a temp file, rename it over the entry.
    let f = file_of(&env, a["path"].as_str().unwrap());
    let tmp = f.with_file_name(".entry.md.swp");
    std::fs::write(
        &tmp,
        std::fs::read_to_string(&f)
            .unwrap()
            .replace("standup", "lunch"),
    )
    .unwrap();
    std::fs::rename(&tmp, &f).unwrap();
    assert!(poll_until(&env, "lunch", Duration::from_secs(2), |code, _| code == 0).is_some());
    assert_eq!(recall(&env, &["standup"]).0, 1);

    // Writers are not blocked while it runs; a new entry is found at once.
    env.add("Kiwi smoothies on Fridays", "team/food");
    assert_eq!(recall(&env, &["smoothies"]).0, 0);

    // The raw protocol: one JSON line in, one out.
    let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    writeln!(
        s,
        r#"{{"query": {{"text": "smoothies", "k": 5, "max_tier": 1}}}}"#
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(&s).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        v["hits"][0]["path"], "team/food/kiwi-smoothies-on-fridays",
        "{v}"
    );
    assert_eq!(v["stats"]["daemon"], true);
    let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    writeln!(s, "not json").unwrap();
    let mut line = String::new();
    BufReader::new(&s).read_line(&mut line).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&line).unwrap()["error"].is_string());

    // A client with another embedder recalls in-process instead.
    let (code, hits) = recall_with(&env, &["smoothies"], &[("MEM_EMBEDDER", "fake")]);
    assert_eq!(code, 0);
    assert_eq!(hits[0]["path"], "team/food/kiwi-smoothies-on-fridays");
    let st = explain(&env, &["smoothies"], &[("MEM_EMBEDDER", "fake")]);
    assert!(st.get("daemon").is_none(), "{st}");

    // One watcher per tree.
    let out = env.mem().args(["watch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("locked by pid {}", w.child.id())),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Ctrl-C: exit 130, socket gone.
    w.signal("-INT");
    let status = w
        .wait(Duration::from_secs(5))
        .expect("mem watch did not stop on SIGINT");
    assert_eq!(status.code(), Some(130));
    assert!(!sock.exists(), "socket left behind");
    // And recall works without it.
    assert_eq!(recall(&env, &["smoothies"]).0, 0);

    // SIGTERM stops it cleanly too.
    let mut w = Watcher::start(&env);
    w.signal("-TERM");
    let status = w
        .wait(Duration::from_secs(5))
        .expect("mem watch did not stop on SIGTERM");
    assert_eq!(status.code(), Some(130));
    assert!(!sock.exists());
}

#[test]
fn a_stale_socket_is_ignored() {
    let env = Env::new();
    env.add("kiwi stale socket test", "a/b");
    let sock = env.root.join(".mem/state/watch.sock");
    std::fs::create_dir_all(sock.parent().unwrap()).unwrap();
    // A socket file with nobody listening (a killed watcher).
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    assert!(sock.exists());
    let (code, hits) = recall(&env, &["kiwi"]);
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    // A new watcher replaces it.
    let mut w = Watcher::start(&env);
    assert_eq!(explain(&env, &["kiwi"], &[])["daemon"], true);
    w.signal("-INT");
    assert!(w.wait(Duration::from_secs(5)).is_some());
    assert!(!Path::new(&sock).exists());
}

#[test]
fn a_large_batch_is_one_packed_commit_that_git_accepts() {
    // `mem eval synth` writes through ops::add_batch: above 64 new blobs
    // they go into one pack file, with one fs sync per batch. It runs with
    // at most 128 open files: a batch must not hold a descriptor per file.
    let env = Env::new();
    let dir = env.dir.path().join("big");
    std::fs::create_dir_all(env.home()).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 128 && exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("mem"))
        .args(["eval", "synth", "--entries", "300"])
        .arg(&dir)
        .env("HOME", env.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEM_EMBEDDER", "none")
        .env("MEM_GENERATOR", "none")
        .output()
        .unwrap();
    ok(&out);
    let git = |args: &[&str]| env.git_in(&dir, args);
    git(&["fsck", "--strict", "--no-dangling"]);
    assert_eq!(
        git(&["status", "--porcelain"]),
        "",
        "the work tree must match the commit"
    );
    let tracked: Vec<String> = git(&["ls-files"])
        .lines()
        .filter(|l| !l.starts_with(".mem/") && *l != ".gitattributes")
        .map(String::from)
        .collect();
    assert_eq!(tracked.len(), 300);
    let count = git(&["count-objects", "-v"]);
    assert!(
        count.lines().any(|l| l == "packs: 1"),
        "blobs were not packed: {count}"
    );
    // Every file on disk is the blob git recorded.
    for rel in tracked.iter().take(20) {
        let blob = git(&["show", &format!("HEAD:{rel}")]);
        assert_eq!(blob, std::fs::read_to_string(dir.join(rel)).unwrap());
    }
    // The tree itself is valid.
    let out = env
        .mem()
        .args(["--root"])
        .arg(&dir)
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn ignored_and_stray_files_are_neither_indexed_nor_lost() {
    let env = Env::new();
    env.add("kiwi tracked entry", "a/b");
    // Ignored by the root .gitignore and by a nested one: not entries.
    std::fs::write(env.root.join(".gitignore"), "scratch/\n*.tmp.md\n").unwrap();
    std::fs::create_dir_all(env.root.join("scratch/notes")).unwrap();
    std::fs::write(
        env.root.join("scratch/notes/kiwi-draft.md"),
        "---\nid: 01J0000000000000000000000X\ntitle: kiwi draft\n---\nkiwi\n",
    )
    .unwrap();
    std::fs::write(env.root.join("a/b/kiwi-temp.tmp.md"), "kiwi").unwrap();
    std::fs::write(env.root.join("a/.gitignore"), "private.md\n").unwrap();
    std::fs::write(env.root.join("a/b/private.md"), "kiwi").unwrap();
    // A stray (not markdown) is reported by doctor, not indexed.
    std::fs::write(env.root.join("a/b/kiwi.txt"), "kiwi").unwrap();
    let (code, hits) = recall(&env, &["kiwi"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&hits), vec!["a/b/kiwi-tracked-entry".to_string()]);
    let doc = env.mem().args(["doctor", "--json"]).output().unwrap();
    let text = String::from_utf8_lossy(&doc.stdout).to_string();
    assert!(text.contains("a/b/kiwi.txt"), "{text}");
    for ignored in [
        "scratch/notes/kiwi-draft.md",
        "kiwi-temp.tmp.md",
        "private.md",
    ] {
        assert!(
            !text.contains(ignored),
            "{ignored} is ignored by .gitignore: {text}"
        );
    }
    let ls = env.json(&["ls"]);
    assert_eq!(ls.len(), 1, "{ls:?}");
}

/// A query embedded once is not embedded again after the tree changes: its
/// vector comes from the embedding cache (no model load), with the same
/// answer as a fresh embedding.
#[test]
fn a_repeated_query_reuses_its_vector_after_the_tree_changes() {
    let env = Env::new();
    let fake = [("MEM_EMBEDDER", "fake")];
    let car = env.add(
        "Vehicle maintenance happens every spring at the garage",
        "life/car",
    );
    env.add("The office plants need water on Mondays", "office/plants");
    let first = explain(&env, &["maintainers"], &fake);
    assert_eq!(first["tier"], 2, "{first}");
    assert!(first.get("query_vector_cached").is_none(), "{first}");
    // A change: the tier-0 cache no longer applies, the query vector does.
    env.add(
        "Quarterly planning starts in the first week",
        "team/planning",
    );
    let second = explain(&env, &["maintainers"], &fake);
    assert_eq!(second["cached"], false, "{second}");
    assert_eq!(second["query_vector_cached"], true, "{second}");
    assert!(second.get("prefetched").is_none(), "{second}");
    let (_, hits) = recall_with(&env, &["maintainers"], &fake);
    assert_eq!(hits[0]["path"], car["path"]);
    // Another query is embedded, not taken from the cache.
    let other = explain(&env, &["maintainer schedule"], &fake);
    assert_eq!(other["tier"], 2, "{other}");
    assert!(other.get("query_vector_cached").is_none(), "{other}");
}

/// Polls `cond` every 50 ms for up to `secs` seconds.
fn eventually(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

#[test]
fn watch_with_idle_exit_stops_by_itself() {
    let env = Env::new();
    env.add("The release train leaves on Wednesdays", "eng/release");
    let sock = env.root.join(".mem/state/watch.sock");
    let mut child = spawn_mem(&env, &["watch", "--idle-exit", "1"], &[]);
    let mut status = None;
    assert!(
        eventually(30, || {
            status = child.try_wait().unwrap();
            status.is_some()
        }),
        "mem watch --idle-exit 1 still runs"
    );
    assert_eq!(status.unwrap().code(), Some(0));
    assert!(!sock.exists(), "the socket is removed on an idle exit");
}

#[test]
fn auto_watch_starts_a_watcher_for_later_recalls_that_exits_when_idle() {
    let env = Env::new();
    env.add("The release train leaves on Wednesdays", "eng/release");
    let sock = env.root.join(".mem/state/watch.sock");
    // Off by default: no watcher appears.
    let st = explain(&env, &["release train"], &[]);
    assert!(st.get("daemon").is_none(), "{st}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!sock.exists(), "a watcher started without watch.auto");
    // With watch.auto the first recall answers in-process and starts one …
    let vars = [("MEM_AUTO_WATCH", "1"), ("MEM_WATCH_IDLE_EXIT_S", "3")];
    let st = explain(&env, &["release train"], &vars);
    assert!(st.get("daemon").is_none(), "{st}");
    assert!(eventually(30, || sock.exists()), "no watcher came up");
    // … which answers the recalls that follow …
    assert!(
        eventually(30, || explain(&env, &["release train"], &vars)["daemon"]
            == true),
        "the auto-started watcher never answered"
    );
    // … and goes away after 3 s without queries or changes.
    assert!(
        eventually(30, || !sock.exists()),
        "the watcher did not exit when idle"
    );
}

#[test]
fn recall_says_when_a_changed_file_is_not_a_valid_entry() {
    let env = Env::new();
    env.add("kiwi tracked entry", "a/b");
    // An entry broken by hand (a kind mem does not know): not indexable (a
    // note without mem's keys, or with another tool's id, is adopted).
    std::fs::write(
        env.root.join("a/b/kiwi-by-hand.md"),
        "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: kiwi by hand\nkind: rumour\ncreated: 2026-01-01T00:00:00Z\n---\nkiwi\n",
    )
    .unwrap();
    let out = env.mem().args(["recall", "kiwi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 changed file(s)") && err.contains("mem doctor"),
        "{err}"
    );
    // Said once, when the catch-up meets the file.
    let out = env
        .mem()
        .args(["recall", "kiwi", "--tier", "1"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not valid"));
}

#[test]
fn words_inside_cjk_text_are_found() {
    let env = Env::new();
    let tokyo = env.add("東京は大きい", "notes/cjk");
    let seoul = env.add("서울은 크다", "notes/cjk");
    let cat = env.add("我喜欢猫", "notes/cjk");
    for (q, want) in [
        ("東京", &tokyo),
        ("大きい", &tokyo),
        ("크다", &seoul),
        // A one-character word inside a run.
        ("猫", &cat),
    ] {
        let (code, hits) = recall(&env, &[q, "--tier", "1"]);
        assert_eq!(code, 0, "{q}");
        assert_eq!(paths(&hits)[0], want["path"].as_str().unwrap(), "{q}");
    }
    assert_eq!(recall(&env, &["京都", "--tier", "1"]).0, 1);
    // CJK and Latin words in one query.
    let (_, hits) = recall(&env, &["猫", "tokyo", "--tier", "1"]);
    assert_eq!(paths(&hits)[0], cat["path"].as_str().unwrap());
}

#[test]
fn a_superseded_entry_stays_hidden_after_its_folder_is_renamed_by_hand() {
    let env = Env::new();
    env.add("Alice lives in Berlin", "people/alice");
    let out = env
        .json(&["add", "Alice moved from Berlin to Paris"])
        .remove(0);
    assert_eq!(out["op"], "superseded", "{out}");
    let (_, hits) = recall(&env, &["alice", "berlin", "--tier", "1"]);
    assert_eq!(hits.len(), 1);
    // A plain `mv` of the folder: the relation's path is stale now, its id
    // still names the old entry.
    std::fs::rename(env.root.join("people"), env.root.join("persons")).unwrap();
    let (_, hits) = recall(&env, &["alice", "berlin", "--tier", "1"]);
    assert_eq!(
        paths(&hits),
        vec!["persons/alice/alice-moved-from-berlin-to-paris".to_string()]
    );
    let (_, hits) = recall(&env, &["alice", "berlin", "--tier", "1", "--history"]);
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().any(|h| h["superseded"] == true));
    // doctor points at where the entry is now.
    let doc = env.mem().args(["doctor", "--json"]).output().unwrap();
    let text = String::from_utf8_lossy(&doc.stdout);
    assert!(
        text.contains("is now at persons/alice/alice-lives-in-berlin"),
        "{text}"
    );
    // Another entry made at the old path is not the superseded one.
    let again = env.add("Alice lives in Berlin", "people/alice");
    assert_eq!(again["path"], "people/alice/alice-lives-in-berlin");
    let (_, hits) = recall(&env, &["alice", "berlin", "--tier", "1"]);
    assert!(
        paths(&hits).contains(&"people/alice/alice-lives-in-berlin".to_string()),
        "{:?}",
        paths(&hits)
    );
}

/// The retrieval knobs travel with the query: a running `mem watch`
/// answers with the caller's `MEM_RECALL_TUNE`, as an in-process recall
/// does, and never serves one setting's cached answer to another.
#[test]
fn recall_knobs_of_the_caller_reach_a_running_watch() {
    let env = Env::new();
    env.add("kiwi kiwi smoothies at lunch", "food/kiwi");
    env.add(
        "the kiwi is in the garden of the house by the lake",
        "home/garden",
    );
    let _w = Watcher::start(&env);
    let top = |tune: Option<&str>, daemon: bool| -> String {
        let mut c = env.mem();
        c.args(["recall", "--json", "the the the kiwi"]);
        if !daemon {
            c.arg("--no-daemon");
        }
        if let Some(t) = tune {
            c.env("MEM_RECALL_TUNE", t);
        }
        let out = c.output().unwrap();
        ok(&out);
        parse_lines(&out.stdout)[0]["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Function words dropped (the default): the entry that says "kiwi" twice.
    let plain = top(None, true);
    assert_eq!(plain, "food/kiwi/kiwi-kiwi-smoothies-at-lunch");
    // Kept (`stop=0`): the entry full of "the" wins, through the watcher too.
    let st = explain(
        &env,
        &["the the the kiwi"],
        &[("MEM_RECALL_TUNE", "stop=0")],
    );
    assert_eq!(st["daemon"], true, "{st}");
    let kept = top(Some("stop=0"), true);
    assert!(kept.starts_with("home/garden/"), "{kept}");
    assert_eq!(top(Some("stop=0"), false), kept);
    assert_eq!(top(None, false), plain);
    // And the default again, after the other setting's answer was cached.
    assert_eq!(top(None, true), plain);
}

/// Chat turns another tool wrote as notes (one per file, `speaker:` and
/// `date:` in the front matter, its own `id:`): adopted, the speaker
/// searchable, each turn found by the turn it answers — and found again
/// by the new words when that turn is edited by hand.
#[test]
fn chat_turns_written_as_notes_are_found_by_speaker_and_by_the_turn_before() {
    let env = Env::new();
    let dir = env.root.join("notes/chat");
    std::fs::create_dir_all(&dir).unwrap();
    let turn = |name: &str, speaker: &str, date: &str, text: &str| {
        std::fs::write(
            dir.join(format!("{name}.md")),
            format!("---\nid: conv-{name}\nspeaker: {speaker}\ndate: {date}\n---\n{text}\n"),
        )
        .unwrap();
    };
    turn(
        "d1-1",
        "Maria",
        "2023-05-08T13:56:00",
        "How did the kids like the lighthouse museum?",
    );
    turn(
        "d1-2",
        "John",
        "2023-05-08T13:56:00",
        "They were awestruck and humbled.",
    );
    // The next day's conversation: not context of the turn before it.
    turn(
        "d2-1",
        "Maria",
        "2023-05-09T18:00:00",
        "Any plans for the harbour festival?",
    );
    turn(
        "d10-1",
        "John",
        "2023-05-20T18:00:00",
        "We painted the fence yellow.",
    );
    let top = |q: &str| {
        let (code, hits) = recall(&env, &[q, "--tier", "1", "-k", "1"]);
        assert_eq!(code, 0, "{q}");
        paths(&hits)[0].to_string()
    };
    // The reply is found by what it answers, after the question itself.
    let (_, hits) = recall(&env, &["awestruck lighthouse museum", "--tier", "1"]);
    assert_eq!(paths(&hits)[0], "notes/chat/d1-2");
    // Only through the turn before, in name order (d2 before d10) and
    // within the hour: the festival is not d10-1's context.
    assert_eq!(top("humbled lighthouse"), "notes/chat/d1-2");
    let (_, hits) = recall(&env, &["harbour festival", "--tier", "1"]);
    assert_eq!(paths(&hits), ["notes/chat/d2-1"]);
    // The speaker's name is searchable although no turn says it.
    assert_eq!(top("John fence"), "notes/chat/d10-1");
    // The adopted note keeps the other tool's id, and its title is its
    // opening words (the file name is a code).
    let (_, hits) = recall(&env, &["fence yellow", "--tier", "1", "-k", "1"]);
    assert_eq!(hits[0]["title"], "We painted the fence yellow");
    // The turn before is edited by hand: the reply is found by the new
    // words, no longer by the old.
    turn(
        "d1-1",
        "Maria",
        "2023-05-08T13:56:00",
        "How did the kids like the aquarium?",
    );
    let (_, hits) = recall(&env, &["awestruck aquarium", "--tier", "1"]);
    assert_eq!(paths(&hits)[0], "notes/chat/d1-2");
    let (code, hits) = recall(&env, &["lighthouse", "--tier", "1"]);
    assert!(code == 1 || hits.is_empty(), "{hits:?}");
    // The turn before is deleted: its words leave the reply too.
    std::fs::remove_file(dir.join("d1-1.md")).unwrap();
    let (code, hits) = recall(&env, &["aquarium", "--tier", "1"]);
    assert!(code == 1 || hits.is_empty(), "{hits:?}");
}

#[test]
fn a_fact_naming_its_attribute_in_other_words_answers_the_question() {
    let env = Env::new();
    for text in [
        "Imani Abbott is based in Toronto.",
        "Imani Abbott reports to Dario Fischer.",
        "Imani Abbott's office is in room 305.",
        "Checkout-cache was migrated to DynamoDB.",
        "Checkout-cache is owned by the Payments team.",
    ] {
        env.json(&["add", text, "--at", "people/imani"]);
    }
    // BM25 alone: the question's word for the attribute finds the fact
    // that names it in other words, and only that one.
    let (code, hits) = recall(&env, &["manager", "--tier", "1", "-k", "3"]);
    assert_eq!(code, 0);
    assert_eq!(
        paths(&hits),
        ["people/imani/imani-abbott-reports-to-dario-fischer"]
    );
    let (code, hits) = recall(&env, &["database", "--tier", "1", "-k", "3"]);
    assert_eq!(code, 0);
    assert_eq!(
        paths(&hits),
        ["people/imani/checkout-cache-was-migrated-to-dynamodb"]
    );
}

#[test]
fn a_thing_named_by_an_identifier_comes_before_its_look_alikes() {
    // Six hosts' entries repeat every word of the question but the host;
    // metis7's own answer shares only its name (and the words indexed with
    // "reinstalled"). Notes on other things make those words rarer.
    let env = Env::new();
    let add = |text: &str, at: &str| {
        env.json(&["add", "--raw", text, "--at", at]);
    };
    for host in ["atlas1", "boreas4", "calypso4", "dione1", "freya5", "leda6"] {
        add(
            &format!("Host {host} runs Arch Linux as its operating system."),
            "infra/hosts",
        );
    }
    for text in [
        "Host metis7 has 48 GB of RAM.",
        "Host metis7 sits in rack H7.",
        "Host metis7 has 24 CPU cores.",
        "Host metis7 has the IP address 10.11.193.85.",
        "Host metis7 was reinstalled with Ubuntu 22.04.",
    ] {
        add(text, "infra/hosts");
    }
    for i in 1..=20 {
        add(
            &format!("Note number {i} about the garden and the weekly groceries."),
            "notes/misc",
        );
    }
    let (_, hits) = recall(
        &env,
        &[
            "Which operating system does host metis7 run?",
            "--tier",
            "1",
            "-k",
            "3",
        ],
    );
    assert_eq!(
        paths(&hits)[0],
        "infra/hosts/host-metis7-was-reinstalled-with-ubuntu-22-04",
        "{:?}",
        paths(&hits)
    );
}

/// An older entry that a newer one among the candidates gives another value
/// of the same attribute (written as is, so nothing superseded it) is
/// flagged as maybe outdated, in JSON, in text and in a context pack; an
/// entry about another attribute is not.
#[test]
fn recall_flags_an_entry_a_newer_look_alike_may_replace() {
    let env = Env::new();
    let add = |text: &str, observed: &str| env.add_observed(text, "infra/hosts", observed);
    let old = add("Host atlas2 has 32 GB of RAM.", "2026-01-05");
    let new = add("Host atlas2 has 64 GB of RAM.", "2026-03-05");
    let other = add("Host atlas2 sits in rack B4.", "2026-04-05");
    let q = [
        "recall",
        "how much RAM does host atlas2 have",
        "--tier",
        "3",
    ];
    let (_, hits) = recall(&env, &q[1..]);
    let newer = |p: &str| {
        hits.iter()
            .find(|h| h["path"] == p)
            .unwrap_or_else(|| panic!("{p} not in {hits:?}"))
            .get("newer")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    assert_eq!(newer(&old), Some(new.clone()));
    assert_eq!(newer(&new), None);
    assert_eq!(newer(&other), None);
    let stdout = |extra: &[&str]| {
        let out = env.mem().args(q).args(extra).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = stdout(&[]);
    assert!(text.contains(&format!("maybe outdated: {new}")), "{text}");
    let pack = stdout(&["--format", "prompt"]);
    assert_eq!(pack.matches("maybe outdated").count(), 1, "{pack}");
}

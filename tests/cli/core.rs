//! The core verbs: init, add, show, ls, tree, edit, mv, forget, restore, log, doctor.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn init_commits_settings_and_is_idempotent() {
    let env = Env::new();
    assert!(env.root.join(".mem/config.toml").is_file());
    assert!(env.read(".mem/.gitignore").contains("/index/"));
    assert_eq!(env.commit_count(), 1);
    assert!(
        env.git(&["log", "-1", "--format=%s"])
            .starts_with("mem: init")
    );
    let v = env.json(&["init", env.root.to_str().unwrap()]);
    assert_eq!(v[0]["op"], "exists");
    assert_eq!(env.commit_count(), 1);
    assert!(env.git(&["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn init_adopts_an_existing_repo_in_a_subfolder() {
    let env = Env::new();
    // A plain git repository (a mem tree no more): init in a subfolder adopts it.
    env.git(&["rm", "-rq", ".mem"]);
    env.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "not a mem tree",
    ]);
    let sub = env.root.join("docs/memory");
    env.mem()
        .args(["init", sub.to_str().unwrap()])
        .assert()
        .success();
    // Same repository, not a nested one.
    assert!(!sub.join(".git").exists());
    let out = env
        .mem()
        .current_dir(&sub)
        .args(["add", "nested trees share the repo", "--at", "a/b"])
        .output()
        .unwrap();
    ok(&out);
    assert!(
        env.git(&["log", "-1", "--name-only", "--format="])
            .contains("docs/memory/a/b/")
    );
}

#[test]
fn init_refuses_a_folder_inside_a_tree_and_root_says_which_tree() {
    let env = Env::new();
    env.add("the heron nests by the lake", "fauna/birds");
    let tree = env.root.canonicalize().unwrap();
    let files = env.all_files();
    for dir in ["fauna", "fauna/birds", "flora/trees"] {
        let sub = env.root.join(dir);
        env.mem()
            .args(["init", sub.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("inside the mem tree {}", tree.display()))
                    .and(predicate::str::contains("mem init").not()),
            );
        assert!(!sub.join(".mem").exists(), "{dir}: no tree inside the tree");
    }
    assert!(!env.root.join("flora").exists());
    assert_eq!(env.all_files(), files);
    // --root at a folder inside a tree names the tree, and suggests no init.
    let out = env
        .mem()
        .current_dir(env.dir.path())
        .args(["--root", env.root.join("fauna").to_str().unwrap(), "ls"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("inside the mem tree {}", tree.display()))
            && err.contains(&format!("--root {}", tree.display()))
            && !err.contains("mem init"),
        "{err}"
    );
}

#[test]
fn commands_outside_a_tree_say_so() {
    let env = Env::new();
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    env.mem()
        .current_dir(&elsewhere)
        .args(["ls"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no mem tree here").and(predicate::str::contains("mem init")),
        );
    // MEM_ROOT / --root point at one from anywhere.
    env.mem()
        .current_dir(&elsewhere)
        .env("MEM_ROOT", &env.root)
        .args(["tree"])
        .assert()
        .success();
}

#[test]
fn add_from_argument_stdin_and_file() {
    let env = Env::new();
    let a = env.add(
        "llama.cpp builds need cmake and libclang",
        "engineering/build",
    );
    assert_eq!(a["op"], "added");
    assert_eq!(
        a["path"],
        "engineering/build/llama-cpp-builds-need-cmake-and-libclang"
    );
    let text = env.read("engineering/build/llama-cpp-builds-need-cmake-and-libclang.md");
    assert!(text.starts_with("---\nid: "));
    assert!(text.contains("title: llama.cpp builds need cmake and libclang\n"));
    assert!(text.contains("via: cli"));
    assert!(text.ends_with("---\nllama.cpp builds need cmake and libclang\n"));

    let out = env
        .mem()
        .args([
            "add",
            "--at",
            "engineering/build",
            "--kind",
            "procedure",
            "--tag",
            "rust,ci",
            "--title",
            "Release steps",
            "--json",
        ])
        .write_stdin("1. tag\n2. push\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = &parse_lines(&out.stdout)[0];
    assert_eq!(v["path"], "engineering/build/release-steps");
    let text = env.read("engineering/build/release-steps.md");
    assert!(
        text.contains("kind: procedure") && text.contains("tags: [rust, ci]"),
        "{text}"
    );

    let f = env.dir.path().join("note.md");
    std::fs::write(&f, "Deploys happen on Tuesdays.").unwrap();
    let v = env.json(&[
        "add",
        "--file",
        f.to_str().unwrap(),
        "--at",
        "ops/deploy",
        "--observed",
        "2026-11-01",
        "--source-ref",
        "ticket:42",
    ]);
    let text = env.read(&format!("{}.md", v[0]["path"].as_str().unwrap()));
    assert!(text.contains("observed: 2026-11-01T00:00:00Z"), "{text}");
    assert!(text.contains("ref: ticket:42"));
    // One commit per add, message says what and how.
    assert_eq!(env.commit_count(), 4);
    assert_eq!(
        env.git(&["log", "-1", "--format=%s"]).trim(),
        format!("mem: add {} (via cli)", v[0]["path"].as_str().unwrap())
    );
    assert!(env.git(&["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn exact_duplicates_are_not_written_twice() {
    let env = Env::new();
    let a = env.add("The CI runner has 2 cores.", "eng/ci");
    let b = env.add("  the ci runner   has 2 CORES ", "eng/ci");
    assert_eq!(b["op"], "noop");
    assert_eq!(b["duplicate_of"], a["path"]);
    env.mem()
        .args(["add", "The CI runner has 2 cores", "--at", "eng/ci"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "noop: duplicate of {}",
            a["path"].as_str().unwrap()
        )));
    assert_eq!(env.commit_count(), 2);
    // Same text in another topic is a different memory.
    assert_eq!(
        env.add("The CI runner has 2 cores.", "eng/hardware")["op"],
        "added"
    );
    // Same title, different text: a second file with its own slug.
    let c = env.json(&[
        "add",
        "different",
        "--title",
        "The CI runner has 2 cores",
        "--at",
        "eng/ci",
    ]);
    assert_eq!(c[0]["path"], "eng/ci/the-ci-runner-has-2-cores-2");
}

#[test]
fn placement_without_at_prefers_a_similar_topic() {
    let env = Env::new();
    env.add("cargo build needs cmake for llama.cpp", "engineering/build");
    env.add("Alice prefers tea over coffee", "people/alice");
    let v = env.json(&["add", "cmake 3.28 fixes the llama.cpp build warning"]);
    assert_eq!(v[0]["placed_by"], "existing");
    assert!(
        v[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("engineering/build/")
    );
    let v = env.json(&["add", "zebras are striped"]);
    assert_eq!(v[0]["placed_by"], "new");
    assert!(
        v[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("general/zebras/"),
        "{:?}",
        v[0]
    );
}

#[test]
fn show_ls_tree_by_path_and_id() {
    let env = Env::new();
    let a = env.add("first fact", "eng/build");
    env.add("second fact", "eng/ci");
    env.add("third fact", "people/alice");
    let id = a["id"].as_str().unwrap();
    // The usage signals change with every read: the entry itself must not.
    let show = |spec: &str| {
        let mut v = env.json(&["show", spec]);
        v[0].as_object_mut().unwrap().remove("signals");
        v
    };
    let by_path = show(a["path"].as_str().unwrap());
    let by_id = show(id);
    let by_prefix = show(&id[..10]);
    assert_eq!(by_path, by_id);
    assert_eq!(by_id, by_prefix);
    assert_eq!(by_path[0]["body"], "first fact\n");
    assert_eq!(by_path[0]["front_matter"]["source"]["trust"], "user");
    env.mem()
        .args(["show", "eng/build/first-fact"])
        .assert()
        .success()
        .stdout(predicate::str::contains("first fact"));
    env.mem().args(["show", "eng/build/nope"]).assert().code(1);
    env.mem().args(["show", "01ZZZZZZZZ"]).assert().code(1);

    let all = env.json(&["ls"]);
    assert_eq!(all.len(), 3);
    let eng = env.json(&["ls", "eng"]);
    assert_eq!(eng.len(), 2);
    assert!(
        eng.iter()
            .all(|v| v["path"].as_str().unwrap().starts_with("eng/"))
    );
    env.mem().args(["ls", "nothing-here"]).assert().code(1);

    let t = env.json(&["tree"]);
    assert_eq!(t[0]["entries"], 3);
    let domains = t[0]["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 2);
    assert_eq!(domains[0]["domain"], "eng");
    assert_eq!(domains[0]["entries"], 2);
    assert_eq!(domains[0]["topics"].as_array().unwrap().len(), 2);
}

#[test]
fn show_by_id_is_right_when_the_index_is_stale() {
    let env = Env::new();
    let a = env.add("first fact", "eng/build");
    let b = env.add("second fact", "eng/ci");
    let id = a["id"].as_str().unwrap().to_string();
    env.mem()
        .args(["recall", "fact", "--no-daemon"])
        .assert()
        .success();
    assert!(env.root.join(".mem/index/text/meta.json").exists());
    assert_eq!(env.json(&["show", &id])[0]["path"], "eng/build/first-fact");
    // Moved by hand: the index still names the old file; found where it is.
    std::fs::create_dir_all(env.root.join("eng/moved")).unwrap();
    std::fs::rename(
        env.root.join("eng/build/first-fact.md"),
        env.root.join("eng/moved/first-fact.md"),
    )
    .unwrap();
    assert_eq!(env.json(&["show", &id])[0]["path"], "eng/moved/first-fact");
    // Another entry's id written into a file the index knows: that file
    // no longer answers to its old id, and the id it now holds is found.
    let b_id = b["id"].as_str().unwrap().to_string();
    let ci = env.root.join("eng/ci/second-fact.md");
    let text = std::fs::read_to_string(&ci).unwrap();
    let new_id = "01JDZ8Q3M6V9B7X2K4T5R8N1PQ";
    std::fs::write(&ci, text.replace(&b_id, new_id)).unwrap();
    env.mem().args(["show", &b_id]).assert().code(1);
    assert_eq!(env.json(&["show", new_id])[0]["path"], "eng/ci/second-fact");
}

fn editor_script(env: &Env, name: &str, body: &str) -> String {
    let p = env.dir.path().join(name);
    std::fs::write(&p, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn edit_validates_and_keeps_the_old_version_on_error() {
    let env = Env::new();
    let a = env.add("the cache lives in /var/cache", "eng/ops");
    let path = a["path"].as_str().unwrap().to_string();
    let rel = format!("{path}.md");
    let before = env.read(&rel);

    // A valid edit: body changed, `updated` bumped, one commit.
    let good = editor_script(&env, "good.sh", "sed -i 's#/var/cache#/srv/cache#' \"$1\"");
    env.mem()
        .env("EDITOR", &good)
        .env("MEM_NOW", "2030-01-01T00:00:00Z")
        .args(["edit", &path])
        .assert()
        .success()
        .stdout(predicate::str::contains("edited"));
    let after = env.read(&rel);
    assert!(
        after.contains("/srv/cache") && after.contains("updated: 2030-01-01T00:00:00Z"),
        "{after}"
    );
    assert_eq!(env.commit_count(), 3);
    // A person's edit validates a draft (the lifecycle's rule).
    assert!(after.contains("maturity: validated"), "{after}");
    // Setting the maturity by hand records the standing it was set at.
    let demote = editor_script(
        &env,
        "demote.sh",
        "sed -i 's#maturity: validated#maturity: draft#' \"$1\"",
    );
    env.mem()
        .env("EDITOR", &demote)
        .args(["edit", &path])
        .assert()
        .success();
    let set = env.read(&rel);
    assert!(
        set.contains("maturity: draft") && set.contains("x-maturity-standing: 0"),
        "{set}"
    );
    let after = env.read(&rel);

    // Broken front matter: exit 2, file unchanged, attempt kept.
    let bad = editor_script(
        &env,
        "bad.sh",
        "sed -i 's/^importance: .*/importance: [oops/' \"$1\"",
    );
    env.mem()
        .env("EDITOR", &bad)
        .args(["edit", &path])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(&rel)
                .and(predicate::str::contains("line"))
                .and(predicate::str::contains("rejected")),
        );
    assert_eq!(env.read(&rel), after);
    assert_eq!(
        std::fs::read_dir(env.root.join(".mem/state/rejected"))
            .unwrap()
            .count(),
        1
    );
    // The same mistake again within the same second: both attempts are kept.
    for _ in 0..2 {
        env.mem()
            .env("EDITOR", &bad)
            .env("MEM_NOW", "2030-01-02T00:00:00Z")
            .args(["edit", &path])
            .assert()
            .code(2);
    }
    assert_eq!(
        std::fs::read_dir(env.root.join(".mem/state/rejected"))
            .unwrap()
            .count(),
        3
    );

    // Changing the id is refused.
    let idchg = editor_script(
        &env,
        "id.sh",
        "sed -i 's/^id: .*/id: 01ARZ3NDEKTSV4RRFFQ69G5FAV/' \"$1\"",
    );
    env.mem()
        .env("EDITOR", &idchg)
        .args(["edit", &path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("id changed"));
    assert_eq!(env.read(&rel), after);
    // An editor that fails changes nothing.
    env.mem()
        .env("EDITOR", "false")
        .args(["edit", &path])
        .assert()
        .code(2);
    assert_eq!(env.commit_count(), 4, "the two edits, nothing since");
    assert_ne!(before, after);
}

#[test]
fn mv_forget_restore_and_log_follow_the_entry() {
    let env = Env::new();
    let a = env.add("rotate the keys monthly", "eng/security");
    let b = env.json(&["add", "see the rotation note", "--at", "eng/ops"]);
    let id = a["id"].as_str().unwrap().to_string();
    // b relates to a; moving a rewrites b's relation.
    let b_rel = format!("{}.md", b[0]["path"].as_str().unwrap());
    let mut text = env.read(&b_rel);
    text = text.replacen(
        "\n---\n",
        "\nrelations:\n  - {rel: related, to: eng/security/rotate-the-keys-monthly}\n---\n",
        1,
    );
    std::fs::write(env.root.join(&b_rel), &text).unwrap();
    env.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qam",
        "hand edit",
    ]);

    let m = env.json(&["mv", &id, "eng/policies"]);
    assert_eq!(m[0]["to"], "eng/policies/rotate-the-keys-monthly");
    assert_eq!(m[0]["relinked"][0], b[0]["path"]);
    assert!(
        env.read(&b_rel)
            .contains("to: eng/policies/rotate-the-keys-monthly")
    );
    assert!(
        !env.root.join("eng/security").exists(),
        "empty topic folder left behind"
    );
    let m2 = env.json(&[
        "mv",
        "eng/policies/rotate-the-keys-monthly",
        "eng/policies/key-rotation",
    ]);
    assert_eq!(m2[0]["to"], "eng/policies/key-rotation");

    let f = env.json(&["forget", &id, "--reason", "superseded by vault"]);
    assert_eq!(f[0]["archived_path"], "_archive/eng/policies/key-rotation");
    assert!(
        env.root
            .join("_archive/eng/policies/key-rotation.md")
            .is_file()
    );
    assert!(
        env.git(&["log", "-1", "--format=%B"])
            .contains("superseded by vault")
    );
    assert_eq!(env.json(&["ls"]).len(), 1);
    assert_eq!(env.json(&["ls", "--archived"]).len(), 2);
    env.mem()
        .args(["show", "eng/policies/key-rotation"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("archived"));

    let log = env.json(&["log", &id]);
    let msgs: Vec<&str> = log.iter().map(|v| v["message"].as_str().unwrap()).collect();
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(msgs[0].starts_with("mem: forget eng/policies/key-rotation"));
    assert!(msgs[3].starts_with("mem: add eng/security/rotate-the-keys-monthly"));
    assert_eq!(log[3]["path"], "eng/security/rotate-the-keys-monthly");

    let r = env.json(&["restore", "eng/policies/key-rotation"]);
    assert_eq!(r[0]["op"], "restored");
    assert!(env.root.join("eng/policies/key-rotation.md").is_file());
    assert!(!env.root.join("_archive").exists());
    env.mem()
        .args(["restore", "eng/policies/key-rotation"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not archived"));
    assert_eq!(env.json(&["log", &id]).len(), 5);
    assert!(env.json(&["log"]).len() >= 7);
    assert!(env.git(&["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn restoring_an_entry_whose_statement_was_added_again_names_the_live_one() {
    let env = Env::new();
    let text = "The staging database is db-stage-2.";
    let old = env.add(text, "infra/db")["path"]
        .as_str()
        .unwrap()
        .to_string();
    env.mem().args(["forget", &old]).assert().success();
    // The same text again: a new entry beside the archived one.
    let new = env.add(text, "infra/db")["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new, old);
    let commits = env.commit_count();
    env.mem()
        .args(["restore", &old])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{new} holds the same statement"
        )))
        .stderr(predicate::str::contains(format!("mem forget {new}")));
    assert_eq!(env.commit_count(), commits, "nothing was written");
    assert!(!env.root.join(format!("{old}.md")).exists());
    // Forgetting the new one first lets the old one back: one live copy.
    env.mem().args(["forget", &new]).assert().success();
    env.mem().args(["restore", &old]).assert().success();
    let live = env.json(&["ls"]);
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["path"], old.as_str());
}

#[test]
fn doctor_reports_broken_files_duplicate_ids_and_strays() {
    let env = Env::new();
    let a = env.add("a fine entry", "eng/build");
    env.add("another fine entry", "eng/build");
    let v = env.json(&["doctor"]);
    assert_eq!(v.last().unwrap()["errors"], 0);
    assert_eq!(v.last().unwrap()["entries"], 2);
    env.mem().args(["doctor", "--strict"]).assert().success();

    // A warning alone passes, unless --strict.
    std::fs::write(env.root.join("eng/build/notes.txt"), "stray").unwrap();
    env.mem().args(["doctor"]).assert().success();
    let out = env
        .mem()
        .args(["doctor", "--strict", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let summary = parse_lines(&out.stdout).pop().unwrap();
    assert_eq!(
        (summary["warnings"].as_u64(), summary["ok"].as_bool()),
        (Some(1), Some(false))
    );

    // Broken types, a copied id, a stray file, a dangling relation.
    let rel = format!("{}.md", a["path"].as_str().unwrap());
    let good = env.read(&rel);
    std::fs::write(env.root.join("eng/build/copy.md"), &good).unwrap();
    std::fs::write(
        env.root.join("eng/build/broken.md"),
        good.replace("importance: 50", "importance: [1, 2]"),
    )
    .unwrap();
    std::fs::write(env.root.join("eng/build/notes.txt"), "stray").unwrap();
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines = parse_lines(&out.stdout);
    let broken = lines
        .iter()
        .find(|p| p["path"] == "eng/build/broken.md")
        .expect("broken reported");
    assert_eq!(broken["severity"], "error");
    assert!(broken["line"].as_u64().unwrap() >= 2);
    assert!(
        broken["problem"].as_str().unwrap().contains("importance"),
        "{broken}"
    );
    assert!(lines.iter().any(|p| {
        p["problem"]
            .as_str()
            .is_some_and(|s| s.contains("used by 2 entries"))
    }));
    assert!(
        lines
            .iter()
            .any(|p| p["path"] == "eng/build/notes.txt" && p["severity"] == "warning")
    );
    // Human output names path:line and the fix; the files are untouched.
    env.mem().args(["doctor"]).assert().code(2).stdout(
        predicate::str::contains("eng/build/broken.md:").and(predicate::str::contains("fix:")),
    );
    assert!(
        env.read("eng/build/broken.md")
            .contains("importance: [1, 2]")
    );
    // Reading a broken entry reports it instead of hiding it.
    env.mem()
        .args(["show", "eng/build/broken"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "front matter of eng/build/broken.md line",
        ));
}

/// A usage error under --json is a JSON object too (a script parses
/// stderr the same way for every error); without --json, clap's text.
#[test]
fn a_usage_error_with_json_is_a_json_object_on_stderr() {
    let env = Env::new();
    for args in [
        vec!["--json", "recall", "x", "-k", "0"],
        vec!["add", "y", "--importance", "500", "--json"],
        vec!["--json", "no-such-command"],
    ] {
        let out = env.mem().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(err["kind"], "usage", "{args:?}: {err}");
        assert!(!err["error"].as_str().unwrap().is_empty(), "{err}");
    }
    let out = env.mem().args(["recall", "x", "-k", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
    // Help is help, with or without --json.
    let out = env.mem().args(["--json", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
}

#[test]
fn missing_entries_are_not_found_for_forget_and_restore_and_mv_in_place_is_a_noop() {
    let env = Env::new();
    let a = env.add("the backup runs nightly", "eng/ops");
    let path = a["path"].as_str().unwrap().to_string();
    let commits = env.commit_count();
    // Nothing to forget or to restore: exit 1 ("nothing found"), as JSON `not_found`.
    for args in [
        vec!["forget", "eng/ops/no-such-entry"],
        vec!["restore", "eng/ops/no-such-entry"],
        vec!["restore", path.as_str()],
    ] {
        let out = env.mem().args(&args).arg("--json").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["kind"], "not_found", "{args:?}: {err}");
    }
    // Moving an entry to where it is: success, nothing changes.
    for dest in [path.as_str(), "eng/ops"] {
        env.mem()
            .args(["mv", &path, dest])
            .assert()
            .success()
            .stdout(predicate::str::contains("already there; nothing moved"));
    }
    let m = env.json(&["mv", &path, &path]);
    assert_eq!(m[0]["op"], "noop");
    assert_eq!(m[0]["to"], path.as_str());
    assert!(env.root.join(format!("{path}.md")).is_file());
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn raw_add_reports_its_statement_observed_takes_ages_and_log_has_no_path_for_the_tree() {
    let env = Env::new();
    let a = env.add("the cache is warmed at boot", "eng/ops");
    assert_eq!(a["statement"], "the cache is warmed at boot", "{a}");
    // A duplicate reports the statement it duplicates.
    let again = env.add("the cache is warmed at boot", "eng/ops");
    assert_eq!(again["op"], "noop");
    assert_eq!(again["statement"], "the cache is warmed at boot", "{again}");
    // --observed: a date, or an age (that long ago, from MEM_NOW).
    for (age, day) in [
        ("7d", "2026-03-03T12:00:00Z"),
        ("2w", "2026-02-24T12:00:00Z"),
        ("2026-01-05", "2026-01-05T00:00:00Z"),
    ] {
        let out = env
            .mem()
            .env("MEM_NOW", "2026-03-10T12:00:00Z")
            .args([
                "add",
                "--raw",
                "--json",
                "--at",
                "eng/log",
                "--observed",
                age,
            ])
            .arg(format!("the deploy observed {age}"))
            .output()
            .unwrap();
        ok(&out);
        let path = parse_lines(&out.stdout)[0]["path"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            env.read(&format!("{path}.md"))
                .contains(&format!("observed: {day}")),
            "{age}"
        );
    }
    env.mem()
        .args(["add", "x", "--at", "a/b", "--observed", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--observed soon").and(predicate::str::contains("7d")));
    // `mem log --json`: an entry's history names its path; the tree's has none.
    let tree_log = env.json(&["log"]);
    assert!(tree_log.iter().all(|i| i["path"].is_null()), "{tree_log:?}");
    let entry_log = env.json(&["log", a["path"].as_str().unwrap()]);
    assert_eq!(entry_log[0]["path"], a["path"]);
}

#[test]
fn json_errors_and_exit_codes() {
    let env = Env::new();
    let out = env
        .mem()
        .args(["show", "a/b/c", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["kind"], "not_found");
    assert!(out.stdout.is_empty());
    env.mem()
        .args(["add", "x", "--kind", "rumour", "--at", "a/b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kind"));
    env.mem().args(["bogus-verb"]).assert().code(2);
}

#[test]
fn round_trip_keeps_unknown_keys_and_bytes() {
    let env = Env::new();
    let a = env.add("keep my keys", "eng/misc");
    let rel = format!("{}.md", a["path"].as_str().unwrap());
    let text = env.read(&rel).replace(
        "maturity: draft\n",
        "maturity: draft\nx-reviewer: bob   # hand-added\n",
    );
    std::fs::write(env.root.join(&rel), &text).unwrap();
    // A move rewrites nothing inside the file.
    env.mem()
        .args(["mv", a["path"].as_str().unwrap(), "eng/other"])
        .assert()
        .success();
    assert_eq!(env.read("eng/other/keep-my-keys.md"), text);
    // An edit that only touches the body keeps the hand-added key and comment.
    let p = env.dir.path().join("ed.sh");
    std::fs::write(&p, "#!/bin/sh\necho 'more' >> \"$1\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.mem()
        .env("EDITOR", &p)
        .args(["edit", "eng/other/keep-my-keys"])
        .assert()
        .success();
    assert!(
        env.read("eng/other/keep-my-keys.md")
            .contains("x-reviewer: bob   # hand-added\n")
    );
}

#[test]
fn show_takes_file_paths_as_a_shell_completes_them() {
    let env = Env::new();
    let a = env.add("the staging cluster runs on arm64", "infra/staging");
    let path = a["path"].as_str().unwrap().to_string();
    let file = format!("{path}.md");
    let abs = env.root.join(&file);
    let topic = env.root.join("infra/staging");
    let name = abs.file_name().unwrap().to_str().unwrap().to_string();
    for (dir, spec) in [
        (env.root.clone(), format!("./{file}")),
        (env.root.clone(), abs.to_str().unwrap().to_string()),
        (topic.clone(), name.clone()),
        (topic.clone(), format!("../staging/{name}")),
    ] {
        let out = env
            .mem()
            .current_dir(&dir)
            .args(["show", &spec, "--json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{spec}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["path"], path.as_str(), "{spec}");
    }
    // A file outside the tree is still refused.
    let outside = env.dir.path().join("note.md");
    std::fs::write(&outside, "x").unwrap();
    let out = env
        .mem()
        .args(["show", outside.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A relation's target moved by hand (or on another clone, or by a killed
/// `mem mv`): doctor names where the target is now, and `doctor --fix`
/// points the relation there by its id, in one commit.
#[test]
fn doctor_fix_points_stale_relations_at_their_targets_by_id() {
    let env = Env::new();
    let x = env.add("Rotate the deploy keys every month.", "eng/security");
    let x_path = x["path"].as_str().unwrap().to_string();
    let x_id = env.json(&["show", &x_path])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let y = env.add("The key rotation runbook is in the wiki.", "eng/runbooks");
    let y_file = env.root.join(format!("{}.md", y["path"].as_str().unwrap()));
    let text = std::fs::read_to_string(&y_file).unwrap();
    let with_rel = text.replacen(
        "\n---\n",
        &format!("\nrelations:\n  - {{rel: related, to: {x_path}, id: {x_id}}}\n---\n"),
        1,
    );
    std::fs::write(&y_file, with_rel).unwrap();
    // The target is moved by hand, outside mem.
    let slug = x_path.rsplit('/').next().unwrap();
    std::fs::create_dir_all(env.root.join("ops/security")).unwrap();
    std::fs::rename(
        env.root.join(format!("{x_path}.md")),
        env.root.join(format!("ops/security/{slug}.md")),
    )
    .unwrap();
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("which does not exist")
            && said.contains(&format!("now at ops/security/{slug}")),
        "{said}"
    );
    env.mem().args(["doctor", "--fix"]).assert().success();
    let now = std::fs::read_to_string(&y_file).unwrap();
    assert!(now.contains(&format!("to: ops/security/{slug}")), "{now}");
    assert!(now.contains(&x_id), "{now}");
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("does not exist"));
}

/// `mem mv TOPIC NEW-TOPIC`: every entry moves, relations to them follow
/// (from inside and outside the topic), one commit; a clash moves nothing.
#[test]
fn mv_of_a_topic_moves_every_entry_and_relinks_in_one_commit() {
    let env = Env::new();
    let a = env.add("The build needs cmake.", "eng/build");
    let b = env.add("The build also needs libclang.", "eng/build");
    let c = env.add(
        "The runbook for broken builds is in the wiki.",
        "ops/runbooks",
    );
    let (ap, bp, cp) = (
        a["path"].as_str().unwrap().to_string(),
        b["path"].as_str().unwrap().to_string(),
        c["path"].as_str().unwrap().to_string(),
    );
    for (from, to) in [(&bp, &ap), (&cp, &ap)] {
        let f = env.root.join(format!("{from}.md"));
        let t = std::fs::read_to_string(&f).unwrap();
        std::fs::write(
            &f,
            t.replacen(
                "\n---\n",
                &format!("\nrelations:\n  - {{rel: related, to: {to}}}\n---\n"),
                1,
            ),
        )
        .unwrap();
    }
    env.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@e",
        "commit",
        "-qam",
        "relations by hand",
    ]);
    let commits = env.commit_count();
    let out = env.json(&["mv", "eng/build", "eng/toolchain"]);
    assert_eq!(out[0]["op"], "moved-topic", "{out:?}");
    assert_eq!(out[0]["moved"].as_array().unwrap().len(), 2);
    assert_eq!(env.commit_count(), commits + 1);
    assert!(!env.root.join("eng/build").exists());
    let na = ap.replace("eng/build/", "eng/toolchain/");
    for f in [bp.replace("eng/build/", "eng/toolchain/"), cp.clone()] {
        let t = std::fs::read_to_string(env.root.join(format!("{f}.md"))).unwrap();
        assert!(t.contains(&format!("to: {na}")), "{f}: {t}");
    }
    assert!(env.git(&["status", "--porcelain"]).trim().is_empty());
    let doc = env.json(&["doctor"]);
    assert_eq!(doc.last().unwrap()["warnings"], 0, "{doc:?}");
    // A clash: nothing moves.
    env.add("The build needs cmake.", "ops/toolchain");
    let clash = env
        .mem()
        .args(["mv", "eng/toolchain", "ops/toolchain"])
        .output()
        .unwrap();
    assert!(!clash.status.success());
    assert!(String::from_utf8_lossy(&clash.stderr).contains("exists already"));
    assert!(env.root.join(format!("{na}.md")).is_file());
}

#[test]
fn importance_out_of_range_is_refused_with_the_same_range_in_the_message() {
    let env = Env::new();
    for n in ["101", "200", "500"] {
        let out = env
            .mem()
            .args([
                "add",
                "--raw",
                "A note.",
                "--at",
                "general/notes",
                "--importance",
                n,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{n}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("0..=100"), "{n}: {err}");
    }
}

#[test]
fn ls_marks_an_ended_entry_and_one_held_for_review() {
    let env = Env::new();
    let old = env.json(&[
        "add",
        "The team standup is at 9:30.",
        "--at",
        "work/meetings",
    ]);
    let old = old[0]["path"].as_str().unwrap().to_string();
    let new = env.json(&[
        "add",
        "The team standup moved to 10:15.",
        "--at",
        "work/meetings",
    ]);
    assert_eq!(new[0]["op"], "superseded", "{new:?}");
    let held = env.json(&[
        "add",
        "The team standup moved to 11:00.",
        "--at",
        "work/meetings",
        "--via",
        "agent",
    ]);
    assert_eq!(held[0]["op"], "held", "{held:?}");
    let held = held[0]["path"].as_str().unwrap().to_string();
    // The commit says the write waits, not only that it was added.
    let msg = env.git(&["log", "-1", "--format=%s"]);
    assert!(msg.contains("held for review beside"), "{msg}");
    let lines = env.json(&["ls"]);
    let status = |p: &str| {
        lines
            .iter()
            .find(|l| l["path"] == p)
            .map(|l| l["status"].clone())
            .unwrap()
    };
    assert_eq!(status(&old), serde_json::json!(["ended"]));
    assert_eq!(status(&held), serde_json::json!(["review"]));
    let text = String::from_utf8(env.mem().arg("ls").output().unwrap().stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with(&old)).unwrap();
    assert!(line.ends_with(" [ended]"), "{line}");
}

#[test]
fn an_observed_date_in_the_future_is_noted_not_refused() {
    let env = Env::new();
    let out = env
        .mem()
        .args([
            "add",
            "--raw",
            "The lease ends.",
            "--at",
            "home/lease",
            "--observed",
            "2099-01-01",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is in the future"));
    let out = env
        .mem()
        .args([
            "add",
            "--raw",
            "The boiler was serviced.",
            "--at",
            "home/boiler",
            "--observed",
            "2026-01-01",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("future"));
}

#[test]
fn doctor_does_not_call_front_matter_it_cannot_use_missing() {
    let env = Env::new();
    std::fs::create_dir_all(env.root.join("notes/misc")).unwrap();
    std::fs::write(
        env.root.join("notes/misc/only-title.md"),
        "---\ntitle: Only a title\n---\nBody of another tool's note.\n",
    )
    .unwrap();
    std::fs::write(env.root.join("notes/misc/plain.md"), "Just text.\n").unwrap();
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    let lines = parse_lines(&out.stdout);
    let problem = |p: &str| {
        lines
            .iter()
            .find(|l| l["path"] == p)
            .and_then(|l| l["problem"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let titled = problem("notes/misc/only-title.md");
    assert!(
        titled.starts_with("front matter mem does not use as it is"),
        "{lines:?}"
    );
    assert!(
        problem("notes/misc/plain.md").starts_with("no front matter"),
        "{lines:?}"
    );
}

#[test]
fn commits_are_by_the_author_git_names_in_the_environment() {
    let env = Env::new();
    env.mem()
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .args([
            "add",
            "--raw",
            "The build needs cmake.",
            "--at",
            "eng/build",
        ])
        .assert()
        .success();
    let who = env.git(&["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(who.trim(), "Ada Lovelace <ada@example.com>");
    // Without them, not that author.
    env.mem()
        .args([
            "add",
            "--raw",
            "The tests need Docker.",
            "--at",
            "eng/build",
        ])
        .assert()
        .success();
    let who = env.git(&["log", "-1", "--format=%an"]);
    assert_ne!(who.trim(), "Ada Lovelace");
}

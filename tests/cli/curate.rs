//! Curated writes: `mem add` decides add / update / merge / supersede /
//! noop, keeps evidence, never loses input (fake or absent models here; the
//! real models are exercised in tests/models.rs).

use crate::common::*;

fn add_json(env: &Env, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["add"];
    a.extend_from_slice(args);
    env.json(&a)
}

fn entries(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = env
        .all_files()
        .into_iter()
        .map(|(p, _)| {
            p.strip_prefix(&env.root)
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .filter(|p| p.ends_with(".md") && !p.starts_with(".mem"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_changed_fact_supersedes_and_keeps_the_old_entry() {
    let env = Env::new();
    let base = env.add("Alice lives in Berlin.", "people/alice");
    let old = base["path"].as_str().unwrap().to_string();
    let v = add_json(&env, &["Alice moved from Berlin to Paris."]);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["op"], "superseded");
    assert_eq!(v[0]["target"], old.as_str());
    let new = v[0]["path"].as_str().unwrap();
    assert!(
        new.starts_with("people/alice/"),
        "placed next to the old entry: {new}"
    );
    let text = env.read(&format!("{new}.md"));
    assert!(
        text.contains("rel: supersedes") && text.contains(&old),
        "{text}"
    );
    assert!(text.contains("curation: 'supersede: "), "{text}");
    assert!(
        env.root.join(format!("{old}.md")).is_file(),
        "the old entry is kept"
    );
    let msg = env.git(&["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with(&format!("mem: supersede {old} with {new}")),
        "{msg}"
    );
    assert!(msg.contains("change marker"), "{msg}");
    // text output names both
    let out = env
        .mem()
        .args(["add", "Alice lives in Paris now.", "--no-model"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        line.starts_with("noop: duplicate of ") || line.starts_with("superseded "),
        "{line}"
    );
    // recall hides the superseded entry
    let hits = env.json(&["recall", "where does Alice live"]);
    assert!(hits.iter().all(|h| h["path"] != old.as_str()), "{hits:?}");
}

/// A wrong supersede is taken back without losing either entry.
#[test]
fn unsupersede_keeps_both_entries_live_and_apart() {
    let env = Env::new();
    let base = env.add("Alice lives in Berlin.", "people/alice");
    let old = base["path"].as_str().unwrap().to_string();
    let v = add_json(&env, &["Alice moved from Berlin to Paris."]);
    assert_eq!(v[0]["op"], "superseded", "{v:?}");
    let new = v[0]["path"].as_str().unwrap().to_string();
    let o = env.json(&["restore", "--unsupersede", &old]);
    assert_eq!(o[0]["op"], "unsuperseded", "{o:?}");
    assert_eq!(o[0]["kept"][0], new.as_str(), "{o:?}");
    let old_text = env.read(&format!("{old}.md"));
    assert!(!old_text.contains("valid_to"), "{old_text}");
    let new_text = env.read(&format!("{new}.md"));
    assert!(
        new_text.contains("rel: related") && !new_text.contains("rel: supersedes"),
        "{new_text}"
    );
    assert!(new_text.contains("kept beside"), "{new_text}");
    // Both are found, neither flagged as replaced by the other.
    let hits = env.json(&["recall", "where does Alice live", "--tier", "3"]);
    for p in [&old, &new] {
        let h = hits
            .iter()
            .find(|h| h["path"] == p.as_str())
            .unwrap_or_else(|| panic!("{p} not in {hits:?}"));
        assert!(h.get("superseded").is_none_or(|v| v == false), "{h}");
        assert!(h.get("newer").is_none_or(|v| v.is_null()), "{h}");
    }
    // `mem dream` leaves a pair a person kept apart alone.
    let dry = env.json(&["dream", "--dry-run", "--time", "10m"]).remove(0);
    assert!(!dry["proposals"].to_string().contains(&old), "{dry}");
    // A second time: nothing to take back (exit 1); one commit was made.
    let commits = env.commit_count();
    env.mem()
        .args(["restore", "--unsupersede", &old])
        .assert()
        .code(1);
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn a_refinement_updates_in_place_with_both_evidences() {
    let env = Env::new();
    let base = env.add("Alice works at Google.", "people/alice");
    let path = base["path"].as_str().unwrap();
    let commits = env.commit_count();
    let v = add_json(
        &env,
        &["Alice works at Google as a senior product manager in Zurich."],
    );
    assert_eq!(v[0]["op"], "updated");
    assert_eq!(v[0]["path"], path);
    let text = env.read(&format!("{path}.md"));
    assert!(
        text.contains("\nAlice works at Google as a senior product manager in Zurich.\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "## Evidence\n\n> Alice works at Google.\n\n> Alice works at Google as a senior"
        ),
        "{text}"
    );
    assert_eq!(env.commit_count(), commits + 1);
    assert!(
        env.git(&["log", "-1", "--format=%s"])
            .starts_with(&format!("mem: update {path}"))
    );
    assert_eq!(entries(&env).len(), 1);
}

#[test]
fn an_addition_merges_into_the_entry() {
    let env = Env::new();
    let base = env.add(
        "The release build requires cmake and libclang.",
        "eng/build",
    );
    let path = base["path"].as_str().unwrap();
    let out = env
        .mem()
        .args(["add", "The release build also needs the protobuf compiler."])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("merged into {path}")
    );
    let text = env.read(&format!("{path}.md"));
    assert!(text.contains("The release build requires cmake and libclang.\n\nThe release build also needs the protobuf compiler."), "{text}");
    assert!(
        text.contains(
            "> The release build requires cmake and libclang.\n\n> The release build also needs"
        ),
        "{text}"
    );
}

#[test]
fn the_same_fact_five_times_in_different_words_leaves_one_entry() {
    let env = Env::new();
    let mut first = serde_json::Value::Null;
    for (i, t) in [
        "The staging server listens on port 8080.",
        "Port 8080 is where the staging server listens.",
        "The staging server is listening on port 8080",
        "Staging server: port 8080.",
        "the staging server listens on port 8080!",
    ]
    .iter()
    .enumerate()
    {
        let v = add_json(&env, &[t]);
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0]["op"],
            if i == 0 { "added" } else { "noop" },
            "{t}: {:?}",
            v[0]
        );
        if i == 0 {
            first = v[0].clone();
        } else {
            // A noop names the entry that already says it.
            assert_eq!(v[0]["id"], first["id"], "{:?}", v[0]);
            assert_eq!(v[0]["title"], first["title"], "{:?}", v[0]);
        }
    }
    assert_eq!(entries(&env).len(), 1, "{:?}", entries(&env));
    assert_eq!(env.commit_count(), 2, "a noop makes no commit");
}

#[test]
fn different_people_are_different_facts() {
    let env = Env::new();
    env.add("Alice lives in Berlin.", "people/alice");
    let v = add_json(&env, &["Bob lives in Paris."]);
    assert_eq!(v[0]["op"], "added");
    assert!(
        v[0]["reason"]
            .as_str()
            .unwrap()
            .contains("different subject"),
        "{:?}",
        v[0]
    );
}

#[test]
fn multi_fact_input_is_split_with_verbatim_evidence() {
    let env = Env::new();
    env.add("Alice lives in Berlin.", "people/alice");
    let input = "Alice moved to Paris in March. She started learning the cello.";
    let v = add_json(&env, &[input]);
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0]["op"], "superseded");
    assert_eq!(v[1]["op"], "added");
    assert_eq!(v[1]["statement"], "Alice started learning the cello.");
    assert_eq!(v[1]["evidence"], "She started learning the cello.");
    let text = env.read(&format!("{}.md", v[1]["path"].as_str().unwrap()));
    assert!(
        text.contains(
            "Alice started learning the cello.\n\n## Evidence\n\n> She started learning the cello."
        ),
        "{text}"
    );
    assert_eq!(
        v[0]["commit"], v[1]["commit"],
        "one commit for the whole input"
    );
}

#[test]
fn a_broken_model_file_still_writes_the_input_and_warns() {
    let env = Env::new();
    env.add("Alice lives in Berlin.", "people/alice");
    let broken = env.dir.path().join("broken.gguf");
    std::fs::write(&broken, b"GGUF this is not a model").unwrap();
    let input = "Alice is training for the Berlin marathon in September.";
    let out = env
        .mem()
        .env("MEM_GENERATOR", &broken)
        .env("MEM_CURATE_WITH_GENERATOR", "1")
        .args(["add", input, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "something was written, so exit 0: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: curation failed") && err.contains("curation: pending"),
        "{err}"
    );
    let v = parse_lines(&out.stdout);
    assert_eq!(v[0]["op"], "added");
    assert_eq!(v[0]["pending"], true);
    let text = env.read(&format!("{}.md", v[0]["path"].as_str().unwrap()));
    assert!(
        text.contains("curation: pending") && text.contains(input),
        "{text}"
    );
    assert!(
        env.git(&["status", "--porcelain"]).trim().is_empty(),
        "committed, no write-ahead copy left behind"
    );
    assert_eq!(entries(&env).len(), 2);
}

#[test]
fn unclear_cases_go_to_the_model_or_default_to_add() {
    let env = Env::new();
    env.add("Alice lives in Berlin.", "people/alice");
    let input = "Alice is training for the Berlin marathon in September.";
    let v = add_json(&env, &[input, "--dry-run"]);
    assert_eq!(v[0]["decided_by"], "threshold", "{:?}", v[0]);
    // A generator alone is not asked: curation asks it only when
    // `models.curate_with_generator` is on (off by default).
    let out = env
        .mem()
        .env("MEM_GENERATOR", "fake")
        .args(["add", input, "--json", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(parse_lines(&out.stdout)[0]["decided_by"], "threshold");
    let out = env
        .mem()
        .env("MEM_GENERATOR", "fake")
        .env("MEM_CURATE_WITH_GENERATOR", "1")
        .args(["add", input, "--json"])
        .output()
        .unwrap();
    let v = parse_lines(&out.stdout);
    assert_eq!(v[0]["decided_by"], "model", "{:?}", v[0]);
    // the fake always answers the first option: "add" in one order, "supersede" in the
    // other, so the answer is not trusted and the default (add) stands
    assert!(
        v[0]["reason"].as_str().unwrap().contains("model undecided"),
        "{:?}",
        v[0]
    );
    assert_eq!(v[0]["op"], "added");
    // The raw copy written before the model was asked was replaced by the
    // entry in the same commit: one new entry, at the copy's slug, not
    // pending, nothing left uncommitted.
    assert_eq!(entries(&env).len(), 2, "{:?}", entries(&env));
    let text = env.read(&format!("{}.md", v[0]["path"].as_str().unwrap()));
    assert!(!text.contains("curation: pending"), "{text}");
    assert!(
        !v[0]["path"].as_str().unwrap().ends_with("-2"),
        "{:?}",
        v[0]
    );
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    assert!(!env.root.join(".mem/state/uncommitted").exists());
}

#[test]
fn dry_run_prints_a_diff_and_changes_nothing() {
    let env = Env::new();
    let base = env.add("Alice works at Google.", "people/alice");
    let path = base["path"].as_str().unwrap();
    let before = env.all_files();
    let commits = env.commit_count();
    let out = env
        .mem()
        .args([
            "add",
            "--dry-run",
            "Alice works at Google as a staff engineer in Munich.",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("--- a/{path}.md"))
            && stdout.contains(&format!("+++ b/{path}.md")),
        "{stdout}"
    );
    assert!(
        stdout.contains("-Alice works at Google.")
            && stdout.contains("+Alice works at Google as a staff engineer in Munich."),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("would have updated"));
    let after: Vec<_> = env
        .all_files()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(env.root.join(".mem")))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|(p, _)| !p.starts_with(env.root.join(".mem")))
        .collect();
    assert_eq!(before, after);
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn raw_skips_curation() {
    let env = Env::new();
    env.add("Alice lives in Berlin.", "people/alice");
    let v = add_json(
        &env,
        &[
            "--raw",
            "Alice moved from Berlin to Paris.",
            "--at",
            "people/alice",
        ],
    );
    assert_eq!(v[0]["op"], "added");
    assert_eq!(v[0]["decided_by"], "raw");
    let text = env.read(&format!("{}.md", v[0]["path"].as_str().unwrap()));
    assert!(
        !text.contains("supersedes") && !text.contains("curation:"),
        "{text}"
    );
    // exact duplicates are still a noop with --raw
    let v = add_json(
        &env,
        &["--raw", "Alice lives in Berlin.", "--at", "people/alice"],
    );
    assert_eq!(v[0]["op"], "noop");
}

#[test]
fn eval_curation_runs_the_shipped_scenarios() {
    let env = Env::new();
    let out = env
        .mem()
        .args([
            "eval", "curation", "--modes", "lexical", "--only", "exact", "--json",
        ])
        .output()
        .unwrap();
    ok(&out);
    let v = parse_lines(&out.stdout);
    let r = &v[0]["results"][0];
    assert_eq!(r["mode"], "lexical");
    assert_eq!(r["decisions"], 6);
    assert_eq!(r["correct"], 6, "{r}");
    assert_eq!(r["lost"], 0);
    assert_eq!(r["unsupported_stored"], 0);
}

/// Every curation decision can be taken back in one command: `mem undo`
/// of a supersede makes the old entry live again and removes the new one;
/// of a merge, puts the entry's old text back; of a move, moves it back.
/// A file changed again since is never overwritten (exit 2, nothing
/// changed), and a dry run writes nothing.
#[test]
fn undo_takes_back_a_supersede_a_merge_and_a_move() {
    let env = Env::new();
    let old = add_json(&env, &["Alice lives in Berlin.", "--at", "people/alice"]);
    let old_path = old[0]["path"].as_str().unwrap().to_string();
    let v = add_json(&env, &["Alice moved from Berlin to Paris."]);
    assert_eq!(v[0]["op"], "superseded", "{v:?}");
    let new_path = v[0]["path"].as_str().unwrap().to_string();
    // Hidden while superseded.
    let hits = env.json(&["recall", "Alice lives"]);
    assert!(
        hits.iter().all(|h| h["path"] != old_path.as_str()),
        "{hits:?}"
    );

    // A dry run says what it would do and changes nothing.
    let before = env.commit_count();
    let dry = env.json(&["undo", "--dry-run"]);
    assert_eq!(dry[0]["op"], "would undo");
    assert_eq!(dry[0]["removed"][0], format!("{new_path}.md"));
    assert_eq!(env.commit_count(), before);
    assert!(env.root.join(format!("{new_path}.md")).exists());

    let u = env.json(&["undo"]);
    assert_eq!(u[0]["op"], "undone", "{u:?}");
    assert_eq!(env.commit_count(), before + 1);
    assert!(!env.root.join(format!("{new_path}.md")).exists());
    let hits = env.json(&["recall", "Alice lives"]);
    assert_eq!(hits[0]["path"], old_path.as_str(), "live again: {hits:?}");
    assert!(
        env.git(&["log", "-1", "--format=%s"])
            .starts_with("mem: undo "),
        "one commit that says so"
    );

    // A merge: the entry's text comes back.
    let build = add_json(
        &env,
        &[
            "The release build needs cmake.",
            "--at",
            "engineering/build",
        ],
    );
    let build_rel = format!("{}.md", build[0]["path"].as_str().unwrap());
    let text = env.read(&build_rel);
    let m = add_json(&env, &["The release build also needs protoc."]);
    assert_eq!(m[0]["op"], "merged", "{m:?}");
    assert_ne!(env.read(&build_rel), text);
    env.json(&["undo"]);
    assert_eq!(env.read(&build_rel), text);

    // A move, then a hand edit of the moved file: the undo is refused and
    // the edit kept; without the edit it moves the entry back.
    let mv = env.json(&["mv", &old_path, "people/friends"]);
    let moved_rel = format!("{}.md", mv[0]["to"].as_str().unwrap());
    let edited = env.read(&moved_rel).replace("Berlin", "Berlin-Mitte");
    std::fs::write(env.root.join(&moved_rel), &edited).unwrap();
    let out = env.mem().args(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("changed again since") && err.contains(&moved_rel),
        "{err}"
    );
    assert_eq!(env.read(&moved_rel), edited);
    let restore = edited.replace("Berlin-Mitte", "Berlin");
    std::fs::write(env.root.join(&moved_rel), restore).unwrap();
    env.json(&["undo"]);
    assert!(env.root.join(format!("{old_path}.md")).exists());
    assert!(!env.root.join(&moved_rel).exists());
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
}

/// A tree inside a larger repository: `mem undo` of a commit that also
/// changed files outside the tree is refused (nothing changed), and a
/// commit that changed nothing in the tree is not "undone".
#[test]
fn undo_refuses_commits_reaching_outside_the_tree() {
    let env = Env::new();
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    env.git_in(env.dir.path(), &["init", "-q", repo.to_str().unwrap()]);
    let notes = repo.join("notes");
    env.mem().arg("init").arg(&notes).assert().success();
    let in_notes = |args: &[&str]| {
        let out = env.mem().current_dir(&notes).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    assert_eq!(
        in_notes(&[
            "add",
            "--raw",
            "the api runs on port 8080",
            "--at",
            "eng/api"
        ])
        .0,
        Some(0)
    );
    // A hand commit touching the tree and the code beside it.
    let entry = std::fs::read_dir(notes.join("eng/api"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(&entry, text.replace("8080", "9090")).unwrap();
    std::fs::write(repo.join("src/main.rs"), "fn main() {}\n").unwrap();
    // A commit made by hand with git, of everything changed.
    let commit_all = |msg: &str| {
        env.git_in(&repo, &["add", "-A"]);
        env.git_in(
            &repo,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                msg,
            ],
        );
    };
    commit_all("hand");
    let (code, err) = in_notes(&["undo"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("outside this tree") && err.contains("src/main.rs"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&entry).unwrap().contains("9090"));
    // A commit of code only: nothing in the tree to undo.
    std::fs::write(repo.join("src/main.rs"), "fn main() { }\n").unwrap();
    commit_all("code");
    let (code, err) = in_notes(&["undo"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("outside this tree"), "{err}");
}

#[test]
fn repeated_undos_step_further_back_instead_of_undoing_each_other() {
    let env = Env::new();
    let a = env.add("The boiler was serviced in May.", "home/boiler");
    let b = env.add("The gutters were cleaned in June.", "home/gutters");
    let (a, b) = (a["path"].as_str().unwrap(), b["path"].as_str().unwrap());
    let first = env.json(&["undo"]);
    assert!(
        first[0]["summary"].as_str().unwrap().contains("gutters"),
        "{first:?}"
    );
    let second = env.json(&["undo"]);
    assert!(
        second[0]["summary"].as_str().unwrap().contains("boiler"),
        "{second:?}"
    );
    for p in [a, b] {
        assert!(!env.root.join(format!("{p}.md")).exists(), "{p}");
    }
    // An undo named by its commit still takes back that commit (here: the
    // last undo, which brings the boiler entry back).
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    env.json(&["undo", &head]);
    assert!(env.root.join(format!("{a}.md")).exists());
}

#[test]
fn a_fact_never_merges_into_or_supersedes_an_event() {
    let env = Env::new();
    let ev = env.json(&[
        "add",
        "--raw",
        "--kind",
        "event",
        "The release build needs cmake and clang.",
        "--at",
        "chat/myproj",
    ]);
    let ev = ev[0]["path"].as_str().unwrap().to_string();
    for text in [
        "The release build also needs protoc.",
        "The release build now needs cmake and gcc.",
    ] {
        let out = env.json(&["add", text, "--at", "engineering/build"]);
        assert_ne!(out[0]["target"], ev.as_str(), "{text}: {out:?}");
        assert!(
            out[0]["path"]
                .as_str()
                .unwrap()
                .starts_with("engineering/build/")
        );
    }
    let shown = env.json(&["show", &ev]).remove(0);
    assert_eq!(
        shown["body"].as_str().unwrap().trim(),
        "The release build needs cmake and clang.",
        "{shown}"
    );
    assert!(shown["front_matter"]["valid_to"].is_null(), "{shown}");
}

//! Hostile input: every case gives exit 2 with a clear message, writes
//! nothing outside the tree and loses no file.

use crate::common::*;
use predicates::prelude::*;

fn snapshot(env: &Env) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    env.all_files()
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("/.mem/state/"))
        .collect()
}

#[test]
fn bad_locations_are_refused_not_normalised() {
    let env = Env::new();
    env.add("keep me", "eng/build");
    let before = snapshot(&env);
    let commits = env.commit_count();
    for at in [
        "../x",
        "/etc",
        ".git/x",
        "eng/../../x",
        "eng/.hidden",
        "Eng/Build",
        "eng",
        "a/b/c/d",
        "eng/_archive",
        "eng/build/",
        "eng//build",
        "C:/x",
        "eng\\build",
    ] {
        env.mem()
            .args(["add", "hostile", "--at", at])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("refused")
                    .or(predicate::str::contains("not a topic"))
                    .or(predicate::str::contains("absolute"))
                    .or(predicate::str::contains("contains")),
            );
    }
    assert_eq!(snapshot(&env), before);
    assert_eq!(env.commit_count(), commits);
    assert!(!env.dir.path().join("x").exists() && !env.root.join(".git/x").exists());
    for spec in ["../../etc/passwd", "/etc/passwd", ".git/config"] {
        env.mem().args(["show", spec]).assert().code(2);
    }
    env.mem()
        .args(["mv", "eng/build/keep-me", "../outside"])
        .assert()
        .code(2);
    env.mem()
        .args(["mv", "eng/build/keep-me", "/tmp/x/y"])
        .assert()
        .code(2);
    assert_eq!(snapshot(&env), before);
}

#[test]
fn symlinked_topic_pointing_outside_is_refused() {
    let env = Env::new();
    let outside = env.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(env.root.join("eng")).unwrap();
    std::os::unix::fs::symlink(&outside, env.root.join("eng/linked")).unwrap();
    env.mem()
        .args(["add", "escape attempt", "--at", "eng/linked"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // A symlinked domain, too.
    std::os::unix::fs::symlink(&outside, env.root.join("evil")).unwrap();
    env.mem()
        .args(["add", "escape attempt", "--at", "evil/topic"])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    // doctor points the link out.
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("symbolic link"));
}

#[test]
fn binary_huge_and_invalid_utf8_input_are_refused() {
    let env = Env::new();
    let before = snapshot(&env);
    env.mem()
        .args(["add", "--at", "a/b"])
        .write_stdin(vec![0x7fu8, b'E', b'L', b'F', 0, 0, 1, 2])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("binary"));
    let big = "word ".repeat(5 * 1024 * 1024 / 5);
    // A stream is read up to the limit only: its size is not known, and not guessed.
    for stdin in [big.clone(), "a".repeat(1024 * 1024 + 1)] {
        env.mem()
            .args(["add", "--at", "a/b"])
            .write_stdin(stdin)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("input is more than 1 MiB, over the limit of 1048576")
                    .and(predicate::str::contains("1048577").not()),
            );
    }
    let f = env.dir.path().join("big.txt");
    std::fs::write(&f, &big).unwrap();
    env.mem()
        .args(["add", "--at", "a/b", "--file", f.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("5242880"));
    env.mem()
        .args(["add", "--at", "a/b"])
        .write_stdin(b"caf\xe9 au lait".to_vec())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UTF-8"));
    env.mem()
        .args(["add", "--at", "a/b"])
        .write_stdin("   \n\t ")
        .assert()
        .code(2);
    env.mem()
        .args(["add", "--at", "a/b", "--file", "/nonexistent/file"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/file"));
    assert_eq!(snapshot(&env), before);
    // The limit is configurable.
    env.mem()
        .env("MEM_MAX_INPUT_BYTES", "10")
        .args(["add", "eleven byte", "--at", "a/b"])
        .assert()
        .code(2);
    env.mem()
        .env("MEM_MAX_INPUT_BYTES", "10")
        .args(["add", "ten bytes!", "--at", "a/b"])
        .assert()
        .success();
}

#[test]
fn yaml_bomb_and_wrong_types_in_hand_edited_entries() {
    let env = Env::new();
    let a = env.add("victim", "eng/build");
    let rel = format!("{}.md", a["path"].as_str().unwrap());
    let good = env.read(&rel);
    let bomb = good.replace(
        "maturity: draft\n",
        "maturity: draft\nl1: &a [x,x,x,x,x,x,x,x,x,x]\nl2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nl3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nl4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nl5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nl6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\nl7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nl8: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
    );
    std::fs::write(env.root.join(&rel), &bomb).unwrap();
    let start = std::time::Instant::now();
    env.mem()
        .args(["show", a["path"].as_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("anchors"));
    env.mem().args(["doctor"]).assert().code(2);
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(env.read(&rel), bomb, "a broken entry is never rewritten");

    for (from, to, word) in [
        ("kind: fact", "kind: 42", "kind"),
        ("tags: []", "tags: {a: b}", "tags"),
        ("maturity: draft", "maturity: [draft]", "maturity"),
        ("importance: 50", "importance: 500", "importance"),
    ] {
        let text = if good.contains(from) {
            good.replace(from, to)
        } else {
            good.replace("maturity: draft\n", &format!("maturity: draft\n{to}\n"))
        };
        std::fs::write(env.root.join(&rel), &text).unwrap();
        let out = env
            .mem()
            .args(["show", a["path"].as_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{to}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&rel)
                && err.contains("line")
                && (err.contains(word) || err.contains("invalid type")),
            "{to}: {err}"
        );
        assert_eq!(env.read(&rel), text);
    }
    // Binary garbage where an entry should be.
    std::fs::write(env.root.join("eng/build/garbage.md"), [0xffu8, 0xfe, 0, 1]).unwrap();
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("not UTF-8"));
}

#[test]
fn a_file_name_that_is_not_utf8_is_reported_not_skipped_in_silence() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let a = env.add("the staging cluster is in Frankfurt", "ops/infra");
    // A Latin-1 name ("caf\xe9.md") beside the entry, copied from it.
    let good = env.read(&format!("{}.md", a["path"].as_str().unwrap()));
    let bad = env
        .root
        .join("ops/infra")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9.md"));
    std::fs::write(&bad, good.replace("Frankfurt", "Lisbon")).unwrap();
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a warning, not an error");
    let lines = parse_lines(&out.stdout);
    let w = lines
        .iter()
        .find(|p| p["path"] == "ops/infra/caf\u{fffd}.md")
        .unwrap_or_else(|| panic!("not reported: {lines:?}"));
    assert_eq!(w["severity"], "warning");
    assert!(
        w["problem"].as_str().unwrap().contains("not valid UTF-8"),
        "{w}"
    );
    // The rest of the tree works as before; the file is left alone.
    let hits = env.json(&["recall", "frankfurt"]);
    assert_eq!(hits.len(), 1);
    assert!(bad.exists());
}

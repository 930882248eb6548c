//! Secrets never reach disk or git: the corpus in fixtures/secrets/ goes
//! through `mem add`, then every file and the full `git log -p` are searched.

use crate::common::*;

/// Tokens of a sentence that look like credentials (long, with digits or
/// symbols) — what must not survive, independent of the redactor's logic.
fn secretish_tokens(line: &str) -> Vec<String> {
    line.split_whitespace()
        .filter(|t| !t.contains("://"))
        .flat_map(|t| t.split([';', '=', ':', ',', '&', '?']))
        .map(|t| {
            t.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | '"' | '\'' | '(' | ')' | '`'))
        })
        .filter(|t| {
            t.len() >= 12
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars().any(|c| c.is_ascii_alphabetic())
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn corpus_of_secrets_never_reaches_files_or_git() {
    let env = Env::new();
    let corpus = std::fs::read_to_string(fixture("secrets/corpus.tsv")).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut all_tokens = Vec::new();
    for (i, line) in corpus.lines().enumerate() {
        let (kind, sentence) = line.split_once('\t').unwrap();
        kinds.insert(kind.to_string());
        all_tokens.extend(secretish_tokens(sentence));
        let out = env
            .mem()
            .args([
                "add",
                "--at",
                "sec/corpus",
                "--json",
                "--title",
                &format!("case {i}"),
            ])
            .write_stdin(sentence)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = &parse_lines(&out.stdout)[0];
        let reported: Vec<&str> = v["redacted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert!(
            reported.contains(&kind),
            "line {i}: expected {kind}, got {reported:?}"
        );
        let text = env.read(&format!("{}.md", v["path"].as_str().unwrap()));
        assert!(text.contains(&format!("[REDACTED:{kind}]")), "{text}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("redacted"));
    }
    assert!(
        kinds.len() >= 20,
        "corpus covers only {} kinds",
        kinds.len()
    );
    assert!(
        all_tokens.len() >= 15,
        "too few secret tokens recognised in the corpus: {all_tokens:?}"
    );
    let mut haystack = String::new();
    for (_, bytes) in env.all_files() {
        haystack.push_str(&String::from_utf8_lossy(&bytes));
    }
    haystack.push_str(&env.git(&["log", "-p", "--all"]));
    for t in &all_tokens {
        assert!(!haystack.contains(t.as_str()), "secret {t} leaked");
    }
    // Also the git object store as a whole (loose objects are compressed: use cat-file).
    let objects = env.git(&["rev-list", "--all", "--objects"]);
    for l in objects.lines() {
        let oid = l.split_whitespace().next().unwrap();
        let content = env.git(&["cat-file", "-p", oid]);
        for t in &all_tokens {
            assert!(!content.contains(t.as_str()), "secret {t} in object {oid}");
        }
    }
}

#[test]
fn ordinary_notes_are_not_redacted() {
    let env = Env::new();
    let clean = std::fs::read_to_string(fixture("secrets/clean.txt")).unwrap();
    let out = env
        .mem()
        .args(["add", "--at", "sec/clean", "--json"])
        .write_stdin(clean.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = &parse_lines(&out.stdout)[0];
    assert_eq!(v["redacted"].as_array().unwrap().len(), 0, "{v}");
    let text = env.read(&format!("{}.md", v["path"].as_str().unwrap()));
    assert!(text.ends_with(&format!("{}\n", clean.trim())));
}

/// A secret in a note no mem write saw (written in an editor and committed
/// with git): recall, the context pack and `mem doctor` never print it,
/// and `mem doctor --fix` redacts the file in one commit.
#[test]
fn a_secret_in_a_hand_written_note_is_hidden_and_doctor_fix_redacts_it() {
    let env = Env::new();
    let token = "ghp_5ytzwHhANLFAKELYuJoEoxq0bUfEJ0dpayuX";
    let file = env.root.join("ops/release/deploy-token.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!(
            "# Release deploys\n\nThe release workflow pushes tags with {token} until March.\n"
        ),
    )
    .unwrap();
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.name=Ana",
        "-c",
        "user.email=ana@example.com",
        "commit",
        "-qm",
        "a note by hand",
    ]);
    let hits = env.json(&["recall", "release workflow pushes tags", "--tier", "1"]);
    let hit = hits
        .iter()
        .find(|h| h["path"] == "ops/release/deploy-token")
        .unwrap_or_else(|| panic!("{hits:?}"));
    let shown = hit.to_string();
    assert!(!shown.contains(token), "{shown}");
    assert!(shown.contains("[REDACTED:github-token]"), "{shown}");
    // The token itself is not searchable.
    let by_token = env
        .mem()
        .args(["recall", token, "--tier", "1", "--json"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&by_token.stdout);
    assert!(!said.contains("deploy-token"), "{said}");
    let pack = env
        .mem()
        .args([
            "recall",
            "release workflow pushes tags",
            "--format",
            "prompt",
            "--budget",
            "400",
        ])
        .output()
        .unwrap();
    let pack = String::from_utf8_lossy(&pack.stdout);
    assert!(pack.contains("REDACTED") && !pack.contains(token), "{pack}");
    // doctor names it without printing it; --fix redacts the file.
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("holds a secret (1 × github-token)") && !said.contains(token),
        "{said}"
    );
    env.mem().args(["doctor", "--fix"]).assert().success();
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        !now.contains(token) && now.contains("[REDACTED:github-token]"),
        "{now}"
    );
    assert!(
        now.contains("The release workflow pushes tags with"),
        "{now}"
    );
    assert!(
        env.git(&["log", "-1", "--format=%s"])
            .contains("redacted secrets in")
    );
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("holds a secret"));
}

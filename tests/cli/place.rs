//! Placement (`mem add` without `--at`): an existing topic when one fits,
//! found through the index (BM25, vectors, topic names), a new topic when
//! none does, `--at` always first; and it does not read the whole tree.

use crate::common::*;

fn three(env: &Env) {
    env.add(
        "PostgreSQL runs with two read replicas",
        "engineering/database",
    );
    env.add(
        "Schema migrations are applied with sqlx",
        "engineering/database",
    );
    env.add("The tomatoes need watering every evening", "home/garden");
    env.add("Alice lives in Berlin", "people/alice");
}

fn add(env: &Env, embedder: &str, args: &[&str]) -> serde_json::Value {
    add_with(env, &[("MEM_EMBEDDER", embedder)], args)
}

/// `mem add ARGS --json` with these environment variables; its first line.
fn add_with(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> serde_json::Value {
    let mut c = env.mem();
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.arg("add").args(args).arg("--json").output().unwrap();
    ok(&out);
    parse_lines(&out.stdout).remove(0)
}

#[test]
fn a_look_alike_is_led_to_its_topic_by_the_vectors() {
    // "Replicated Postgres-16" shares no word stem with the tree's entries
    // (for BM25 and the word overlap: "replicated" is not "replicas", a
    // versioned name is not the name), only the fake embedder's 6-letter
    // word prefixes and character trigrams: only the vector neighbours can
    // find the topic.
    // The fake embedder's cosines are lower than a real model's, which
    // the thresholds are chosen for: the vectors lead it to the topic's
    // domain, next to the topic (tests/models.rs has the real embedder
    // finding a paraphrase's own topic).
    let env = Env::new();
    three(&env);
    let input = "Replicated Postgres-16 lags";
    let v = add(&env, "fake", &[input, "--dry-run"]);
    assert!(
        v["path"].as_str().unwrap().starts_with("engineering/"),
        "{v:?}"
    );
    assert!(
        v["placement"]
            .as_str()
            .unwrap()
            .contains("engineering/database scores"),
        "{v:?}"
    );
    // Without the embedder the same input has no evidence: a new topic.
    let v = add(&env, "none", &[input, "--dry-run"]);
    assert_eq!(v["placed_by"], "new", "{v:?}");
    assert!(v["path"].as_str().unwrap().starts_with("general/"), "{v:?}");
    // A name written two ways ("Postgres", "PostgreSQL") is one word: found
    // without any embedder.
    let v = add(&env, "none", &["Postgres replication lags", "--dry-run"]);
    assert!(
        v["path"]
            .as_str()
            .unwrap()
            .starts_with("engineering/database/"),
        "{v:?}"
    );
}

#[test]
fn an_unrelated_input_creates_a_new_topic_named_after_it() {
    let env = Env::new();
    three(&env);
    let v = add(&env, "fake", &["The guitar needs new strings"]);
    assert_eq!(v["placed_by"], "new", "{v:?}");
    assert_eq!(v["op"], "added");
    let path = v["path"].as_str().unwrap().to_string();
    // Named for its subject; its domain is the nearest topic's when the
    // fake vectors find one near enough (a real model puts it in general/:
    // tests/models.rs).
    let topic = path.rsplit_once('/').unwrap().0.to_string();
    assert!(topic.ends_with("/guitar-strings"), "{v:?}");
    assert!(env.root.join(format!("{path}.md")).is_file());
    // The next related input finds the topic just made (by its name and entry).
    let v = add(&env, "fake", &["Guitar strings come in packs of six"]);
    assert_eq!(v["placed_by"], "existing", "{v:?}");
    assert!(
        v["path"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{topic}/")),
        "{v:?}"
    );
}

#[test]
fn at_always_wins_over_a_fitting_topic() {
    let env = Env::new();
    three(&env);
    let input = "PostgreSQL replicas lag behind at night";
    // Without --at the input goes to the fitting topic …
    let v = add(&env, "fake", &[input, "--dry-run"]);
    assert_eq!(v["placed_by"], "existing", "{v:?}");
    assert!(
        v["path"]
            .as_str()
            .unwrap()
            .starts_with("engineering/database/"),
        "{v:?}"
    );
    // … with --at it goes where it says.
    let v = add(&env, "fake", &[input, "--at", "ops/oncall"]);
    assert_eq!(v["placed_by"], "flag", "{v:?}");
    assert!(
        v["path"].as_str().unwrap().starts_with("ops/oncall/"),
        "{v:?}"
    );
}

#[test]
fn raw_adds_are_placed_from_the_index_too() {
    let env = Env::new();
    three(&env);
    let v = add(&env, "none", &["--raw", "Tomatoes ripen late this year"]);
    assert_eq!(v["placed_by"], "existing", "{v:?}");
    assert!(
        v["path"].as_str().unwrap().starts_with("home/garden/"),
        "{v:?}"
    );
}

#[test]
fn placement_reads_a_few_entries_not_the_tree() {
    let env = Env::new();
    let synth = env.dir.path().join("synth");
    env.mem()
        .args(["eval", "synth", "--entries", "400"])
        .arg(&synth)
        .assert()
        .success();
    let out = env
        .mem()
        .current_dir(&synth)
        .env("MEM_TRACE", "1")
        .args([
            "add",
            "--no-model",
            "--json",
            "The staging database needs a bigger connection pool",
        ])
        .output()
        .unwrap();
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("entry files read"))
        .unwrap_or_else(|| panic!("no placement trace in {err}"));
    let n: usize = line
        .split(", ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the count in {line}"));
    // At most 2 hits of at most 16 topics; the old placement read all 400.
    assert!(n <= 32, "placement read {n} files: {line}");
    let v = parse_lines(&out.stdout).remove(0);
    assert!(
        matches!(
            v["placed_by"].as_str(),
            Some("existing" | "new" | "superseded-entry")
        ),
        "{v:?}"
    );
}

#[test]
fn eval_placement_runs_the_shipped_set() {
    let env = Env::new();
    let out = env
        .mem()
        .args(["eval", "placement", "--modes", "lexical", "--json"])
        .output()
        .unwrap();
    ok(&out);
    let v = parse_lines(&out.stdout).remove(0);
    assert_eq!(v["cases"], 40);
    let r = &v["results"][0];
    assert_eq!(r["mode"], "lexical");
    assert_eq!(r["cases"], 40);
    // Lexical placement gets the cases that share words right and sends
    // every unrelated input to a new topic.
    assert!(r["existing"][0].as_u64().unwrap() >= 10, "{r:?}");
    assert!(r["new"][0].as_u64().unwrap() >= 10, "{r:?}");
}

#[test]
fn eval_placement_scores_new_topic_domains_and_skips_other_trees_cases() {
    let env = Env::new();
    let cases = env.dir.path().join("domains.jsonl");
    std::fs::write(
        &cases,
        [
            r#"# new topics with their domain"#,
            r#"{"id":"k8s","input":"The Kubernetes cluster autoscaler scales down at night","expect":"new","domain":"engineering","tree":"tree.jsonl"}"#,
            r#"{"id":"guitar","input":"The guitar needs new strings","expect":"new","domain":"general","tree":"tree.jsonl"}"#,
            r#"{"id":"wrong","input":"The guitar needs new strings","expect":"new","domain":"finance","tree":"tree.jsonl"}"#,
            r#"{"id":"other","input":"Anything at all","expect":"new","domain":"general","tree":"tree2.jsonl"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let out = env
        .mem()
        .args(["eval", "placement", "--modes", "lexical", "--json"])
        .arg(&cases)
        .output()
        .unwrap();
    ok(&out);
    let v = parse_lines(&out.stdout).remove(0);
    // The case written for tree2.jsonl is not run against the shipped tree.
    assert_eq!(v["cases"], 3, "{v:?}");
    let r = &v["results"][0];
    assert_eq!(r["new"][0], 3, "{r:?}");
    // Two of three new topics are in the expected domain; the third is
    // listed as a mistake.
    assert_eq!(r["new_domain"][0], 2, "{r:?}");
    assert_eq!(r["new_domain"][1], 3, "{r:?}");
    let mistakes = r["mistakes"].as_array().unwrap();
    assert!(
        mistakes.iter().any(|m| m
            .as_str()
            .unwrap()
            .starts_with("wrong: expected a new topic in finance")),
        "{mistakes:?}"
    );
}

#[test]
fn the_generator_is_asked_about_placement_only_when_configured() {
    // "Alice waters the tomatoes" fits people/alice and home/garden about
    // equally: the unclear band, where placement may ask the generator.
    let env = Env::new();
    three(&env);
    let placement = |flag: &str| {
        // No score is "clearly best" here, so the input stays in the
        // unclear band whatever the fake vectors' scale.
        let vars = [
            ("MEM_EMBEDDER", "fake"),
            ("MEM_GENERATOR", "fake"),
            ("MEM_PLACE_WITH_GENERATOR", flag),
            ("MEM_PLACE_TUNE", "clear=2"),
        ];
        let v = add_with(&env, &vars, &["--dry-run", "Alice waters the tomatoes"]);
        v["placement"].as_str().unwrap_or_default().to_string()
    };
    // By default (models.place_with_generator = false) the score decides.
    let off = placement("0");
    assert!(
        off.starts_with("unclear:") && off.contains("no model"),
        "{off}"
    );
    // Configured, the (fake) generator is asked in both option orders.
    let on = placement("1");
    assert!(on.starts_with("unclear:") && on.contains("model "), "{on}");
    assert!(!on.contains("no model"), "{on}");
}

#[test]
fn statements_of_one_input_about_one_person_share_a_topic() {
    // "Lucas is 34" alone reads as no one's ("is" is any subject's verb);
    // cut from one input with "lives in Porto" and "works as a nurse", it
    // goes where they go.
    let env = Env::new();
    let out = env
        .mem()
        .args([
            "add",
            "Lucas is 34, lives in Porto and works as a nurse.",
            "--json",
        ])
        .output()
        .unwrap();
    ok(&out);
    let lines = parse_lines(&out.stdout);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for v in &lines {
        assert!(
            v["path"].as_str().unwrap().starts_with("people/lucas/"),
            "{lines:?}"
        );
    }
}

//! `mem ask` and `mem recall --answer`: answers with citations (tier 5).
//! Without a downloaded model the answer is extractive; the real model is
//! exercised in tests/models.rs.

use crate::common::*;

fn tree() -> Env {
    let env = Env::new();
    env.add(
        "llama.cpp builds need cmake and libclang.",
        "engineering/build",
    );
    env.add(
        "We moved the billing database from MySQL to Postgres because replication kept breaking.",
        "engineering/billing",
    );
    env.add("Tom likes window seats on flights.", "people/tom");
    env.add("Ana lives in Lisbon since 2021.", "people/ana");
    env.add("Ana works as a nurse at the city hospital.", "people/ana");
    env
}

#[test]
fn ask_answers_from_the_best_note_and_cites_it() {
    let env = tree();
    let out = env
        .mem()
        .args(["ask", "what does the build need?", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = &parse_lines(&out.stdout)[0];
    assert_eq!(a["mode"], "extractive", "no model downloaded: {a}");
    assert_eq!(a["abstained"], false);
    assert!(a["answer"].as_str().unwrap().contains("cmake"), "{a}");
    assert!(a["answer"].as_str().unwrap().ends_with("[1]."), "{a}");
    let c = &a["citations"][0];
    assert!(
        c["path"]
            .as_str()
            .unwrap()
            .starts_with("engineering/build/"),
        "{a}"
    );
    assert!(c["quote"].as_str().unwrap().contains("libclang"));
    assert_eq!(a["tiers"].as_array().unwrap().last().unwrap(), 5);
    // The configured answer model is missing: said once, with the fix.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("qwen2.5-coder-0.5b")
            && err.contains("mem model pull")
            && err.contains("extractive"),
        "{err}"
    );
    // Text: the answer, then the sources.
    let out = env
        .mem()
        .args(["ask", "-q", "what does the build need?"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("cmake") && lines[0].ends_with("[1]."),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[1] engineering/build/")),
        "{text}"
    );
    assert!(out.stderr.is_empty(), "-q keeps notices quiet");
}

#[test]
fn a_question_in_two_parts_is_retrieved_part_by_part() {
    let env = tree();
    let a = &env.json(&[
        "ask",
        "where does Ana live and what does she do at the hospital?",
    ])[0];
    assert_eq!(
        a["subqueries"],
        serde_json::json!(["where does Ana live?", "what does she do at the hospital?"])
    );
    let notes: Vec<&str> = a["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .filter(|p| p.starts_with("people/ana/"))
            .count()
            == 2,
        "{notes:?}"
    );
}

#[test]
fn nothing_relevant_is_not_in_memory_with_exit_1() {
    let env = tree();
    let out = env.mem().args(["ask", "zebra quokka?"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "not in memory");
    // A model whose text no note supports abstains too (the fake model
    // echoes the prompt's first line).
    let out = env
        .mem()
        .env("MEM_ANSWERER", "fake")
        .args(["ask", "what does the build need?", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let a = &parse_lines(&out.stdout)[0];
    assert_eq!(a["abstained"], true, "{a}");
    assert_eq!(a["mode"], "generator");
    assert_eq!(a["answer"], "not in memory");
    assert!(a["removed"][0]["why"].as_str().is_some(), "{a}");
    // Nothing retrieved: the same keys (empty lists), and the mode that
    // would have answered.
    let out = env
        .mem()
        .env("MEM_ANSWERER", "fake")
        .args(["ask", "zebra quokka?", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let a = &parse_lines(&out.stdout)[0];
    assert_eq!(a["mode"], "generator", "{a}");
    assert!(a["generator"].is_string(), "{a}");
    for key in ["removed", "subqueries", "notes", "citations", "sentences"] {
        assert_eq!(a[key], serde_json::json!([]), "{key}: {a}");
    }
}

#[test]
fn recall_answer_is_ask() {
    let env = tree();
    let ask = &env.json(&["ask", "why did we move the billing database?"])[0];
    let rec = &env.json(&[
        "recall",
        "--answer",
        "why did we move the billing database?",
    ])[0];
    assert_eq!(ask["answer"], rec["answer"]);
    assert_eq!(ask["citations"], rec["citations"]);
    assert!(
        ask["answer"].as_str().unwrap().contains("Postgres"),
        "{ask}"
    );
    env.mem()
        .args(["recall", "--answer", "--format", "prompt", "x"])
        .assert()
        .code(2);
}

#[test]
fn tier_4_rereads_the_candidates_or_says_why_not() {
    let env = tree();
    // No model downloaded: tier 3's order stands, and the user is told.
    let out = env
        .mem()
        .args(["recall", "--tier", "4", "where does Ana live", "--json"])
        .output()
        .unwrap();
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no model for tier 4") && err.contains("tier 3's order stands"),
        "{err}"
    );
    let hits = parse_lines(&out.stdout);
    assert!(hits.iter().all(|h| h["tier"].as_u64().unwrap() <= 3));
    // Not kept in the recall cache: the model may be pulled next.
    let again = env
        .mem()
        .args([
            "recall",
            "--tier",
            "4",
            "where does Ana live",
            "--json",
            "--explain",
            "--no-daemon",
        ])
        .output()
        .unwrap();
    ok(&again);
    let err = String::from_utf8_lossy(&again.stderr);
    let stats: serde_json::Value = err
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no stats in {err}"));
    assert_eq!(stats["cached"], false, "{stats}");
    // A model (the deterministic fake: yes as likely as the share of the
    // question's words the note holds) reads every candidate and orders
    // them; -k still caps what is shown.
    let out = env
        .mem()
        .env("MEM_RERANKER", "fake")
        .args([
            "recall",
            "--tier",
            "4",
            "-k",
            "2",
            "where does Ana live",
            "--json",
            "--explain",
        ])
        .output()
        .unwrap();
    ok(&out);
    let hits = parse_lines(&out.stdout);
    assert!(!hits.is_empty() && hits.len() <= 2, "{hits:?}");
    assert!(hits.iter().all(|h| h["tier"] == 4), "{hits:?}");
    assert!(
        hits[0]["path"].as_str().unwrap().starts_with("people/ana/"),
        "{hits:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let stats: serde_json::Value = err
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no stats in {err}"));
    assert_eq!(stats["tier"], 4, "{stats}");
    assert!(stats["reranked"].as_u64().unwrap() >= hits.len() as u64);
    assert!(stats["escalated"].as_str().unwrap().contains("tier 4"));
    // Tier 3 is the default and is not slowed by tier 4: no model is read.
    let stats3 = env
        .mem()
        .env("MEM_RERANKER", "fake")
        .args(["recall", "where does Ana live", "--json", "--explain"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&stats3.stderr);
    assert!(!err.contains("reranked"), "{err}");
}

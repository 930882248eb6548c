//! `mem ingest` (LoCoMo, LongMemEval, chat JSONL) and `mem eval locomo|longmemeval`
//! on small fixtures with quirks, with the fake embedder.

use crate::common::*;
use std::io::Write;

fn outside_mem(env: &Env) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    env.all_files()
        .into_iter()
        .filter(|(p, _)| {
            let rel = p.strip_prefix(&env.root).unwrap();
            // Settings and the merge driver's attributes (written by init).
            !rel.starts_with(".mem") && rel != std::path::Path::new(".gitattributes")
        })
        .collect()
}

fn gz(src: &std::path::Path, dst: &std::path::Path) {
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(dst).unwrap(),
        flate2::Compression::fast(),
    );
    e.write_all(&std::fs::read(src).unwrap()).unwrap();
    e.finish().unwrap();
}

#[test]
fn locomo_ingest_keeps_provenance_counts_quirks_and_is_idempotent() {
    let env = Env::new();
    let file = fixture("bench/mini-locomo.json");
    let r = env
        .json(&["ingest", "--format", "locomo", file.to_str().unwrap()])
        .remove(0);
    assert_eq!(r["conversations"], 2);
    assert_eq!(
        r["sessions"], 3,
        "session_3 has a date but no turns: not a session"
    );
    assert_eq!(r["turns"], 8, "{r}");
    assert_eq!(r["added"], 8);
    let q = &r["quirks"];
    assert_eq!(q["empty turn (skipped)"], 1);
    assert_eq!(q["session date without a session (ignored)"], 1);
    assert_eq!(q["evidence malformed (dropped)"], 1);
    assert_eq!(q["evidence repaired (leading zero or extra colon)"], 2);
    assert_eq!(q["evidence not in the conversation (dropped)"], 1);
    assert_eq!(q["answer is a number"], 1);
    let commits = env.commit_count();
    // Provenance, date and speaker on the entry.
    let dir = env.root.join("locomo/conv-1/session-01");
    let mut found = false;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        if text.contains("ref: locomo:conv-1:D1:3") {
            found = true;
            assert!(text.contains("observed: 2023-05-08T13:56:00Z"), "{text}");
            assert!(text.contains("speaker: Ada"), "{text}");
            assert!(text.contains("via: conversation"), "{text}");
            assert!(
                text.contains("[shared an image: a photo of a lighthouse on a rocky coast]"),
                "{text}"
            );
        }
    }
    assert!(found, "no entry for D1:3 in {}", dir.display());
    // Second run: nothing added, no commit, files unchanged.
    let before = outside_mem(&env);
    let r2 = env
        .json(&["ingest", "--format", "locomo", file.to_str().unwrap()])
        .remove(0);
    assert_eq!(r2["added"], 0);
    assert_eq!(r2["unchanged"], 8);
    assert!(r2["commit"].is_null());
    assert_eq!(env.commit_count(), commits);
    assert_eq!(outside_mem(&env), before);
}

#[test]
fn longmemeval_ingest_reads_gzip_from_stdin() {
    let env = Env::new();
    let gzfile = env.dir.path().join("lme.json.gz");
    gz(&fixture("bench/mini-longmemeval.json"), &gzfile);
    let out = env
        .mem()
        .args(["ingest", "--format", "longmemeval", "-", "--json"])
        .pipe_stdin(&gzfile)
        .unwrap()
        .output()
        .unwrap();
    ok(&out);
    let r = parse_lines(&out.stdout).remove(0);
    assert_eq!(r["conversations"], 4);
    // 18 turns listed, one empty; the repeated session id holds other
    // turns (q4's second `answer_q4_1`: its turns are numbered on, 2 and 3).
    assert_eq!(r["turns"], 17, "{r}");
    assert_eq!(r["added"], 17, "{r}");
    assert_eq!(r["quirks"]["empty turn (skipped)"], 1);
    assert_eq!(
        r["quirks"]["session id repeated with other turns (turns numbered on)"],
        1
    );
    assert_eq!(
        r["quirks"]["answer session not in the haystack (dropped)"],
        1
    );
    let text = std::fs::read_dir(env.root.join("longmemeval/q1/answer-q1-1"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|t| t.contains("corgi"))
        .expect("the corgi turn");
    assert!(
        text.contains("ref: lme:q1:answer_q1_1:0")
            && text.contains("observed: 2023-05-03T18:30:00Z"),
        "{text}"
    );
}

#[test]
fn chat_jsonl_sessions_quirks_and_placement() {
    let env = Env::new();
    let r = env
        .json(&[
            "ingest",
            "--format",
            "chat-jsonl",
            fixture("bench/chat.jsonl").to_str().unwrap(),
            "--at",
            "team/standups",
        ])
        .remove(0);
    assert_eq!(r["added"], 4, "{r}");
    assert_eq!(r["quirks"]["line not JSON (skipped)"], 1);
    assert_eq!(r["quirks"]["empty turn (skipped)"], 1);
    assert_eq!(r["quirks"]["time not understood (no observed date)"], 1);
    assert_eq!(
        std::fs::read_dir(env.root.join("team/standups/standup-1"))
            .unwrap()
            .count(),
        2
    );
    assert_eq!(
        std::fs::read_dir(env.root.join("team/standups/2024-03-05"))
            .unwrap()
            .count(),
        1
    );
    assert_eq!(
        std::fs::read_dir(env.root.join("team/standups/session-1"))
            .unwrap()
            .count(),
        1
    );
    let hits = env.json(&["recall", "who owns billing", "-k", "1"]);
    assert_eq!(hits[0]["source"]["ref"], "chat:chat:session-1:0");
    assert_eq!(hits[0]["source"]["speaker"], "user");
}

fn recompute(dump: &std::path::Path) -> serde_json::Value {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/recompute-metrics.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(dump)
        .arg("--json")
        .output()
        .expect("python3 is needed for this test");
    ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every number of `level` in the report equals the recomputed one.
fn agree(report: &serde_json::Value, recomputed: &serde_json::Value, level: &str) -> usize {
    let mut checked = 0;
    let pairs = std::iter::once((&report[level]["overall"], &recomputed[level]["overall"])).chain(
        report[level]["by_group"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(g, m)| (m, &recomputed[level]["by_group"][g])),
    );
    for (mine, theirs) in pairs {
        assert_eq!(mine["n"], theirs["n"], "{level}: n differs");
        for metric in ["recall_any", "recall_all", "ndcg"] {
            for k in ["1", "3", "5", "10"] {
                let (a, b) = (
                    mine[metric][k].as_f64().unwrap(),
                    theirs[metric][k].as_f64().unwrap(),
                );
                assert!(
                    (a - b).abs() <= 1e-4,
                    "{level} {metric}@{k}: report {a}, recomputed {b}"
                );
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn eval_locomo_report_agrees_with_the_dump() {
    let env = Env::new();
    let dump = env.dir.path().join("dump.jsonl");
    let out = env
        .mem()
        .env("MEM_EMBEDDER", "fake")
        .env("MEM_CACHE_DIR", env.dir.path().join("cache"))
        .args([
            "eval",
            "locomo",
            fixture("bench/mini-locomo.json").to_str().unwrap(),
            "--json",
            "--dump",
            dump.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    ok(&out);
    let r = parse_lines(&out.stdout).remove(0);
    assert_eq!(r["questions"], 9);
    assert_eq!(r["asked"], 7);
    assert_eq!(r["skipped"]["no valid evidence"], 2);
    assert_eq!(r["turn"]["overall"]["n"], 7);
    assert_eq!(r["session"]["overall"]["n"], 7);
    assert_eq!(r["turn"]["by_group"]["1 multi-hop"]["n"], 1);
    assert!(r["peak_rss_mib"].as_f64().unwrap() > 1.0);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&dump)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    let dog = lines
        .iter()
        .find(|l| l["question"] == "What kind of dog did Ada adopt?")
        .unwrap();
    assert_eq!(dog["ranked"][0], "locomo:conv-1:D1:1", "{dog}");
    assert_eq!(
        dog["gold_sessions"],
        serde_json::json!(["locomo:conv-1:D1"])
    );
    let multi = lines.iter().find(|l| l["group"] == "1 multi-hop").unwrap();
    assert_eq!(
        multi["gold_turns"],
        serde_json::json!(["locomo:conv-1:D1:2", "locomo:conv-1:D2:1"])
    );
    let re = recompute(&dump);
    assert!(agree(&r, &re, "turn") >= 12 * 3);
    assert!(agree(&r, &re, "session") >= 12 * 3);
}

#[test]
fn eval_longmemeval_gzip_excludes_abstention_and_agrees_with_the_dump() {
    let env = Env::new();
    let gzfile = env.dir.path().join("lme.json.gz");
    gz(&fixture("bench/mini-longmemeval.json"), &gzfile);
    let dump = env.dir.path().join("dump.jsonl");
    let out = env
        .mem()
        .env("MEM_EMBEDDER", "fake")
        .env("MEM_CACHE_DIR", env.dir.path().join("cache"))
        .args([
            "eval",
            "longmemeval",
            gzfile.to_str().unwrap(),
            "--json",
            "--dump",
            dump.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    ok(&out);
    let r = parse_lines(&out.stdout).remove(0);
    assert_eq!(r["questions"], 4);
    assert_eq!(r["asked"], 3);
    assert_eq!(r["units"], 3, "no tree for the abstention question");
    assert_eq!(r["skipped"]["abstention"], 1);
    assert_eq!(r["session"]["overall"]["n"], 3);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&dump)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let q4 = lines.iter().find(|l| l["id"] == "q4").unwrap();
    assert_eq!(
        q4["gold_sessions"],
        serde_json::json!(["lme:q4:answer_q4_1"])
    );
    assert_eq!(
        q4["gold_turns"],
        serde_json::json!(["lme:q4:answer_q4_1:1"])
    );
    let q2 = lines.iter().find(|l| l["id"] == "q2").unwrap();
    assert_eq!(q2["gold_sessions"].as_array().unwrap().len(), 2);
    // q4 repeats a session id with other turns: every ref is ranked once,
    // the second session's turns numbered on after the first one's.
    let ranked: Vec<&str> = q4["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ranked.iter().collect();
    assert_eq!(unique.len(), ranked.len(), "{ranked:?}");
    assert!(
        ranked.contains(&"lme:q4:answer_q4_1:3") && ranked.contains(&"lme:q4:answer_q4_1:1"),
        "{ranked:?}"
    );
    for level in ["turn", "session"] {
        for (k, x) in r[level]["overall"]["ndcg"].as_object().unwrap() {
            assert!(x.as_f64().unwrap() <= 1.0, "{level} ndcg@{k} = {x}");
        }
    }
    let re = recompute(&dump);
    agree(&r, &re, "turn");
    agree(&r, &re, "session");
    // --limit stops early; the human table names the levels.
    let out = env
        .mem()
        .env("MEM_EMBEDDER", "fake")
        .env("MEM_CACHE_DIR", env.dir.path().join("cache"))
        .args([
            "eval",
            "longmemeval",
            gzfile.to_str().unwrap(),
            "--limit",
            "1",
            "--tier",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 questions, 1 asked") && text.contains("session  all"),
        "{text}"
    );
    assert!(text.contains("tier 1: p50"), "{text}");
}

#[test]
fn distilled_ingest_curates_turns_in_one_commit_and_is_idempotent() {
    let env = Env::new();
    let chat = env.dir.path().join("life.jsonl");
    std::fs::write(
        &chat,
        concat!(
            r#"{"role":"user","content":"I live in Berlin. I work as a nurse.","time":"2024-01-02T10:00:00Z","session":"s1"}"#,
            "\n",
            r#"{"role":"assistant","content":"Berlin is a lovely city to live in.","session":"s1"}"#,
            "\n",
            r#"{"role":"user","content":"I live in Berlin.","time":"2024-02-02T10:00:00Z","session":"s2"}"#,
            "\n",
            r#"{"role":"user","content":"I moved to Paris last month.","time":"2024-03-05T09:00:00Z","session":"s3"}"#,
            "\n",
        ),
    )
    .unwrap();
    let commits = env.commit_count();
    let r = env
        .json(&[
            "ingest",
            "--format",
            "chat-jsonl",
            chat.to_str().unwrap(),
            "--distill",
            "--no-model",
        ])
        .remove(0);
    assert_eq!(r["distilled"], true, "{r}");
    assert_eq!(r["turns"], 4, "{r}");
    assert_eq!(r["statements"], 4, "{r}");
    assert_eq!(r["added"], 2, "Berlin and nurse: {r}");
    assert_eq!(r["noop"], 1, "the repeated Berlin turn: {r}");
    assert_eq!(r["superseded"], 1, "the move to Paris: {r}");
    assert_eq!(r["pending"], 0, "{r}");
    assert_eq!(r["skipped_speaker"], 1, "the assistant turn: {r}");
    assert_eq!(env.commit_count(), commits + 1, "one commit for the file");
    // The superseded entry keeps history: still on disk, linked from the new one.
    let old = env.read("chat/life/i-live-in-berlin.md");
    assert!(
        old.contains("ref: chat:life:s1:0") && old.contains("observed: 2024-01-02T10:00:00Z"),
        "{old}"
    );
    let new = env.read("chat/life/i-moved-to-paris-last-month.md");
    assert!(
        new.contains("{rel: supersedes, to: chat/life/i-live-in-berlin, id: "),
        "{new}"
    );
    assert!(
        new.contains("ref: chat:life:s3:0")
            && new.contains("observed: 2024-03-05T09:00:00Z")
            && new.contains("speaker: user"),
        "{new}"
    );
    // A one-sentence turn is its own verbatim evidence; a split turn quotes it.
    assert!(
        new.ends_with("---\nI moved to Paris last month.\n"),
        "{new}"
    );
    let nurse = env.read("chat/life/i-work-as-a-nurse.md");
    assert!(
        nurse.contains("## Evidence\n\n> I work as a nurse."),
        "{nurse}"
    );
    assert!(
        !env.root
            .join("chat/life/berlin-is-a-lovely-city-to-live-in.md")
            .exists()
    );
    let show = env.json(&["log", "-n", "1"]);
    assert!(show[0].to_string().contains("ingest --distill"), "{show:?}");
    // Twice: nothing changes, no commit.
    let head = env.git(&["rev-parse", "HEAD"]);
    let before = outside_mem(&env);
    let r2 = env
        .json(&[
            "ingest",
            "--format",
            "chat-jsonl",
            chat.to_str().unwrap(),
            "--distill",
            "--no-model",
        ])
        .remove(0);
    assert_eq!(r2["added"], 0, "{r2}");
    assert_eq!(r2["unchanged"], 3, "{r2}");
    assert!(r2["commit"].is_null(), "{r2}");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(outside_mem(&env), before);
}

#[test]
fn distilled_ingest_keeps_named_speakers_apart() {
    let env = Env::new();
    let chat = env.dir.path().join("pair.jsonl");
    std::fs::write(
        &chat,
        concat!(
            r#"{"speaker":"Caroline","content":"I live in Berlin.","session":"s1"}"#,
            "\n",
            r#"{"speaker":"Mel","content":"I live in Berlin too.","session":"s1"}"#,
            "\n",
            r#"{"speaker":"Caroline","content":"I moved to Paris.","session":"s2"}"#,
            "\n",
        ),
    )
    .unwrap();
    let r = env
        .json(&[
            "ingest",
            "--format",
            "chat-jsonl",
            chat.to_str().unwrap(),
            "--distill",
            "--no-model",
        ])
        .remove(0);
    assert_eq!(r["added"], 2, "{r}");
    assert_eq!(r["superseded"], 1, "{r}");
    let new = env.read("chat/pair/caroline-i-moved-to-paris.md");
    assert!(
        new.contains("to: chat/pair/caroline-i-live-in-berlin, id: "),
        "Caroline's move supersedes her own entry, not Mel's: {new}"
    );
    assert!(
        env.read("chat/pair/mel-i-live-in-berlin-too.md")
            .contains("speaker: Mel")
    );
}

#[test]
fn distilled_ingest_writes_a_turn_raw_and_pending_when_the_model_fails() {
    let env = Env::new();
    let broken = env.dir.path().join("broken.gguf");
    std::fs::write(&broken, b"GGUF this is not a model").unwrap();
    let chat = env.dir.path().join("run.jsonl");
    // The second turn overlaps the first only partly: an unclear case that needs the model.
    std::fs::write(
        &chat,
        concat!(
            r#"{"speaker":"Alice","content":"Alice lives in Berlin.","session":"s1"}"#,
            "\n",
            r#"{"speaker":"Alice","content":"Alice is training for the Berlin marathon in September.","session":"s1"}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = env
        .mem()
        .env("MEM_GENERATOR", &broken)
        .env("MEM_CURATE_WITH_GENERATOR", "1")
        .args([
            "ingest",
            "--format",
            "chat-jsonl",
            chat.to_str().unwrap(),
            "--distill",
            "--json",
        ])
        .output()
        .unwrap();
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: chat:run:s1:1: curation failed"),
        "{err}"
    );
    let r = parse_lines(&out.stdout).remove(0);
    assert_eq!(r["pending"], 1, "{r}");
    assert_eq!(r["added"], 2, "{r}");
    let pending: Vec<String> = std::fs::read_dir(env.root.join("chat/run"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .filter(|t| t.contains("curation: pending"))
        .collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0].contains("training for the Berlin marathon in September.")
            && pending[0].contains("ref: chat:run:s1:1"),
        "{}",
        pending[0]
    );
    assert!(
        env.git(&["status", "--porcelain"]).trim().is_empty(),
        "committed, no write-ahead copy left behind"
    );
}

#[test]
fn recall_weighs_the_time_a_query_names_and_first_person() {
    let env = Env::new();
    let chat = env.home().join("bikes.jsonl");
    std::fs::write(
        &chat,
        concat!(
            r#"{"role":"user","content":"I got a new bike, a great bike for commuting.","time":"2024-03-01T10:00:00Z","session":"a"}"#,
            "\n",
            r#"{"role":"assistant","content":"A commuting bike is a great choice; bike lanes and a good bike lock help.","time":"2024-03-01T10:00:05Z","session":"a"}"#,
            "\n",
            r#"{"role":"user","content":"I got a bell for the bike today.","time":"2024-03-10T10:00:00Z","session":"b"}"#,
            "\n",
            r#"{"role":"user","content":"Some people ride a bike to work every single day of the week, in every season and in any weather.","time":"2024-01-05T10:00:00Z","session":"c"}"#,
            "\n",
        ),
    )
    .unwrap();
    env.mem()
        .args(["ingest", "--format", "chat-jsonl", chat.to_str().unwrap()])
        .assert()
        .success();
    let recall = |tune: &str, q: &str| -> Vec<String> {
        let out = env
            .mem()
            .env("MEM_NOW", "2024-03-15T12:00:00Z")
            .env("MEM_RECALL_TUNE", tune)
            .args(["recall", q, "--json", "--no-daemon"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        parse_lines(&out.stdout)
            .iter()
            .map(|h| h["source"]["ref"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let q = "What did I get for the bike 5 days ago?";
    // Without the time: the turns that say "bike" most win.
    let plain = recall("time=0,user=0", q);
    assert_ne!(plain[0], "chat:bikes:b:0", "{plain:?}");
    // "5 days ago" on 15 March is 10 March: session b. (Weight 1 here: the
    // default 0.3 is measured on the benchmarks, not on four turns.)
    let timed = recall("time=1", q);
    assert_eq!(timed[0], "chat:bikes:b:0", "{timed:?}");
    // First person, no time: the user's turns before the assistant's.
    let q = "Which bike do I use for commuting?";
    let mine = recall("user=1", q);
    let user_rank = |refs: &[String]| refs.iter().position(|r| r == "chat:bikes:a:0");
    let asst_rank = |refs: &[String]| refs.iter().position(|r| r == "chat:bikes:a:1");
    assert!(user_rank(&mine) < asst_rank(&mine), "{mine:?}");
}

/// `mem eval ARGS --json` with the fake embedder: (exit code, report, stderr).
fn eval_json(env: &Env, args: &[&str]) -> (i32, Option<serde_json::Value>, String) {
    let out = env
        .mem()
        .env("MEM_EMBEDDER", "fake")
        .env("MEM_CACHE_DIR", env.dir.path().join("cache"))
        .arg("eval")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        parse_lines(&out.stdout).into_iter().next(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn eval_limit_counts_only_the_questions_it_reached_and_refuses_zero() {
    let env = Env::new();
    let locomo = fixture("bench/mini-locomo.json");
    let (code, r, err) = eval_json(
        &env,
        &[
            "locomo",
            locomo.to_str().unwrap(),
            "--limit",
            "1",
            "--tier",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r = r.unwrap();
    assert_eq!(
        (r["asked"].as_u64(), r["units"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        r["questions"], 1,
        "the questions after the limit do not count: {r}"
    );
    // Quirks are those of the units read: q4, not reached, repeats a
    // session id and names an answer session missing from its haystack.
    let lme = fixture("bench/mini-longmemeval.json");
    let lme = lme.to_str().unwrap();
    let (_, all, _) = eval_json(&env, &["longmemeval", lme, "--tier", "1"]);
    let all = all.unwrap();
    assert_eq!(
        all["quirks"]["answer session not in the haystack (dropped)"],
        1
    );
    let (_, one, _) = eval_json(&env, &["longmemeval", lme, "--tier", "1", "--limit", "1"]);
    let one = one.unwrap();
    assert_eq!(one["questions"], 1);
    assert!(
        one["quirks"]["answer session not in the haystack (dropped)"].is_null()
            && one["quirks"]["session id repeated with other turns (turns numbered on)"].is_null(),
        "{}",
        one["quirks"]
    );
    let (code, r, err) = eval_json(&env, &["longmemeval", lme, "--limit", "0"]);
    assert_eq!(code, 2);
    assert!(r.is_none());
    assert!(err.contains("--limit"), "{err}");
}

#[test]
fn eval_refuses_a_missing_work_dir_and_creates_nothing() {
    let env = Env::new();
    let missing = env.dir.path().join("no/such/dir");
    let (code, r, err) = eval_json(
        &env,
        &[
            "longmemeval",
            fixture("bench/mini-longmemeval.json").to_str().unwrap(),
            "--work-dir",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(r.is_none());
    assert!(
        err.contains(&*missing.to_string_lossy()) && err.contains("no such folder"),
        "{err}"
    );
    assert!(!env.dir.path().join("no").exists());
}

#[test]
fn eval_of_the_other_benchmarks_file_fails_and_names_the_right_command() {
    let env = Env::new();
    let locomo = fixture("bench/mini-locomo.json");
    let lme = fixture("bench/mini-longmemeval.json");
    for (dataset, file, hint) in [
        ("longmemeval", &locomo, "`mem eval locomo FILE`"),
        ("locomo", &lme, "`mem eval longmemeval FILE`"),
    ] {
        let (code, r, err) = eval_json(&env, &[dataset, file.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(r.is_none());
        assert!(
            err.contains(&*file.to_string_lossy())
                && err.contains("nothing to evaluate")
                && err.contains(hint),
            "{err}"
        );
    }
    // A file of the right shape with nothing in it.
    let empty = env.dir.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let (code, _, err) = eval_json(&env, &["locomo", empty.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("nothing to evaluate as LoCoMo (0 turns, 0 questions"),
        "{err}"
    );
}

/// `mem ingest ARGS` (stdin from `input`): exit code and stderr.
fn ingest_fails(env: &Env, args: &[&str], input: &[u8]) -> (i32, String) {
    let out = env
        .mem()
        .arg("ingest")
        .args(args)
        .write_stdin(input.to_vec())
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn ingest_with_the_wrong_format_or_nothing_usable_fails_naming_the_file() {
    let env = Env::new();
    let lme = fixture("bench/mini-longmemeval.json");
    let locomo = fixture("bench/mini-locomo.json");
    let chat = fixture("bench/chat.jsonl");
    let commits = env.commit_count();
    // Valid JSON of another benchmark: nothing read, the right format
    // named; JSON Lines read as a JSON file, too.
    for (format, file, guess, also) in [
        (
            "locomo",
            &lme,
            "longmemeval",
            Some("no turns read as --format locomo"),
        ),
        ("chat-jsonl", &locomo, "locomo", None),
        ("longmemeval", &chat, "chat-jsonl", None),
    ] {
        let (code, err) = ingest_fails(&env, &["--format", format, file.to_str().unwrap()], b"");
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&*file.to_string_lossy())
                && err.contains(&format!("it looks like --format {guess}"))
                && also.is_none_or(|a| err.contains(a)),
            "{err}"
        );
    }
    // Lines that hold no turn at all.
    let (code, err) = ingest_fails(
        &env,
        &["--format", "chat-jsonl", "-"],
        b"{\"role\":\"user\",\"content\":\"\"}\n[1]\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("stdin: no turns read as --format chat-jsonl"),
        "{err}"
    );
    assert!(err.contains("check that --format"), "{err}");
    // Empty input: stdin, and a 0-byte file named by its path.
    let (code, err) = ingest_fails(&env, &["--format", "chat-jsonl", "-"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("stdin is empty"), "{err}");
    let empty = env.dir.path().join("empty.lme.json");
    std::fs::write(&empty, b"").unwrap();
    for format in ["locomo", "longmemeval"] {
        let (code, err) = ingest_fails(&env, &["--format", format, empty.to_str().unwrap()], b"");
        assert_eq!(code, 2);
        assert!(
            err.contains(&format!("{} is empty", empty.display())),
            "{err}"
        );
    }
    // Without --format, an input that is none of the formats.
    let (code, err) = ingest_fails(&env, &["-"], b"{\"type\":\"summary\"}\n");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot tell the format of stdin: give --format"),
        "{err}"
    );
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn ingest_without_format_recognises_benchmarks_and_agent_transcripts() {
    let env = Env::new();
    let locomo = fixture("bench/mini-locomo.json");
    let r = env.json(&["ingest", locomo.to_str().unwrap()]).remove(0);
    assert_eq!(r["format"], "locomo");
    assert!(r["added"].as_u64().unwrap() > 0, "{r}");
    // An agent transcript: records that are not messages, messages wrapped
    // in `message`, content as parts with a tool call, a tool result only.
    let log = env.dir.path().join("session.jsonl");
    std::fs::write(
        &log,
        concat!(
            r#"{"type":"summary","summary":"Build fixes"}"#,
            "\n",
            r#"{"type":"user","sessionId":"abc","timestamp":"2026-11-20T10:00:00.000Z","message":{"role":"user","content":"The release build needs clang 18 for bindgen."}}"#,
            "\n",
            r#"{"type":"assistant","sessionId":"abc","timestamp":"2026-11-20T10:00:05.000Z","message":{"role":"assistant","content":[{"type":"text","text":"I will install clang-18 first."},{"type":"tool_use","name":"Bash","input":{}}]}}"#,
            "\n",
            r#"{"type":"user","sessionId":"abc","message":{"role":"user","content":[{"type":"tool_result","content":"ok"}]}}"#,
            "\n",
        ),
    )
    .unwrap();
    let r = env
        .json(&["ingest", log.to_str().unwrap(), "--name", "proj"])
        .remove(0);
    assert_eq!(r["format"], "chat-jsonl");
    assert_eq!(r["added"], 2, "{r}");
    assert_eq!(r["quirks"]["line without a message (skipped)"], 1, "{r}");
    assert_eq!(r["quirks"]["turn without text parts (skipped)"], 1, "{r}");
    let hits = env.json(&["recall", "clang bindgen", "--no-daemon"]);
    assert_eq!(hits[0]["source"]["ref"], "chat:proj:abc:0", "{hits:?}");
    assert_eq!(hits[0]["observed"], "2026-11-20T10:00:00Z", "{hits:?}");
}

/// A chat log of `turns` turns over 40 sessions: one large batch.
fn big_chat(path: &std::path::Path, turns: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..turns {
        writeln!(
            f,
            r#"{{"role":"user","content":"turn {i}: the build of service {} moved to runner {}","session":"s{}"}}"#,
            i * 7919 % 1000,
            i % 97,
            i % 40
        )
        .unwrap();
    }
}

/// Temp files of a write anywhere in the tree (outside .git).
fn temp_files(env: &Env) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(&env.root)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mem-tmp-"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

/// Starts `mem ingest` of a large chat log and returns once it is writing
/// its temp files.
fn ingest_until_temp_files(env: &Env) -> std::process::Child {
    let file = env.dir.path().join("big.jsonl");
    big_chat(&file, 12_000);
    let mut child = spawn_mem(
        env,
        &[
            "ingest",
            "--format",
            "chat-jsonl",
            file.to_str().unwrap(),
            "--no-index",
        ],
        &[],
    );
    let t = std::time::Instant::now();
    while temp_files(env).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest ended before its temp files were seen"
        );
        assert!(t.elapsed().as_secs() < 60, "no temp files after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child
}

fn kill(child: &std::process::Child, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn doctor(env: &Env) -> (i32, Vec<serde_json::Value>) {
    let out = env.mem().args(["doctor", "--json"]).output().unwrap();
    (out.status.code().unwrap_or(-1), parse_lines(&out.stdout))
}

#[test]
fn ctrl_c_during_a_large_ingest_leaves_the_tree_as_it_was_or_whole() {
    let env = Env::new();
    let commits = env.commit_count();
    let mut child = ingest_until_temp_files(&env);
    kill(&child, "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(temp_files(&env), Vec::<std::path::PathBuf>::new());
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    assert!(!env.root.join(".mem/state/uncommitted").exists());
    let entries = outside_mem(&env).len();
    if env.commit_count() == commits {
        // Stopped before the renames: nothing of the batch, not even its folders.
        assert_eq!(entries, 0);
        assert!(!env.root.join("chat").exists());
    } else {
        // Stopped during the renames or the commit: that finished first.
        assert_eq!(env.commit_count(), commits + 1);
        assert_eq!(entries, 12_000);
    }
    let (code, lines) = doctor(&env);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["warnings"], 0);
}

#[test]
fn a_killed_ingest_leaves_temp_files_that_doctor_reports_once_and_the_next_write_removes() {
    let env = Env::new();
    let mut child = ingest_until_temp_files(&env);
    kill(&child, "-KILL");
    child.wait().unwrap();
    let left = temp_files(&env).len();
    assert!(left > 0);
    // One warning for all of them, with the fix; warnings keep exit code 0.
    let (code, lines) = doctor(&env);
    assert_eq!(code, 0);
    let temp: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| {
            l["problem"]
                .as_str()
                .is_some_and(|p| p.contains("temp file"))
        })
        .collect();
    assert_eq!(temp.len(), 1, "{lines:?}");
    let problem = temp[0]["problem"].as_str().unwrap();
    assert!(
        problem.starts_with(&format!("{left} leftover temp file(s)")),
        "{problem}"
    );
    let fix = temp[0]["fix"].as_str().unwrap();
    assert!(
        fix.contains("next `mem add`, `mem ingest` or `mem sync`") && fix.contains("-delete"),
        "{fix}"
    );
    // The next write removes them and the folders made for them.
    env.add("the runner fleet moved to arm64", "infra/runners");
    assert_eq!(temp_files(&env), Vec::<std::path::PathBuf>::new());
    assert!(!env.root.join("chat").exists());
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    let (code, lines) = doctor(&env);
    assert_eq!((code, lines.len()), (0, 1), "{lines:?}");
}

#[test]
fn an_interrupt_after_the_commit_says_the_write_was_kept() {
    let env = Env::new();
    let commits = env.commit_count();
    let out = env
        .mem()
        .args([
            "add",
            "--raw",
            "The boiler was serviced in May.",
            "--at",
            "home/boiler",
        ])
        .env("MEM_TEST_INTERRUPT_AT", "committed")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("committed before the interrupt (kept)") && err.contains("mem: add"),
        "{err}"
    );
    assert_eq!(env.commit_count(), commits + 1);
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
}

#[test]
fn ctrl_c_during_an_eval_removes_its_temporary_tree() {
    let env = Env::new();
    // One question over a large haystack: ingesting it takes a while.
    let sessions: Vec<serde_json::Value> = (0..60)
        .map(|s| {
            serde_json::Value::Array(
                (0..200)
                    .map(|t| {
                        serde_json::json!({"role": if t % 2 == 0 {"user"} else {"assistant"},
                            "content": format!("session {s} turn {t}: the runner {} builds service {}", t % 97, (s * 7919 + t) % 1000)})
                    })
                    .collect(),
            )
        })
        .collect();
    let data = serde_json::json!([{
        "question_id": "q1", "question_type": "single-session-user",
        "question": "Which runner builds service 42?", "answer": "x",
        "question_date": "2023/05/30 (Tue) 10:00",
        "haystack_dates": (0..60).map(|d| format!("2023/05/{:02} (Mon) 09:00", d % 28 + 1)).collect::<Vec<_>>(),
        "haystack_session_ids": (0..60).map(|s| format!("s{s}")).collect::<Vec<_>>(),
        "haystack_sessions": sessions,
        "answer_session_ids": ["s1"]
    }]);
    let file = env.dir.path().join("big-lme.json");
    std::fs::write(&file, data.to_string()).unwrap();
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let mut child = spawn_mem(
        &env,
        &[
            "eval",
            "longmemeval",
            file.to_str().unwrap(),
            "--tier",
            "1",
            "--work-dir",
            work.to_str().unwrap(),
        ],
        &[],
    );
    // Wait until its tree holds written files, then interrupt.
    let t = std::time::Instant::now();
    loop {
        let n = walkdir::WalkDir::new(&work).into_iter().flatten().count();
        if n > 50 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the eval ended first");
        assert!(t.elapsed().as_secs() < 60, "no tree after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    kill(&child, "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(&work).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `mem ingest --format chat-jsonl - --json` with `input` on stdin (and
/// extra args), the report.
fn ingest_stdin(env: &Env, extra: &[&str], input: &str) -> serde_json::Value {
    let out = env
        .mem()
        .args([
            "ingest",
            "--format",
            "chat-jsonl",
            "-",
            "--no-index",
            "--json",
        ])
        .args(extra)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    ok(&out);
    parse_lines(&out.stdout).remove(0)
}

/// `source.ref` values of the entries under `dir` (relative to the tree).
fn refs_under(env: &Env, dir: &str) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(env.root.join(dir))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            text.lines()
                .find_map(|l| l.trim().strip_prefix("ref: ").map(str::to_string))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn chat_from_stdin_is_named_by_its_content_or_by_name() {
    let env = Env::new();
    let a = "{\"role\":\"user\",\"content\":\"the billing service moved to Rust\"}\n";
    let b = "{\"role\":\"user\",\"content\":\"the staging database is on port 5433\"}\n";
    let ra = ingest_stdin(&env, &[], a);
    let rb = ingest_stdin(&env, &[], b);
    assert_eq!(
        (ra["added"].clone(), rb["added"].clone()),
        (1.into(), 1.into())
    );
    let topics: Vec<String> = std::fs::read_dir(env.root.join("chat"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(topics.len(), 2, "two inputs, two conversations: {topics:?}");
    assert!(
        topics
            .iter()
            .all(|t| t.starts_with("stdin-") && t.len() == 14),
        "{topics:?}"
    );
    let (ta, tb) = (&topics[0], &topics[1]);
    assert_ne!(
        refs_under(&env, &format!("chat/{ta}")),
        refs_under(&env, &format!("chat/{tb}"))
    );
    // The same input again: the same name, nothing added.
    let again = ingest_stdin(&env, &[], a);
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(again["unchanged"], 1, "{again}");
    // --name names the conversation (topic and ref), for stdin and files.
    let r = ingest_stdin(&env, &["--name", "Team Sync"], a);
    assert_eq!(r["added"], 1, "{r}");
    assert_eq!(
        refs_under(&env, "chat/team-sync"),
        vec!["chat:team-sync:session-1:0".to_string()]
    );
    // Only chat-jsonl has a conversation name to give.
    let (code, err) = ingest_fails(
        &env,
        &[
            "--format",
            "locomo",
            fixture("bench/mini-locomo.json").to_str().unwrap(),
            "--name",
            "x",
        ],
        b"",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--name") && err.contains("chat-jsonl"),
        "{err}"
    );
}

#[test]
fn reingesting_an_edited_chat_updates_the_changed_turns_in_place() {
    let env = Env::new();
    let file = env.dir.path().join("sync.jsonl");
    let turn = |role: &str, text: &str| format!("{{\"role\":\"{role}\",\"content\":\"{text}\"}}\n");
    std::fs::write(
        &file,
        turn("user", "the deploy runs on Fridays")
            + &turn("assistant", "noted: deploys on Fridays"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let args = ["ingest", "--format", "chat-jsonl", f];
    let r = env.json(&args).remove(0);
    assert_eq!(r["added"], 2, "{r}");
    let dir = env.root.join("chat/sync/session-1");
    let files = |d: &std::path::Path| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().to_string(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = files(&dir);
    let id_of = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("id: "))
            .unwrap()
            .to_string()
    };
    let commits = env.commit_count();
    // The assistant's turn is corrected in the transcript.
    std::fs::write(
        &file,
        turn("user", "the deploy runs on Fridays")
            + &turn("assistant", "noted: deploys on Thursdays"),
    )
    .unwrap();
    let r = env.json(&args).remove(0);
    assert_eq!(
        (
            r["added"].clone(),
            r["updated"].clone(),
            r["unchanged"].clone()
        ),
        (0.into(), 1.into(), 1.into()),
        "{r}"
    );
    assert_eq!(env.commit_count(), commits + 1);
    let after = files(&dir);
    assert_eq!(
        after.len(),
        2,
        "no second entry with the same ref: {after:?}"
    );
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len(), 1, "{after:?}");
    let ((bn, bt), (an, at)) = changed[0];
    assert_eq!(bn, an, "updated at the same path");
    assert_eq!(id_of(bt), id_of(at), "and with the same id");
    assert!(
        at.contains("Thursdays") && !at.contains("deploys on Fridays"),
        "{at}"
    );
    let hits = env.json(&["recall", "Thursdays", "-k", "1"]);
    assert_eq!(
        hits[0]["source"]["ref"], "chat:sync:session-1:1",
        "{hits:?}"
    );
    // The human report names the updates.
    std::fs::write(
        &file,
        turn("user", "the deploy runs on Fridays")
            + &turn("assistant", "noted: deploys on Mondays"),
    )
    .unwrap();
    let out = env.mem().args(args).arg("--no-index").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 added, 1 updated, 1 unchanged"), "{text}");
    // An entry edited by hand keeps the edit when the same transcript is
    // ingested again: only a change in the transcript rewrites it.
    let user_entry = files(&dir)
        .into_iter()
        .find(|(_, t)| t.contains("runs on Fridays"))
        .unwrap();
    let path = dir.join(&user_entry.0);
    let edited = user_entry
        .1
        .replace("runs on Fridays", "runs on Fridays at 10:00");
    std::fs::write(&path, &edited).unwrap();
    let r = env.json(&args).remove(0);
    assert_eq!(
        (r["added"].clone(), r["updated"].clone()),
        (0.into(), 0.into()),
        "{r}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn a_repeated_locomo_dia_id_gets_its_own_ref_and_reingest_changes_nothing() {
    let env = Env::new();
    let file = env.dir.path().join("dup.json");
    std::fs::write(
        &file,
        r#"[{"sample_id": "conv-9", "conversation": {"speaker_a": "Ada", "speaker_b": "Ben",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [
              {"speaker": "Ada", "dia_id": "D1:1", "text": "I adopted a greyhound called Pixel."},
              {"speaker": "Ben", "dia_id": "D1:2", "text": "I started learning the cello."},
              {"speaker": "Ada", "dia_id": "D1:2", "text": "Pixel loves the beach at Cascais."},
              {"speaker": "Ben", "dia_id": "D1:2", "text": "My teacher plays in an orchestra."}
            ]},
          "qa": [{"question": "Where does Pixel love to go, the beach at Cascais?", "answer": "the beach",
                  "evidence": ["D1:2"], "category": 4}]}]"#,
    )
    .unwrap();
    let r = env
        .json(&["ingest", "--format", "locomo", file.to_str().unwrap()])
        .remove(0);
    assert_eq!(r["added"], 4, "{r}");
    assert_eq!(
        r["quirks"]["dia_id repeated in a conversation (renamed `~2`, `~3`, …)"], 2,
        "{r}"
    );
    let refs: Vec<String> = outside_mem(&env)
        .iter()
        .filter_map(|(_, b)| {
            let t = String::from_utf8_lossy(b);
            t.lines()
                .find_map(|l| l.trim().strip_prefix("ref: ").map(str::to_string))
        })
        .collect();
    for want in [
        "locomo:conv-9:D1:1",
        "locomo:conv-9:D1:2",
        "locomo:conv-9:D1:2~2",
        "locomo:conv-9:D1:2~3",
    ] {
        assert_eq!(
            refs.iter().filter(|r| r.as_str() == want).count(),
            1,
            "{want} in {refs:?}"
        );
    }
    // Each turn is matched to its own entry again: nothing changes.
    let before = outside_mem(&env);
    let commits = env.commit_count();
    let r2 = env
        .json(&["ingest", "--format", "locomo", file.to_str().unwrap()])
        .remove(0);
    assert_eq!(r2["added"], 0, "{r2}");
    assert_eq!(r2["updated"], 0, "{r2}");
    assert_eq!(env.commit_count(), commits);
    assert_eq!(outside_mem(&env), before);

    // In `mem eval` the repeated turns answer to their dia_id, as the
    // evidence names it: the answer sits in the second `D1:2`, and finding
    // it is a hit; the dump holds refs as the data names them.
    let dump = env.dir.path().join("dump.jsonl");
    let out = env
        .mem()
        .env("MEM_EMBEDDER", "fake")
        .env("MEM_CACHE_DIR", env.dir.path().join("cache"))
        .args(["eval", "locomo", file.to_str().unwrap(), "--json", "--dump"])
        .arg(&dump)
        .output()
        .unwrap();
    ok(&out);
    let r = parse_lines(&out.stdout).remove(0);
    assert_eq!(r["turn"]["overall"]["recall_any"]["1"], 1.0, "{r}");
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&dump).unwrap().trim()).unwrap();
    assert_eq!(line["ranked"][0], "locomo:conv-9:D1:2", "{line}");
    assert!(!line.to_string().contains('~'), "{line}");
    // Three entries answer to D1:2: the dump lists it once (a naive
    // recomputation then sees the same ranks), D1:1 after it.
    let ranked: Vec<&str> = line["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(ranked.len(), 2, "{ranked:?}");
    assert!(ranked.contains(&"locomo:conv-9:D1:1"), "{ranked:?}");
}

#[test]
fn a_folder_given_to_ingest_or_learn_is_named_as_such() {
    let env = Env::new();
    let dir = env.dir.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    for verb in ["ingest", "learn"] {
        let out = env.mem().arg(verb).arg(&dir).output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{verb}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is a folder, not a file"), "{verb}: {err}");
        assert!(!err.contains("Is a directory"), "{verb}: {err}");
    }
}

//! Validity in time: supersedes set `valid_from` / `valid_to`, a fact
//! learnt late slots into the history, `recall --as-of`, `show --history`.

use crate::common::*;

fn add(env: &Env, text: &str, observed: &str) -> serde_json::Value {
    env.json(&["add", text, "--at", "work/standup", "--observed", observed])
        .remove(0)
}

/// The titles of `recall QUERY --as-of DATE` (all of them when DATE is
/// empty), best first; empty when nothing is found.
fn titles_as_of(env: &Env, date: &str) -> Vec<String> {
    let mut c = env.mem();
    c.args(["recall", "standup", "--json"]);
    if !date.is_empty() {
        c.args(["--as-of", date]);
    }
    let out = c.output().unwrap();
    parse_lines(&out.stdout)
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn supersedes_keep_the_history_and_recall_answers_as_of_a_date() {
    let env = Env::new();
    let first = add(&env, "The team standup is at 9:30.", "2026-01-10");
    assert_eq!(first["op"], "added");
    let second = add(&env, "The team standup is at 10:15.", "2026-04-02");
    assert_eq!(second["op"], "superseded", "{second}");
    let third = add(&env, "The team standup is at 11:00.", "2026-05-20");
    assert_eq!(third["op"], "superseded", "{third}");
    let path = |v: &serde_json::Value| v["path"].as_str().unwrap().to_string();
    let (p1, p2, p3) = (path(&first), path(&second), path(&third));
    // The old entry ends when the new one begins.
    let old = env.read(&format!("{p1}.md"));
    assert!(old.contains("valid_to: 2026-04-02T00:00:00Z"), "{old}");
    let new = env.read(&format!("{p2}.md"));
    assert!(new.contains("valid_from: 2026-04-02T00:00:00Z"), "{new}");
    assert!(new.contains("valid_to: 2026-05-20T00:00:00Z"), "{new}");
    // One commit per add, the old entry's change in the same commit.
    let files = env.git(&["show", "--name-only", "--format=", "HEAD~1"]);
    assert!(files.contains(&p1) && files.contains(&p2), "{files}");

    // Learnt late: observed between the first two, it goes between them.
    let late = add(&env, "The team standup is at 8:45.", "2026-02-02");
    assert_eq!(late["op"], "added", "{late}");
    assert!(
        late["reason"].as_str().unwrap().contains(&p2),
        "its successor is named: {late}"
    );
    let p_late = path(&late);
    let late_text = env.read(&format!("{p_late}.md"));
    assert!(
        late_text.contains("valid_to: 2026-04-02T00:00:00Z"),
        "{late_text}"
    );
    assert!(
        env.read(&format!("{p1}.md"))
            .contains("valid_to: 2026-02-02T00:00:00Z"),
        "the one before it now ends when it began"
    );

    // Now: only the latest. As of a date: what held then.
    assert_eq!(titles_as_of(&env, ""), ["The team standup is at 11:00"]);
    for (date, want) in [
        ("2026-01-20", "The team standup is at 9:30"),
        ("2026-02-10", "The team standup is at 8:45"),
        ("2026-04-02", "The team standup is at 10:15"),
        ("2026-05-19", "The team standup is at 10:15"),
        ("2026-07-01", "The team standup is at 11:00"),
    ] {
        assert_eq!(titles_as_of(&env, date), [want], "as of {date}");
    }
    // Before anything was known: nothing, exit 1.
    env.mem()
        .args(["recall", "standup", "--as-of", "2025-06-01"])
        .assert()
        .code(1);
    env.mem()
        .args(["recall", "standup", "--as-of", "someday"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a date"));

    // The chain, oldest first, from any of its entries.
    let steps = env.json(&["show", "--history", &p2]);
    let order: Vec<&str> = steps.iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [p1.as_str(), p_late.as_str(), p2.as_str(), p3.as_str()]
    );
    let status: Vec<&str> = steps
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        status,
        ["superseded", "superseded", "superseded", "current"]
    );
    assert_eq!(steps[2]["this"], true);
    assert_eq!(steps[2]["to"], "2026-05-20T00:00:00Z");

    // Forgetting the newest makes the one before current again, although
    // its file still says when the forgotten one began.
    env.json(&["forget", &p3]);
    assert_eq!(titles_as_of(&env, ""), ["The team standup is at 10:15"]);
    let steps = env.json(&["show", "--history", &p1]);
    let status: Vec<&str> = steps
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["superseded", "superseded", "current", "archived"]);
}

#[test]
fn a_hand_written_valid_to_ends_an_entry_without_a_successor() {
    let env = Env::new();
    let v = env
        .json(&[
            "add",
            "--raw",
            "The office is closed for renovation.",
            "--at",
            "work/office",
            "--observed",
            "2026-01-05",
        ])
        .remove(0);
    let rel = format!("{}.md", v["path"].as_str().unwrap());
    let text = env
        .read(&rel)
        .replacen("---\n", "---\nvalid_to: 2026-03-01T00:00:00Z\n", 1);
    std::fs::write(env.root.join(&rel), text).unwrap();
    let found = |date: &str| {
        let mut c = env.mem();
        c.args(["recall", "renovation", "--json"]);
        if !date.is_empty() {
            c.args(["--as-of", date]);
        }
        parse_lines(&c.output().unwrap().stdout).len()
    };
    // MEM_NOW is 2026-06-01: past its end, hidden now, found before.
    assert_eq!(found(""), 0);
    assert_eq!(found("2026-02-01"), 1);
    let hist = env.json(&["recall", "renovation", "--history"]);
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0]["superseded"], true);
    assert_eq!(hist[0]["valid_to"], "2026-03-01T00:00:00Z");
}

#[test]
fn the_drift_benchmark_is_deterministic_and_finds_current_and_past_values() {
    let env = Env::new();
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let run = || {
        let mut r = env
            .json(&[
                "eval",
                "drift",
                "--subjects",
                "8",
                "--seed",
                "3",
                "--work-dir",
                work.to_str().unwrap(),
            ])
            .remove(0);
        for k in ["add_ms_p50", "add_s_total", "recall_ms_p50"] {
            r.as_object_mut().unwrap().remove(k);
        }
        r
    };
    let r = run();
    assert_eq!(run(), r, "the same seed gives the same report");
    assert_eq!(
        (r["facts"].as_u64(), r["current_asked"].as_u64()),
        (Some(40), Some(40))
    );
    // Every first statement is a fact of its own: nothing superseded,
    // nothing dropped.
    assert_eq!(r["first_ops"], serde_json::json!({"added": 40}), "{r}");
    let changes = r["statements"].as_u64().unwrap() - 40;
    assert!(changes > 0);
    assert!(
        r["change_ops"]["superseded"].as_u64().unwrap() * 2 > changes,
        "most changes supersede: {r}"
    );
    // Each span of a changed fact is asked about.
    assert!(r["as_of_asked"].as_u64().unwrap() >= 2 * r["changed_facts"].as_u64().unwrap());
    assert!(r["current_at1"].as_f64().unwrap() >= 0.8, "{r}");
    assert!(r["as_of_at1"].as_f64().unwrap() >= 0.7, "{r}");
    assert!(r["current_at1"].as_f64() <= r["current_fact_at1"].as_f64());
    // Its temporary tree is gone.
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);
    // Bad input: a clear error.
    env.mem()
        .args(["eval", "drift", "--changed", "1.5"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--changed 1.5"));
}

#[test]
fn reads_count_as_accesses_outside_git() {
    let env = Env::new();
    let v = env.add("The VPN config lives in the infra repo.", "ops/vpn");
    let path = v["path"].as_str().unwrap();
    let commits = env.commit_count();
    let show = env.json(&["show", path]);
    // What was known before this read.
    assert_eq!(show[0]["signals"]["accesses"], 0);
    assert_eq!(show[0]["signals"]["importance"], 50);
    env.json(&["recall", "vpn config"]);
    env.json(&["recall", "infra repo"]);
    let show = env.json(&["show", path]);
    let s = &show[0]["signals"];
    assert_eq!(s["accesses"], 3, "one show, two recalls: {s}");
    assert_eq!(s["access_days"], 1);
    assert_eq!(s["last_access"], TEST_NOW);
    assert_eq!(s["recency"], 1.0);
    // Derived state: no commit, nothing for git to see.
    assert_eq!(env.commit_count(), commits);
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
    // --explain shows them; a missing or broken state file is no error.
    let out = env
        .mem()
        .args(["recall", "vpn", "--explain"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("signals {path}:")) && err.contains("\"accesses\":4"),
        "{err}"
    );
    std::fs::write(env.root.join(".mem/state/access.json"), "{broken").unwrap();
    env.mem().args(["recall", "vpn"]).assert().success();
    let show = env.json(&["show", path]);
    assert_eq!(show[0]["signals"]["accesses"], 1, "counting starts again");
    assert_eq!(show[0]["signals"]["citations"], 0);
    // An answer that cites it: a citation and an access, and importance
    // rises with them.
    let a = env.json(&["ask", "where does the VPN config live?"]);
    assert_eq!(a[0]["citations"][0]["path"], path, "{a:?}");
    let s = &env.json(&["show", path])[0]["signals"];
    assert_eq!(s["citations"], 1, "{s}");
    assert_eq!(s["accesses"], 3, "show, ask, show: {s}");
    assert!(s["importance"].as_u64().unwrap() > 50, "{s}");
}

#[test]
fn an_agent_asks_as_of_a_date_through_mcp() {
    let env = Env::new();
    add(&env, "The team standup is at 9:30.", "2026-01-10");
    add(&env, "The team standup is at 10:15.", "2026-04-02");
    let call = |id: u64, args: serde_json::Value| serde_json::json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":"recall","arguments":args}});
    let lines = [
        serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}),
        serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        call(
            2,
            serde_json::json!({"query": "standup", "as_of": "2026-02-01"}),
        ),
        call(3, serde_json::json!({"query": "standup"})),
        call(4, serde_json::json!({"query": "standup", "as_of": "soon"})),
    ];
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let out = env.mem().arg("mcp").write_stdin(input).output().unwrap();
    let by_id: std::collections::HashMap<u64, serde_json::Value> = parse_lines(&out.stdout)
        .into_iter()
        .filter_map(|v| Some((v.get("id")?.as_u64()?, v)))
        .collect();
    let text = |id: u64| {
        let r = &by_id[&id]["result"];
        (
            r["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r["isError"].as_bool().unwrap_or(false),
        )
    };
    let (then, err) = text(2);
    assert!(
        !err && then.contains("9:30") && !then.contains("10:15"),
        "{then}"
    );
    let (now, err) = text(3);
    assert!(
        !err && now.contains("10:15") && !now.contains("9:30"),
        "{now}"
    );
    let (bad, err) = text(4);
    assert!(err && bad.contains("not a date"), "{bad}");
}

#[test]
fn dream_supersedes_a_change_curation_missed_and_archives_a_duplicate() {
    let env = Env::new();
    let raw = |text: &str, at: &str, observed: &str| -> String {
        env.json(&["add", "--raw", text, "--at", at, "--observed", observed])
            .remove(0)["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Written raw, as a bulk import would: curation never compared them.
    let old = raw("Host atlas8 has 32 GB of RAM.", "infra/hosts", "2026-01-05");
    let new = raw(
        "Host atlas8 was upgraded to 64 GB of RAM.",
        "infra/hosts",
        "2026-03-01",
    );
    let other = raw("Host atlas8 has 16 CPU cores.", "infra/hosts", "2026-03-02");
    let peer = raw(
        "Host boreas2 has 128 GB of RAM.",
        "infra/hosts",
        "2026-03-03",
    );
    let first = raw(
        "The Berlin office opens at 8am.",
        "work/offices",
        "2026-01-10",
    );
    let dup = raw(
        "The Berlin office opens at 08:00.",
        "work/offices",
        "2026-02-10",
    );
    assert_ne!(dup, first);
    // Events are history, never superseded or superseding.
    env.json(&[
        "add",
        "--raw",
        "Host atlas8 had 2 GB of RAM free at noon.",
        "--at",
        "infra/hosts",
        "--observed",
        "2026-03-04",
        "--kind",
        "event",
    ]);

    // A time budget too small for anything: cut short, nothing proposed
    // or written, and it says so.
    let commits = env.commit_count();
    let cut = env
        .json(&["dream", "--dry-run", "--time", "0.000001"])
        .remove(0);
    assert_eq!(cut["cut_short"], true, "{cut}");
    assert_eq!(cut["proposals"].as_array().unwrap().len(), 0, "{cut}");
    let bad = env.mem().args(["dream", "--time", "0"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("more than zero"));

    // A dry run proposes and writes nothing.
    let dry = env.json(&["dream", "--dry-run", "--time", "10m"]).remove(0);
    assert_eq!(dry["cut_short"], false, "{dry}");
    assert_eq!(env.commit_count(), commits);
    let props = proposals(&dry);
    assert!(
        props.contains(&("supersede".into(), new.clone(), old.clone())),
        "{props:?}"
    );
    assert!(
        props.contains(&("duplicate".into(), first.clone(), dup.clone())),
        "{props:?}"
    );
    // Another attribute (cores), another host: untouched.
    for p in &props {
        assert!(
            ![&other, &peer].contains(&&p.1) && ![&other, &peer].contains(&&p.2),
            "{p:?}"
        );
    }
    assert_eq!(props.len(), 2, "{props:?}");

    // Applied: one commit per kind, undoable; then the overview of the
    // topic that now holds four current entries (the superseded one left
    // out), as a commit of its own.
    let done = env.json(&["dream"]).remove(0);
    assert_eq!(done["commits"].as_array().unwrap().len(), 3, "{done}");
    assert_eq!(env.commit_count(), commits + 3);
    assert_eq!(
        done["overviews"],
        serde_json::json!([{"path": "infra/hosts/_overview.md", "op": "write"}]),
        "{done}"
    );
    let overview = env.read("infra/hosts/_overview.md");
    assert!(
        overview.contains("4 current entries (3 facts, 1 event)"),
        "{overview}"
    );
    assert!(
        !overview.contains(&old[old.rfind('/').unwrap() + 1..]),
        "{overview}"
    );
    assert!(
        overview.contains(&format!("({}.md)", &new[new.rfind('/').unwrap() + 1..])),
        "{overview}"
    );
    // The overview is not an entry: neither a stray nor a hit.
    let hits = env.json(&["recall", "atlas8 current entries fact"]);
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| !h["path"].as_str().unwrap_or("").contains("_overview"))
    );
    assert!(
        env.read(&format!("{old}.md"))
            .contains("valid_to: 2026-03-01T00:00:00Z")
    );
    assert!(env.read(&format!("{new}.md")).contains("rel: supersedes"));
    assert!(env.root.join(format!("_archive/{dup}.md")).exists());
    assert!(
        env.read(&format!("{first}.md"))
            .contains("rel: merged-from")
    );
    let hits = env.json(&["recall", "atlas8 RAM"]);
    assert!(
        hits.iter().all(|h| h["path"] != old.as_str()),
        "superseded: {hits:?}"
    );
    // A second pass: no merge left; the entry the duplicate was merged
    // into is confirmed, so validated (a pass leaves the entries its own
    // merges touched alone, so each commit can be undone by itself).
    let again = env.json(&["dream"]).remove(0);
    assert_eq!(again["proposals"].as_array().unwrap().len(), 0, "{again}");
    assert_eq!(again["maturity"][0]["path"], first.as_str(), "{again}");
    assert_eq!(again["maturity"][0]["to"], "validated", "{again}");
    assert_eq!(again["overviews"].as_array().unwrap().len(), 0, "{again}");
    assert_eq!(env.commit_count(), commits + 4);
    assert!(
        env.read(&format!("{first}.md"))
            .contains("maturity: validated")
    );
    // Nothing left to do: a third pass changes nothing.
    let third = env.json(&["dream"]).remove(0);
    assert_eq!(third["commits"].as_array().unwrap().len(), 0, "{third}");
    assert_eq!(env.commit_count(), commits + 4);
    // Undo the maturity commit (the last), then the duplicates' commit by
    // its id: the duplicate is back.
    ok(&env.mem().args(["undo"]).output().unwrap());
    let dups = done["commits"][1].as_str().unwrap();
    ok(&env.mem().args(["undo", dups]).output().unwrap());
    assert!(env.root.join(format!("{dup}.md")).exists());
    // A topic moved away takes no overview along and leaves none behind:
    // the old folder is gone, nothing is left uncommitted.
    ok(&env
        .mem()
        .args(["mv", "infra/hosts", "infra/machines"])
        .output()
        .unwrap());
    assert!(!env.root.join("infra/hosts").exists());
    assert_eq!(env.git(&["status", "--porcelain"]).trim(), "");
}

#[test]
fn dream_holds_an_agents_entry_that_would_supersede_a_persons_for_review() {
    let env = Env::new();
    let raw = |text: &str, observed: &str, via: &str| -> String {
        env.json(&[
            "add",
            "--raw",
            text,
            "--at",
            "infra/hosts",
            "--observed",
            observed,
            "--via",
            via,
        ])
        .remove(0)["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // A person's entry, then an agent's later value of the same attribute,
    // and the same pair written by people.
    let person = raw("Host atlas8 has 32 GB of RAM.", "2026-01-05", "cli");
    let agent = raw(
        "Host atlas8 was upgraded to 64 GB of RAM.",
        "2026-03-01",
        "agent",
    );
    let old = raw("Host boreas2 has 16 GB of RAM.", "2026-01-05", "cli");
    let new = raw(
        "Host boreas2 was upgraded to 48 GB of RAM.",
        "2026-03-01",
        "cli",
    );

    let dry = env.json(&["dream", "--dry-run"]).remove(0);
    let kinds = proposals(&dry);
    assert!(
        kinds.contains(&("hold".into(), agent.clone(), person.clone())),
        "{dry}"
    );
    assert!(
        kinds.contains(&("supersede".into(), new.clone(), old.clone())),
        "{dry}"
    );

    env.json(&["dream"]);
    // The person's entry stays current; the agent's waits in review,
    // beside it.
    let shown = env.json(&["show", &person]).remove(0);
    assert!(shown["front_matter"]["valid_to"].is_null(), "{shown}");
    let held = env.json(&["show", &agent]).remove(0);
    assert_eq!(held["front_matter"]["curation"], "review", "{held}");
    assert!(held.to_string().contains("contradicts"), "{held}");
    let review = String::from_utf8(
        env.mem()
            .args(["review", "--list"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(review.contains(&agent), "{review}");
    // The people's pair is superseded as before.
    let old_shown = env.json(&["show", &old]).remove(0);
    assert!(
        !old_shown["front_matter"]["valid_to"].is_null(),
        "{old_shown}"
    );

    // Approving the held entry is the supersede it was held for, in one
    // commit.
    let commits = env.commit_count();
    let ok = env.json(&["review", "--approve", &agent]).remove(0);
    assert_eq!(ok["superseded"], person.as_str(), "{ok}");
    assert_eq!(env.commit_count(), commits + 1);
    let shown = env.json(&["show", &person]).remove(0);
    assert!(!shown["front_matter"]["valid_to"].is_null(), "{shown}");
    let approved = env.json(&["show", &agent]).remove(0);
    assert_eq!(
        approved["front_matter"]["curation"], "approved",
        "{approved}"
    );
    assert!(
        approved.to_string().contains("\"supersedes\""),
        "{approved}"
    );
    let hits = env.json(&["recall", "atlas8 RAM"]);
    assert_eq!(hits[0]["path"], agent.as_str(), "{hits:?}");

    // A teammate's value of the same attribute, older than the approved
    // one, arrives (a sync): the next dream supersedes it with the
    // approved entry, which a person's approval made a person's word; it
    // is not held again.
    let teammate = raw("Host atlas8 has 48 GB of RAM.", "2026-02-01", "cli");
    let dry = env.json(&["dream", "--dry-run"]).remove(0);
    let kinds = proposals(&dry);
    assert!(
        kinds.contains(&("supersede".into(), agent.clone(), teammate.clone())),
        "{dry}"
    );
    assert!(!kinds.iter().any(|k| k.0 == "hold"), "{dry}");
    env.json(&["dream"]);
    let approved = env.json(&["show", &agent]).remove(0);
    assert_eq!(
        approved["front_matter"]["curation"], "approved",
        "{approved}"
    );
    let stale = env.json(&["show", &teammate]).remove(0);
    assert!(!stale["front_matter"]["valid_to"].is_null(), "{stale}");
}

#[test]
fn dream_proposes_stale_entries_for_review_and_raises_maturity_from_confirmations() {
    let env = Env::new();
    let at = |now: &str, args: &[&str]| -> Vec<serde_json::Value> {
        let out = env
            .mem()
            .env("MEM_NOW", now)
            .args(["--json"])
            .args(args)
            .output()
            .unwrap();
        ok(&out);
        parse_lines(&out.stdout)
    };
    let now = "2026-12-01T00:00:00Z";
    let raw = |text: &str, at_: &str, observed: &str, kind: &str| -> String {
        at(
            observed,
            &[
                "add",
                "--raw",
                text,
                "--at",
                at_,
                "--observed",
                observed,
                "--kind",
                kind,
            ],
        )
        .remove(0)["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let old = raw(
        "The staging VPN gateway is vpn2.",
        "infra/network",
        "2025-01-10T00:00:00Z",
        "fact",
    );
    let older = raw(
        "The old wiki lives at wiki.internal.",
        "infra/docs",
        "2025-01-05T00:00:00Z",
        "fact",
    );
    let decided = raw(
        "We decided to keep the monorepo.",
        "infra/docs",
        "2025-01-06T00:00:00Z",
        "decision",
    );
    let legacy = raw(
        "The legacy build bot is named Hal.",
        "infra/docs",
        "2025-01-20T00:00:00Z",
        "fact",
    );
    let fresh = raw(
        "The office printer is on floor 3.",
        "infra/docs",
        "2026-11-20T00:00:00Z",
        "fact",
    );
    // Said again through curation: a confirmation of the same entry.
    let confirmed = at(
        now,
        &[
            "add",
            "The office printer is on floor 3.",
            "--at",
            "infra/docs",
        ],
    );
    assert_eq!(confirmed[0]["op"], "noop", "{confirmed:?}");

    let commits = env.commit_count();
    let dry = at(now, &["dream", "--dry-run"]).remove(0);
    assert_eq!(env.commit_count(), commits);
    let stale: Vec<&str> = dry["stale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    // The least used first; the decision and the recent fact are kept.
    assert_eq!(
        stale,
        [older.as_str(), old.as_str(), legacy.as_str()],
        "{dry}"
    );
    assert!(
        dry["stale"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not shown or changed for 695 days"),
        "{dry}"
    );
    assert_eq!(dry["maturity"][0]["path"], fresh.as_str(), "{dry}");
    // A dry run leaves the review queue empty.
    let queue = at(now, &["review", "--list"]);
    assert!(queue.is_empty(), "{queue:?}");

    // A file named like an overview that dream did not write is left alone.
    let mine = "# infra\n\nMy own notes on infra.\n";
    std::fs::write(env.root.join("infra/_overview.md"), mine).unwrap();
    let done = at(now, &["dream"]).remove(0);
    assert!(
        env.read(&format!("{fresh}.md"))
            .contains("maturity: validated")
    );
    assert_eq!(env.read("infra/_overview.md"), mine);
    assert!(env.root.join("infra/docs/_overview.md").exists(), "{done}");
    // Proposals archive nothing by themselves: they wait in review.
    assert!(env.root.join(format!("{older}.md")).exists());
    assert_eq!(done["stale"].as_array().unwrap().len(), 3, "{done}");
    // Shown since: no longer stale, out of the queue, and approving the
    // proposal now is refused.
    at(now, &["show", &old]);
    let queue = at(now, &["review", "--list"]);
    let waiting: Vec<(&str, &str)> = queue
        .iter()
        .map(|w| (w["status"].as_str().unwrap(), w["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        waiting,
        [("stale", older.as_str()), ("stale", legacy.as_str())],
        "{queue:?}"
    );
    env.mem()
        .env("MEM_NOW", now)
        .args(["review", "--approve", &old])
        .assert()
        .failure()
        .stderr(predicates::str::contains("no longer stale"));
    assert!(env.root.join(format!("{old}.md")).exists());
    // Approving archives (restorable); rejecting keeps the entry, and the
    // next pass does not propose it again.
    at(now, &["review", "--approve", &older]);
    assert!(env.root.join(format!("_archive/{older}.md")).exists());
    at(now, &["review", "--reject", &legacy]);
    assert!(env.root.join(format!("{legacy}.md")).exists());
    let again = at(now, &["dream"]).remove(0);
    assert_eq!(again["stale"].as_array().unwrap().len(), 0, "{again}");
    assert!(at(now, &["review", "--list"]).is_empty());
    // A decision is never stale; the entries it stands beside stay.
    assert!(env.root.join(format!("{decided}.md")).exists());
}

#[test]
fn eval_dream_finds_planted_duplicates_and_changes_and_scores_its_proposals() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let out = env
        .mem()
        .args([
            "eval",
            "dream",
            "--entries",
            "500",
            "--sample",
            "3",
            "--json",
        ])
        .arg("--work-dir")
        .arg(work.path())
        .output()
        .unwrap();
    ok(&out);
    let r = parse_lines(&out.stdout).remove(0);
    // 5% and 2% of 500 entries planted.
    assert_eq!(
        (
            r["planted_duplicates"].as_u64(),
            r["planted_changes"].as_u64()
        ),
        (Some(25), Some(10))
    );
    let found = r["found_duplicates"].as_u64().unwrap() + r["found_changes"].as_u64().unwrap();
    let wrong = r["wrong"].as_u64().unwrap();
    assert_eq!(r["proposals"].as_u64().unwrap(), found + wrong, "{r}");
    // Without an embedder (the tests' setting) the rules alone still find
    // the duplicates said again with a label and the changes of one value,
    // and make no wrong proposal.
    assert!(r["found_duplicates"].as_u64().unwrap() >= 5, "{r}");
    assert!(r["found_changes"].as_u64().unwrap() >= 3, "{r}");
    assert_eq!(wrong, 0, "{r}");
    // Samples carry the texts a person checks.
    let right = r["right_sample"].as_array().unwrap();
    assert!(
        !right.is_empty()
            && right
                .iter()
                .all(|s| !s["keep_text"].as_str().unwrap().is_empty())
    );
    // Nothing is left behind in the work folder.
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
}

#[test]
fn watch_dreams_when_idle_once_per_interval_and_only_when_asked() {
    let env = Env::new();
    let raw = |text: &str, observed: &str| env.add_observed(text, "work/offices", observed);
    raw("The Berlin office opens at 8am.", "2026-01-10");
    let dup = raw("The Berlin office opens at 08:00.", "2026-02-10");
    let run_watch = |vars: &[(&str, &str)]| -> String {
        let child = spawn_mem(&env, &["watch", "--json", "--idle-exit", "4"], vars);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // Off by default: the watcher never dreams.
    let out = run_watch(&[("MEM_WATCH_DREAM_IDLE_S", "1")]);
    assert!(!out.contains("\"dream\""), "{out}");
    assert!(env.root.join(format!("{dup}.md")).exists());
    // On: after a second of quiet it dreams once, and the duplicate goes.
    let commits = env.commit_count();
    let on = [
        ("MEM_WATCH_DREAM", "daily"),
        ("MEM_WATCH_DREAM_IDLE_S", "1"),
    ];
    let out = run_watch(&on);
    let dreams: Vec<serde_json::Value> = parse_lines(out.as_bytes())
        .into_iter()
        .filter(|v| v["event"] == "dream")
        .collect();
    assert_eq!(dreams.len(), 1, "{out}");
    assert_eq!(dreams[0]["changes"], 1, "{out}");
    assert!(env.root.join(format!("_archive/{dup}.md")).exists());
    assert_eq!(env.commit_count(), commits + 1);
    // Within the interval, a new watcher does not dream again.
    let out = run_watch(&on);
    assert!(!out.contains("\"dream\""), "{out}");
    // A bad interval is an error naming the key.
    env.mem()
        .args(["watch", "--idle-exit", "1"])
        .env("MEM_WATCH_DREAM", "sometimes")
        .assert()
        .failure()
        .stderr(predicates::str::contains("watch.dream"));
}

/// A superseded entry that matches the query better than what replaced it
/// ("operating system" is only in the old statement) hands its place to
/// its successor, current now or at `--as-of`, which says so (`replaces`);
/// a forgotten successor hands nothing on.
#[test]
fn a_superseded_match_hands_its_place_to_what_replaced_it() {
    let env = Env::new();
    let at = |text: &str, observed: &str| {
        env.json(&["add", text, "--at", "infra/hosts", "--observed", observed])
            .remove(0)
    };
    let old = at(
        "Host freya2 runs FreeBSD 14 as its operating system.",
        "2026-01-10",
    );
    let new = at("Host freya2 was reinstalled with Debian 12.", "2026-05-02");
    assert_eq!(new["op"], "superseded", "{new}");
    at("Host freya2 has 192 GB of RAM.", "2026-02-01");
    at("Host freya2 sits in rack E2.", "2026-02-03");
    let path = |v: &serde_json::Value| v["path"].as_str().unwrap().to_string();
    let top = |extra: &[&str]| {
        let mut c = env.mem();
        c.args([
            "recall",
            "which operating system does host freya2 run",
            "--json",
        ]);
        c.args(extra);
        parse_lines(&c.output().unwrap().stdout)
            .into_iter()
            .next()
            .expect("a hit")
    };
    let now = top(&[]);
    assert_eq!(now["path"], path(&new), "{now}");
    assert_eq!(now["replaces"], path(&old), "{now}");
    // Before the reinstall the old entry was current: it is shown itself.
    let then = top(&["--as-of", "2026-03-01"]);
    assert_eq!(then["path"], path(&old), "{then}");
    assert!(then.get("replaces").is_none(), "{then}");
    // In text, the hit says what it stands in for.
    let out = env
        .mem()
        .args(["recall", "which operating system does host freya2 run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("replaces {}", path(&old))), "{text}");
    // Forgotten, the successor no longer ends the old entry: it is current again.
    env.mem().args(["forget", &path(&new)]).assert().success();
    let after = top(&[]);
    assert_eq!(after["path"], path(&old), "{after}");
}

/// A dream report's proposals as (kind, keep, other).
fn proposals(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["keep"].as_str().unwrap().to_string(),
                p["other"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_query_that_names_only_a_time_lists_that_times_entries() {
    let env = Env::new();
    let a = env.add_observed(
        "Reviewed the billing migration plan",
        "work/log",
        "2026-03-09T16:00:00Z",
    );
    let b = env.add_observed(
        "Paired with Ines on the flaky upload test",
        "work/log",
        "2026-03-10T09:00:00Z",
    );
    let c = env.add_observed(
        "Booked the dentist for Thursday",
        "life/errands",
        "2026-03-10T18:30:00Z",
    );
    let d = env.add_observed(
        "Deployed the search service to staging",
        "work/log",
        "2026-03-11T08:00:00Z",
    );
    let paths = |args: &[&str]| -> Vec<String> {
        let out = env.mem().args(args).arg("--json").output().unwrap();
        parse_lines(&out.stdout)
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect()
    };
    // No word of the question is in those entries: the time is the query.
    assert_eq!(
        paths(&[
            "recall",
            "what did I do yesterday?",
            "--now",
            "2026-03-11T12:00:00Z"
        ]),
        vec![c.clone(), b.clone()],
        "that day's entries, newest first"
    );
    assert_eq!(
        paths(&["recall", "what happened on 9 March 2026"]),
        vec![a.clone()]
    );
    // "Last week" is the calendar week before, not this week's entries
    // first (Wednesday 18 March: the week of 9-15 March).
    let this_week = env.add_observed(
        "Renewed the passport photos",
        "life/errands",
        "2026-03-17T10:00:00Z",
    );
    let last_week = paths(&[
        "recall",
        "what happened last week?",
        "--now",
        "2026-03-18T12:00:00Z",
    ]);
    assert!(!last_week.contains(&this_week), "{last_week:?}");
    assert_eq!(last_week, vec![d.clone(), c.clone(), b.clone(), a.clone()]);
    // Asked another day, "yesterday" is another day.
    assert_eq!(
        paths(&["recall", "what did I do yesterday", "--now", "2026-03-12"]),
        vec![d.clone()]
    );
    // A scope still applies.
    assert_eq!(
        paths(&[
            "recall",
            "what did I do yesterday?",
            "--now",
            "2026-03-11",
            "--at",
            "work"
        ]),
        vec![b.clone()]
    );
    // A question with words of its own is matched on them, as before.
    assert_eq!(
        paths(&["recall", "dentist yesterday", "--now", "2026-03-11"])[0],
        c
    );
    // A day with nothing: nothing found (exit 1).
    let out = env
        .mem()
        .args(["recall", "what did I do yesterday", "--now", "2026-03-20"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

//! Randomised robustness checks of the parsers agents and teammates feed
//! (seeded: the same inputs every run). Each target gets thousands of
//! mutated inputs; the property is no panic, no runaway time, and the
//! target's own invariant (round trip, no conflict markers…).
//! `MEM_FUZZ_ROUNDS` sets the count of every target, `MEM_FUZZ_SECS` runs
//! each target for that many seconds instead (`benches/fuzz.sh`); each
//! target prints `fuzz NAME: N inputs in S s` (see with `--nocapture`).

#[cfg(test)]
fn rounds(default: usize) -> usize {
    std::env::var("MEM_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one input of target `name` per call of `f`: `rounds(default)`
/// times, or for `MEM_FUZZ_SECS` seconds. Returns the input count.
#[cfg(test)]
pub(crate) fn drive(
    name: &str,
    seed: u64,
    default: usize,
    mut f: impl FnMut(&mut crate::rng::Rng),
) -> usize {
    let mut rng = crate::rng::Rng::new(seed);
    let start = std::time::Instant::now();
    let secs: Option<f64> = std::env::var("MEM_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse().ok());
    let count = rounds(default);
    let mut n = 0;
    loop {
        match secs {
            Some(s) if n % 64 == 0 && start.elapsed().as_secs_f64() >= s => break,
            None if n >= count => break,
            _ => {}
        }
        f(&mut rng);
        n += 1;
    }
    eprintln!(
        "fuzz {name}: {n} inputs in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    n
}

/// A random JSON value (test generators): objects with the keys agents'
/// hook payloads and MCP arguments use, any value types, nested.
#[cfg(test)]
pub(crate) fn random_json(rng: &mut crate::rng::Rng, depth: usize) -> serde_json::Value {
    use serde_json::{Value, json};
    const KEYS: &[&str] = &[
        "prompt",
        "cwd",
        "session_id",
        "transcript_path",
        "hook_event_name",
        "turn_id",
        "cursor_version",
        "conversation_id",
        "workspace_roots",
        "timestamp",
        "query",
        "text",
        "k",
        "at",
        "since",
        "until",
        "tier",
        "path",
        "id",
        "tags",
        "kind",
        "source",
        "budget",
        "tree",
        "message",
        "content",
        "type",
        "payload",
    ];
    const STRS: &[&str] = &[
        "",
        "ops/deploys",
        "yesterday",
        "2026-13-45",
        "../../etc/passwd",
        "_archive/x",
        "We deploy on Tuesdays.",
        "数据",
        "🙂",
        "\u{0}",
        "ignore previous instructions",
        "UserPromptSubmit",
        "BeforeAgent",
        "-1",
        "1e309",
        "a/b/c",
        "/tmp",
        "~",
    ];
    match rng.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(0.5)),
        2 => match rng.below(3) {
            0 => json!(rng.below(100)),
            1 => json!(-(rng.below(1_000_000) as i64)),
            _ => json!(rng.below(1000) as f64 / 7.0),
        },
        3 | 4 => {
            let mut s = STRS[rng.below(STRS.len())].to_string();
            if rng.chance(0.3) {
                s.push(char::from_u32(rng.range(0, 0x3_0000) as u32).unwrap_or('x'));
            }
            Value::String(s)
        }
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.range(0, 6))
                .map(|_| {
                    (
                        KEYS[rng.below(KEYS.len())].to_string(),
                        random_json(rng, depth - 1),
                    )
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::drive;
    use crate::entry::Entry;
    use crate::rng::Rng;
    use std::time::{Duration, Instant};

    /// A string of random pieces and characters (any script, controls).
    fn noise(rng: &mut Rng, pieces: &[&'static str], max: usize) -> String {
        let mut s = String::new();
        for _ in 0..rng.range(0, max) {
            match rng.below(4) {
                0 => s.push_str(rng_pick(rng, pieces)),
                1 => s.push_str(rng_pick(rng, PIECES)),
                2 => s.push(char::from_u32(rng.range(0, 0x3_0000) as u32).unwrap_or('\u{fffd}')),
                _ => s.push(char::from(b'a' + rng.below(26) as u8)),
            }
        }
        s
    }

    const PIECES: &[&str] = &[
        "---\n",
        "---",
        "\n",
        ": ",
        "id: ",
        "title: ",
        "created: ",
        "tags: [",
        "]",
        "- ",
        "  ",
        "{",
        "}",
        "\"",
        "'",
        "&a ",
        "*a",
        "|",
        ">",
        "#",
        "## Evidence\n",
        "> ",
        "\r\n",
        "\u{feff}",
        "\u{202e}",
        "\u{200b}",
        "é",
        "数据",
        "🙂",
        "\u{e0041}",
        "01JDZ8Q3M6V9B7X2K4T5R8N1PQ",
        "2026-11-20",
        "updated: ",
        "relations:\n",
        "  - {rel: supersedes, to: a/b/c}\n",
        "<<<<<<< ours\n",
        "=======\n",
        ">>>>>>> theirs\n",
        "\0",
        "\t",
        "ignore previous instructions",
        "curl x | sh",
        "<|im_start|>",
        "date: 2024-05-01\n",
    ];

    const SEED_ENTRY: &str = "---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1PQ\ntitle: Build notes\nkind: fact\ntags: [rust, ci]\ncreated: 2026-11-20T10:31:00Z\nupdated: 2026-11-21T08:02:00Z\nrelations:\n  - {rel: related, to: eng/ci/runners}\n---\nThe build needs cmake.\n\nAnd clang.\n\n## Evidence\n> quoted\n";

    /// `base` with a few random edits: pieces inserted, byte ranges cut or
    /// replaced (at char boundaries).
    fn mutate(rng: &mut Rng, base: &str) -> String {
        let mut s = base.to_string();
        for _ in 0..rng.range(1, 6) {
            let mut at = rng.below(s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => s.insert_str(at, rng_pick(rng, PIECES)),
                1 => {
                    let mut end = (at + rng.range(1, 12)).min(s.len());
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    s.replace_range(at..end, "");
                }
                _ => {
                    let mut end = (at + rng.range(1, 6)).min(s.len());
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    let p = rng_pick(rng, PIECES);
                    s.replace_range(at..end, p);
                }
            }
        }
        s
    }

    fn timed<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "{what} took {:?} on {input:?}",
            t.elapsed()
        );
        r
    }

    #[test]
    fn entry_parsing_never_panics_and_what_parses_round_trips() {
        let mut parsed = 0;
        let n = drive("entry parse/render", 1, 20_000, |rng| {
            let text = mutate(rng, SEED_ENTRY);
            let rel = "eng/build/notes.md";
            if let Ok(e) = timed("parse_at", &text, || Entry::parse_at(&text, rel, Some(0))) {
                parsed += 1;
                let again = Entry::parse(&e.render()).unwrap_or_else(|err| {
                    panic!(
                        "render of a parsed entry does not parse ({err}):\n{}\nfrom:\n{text:?}",
                        e.render()
                    )
                });
                assert_eq!(again.meta, e.meta, "{text:?}");
                assert_eq!(again.body(), e.body(), "{text:?}");
            }
        });
        assert!(
            parsed > n / 20,
            "the mutations should leave many entries valid ({parsed})"
        );
    }

    #[test]
    fn merging_mutated_entries_never_panics_or_writes_markers() {
        drive("entry merge", 2, 5_000, |rng| {
            let base = mutate(rng, SEED_ENTRY);
            let ours = mutate(rng, &base);
            let theirs = mutate(rng, &base);
            let r = timed("merge_entry", &ours, || {
                crate::merge::merge_entry("eng/build/notes.md", Some(&base), &ours, &theirs)
            });
            if let Ok(m) = r {
                // A merge of entries is an entry (markers only if a side had them).
                let had = |t: &str| t.contains("<<<<<<<");
                if !had(&ours) && !had(&theirs) && !had(&base) {
                    assert!(!had(&m.text), "{m:?}");
                }
                assert!(
                    Entry::parse(&m.text).is_ok() || Entry::parse(&ours).is_err(),
                    "{m:?}"
                );
            }
        });
    }

    #[test]
    fn the_quarantine_scan_is_total_and_fast_on_any_text() {
        drive("quarantine scan", 3, 20_000, |rng| {
            let mut text = String::new();
            for _ in 0..rng.range(1, 40) {
                text.push_str(rng_pick(rng, PIECES));
                if rng.chance(0.3) {
                    text.push(char::from_u32(rng.range(0x20, 0x3000) as u32).unwrap_or('x'));
                }
            }
            let _ = timed("scan", &text, || crate::quarantine::scan(&text));
        });
        // A long text stays linear.
        let long = "you the user this note secretly ".repeat(20_000);
        timed("scan of 640 KB", "long", || crate::quarantine::scan(&long));
    }

    #[test]
    fn agent_transcript_reading_never_panics_on_mangled_lines() {
        let lines = [
            r#"{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":"We use pnpm."}}"#,
            r#"{"type":"event_msg","payload":{"type":"user_message","message":"Deploys run at 1am."}}"#,
            r#"{"role":"user","message":{"content":[{"type":"text","text":"<user_query>Hi</user_query>"}]}}"#,
            r#"{"type":"gemini","content":"ok"}"#,
            r#"{"sessionId":"s","projectHash":"h","messages":[{"type":"user","content":"x"}]}"#,
        ];
        drive("agent transcripts", 4, 10_000, |rng| {
            let mut t = String::new();
            for _ in 0..rng.range(1, 6) {
                let line = rng_pick(rng, &lines);
                t.push_str(&mutate(rng, line));
                t.push('\n');
            }
            let _ = timed("user_turns", &t, || {
                crate::ingest::agent::user_turns(t.as_bytes())
            });
            let _ = timed("statements", &t, || crate::ingest::agent::statements(&t));
        });
    }

    /// `mem learn`'s reader and rules: any mangled transcript with tool
    /// calls parses or is refused, and every lesson found quotes the
    /// transcript verbatim.
    #[test]
    fn lesson_extraction_never_panics_and_quotes_only_what_is_there() {
        let lines = [
            r#"{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":"build it and release 1.2"}}"#,
            r#"{"type":"assistant","sessionId":"s","uuid":"u","message":{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"cargo build && ssh h 'systemctl status x'"}}]}}"#,
            r#"{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"Exit code 101
error: failed
Compilation Error
Mar 04 10:41:07 db-01 x[1]: boom","is_error":true}]}}"#,
            r#"{"type":"assistant","sessionId":"s","uuid":"u","message":{"role":"assistant","content":[{"type":"tool_use","id":"t2","name":"Edit","input":{"file_path":"a/b.toml","old_string":"x","new_string":"x
y = 1"}}]}}"#,
            r#"{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"shell","arguments":"{"cmd":"kubectl get pods; curl -sI http://x"}"}}]}"#,
            r#"{"role":"tool","tool_call_id":"c1","content":"HTTP/1.1 502 Bad Gateway
CrashLoopBackOff"}"#,
            r#"{"type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{"command":["bash","-lc","npm test"]}","call_id":"k1"}}"#,
        ];
        drive("lesson extraction", 4, 10_000, |rng| {
            let mut t = String::new();
            for _ in 0..rng.range(1, 12) {
                let line = rng_pick(rng, &lines);
                if rng.chance(0.5) {
                    t.push_str(line);
                } else {
                    t.push_str(&mutate(rng, line));
                }
                t.push('\n');
            }
            let Ok(tr) = timed("learn parse", &t, || {
                crate::learn::transcript::parse(t.as_bytes(), "fuzz")
            }) else {
                return;
            };
            let lessons = timed("learn extract", &t, || crate::learn::extract(&tr));
            for l in &lessons {
                assert!(crate::learn::verify(&tr, l).is_empty(), "{l:?}\n{t}");
                let _ = l.render("fuzz.jsonl");
            }
            let _ = crate::learn::error_query(&t);
        });
    }

    #[test]
    fn front_matter_edits_keep_the_entry_valid_and_hold_the_value() {
        use serde_yaml::Value;
        let keys = [
            "title",
            "tags",
            "importance",
            "maturity",
            "curation",
            "review",
            "observed",
            "x-note",
            "aliases",
            "updated",
            "kind",
        ];
        let (mut set, mut parsed) = (0, 0);
        drive("front-matter edits", 5, 10_000, |rng| {
            let text = mutate(rng, SEED_ENTRY);
            let Ok(mut e) = Entry::parse(&text) else {
                return;
            };
            parsed += 1;
            let key = rng_pick(rng, &keys);
            let value = match rng.below(4) {
                0 => Value::String(noise(
                    rng,
                    &[":", "#", "'", "\"", "- ", "\n", "{", "*a"],
                    12,
                )),
                1 => Value::Number((rng.below(1000) as u64).into()),
                2 => Value::Sequence(vec![Value::String(noise(rng, &[",", "]", " "], 6))]),
                _ => Value::Bool(rng.chance(0.5)),
            };
            let before = e.render();
            match timed("set", &text, || e.set(key, value.clone())) {
                Ok(()) => {
                    set += 1;
                    let again = Entry::parse(&e.render()).unwrap_or_else(|err| {
                        panic!("after set {key}={value:?} ({err}):\n{}", e.render())
                    });
                    assert_eq!(
                        again.front_matter().get(key),
                        Some(&value),
                        "{}",
                        e.render()
                    );
                    assert_eq!(again.body(), e.body());
                }
                // A refused edit leaves the entry as it was.
                Err(_) => assert_eq!(e.render(), before, "{key}={value:?}"),
            }
        });
        assert!(
            set > parsed / 4,
            "many edits of valid entries apply ({set} of {parsed})"
        );
    }

    #[test]
    fn slugs_and_paths_are_safe_for_any_text() {
        let bits = [
            "/", "..", ".", "-", " ", "_archive", "\\", "CON", "a/b/c", ".git", ".mem", "~",
        ];
        drive("slugs and paths", 6, 50_000, |rng| {
            let t = noise(rng, &bits, 20);
            let slug = timed("slugify", &t, || crate::paths::slugify(&t, 60));
            assert!(slug.len() <= 60, "{t:?} -> {slug:?}");
            assert!(
                slug.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{t:?} -> {slug:?}"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
            let w = crate::paths::slugify_words(&t, 40);
            assert!(w.len() <= 40, "{t:?} -> {w:?}");
            for parsed in [
                crate::paths::EntryPath::parse(&t).map(|p| p.rel_file()),
                crate::paths::TopicPath::parse(&t).map(|p| p.to_string()),
            ]
            .into_iter()
            .flatten()
            {
                for seg in parsed.trim_end_matches(".md").split('/') {
                    assert!(
                        crate::paths::segment_problem(seg).is_none()
                            && !seg.is_empty()
                            && seg != ".."
                            && seg != ".",
                        "{t:?} parsed to {parsed:?}"
                    );
                }
            }
        });
    }

    #[test]
    fn the_ingest_readers_never_panic_on_mangled_files() {
        use crate::ingest::{Format, parse, recognise};
        const LOCOMO: &str = r#"[{"sample_id": "conv-9", "conversation": {"speaker_a": "Ada", "speaker_b": "Ben", "session_1_date_time": "1:56 pm on 8 May, 2023", "session_1": [{"speaker": "Ada", "dia_id": "D1:1", "text": "I adopted a greyhound.", "img_url": ["x"], "blip_caption": "a dog"}, {"speaker": "Ben", "dia_id": "D1:2", "text": "Nice!"}]}, "qa": [{"question": "What did Ada adopt?", "answer": "a greyhound", "evidence": ["D1:1"], "category": 4}], "event_summary": {}}]"#;
        const LME: &str = r#"[{"question_id": "q1", "question_type": "single-session-user", "question": "Which runner?", "answer": "x", "question_date": "2023/05/30 (Tue) 10:00", "haystack_dates": ["2023/05/01 (Mon) 09:00"], "haystack_session_ids": ["s1"], "haystack_sessions": [[{"role": "user", "content": "The runner has 2 cores.", "has_answer": true}, {"role": "assistant", "content": "Noted."}]], "answer_session_ids": ["s1"]}]"#;
        const CHAT: &str = "{\"role\": \"user\", \"content\": \"We deploy on Tuesdays.\", \"timestamp\": \"2024-05-01T10:00:00Z\"}\n{\"role\": \"assistant\", \"content\": \"OK\", \"tool_calls\": []}\n{\"speaker\": \"Ana\", \"text\": \"Hi\", \"date\": \"8 May 2023\"}\n";
        drive("ingest readers", 7, 10_000, |rng| {
            let base = rng_pick(rng, &[LOCOMO, LME, CHAT]);
            let t = mutate(rng, base);
            let mut q = crate::ingest::Quirks::default();
            let _ = timed("recognise", &t, || recognise(t.as_bytes()));
            for f in [Format::ChatJsonl, Format::Locomo, Format::Longmemeval] {
                let _ = timed("parse", &t, || parse(f, t.as_bytes(), "fuzz", &mut q));
            }
            let _ = crate::ingest::parse_date(&t);
        });
    }

    #[test]
    fn the_config_file_reader_never_panics() {
        const CONFIG: &str = "[limits]\nmax_input_bytes = 1048576\n[models]\nembedder = \"none\"\nthreads = 2\n[recall]\nk = 10\ntrees = [\"team\"]\nowner_speakers = [\"user\"]\n[trees]\nteam = \"~/team\"\n[hooks]\nprompt_ms = 150\n[watch]\nauto = true\n";
        let mut ok = 0;
        drive("config file", 8, 20_000, |rng| {
            let t = mutate(rng, CONFIG);
            if let Ok(tbl) = timed("toml", &t, || toml::from_str::<toml::Table>(&t))
                && toml::Value::Table(tbl)
                    .try_into::<crate::config::Config>()
                    .is_ok()
            {
                ok += 1;
            }
        });
        assert!(ok > 0);
    }

    #[test]
    fn recall_answers_any_query_text_with_existing_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(crate::tree::MEM_DIR)).unwrap();
        let texts = [
            ("eng/build/cmake", "The build needs cmake and libclang."),
            (
                "eng/ci/runner",
                "The CI runner has 2 cores and 24 GiB of memory.",
            ),
            (
                "people/tom/seat",
                "Tom likes window seats on flights since 2023-05-01.",
            ),
            (
                "ops/jobs/report",
                "数据 The nightly report job runs at 2am on weekdays.",
            ),
        ];
        for (i, (p, t)) in texts.iter().enumerate() {
            let f = root.join(format!("{p}.md"));
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(
                &f,
                format!("---\nid: 01JDZ8Q3M6V9B7X2K4T5R8N1P{i}\ntitle: {t}\nkind: fact\ncreated: 2026-11-2{i}T10:00:00Z\nupdated: 2026-11-2{i}T10:00:00Z\n---\n{t}\n"),
            )
            .unwrap();
        }
        let tree = crate::tree::Tree {
            root: root.clone(),
            config: crate::config::Config::default(),
        };
        let cfg = crate::config::Models {
            embedder: "none".into(),
            generator: "none".into(),
            ..Default::default()
        };
        let models = crate::model::select::Models::new(&cfg);
        let words = [
            "build",
            "cmake",
            "runner",
            "cores",
            "Tom",
            "window",
            "report",
            "2am",
            "数据",
            "yesterday",
            "last Friday",
            "3 days ago",
            "in May 2023",
            "2023-05-01",
            "since",
            "AND",
            "OR",
            "NOT",
            "-",
            "+",
            "\"",
            "*",
            "title:",
            "(",
            ")",
            "~2",
            "^3",
            "\\",
            "what",
            "did",
            "we",
            "decide",
            "ago",
            "week",
            "month",
            "🙂",
        ];
        let mut found = 0;
        drive("recall queries", 9, 2_000, |rng| {
            let mut text = String::new();
            for _ in 0..rng.range(1, 8) {
                text.push_str(rng_pick(rng, &words));
                if rng.chance(0.7) {
                    text.push(' ');
                }
            }
            if rng.chance(0.2) {
                text.push_str(&noise(rng, &words, 6));
            }
            let q = crate::recall::Query {
                text: text.clone(),
                k: 5,
                max_tier: 3,
                now: Some(1_780_000_000),
                ..Default::default()
            };
            let r = timed("recall", &text, || {
                crate::recall::recall(&tree, &models, &q)
            });
            if let Ok((hits, _)) = r {
                for h in &hits {
                    assert!(
                        root.join(format!("{}.md", h.path)).is_file(),
                        "{text:?}: {}",
                        h.path
                    );
                }
                found += usize::from(!hits.is_empty());
            }
        });
        assert!(found > 0);
    }

    fn rng_pick(rng: &mut Rng, items: &[&'static str]) -> &'static str {
        items[rng.below(items.len())]
    }
}

//! Randomised robustness checks of the parsers agents and teammates feed
//! (seeded: the same inputs every run). Each target gets thousands of
//! mutated inputs; the property is no panic, no runaway time, and the
//! target's own invariant (round trip, no conflict markers…).
//! `MEM_FUZZ_ROUNDS` scales the count (benches: a long run by hand).

#[cfg(test)]
mod tests {
    use crate::entry::Entry;
    use crate::rng::Rng;
    use std::time::{Duration, Instant};

    fn rounds(default: usize) -> usize {
        std::env::var("MEM_FUZZ_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
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
        let mut rng = Rng::new(1);
        let mut parsed = 0;
        for _ in 0..rounds(20_000) {
            let text = mutate(&mut rng, SEED_ENTRY);
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
        }
        assert!(
            parsed > 1000,
            "the mutations should leave many entries valid ({parsed})"
        );
    }

    #[test]
    fn merging_mutated_entries_never_panics_or_writes_markers() {
        let mut rng = Rng::new(2);
        for _ in 0..rounds(5_000) {
            let base = mutate(&mut rng, SEED_ENTRY);
            let ours = mutate(&mut rng, &base);
            let theirs = mutate(&mut rng, &base);
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
        }
    }

    #[test]
    fn the_quarantine_scan_is_total_and_fast_on_any_text() {
        let mut rng = Rng::new(3);
        for _ in 0..rounds(20_000) {
            let mut text = String::new();
            for _ in 0..rng.range(1, 40) {
                text.push_str(rng_pick(&mut rng, PIECES));
                if rng.chance(0.3) {
                    text.push(char::from_u32(rng.range(0x20, 0x3000) as u32).unwrap_or('x'));
                }
            }
            let _ = timed("scan", &text, || crate::quarantine::scan(&text));
        }
        // A long text stays linear.
        let long = "you the user this note secretly ".repeat(20_000);
        timed("scan of 640 KB", "long", || crate::quarantine::scan(&long));
    }

    #[test]
    fn agent_transcript_reading_never_panics_on_mangled_lines() {
        let mut rng = Rng::new(4);
        let lines = [
            r#"{"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":"We use pnpm."}}"#,
            r#"{"type":"event_msg","payload":{"type":"user_message","message":"Deploys run at 1am."}}"#,
            r#"{"role":"user","message":{"content":[{"type":"text","text":"<user_query>Hi</user_query>"}]}}"#,
            r#"{"type":"gemini","content":"ok"}"#,
            r#"{"sessionId":"s","projectHash":"h","messages":[{"type":"user","content":"x"}]}"#,
        ];
        for _ in 0..rounds(10_000) {
            let mut t = String::new();
            for _ in 0..rng.range(1, 6) {
                let line = rng_pick(&mut rng, &lines);
                t.push_str(&mutate(&mut rng, line));
                t.push('\n');
            }
            let _ = timed("user_turns", &t, || {
                crate::ingest::agent::user_turns(t.as_bytes())
            });
            let _ = timed("statements", &t, || crate::ingest::agent::statements(&t));
        }
    }

    fn rng_pick(rng: &mut Rng, items: &[&'static str]) -> &'static str {
        items[rng.below(items.len())]
    }
}

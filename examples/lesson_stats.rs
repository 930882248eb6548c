//! Structural counts of agent transcripts as `mem learn` reads them (no
//! content printed): requests, actions, commands, edits, failures, and
//! failures whose output says what went wrong. A parser check for a
//! fixture set one must not read.
//!
//!   cargo run --example lesson_stats -- fixtures/lessons/heldout/*.jsonl

fn main() {
    for f in std::env::args().skip(1) {
        let bytes = std::fs::read(&f).expect("read");
        let t = match mem::learn::transcript::parse(&bytes, "x") {
            Ok(t) => t,
            Err(e) => {
                println!("{f}: ERROR {e}");
                continue;
            }
        };
        let mut req = 0;
        let mut say = 0;
        for e in &t.events {
            match e {
                mem::learn::transcript::Event::Request { .. } => req += 1,
                mem::learn::transcript::Event::Say { .. } => say += 1,
                _ => {}
            }
        }
        let acts: Vec<_> = t.actions().collect();
        let cmds = acts.iter().filter(|a| a.command.is_some()).count();
        let edits = acts.iter().filter(|a| a.edit.is_some()).count();
        let results = acts.iter().filter(|a| a.result_turn.is_some()).count();
        let failed = acts.iter().filter(|a| a.failed).count();
        let telling = acts
            .iter()
            .filter(|a| a.failed && mem::learn::transcript::telling(&a.output))
            .count();
        let tools: std::collections::BTreeSet<&str> =
            acts.iter().map(|a| a.tool.as_str()).collect();
        let lines = String::from_utf8_lossy(&bytes).lines().count();
        let lessons = mem::learn::extract(&t).len();
        println!(
            "{}: {} lines, format {}, requests {req}, says {say}, actions {} (results {results}, commands {cmds}, edits {edits}, other {}), failed {failed} (telling {telling}), tools {:?}, lessons {lessons}",
            f.rsplit('/')
                .next()
                .unwrap_or(&f)
                .split('-')
                .next()
                .unwrap_or(""),
            lines,
            t.format,
            acts.len(),
            acts.len() - cmds - edits,
            tools
        );
    }
}

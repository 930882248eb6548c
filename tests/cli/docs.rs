//! Generated files stay in step with the clap definition.

use crate::common::*;

#[test]
fn completions_are_up_to_date() {
    let env = Env::new();
    for (shell, file) in [("bash", "mem.bash"), ("zsh", "_mem"), ("fish", "mem.fish")] {
        let out = env.mem().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("completions")
                .join(file),
        )
        .unwrap_or_default();
        assert!(
            committed.trim_end() == String::from_utf8_lossy(&out.stdout).trim_end(),
            "completions/{file} is stale: run scripts/gen-docs.sh"
        );
    }
}

#[test]
fn man_pages_are_up_to_date() {
    let env = Env::new();
    let dir = env.dir.path().join("man");
    env.mem()
        .args(["man", dir.to_str().unwrap()])
        .assert()
        .success();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name();
        let fresh = std::fs::read(e.path()).unwrap();
        let old = std::fs::read(committed.join(&name)).unwrap_or_default();
        assert!(
            fresh == old,
            "man/{} is stale: run scripts/gen-docs.sh",
            name.to_string_lossy()
        );
        n += 1;
    }
    assert!(n >= 12);
    assert_eq!(
        std::fs::read_dir(&committed).unwrap().count(),
        n,
        "man/ has pages for commands that no longer exist"
    );
}

/// The layering of docs/design.md §9: no module of the crate reaches a
/// module that reaches back (the one allowed cycle is `cli` ↔ `cmd`, as
/// clap needs), core code never calls the command layer, and the index,
/// recall, tree, the write path, curation and ingest's shared part name
/// no benchmark. Read from the `crate::` / `super::` paths in the code
/// (comments left out).
#[test]
fn modules_are_layered_without_cycles() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // module path ("index::text") -> code without comments
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = p.strip_prefix(&src).unwrap().with_extension("");
        let mut segs: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if segs.last().is_some_and(|s| s == "mod") {
            segs.pop();
        }
        let text = std::fs::read_to_string(p).unwrap();
        let text: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        code.insert(segs.join("::"), text);
    }
    let names: BTreeSet<String> = code.keys().cloned().collect();
    let re = regex::Regex::new(r"\b(crate|super)((?:::[a-z_0-9]+)+)").unwrap();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &code {
        let parent: Vec<&str> = m.split("::").filter(|s| !s.is_empty()).collect();
        for c in re.captures_iter(text) {
            let mut path: Vec<String> = if &c[1] == "super" {
                parent[..parent.len().saturating_sub(1)]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                Vec::new()
            };
            path.extend(c[2].split("::").filter(|s| !s.is_empty()).map(String::from));
            // The longest prefix that is a module.
            let target = (1..=path.len())
                .rev()
                .map(|k| path[..k].join("::"))
                .find(|t| names.contains(t));
            if let Some(t) = target
                && t != *m
                && !m.starts_with(&format!("{t}::"))
            {
                edges.entry(m.clone()).or_default().insert(t);
            }
        }
    }
    // Cycles: a module that reaches itself again.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(x) = stack.pop() {
            for y in edges.get(&x).into_iter().flatten() {
                if seen.insert(y.clone()) {
                    stack.push(y.clone());
                }
            }
        }
        seen
    };
    let top = |m: &str| m.split("::").next().unwrap().to_string();
    let mut cycles = Vec::new();
    for m in &names {
        if reach(m).contains(m) {
            let others: Vec<String> = reach(m)
                .into_iter()
                .filter(|o| o != m && reach(o).contains(m))
                .collect();
            // cli <-> cmd (and cmd's files) is the allowed one.
            if !others
                .iter()
                .chain([m])
                .all(|x| top(x) == "cli" || top(x) == "cmd")
            {
                cycles.push(format!("{m} <-> {others:?}"));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
    for (m, ts) in &edges {
        let t = top(m);
        if !matches!(t.as_str(), "cmd" | "cli" | "main") {
            assert!(
                !ts.iter().any(|x| top(x) == "cmd"),
                "{m} calls the command layer"
            );
        }
        if matches!(
            t.as_str(),
            "recall" | "index" | "tree" | "ops" | "write" | "curate" | "place"
        ) || m == "ingest"
        {
            for x in ts {
                assert!(
                    !(top(x) == "eval" || x.contains("locomo") || x.contains("longmemeval")),
                    "{m} reaches the benchmark code ({x})"
                );
            }
        }
    }
    // tree never opens the index (a lookup is handed to it).
    assert!(!edges["tree"].iter().any(|x| top(x) == "index"));
}

//! Several trees: a personal tree used outside any tree, recall across
//! trees, writing into a named tree, promoting an entry.

use crate::common::*;

fn personal(env: &Env) -> std::path::PathBuf {
    let p = env.dir.path().join("personal");
    env.mem()
        .args(["init", "--personal"])
        .arg(&p)
        .assert()
        .success();
    p
}

#[test]
fn outside_any_tree_the_personal_tree_is_used_and_named() {
    let env = Env::new();
    let p = personal(&env);
    let cfg = std::fs::read_to_string(env.home().join(".config/mem/config.toml")).unwrap();
    assert!(
        cfg.contains("[trees]") && cfg.contains("personal ="),
        "{cfg}"
    );
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = env
        .mem()
        .current_dir(&elsewhere)
        .args([
            "add",
            "--raw",
            "My dentist is Dr. Alvarez on Elm Street.",
            "--at",
            "health/dentist",
            "--json",
        ])
        .output()
        .unwrap();
    ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("using the personal tree"),
        "{out:?}"
    );
    assert!(p.join("health/dentist").is_dir());
    let out = env
        .mem()
        .current_dir(&elsewhere)
        .args(["recall", "dentist", "--json"])
        .output()
        .unwrap();
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("health/dentist"));
}

#[test]
fn recall_merges_trees_each_hit_naming_its_tree_and_promote_copies_with_provenance() {
    let env = Env::new();
    personal(&env);
    env.add(
        "The team deploy window is Tuesday 10-12 UTC.",
        "ops/deploys",
    );
    env.mem()
        .args([
            "add",
            "--raw",
            "--tree",
            "personal",
            "I deploy from my laptop with the staging key.",
            "--at",
            "ops/deploys",
        ])
        .assert()
        .success();
    // Both trees, one ranking.
    let hits = env.json(&["recall", "deploy", "--tree", ".", "--tree", "personal"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
    let trees: Vec<&str> = hits.iter().map(|h| h["tree"].as_str().unwrap()).collect();
    assert!(
        trees.contains(&".") && trees.contains(&"personal"),
        "{trees:?}"
    );
    assert_eq!(hits[0]["rank"], 1);
    // Configured: recall.trees searches personal too, by default.
    let cfg = env.root.join(".mem/config.toml");
    let orig = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        orig.replacen("[recall]\n", "[recall]\ntrees = [\"personal\"]\n", 1),
    )
    .unwrap();
    let text = env
        .mem()
        .args(["recall", "laptop", "staging", "key"])
        .output()
        .unwrap();
    ok(&text);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("personal:ops/deploys/"),
        "{text:?}"
    );
    std::fs::write(&cfg, orig).unwrap();
    // Only the current tree unless asked.
    let here = env.json(&["recall", "deploy"]);
    assert_eq!(here.len(), 1);
    assert!(here[0].get("tree").is_none());
    // Promote the personal entry into this (team) tree.
    let p = env.dir.path().join("personal");
    let src = env
        .mem()
        .current_dir(&p)
        .args(["recall", "laptop", "--json"])
        .output()
        .unwrap();
    let src_path = parse_lines(&src.stdout)[0]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let src_id = parse_lines(&src.stdout)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env
        .mem()
        .current_dir(&p)
        .args(["promote", &src_path, "--to"])
        .arg(&env.root)
        .arg("--json")
        .output()
        .unwrap();
    ok(&out);
    let o = &parse_lines(&out.stdout)[0];
    let copy = env.read(&format!("{}.md", o["path"].as_str().unwrap()));
    assert!(
        copy.contains("rel: derived-from")
            && copy.contains(&src_id)
            && copy.contains(&format!("personal:{src_path}")),
        "{copy}"
    );
    assert!(copy.contains("staging key"), "{copy}");
    assert_ne!(o["id"].as_str().unwrap(), src_id);
    env.mem().args(["doctor", "--strict"]).assert().success();
    // The original is unchanged and still in the personal tree.
    assert!(p.join(format!("{src_path}.md")).is_file());
}

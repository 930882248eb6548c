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
